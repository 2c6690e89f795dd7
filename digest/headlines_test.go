package digest

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// splitCase is one related-headlines module: its style and its headlines.
type splitCase struct {
	style     string
	headlines []string
}

// readSplitCases reads testdata/related/lines.txt: "# style: X" then one
// headline per line, cases separated by blank lines.
func readSplitCases(t testing.TB, path string) []splitCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []splitCase
	var cur *splitCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			cur = nil
		case strings.HasPrefix(line, "# style:"):
			cases = append(cases, splitCase{style: strings.TrimSpace(strings.TrimPrefix(line, "# style:"))})
			cur = &cases[len(cases)-1]
		case cur != nil:
			cur.headlines = append(cur.headlines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// splitScore counts exactly split lines and boundary agreement.
type splitScore struct {
	lines, exact           int
	truePos, falsePos, neg int // boundaries found right, found wrong, missed
}

func (s *splitScore) add(want []string, got []Related) {
	s.lines++
	wantB, gotB := boundaries(want), map[int]bool{}
	titles := make([]string, len(got))
	for i, r := range got {
		titles[i] = r.Title
	}
	for b := range boundaries(titles) {
		gotB[b] = true
	}
	exact := len(wantB) == len(gotB)
	for b := range gotB {
		if wantB[b] {
			s.truePos++
		} else {
			s.falsePos++
			exact = false
		}
	}
	for b := range wantB {
		if !gotB[b] {
			s.neg++
		}
	}
	if exact {
		s.exact++
	}
}

// boundaries returns the word offsets where the second and later headlines
// start.
func boundaries(headlines []string) map[int]bool {
	out := map[int]bool{}
	offset := 0
	for i, h := range headlines {
		if i > 0 {
			out[offset] = true
		}
		offset += len(strings.Fields(h))
	}
	return out
}

func (s splitScore) exactRate() float64 { return float64(s.exact) / float64(s.lines) }
func (s splitScore) precision() float64 {
	return float64(s.truePos) / float64(max(1, s.truePos+s.falsePos))
}
func (s splitScore) recall() float64 { return float64(s.truePos) / float64(max(1, s.truePos+s.neg)) }
func (s splitScore) String() string {
	return fmt.Sprintf("%d lines, exact %.3f, boundary precision %.3f recall %.3f",
		s.lines, s.exactRate(), s.precision(), s.recall())
}

// TestSplitUnseenHeadlines measures the segmenter on related lines whose
// headlines the corpus has never seen: it knows only the starter titles,
// written separately from the test lines, as an archive would hold them.
func TestSplitUnseenHeadlines(t *testing.T) {
	// An archive of 605 titles, none of them in the test lines: the starter
	// titles at full weight.
	corpus := newEmptyHeadlines()
	for title := range strings.Lines(starterTitles) {
		corpus.AddTitle(title)
	}
	scores, naive := map[string]*splitScore{}, map[string]*splitScore{}
	for _, c := range readSplitCases(t, "testdata/related/lines.txt") {
		if scores[c.style] == nil {
			scores[c.style] = &splitScore{}
		}
		run := strings.Join(c.headlines, " ")
		got := corpus.Split(run)
		scores[c.style].add(c.headlines, got)
		if naive[c.style] == nil {
			naive[c.style] = &splitScore{}
		}
		naive[c.style].add(c.headlines, splitAtCapitals(run))
		if testing.Verbose() && !equalTitles(got, c.headlines) {
			t.Logf("%s case split wrong:\n  got  %q\n  want %q", c.style, titlesOf(got), c.headlines)
		}
	}
	// Floors under the figures in BENCHMARKS.md, to catch regressions.
	floors := map[string]struct{ exact, precision, recall float64 }{
		"sentence": {0.60, 0.90, 0.85},
		"title":    {0.15, 0.60, 0.60},
	}
	for style, floor := range floors {
		s := scores[style]
		if s == nil || s.lines < 30 {
			t.Fatalf("%s: want at least 30 test lines, have %v", style, s)
		}
		t.Logf("%s case: segmenter %v", style, s)
		t.Logf("%s case: capital-after-lowercase rule %v", style, naive[style])
		if s.exactRate() < floor.exact || s.precision() < floor.precision || s.recall() < floor.recall {
			t.Errorf("%s case: %v; want exact ≥ %.2f, precision ≥ %.2f, recall ≥ %.2f",
				style, s, floor.exact, floor.precision, floor.recall)
		}
	}
}

func titlesOf(rs []Related) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Title
	}
	return out
}

func equalTitles(got []Related, want []string) bool {
	return strings.Join(titlesOf(got), "\n") == strings.Join(want, "\n")
}

// splitAtCapitals is the naive rule the segmenter is measured against: a
// capitalized word after a lowercase one starts a new headline.
func splitAtCapitals(run string) []Related {
	var out []Related
	var cur []string
	for _, w := range strings.Fields(run) {
		if len(cur) > 0 && isCapitalized(w) && !isCapitalized(cur[len(cur)-1]) {
			out = append(out, Related{Title: strings.Join(cur, " ")})
			cur = nil
		}
		cur = append(cur, w)
	}
	return append(out, Related{Title: strings.Join(cur, " ")})
}

