package digest

import (
	_ "embed"
	"math"
	"slices"
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
	// For titles reworded in a related list: each title's content terms,
	// and the titles holding each term.
	fuzzyTitles []fuzzyTitle
	termIDs     map[string]int32
	byTerm      [][]int32 // by term id: the fuzzy titles holding it
	words       map[string]*wordStats
	bigrams     map[string]int32 // "a b" adjacent in titles or standfirsts
	titles      float32          // titles learned, the starter titles weighing less
	lengths     [maxHeadlineTokens + 1]float32

	// Where words stand in titles, by word class: all words, each shape,
	// each three-letter ending.
	all      slotCounts
	shapes   [numShapes]slotCounts
	suffixes map[string]*slotCounts

	sentenceWeights, titleWeights splitWeights

	key []byte // scratch for proseWord
}

// A slot is a word's place in its headline.
type slot int

const (
	slotFirst slot = iota
	slotSecond
	slotThird
	slotMiddle
	slotPenult
	slotLast
	numSlots
)

// slotOf is the slot of the k-th of n words; the edges win over the
// middle in short headlines.
func slotOf(k, n int) slot {
	switch {
	case k == 0:
		return slotFirst
	case k == n-1:
		return slotLast
	case k == 1:
		return slotSecond
	case k == n-2:
		return slotPenult
	case k == 2:
		return slotThird
	}
	return slotMiddle
}

type slotCounts [numSlots]float32

func (c *slotCounts) total() float32 {
	var t float32
	for _, v := range c {
		t += v
	}
	return t
}

// wordStats counts one word (case-folded): where it stands in titles, and
// how it is written in the middle of a sentence.
type wordStats struct {
	slots            slotCounts
	lowerFirst       float32 // first words written in lowercase ("eBay")
	capMid, lowerMid float32
}

// maxHeadlineTokens bounds the length of one headline in words.
const maxHeadlineTokens = 32

// starterTitles are headlines written for this project in both case
// styles: every corpus starts from them, so that a single file, or the first
// day of a new archive, is split with some knowledge of headlines.
//
//go:embed starter_titles.txt
var starterTitles string

// starterWeight is how much one starter title counts against one of the
// corpus's own: all of them together weigh as much as 60 of its titles, a
// prior that the corpus soon outweighs.
const starterWeight = 0.1

// NewHeadlines returns a corpus that knows the starter titles' word
// statistics (not their titles: they link to no article).
func NewHeadlines() *Headlines {
	h := newEmptyHeadlines()
	for title := range strings.Lines(starterTitles) {
		h.addTitle(title, starterWeight)
	}
	return h
}

func newEmptyHeadlines() *Headlines {
	return &Headlines{
		known:     map[string]Related{},
		termIDs:   map[string]int32{},
		knownLens: map[int]bool{},
		words:     map[string]*wordStats{},
		bigrams:   map[string]int32{},
		suffixes:  map[string]*slotCounts{},

		sentenceWeights: sentenceWeights,
		titleWeights:    titleWeights,
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
				ref := Related{Title: a.Title, URL: a.URL, ID: a.ID}
				h.known[key] = ref
				h.knownLens[len(tokens)] = true
				h.addFuzzy(ref)
			}
		}
		h.AddTitle(a.Title)
	}
	h.addProse(a.Dek, true)
	// The opening paragraphs name the people and places a story's headlines
	// do; the rest adds time, not evidence.
	for _, p := range a.Paragraphs[:min(len(a.Paragraphs), proseParagraphs)] {
		h.addProse(p, false)
	}
}

// proseParagraphs is how many body paragraphs of each article teach the
// corpus how words are capitalized.
const proseParagraphs = 4

// AddTitle teaches the corpus one headline's word statistics.
func (h *Headlines) AddTitle(title string) { h.addTitle(title, 1) }

