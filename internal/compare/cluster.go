package compare

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/bits"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mfonda/simhash"

	"github.com/newsdigest/newsdigest/digest"
)

// Labelled is an article with the event it reports, from the labelled set
// digest measures same-event detection on (digest/testdata/events).
type Labelled struct {
	Article digest.Article
	Event   string
	// NearMiss is the event this article must not be merged with, if any.
	NearMiss string
}

// ReadLabelled reads one file of the labelled set.
func ReadLabelled(path string) ([]Labelled, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var entries []struct {
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
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]Labelled, len(entries))
	for i, e := range entries {
		out[i] = Labelled{
			Article: digest.Article{ID: e.ID, Source: e.Source, Section: e.Section, Published: e.Published,
				Title: e.Title, Dek: e.Dek, Paragraphs: e.Paragraphs},
			Event: e.Event, NearMiss: e.NearMissOf,
		}
	}
	return out, nil
}

// OurGroups clusters the articles with digest's clusterer and returns each
// article's group number. The clusterer is not exported, so it runs as the
// edition build runs it: digest.Builder.Build folds each group into one
// story, led by one article with the others in Also, and every group is a
// story of the edition or a runner-up. The build also scores and orders
// the stories and writes the chosen ten's leads and related links, which
// this count includes. Articles need distinct IDs.
func OurGroups(date digest.Date, articles []digest.Article) ([]int, error) {
	b := digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: "https://digest.example/archive"}, slog.New(slog.DiscardHandler))
	e := b.Build(digest.Day{Date: date, Articles: articles}, digest.Editorial{})
	index := make(map[string]int, len(articles))
	for i, a := range articles {
		if _, dup := index[a.ID]; dup {
			return nil, fmt.Errorf("article id %q twice", a.ID)
		}
		index[a.ID] = i
	}
	groups := make([]int, len(articles))
	for i := range groups {
		groups[i] = -1
	}
	g := 0
	place := func(id string) error {
		i, ok := index[id]
		switch {
		case !ok:
			return fmt.Errorf("the edition names article %q, not in the day", id)
		case groups[i] >= 0:
			return fmt.Errorf("article %q in two stories", id)
		}
		groups[i] = g
		return nil
	}
	for _, s := range append(e.Stories, e.RunnersUp...) {
		if err := place(s.ID); err != nil {
			return nil, err
		}
		for _, a := range s.Also {
			if err := place(a.ID); err != nil {
				return nil, err
			}
		}
		g++
	}
	for i, grp := range groups {
		if grp < 0 {
			return nil, fmt.Errorf("article %q in no story", articles[i].ID)
		}
	}
	return groups, nil
}

// SimHashFeatures says what a SimHash fingerprint is taken over.
type SimHashFeatures struct {
	// Shingle is how many words make one feature: 1 for single words, 3
	// for the word triples of near-duplicate detection.
	Shingle int
	// DropStopWords leaves out the commonest English words (StopWords),
	// which every article shares.
	DropStopWords bool
}

func (f SimHashFeatures) String() string {
	s := fmt.Sprintf("%d-word shingles", f.Shingle)
	if f.Shingle == 1 {
		s = "words"
	}
	if f.DropStopWords {
		s += " minus stop words"
	}
	return s
}

