package digest

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Headlines is what a corpus knows about headlines, used to split an
// outlet's run-together related-headlines line back into headlines. It holds
// the corpus's titles, to recognize them in a run and link them to their
// articles, and word statistics learned from the titles and the running
// text, to split runs of headlines it has never seen.
type Headlines struct {
	known     map[string]Related // normalized title → its article
	knownLens map[int]bool       // token counts of known titles
	words     map[string]*wordStats
	bigrams   map[string]int32 // "a b" adjacent in titles or standfirsts
	titles    int              // titles learned
	tokens    int              // tokens in those titles
	lengths   [maxHeadlineTokens + 1]int
	shapes    [numShapes]shapeStats
}

// wordStats counts one word (case-folded): where it stands in titles, and
// how often it is capitalized in the middle of a sentence.
type wordStats struct {
	inTitle, first, last int32
	capMid, lowerMid     int32
}

type shapeStats struct{ count, first, last int }

// maxHeadlineTokens bounds the length of one headline in words.
const maxHeadlineTokens = 32

// NewHeadlines returns an empty corpus.
func NewHeadlines() *Headlines {
	return &Headlines{
		known:     map[string]Related{},
		knownLens: map[int]bool{},
		words:     map[string]*wordStats{},
		bigrams:   map[string]int32{},
	}
}

// AddArticle teaches the corpus an article: its title (recognized in runs
// and linked to the article) and the words of its standfirst and body.
func (h *Headlines) AddArticle(a *Article) {
	if a.Title != "" {
		tokens := strings.Fields(a.Title)
		if len(tokens) >= 2 {
			key := titleKey(tokens)
			if _, dup := h.known[key]; !dup {
				h.known[key] = Related{Title: a.Title, URL: a.URL, ID: a.ID}
				h.knownLens[len(tokens)] = true
			}
		}
		h.AddTitle(a.Title)
	}
	h.addProse(a.Dek, true)
	for _, p := range a.Paragraphs {
		h.addProse(p, false)
	}
}

// AddTitle teaches the corpus one headline's word statistics.
func (h *Headlines) AddTitle(title string) {
	tokens := strings.Fields(title)
	if len(tokens) == 0 || len(tokens) > maxHeadlineTokens {
		return
	}
	h.titles++
	h.tokens += len(tokens)
	h.lengths[len(tokens)]++
	sentenceCase := !isTitleCase(tokens)
	for i, tok := range tokens {
		w := h.word(wordKey(tok))
		w.inTitle++
		sh := &h.shapes[shapeOf(tok)]
		sh.count++
		if i == 0 {
			w.first++
			sh.first++
		} else if sentenceCase {
			h.countCase(tok, w)
		}
		if i == len(tokens)-1 {
			w.last++
			sh.last++
		} else {
			h.bigrams[wordKey(tok)+" "+wordKey(tokens[i+1])]++
		}
	}
}

// addProse counts, for every word not at the start of a sentence, whether it
// is capitalized: the evidence that tells a proper noun ("Turkey") from a
// common word ("Women") that can only be capitalized at a headline's start.
func (h *Headlines) addProse(text string, withBigrams bool) {
	tokens := strings.Fields(text)
	for i, tok := range tokens {
		if i > 0 && !endsSentence(tokens[i-1]) {
			h.countCase(tok, h.word(wordKey(tok)))
		}
		if withBigrams && i+1 < len(tokens) && !endsSentence(tok) {
			h.bigrams[wordKey(tok)+" "+wordKey(tokens[i+1])]++
		}
	}
}

func (h *Headlines) countCase(tok string, w *wordStats) {
	switch r := firstLetter(tok); {
	case unicode.IsUpper(r):
		w.capMid++
	case unicode.IsLower(r):
		w.lowerMid++
	}
}

func (h *Headlines) word(key string) *wordStats {
	w := h.words[key]
	if w == nil {
		w = &wordStats{}
		h.words[key] = w
	}
	return w
}