func (h *Headlines) addTitle(title string, weight float32) {
	tokens := strings.Fields(title)
	n := len(tokens)
	if n == 0 || n > maxHeadlineTokens {
		return
	}
	h.titles += weight
	h.lengths[n] += weight
	sentenceCase := !isTitleCase(tokens)
	for i, tok := range tokens {
		key := wordKey(tok)
		w := h.word(key)
		sl := slotOf(i, n)
		w.slots[sl] += weight
		h.all[sl] += weight
		h.shapes[shapeOf(tok)][sl] += weight
		if suffix := suffixOf(key); suffix != "" {
			if h.suffixes[suffix] == nil {
				h.suffixes[suffix] = &slotCounts{}
			}
			h.suffixes[suffix][sl] += weight
		}
		switch {
		case i == 0 && unicode.IsLower(firstLetter(tok)):
			w.lowerFirst += weight
		case i > 0 && sentenceCase:
			h.countCase(tok, w, weight)
		}
		if i+1 < n {
			h.bigrams[key+" "+wordKey(tokens[i+1])]++
		}
	}
}

// addProse counts, for every word not at the start of a sentence, whether it
// is capitalized: the evidence that tells a proper noun ("Turkey") from a
// common word ("Women") that can only be capitalized at a headline's start.
func (h *Headlines) addProse(text string, withBigrams bool) {
	prev, prevKey := "", ""
	for tok := range strings.FieldsSeq(text) {
		key := ""
		if withBigrams {
			key = wordKey(tok)
		}
		if prev != "" && !endsSentence(prev) {
			h.countCase(tok, h.proseWord(tok), 1)
			if withBigrams {
				h.bigrams[prevKey+" "+key]++
			}
		}
		prev, prevKey = tok, key
	}
}

// proseWord is h.word(wordKey(tok)). Most of a day's running text is ASCII
// words the corpus has seen, capitalized or punctuated as often as not:
// for those it folds the key in a reused buffer and looks it up without
// making a string of it (BENCHMARKS.md, "Profiles and fixes").
func (h *Headlines) proseWord(tok string) *wordStats {
	// wordKey trims what is neither letter, digit nor currency and
	// lowercases; in ASCII the rest are letters, digits, '$' and '%'.
	kept := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '$' || c == '%'
	}
	start, end := 0, len(tok)
	for start < end && tok[start] < utf8.RuneSelf && !kept(tok[start]) {
		start++
	}
	for end > start && tok[end-1] < utf8.RuneSelf && !kept(tok[end-1]) {
		end--
	}
	key := h.key[:0]
	for i := start; i < end; i++ {
		c := tok[i]
		switch {
		case c >= utf8.RuneSelf:
			return h.word(wordKey(tok))
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		key = append(key, c)
	}
	h.key = key
	if w := h.words[string(key)]; w != nil {
		return w
	}
	return h.word(string(key))
}

