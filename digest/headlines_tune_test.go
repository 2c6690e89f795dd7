package digest

import (
	"flag"
	"math/rand/v2"
	"strings"
	"testing"
)

var tune = flag.Bool("tune", false, "search the segmenter's weights on the training titles")

// TestTuneSplitWeights searches the segmenter's weights by coordinate ascent
// on runs made from the starter titles only, five-fold: each fold's runs
// are split with statistics learned from the other four folds. It prints
// the weights to paste into headlines.go; the held-out test lines are never
// looked at. Run: go test ./digest -run TestTuneSplitWeights -tune -v
func TestTuneSplitWeights(t *testing.T) {
	if !*tune {
		t.Skip("run with -tune")
	}
	titles := strings.Split(strings.TrimSpace(starterTitles), "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })

	const folds = 5
	type fold struct {
		corpus *Headlines
		cases  []splitCase
	}
	var data []fold
	for k := range folds {
		f := fold{corpus: newEmptyHeadlines()}
		var sentence, title []string
		for i, tt := range titles {
			switch {
			case i%folds != k:
				f.corpus.AddTitle(tt)
			case isTitleCase(strings.Fields(tt)):
				title = append(title, tt)
			default:
				sentence = append(sentence, tt)
			}
		}
		for _, group := range []struct {
			style  string
			titles []string
		}{{"sentence", sentence}, {"title", title}} {
			for rep := range 4 {
				_ = rep
				rng.Shuffle(len(group.titles), func(i, j int) { group.titles[i], group.titles[j] = group.titles[j], group.titles[i] })
				for i := 0; i+8 <= len(group.titles); {
					n := 3 + rng.IntN(6)
					f.cases = append(f.cases, splitCase{style: group.style, headlines: group.titles[i : i+n]})
					i += n
				}
			}
		}
		data = append(data, f)
	}

	for _, style := range []string{"sentence", "title"} {
		w := sentenceWeights
		if style == "title" {
			w = titleWeights
		}
		score := func(w splitWeights) float64 {
			var s splitScore
			for _, f := range data {
				f.corpus.sentenceWeights, f.corpus.titleWeights = w, w
				for _, c := range f.cases {
					if c.style == style {
						s.add(c.headlines, f.corpus.Split(strings.Join(c.headlines, " ")))
					}
				}
			}
			// Exact lines first, boundary F1 to break ties.
			p, r := s.precision(), s.recall()
			return s.exactRate() + 0.5*(2*p*r/max(p+r, 1e-9))
		}
		report := func(w splitWeights) {
			var s splitScore
			for _, f := range data {
				f.corpus.sentenceWeights, f.corpus.titleWeights = w, w
				for _, c := range f.cases {
					if c.style == style {
						s.add(c.headlines, f.corpus.Split(strings.Join(c.headlines, " ")))
					}
				}
			}
			t.Logf("%s: %v", style, s)
		}
		report(w)
		defer func() { report(w) }()
		params := []*float64{&w.last, &w.first, &w.inner, &w.caps, &w.capPair, &w.pair, &w.terminal,
			&w.number, &w.perBoundary, &w.length, &w.openQuotes, &w.wordStrength, &w.suffixStrength}
		best := score(w)
		for round := range 4 {
			for _, p := range params {
				orig := *p
				for _, v := range []float64{orig - 1, orig - 0.5, orig - 0.25, orig + 0.25, orig + 0.5, orig + 1, 0, orig * 2, orig / 2} {
					*p = v
					if sc := score(w); sc > best+1e-9 {
						best, orig = sc, v
					}
				}
				*p = orig
			}
			t.Logf("%s round %d: score %.4f weights %+v", style, round, best, w)
		}
	}
}
