package digest

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// FuzzQuotedPrintable checks the hand-written encoder against the standard
// library's decoder: what goes in comes out (line ends as CRLF), and no
// line is longer than RFC 2045 allows.
func FuzzQuotedPrintable(f *testing.F) {
	for _, s := range []string{
		"", "plain", "trailing space \nnext", "tab\t\r\nx", "a=b", strings.Repeat("x", 75), strings.Repeat("x", 76),
		strings.Repeat("é", 60), "end with space ", "mixed\r\nCRLF\nand LF\r", "\x00\x01\xff", strings.Repeat("= ", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := appendQuotedPrintable(nil, s)
		for _, line := range bytes.Split(enc, []byte("\r\n")) {
			if len(line) > 76 {
				t.Fatalf("line of %d bytes: %q", len(line), line)
			}
			if n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
				t.Fatalf("line ends in white space: %q", line)
			}
		}
		got, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc)))
		if err != nil {
			t.Fatalf("decode %q: %v", enc, err)
		}
		// The text's own line ends come back as CRLF; a lone CR is data.
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
		if string(got) != want {
			t.Fatalf("round trip of %q:\n got %q\nwant %q", s, got, want)
		}
	})
}
