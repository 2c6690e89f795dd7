package digest

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultLeadWords is the lead's budget when LeadOptions.MaxWords is 0.
const DefaultLeadWords = 60

// LeadOptions says how long a lead may be.
type LeadOptions struct {
	// MaxWords is the most words the lead may have; 0 means
	// DefaultLeadWords.
	MaxWords int
}

// LeadResult is an article's lead and where it came from.
type LeadResult struct {
	Text string
	// FromDek is true when the lead is the standfirst rather than the body.
	FromDek bool
	// Why says in a few words, for editors, what the lead was built from.
	Why string
}

// Lead is the opening of an article as a digest shows it, in at most
// opts.MaxWords words: the first substantive paragraph's sentences in order
// while they fit whole, then, while room remains, whole sentences from the
// rest of that paragraph and the next two, the most central first (by
// TextRank, as Summarize ranks them), kept in the article's order. Filling
// with the nearby sentences that carry the story, rather than strictly the
// next ones (often a quotation or background), is what lets a lead of whole
// sentences beat the first N words of the article on the BBC set; the
// window keeps it the top of the story. Bylines, datelines, photo credits,
// lone quotations, outlet names and other furniture are skipped; a dateline
// that opens a real paragraph is removed. A first sentence longer than the
// budget is cut at a word boundary and ends in "…".
//
// The standfirst (dek) is used instead when there is no substantive
// paragraph, or when it is a complete sentence of at least 12 words that
// shares a content word with the headline while the body opens away from
// the story: with a quotation, or with a paragraph sharing no content word
// with the headline (an anecdote or a scene). In those cases the outlet's own
// one-sentence summary tells a reader what happened; otherwise the first
// paragraph does, in the reporter's words, and is preferred.
func Lead(a *Article, opts LeadOptions) LeadResult {
	budget := opts.MaxWords
	if budget <= 0 {
		budget = DefaultLeadWords
	}
	body := substantiveParagraphs(a, summaryMaxSentences)
	if len(body.paragraphs) == 0 {
		if a.Dek != "" {
			return LeadResult{Text: leadFrom(SplitSentences(a.Dek), budget), FromDek: true,
				Why: "standfirst: no substantive paragraph"}
		}
		if len(a.Paragraphs) == 0 {
			return LeadResult{Why: "no text"}
		}
		return LeadResult{Text: leadFrom(SplitSentences(a.Paragraphs[0]), budget),
			Why: "first paragraph, though none is substantive"}
	}

	if dekUsable(a) {
		title := leadTerms(a.Title)
		switch {
		case containsKind(body.skipped, kindQuote) && sharesTerm(leadTerms(a.Dek), title):
			return LeadResult{Text: leadFrom(SplitSentences(a.Dek), budget), FromDek: true,
				Why: "standfirst: the first paragraph is a quotation"}
		case len(title) > 0 && !sharesTerm(leadTerms(body.paragraphs[0].text), title) && sharesTerm(leadTerms(a.Dek), title):
			return LeadResult{Text: leadFrom(SplitSentences(a.Dek), budget), FromDek: true,
				Why: "standfirst: the first paragraph does not mention the headline's subject"}
		}
	}

	sentences := body.sentences(summaryMaxSentences)
	chosen := make([]bool, len(sentences))
	words := 0
	for i, st := range sentences {
		if st.paragraph > 0 || words+st.words > budget {
			break
		}
		chosen[i], words = true, words+st.words
	}
	if words == 0 {
		return LeadResult{Text: cutAtWord(sentences[0].text, budget), Why: body.why(false, true)}
	}
	window := 0
	for window < len(sentences) && sentences[window].paragraph <= leadFillParagraphs {
		window++
	}
	fillByScore(sentences[:window], textRank(sentences)[:window], chosen, words, budget)
	filled := false
	for i, st := range sentences {
		filled = filled || chosen[i] && st.paragraph > 0
	}
	return LeadResult{Text: joinChosen(sentences, chosen), Why: body.why(filled, false)}
}

// leadFillParagraphs is how many paragraphs after the first the lead may
// take sentences from: it stays the top of the story.
const leadFillParagraphs = 2

