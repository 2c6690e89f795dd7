package digest

import (
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
)

// termWeight is one term of a sparse TF-IDF vector.
type termWeight struct {
	term   int32
	weight float32
}

// vector is a sparse, L2-normalized TF-IDF vector, sorted by term.
type vector []termWeight

// cosine is the cosine similarity of two normalized vectors.
func cosine(a, b vector) float64 {
	var dot float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].term == b[j].term:
			dot += float64(a[i].weight) * float64(b[j].weight)
			i++
			j++
		case a[i].term < b[j].term:
			i++
		default:
			j++
		}
	}
	return dot
}

// docTerms is one document's terms before weighting, sorted by term: how
// often each occurs, and whether it is a name or number.
type docTerms []termCount

type termCount struct {
	term   int32
	count  int32
	entity bool
}

// vocabulary numbers the terms of a day and counts their document
// frequencies.
type vocabulary struct {
	ids  map[string]int32
	df   []int32
	docs int

	// Scratch space reused from one document to the next.
	slot map[int32]int32 // term → index in the document's terms
	key  []byte
}

func newVocabulary() *vocabulary {
	return &vocabulary{ids: map[string]int32{}, slot: map[int32]int32{}}
}

// add reads a document's text: the words of its title count twice, since
// a headline names what the story is about.
func (v *vocabulary) add(title string, body []string) docTerms {
	var d docTerms
	clear(v.slot)
	addText := func(text string, times int32, caseSaysNothing bool) {
		sentenceStart := true
		for tok := range strings.FieldsSeq(text) {
			id, entity, ok := v.term(tok, sentenceStart)
			sentenceStart = endsSentence(tok)
			if !ok {
				continue
			}
			i, seen := v.slot[id]
			if !seen {
				i = int32(len(d))
				v.slot[id] = i
				d = append(d, termCount{term: id})
			}
			d[i].count += times
			d[i].entity = d[i].entity || (entity && !caseSaysNothing)
		}
	}
	// In a Title Case or capitals headline every word is capitalized:
	// capitals name nothing there.
	addText(title, 2, isTitleCase(strings.Fields(title)))
	for _, p := range body {
		addText(p, 1, false)
	}
	slices.SortFunc(d, func(a, b termCount) int { return int(a.term - b.term) })
	for _, t := range d {
		v.df[t.term]++
	}
	v.docs++
	return d
}

// term numbers the term a token counts as; ok is false for a word that says
// nothing about the story. It folds plain ASCII words in a reused buffer,
// as most words are, and leaves the rest to contentTerm.
func (v *vocabulary) term(tok string, sentenceStart bool) (id int32, entity, ok bool) {
	key, entity, ok := v.asciiTerm(tok, sentenceStart)
	if !ok {
		return 0, false, false
	}
	if key == nil {
		term, ent := contentTerm(tok, sentenceStart)
		if term == "" {
			return 0, false, false
		}
		return v.id(term), ent, true
	}
	if id, found := v.ids[string(key)]; found {
		return id, entity, true
	}
	return v.id(string(key)), entity, true
}

