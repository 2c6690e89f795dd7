package digest

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// labelled is an article with the event it reports, for measuring the
// clustering.
type labelled struct {
	article  Article
	event    string
	nearMiss string // the event id this one must not be merged with
}

// labelledEvent is one entry of testdata/events/*.json.
type labelledEvent struct {
	ID         string    `json:"id"`
	Event      string    `json:"event"`
	NearMissOf string    `json:"near_miss_of"`
	Source     string    `json:"source"`
	Section    string    `json:"section"`
	Published  time.Time `json:"published"`
	Title      string    `json:"title"`
	Dek        string    `json:"dek"`
	Paragraphs []string  `json:"paragraphs"`
}

// readLabelledSet reads the labelled day of testdata/events: every file
// holds articles written for this project, several outlets per event,
// and near-miss events that share words but not the event.
func readLabelledSet(t testing.TB, pattern string) []labelled {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata/events", pattern))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no labelled set %s: %v", pattern, err)
	}
	var out []labelled
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var entries []labelledEvent
		if err := json.Unmarshal(data, &entries); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, e := range entries {
			out = append(out, labelled{
				article: Article{ID: e.ID, Source: e.Source, Section: e.Section, Published: e.Published,
					Title: e.Title, Dek: e.Dek, Paragraphs: e.Paragraphs},
				event: e.Event, nearMiss: e.NearMissOf,
			})
		}
	}
	return out
}

// readExampleEvents reads the example corpus's days with the events
// examples/articles/MANIFEST.md says they hold; an article of no listed
// event is its own event.
func readExampleEvents(t testing.TB) map[string][]labelled {
	t.Helper()
	const dir = "../examples/articles"
	f, err := os.Open(filepath.Join(dir, "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	eventOf := map[string]string{}
	header := regexp.MustCompile(`^- \*\*(E\w+)\*\* \(`)
	member := regexp.MustCompile("^  - `([^`]+)` — ")
	current := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := header.FindStringSubmatch(sc.Text()); m != nil {
			current = m[1]
		} else if m := member.FindStringSubmatch(sc.Text()); m != nil && current != "" {
			eventOf[m[1]] = current
		}
	}
	if len(eventOf) < 15 {
		t.Fatalf("manifest lists %d event members: not read right", len(eventOf))
	}
	days := map[string][]labelled{}
	paths, _ := filepath.Glob(filepath.Join(dir, "2026/11/*/*"))
	for _, p := range paths {
		key, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Parse(key, data)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		event := eventOf[key]
		if event == "" {
			event = key
		}
		day := filepath.Dir(key)
		days[day] = append(days[day], labelled{article: a, event: event})
	}
	return days
}

// pairScore counts same-event pairs: found, found wrongly, missed.
type pairScore struct{ truePos, falsePos, falseNeg, nearMissMerged int }

func (p *pairScore) add(set []labelled, cfg ClusterConfig) {
	articles := make([]Article, len(set))
	for i, l := range set {
		articles[i] = l.article
	}
	vecs, names := articleVectors(articles)
	groups, _ := cluster(vecs, names, cfg)
	groupOf := make([]int, len(set))
	for g, members := range groups {
		for _, i := range members {
			groupOf[i] = g
		}
	}
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			same, merged := set[i].event == set[j].event, groupOf[i] == groupOf[j]
			switch {
			case same && merged:
				p.truePos++
			case merged:
				p.falsePos++
				if set[i].nearMiss == set[j].event {
					p.nearMissMerged++
				}
			case same:
				p.falseNeg++
			}
		}
	}
}

func (p pairScore) precision() float64 {
	return float64(p.truePos) / float64(max(1, p.truePos+p.falsePos))
}
func (p pairScore) recall() float64 {
	return float64(p.truePos) / float64(max(1, p.truePos+p.falseNeg))
}
func (p pairScore) String() string {
	return fmt.Sprintf("same-event pairs: %d found, %d wrongly (%d of them near misses), %d missed; precision %.3f recall %.3f",
		p.truePos, p.falsePos, p.nearMissMerged, p.falseNeg, p.precision(), p.recall())
}