// Split splits a run of headlines. Headlines the corpus holds are found
// first and linked to their articles; the rest of the run is split where the
// learned model puts the most likely headline boundaries.
func (h *Headlines) Split(run string) []Related {
	tokens := strings.Fields(run)
	if len(tokens) == 0 {
		return nil
	}
	n := len(tokens)
	sentenceCase := !isTitleCase(tokens)
	gap := make([]float64, n) // gap[k]: log-odds of a headline starting at tokens[k]
	for k := 1; k < n; k++ {
		gap[k] = h.boundaryScore(tokens[k-1], tokens[k], sentenceCase)
	}
	known := h.matchKnown(tokens)
	for i, ends := range known {
		for _, j := range ends {
			if i > 0 {
				gap[i] = max(gap[i], knownBoundary)
			}
			if j < n {
				gap[j] = max(gap[j], knownBoundary)
			}
		}
	}

	// best[j]: score of the best segmentation of tokens[:j]; from[j]: where
	// its last headline starts.
	best := make([]float64, n+1)
	from := make([]int, n+1)
	for j := 1; j <= n; j++ {
		best[j] = math.Inf(-1)
		for i := max(0, j-maxHeadlineTokens); i < j; i++ {
			if math.IsInf(best[i], -1) || math.IsInf(gap[i], -1) {
				continue
			}
			s := best[i] + h.segmentScore(tokens[i:j])
			if i > 0 {
				s += gap[i]
			}
			if contains(known[i], j) {
				s += knownBonus * float64(j-i)
			}
			if s > best[j] {
				best[j], from[j] = s, i
			}
		}
		if math.IsInf(best[j], -1) {
			// Nothing fits (a run of lowercase words, say): keep the
			// previous headline going rather than lose the words.
			best[j], from[j] = best[j-1], from[j-1]
		}
	}

	var out []Related
	for j := n; j > 0; j = from[j] {
		title := strings.Join(tokens[from[j]:j], " ")
		r, ok := h.known[titleKey(tokens[from[j]:j])]
		if !ok {
			r = Related{Title: title}
		}
		out = append(out, r)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// matchKnown finds, for each token position, the ends of corpus titles that
// start there.
func (h *Headlines) matchKnown(tokens []string) map[int][]int {
	found := map[int][]int{}
	for i := range tokens {
		for l := range h.knownLens {
			if i+l <= len(tokens) {
				if _, ok := h.known[titleKey(tokens[i:i+l])]; ok {
					found[i] = append(found[i], i+l)
				}
			}
		}
	}
	return found
}

// The model's weights, set on the training titles of testdata/related (see
// BENCHMARKS.md for what they give on the held-out lines).
const (
	knownBonus    = 4.0  // per token of a headline the corpus holds
	knownBoundary = 20.0 // a corpus title's edges are boundaries
	weightFirst   = 1.0  // how a word's history as a first word counts
	weightLast    = 1.0  // how a word's history as a last word counts
	weightCase    = 1.0  // capitalization evidence in sentence-case runs
	weightPair    = 1.0  // words seen together are rarely split
	weightLength  = 1.0  // the headline length prior
	priorStrength = 3.0  // pseudo-counts of the word-shape prior
)

// boundaryScore is the log-odds that a headline ends with prev and the next
// starts with next, against the two being neighbours in one headline.
func (h *Headlines) boundaryScore(prev, next string, sentenceCase bool) float64 {
	if !canEnd(prev) || !canStart(next) {
		return math.Inf(-1)
	}
	pk, nk := wordKey(prev), wordKey(next)
	pw, nw := h.words[pk], h.words[nk]
	baseRate := h.baseRate()
	score := weightLast*(logit(h.lastProb(pw, shapeOf(prev)))-logit(baseRate)) +
		weightFirst*(logit(h.firstProb(nw, shapeOf(next)))-logit(baseRate))
	if sentenceCase {
		score += weightCase * capEvidence(next, nw)
	}
	if c := h.bigrams[pk+" "+nk]; c > 0 {
		score -= weightPair * math.Log1p(float64(c))
	}
	return score
}

// baseRate is the share of title tokens that start (or end) a title.
func (h *Headlines) baseRate() float64 {
	return (float64(h.titles) + 1) / (float64(h.tokens) + 9)
}

func (h *Headlines) firstProb(w *wordStats, s shape) float64 {
	prior := h.shapeRate(s, func(st shapeStats) int { return st.first }, shapeFirstPrior[s])
	if w == nil {
		return prior
	}
	return (float64(w.first) + priorStrength*prior) / (float64(w.inTitle) + priorStrength)
}

func (h *Headlines) lastProb(w *wordStats, s shape) float64 {
	prior := h.shapeRate(s, func(st shapeStats) int { return st.last }, shapeLastPrior[s])
	if w == nil {
		return prior
	}
	return (float64(w.last) + priorStrength*prior) / (float64(w.inTitle) + priorStrength)
}

// shapeRate blends the corpus's rate for a word shape with a built-in prior,
// so that a small corpus still knows "for" never ends a headline.
func (h *Headlines) shapeRate(s shape, pick func(shapeStats) int, prior float64) float64 {
	st := h.shapes[s]
	const priorTokens = 20.0
	return (float64(pick(st)) + priorTokens*prior) / (float64(st.count) + priorTokens)
}

// capEvidence scores a capitalized word in a sentence-case run: a word that
// the corpus writes in lowercase mid-sentence ("women") can only be
// capitalized at the start of a headline; a proper noun ("Turkey") says
// nothing.
func capEvidence(tok string, w *wordStats) float64 {
	if !unicode.IsUpper(firstLetter(tok)) || isAllCaps(tok) {
		return 0
	}
	capMid, lowerMid := 0.0, 0.0
	if w != nil {
		capMid, lowerMid = float64(w.capMid), float64(w.lowerMid)
	}
	proper := (capMid + 0.5) / (capMid + lowerMid + 1)
	return -math.Log(proper)
}

// segmentScore scores one headline on its own: its length, and quotes left
// open.
func (h *Headlines) segmentScore(tokens []string) float64 {
	score := weightLength * h.lengthLogProb(len(tokens))
	if !quotesBalanced(tokens) {
		score -= 3
	}
	return score
}

// lengthLogProb is the log-probability of a headline of n words: the
// corpus's length histogram, smoothed with a broad prior centred on nine.
func (h *Headlines) lengthLogProb(n int) float64 {
	const priorTitles = 30.0
	prior := math.Exp(-0.5*math.Pow((float64(n)-9)/3.5, 2)) / (3.5 * math.Sqrt(2*math.Pi))
	prior = max(prior, 1e-4)
	p := (float64(h.lengths[n]) + priorTitles*prior) / (float64(h.titles) + priorTitles)
	return math.Log(p)
}

func logit(p float64) float64 {
	p = min(max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// shape classes a word into what matters for where it stands in a headline.
type shape int

const (
	shapeWord     shape = iota // an ordinary word
	shapeFunction              // "for", "of", "the": never last, seldom first
	shapeNumber                // "5", "$377", "24%", "2026"
	shapeQuoted                // opens or closes a quotation
	numShapes
)

// Built-in priors per shape, for corpora too small to say.
var (
	shapeFirstPrior = [numShapes]float64{shapeWord: 0.12, shapeFunction: 0.04, shapeNumber: 0.2, shapeQuoted: 0.3}
	shapeLastPrior  = [numShapes]float64{shapeWord: 0.14, shapeFunction: 0.003, shapeNumber: 0.15, shapeQuoted: 0.3}
)

func shapeOf(tok string) shape {
	switch r, _ := utf8.DecodeRuneInString(tok); {
	case strings.ContainsRune("\"“”‘'", r) || strings.ContainsAny(tok[len(tok)-1:], "\"'") ||
		strings.HasSuffix(tok, "”") || strings.HasSuffix(tok, "’") && !strings.HasSuffix(tok, "s’"):
		return shapeQuoted
	case unicode.IsDigit(r) || strings.ContainsRune("$€£¥", r):
		return shapeNumber
	case functionWords[wordKey(tok)]:
		return shapeFunction
	}
	return shapeWord
}

// functionWords are closed-class words that a headline seldom ends with.
var functionWords = setOf(`a an the and or but nor of in on at to for from by with as into onto
	upon than that which who whom whose this these those its his her their our my your is are
	was were be been being has have had will would can could should may might must do does did
	not no if when while where how why what amid among between during without within via vs
	after before about against over under across toward towards near despite per like`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// canEnd is false for words that cannot end a headline: a trailing comma,
// colon or dash, or a lone connecting symbol.
func canEnd(tok string) bool {
	if strings.ContainsAny(tok[len(tok)-1:], ",;:-&/([") || strings.HasSuffix(tok, "—") || strings.HasSuffix(tok, "–") {
		return false
	}
	return true
}

// canStart is false for a word in lowercase (brands like "iPhone" aside) or
// one that only closes something.
func canStart(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	if strings.ContainsRune(")]}”’,.;:!?—–-&", r) {
		return false
	}
	first := firstLetter(tok)
	if unicode.IsLower(first) && !strings.ContainsFunc(tok, unicode.IsUpper) {
		return false
	}
	return true
}

// isTitleCase reports whether a run is in Title Case: most of its content
// words are capitalized.
func isTitleCase(tokens []string) bool {
	var content, capped int
	for _, tok := range tokens {
		r := firstLetter(tok)
		if r == 0 || functionWords[wordKey(tok)] {
			continue
		}
		content++
		if unicode.IsUpper(r) {
			capped++
		}
	}
	return content >= 3 && capped*4 >= content*3
}

func quotesBalanced(tokens []string) bool {
	var double, single int
	for _, tok := range tokens {
		for _, r := range tok {
			switch r {
			case '"':
				double ^= 1
			case '“':
				double++
			case '”':
				double--
			}
		}
		if strings.HasPrefix(tok, "‘") || strings.HasPrefix(tok, "'") {
			single++
		}
		if (strings.HasSuffix(tok, "’") || strings.HasSuffix(tok, "'")) && !strings.HasSuffix(tok, "s’") && !strings.HasSuffix(tok, "s'") {
			single--
		}
	}
	return double == 0 && single == 0
}

func endsSentence(tok string) bool {
	tok = strings.TrimRight(tok, "\"”’')")
	return tok != "" && strings.ContainsAny(tok[len(tok)-1:], ".!?:")
}

// firstLetter is the first letter or digit of a token, skipping quotes and
// other punctuation; 0 when it has none.
func firstLetter(tok string) rune {
	for _, r := range tok {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
	}
	return 0
}

func isAllCaps(tok string) bool {
	letters := 0
	for _, r := range tok {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// wordKey folds a token to the form its statistics are kept under:
// lowercase, surrounding punctuation and quotes removed, curly apostrophes
// made straight.
func wordKey(tok string) string {
	tok = strings.ReplaceAll(tok, "’", "'")
	tok = strings.TrimFunc(tok, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("$€£¥%", r)
	})
	return strings.ToLower(tok)
}

// titleKey is the form under which titles are matched: words folded as by
// wordKey, so "Women in Turkey take to streets" and "women in turkey take to
// streets" match but different words never do.
func titleKey(tokens []string) string {
	keys := make([]string, len(tokens))
	for i, t := range tokens {
		keys[i] = wordKey(t)
	}
	return strings.Join(keys, " ")
}
