package digest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSentences splits running text into sentences, trimmed and in order.
// Sentences only ever end at white space, so joining them with spaces gives
// back the text's words; a blank line always ends a sentence.
//
// A full stop ends a sentence when the next word starts with a capital or a
// digit, except after an abbreviation. Abbreviations come in three kinds:
//   - those that stand before a name or a phrase ("Dr.", "Gov.", "St.",
//     "vs.", "e.g.") never end a sentence;
//   - those that stand before a number ("No. 10", "p. 4") end one only
//     before a word;
//   - those that can close a sentence as well as a name ("Inc.", "Jr.",
//     "Nov.", "U.S.", an initial "A.") end one only when the next word is one
//     that opens sentences and never continues a name ("The", "He", "But").
//     So "the U.S. Navy" and "U.S. officials said" stay whole while "moved to
//     the U.S. The next year" splits. A sentence-final "U.S." before a name
//     ("He moved to the U.S. Congress later passed the bill.") is read as
//     one sentence: the cheaper mistake, since a lead or a summary made of
//     such sentences may run long but never starts mid-sentence.
//
// "a.m." and "p.m." end a sentence before any capital but a day, a month or
// a time zone ("11 a.m. Gusts reached…", "6 a.m. Wednesday"). A question or
// exclamation mark ends one unless a lowercase word follows ("“Why now?” she
// asked."), or it closes a quotation and a speech verb comes within three
// words ("“Why now?” Ms Okafor asked."). An ellipsis ends one before a
// capital. A number with a full stop that opens a sentence ("1. Open the
// box.") is a list marker, not a sentence, and a bullet ("- ", "• ") after a
// sentence end starts the next sentence; list items without a full stop
// stay in one sentence, since nothing tells their ends apart.
func SplitSentences(text string) []string {
	var out []string
	for _, block := range paragraphBreak.Split(text, -1) {
		words := strings.Fields(block)
		start := 0
		for i := range words {
			if i+1 == len(words) || sentenceEndsAt(words, start, i) {
				out = append(out, strings.Join(words[start:i+1], " "))
				start = i + 1
			}
		}
	}
	return out
}

// bullets mark list items run into one paragraph.
var bullets = setOf("- – — • * ·")

// paragraphBreak is a blank line.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n`)

// sentenceClosers may follow the punctuation that ends a sentence.
const sentenceClosers = `"'”’»)]}`

// sentenceOpeners may precede the first letter of a sentence.
const sentenceOpeners = `"'“‘«([{¿¡`

// wordWrappers are the quotation marks and brackets around a word.
const wordWrappers = `"'“”‘’«»()[]{}¿¡`

// sentenceEndsAt reports whether the sentence that began at words[start]
// ends after words[i]; words[i+1] exists.
func sentenceEndsAt(words []string, start, i int) bool {
	word, next := words[i], words[i+1]
	if bullets[next] && i+2 < len(words) {
		next = words[i+2] // "…an X-ray. - People coming…": a bulleted item starts
	}
	core := strings.TrimRight(word, sentenceClosers)
	if core == "" {
		return false
	}
	quoted := core != word
	last, _ := utf8.DecodeLastRuneInString(core)
	nextFirst := firstLetter(next)
	switch {
	case last == '?' || last == '!':
		if unicode.IsLower(nextFirst) {
			return false
		}
		return !(quoted && attributionFollows(words[i+1:]))
	case last == '…' || strings.HasSuffix(core, ".."):
		return unicode.IsUpper(nextFirst)
	case last != '.':
		return false
	}

	stem := strings.TrimLeft(strings.TrimSuffix(core, "."), sentenceOpeners)
	key := strings.ToLower(stem)
	switch {
	case stem == "":
		return unicode.IsUpper(nextFirst) || unicode.IsDigit(nextFirst)
	case abbrevBeforeName[key] || key == "v":
		return false
	case key == "a.m" || key == "p.m":
		return unicode.IsUpper(nextFirst) && !timeFollowers[strings.Trim(next, wordWrappers+",;:.")]
	case unicode.IsLower(nextFirst):
		// Lowercase after a plain word is still a new sentence when the
		// word after is a brand written with a lowercase start ("eBay").
		return startsLowerCamel(next) && isPlainWord(stem, key)
	case abbrevBeforeNumber[key]:
		return !unicode.IsDigit(nextFirst)
	case abbrevEndsName[key] || initialsPattern.MatchString(stem) || isInitial(stem):
		return opensSentence(next)
	case i == start && isListNumber(stem):
		return false // a list marker: "1. Open the box."
	}
	return unicode.IsUpper(nextFirst) || unicode.IsDigit(nextFirst)
}

