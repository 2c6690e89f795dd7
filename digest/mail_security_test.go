package digest_test

// Header injection: every field of a Mail that reaches a header is refused
// with ErrInvalidMail naming the header when it holds a line break or a
// control character, and text that only looks like an RFC 2047 encoded
// word reaches the header encoded, so that a reader's client shows it as
// typed. The end-to-end cases follow a hostile subscriber name through the
// Deliverer into the outbox, and an editorial subject with a line break
// through BuildDay, the renderer and the MIME encoding.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// secControls are the characters that can end a header early or hide in
// one: line breaks, NUL, other C0 and C1 controls, DEL, and the Unicode
// line and paragraph separators.
var secControls = []struct{ name, s string }{
	{"CRLF", "\r\n"}, {"LF", "\n"}, {"CR", "\r"}, {"NUL", "\x00"}, {"SOH", "\x01"}, {"tab", "\t"},
	{"vertical tab", "\x0b"}, {"form feed", "\x0c"}, {"escape", "\x1b"}, {"DEL", "\x7f"},
	{"next line U+0085", "\u0085"}, {"CSI U+009B", "\u009b"}, {"line separator U+2028", "\u2028"},
	{"paragraph separator U+2029", "\u2029"}, {"CRLF and a folded line", "\r\n "},
}

// secHeaderFields are the fields of a Mail that become headers: each sets
// a value built around the control character, and names the header the
// error must name.
var secHeaderFields = []struct {
	field, header string
	set           func(m *digest.Mail, ctl string)
}{
	{"Subject", "Subject", func(m *digest.Mail, c string) { m.Subject = "Nov 26: news" + c + "Bcc: victim@evil.example" }},
	{"From display name", "From", func(m *digest.Mail, c string) { m.From.Name = "The Daily" + c + "Bcc: victim@evil.example" }},
	{"From address", "From", func(m *digest.Mail, c string) {
		m.From.Email = "daily@newsdigest.example" + c + "Bcc: victim@evil.example"
	}},
	{"To display name (subscriber name)", "To", func(m *digest.Mail, c string) { m.To.Name = "Ana" + c + "Bcc: victim@evil.example" }},
	{"To address", "To", func(m *digest.Mail, c string) { m.To.Email = "ana@reader.example" + c + "Bcc: victim@evil.example" }},
	{"Reply-To display name", "Reply-To", func(m *digest.Mail, c string) {
		m.ReplyTo = &digest.Address{Name: "Editors" + c + "Bcc: victim@evil.example", Email: "editors@newsdigest.example"}
	}},
	{"Reply-To address", "Reply-To", func(m *digest.Mail, c string) {
		m.ReplyTo = &digest.Address{Email: "editors@newsdigest.example" + c + "Bcc: victim@evil.example"}
	}},
	{"List-Id", "List-Id", func(m *digest.Mail, c string) { m.ListID = "daily" + c + "Bcc: victim@evil.example" }},
	{"list name", "List-Id", func(m *digest.Mail, c string) { m.ListName = "The Daily" + c + "Bcc: victim@evil.example" }},
	{"List-Unsubscribe URL", "List-Unsubscribe", func(m *digest.Mail, c string) {
		m.ListUnsubscribeURL = "https://newsdigest.example/u?t=abc" + c + "Bcc: victim@evil.example"
	}},
	{"List-Unsubscribe mailto", "List-Unsubscribe", func(m *digest.Mail, c string) {
		m.ListUnsubscribeMailto = "mailto:unsubscribe@newsdigest.example" + c + "Bcc: victim@evil.example"
	}},
	{"Message-ID", "Message-ID", func(m *digest.Mail, c string) {
		m.MessageID = "<a" + c + "Bcc: victim@evil.example@newsdigest.example>"
	}},
	{"extra header value", "Feedback-ID", func(m *digest.Mail, c string) {
		m.Headers = map[string]string{"Feedback-ID": "2026-11-26:daily" + c + "Bcc: victim@evil.example"}
	}},
	{"extra header name", "X-Campaign", func(m *digest.Mail, c string) {
		m.Headers = map[string]string{"X-Campaign" + c + "Bcc": "victim@evil.example"}
	}},
}

