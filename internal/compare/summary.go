package compare

import (
	"strings"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/rouge"
)

// Shortener makes an article's short text for the digest in at most words
// words.
type Shortener struct {
	Name    string
	Shorten func(a *digest.Article, words int) string
}

// Shorteners are the two excerpts a newsletter takes without a summarizer,
// as cmd/newsdigest eval-summaries scores them, then ours.
func Shorteners() []Shortener {
	return []Shortener{
		{"first-words", FirstWords},
		{"first-3-sentences", func(a *digest.Article, n int) string { return FirstSentences(a, 3, n) }},
		{"lead", func(a *digest.Article, n int) string { return digest.Lead(a, digest.LeadOptions{MaxWords: n}).Text }},
		{"summary", digest.Summarize},
	}
}

// FirstWords is the body's first n words, wherever they end: the excerpt
// of an RSS feed.
func FirstWords(a *digest.Article, n int) string {
	words := strings.Fields(strings.Join(a.Paragraphs, " "))
	return strings.Join(words[:min(n, len(words))], " ")
}

// FirstSentences is the body's first k sentences, cut to n words.
func FirstSentences(a *digest.Article, k, n int) string {
	var sentences []string
	for _, p := range a.Paragraphs {
		sentences = append(sentences, digest.SplitSentences(p)...)
		if len(sentences) >= k {
			break
		}
	}
	words := strings.Fields(strings.Join(sentences[:min(k, len(sentences))], " "))
	return strings.Join(words[:min(n, len(words))], " ")
}

// ShortScore is how a system's short texts fare against the articles'
// standfirsts.
type ShortScore struct {
	// ROUGE1 is the mean ROUGE-1 F1 against the standfirst.
	ROUGE1 float64
	// Words is the mean length in words.
	Words float64
	// Articles is how many were scored; MidSentence how many of their texts
	// end inside a sentence.
	Articles, MidSentence int
}

// ScoreAgainstDek scores each article's short text against its own
// standfirst, the outlet's one-sentence summary. The standfirst is taken
// out of the article first, so that no system can copy it; articles
// without one are passed over.
func ScoreAgainstDek(articles []digest.Article, s Shortener, words int) ShortScore {
	var out ShortScore
	var r1 float64
	n := 0
	for _, a := range articles {
		if a.Dek == "" {
			continue
		}
		ref := a.Dek
		a.Dek = ""
		text := s.Shorten(&a, words)
		r1 += rouge.Compare(text, ref).R1.F1
		n += len(strings.Fields(text))
		if EndsMidSentence(text) {
			out.MidSentence++
		}
		out.Articles++
	}
	if out.Articles > 0 {
		out.ROUGE1 = r1 / float64(out.Articles)
		out.Words = float64(n) / float64(out.Articles)
	}
	return out
}

// EndsMidSentence reports a text cut inside a sentence, as
// cmd/newsdigest eval-summaries counts them: one that ends without a full
// stop, question or exclamation mark, or with the ellipsis that marks a
// lead cut at a word.
func EndsMidSentence(text string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text, `"'”’)`))
	return !strings.ContainsRune(".!?", last)
}