func (h *Headlines) countCase(tok string, w *wordStats, weight float32) {
	switch r := firstLetter(tok); {
	case unicode.IsUpper(r):
		w.capMid += weight
	case unicode.IsLower(r):
		w.lowerMid += weight
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
	words := strings.Fields(run)
	if len(words) == 0 {
		return nil
	}
	n := len(words)
	sentenceCase := !isTitleCase(words)
	weights := h.weights(sentenceCase)
	tokens := h.tokens(words, weights)
	gap := make([]float64, n) // gap[k]: log-odds of a headline starting at tokens[k]
	for k := 1; k < n; k++ {
		gap[k] = h.boundaryScore(&tokens[k-1], &tokens[k], sentenceCase)
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
	var lengthScore [maxHeadlineTokens + 1]float64
	for l := 1; l <= maxHeadlineTokens; l++ {
		lengthScore[l] = weights.length * h.lengthLogProb(l)
	}
	quotes := openQuotes(tokens)

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
			s := best[i] + lengthScore[j-i] + h.innerScore(tokens[i:j], weights)
			if quotes[j] != quotes[i] {
				s -= weights.openQuotes
			}
			if i > 0 {
				s += gap[i]
			}
			if slices.Contains(known[i], j) {
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
		// The outlet's own words stay; a known title adds its article.
		r := h.known[keyOf(tokens[from[j]:j])]
		r.Title = strings.Join(words[from[j]:j], " ")
		out = append(out, r)
	}
	slices.Reverse(out)
	return out
}

// link fills in the article id, and the URL when missing, of a related
// headline whose title the corpus holds.
func (h *Headlines) link(r *Related) {
	if r.ID != "" {
		return
	}
	known, ok := h.known[titleKey(strings.Fields(r.Title))]
	if !ok {
		known, ok = h.fuzzyMatch(r.Title)
	}
	if ok {
		r.ID = known.ID
		if r.URL == "" {
			r.URL = known.URL
		}
	}
}

// fuzzyTitle is a corpus title by its content terms.
type fuzzyTitle struct {
	terms []int32 // term ids, sorted, unique
	ref   Related
}

// minFuzzyTerms and minFuzzyJaccard decide when a reworded headline is the
// same title: "Calder Mutual offers £50 to customers hit by breach" is "…to
// each customer hit by data breach" (7 of 8 terms shared), while two
// stories that share a name and a verb are not.
const (
	minFuzzyTerms   = 3
	minFuzzyJaccard = 0.75
	// maxTermTitles bounds the titles compared through one term, which
	// keeps a day of many look-alike titles linear.
	maxTermTitles = 100
)

func (h *Headlines) addFuzzy(ref Related) {
	terms := h.titleTerms(ref.Title, true)
	if len(terms) < minFuzzyTerms {
		return
	}
	idx := int32(len(h.fuzzyTitles))
	h.fuzzyTitles = append(h.fuzzyTitles, fuzzyTitle{terms, ref})
	for _, t := range terms {
		h.byTerm[t] = append(h.byTerm[t], idx)
	}
}

// fuzzyMatch finds the corpus title closest to a headline in content terms
// (Jaccard), if it is close enough. Prefix filtering keeps it fast: a title
// sharing at least minFuzzyJaccard of the terms must hold one of the
// headline's n - ⌈0.75·n⌉ + 1 rarest terms, so only those terms' titles are
// compared. Terms the corpus has never seen in a title are counted but
// looked up nowhere.
func (h *Headlines) fuzzyMatch(title string) (Related, bool) {
	terms := h.titleTerms(title, false)
	n := len(terms)
	if n < minFuzzyTerms {
		return Related{}, false
	}
	rarest := slices.Clone(terms)
	slices.SortStableFunc(rarest, func(a, b int32) int { return h.titleCount(a) - h.titleCount(b) })
	prefix := n - int(math.Ceil(minFuzzyJaccard*float64(n))) + 1
	best, bestScore := -1, minFuzzyJaccard
	tried := map[int32]bool{}
	for _, t := range rarest[:prefix] {
		if t < 0 || len(h.byTerm[t]) > maxTermTitles {
			continue // unknown, or a word in too many titles to narrow anything
		}
		for _, idx := range h.byTerm[t] {
			if tried[idx] {
				continue
			}
			tried[idx] = true
			if score := jaccard(terms, h.fuzzyTitles[idx].terms); score >= bestScore {
				best, bestScore = int(idx), score
			}
		}
	}
	if best < 0 {
		return Related{}, false
	}
	return h.fuzzyTitles[best].ref, true
}

func (h *Headlines) titleCount(term int32) int {
	if term < 0 {
		return 0
	}
	return len(h.byTerm[term])
}

// titleTerms is a headline's content terms as ids, sorted and unique. A
// term the corpus has not seen gets a negative id of its own unless add
// says to number it.
func (h *Headlines) titleTerms(title string, add bool) []int32 {
	var ids []int32
	unknown := int32(0)
	for _, tok := range strings.Fields(title) {
		term, _ := contentTerm(tok, false)
		if term == "" {
			continue
		}
		id, ok := h.termIDs[term]
		switch {
		case ok:
		case add:
			id = int32(len(h.byTerm))
			h.termIDs[term] = id
			h.byTerm = append(h.byTerm, nil)
		default:
			unknown--
			id = unknown
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// jaccard is |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []int32) float64 {
	shared := sharedCount(a, b)
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// sharedCount is |a∩b| of two sorted sets.
func sharedCount(a, b []int32) int {
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return shared
}

// matchKnown finds, for each token position, the ends of corpus titles that
// start there.
func (h *Headlines) matchKnown(tokens []token) [][]int {
	found := make([][]int, len(tokens))
	longest := 0
	for l := range h.knownLens {
		longest = max(longest, l)
	}
	var key []byte
	for i := range tokens {
		key = key[:0]
		for j := i; j < len(tokens) && j-i < longest; j++ {
			if j > i {
				key = append(key, ' ')
			}
			key = append(key, tokens[j].key...)
			if !h.knownLens[j-i+1] {
				continue
			}
			if _, ok := h.known[string(key)]; ok {
				found[i] = append(found[i], j+1)
			}
		}
	}
	return found
}

// knownBoundary scores the edges of a headline the corpus holds, and
// knownBonus each of its words: a title the archive knows beats a guess.
const (
	knownBoundary = 20.0
	knownBonus    = 4.0
)

// splitWeights weighs the segmenter's features. Sentence-case and Title
// Case runs have a set each, since capitalization means something only in
// the first.
type splitWeights struct {
	last, first    float64 // a word's history as a last or first word
	inner          float64 // the inner words' histories of where they stand
	caps           float64 // a capital on a word usually written in lowercase
	capPair        float64 // two capitalized words in a row: a name, seldom a boundary
	pair           float64 // two words seen together in the corpus
	terminal       float64 // a word ending in "?" or "!"
	number         float64 // a next word that is a number
	perBoundary    float64 // the cost of one more headline
	length         float64 // the headline length prior
	openQuotes     float64 // a headline leaving a quotation open
	wordStrength   float64 // pseudo-counts of a word's class against its own history
	suffixStrength float64 // pseudo-counts of a word's shape against its ending's history
}

// The weights found by TestTuneSplitWeights on the training titles of
// testdata/related; BENCHMARKS.md gives what they score on the held-out
// lines.
var (
	sentenceWeights = splitWeights{last: 1, first: 1, caps: 1.25, capPair: 1, pair: 1, terminal: 2,
		perBoundary: -1, length: 1, openQuotes: 3, wordStrength: 3, suffixStrength: 5}
	titleWeights = splitWeights{last: 0.5, first: 1, inner: 0.5, pair: 2.25, terminal: 2,
		perBoundary: -0.5, length: 1, openQuotes: 3, wordStrength: 3.75, suffixStrength: 5}
)

// token is one word of a run with what the model knows of it.
type token struct {
	text, key string
	stats     *wordStats
	// logRatio[s]: log P(slot s | this word) / P(slot s), how much likelier
	// the word is in that slot of a headline than a word in general.
	logRatio [numSlots]float64
}

func (h *Headlines) tokens(words []string, w *splitWeights) []token {
	out := make([]token, len(words))
	for i, text := range words {
		t := &out[i]
		t.text, t.key = text, wordKey(text)
		t.stats = h.words[t.key]
		probs := h.slotProbs(text, t.key, t.stats, w)
		for s := range numSlots {
			t.logRatio[s] = math.Log(probs[s] / h.slotRate(slot(s)))
		}
	}
	return out
}

// slotRate is the share of all title words that stand in slot s.
func (h *Headlines) slotRate(s slot) float64 {
	return (float64(h.all[s]) + builtinSlotRate[s]*20) / (float64(h.all.total()) + 20)
}

// slotProbs is where a word stands in headlines: its own history, backed
// off to words with the same ending ("-ing", "-ers"), backed off to words of
// its shape, backed off to built-in priors.
func (h *Headlines) slotProbs(text, key string, stats *wordStats, w *splitWeights) [numSlots]float64 {
	const shapeStrength = 20.0
	sh := shapeOf(text)
	var p [numSlots]float64
	smooth := func(c *slotCounts, strength float64) {
		total := float64(c.total())
		for s := range numSlots {
			p[s] = (float64(c[s]) + strength*p[s]) / (total + strength)
		}
	}
	for s := range numSlots {
		p[s] = builtinSlotRate[s]
	}
	p[slotFirst], p[slotLast] = shapeFirstPrior[sh], shapeLastPrior[sh]
	smooth(&h.shapes[sh], shapeStrength)
	if suf := h.suffixes[suffixOf(key)]; suf != nil && sh == shapeWord {
		smooth(suf, w.suffixStrength)
	}
	if stats != nil {
		smooth(&stats.slots, w.wordStrength)
	}
	return p
}

// builtinSlotRate is where words of a nine-word headline stand, the prior
// for an empty corpus.
var builtinSlotRate = [numSlots]float64{1.0 / 9, 1.0 / 9, 1.0 / 9, 3.0 / 9, 1.0 / 9, 1.0 / 9}

// boundaryScore is the log-odds that a headline ends with prev and the next
// starts with next, against the two being neighbours in one headline.
func (h *Headlines) boundaryScore(prev, next *token, sentenceCase bool) float64 {
	if !canEnd(prev.text) || !canStart(next.text, next.stats) {
		return math.Inf(-1)
	}
	w := h.weights(sentenceCase)
	score := w.last*prev.logRatio[slotLast] + w.first*next.logRatio[slotFirst] - w.perBoundary
	if sentenceCase {
		score += w.caps * capEvidence(next.text, next.stats)
		if isCapitalized(prev.text) && isCapitalized(next.text) && !functionWords[prev.key] {
			score -= w.capPair
		}
	}
	if c := h.bigrams[prev.key+" "+next.key]; c > 0 {
		score -= w.pair * math.Log1p(float64(c))
	}
	if strings.ContainsAny(strings.TrimRight(prev.text, "\"”’')"), "?!") {
		score += w.terminal
	}
	if shapeOf(next.text) == shapeNumber {
		score += w.number
	}
	return score
}

func (h *Headlines) weights(sentenceCase bool) *splitWeights {
	if sentenceCase {
		return &h.sentenceWeights
	}
	return &h.titleWeights
}

// suffixOf is a word's last three letters, for words long enough to have
// an ending that says something.
func suffixOf(key string) string {
	r := []rune(key)
	if len(r) < 5 {
		return ""
	}
	return string(r[len(r)-3:])
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

// innerScore is how well a headline's inner words fit where they stand.
func (h *Headlines) innerScore(tokens []token, w *splitWeights) float64 {
	if w.inner == 0 {
		return 0
	}
	n := len(tokens)
	score := 0.0
	for k := 1; k < n-1; k++ {
		score += w.inner * tokens[k].logRatio[slotOf(k, n)]
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

// canStart is false for a word that only closes something, and for a word
// in lowercase unless it has capitals inside ("iPhone") or the corpus has
// seen it start a headline in lowercase ("vendr").
func canStart(tok string, w *wordStats) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	if strings.ContainsRune(")]}”’,.;:!?—–-&", r) {
		return false
	}
	if unicode.IsLower(firstLetter(tok)) && !strings.ContainsFunc(tok, unicode.IsUpper) {
		return w != nil && w.lowerFirst > 0
	}
	return true
}

func isCapitalized(tok string) bool { return unicode.IsUpper(firstLetter(tok)) }

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

// openQuotes[k] is the state of quotation after tokens[:k]: a headline from
// i to j leaves a quotation open when openQuotes[i] != openQuotes[j].
// Straight double quotes count by parity; curly and single quotes open and
// close (a trailing "s'" is a plural possessive, not a closing quote).
func openQuotes(tokens []token) []quoteState {
	out := make([]quoteState, len(tokens)+1)
	for k, t := range tokens {
		q := out[k]
		for _, r := range t.text {
			switch r {
			case '"':
				q.straight ^= 1
			case '“':
				q.curly++
			case '”':
				q.curly--
			}
		}
		if strings.HasPrefix(t.text, "‘") || strings.HasPrefix(t.text, "'") {
			q.single++
		}
		if (strings.HasSuffix(t.text, "’") || strings.HasSuffix(t.text, "'")) && !strings.HasSuffix(t.text, "s’") && !strings.HasSuffix(t.text, "s'") {
			q.single--
		}
		out[k+1] = q
	}
	return out
}

type quoteState struct{ straight, curly, single int }

func endsSentence(tok string) bool {
	for {
		switch {
		case strings.HasSuffix(tok, "”"), strings.HasSuffix(tok, "’"):
			tok = tok[:len(tok)-len("”")]
			continue
		case tok == "":
			return false
		}
		switch tok[len(tok)-1] {
		case '"', '\'', ')':
			tok = tok[:len(tok)-1]
		case '.', '!', '?', ':':
			return true
		default:
			return false
		}
	}
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
	if isPlainLower(tok) {
		return tok
	}
	tok = strings.ReplaceAll(tok, "’", "'")
	tok = strings.TrimFunc(tok, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("$€£¥%", r)
	})
	return strings.ToLower(tok)
}

// keyOf is titleKey of tokens already folded.
func keyOf(tokens []token) string {
	keys := make([]string, len(tokens))
	for i, t := range tokens {
		keys[i] = t.key
	}
	return strings.Join(keys, " ")
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

// isPlainLower reports a token of lowercase ASCII letters only, which
// wordKey leaves as it is: most words of running text.
func isPlainLower(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return tok != ""
}
