package digest

import (
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

// docTerms is one document's terms before weighting: how often each
// occurs, and which are names or numbers.
type docTerms struct {
	counts   map[int32]int32
	entities map[int32]bool
}

// vocabulary numbers the terms of a day and counts their document
// frequencies.
type vocabulary struct {
	ids  map[string]int32
	df   []int32
	docs int
}

func newVocabulary() *vocabulary { return &vocabulary{ids: map[string]int32{}} }

func (v *vocabulary) id(term string) int32 {
	id, ok := v.ids[term]
	if !ok {
		id = int32(len(v.df))
		v.ids[term] = id
		v.df = append(v.df, 0)
	}
	return id
}

// add reads a document's text: the words of its title count twice, since
// a headline names what the story is about.
func (v *vocabulary) add(title string, body []string) docTerms {
	d := docTerms{counts: map[int32]int32{}, entities: map[int32]bool{}}
	addText := func(text string, times int32) {
		tokens := strings.Fields(text)
		// In a Title Case or capitals headline every word is capitalized:
		// capitals name nothing there.
		caseSaysNothing := isTitleCase(tokens)
		sentenceStart := true
		for _, tok := range tokens {
			term, entity := contentTerm(tok, sentenceStart)
			sentenceStart = endsSentence(tok)
			if term == "" {
				continue
			}
			id := v.id(term)
			d.counts[id] += times
			if entity && !caseSaysNothing {
				d.entities[id] = true
			}
		}
	}
	addText(title, 2)
	for _, p := range body {
		addText(p, 1)
	}
	for id := range d.counts {
		v.df[id]++
	}
	v.docs++
	return d
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
	out := make(vector, 0, len(d.counts))
	for id := range d.counts {
		out = append(out, termWeight{term: id})
	}
	slices.SortFunc(out, func(a, b termWeight) int { return int(a.term - b.term) })
	var norm float64
	for i := range out {
		id, n := out[i].term, d.counts[out[i].term]
		w := (1 + math.Log(float64(n))) * v.idf(id)
		if d.entities[id] {
			w *= entityBoost
		}
		out[i].weight = float32(w)
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
	if key == "" || stopWords[key] || functionWords[key] {
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