// leadFrom joins sentences that fit the budget, or cuts the first one at a
// word boundary when they do not.
func leadFrom(sentences []string, budget int) string {
	var kept []string
	n := 0
	for _, s := range sentences {
		w := len(strings.Fields(s))
		if n+w > budget {
			break
		}
		kept = append(kept, s)
		n += w
	}
	if len(kept) > 0 {
		return strings.Join(kept, " ")
	}
	if len(sentences) == 0 {
		return ""
	}
	return cutAtWord(sentences[0], budget)
}

// cutAtWord keeps the first n words of s and ends them with "…", dropping
// punctuation and small words that would dangle before the ellipsis
// ("…of the…", "…said,…").
func cutAtWord(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	words = words[:n]
	for len(words) > 1 {
		last := strings.TrimRight(words[len(words)-1], danglingPunct)
		if last != "" && !functionWords[strings.ToLower(last)] {
			words[len(words)-1] = last
			break
		}
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ") + "…"
}

// danglingPunct may not stand before an ellipsis.
const danglingPunct = `,;:—–-(["“‘'/&.`

// dekUsable reports a standfirst fit to stand as the lead: a complete
// sentence of at least 12 words that is not itself furniture.
func dekUsable(a *Article) bool {
	if len(strings.Fields(a.Dek)) < 12 || classifyParagraph(a.Dek, a.Source) != kindSubstantive {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(a.Dek, sentenceClosers))
	return strings.ContainsRune(".!?…", last)
}

// leadTerms are the content words of s, folded as the clustering folds
// them, so that "Cork harbour" in a paragraph meets "Cork Harbour" in a
// headline and "floods" meets "flood".
func leadTerms(s string) map[string]bool {
	terms := map[string]bool{}
	for _, w := range strings.Fields(s) {
		if t, _ := contentTerm(w, false); t != "" {
			terms[t] = true
		}
	}
	return terms
}

// sharesTerm reports a term of a that meets one of b: the same, or one the
// start of the other, or the same first five letters, so that "Japanese"
// meets "Japan" and "banking" meets "bank".
func sharesTerm(a, b map[string]bool) bool {
	for t := range a {
		if b[t] {
			return true
		}
		for u := range b {
			if termsMeet(t, u) {
				return true
			}
		}
	}
	return false
}

func termsMeet(t, u string) bool {
	if len(t) > len(u) {
		t, u = u, t
	}
	return len(t) >= 4 && strings.HasPrefix(u, t) || len(t) >= 5 && t[:5] == u[:5]
}

// paragraphKind names what a paragraph is when it is not article text.
type paragraphKind string

const (
	kindSubstantive paragraphKind = ""
	kindOutlet      paragraphKind = "outlet name"
	kindByline      paragraphKind = "byline"
	kindDateline    paragraphKind = "dateline"
	kindCredit      paragraphKind = "photo credit"
	kindQuote       paragraphKind = "quotation"
	kindFurniture   paragraphKind = "page notice"
	kindFragment    paragraphKind = "fragment"
)

// leadParagraph is a substantive paragraph, its dateline removed.
type leadParagraph struct {
	text      string
	sentences []string
	dateline  bool
}

// leadBody is what the lead is built from: the substantive paragraphs and
// what was skipped before the first of them.
type leadBody struct {
	paragraphs []leadParagraph
	skipped    []paragraphKind
}

// substantiveParagraphs reads the article's paragraphs until they hold
// maxSentences sentences: neither the lead nor the summary looks further.
func substantiveParagraphs(a *Article, maxSentences int) leadBody {
	var body leadBody
	sentences := 0
	for _, p := range a.Paragraphs {
		if sentences >= maxSentences {
			break
		}
		kind := classifyParagraph(p, a.Source)
		if kind != kindSubstantive {
			if len(body.paragraphs) == 0 && !containsKind(body.skipped, kind) {
				body.skipped = append(body.skipped, kind)
			}
			continue
		}
		text, stripped := stripDateline(p)
		split := SplitSentences(text)
		sentences += len(split)
		body.paragraphs = append(body.paragraphs, leadParagraph{text: text, sentences: split, dateline: stripped})
	}
	return body
}

func containsKind(kinds []paragraphKind, k paragraphKind) bool {
	for _, have := range kinds {
		if have == k {
			return true
		}
	}
	return false
}

// why describes a lead built from the first substantive paragraph, filled
// from the next ones or cut.
func (b leadBody) why(filled, cut bool) string {
	var s strings.Builder
	if len(b.skipped) == 0 {
		s.WriteString("first paragraph")
	} else {
		s.WriteString("first substantive paragraph, after ")
		for i, k := range b.skipped {
			switch {
			case i == 0:
			case i == len(b.skipped)-1:
				s.WriteString(" and ")
			default:
				s.WriteString(", ")
			}
			s.WriteString(indefinite(string(k)) + string(k))
		}
	}
	if b.paragraphs[0].dateline {
		s.WriteString("; dateline removed")
	}
	switch {
	case cut:
		s.WriteString("; first sentence cut to fit")
	case filled:
		s.WriteString("; then the most central sentences of the next paragraphs")
	}
	return s.String()
}

func indefinite(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an "
	}
	return "a "
}

