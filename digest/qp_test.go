package digest

import (
	"bytes"
	"fmt"
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

// appendQuotedPrintableV1 is the encoder as it was before spaces joined
// the runs of literal bytes (BENCHMARKS.md, "Profiles and fixes"), kept to
// show that the encoding did not change and what the change saved.
func appendQuotedPrintableV1(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	col := 0
	for i := 0; i < len(s); {
		j, end := i, min(len(s), i+qpLine-col)
		for j < end && s[j] != ' ' && s[j] != '\t' && qpLiteral[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		col += j - i
		i = j
		if i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '\n' || (c == '\r' && i+1 < len(s) && s[i+1] == '\n'):
			if c == '\r' {
				i++
			}
			dst = append(dst, '\r', '\n')
			col = 0
			i++
			continue
		case col >= qpLine:
			dst = append(dst, '=', '\r', '\n')
			col = 0
			continue
		}
		if (c == ' ' || c == '\t') && i+1 < len(s) && s[i+1] != '\n' && s[i+1] != '\r' {
			dst = append(dst, c)
			col++
			i++
			continue
		}
		if col+3 > qpLine {
			dst = append(dst, '=', '\r', '\n')
			col = 0
		}
		dst = append(dst, '=', hex[c>>4], hex[c&0x0f])
		col += 3
		i++
	}
	return dst
}

// FuzzQuotedPrintableUnchanged: the encoder writes the very bytes it wrote
// before spaces joined its runs, so no message changed.
func FuzzQuotedPrintableUnchanged(f *testing.F) {
	for _, s := range []string{
		"", " ", "\t", "a \n", "a\t\r\nb", "a \rb", "a  \n", strings.Repeat("x", 74) + " \n", strings.Repeat("x", 74) + "  y",
		strings.Repeat("x ", 80), strings.Repeat("é ", 40) + "\n", "end with space ", "end with tab\t", emailBody()[:4000],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendQuotedPrintable(nil, s), appendQuotedPrintableV1(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("encoding of %q changed:\n got %q\nwant %q", s, got, want)
		}
	})
}

// emailBody is 44 KB of what a ten-story edition's parts hold: inlined
// styles, links, prose with a pound sign and dashes, lines wrapped at 76.
func emailBody() string {
	var b strings.Builder
	for i := 0; b.Len() < 44_000; i++ {
		fmt.Fprintf(&b, "<tr>\n<td class=\"cell\" style=\"padding: 0 32px 16px; font-size: 16px; line-height: 1.5; color: #1f2328;\">\n"+
			"<a class=\"headline-link\" href=\"https://news.example/story/%d\" style=\"color: #1f2328; text-decoration: none;\">Council approves £%d m tram line after an eight-hour debate</a>\n"+
			"<p style=\"margin: 8px 0 0;\">Port Alder council voted 31 to 18 on Tuesday night to build a £240 million tram line from the central station to the hospital, with nine stops and trams every six minutes at peak times — work starts in spring 2027.</p>\n</td>\n</tr>\n", i, 200+i)
		b.WriteString("Port Alder council voted 31 to 18 on Tuesday night to build a £240\nmillion tram line from the central station to the hospital, with nine\n\n")
	}
	return b.String()
}

// BenchmarkQuotedPrintable encodes one message's worth of parts with the
// encoder before and after spaces joined its runs.
// `go test -run '^$' -bench QuotedPrintable -benchmem -cpu 1 ./digest`
func BenchmarkQuotedPrintable(b *testing.B) {
	body := emailBody()
	for _, enc := range []struct {
		name string
		fn   func([]byte, string) []byte
	}{{"encoder=before", appendQuotedPrintableV1}, {"encoder=now", appendQuotedPrintable}} {
		b.Run(enc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			dst := make([]byte, 0, 2*len(body))
			for b.Loop() {
				dst = enc.fn(dst[:0], body)
			}
		})
	}
}

// writeHeaderV1 is the header folding as it was before it wrote into the
// message directly, kept to show that no header changed.
func writeHeaderV1(out *bytes.Buffer, h header) error {
	line := h.name + ":"
	for _, w := range strings.Split(h.value, " ") {
		if w != "" && len(line)+1+len(w) > foldAt && strings.TrimSpace(line) != "" {
			out.WriteString(line)
			out.WriteString("\r\n")
			line = ""
		}
		line += " " + w
		if len(line) > lineLimit {
			return fmt.Errorf("%w: header %s: a line of more than %d characters that cannot be folded", ErrInvalidMail, h.name, lineLimit)
		}
	}
	out.WriteString(line)
	out.WriteString("\r\n")
	return nil
}

// FuzzHeaderUnchanged: headers fold exactly as they did, and fail alike.
func FuzzHeaderUnchanged(f *testing.F) {
	for _, v := range []string{
		"", " ", "  ", "a  b", "=?utf-8?q?" + strings.Repeat("x", 70) + "?= next", strings.Repeat("word ", 40),
		strings.Repeat("x", 997), strings.Repeat("x", 1000), " \u00a0 " + strings.Repeat("y", 90), "<https://a.example/u?t=" + strings.Repeat("z", 80) + ">",
	} {
		f.Add("Subject", v)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		var want bytes.Buffer
		wantErr := writeHeaderV1(&want, header{name, value})
		got, err := appendHeader([]byte("X: y\r\n"), header{name, value})
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: %q: error %v, was %v", name, value, err, wantErr)
		}
		if err == nil && string(got) != "X: y\r\n"+want.String() {
			t.Fatalf("%q: %q:\n got %q\nwant %q", name, value, got[6:], want.Bytes())
		}
	})
}