// TestSplitRealHeadlines measures the segmenter on real headlines: runs of
// 3–8 BBC headlines from ../shared/eval (measurement only, never shipped),
// five-fold, each fold split with statistics learned from the other four.
// It skips where that data set is absent.
func TestSplitRealHeadlines(t *testing.T) {
	const dir = "../../shared/eval/bbc-dev/articles"
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "*.txt"))
	if len(paths) == 0 {
		t.Skip("no BBC evaluation set at " + dir)
	}
	var titles []string
	seen := map[string]bool{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		title, _, _ := strings.Cut(string(data), "\n")
		if title = strings.TrimSpace(title); title != "" && !seen[title] {
			seen[title] = true
			titles = append(titles, title)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })
	for _, style := range []struct {
		name  string
		apply func(string) string
	}{{"sentence case (as published)", func(s string) string { return s }}, {"Title Case (converted)", toTitleCase}} {
		const folds = 5
		var model, naive splitScore
		for k := range folds {
			corpus := NewHeadlines()
			var held []string
			for i, title := range titles {
				if i%folds == k {
					held = append(held, style.apply(title))
				} else {
					corpus.AddTitle(style.apply(title))
				}
			}
			for i := 0; i+8 <= len(held); {
				n := 3 + rng.IntN(6)
				run := strings.Join(held[i:i+n], " ")
				model.add(held[i:i+n], corpus.Split(run))
				naive.add(held[i:i+n], splitAtCapitals(run))
				i += n
			}
		}
		t.Logf("BBC headlines, %s: segmenter %v", style.name, model)
		t.Logf("BBC headlines, %s: capital-after-lowercase rule %v", style.name, naive)
		if model.exactRate() <= naive.exactRate() {
			t.Errorf("%s: segmenter %v does no better than the naive rule %v", style.name, model, naive)
		}
	}
}

// toTitleCase capitalizes every word but AP style's short function words.
func toTitleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if i > 0 && apLowercase[strings.ToLower(w)] {
			continue
		}
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}

var apLowercase = setOf("a an the and but or for nor of in on at to by as up off")

// TestSplitLearnsCapitalizationFromProse shows the corpus's running text at
// work: once the body text writes "coastguard" in lowercase, a capitalized
// "Coastguard" in a sentence-case run can only start a headline.
func TestSplitLearnsCapitalizationFromProse(t *testing.T) {
	const run = "Lifeboat station plans open day Coastguard warns of spring tides"
	want := []string{"Lifeboat station plans open day", "Coastguard warns of spring tides"}

	corpus := NewHeadlines()
	before := titlesOf(corpus.Split(run))
	corpus.AddArticle(&Article{
		Title:      "Kayakers rescued off Gull Point",
		Paragraphs: []string{"The coastguard asked the lifeboat crew to launch at 9pm, and the coastguard helicopter was stood down."},
	})
	after := titlesOf(corpus.Split(run))
	if !slices.Equal(after, want) {
		t.Errorf("with prose evidence: split %q, want %q", after, want)
	}
	if slices.Equal(before, after) {
		t.Errorf("the split %q did not change with the prose evidence", before)
	}
}

func TestEndsSentence(t *testing.T) {
	tests := map[string]bool{
		"said.": true, "win.”": true, `now?"`: true, "(again.)": true, "Analysis:": true, "’": false,
		"U.S": false, "word": false, "": false, "”": false, "ok!’": true, "3.5": false,
	}
	for tok, want := range tests {
		if got := endsSentence(tok); got != want {
			t.Errorf("endsSentence(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestLinkRewordedTitles(t *testing.T) {
	corpus := NewHeadlines()
	for _, a := range []Article{
		{ID: "offer", URL: "https://harbourledger.example/offer", Title: "Calder Mutual offers £50 to each customer hit by data breach"},
		{ID: "tram", Title: "Norwich councillors back £412m tram line after six-hour debate"},
	} {
		corpus.AddArticle(&a)
	}
	tests := []struct {
		title, wantID, wantURL string
	}{
		{"Calder Mutual offers £50 to each customer hit by data breach", "offer", "https://harbourledger.example/offer"},
		{"Calder Mutual offers £50 to customers hit by breach", "offer", "https://harbourledger.example/offer"},
		{"Norwich Councillors Back £412m Tram Line After Six-Hour Debate", "tram", ""},
		{"Calder Mutual shares fall after breach", "", ""},
		{"Norwich tram line", "", ""},
	}
	for _, tt := range tests {
		r := Related{Title: tt.title}
		corpus.link(&r)
		if r.ID != tt.wantID || r.URL != tt.wantURL {
			t.Errorf("%q linked to id %q url %q, want %q %q", tt.title, r.ID, r.URL, tt.wantID, tt.wantURL)
		}
	}
}