// classifyParagraph tells article text from what surrounds it on a page.
func classifyParagraph(p, source string) paragraphKind {
	p = strings.TrimSpace(p)
	words := strings.Fields(p)
	lower := strings.ToLower(strings.ReplaceAll(p, "’", "'"))
	switch {
	case source != "" && strings.EqualFold(p, source):
		return kindOutlet
	case isByline(words, lower):
		return kindByline
	case isCredit(lower, len(words)):
		return kindCredit
	case isFurniture(lower, len(words)):
		return kindFurniture
	case datelineOnly(p):
		return kindDateline
	case isQuotation(words):
		return kindQuote
	case len(words) < 5:
		return kindFragment
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(p, sentenceClosers))
	if !strings.ContainsRune(".!?…", last) && len(words) < 10 {
		return kindFragment // a subheading, a label or a paragraph cut short
	}
	return kindSubstantive
}

// bylineStarts open a credit line for the writing.
var bylineStarts = []string{"reporting by", "additional reporting", "written by", "words by",
	"story by", "editing by", "edited by", "compiled by", "interview by"}

// bylineRoles mark a short line that names a writer: "Staff reporter".
var bylineRoles = setOf(`reporter writer correspondent editor columnist staff contributor
	journalist`)

// isByline recognizes "By Nell Arkwright, Political Editor", "Reporting by …"
// and "Staff reporter", but not "By Tuesday evening, the council had voted…":
// after "By" a byline holds only names, connectors and numbers.
func isByline(words []string, lower string) bool {
	if len(words) == 0 {
		return false
	}
	for _, p := range bylineStarts {
		if strings.HasPrefix(lower, p) {
			return len(words) <= 30
		}
	}
	if strings.EqualFold(words[0], "by") && len(words) >= 2 && len(words) <= 12 {
		for _, w := range words[1:] {
			r := firstLetter(w)
			if r != 0 && !unicode.IsUpper(r) && !unicode.IsDigit(r) && !bylineConnectors[strings.ToLower(strings.Trim(w, ",;:|"))] {
				return false
			}
		}
		return true
	}
	if last, _ := utf8.DecodeLastRuneInString(lower); len(words) > 8 || strings.ContainsRune(".!?", last) {
		return false
	}
	for _, w := range words {
		if bylineRoles[strings.Trim(strings.ToLower(w), ",;:|")] {
			return true
		}
	}
	return false
}

var bylineConnectors = setOf(`and of the in for at &`)

// creditStart opens a photo credit or caption credit; creditAnywhere finds
// one at the end of a caption ("… on Tuesday. Photograph: Jo Bell/Getty").
var (
	creditStart    = regexp.MustCompile(`^[(\[]?(?:photo|photograph|picture|image|illustration|graphic|video|credit|pictured|main image|top image)s?\s*(?::|by\b|credit\b|courtesy\b|/)`)
	creditAnywhere = regexp.MustCompile(`\b(?:photo|photograph|picture|image)\s*:\s*\S`)
	agencyOnly     = regexp.MustCompile(`^[(\[]?(?:getty|reuters|ap|afp|pa|epa|shutterstock|alamy)(?: images| photo| media| wire)?[)\]]?\.?$`)
)