// StopWords are the words SimHashFeatures.DropStopWords leaves out.
var StopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the of to in on at for and or but is are was were be been being
		has have had it its this that these those with as by from he she they we you i his her their our
		not no will would can could should may might said says say after before over than up out about into
		more most also who which what when where there then new one two`) {
		m[w] = true
	}
	return m
}()

// Fingerprints are the articles' 64-bit SimHash fingerprints
// (github.com/mfonda/simhash: FNV-64 of each feature, one vote a bit) over
// the words of the title, standfirst and body: lowercase runs of letters
// and digits, shingled as f says.
func Fingerprints(articles []digest.Article, f SimHashFeatures) []uint64 {
	out := make([]uint64, len(articles))
	var buf []byte     // the article's words, lowercased, end to end
	var ends []int     // where each word ends in buf
	var words [][]byte // the words, slices of buf
	for i := range articles {
		a := &articles[i]
		buf, ends, words = buf[:0], ends[:0], words[:0]
		for _, text := range append([]string{a.Title, a.Dek}, a.Paragraphs...) {
			start := len(buf)
			endWord := func() {
				if len(buf) > start {
					if f.DropStopWords && StopWords[string(buf[start:])] {
						buf = buf[:start]
					} else {
						ends = append(ends, len(buf))
					}
				}
				start = len(buf)
			}
			for _, r := range text {
				if notWordRune(r) {
					endWord()
				} else {
					buf = utf8.AppendRune(buf, unicode.ToLower(r))
				}
			}
			endWord()
		}
		start := 0
		for _, end := range ends {
			words = append(words, buf[start:end])
			start = end
		}
		out[i] = simhash.SimhashBytes(simhash.Shingle(max(1, f.Shingle), words))
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// SimHashGroups groups the articles whose fingerprints lie within
// maxDistance bits of each other, transitively (union-find), and returns
// each article's group number. Every pair is compared: a popcount of the
// XOR, the Hamming distance simhash.Compare counts bit by bit.
func SimHashGroups(fps []uint64, maxDistance int) []int {
	parent := make([]int, len(fps))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range fps {
		for j := i + 1; j < len(fps); j++ {
			if bits.OnesCount64(a^fps[j]) <= maxDistance {
				if ri, rj := find(i), find(j); ri != rj {
					parent[rj] = ri
				}
			}
		}
	}
	groups := make([]int, len(fps))
	for i := range fps {
		groups[i] = find(i)
	}
	return groups
}

// PairScore counts same-event pairs over every pair of articles, as
// digest's TestClusterLabelledSet does: found, found wrongly (and how many
// of those were labelled near misses), missed.
type PairScore struct {
	TruePos, FalsePos, FalseNeg, NearMissMerged int
}

// ScorePairs scores groups (one number per article) against the articles'
// events. nearMiss, if not nil, names for each article the event it must
// not be merged with.
func ScorePairs(events []string, nearMiss []string, groups []int) PairScore {
	pairs := func(n int) int { return n * (n - 1) / 2 }
	type cell struct {
		event string
		group int
	}
	byEvent, byGroup, byCell := map[string]int{}, map[int]int{}, map[cell]int{}
	for i, e := range events {
		byEvent[e]++
		byGroup[groups[i]]++
		byCell[cell{e, groups[i]}]++
	}
	var same, merged, both int
	for _, n := range byEvent {
		same += pairs(n)
	}
	for _, n := range byGroup {
		merged += pairs(n)
	}
	for _, n := range byCell {
		both += pairs(n)
	}
	s := PairScore{TruePos: both, FalsePos: merged - both, FalseNeg: same - both}
	if nearMiss != nil {
		members := map[int][]int{}
		for i, g := range groups {
			members[g] = append(members[g], i)
		}
		for _, m := range members {
			for x, i := range m {
				for _, j := range m[x+1:] {
					if (nearMiss[i] != "" && nearMiss[i] == events[j]) || (nearMiss[j] != "" && nearMiss[j] == events[i]) {
						s.NearMissMerged++
					}
				}
			}
		}
	}
	return s
}

// Precision is the share of merged pairs that report one event.
func (s PairScore) Precision() float64 {
	return float64(s.TruePos) / float64(max(1, s.TruePos+s.FalsePos))
}

// Recall is the share of same-event pairs that were merged.
func (s PairScore) Recall() float64 {
	return float64(s.TruePos) / float64(max(1, s.TruePos+s.FalseNeg))
}

// F1 is the harmonic mean of precision and recall.
func (s PairScore) F1() float64 {
	p, r := s.Precision(), s.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (s PairScore) String() string {
	return fmt.Sprintf("%d pairs found, %d wrongly (%d near misses), %d missed: precision %.3f recall %.3f F1 %.3f",
		s.TruePos, s.FalsePos, s.NearMissMerged, s.FalseNeg, s.Precision(), s.Recall(), s.F1())
}
