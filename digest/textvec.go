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

	// words remembers what each plain ASCII word, lowercased, counts as:
	// its term's id, or skipWord. Most tokens are words seen before, and
	// one lookup here stands for the stop-word lookup, the stemming and
	// the id lookup (BENCHMARKS.md, "Profiles and fixes").
	words map[string]int32

	// Scratch space reused from one document to the next.
	slot  []int32 // term id → 1 + its index in the document's terms; 0 if absent
	terms docTerms
	order []uint64
	key   []byte
}

// skipWord marks a word in vocabulary.words that is no term.
const skipWord = -1

func newVocabulary() *vocabulary {
	return &vocabulary{ids: map[string]int32{}, words: map[string]int32{}}
}

// add reads a document's text, its title, standfirst and body paragraphs:
// the words of its title count twice, since a headline names what the
// story is about.
func (v *vocabulary) add(title, dek string, body []string) docTerms {
	d := v.terms[:0]
	addText := func(text string, times int32, caseSaysNothing bool) {
		sentenceStart := true
		for tok := range strings.FieldsSeq(text) {
			id, entity, ok := v.term(tok, sentenceStart)
			sentenceStart = endsSentence(tok)
			if !ok {
				continue
			}
			i := v.slot[id] - 1
			if i < 0 {
				i = int32(len(d))
				v.slot[id] = i + 1
				d = append(d, termCount{term: id})
			}
			d[i].count += times
			d[i].entity = d[i].entity || (entity && !caseSaysNothing)
		}
	}
	// In a Title Case or capitals headline every word is capitalized:
	// capitals name nothing there.
	addText(title, 2, isTitleCase(strings.Fields(title)))
	addText(dek, 1, false)
	for _, p := range body {
		addText(p, 1, false)
	}
	for _, t := range d {
		v.df[t.term]++
		v.slot[t.term] = 0
	}
	v.docs++
	v.terms = d
	// The terms were gathered in a reused buffer; the document keeps an
	// exact copy, as every document's terms are held until the day's
	// frequencies are known, sorted by term. Plain integers, the term
	// above its index, sort in half the time the structs take with a
	// comparison function.
	order := v.order[:0]
	for i, t := range d {
		order = append(order, uint64(t.term)<<32|uint64(i))
	}
	slices.Sort(order)
	v.order = order
	out := make(docTerms, len(d))
	for i, o := range order {
		out[i] = d[uint32(o)]
	}
	return out
}

// term numbers the term a token counts as; ok is false for a word that says
// nothing about the story. It folds plain ASCII words in a reused buffer,
// as most words are, and leaves the rest to contentTerm.
func (v *vocabulary) term(tok string, sentenceStart bool) (id int32, entity, ok bool) {
	key, first, ok := v.asciiKey(tok)
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
	id, found := v.words[string(key)]
	if !found {
		word := string(key)
		id = v.asciiID(key)
		v.words[word] = id
	}
	if id == skipWord {
		return 0, false, false
	}
	// What contentTerm says of names and numbers: a number, or a word
	// capitalized away from a sentence start.
	return id, first >= '0' && first <= '9' || first >= 'A' && first <= 'Z' && !sentenceStart, true
}

// asciiKey lowercases a token of ASCII letters, digits and punctuation,
// less the punctuation around it, into a reused buffer, and gives its
// first character as written. key is nil when the token needs the general
// path (contentTerm), and ok false when it is punctuation alone.
func (v *vocabulary) asciiKey(tok string) (key []byte, first byte, ok bool) {
	start, end := 0, len(tok)
	for start < end && isASCIIPunct(tok[start]) {
		start++
	}
	for end > start && isASCIIPunct(tok[end-1]) {
		end--
	}
	if start == end {
		return nil, 0, false
	}
	k := v.key[:0]
	for i := start; i < end; i++ {
		c := tok[i]
		switch {
		case c >= 0x80 || c == '$' || c == '%':
			return nil, 0, true
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	v.key = k
	return k, tok[start], true
}

// asciiID is contentTerm's rule for a word asciiKey folded: stop words and
// words under three letters are skipped, numbers kept as they are, other
// words stemmed. It stems key in place.
func (v *vocabulary) asciiID(key []byte) int32 {
	switch {
	case skipTerms[string(key)]:
		return skipWord
	case key[0] >= '0' && key[0] <= '9':
		return v.id(string(key))
	case len(key) < 3:
		return skipWord
	}
	return v.id(string(stemBytes(key)))
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
		v.slot = append(v.slot, 0)
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

// salient is a document's k heaviest terms, heaviest first and ties by
// term: the set its MinHash signature is taken over. It keeps the k best
// in order as it goes rather than sorting the whole vector, which holds
// hundreds of terms for k of 24 (BENCHMARKS.md, "Profiles and fixes").
func salient(vec vector, k int) []int32 {
	if k <= 0 {
		return nil
	}
	heavier := func(a, b termWeight) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return int(a.term - b.term)
	}
	top := make([]termWeight, 0, 32) // on the stack for the usual k
	for _, t := range vec {
		if len(top) == k {
			// Most terms are lighter than the k-th: one comparison each.
			if last := top[k-1]; t.weight < last.weight || t.weight == last.weight && t.term > last.term {
				continue
			}
		}
		at, _ := slices.BinarySearchFunc(top, t, heavier)
		top = slices.Insert(top, at, t)
		top = top[:min(len(top), k)]
	}
	out := make([]int32, len(top))
	for i, t := range top {
		out[i] = t.term
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