func isCredit(lower string, words int) bool {
	return creditStart.MatchString(lower) || agencyOnly.MatchString(lower) ||
		words <= 40 && creditAnywhere.MatchString(lower)
}

// furnitureStarts open the page's own lines: prompts, links, notes.
var furnitureStarts = []string{"advertisement", "advert", "sponsored", "read more", "read next",
	"related:", "see also", "more:", "watch:", "listen:", "sign up", "subscribe", "follow us",
	"click here", "share this", "editor's note", "editors' note", "correction:",
	"update:", "this article was", "this story was", "this story has been", "an earlier version",
	"copyright", "©", "all rights reserved", "want to read more", "don't miss"}

// isFurniture matches furnitureStarts as whole words, so that
// "Advertisers said…" is not an advertisement.
func isFurniture(lower string, words int) bool {
	for _, p := range furnitureStarts {
		if rest, ok := strings.CutPrefix(lower, p); ok {
			if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsLetter(r) {
				return words <= 40
			}
		}
	}
	return false
}

// dateline matches a dateline opening a paragraph: "LONDON —", "PORT
// ALDER, Nov 25 —", "LONDON (Wire Bulletin) —", "Lagos, Nov. 25 (Reuters) -".
var dateline = regexp.MustCompile(`^(\p{Lu}[\p{L}\p{M}.'’]*(?:[ -]\p{Lu}[\p{L}\p{M}.'’]*){0,3})((?:,\s*[^,()—–-]{1,20}){0,2})\s*(\([^()]{1,40}\))?(?:\s*[—–]|\s+--?)\s*`)

// datelineEnd is where a dateline opening p ends, or -1 when p opens with
// none. The place must be in capitals ("LONDON"), or be followed by a date
// or an agency, so that "Hundreds — perhaps thousands — …" is no dateline.
func datelineEnd(p string) int {
	m := dateline.FindStringSubmatchIndex(p)
	if m == nil || !isCapitalsPlace(p[m[2]:m[3]]) && m[6] < 0 && !strings.ContainsFunc(p[m[4]:m[5]], unicode.IsDigit) {
		return -1
	}
	return m[1]
}

// stripDateline removes a dateline from the start of a paragraph when a
// sentence follows it.
func stripDateline(p string) (string, bool) {
	end := datelineEnd(p)
	if end < 0 {
		return p, false
	}
	rest := p[end:]
	if r := firstLetter(rest); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return p, false
	}
	return rest, true
}

// datelineOnly reports a paragraph that is nothing but a dateline.
func datelineOnly(p string) bool {
	end := datelineEnd(p)
	return end > 0 && end == len(p)
}

// isCapitalsPlace reports a place name in capitals, at least two letters.
func isCapitalsPlace(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// isQuotation reports a paragraph that is only a quotation, perhaps with a
// short attribution: “We will not fund criminals,” the lender said. It opens
// with a quotation mark, at least three of its words are quoted, and the
// words outside quotation marks, if any, are at most twelve and hold a
// speech verb, so that “Brexit” has become the word of the year… is text.
func isQuotation(words []string) bool {
	if len(words) == 0 || !opensQuote(words[0]) {
		return false
	}
	var quoted int
	var rest []string
	open := false
	for _, w := range words {
		if !open && opensQuote(w) {
			open = true
			_, size := utf8.DecodeRuneInString(w)
			w = w[size:] // so that a one-word quotation closes in the same word
		}
		if !open {
			rest = append(rest, w)
			continue
		}
		quoted++
		open = !closesQuote(w)
	}
	return quoted >= 3 && len(rest) <= 12 && (len(rest) == 0 || slices.ContainsFunc(rest, isSpeechVerb))
}

func opensQuote(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return strings.ContainsRune(`"'“‘`, r)
}

func closesQuote(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(w, ".,;:!?…"))
	return strings.ContainsRune(`"'”’`, r)
}
