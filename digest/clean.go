package digest

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// errBinary is the reason given for files that are not text.
var errBinary = errors.New("binary content, not text")

// decodeText turns a file's bytes into clean UTF-8 text with LF line ends.
// It refuses binary content and repairs what it can, saying what it repaired:
// a byte-order mark is dropped, UTF-16 is decoded (without a mark too, when
// every other byte is a NUL), bytes that are not UTF-8 are read as
// Windows-1252 (the usual culprit), and CRLF or CR become LF.
func decodeText(data []byte) (string, []string, error) {
	var warnings []string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		warnings = append(warnings, "byte-order mark removed")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = decodeUTF16(data[2:], data[0] == 0xFE)
		warnings = append(warnings, "decoded from UTF-16")
	default:
		if bigEndian, ok := looksUTF16(data); ok {
			data = decodeUTF16(data, bigEndian)
			warnings = append(warnings, "decoded from UTF-16 without a byte-order mark")
		}
	}
	if looksBinary(data) {
		return "", nil, errBinary
	}
	text := string(data)
	if !utf8.ValidString(text) {
		var n int
		text, n = repairUTF8(data)
		warnings = append(warnings, fmt.Sprintf("invalid UTF-8 repaired: %d bytes read as Windows-1252", n))
	}
	if strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	// Most files hold no control character: a scan of the bytes finds
	// that at a fraction of strings.Map's cost, which calls dropControl
	// for every rune (BENCHMARKS.md, "Profiles and fixes").
	if hasControl(text) {
		text = strings.Map(dropControl, text)
	}
	return text, warnings, nil
}

// hasControl reports whether dropControl changes any rune of s, checking
// ASCII bytes in place and decoding only the others.
func hasControl(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if dropControl(r) != r {
			return true
		}
		i += size
	}
	return false
}

// looksBinary reports NUL bytes or a high share of control bytes in the
// first 8 KiB, as file(1) and git do.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8<<10)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	var control int
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' {
			control++
		}
	}
	return control*10 > len(head)
}

// looksUTF16 recognizes UTF-16 without a byte-order mark by its NULs: in
// the first 8 KiB, the high byte of nearly every code unit and no low byte,
// which is text in the Latin scripts and nothing else.
func looksUTF16(data []byte) (bigEndian, ok bool) {
	head := data[:min(len(data), 8<<10)&^1]
	if len(head) < 4 {
		return false, false
	}
	var nul [2]int // at even and odd offsets
	for i, b := range head {
		if b == 0 {
			nul[i%2]++
		}
	}
	units := len(head) / 2
	switch {
	case nul[1]*10 >= units*9 && nul[0] == 0:
		return false, true
	case nul[0]*10 >= units*9 && nul[1] == 0:
		return true, true
	}
	return false, false
}

// decodeUTF16 decodes UTF-16 without its byte-order mark.
func decodeUTF16(data []byte, bigEndian bool) []byte {
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return []byte(string(utf16.Decode(units)))
}

// repairUTF8 keeps valid UTF-8 and decodes every invalid byte as
// Windows-1252, returning the text and the number of bytes repaired.
func repairUTF8(data []byte) (string, int) {
	var b strings.Builder
	b.Grow(len(data) + 16)
	repaired := 0
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(charmap.Windows1252.DecodeByte(data[0]))
			repaired++
			data = data[1:]
			continue
		}
		b.Write(data[:size])
		data = data[size:]
	}
	return b.String(), repaired
}

// dropControl removes control characters other than line feed and tab; the
// Unicode line and paragraph separators become line feeds.
func dropControl(r rune) rune {
	switch {
	case r == '\n' || r == '\t':
		return r
	case r == '\u2028' || r == '\u2029':
		return '\n'
	case r == '\uFEFF' || unicode.IsControl(r):
		return -1
	}
	return r
}

// oneLine collapses all white space, line breaks included, to single spaces.
func oneLine(s string) string {
	if isOneLine(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isOneLine reports text that oneLine would leave as it is: single ASCII
// spaces between words and none at the ends, which most text already is.
func isOneLine(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case c < ' ' || c == 0x7f:
			return false
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			i += size - 1
		}
		prevSpace = false
	}
	return true
}

// cleanAll applies cleanText to every string and drops the empty ones.
func cleanAll(in []string) []string {
	out := in[:0:0]
	for _, s := range in {
		if s = cleanText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// markup finds HTML tags and comments a scraper left in text.
var markup = regexp.MustCompile(`<(?:!--.*?-->|/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)`)

// cleanText is one line of plain text: HTML tags a scraper left in it
// removed and character references ("&amp;", "&#8217;") decoded, since
// article text is text wherever it came from, and escaped again wherever
// it goes. A field can hold what the file's text could not: a JSON
// "\u0000", a "&#7;" reference, a YAML !!binary value. So its bytes are
// repaired as decodeText repairs a file's, the tags that character
// references spell out ("&lt;script&gt;") are removed too, and control and
// bidirectional-override characters are dropped.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s, _ = repairUTF8([]byte(s))
	}
	if strings.ContainsRune(s, '<') {
		s = stripMarkup(s)
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
		if strings.ContainsRune(s, '<') {
			s = stripMarkup(s)
		}
	}
	if hasFieldControl(s) {
		s = strings.Map(dropFieldControl, s)
	}
	return oneLine(s)
}

// maxMarkupRounds bounds stripMarkup's rounds: real text needs one.
const maxMarkupRounds = 4

// stripMarkup removes tags until none is left. Removing one can join the
// text around it into another ("<script<b>>" leaves "<script >"), so it
// repeats; text still nested into tags after a few rounds is an attack,
// and loses its angle brackets.
func stripMarkup(s string) string {
	for range maxMarkupRounds {
		t := markup.ReplaceAllString(s, " ")
		if t == s {
			return s
		}
		s = t
	}
	if markup.MatchString(s) {
		s = strings.NewReplacer("<", " ", ">", " ").Replace(s)
	}
	return s
}

// dropFieldControl removes the control characters of a one-line field,
// leaving white space to oneLine, and the bidirectional embedding,
// override and isolate controls, which make a headline display in another
// order than it reads ("Invoice \u202Egnp.exe").
func dropFieldControl(r rune) rune {
	switch {
	case r == ' ' || unicode.IsSpace(r):
		return r
	case unicode.IsControl(r), r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', r == '\uFEFF':
		return -1
	}
	return r
}

// hasFieldControl reports whether dropFieldControl changes any rune of s,
// decoding only the runes whose first byte can start one it drops: C1
// controls (0xC2), U+202A–U+2069 (0xE2) and U+FEFF (0xEF).
func hasFieldControl(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			if dropFieldControl(rune(c)) != rune(c) {
				return true
			}
		case c == 0xC2 || c == 0xE2 || c == 0xEF:
			if r, _ := utf8.DecodeRuneInString(s[i:]); dropFieldControl(r) != r {
				return true
			}
		}
	}
	return false
}
