package digest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/internal/synth"
)

func TestTextRank(t *testing.T) {
	sentences := func(texts ...string) []bodySentence {
		out := make([]bodySentence, len(texts))
		for i, s := range texts {
			out[i] = bodySentence{text: s, words: len(strings.Fields(s))}
		}
		return out
	}
	tests := []struct {
		name      string
		sentences []bodySentence
		// want are the scores worked out by hand: a sentence sharing no
		// word scores 1-d; two sentences linked only to each other
		// score s = (1-d) + d·s, so 1.
		want []float64
	}{
		{"a linked pair and an isolated sentence",
			sentences("Ferry fares rise in January.", "Ferry fares rise sharply for islanders.", "Gulls nested on the pier roof."),
			[]float64{1, 1, 1 - textRankDamping}},
		{"no shared words at all",
			sentences("Gulls nested on the roof.", "Tickets cost twelve pounds."),
			[]float64{1 - textRankDamping, 1 - textRankDamping}},
		{"one sentence", sentences("Gulls nested on the roof."), []float64{1 - textRankDamping}},
		{"no sentences", nil, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textRank(tt.sentences)
			if len(got) != len(tt.want) {
				t.Fatalf("textRank gave %d scores, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-4 {
					t.Errorf("score %d = %.5f, want %.5f", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// Sentences of six words each: the hub shares two words with the strong
// leaf and one with the weak leaf, which share nothing with each other; the
// aside shares nothing with any. TextRank ranks hub, strong leaf, weak leaf,
// aside.
const (
	aside      = "Gulls nested on the pier roof."
	hub        = "Ferry fares rise for island commuters."
	strongLeaf = "Island commuters protested outside council offices."
	weakLeaf   = "Ferry timetables change next month too."
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name   string
		paras  []string
		budget int
		want   string
	}{
		{"the most central sentence when one fits", []string{aside, hub + " " + strongLeaf, weakLeaf}, 6, hub},
		{"two best, in the article's order", []string{aside, strongLeaf, weakLeaf, hub}, 12, strongLeaf + " " + hub},
		{"everything when all fits", []string{aside, hub}, 60, aside + " " + hub},
		{"a sentence opening a list left out",
			[]string{"The minister set out the plans on Tuesday. Other plans include:"}, 60,
			"The minister set out the plans on Tuesday."},
		{"a sentence leaning on one left out is left out",
			[]string{hub + " " + strongLeaf, "Ferry timetables change next month. It angered island commuters."}, 12,
			hub + " " + strongLeaf},
		{"furniture left out", []string{"By Nell Arkwright", "Advertisement", hub, strongLeaf}, 60, hub + " " + strongLeaf},
		{"the cut lead when no sentence fits",
			[]string{"The harbour board voted on Tuesday evening to extend the night ferry."}, 4,
			"The harbour board voted…"},
		{"zero budget is sixty words",
			[]string{"Alpha" + strings.Repeat(" alpha", 39) + ". Beta" + strings.Repeat(" beta", 19) + "."}, 0,
			"Alpha" + strings.Repeat(" alpha", 39) + ". Beta" + strings.Repeat(" beta", 19) + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Article{Title: "Ferry fares", Paragraphs: tt.paras}
			if got := Summarize(a, tt.budget); got != tt.want {
				t.Errorf("Summarize\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestSummarizeRanksTheFirstSentencesOnly: sentences past the first
// summaryMaxSentences are never ranked, however central they would be.
func TestSummarizeRanksTheFirstSentencesOnly(t *testing.T) {
	var paras []string
	for i := range summaryMaxSentences {
		paras = append(paras, fmt.Sprintf("Zq%da zq%db zq%dc zq%dd.", i, i, i, i)) // shares no word
	}
	for range 5 {
		paras = append(paras, "Ferry fares rise again.") // five alike: central, if ranked
	}
	a := &Article{Title: "Ferry fares", Paragraphs: paras}
	if got, want := Summarize(a, 4), paras[0]; got != want {
		t.Errorf("Summarize = %q, want the first sentence %q", got, want)
	}
}

// BenchmarkSummarize summarizes typical generated articles, one per
// iteration.
func BenchmarkSummarize(b *testing.B) {
	var articles []Article
	for _, f := range synth.Day(200, 1) {
		a, err := Parse(f.Name, f.Data)
		if err != nil {
			b.Fatal(err)
		}
		articles = append(articles, a)
	}
	i := 0
	for b.Loop() {
		Summarize(&articles[i%len(articles)], DefaultLeadWords)
		i++
	}
}