// TestClusterLabelledSet measures same-event detection on the labelled set
// and the example corpus (each day on its own). DefaultClusterConfig was
// tuned on events_b.json and the examples; events_a.json is held out, and
// both halves together make one busier day.
func TestClusterLabelledSet(t *testing.T) {
	cfg := DefaultClusterConfig()
	sets := []struct {
		name    string
		pattern string
	}{
		{"held-out half (events_a.json)", "events_a.json"},
		{"tuning half (events_b.json)", "events_b.json"},
		{"both halves as one day", "events_*.json"},
	}
	for _, set := range sets {
		articles := readLabelledSet(t, set.pattern)
		var s pairScore
		s.add(articles, cfg)
		t.Logf("%s, %d articles: %v", set.name, len(articles), s)
		if s.precision() < 0.95 || s.recall() < 0.95 {
			t.Errorf("%s: %v; want precision and recall ≥ 0.95", set.name, s)
		}
		if testing.Verbose() {
			reportClusterErrors(t, articles, cfg)
		}
	}
	var examples pairScore
	for _, day := range readExampleEvents(t) {
		examples.add(day, cfg)
	}
	t.Logf("example corpus: %v", examples)
	if examples.precision() < 0.95 || examples.recall() < 0.95 {
		t.Errorf("example corpus: %v; want precision and recall ≥ 0.95", examples)
	}
}

// reportClusterErrors logs the labelled pairs the clustering got wrong.
func reportClusterErrors(t *testing.T, set []labelled, cfg ClusterConfig) {
	articles := make([]Article, len(set))
	for i, l := range set {
		articles[i] = l.article
	}
	vecs, names := articleVectors(articles)
	groups, _ := cluster(vecs, names, cfg)
	groupOf := make([]int, len(set))
	for g, members := range groups {
		for _, i := range members {
			groupOf[i] = g
		}
	}
	for i := range set {
		for j := i + 1; j < len(set); j++ {
			same, merged := set[i].event == set[j].event, groupOf[i] == groupOf[j]
			if same != merged {
				t.Logf("%s (cos %.2f): %q | %q", map[bool]string{true: "missed", false: "wrongly merged"}[same],
					cosine(vecs[i], vecs[j]), shorten(set[i].article.Title), shorten(set[j].article.Title))
			}
		}
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return strings.TrimSpace(s)
}

// TestClusterSyntheticDay measures same-event detection on a generated day
// of 3,000 articles whose duplicate groups are known: templated wording and
// coined names, harder on precision than real prose.
func TestClusterSyntheticDay(t *testing.T) {
	day, events := syntheticDay(t, 3000)
	set := make([]labelled, len(day.Articles))
	for i, a := range day.Articles {
		set[i] = labelled{article: a, event: fmt.Sprint(events[i])}
	}
	var s pairScore
	s.add(set, DefaultClusterConfig())
	t.Logf("synthetic day, %d articles: %v", len(set), s)
	if s.precision() < 0.95 || s.recall() < 0.95 {
		t.Errorf("%v; want precision and recall ≥ 0.95", s)
	}
}

// TestSalientIsTheHeaviestK: salient keeps the k heaviest terms in order,
// ties by term, as sorting the whole vector did.
func TestSalientIsTheHeaviestK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		vec := make(vector, rng.IntN(60))
		for i := range vec {
			// Few distinct weights, so that ties are common.
			vec[i] = termWeight{term: int32(i * 3), weight: float32(rng.IntN(8)) / 8}
		}
		k := rng.IntN(40)
		sorted := slices.Clone(vec)
		slices.SortFunc(sorted, func(a, b termWeight) int {
			return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.term, b.term))
		})
		var want []int32
		for _, tw := range sorted[:min(k, len(sorted))] {
			want = append(want, tw.term)
		}
		if got := salient(vec, k); !slices.Equal(got, want) {
			t.Fatalf("salient(%v, %d) = %v, want %v", vec, k, got, want)
		}
	}
}
