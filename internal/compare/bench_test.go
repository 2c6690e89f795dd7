package compare

import (
	"fmt"
	"sync"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// The benchmarks run each comparison on one input in one run; ours reports
// "peer/ours-time", the peer's time over ours (above 1: ours is faster),
// against the peer's run just before it (with -count, the last of the
// peer's runs). `go test -run '^$' -bench . -cpu 1 ./internal/compare`

// perItem is the mean time of one item of b's last loop, in nanoseconds.
func perItem(b *testing.B, items int) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(items)
}

// BenchmarkEmail is one edition (the example edition of 2026-11-26, eight
// stories) sent to 1,000 readers: a full hermes render for each, against
// one render and a splice for each. Both make the same bytes
// (TestPersonalizedEqualsFullRender).
func BenchmarkEmail(b *testing.B) {
	e := exampleEdition(b)
	recs := readers(1000)
	var peer float64
	b.Run("full-render-per-reader", func(b *testing.B) {
		r, err := hermes.NewRenderer(emailConfig())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			for _, rec := range recs {
				if _, err := r.RenderFor(e, rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		peer = perItem(b, len(recs))
		b.ReportMetric(peer, "ns/recipient")
	})
	b.Run("render-once+personalize", func(b *testing.B) {
		r, err := hermes.NewRenderer(emailConfig())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			rendered, err := r.Render(e)
			if err != nil {
				b.Fatal(err)
			}
			for _, rec := range recs {
				if _, err := rendered.Personalize(rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		ours := perItem(b, len(recs))
		b.ReportMetric(ours, "ns/recipient")
		if peer > 0 {
			b.ReportMetric(peer/ours, "peer/ours-time")
		}
	})
}

func reportPairs(b *testing.B, s PairScore) {
	b.ReportMetric(s.Precision(), "precision")
	b.ReportMetric(s.Recall(), "recall")
	b.ReportMetric(s.F1(), "F1")
}

var (
	bigDayOnce   sync.Once
	bigDay       []digest.Article
	bigDayEvents []string
)

// BenchmarkCluster scores both clusterers' same-event pairs on the
// held-out half of the labelled set, SimHash at every distance, then times
// both on a generated day of 10,000 articles (a third in groups of 2–4)
// and scores them there too. SimHash runs over all words, over content
// words (stop words left out: the features that did best on the tuning
// half, at 14 bits) and over 3-word shingles at 3 bits, the near-duplicate
// convention. Ours is the whole edition build (see OurGroups); its
// "peer/ours-time" is against SimHash over content words at 14 bits.
func BenchmarkCluster(b *testing.B) {
	articles, events, nearMiss := labelledSet(b, "events_a.json")
	b.Run("events_a/ours", func(b *testing.B) {
		var groups []int
		for b.Loop() {
			var err error
			if groups, err = OurGroups(labelledDate, articles); err != nil {
				b.Fatal(err)
			}
		}
		reportPairs(b, ScorePairs(events, nearMiss, groups))
	})
	simhash := func(articles []digest.Article, events, nearMiss []string, f SimHashFeatures, k int) func(*testing.B) {
		return func(b *testing.B) {
			var groups []int
			for b.Loop() {
				groups = SimHashGroups(Fingerprints(articles, f), k)
			}
			reportPairs(b, ScorePairs(events, nearMiss, groups))
		}
	}
	for _, f := range []struct {
		name string
		f    SimHashFeatures
	}{{"words", allWords}, {"content-words", chosenFeatures}} {
		for _, k := range distances {
			b.Run(fmt.Sprintf("events_a/simhash-%s-k=%d", f.name, k), simhash(articles, events, nearMiss, f.f, k))
		}
	}
	b.Run(fmt.Sprintf("events_a/simhash-3shingles-k=%d", conventionalBound), simhash(articles, events, nearMiss, conventional, conventionalBound))

	day := func(b *testing.B) {
		bigDayOnce.Do(func() { bigDay, bigDayEvents = syntheticDay(b, 10_000) })
	}
	var peer float64
	for _, run := range []struct {
		name string
		f    SimHashFeatures
		k    int
	}{{"simhash-content-words-k=14", chosenFeatures, 14}, {"simhash-words-k=3", allWords, 3}, {"simhash-3shingles-k=3", conventional, 3}} {
		b.Run("synthetic-10k/"+run.name, func(b *testing.B) {
			day(b)
			simhash(bigDay, bigDayEvents, nil, run.f, run.k)(b)
			if run.k == 14 {
				peer = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			}
		})
	}
	b.Run("synthetic-10k/ours", func(b *testing.B) {
		day(b)
		var groups []int
		for b.Loop() {
			var err error
			if groups, err = OurGroups(labelledDate, bigDay); err != nil {
				b.Fatal(err)
			}
		}
		reportPairs(b, ScorePairs(bigDayEvents, nil, groups))
		if peer > 0 {
			b.ReportMetric(peer/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "peer/ours-time")
		}
	})
}

// BenchmarkSummary makes the short text of each of the 50 example
// articles with each system: the first 60 words, the first three
// sentences cut to 60 words, our lead, our TextRank summary. It reports
// the time an article (lead and summary: "peer/ours-time" against the
// first 60 words), ROUGE-1 F1 against each article's own standfirst
// (taken out of the article first) and the share of texts that end
// mid-sentence.
func BenchmarkSummary(b *testing.B) {
	articles := exampleArticles(b)
	const words = 60
	var peer float64
	for _, s := range Shorteners() {
		b.Run(s.Name, func(b *testing.B) {
			for b.Loop() {
				for i := range articles {
					if s.Shorten(&articles[i], words) == "" {
						b.Fatal("no text")
					}
				}
			}
			t := perItem(b, len(articles))
			b.ReportMetric(t, "ns/article")
			switch {
			case s.Name == "first-words":
				peer = t
			case (s.Name == "lead" || s.Name == "summary") && peer > 0:
				b.ReportMetric(peer/t, "peer/ours-time")
			}
			sc := ScoreAgainstDek(articles, s, words)
			b.ReportMetric(sc.ROUGE1, "ROUGE-1")
			b.ReportMetric(float64(sc.MidSentence)/float64(sc.Articles), "cut-share")
		})
	}
}
