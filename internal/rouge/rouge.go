// Package rouge scores a summary against a reference summary with ROUGE
// (Lin, 2004): ROUGE-N counts the n-grams they share, ROUGE-L the longest
// common subsequence of their words.
//
// Text is split into lowercase tokens of letters and digits; everything else
// separates tokens, as in the original ROUGE script, so "$10.9bn." is "10"
// and "9bn" on both sides however it is punctuated. There is no stemming and
// no stop-word removal. ROUGE-L is computed over the whole token sequence,
// not sentence by sentence (the summary-level union LCS), since references
// here may run sentences together.
package rouge

import (
	"strings"
	"unicode"
)

// Score is a precision, recall and F1 measure, each from 0 to 1.
type Score struct {
	Precision, Recall, F1 float64
}

// Scores are the three ROUGE measures of one summary.
type Scores struct {
	R1, R2, RL Score
}

// Compare scores candidate against reference with ROUGE-1, ROUGE-2 and
// ROUGE-L.
func Compare(candidate, reference string) Scores {
	c, r := Tokens(candidate), Tokens(reference)
	return Scores{R1: N(c, r, 1), R2: N(c, r, 2), RL: L(c, r)}
}

// Tokens splits text into lowercase runs of letters and digits.
func Tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// N is ROUGE-N: the n-grams of candidate that appear in reference, each
// counted at most as often as the reference has it.
func N(candidate, reference []string, n int) Score {
	ref := map[string]int{}
	for _, g := range ngrams(reference, n) {
		ref[g]++
	}
	cand := ngrams(candidate, n)
	overlap := 0
	for _, g := range cand {
		if ref[g] > 0 {
			ref[g]--
			overlap++
		}
	}
	return score(overlap, len(cand), len(reference)-n+1)
}

func ngrams(tokens []string, n int) []string {
	if n <= 0 || len(tokens) < n {
		return nil
	}
	out := make([]string, 0, len(tokens)-n+1)
	for i := 0; i+n <= len(tokens); i++ {
		out = append(out, strings.Join(tokens[i:i+n], " "))
	}
	return out
}

// L is ROUGE-L: the longest common subsequence of the two token sequences
// over the candidate's length (precision) and the reference's (recall).
func L(candidate, reference []string) Score {
	// One row of the dynamic programme at a time: prev[j] is the LCS of the
	// candidate so far and reference[:j].
	prev := make([]int, len(reference)+1)
	cur := make([]int, len(reference)+1)
	for _, c := range candidate {
		for j, r := range reference {
			if c == r {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return score(prev[len(reference)], len(candidate), len(reference))
}

// score turns an overlap into precision, recall and their harmonic mean; a
// side with nothing to count scores 0.
func score(overlap, candidate, reference int) Score {
	if overlap == 0 || candidate <= 0 || reference <= 0 {
		return Score{}
	}
	p := float64(overlap) / float64(candidate)
	r := float64(overlap) / float64(reference)
	return Score{Precision: p, Recall: r, F1: 2 * p * r / (p + r)}
}