func TestHeaderInjectionIsRefusedInEveryHeaderField(t *testing.T) {
	for _, f := range secHeaderFields {
		for _, c := range secControls {
			t.Run(f.field+"/"+c.name, func(t *testing.T) {
				m := testMail()
				f.set(&m, c.s)
				err := m.Validate()
				if !errors.Is(err, digest.ErrInvalidMail) {
					t.Fatalf("Validate: %v, want ErrInvalidMail", err)
				}
				if !strings.Contains(err.Error(), f.header) {
					t.Errorf("error %q does not name the header %s", err, f.header)
				}
				raw, err := m.MIME()
				if !errors.Is(err, digest.ErrInvalidMail) || raw != nil {
					t.Errorf("MIME: %d bytes, %v; want nothing and ErrInvalidMail", len(raw), err)
				}
			})
		}
	}
}

// secEncodedWordTricks are texts that a lax client would decode as
// encoded words of the sender's: a CRLF and a Bcc in quoted-printable
// and base64, another charset, and the trick among ordinary words.
var secEncodedWordTricks = []string{
	"=?utf-8?q?Hello=0D=0ABcc:_victim@evil.example?=",
	"=?UTF-8?B?SGVsbG8NCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ==?=",
	"=?iso-8859-1?q?caf=E9=0D=0A?=",
	"Nov 26: =?utf-8?q?=0D=0ABcc:_victim@evil.example?= and 7 more",
	"Zoë =?utf-8?q?x=0D=0AX-Injected:_1?=",
	"=?utf-8?q?" + strings.Repeat("long=0D=0A", 12) + "?=",
	"=?", "a =?b?= c",
}

// TestEncodedWordLookalikesReachTheHeaderEncoded: text holding "=?" is
// encoded, ASCII or not, so that no client decodes a line break or
// another header out of it; the reader sees exactly the text given.
func TestEncodedWordLookalikesReachTheHeaderEncoded(t *testing.T) {
	fields := []struct {
		name string
		set  func(m *digest.Mail, s string)
		// got decodes the header as a reader's client would.
		got func(t *testing.T, d decoded) string
	}{
		{"Subject", func(m *digest.Mail, s string) { m.Subject = s }, func(t *testing.T, d decoded) string { return d.subject }},
		{"From", func(m *digest.Mail, s string) { m.From.Name = s }, func(t *testing.T, d decoded) string { return d.from.Name }},
		{"To", func(m *digest.Mail, s string) { m.To.Name = s }, func(t *testing.T, d decoded) string { return d.to.Name }},
		{"Reply-To", func(m *digest.Mail, s string) {
			m.ReplyTo = &digest.Address{Name: s, Email: "editors@newsdigest.example"}
		}, func(t *testing.T, d decoded) string {
			a, err := mail.ParseAddress(d.header.Get("Reply-To"))
			if err != nil {
				t.Fatalf("Reply-To %q: %v", d.header.Get("Reply-To"), err)
			}
			return a.Name
		}},
		{"List-Id", func(m *digest.Mail, s string) { m.ListName = s }, func(t *testing.T, d decoded) string {
			v, err := new(mime.WordDecoder).DecodeHeader(d.header.Get("List-Id"))
			if err != nil {
				t.Fatalf("List-Id %q: %v", d.header.Get("List-Id"), err)
			}
			return strings.TrimSuffix(v, " <daily.newsdigest.example>")
		}},
		{"Feedback-ID", func(m *digest.Mail, s string) { m.Headers = map[string]string{"Feedback-ID": s} }, func(t *testing.T, d decoded) string {
			v, err := new(mime.WordDecoder).DecodeHeader(d.header.Get("Feedback-ID"))
			if err != nil {
				t.Fatalf("Feedback-ID %q: %v", d.header.Get("Feedback-ID"), err)
			}
			return v
		}},
	}
	for _, f := range fields {
		for _, trick := range secEncodedWordTricks {
			t.Run(f.name+"/"+trick, func(t *testing.T) {
				m := testMail()
				f.set(&m, trick)
				raw, err := m.MIME()
				if err != nil {
					t.Fatalf("MIME: %v", err)
				}
				d := readMIME(t, raw)
				if got := f.got(t, d); got != trick {
					t.Errorf("%s decodes to %q, want the text as given, %q", f.name, got, trick)
				}
				head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
				if len(trick) > 10 && bytes.Contains(head, []byte(trick)) {
					t.Errorf("the header carries %q as it is, for a client to decode:\n%s", trick, head)
				}
				// A lax client decodes encoded words anywhere in the
				// field, quoted strings included: still no line break.
				for name, values := range d.header {
					for _, v := range values {
						lax, _ := new(mime.WordDecoder).DecodeHeader(v)
						if strings.ContainsAny(lax, "\r\n") {
							t.Errorf("%s decodes, laxly, to a line break: %q", name, lax)
						}
					}
				}
				secNoInjectedHeaders(t, d.header)
			})
		}
	}
}

