package rouge

import (
	"math"
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"punctuation separates", "Sales rose 2% to $11.1bn.For the year", []string{"sales", "rose", "2", "to", "11", "1bn", "for", "the", "year"}},
		{"letters beyond ASCII", "Şebnem's CAFÉ—open 24/7", []string{"şebnem", "s", "café", "open", "24", "7"}},
		{"nothing but punctuation", " … — !", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// Every expected score below is worked out by hand in its comment.
func TestCompare(t *testing.T) {
	tests := []struct {
		name                 string
		candidate, reference string
		want                 Scores
	}{
		// 6 and 6 tokens. Unigrams shared: the×2, cat, on, mat = 5. Bigrams
		// shared: "the cat", "on the", "the mat" = 3 of 5 each side. LCS
		// "the cat on the mat" = 5.
		{"one word differs", "The cat sat on the mat.", "The cat lay on the mat.",
			Scores{R1: prf(5.0/6, 5.0/6), R2: prf(3.0/5, 3.0/5), RL: prf(5.0/6, 5.0/6)}},
		// "the" three times against once: clipped to 1 match. P 1/3, R 1/2.
		// Bigrams "the the" match nothing. LCS "the" = 1.
		{"repeats clipped", "the the the", "the cat",
			Scores{R1: prf(1.0/3, 1.0/2), R2: Score{}, RL: prf(1.0/3, 1.0/2)}},
		// Same words, reversed: unigrams all match, the one bigram "b a" is
		// not "a b", and the LCS is one word.
		{"order matters beyond unigrams", "b a", "a b",
			Scores{R1: prf(1, 1), R2: Score{}, RL: prf(1.0/2, 1.0/2)}},
		// 6 candidate tokens, all among the reference's 9, in order.
		// Bigrams: 5 candidate, all shared, of 8 in the reference.
		{"sentences run together in the reference", "Sales rose 2% to $11.1bn.", "sales rose 2% to $11.1bn.For the year",
			Scores{R1: prf(1, 6.0/9), R2: prf(1, 5.0/8), RL: prf(1, 6.0/9)}},
		{"empty candidate", "", "the cat", Scores{}},
		{"empty reference", "the cat", "", Scores{}},
		{"one word against one word", "cat", "cat", Scores{R1: prf(1, 1), R2: Score{}, RL: prf(1, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(tt.candidate, tt.reference)
			for _, m := range []struct {
				name      string
				got, want Score
			}{{"ROUGE-1", got.R1, tt.want.R1}, {"ROUGE-2", got.R2, tt.want.R2}, {"ROUGE-L", got.RL, tt.want.RL}} {
				if !near(m.got, m.want) {
					t.Errorf("%s = %+v, want %+v", m.name, m.got, m.want)
				}
			}
		})
	}
}

// prf is the score with precision p and recall r.
func prf(p, r float64) Score { return Score{Precision: p, Recall: r, F1: 2 * p * r / (p + r)} }

func near(a, b Score) bool {
	const eps = 1e-9
	return math.Abs(a.Precision-b.Precision) < eps && math.Abs(a.Recall-b.Recall) < eps && math.Abs(a.F1-b.F1) < eps
}