// attributionFollows reports a speech verb among the first three words
// after a quotation, before any sentence end: "“Why now?” Ms Okafor asked."
func attributionFollows(rest []string) bool {
	for _, w := range rest[:min(3, len(rest))] {
		if isSpeechVerb(w) {
			return true
		}
		if strings.ContainsAny(w, ".!?") {
			return false
		}
	}
	return false
}

func isSpeechVerb(w string) bool {
	return speechVerbs[strings.ToLower(strings.Trim(w, wordWrappers+".,;:!?"))]
}

var speechVerbs = setOf(`said says asked asks added adds told tells wrote writes replied replies
	insisted insists explained explains warned warns recalled recalls admitted admits
	shouted declared continued argued argues noted notes joked jokes cried demanded`)

// opensSentence reports a word that starts sentences but never continues a
// name, so that it can follow an abbreviation only across a sentence end.
func opensSentence(word string) bool {
	return sentenceOpenerWords[strings.TrimRight(strings.TrimLeft(word, sentenceOpeners), ",;:")]
}

var sentenceOpenerWords = setOf(`The A An He She It They We I You This That These Those There Here
	His Her Its Their Our My Your But And Or So Yet However Meanwhile In On At For If When While
	After Before Although Though As Also Still Then Now Some Many Most Others Last Next Earlier
	Later Under Despite Since Because Both Neither Each Every Such What Why How Who Where`)

// abbrevBeforeName never end a sentence: a name or a phrase follows them.
var abbrevBeforeName = setOf(`mr mrs ms mx dr prof st gov sen rep gen lt col capt cpt sgt maj adm
	cmdr rev revd hon pres supt insp det fr mt messrs mme mlle brig cllr vs e.g i.e cf viz approx
	ca incl esp ph.d`)

// abbrevBeforeNumber stand before a number: "No. 10", "pp. 4-6".
var abbrevBeforeNumber = setOf(`no nos vol vols art arts fig figs p pp para paras ch sec ext tel op nr`)

// abbrevEndsName can close a name or a date and a sentence with it.
var abbrevEndsName = setOf(`inc ltd co corp plc llc llp bros jr sr esq etc al jan feb mar apr
	jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun ave blvd rd dept
	univ assn`)

// timeFollowers may follow "a.m." or "p.m." inside a sentence.
var timeFollowers = setOf(`Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
	February March April May June July August September October November December Jan Feb Mar
	Apr Jun Jul Aug Sep Sept Oct Nov Dec GMT BST UTC CET CEST ET EST EDT CT CST PT PST PDT IST
	local Eastern Central Pacific Mountain`)

// initialsPattern matches letters joined by full stops: "U.S", "e.g", "a.m".
var initialsPattern = regexp.MustCompile(`^(?:\p{L}\.)+\p{L}$`)

// isInitial reports a single capital letter: "J" of "J. K. Rowling".
func isInitial(stem string) bool {
	r, size := utf8.DecodeRuneInString(stem)
	return size == len(stem) && unicode.IsUpper(r)
}

// isListNumber reports digits only: a list marker's number.
func isListNumber(stem string) bool {
	return stem != "" && strings.TrimLeft(stem, "0123456789") == ""
}

// isPlainWord reports an ordinary word of two letters or more, not an
// abbreviation of any kind.
func isPlainWord(stem, key string) bool {
	return utf8.RuneCountInString(stem) > 1 && !abbrevBeforeNumber[key] && !abbrevEndsName[key] &&
		!initialsPattern.MatchString(stem)
}

// startsLowerCamel reports a word that starts in lowercase but has a
// capital inside, as brands do: "eBay", "iPhone".
func startsLowerCamel(word string) bool {
	word = strings.TrimLeft(word, sentenceOpeners)
	r, size := utf8.DecodeRuneInString(word)
	return unicode.IsLower(r) && strings.ContainsFunc(word[size:], unicode.IsUpper)
}