// asciiTerm is contentTerm for tokens of ASCII letters, digits and
// punctuation, without allocating: key is nil when the token needs the
// general path.
func (v *vocabulary) asciiTerm(tok string, sentenceStart bool) (key []byte, entity, ok bool) {
	start, end := 0, len(tok)
	for start < end && isASCIIPunct(tok[start]) {
		start++
	}
	for end > start && isASCIIPunct(tok[end-1]) {
		end--
	}
	if start == end {
		return nil, false, false
	}
	k := v.key[:0]
	for i := start; i < end; i++ {
		c := tok[i]
		switch {
		case c >= 0x80 || c == '$' || c == '%':
			return nil, false, true
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	v.key = k
	if skipTerms[string(k)] {
		return nil, false, false
	}
	first := tok[start]
	switch {
	case first >= '0' && first <= '9':
		return k, true, true
	case len(k) < 3:
		return nil, false, false
	}
	return stemBytes(k), first >= 'A' && first <= 'Z' && !sentenceStart, true
}

func isASCIIPunct(c byte) bool {
	return c < 0x80 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
}

// stemBytes is stem on a byte slice, in place.
func stemBytes(w []byte) []byte {
	if n := len(w); n > 2 && w[n-2] == '\'' && w[n-1] == 's' {
		w = w[:n-2]
	}
	n := len(w)
	switch {
	case n > 4 && string(w[n-3:]) == "ies":
		return append(w[:n-3], 'y')
	case n > 4 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u':
		return w[:n-1]
	}
	return w
}

func (v *vocabulary) id(term string) int32 {
	id, ok := v.ids[term]
	if !ok {
		id = int32(len(v.df))
		v.ids[term] = id
		v.df = append(v.df, 0)
	}
	return id
}

// idf is the inverse document frequency of a term, smoothed.
func (v *vocabulary) idf(id int32) float64 {
	return math.Log(float64(v.docs+1)/float64(v.df[id]+1)) + 1
}

// entityBoost weighs names and numbers above other words: two reports of
// one event share their people, places and figures more than their wording.
const entityBoost = 2.0

// vector weighs a document's terms by sublinear TF-IDF.
func (v *vocabulary) vector(d docTerms) vector {
	out := make(vector, len(d))
	var norm float64
	for i, t := range d {
		w := (1 + math.Log(float64(t.count))) * v.idf(t.term)
		if t.entity {
			w *= entityBoost
		}
		out[i] = termWeight{t.term, float32(w)}
		norm += w * w
	}
	norm = math.Sqrt(norm)
	for i := range out {
		out[i].weight = float32(float64(out[i].weight) / norm)
	}
	return out
}

// salient is a document's k heaviest terms: the set its MinHash signature
// is taken over.
func salient(vec vector, k int) []int32 {
	top := slices.Clone(vec)
	slices.SortFunc(top, func(a, b termWeight) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return int(a.term - b.term)
	})
	out := make([]int32, 0, k)
	for _, t := range top[:min(k, len(top))] {
		out = append(out, t.term)
	}
	return out
}

// contentTerm folds a token to the term it counts as, or "" for a word
// that says nothing about the story. entity is true for names (capitalized
// away from a sentence start) and numbers.
func contentTerm(tok string, sentenceStart bool) (term string, entity bool) {
	key := wordKey(tok)
	if key == "" || skipTerms[key] {
		return "", false
	}
	first := firstLetter(tok)
	switch {
	case unicode.IsDigit(first) || strings.ContainsAny(key[:1], "$€£¥"):
		return key, true
	case len(key) < 3:
		return "", false
	}
	return stem(key), unicode.IsUpper(first) && !sentenceStart
}

// stem folds plurals and possessives, enough for two outlets' wording of
// the same facts to meet: "customers" and "customer's" become "customer".
func stem(w string) string {
	w = strings.TrimSuffix(w, "'s")
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// skipTerms are the words that never count as terms: function words and
// stop words.
var skipTerms = func() map[string]bool {
	m := maps.Clone(stopWords)
	maps.Copy(m, functionWords)
	return m
}()

// stopWords are common words of news prose that say nothing about which
// event a story reports.
var stopWords = setOf(`said says say told tell also just more most much many some any
	other others such only own same than then there here they them their theirs what when
	where which while who whom whose will would could should might must shall can cannot
	been being have has had having into onto over under about after before again against all
	because both each few further once very off out its it's itself he she him her his hers
	we our ours you your yours i me my mine one two three four five six seven eight nine ten
	first last new year years month months week weeks day days today yesterday tomorrow time
	times monday tuesday wednesday thursday friday saturday sunday morning evening night
	january february march april may june july august september october november december
	mr mrs ms dr per cent percent according added including however although though still
	even well back way like made make makes making get gets got going go goes went come comes
	came now since until yet how why not no nor so too very can't won't don't didn't doesn't
	isn't aren't wasn't weren't it that this these those there's that's who's people`)
