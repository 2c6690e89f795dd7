package digest_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

func testMail() digest.Mail {
	return digest.Mail{
		From:               digest.Address{Name: "The Newsdigest Daily", Email: "daily@newsdigest.example"},
		To:                 digest.Address{Name: "Ana", Email: "ana@reader.example"},
		Subject:            "Nov 26: Council approves tram line — and 7 more",
		Text:               "Hi Ana,\n\nThe council voted.\n",
		HTML:               "<p>Hi Ana,</p>\n<p>The council voted.</p>\n",
		ListID:             "daily.newsdigest.example",
		ListUnsubscribeURL: "https://newsdigest.example/u?t=abc&l=daily",
		Date:               time.Date(2026, 11, 26, 6, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

// decoded is a message as a reader's client sees it.
type decoded struct {
	header     mail.Header
	subject    string
	from, to   *mail.Address
	text, html string
}

// readMIME parses the bytes back with the standard library alone, and
// checks the wire format on the way: CRLF everywhere, no line over 998
// characters, header lines folded to 78.
func readMIME(t *testing.T, raw []byte) decoded {
	t.Helper()
	inHeader := true
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d characters long", i+1, len(line))
		}
		inHeader = inHeader && len(line) > 0
		if inHeader && len(line) > 78 {
			t.Errorf("header line %d is %d characters long: %q", i+1, len(line), line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	var d decoded
	d.header = msg.Header
	if d.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	if d.from, err = mail.ParseAddress(msg.Header.Get("From")); err != nil {
		t.Fatalf("From: %v", err)
	}
	if d.to, err = mail.ParseAddress(msg.Header.Get("To")); err != nil {
		t.Fatalf("To: %v", err)
	}
	if got := msg.Header.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version %q, want 1.0", got)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative with a boundary", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i, want := range []string{"text/plain", "text/html"} {
		part, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		ct, ctParams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || ct != want || !strings.EqualFold(ctParams["charset"], "utf-8") {
			t.Fatalf("part %d: Content-Type %q, want %s; charset=utf-8", i+1, part.Header.Get("Content-Type"), want)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("part %d: Content-Transfer-Encoding %q, want quoted-printable", i+1, cte)
		}
		encoded, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(encoded), "\r\n") {
			if len(line) > 76 {
				t.Errorf("part %d: quoted-printable line of %d characters", i+1, len(line))
			}
		}
		body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(encoded)))
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		if i == 0 {
			d.text = string(body)
		} else {
			d.html = string(body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the HTML part: %v, want the end", err)
	}
	return d
}

// crlf is the text as it travels: every line break a CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestMailMIMERoundTrip(t *testing.T) {
	long := strings.Repeat("Donaudampfschifffahrtsgesellschaft", 40) // 1,360 characters, no space
	tests := []struct {
		name string
		edit func(*digest.Mail)
	}{
		{"ascii", func(m *digest.Mail) { m.Subject = "Nov 26: Council approves tram line" }},
		{"non-ASCII subject and names", func(m *digest.Mail) {
			m.Subject = "26 nov. : le conseil approuve le tram 🚋 — et 7 autres"
			m.From.Name = "Le Quotidien « Newsdigest »"
			m.To.Name = "Zoë Ångström"
		}},
		{"quotes in display names", func(m *digest.Mail) {
			m.From.Name = `The "Daily", Newsdigest`
			m.To.Name = `O'Brien, Ana`
		}},
		{"emoji and right-to-left bodies", func(m *digest.Mail) {
			m.Text = "Bonjour 🎉 مرحبا שלום\n\nÇa va ? 🚋🚋🚋\n"
			m.HTML = "<p dir=\"auto\">Bonjour 🎉 مرحبا שלום</p>\n<p>Ça va ? = 100%</p>\n"
		}},
		{"lines longer than 998 characters", func(m *digest.Mail) {
			m.Text = long + "\n" + strings.Repeat("word ", 400) + "\n"
			m.HTML = "<p>" + long + "ü</p>" + strings.Repeat(`<a href="https://news.example/a?x=1&amp;y=2">é</a>`, 40)
		}},
		{"long subject folds", func(m *digest.Mail) {
			m.Subject = strings.TrimSpace(strings.Repeat("Harbour council approves the tram line after a long night ", 4))
		}},
		{"long non-ASCII subject", func(m *digest.Mail) {
			m.Subject = strings.TrimSpace(strings.Repeat("Zürich räumt auf, Ærø feiert — ", 6))
		}},
		{"text without a final line break", func(m *digest.Mail) { m.Text = "One line"; m.HTML = "<p>One line</p>" }},
		{"a line starting with a dot or From", func(m *digest.Mail) { m.Text = ".\n.hidden\nFrom here\n" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testMail()
			tc.edit(&m)
			raw, err := m.MIME()
			if err != nil {
				t.Fatalf("MIME: %v", err)
			}
			got := readMIME(t, raw)
			if got.subject != m.Subject {
				t.Errorf("subject %q, want %q", got.subject, m.Subject)
			}
			if got.from.Name != m.From.Name || got.from.Address != m.From.Email {
				t.Errorf("From %+v, want %+v", got.from, m.From)
			}
			if got.to.Name != m.To.Name || got.to.Address != m.To.Email {
				t.Errorf("To %+v, want %+v", got.to, m.To)
			}
			if got.text != crlf(m.Text) {
				t.Errorf("text part decodes to %q, want %q", got.text, crlf(m.Text))
			}
			if got.html != crlf(m.HTML) {
				t.Errorf("HTML part decodes to %q, want %q", got.html, crlf(m.HTML))
			}
			if date, err := got.header.Date(); err != nil || !date.Equal(m.Date) {
				t.Errorf("Date %v (%v), want %v", date, err, m.Date)
			}
		})
	}
}

func TestMailHeaders(t *testing.T) {
	tests := []struct {
		name string
		edit func(*digest.Mail)
		// want maps a header to its value; "" wants it absent.
		want map[string]string
	}{
		{
			name: "one-click unsubscribe",
			edit: func(*digest.Mail) {},
			want: map[string]string{
				"List-Id":               "<daily.newsdigest.example>",
				"List-Unsubscribe":      "<https://newsdigest.example/u?t=abc&l=daily>",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				"Reply-To":              "",
			},
		},
		{
			name: "mailto as well",
			edit: func(m *digest.Mail) { m.ListUnsubscribeMailto = "mailto:unsubscribe@newsdigest.example?subject=u-abc" },
			want: map[string]string{
				"List-Unsubscribe":      "<https://newsdigest.example/u?t=abc&l=daily>, <mailto:unsubscribe@newsdigest.example?subject=u-abc>",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			},
		},
		{
			name: "mailto only has no one-click",
			edit: func(m *digest.Mail) {
				m.ListUnsubscribeURL = ""
				m.ListUnsubscribeMailto = "mailto:unsubscribe@newsdigest.example"
			},
			want: map[string]string{"List-Unsubscribe": "<mailto:unsubscribe@newsdigest.example>", "List-Unsubscribe-Post": ""},
		},
		{
			name: "no list headers",
			edit: func(m *digest.Mail) { m.ListID, m.ListUnsubscribeURL = "", "" },
			want: map[string]string{"List-Id": "", "List-Unsubscribe": "", "List-Unsubscribe-Post": ""},
		},
		{
			name: "list name",
			edit: func(m *digest.Mail) { m.ListName = `The "Daily"` },
			want: map[string]string{"List-Id": `"The \"Daily\"" <daily.newsdigest.example>`},
		},
		{
			name: "reply-to and message id",
			edit: func(m *digest.Mail) {
				m.ReplyTo = &digest.Address{Email: "editors@newsdigest.example"}
				m.MessageID = "<2026-11-26.ana@newsdigest.example>"
			},
			want: map[string]string{"Reply-To": "<editors@newsdigest.example>", "Message-Id": "<2026-11-26.ana@newsdigest.example>"},
		},
		{
			name: "extra headers",
			edit: func(m *digest.Mail) {
				m.Headers = map[string]string{"Feedback-ID": "2026-11-26:daily:newsdigest", "X-Edition": "Jeudi 26 novembre"}
			},
			want: map[string]string{"Feedback-Id": "2026-11-26:daily:newsdigest", "X-Edition": "Jeudi 26 novembre"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testMail()
			tc.edit(&m)
			raw, err := m.MIME()
			if err != nil {
				t.Fatalf("MIME: %v", err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				if got := msg.Header.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestMailExtraHeaderNonASCII(t *testing.T) {
	m := testMail()
	m.Headers = map[string]string{"X-Edition": "Jeudi 26 novembre, édition du matin"}
	raw, err := m.MIME()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("X-Edition"))
	if err != nil || got != m.Headers["X-Edition"] {
		t.Errorf("X-Edition decodes to %q (%v), want %q", got, err, m.Headers["X-Edition"])
	}
}

func TestMailGeneratedMessageID(t *testing.T) {
	m := testMail()
	m.Date = time.Time{}
	idPattern := regexp.MustCompile(`^<[A-Za-z0-9]{16,}@newsdigest\.example>$`)
	seen := map[string]bool{}
	for range 3 {
		before := time.Now().Truncate(time.Second)
		raw, err := m.MIME()
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("Message-ID")
		if !idPattern.MatchString(id) {
			t.Errorf("Message-ID %q, want <random@newsdigest.example>", id)
		}
		if seen[id] {
			t.Errorf("Message-ID %q generated twice", id)
		}
		seen[id] = true
		if date, err := msg.Header.Date(); err != nil || date.Before(before) || date.After(time.Now()) {
			t.Errorf("Date %v (%v), want the time of encoding", date, err)
		}
		_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if seen[params["boundary"]] {
			t.Errorf("boundary %q used twice", params["boundary"])
		}
		seen[params["boundary"]] = true
	}
}

func TestMailRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*digest.Mail)
		// header is what the error must name.
		header string
	}{
		{"CRLF in the subject", func(m *digest.Mail) { m.Subject = "Hello\r\nBcc: victim@example.com" }, "Subject"},
		{"LF in the subject", func(m *digest.Mail) { m.Subject = "Hello\nBcc: victim@example.com" }, "Subject"},
		{"CR in the subject", func(m *digest.Mail) { m.Subject = "Hello\rBcc: victim@example.com" }, "Subject"},
		{"tab in the subject", func(m *digest.Mail) { m.Subject = "Hello\tthere" }, "Subject"},
		{"NUL in the subject", func(m *digest.Mail) { m.Subject = "Hello\x00" }, "Subject"},
		{"next line (U+0085) in the subject", func(m *digest.Mail) { m.Subject = "Hello\u0085Bcc: x@example.com" }, "Subject"},
		{"invalid UTF-8 in the subject", func(m *digest.Mail) { m.Subject = "Caf\xe9" }, "Subject"},
		{"CRLF in the From name", func(m *digest.Mail) { m.From.Name = "Daily\r\nBcc: victim@example.com" }, "From"},
		{"LF in the To name", func(m *digest.Mail) { m.To.Name = "Ana\nBcc: victim@example.com" }, "To"},
		{"CRLF in the To address", func(m *digest.Mail) { m.To.Email = "ana@reader.example\r\nBcc: victim@example.com" }, "To"},
		{"a name in the address", func(m *digest.Mail) { m.To.Email = "Ana <ana@reader.example>" }, "To"},
		{"two addresses", func(m *digest.Mail) { m.To.Email = "ana@reader.example, bo@reader.example" }, "To"},
		{"not an address", func(m *digest.Mail) { m.From.Email = "daily" }, "From"},
		{"no recipient", func(m *digest.Mail) { m.To.Email = "" }, "To"},
		{"CRLF in the Reply-To", func(m *digest.Mail) { m.ReplyTo = &digest.Address{Name: "Ed\r\nX: y", Email: "ed@newsdigest.example"} }, "Reply-To"},
		{"CRLF in the List-Id", func(m *digest.Mail) { m.ListID = "daily.newsdigest.example\r\nBcc: victim@example.com" }, "List-Id"},
		{"brackets in the List-Id", func(m *digest.Mail) { m.ListID = "daily>.newsdigest.example" }, "List-Id"},
		{"List-Id without a dot", func(m *digest.Mail) { m.ListID = "daily" }, "List-Id"},
		{"LF in the list name", func(m *digest.Mail) { m.ListName = "Daily\nBcc: victim@example.com" }, "List-Id"},
		{"CRLF in the unsubscribe URL", func(m *digest.Mail) { m.ListUnsubscribeURL = "https://newsdigest.example/u\r\nBcc: victim@example.com" }, "List-Unsubscribe"},
		{"javascript unsubscribe URL", func(m *digest.Mail) { m.ListUnsubscribeURL = "javascript:alert(1)" }, "List-Unsubscribe"},
		{"relative unsubscribe URL", func(m *digest.Mail) { m.ListUnsubscribeURL = "/unsubscribe" }, "List-Unsubscribe"},
		{"angle bracket in the unsubscribe URL", func(m *digest.Mail) { m.ListUnsubscribeURL = "https://newsdigest.example/u>, <https://evil.example/" }, "List-Unsubscribe"},
		{"https as the mailto", func(m *digest.Mail) { m.ListUnsubscribeMailto = "https://newsdigest.example/u" }, "List-Unsubscribe"},
		{"mailto without an address", func(m *digest.Mail) { m.ListUnsubscribeMailto = "mailto:nobody" }, "List-Unsubscribe"},
		{"LF in the mailto", func(m *digest.Mail) { m.ListUnsubscribeMailto = "mailto:u@newsdigest.example\nBcc: victim@example.com" }, "List-Unsubscribe"},
		{"CRLF in an extra header's value", func(m *digest.Mail) { m.Headers = map[string]string{"X-Campaign": "daily\r\nBcc: victim@example.com"} }, "X-Campaign"},
		{"CRLF in an extra header's name", func(m *digest.Mail) { m.Headers = map[string]string{"X-Campaign\r\nBcc": "victim@example.com"} }, "X-Campaign"},
		{"colon in an extra header's name", func(m *digest.Mail) { m.Headers = map[string]string{"Bcc: victim@example.com\r\nX": "y"} }, "Bcc"},
		{"space in an extra header's name", func(m *digest.Mail) { m.Headers = map[string]string{"X Campaign": "daily"} }, "X Campaign"},
		{"extra header replacing the subject", func(m *digest.Mail) { m.Headers = map[string]string{"subject": "Other"} }, "subject"},
		{"extra Bcc header", func(m *digest.Mail) { m.Headers = map[string]string{"Bcc": "victim@example.com"} }, "Bcc"},
		{"extra header too long to fold", func(m *digest.Mail) { m.Headers = map[string]string{"X-Token": strings.Repeat("a", 1200)} }, "X-Token"},
		{"malformed Message-ID", func(m *digest.Mail) { m.MessageID = "no-brackets@newsdigest.example" }, "Message-ID"},
		{"CRLF in the Message-ID", func(m *digest.Mail) { m.MessageID = "<a@b>\r\nBcc: victim@example.com" }, "Message-ID"},
		{"no text part", func(m *digest.Mail) { m.Text = "" }, "text part"},
		{"no HTML part", func(m *digest.Mail) { m.HTML = "" }, "HTML part"},
		{"invalid UTF-8 in the HTML", func(m *digest.Mail) { m.HTML = "<p>Caf\xe9</p>" }, "HTML part"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testMail()
			tc.edit(&m)
			err := m.Validate()
			if !errors.Is(err, digest.ErrInvalidMail) {
				t.Fatalf("Validate: %v, want ErrInvalidMail", err)
			}
			if !strings.Contains(err.Error(), tc.header) {
				t.Errorf("error %q does not name %q", err, tc.header)
			}
			raw, err := m.MIME()
			if !errors.Is(err, digest.ErrInvalidMail) || raw != nil {
				t.Errorf("MIME: %d bytes, %v; want none and ErrInvalidMail", len(raw), err)
			}
		})
	}
}

func TestMailValidAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*digest.Mail)
	}{
		{"the test mail", func(*digest.Mail) {}},
		{"http unsubscribe for local testing", func(m *digest.Mail) { m.ListUnsubscribeURL = "http://127.0.0.1:8080/u?t=abc" }},
		{"no display names", func(m *digest.Mail) { m.From.Name, m.To.Name = "", "" }},
		{"empty subject", func(m *digest.Mail) { m.Subject = "" }},
		{"no list headers", func(m *digest.Mail) { m.ListID, m.ListUnsubscribeURL = "", "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := testMail()
			tc.edit(&m)
			if err := m.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}