// secNoInjectedHeaders fails the test when the message carries a header
// that none of the tests' hostile values may add.
func secNoInjectedHeaders(t *testing.T, h mail.Header) {
	t.Helper()
	for _, name := range []string{"Bcc", "Cc", "X-Injected"} {
		if v, ok := h[name]; ok {
			t.Errorf("the message has a %s header: %q", name, v)
		}
	}
	for _, name := range []string{"From", "To", "Subject", "Message-Id", "List-Id", "List-Unsubscribe"} {
		if n := len(h[name]); n > 1 {
			t.Errorf("%d %s headers", n, name)
		}
	}
}

// TestEncodedWordsStayWithinTheirLength: a long lookalike is cut into
// several words, each at most 75 characters, never inside a character.
func TestEncodedWordsStayWithinTheirLength(t *testing.T) {
	for _, s := range []string{strings.Repeat("=?é?=", 40), strings.Repeat("🎉=?", 50), strings.Repeat("a", 44) + "=?" + "ü"} {
		m := testMail()
		m.Subject = s
		raw, err := m.MIME()
		if err != nil {
			t.Fatal(err)
		}
		d := readMIME(t, raw) // checks the 78-column folding too
		if d.subject != s {
			t.Errorf("subject decodes to %q, want %q", d.subject, s)
		}
		for _, w := range strings.Fields(d.header.Get("Subject")) {
			if len(w) > 75 {
				t.Errorf("encoded word of %d characters: %s", len(w), w)
			}
		}
	}
}

func secLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func secRenderer(t *testing.T) *hermes.Renderer {
	t.Helper()
	r, err := hermes.NewRenderer(hermes.Config{ProductName: "The Newsdigest Daily", SiteURL: "https://newsdigest.example",
		PostalAddress: "Newsdigest, 1 Quay Street, Port Alder"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestHostileReaderNamesThroughTheOutbox follows subscribers' names from
// the list through the Deliverer to .eml files: a name with a line break
// or a control character is refused for that reader alone (failed, with
// the reason naming To, and no file written); a name that only looks like
// an encoded word is sent, and reads as typed.
func TestHostileReaderNamesThroughTheOutbox(t *testing.T) {
	ctx := context.Background()
	rendered, err := secRenderer(t).Render(digest.Edition{Date: digest.Date{Year: 2026, Month: 11, Day: 26}, Subject: "Nov 26: the tram vote",
		Stories: []digest.Story{{Anchor: "story-a", Title: "Council approves the tram", URL: "https://news.example/a", Source: "Civic Wire", Lead: "It passed."}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	outbox, err := digestfs.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := digestfs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := digest.NewTokens([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := digest.NewDeliverer(digest.DeliveryConfig{From: digest.Address{Name: "The Newsdigest Daily", Email: "daily@newsdigest.example"},
		ListID: "daily.newsdigest.example", UnsubscribeURL: "https://newsdigest.example/unsubscribe"}, outbox, ledger, tokens, secLogger())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		email, name string
		// sent: the reader gets the email with this display name; else
		// the reader is failed and gets nothing.
		sent     bool
		wantName string
	}{
		{"ana@reader.example", "Ana\r\nBcc: victim@evil.example", false, ""},
		{"bo@reader.example", "Bo\nCc: victim@evil.example", false, ""},
		{"cy@reader.example", "Cy\x00", false, ""},
		{"dee@reader.example", "Dee\u2028Bcc: victim@evil.example", false, ""},
		{"eli@reader.example", "Eli\u0085", false, ""},
		{"fay@reader.example", "=?utf-8?q?Fay=0D=0ABcc:_victim@evil.example?=", true, "=?utf-8?q?Fay=0D=0ABcc:_victim@evil.example?="},
		{"gus@reader.example", `Gus "the reader" <gus@evil.example>, victim@evil.example`, true, `Gus "the reader" <gus@evil.example>, victim@evil.example`},
		{"hal@reader.example", "Hal", true, "Hal"},
	}
	var subs []digest.Subscriber
	for _, tt := range tests {
		subs = append(subs, digest.Subscriber{Email: tt.email, Name: tt.name, Status: digest.StatusActive})
	}
	report, err := d.Deliver(ctx, digest.Issue{Edition: "2026-11-26", Copy: rendered, ViewURL: "https://newsdigest.example/archive/2026-11-26/"}, subs, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	byAddress := map[string][]byte{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		addr, _, _ := strings.Cut(filepath.Base(f), "--")
		byAddress[addr] = raw
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			raw, wrote := byAddress[tt.email]
			failed := ""
			for _, p := range report.Failed {
				if p.Email == tt.email {
					failed = p.Reason
				}
			}
			if !tt.sent {
				if wrote {
					t.Errorf("an .eml was written for a name with a control character:\n%s", raw)
				}
				if !strings.Contains(failed, "header To") || !strings.Contains(failed, digest.ErrInvalidMail.Error()) {
					t.Errorf("reported failed with %q, want an invalid mail naming the To header", failed)
				}
				return
			}
			if !wrote || failed != "" {
				t.Fatalf("not sent (failed: %q)", failed)
			}
			// The unsubscribe link is one word longer than 78 columns, so
			// readMIME's folding check does not apply; the standard
			// library reads the message.
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			list, err := mail.ParseAddressList(msg.Header.Get("To"))
			if err != nil || len(list) != 1 {
				t.Fatalf("To %q is %d addresses (%v), want one", msg.Header.Get("To"), len(list), err)
			}
			if list[0].Name != tt.wantName || list[0].Address != tt.email {
				t.Errorf("To %q <%s>, want %q <%s>", list[0].Name, list[0].Address, tt.wantName, tt.email)
			}
			secNoInjectedHeaders(t, msg.Header)
		})
	}
	if report.Sent != 3 || len(report.Failed) != 5 || len(files) != 3 {
		t.Errorf("sent %d, failed %d, %d files; want 3, 5, 3", report.Sent, len(report.Failed), len(files))
	}
}

// secExampleDay copies the example articles to a folder whose editorial
// file for the 26th is the given JSON, and opens it as a store.
func secExampleDay(t *testing.T, editorial string) *digestfs.Store {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "examples", "articles"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "editorial", "2026-11-26.json"), []byte(editorial), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := digestfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// TestEditorialSubjectThroughTheSend: an editor's subject with a line
// break or a control character is set aside when the day is built (the
// edition says why, and takes its own subject); one that looks like an
// encoded word is kept and reaches the reader as typed. Either way the
// message has one Subject and no header the editor did not mean.
func TestEditorialSubjectThroughTheSend(t *testing.T) {
	day := digest.Date{Year: 2026, Month: 11, Day: 26}
	tests := []struct {
		name, subject string
		kept          bool
	}{
		{"CRLF", "Big day\r\nBcc: victim@evil.example", false},
		{"LF", "Big day\nBcc: victim@evil.example", false},
		{"NUL", "Big day\x00", false},
		{"line separator", "Big day\u2028Bcc: victim@evil.example", false},
		{"next line", "Big day\u0085Bcc: victim@evil.example", false},
		{"encoded-word lookalike", "Big day =?utf-8?q?=0D=0ABcc:_victim@evil.example?=", true},
		{"plain", "Big day on the coast", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			editorial, err := json.Marshal(map[string]string{"subject": tt.subject})
			if err != nil {
				t.Fatal(err)
			}
			store := secExampleDay(t, string(editorial))
			e, err := digest.BuildDay(context.Background(), digest.NewReader(digest.ReaderConfig{Lookback: 3}, store, secLogger()),
				digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: "https://newsdigest.example/archive"}, secLogger()), day)
			if err != nil {
				t.Fatal(err)
			}
			setAside := false
			for _, s := range e.Skipped {
				setAside = setAside || s.Key == digest.EditorialKey(day)
			}
			if setAside == tt.kept || (e.Subject == tt.subject) != tt.kept {
				t.Fatalf("editorial set aside %v, subject %q; want the editor's subject kept: %v", setAside, e.Subject, tt.kept)
			}
			rendered, err := secRenderer(t).Render(e)
			if err != nil {
				t.Fatal(err)
			}
			c, err := rendered.Personalize(digest.Personal{Name: "Ana", UnsubscribeURL: "https://newsdigest.example/u?t=x", ViewURL: "https://newsdigest.example/archive/2026-11-26/"})
			if err != nil {
				t.Fatal(err)
			}
			m := testMail()
			m.Subject, m.HTML, m.Text = c.Subject, c.HTML, c.Text
			raw, err := m.MIME()
			if err != nil {
				t.Fatalf("MIME: %v", err)
			}
			d := readMIME(t, raw)
			if d.subject != e.Subject || strings.ContainsFunc(d.subject, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 }) {
				t.Errorf("subject reads %q, want the edition's %q with no control character", d.subject, e.Subject)
			}
			secNoInjectedHeaders(t, d.header)
		})
	}
}

// TestDeliveryConfigRefusesHeaderInjection: the sender's own fields (From,
// Reply-To, the list's id and name, the unsubscribe addresses) are checked
// when the Deliverer is made, before any reader is claimed.
func TestDeliveryConfigRefusesHeaderInjection(t *testing.T) {
	base := func() digest.DeliveryConfig {
		return digest.DeliveryConfig{From: digest.Address{Name: "The Newsdigest Daily", Email: "daily@newsdigest.example"},
			ListID: "daily.newsdigest.example", ListName: "The Daily", UnsubscribeURL: "https://newsdigest.example/unsubscribe"}
	}
	tests := []struct {
		name, header string
		edit         func(c *digest.DeliveryConfig)
	}{
		{"From name", "From", func(c *digest.DeliveryConfig) { c.From.Name = "Daily\r\nBcc: victim@evil.example" }},
		{"From address", "From", func(c *digest.DeliveryConfig) { c.From.Email = "daily@newsdigest.example\nBcc: victim@evil.example" }},
		{"Reply-To", "Reply-To", func(c *digest.DeliveryConfig) {
			c.ReplyTo = &digest.Address{Name: "Desk\u2028Bcc: victim@evil.example", Email: "desk@newsdigest.example"}
		}},
		{"List-Id", "List-Id", func(c *digest.DeliveryConfig) { c.ListID = "daily.newsdigest.example\r\nBcc: victim@evil.example" }},
		{"list name", "List-Id", func(c *digest.DeliveryConfig) { c.ListName = "Daily\x00" }},
		{"unsubscribe URL", "List-Unsubscribe", func(c *digest.DeliveryConfig) {
			c.UnsubscribeURL = "https://newsdigest.example/u\r\nBcc: victim@evil.example"
		}},
		{"unsubscribe mailto", "List-Unsubscribe", func(c *digest.DeliveryConfig) { c.UnsubscribeMailto = "mailto:u@newsdigest.example\u0085" }},
	}
	tokens, err := digest.NewTokens([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.edit(&cfg)
			d, err := digest.NewDeliverer(cfg, secNopSender{}, nil, tokens, secLogger())
			if d != nil || !errors.Is(err, digest.ErrInvalidMail) || !strings.Contains(err.Error(), tt.header) {
				t.Errorf("NewDeliverer: %v; want ErrInvalidMail naming %s", err, tt.header)
			}
		})
	}
	if _, err := digest.NewDeliverer(base(), secNopSender{}, nil, tokens, secLogger()); err != nil {
		t.Errorf("the plain configuration: %v", err)
	}
}

type secNopSender struct{}

func (secNopSender) Send(context.Context, digest.Mail) (string, error) { return "", nil }
