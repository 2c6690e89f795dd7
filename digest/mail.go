package digest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Sender delivers one email and returns the id the service gave it (the
// Message-ID where the service gives none); the outbox, SMTP and SES
// adapters implement it. Its errors wrap ErrThrottled, ErrRejected,
// ErrQuotaExhausted or ErrInvalidMail when they are one of those; any other
// error is taken as passing.
type Sender interface {
	Send(ctx context.Context, m Mail) (id string, err error)
}

// The sending errors the delivery acts on.
var (
	// ErrThrottled: sending too fast; the same message is retried later.
	ErrThrottled = errors.New("sending too fast")
	// ErrRejected: the service refused this message for good (a bad
	// address, a rejected message); it is recorded as failed.
	ErrRejected = errors.New("message rejected")
	// ErrQuotaExhausted: the day's sending quota is spent; the run stops and
	// leaves the rest for later.
	ErrQuotaExhausted = errors.New("daily sending quota reached")
)

// Address is a mailbox: an optional display name and an address.
type Address struct {
	Name  string
	Email string
}

// Mail is one recipient's email, ready to be encoded and sent.
type Mail struct {
	From    Address
	To      Address
	ReplyTo *Address // optional
	Subject string
	// HTML and Text are the two alternatives; both are required.
	HTML, Text string
	// ListID identifies the newsletter (RFC 2919), a dot-atom such as
	// "daily.newsdigest.example"; ListName, optional, describes it.
	ListID   string
	ListName string
	// ListUnsubscribeURL is the recipient's one-click unsubscribe address
	// (https, or http for local testing); when set, List-Unsubscribe-Post
	// announces RFC 8058 one-click unsubscription.
	ListUnsubscribeURL string
	// ListUnsubscribeMailto is an optional mailto: alternative.
	ListUnsubscribeMailto string
	// MessageID is the Message-ID header, "<id@domain>"; empty generates
	// one in the sender's domain.
	MessageID string
	// Date is the Date header; zero means now.
	Date time.Time
	// Headers are extra headers, such as Feedback-ID. They may not replace
	// a header Mail writes itself.
	Headers map[string]string
	// Tags label the message at a service that keeps tags (SES message
	// tags: the edition id); they are not headers and never reach the
	// reader.
	Tags map[string]string
}

// ErrInvalidMail marks a message that can never be sent as it stands, as
// opposed to a delivery that failed.
var ErrInvalidMail = errors.New("invalid mail")

// lineLimit is RFC 5322's hard limit on a line, CRLF excluded; foldAt is
// its recommended length, where long headers are folded.
const (
	lineLimit = 998
	foldAt    = 78
)

// reserved reports whether a header, in canonical form, is written from
// Mail's own fields or would change who receives the message or how it is
// read, so that Headers may not set it.
func reserved(canonical string) bool {
	switch canonical {
	case "Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From", "List-Id",
		"List-Unsubscribe", "List-Unsubscribe-Post", "Message-Id", "Mime-Version", "Reply-To", "Subject", "To":
		return true
	}
	return false
}

// Validate checks every field that becomes a header: no control
// characters or invalid UTF-8 anywhere, well-formed addresses and links.
// A message that fails is never sent in part.
func (m Mail) Validate() error {
	hs, err := m.headers()
	if err != nil {
		return err
	}
	_, err = appendHeaders(nil, hs)
	return err
}

// appendHeaders writes header fields, folded, after dst.
func appendHeaders(dst []byte, hs []header) ([]byte, error) {
	for _, h := range hs {
		var err error
		if dst, err = appendHeader(dst, h); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// header is one header field, its value ready to be folded.
type header struct{ name, value string }

// headers checks the message and returns its header fields in order.
func (m Mail) headers() ([]header, error) {
	var hs []header
	add := func(name, value string) { hs = append(hs, header{name, value}) }

	from, err := formatAddress("From", m.From)
	if err != nil {
		return nil, err
	}
	add("From", from)
	to, err := formatAddress("To", m.To)
	if err != nil {
		return nil, err
	}
	add("To", to)
	if m.ReplyTo != nil {
		replyTo, err := formatAddress("Reply-To", *m.ReplyTo)
		if err != nil {
			return nil, err
		}
		add("Reply-To", replyTo)
	}
	if err := checkHeaderText("Subject", m.Subject); err != nil {
		return nil, err
	}
	add("Subject", encodeText(m.Subject))
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	add("Date", date.Format(time.RFC1123Z))
	id := m.MessageID
	if id == "" {
		id = NewMessageID(m.From.Email)
	} else if err := checkMessageID(id); err != nil {
		return nil, err
	}
	add("Message-ID", id)
	add("MIME-Version", "1.0")

	if m.ListID != "" || m.ListName != "" {
		listID, err := formatListID(m.ListName, m.ListID)
		if err != nil {
			return nil, err
		}
		add("List-Id", listID)
	}
	var unsubscribe []string
	if m.ListUnsubscribeURL != "" {
		if err := checkUnsubscribeURL(m.ListUnsubscribeURL); err != nil {
			return nil, err
		}
		unsubscribe = append(unsubscribe, "<"+m.ListUnsubscribeURL+">")
	}
	if m.ListUnsubscribeMailto != "" {
		if err := checkUnsubscribeMailto(m.ListUnsubscribeMailto); err != nil {
			return nil, err
		}
		unsubscribe = append(unsubscribe, "<"+m.ListUnsubscribeMailto+">")
	}
	if len(unsubscribe) > 0 {
		add("List-Unsubscribe", strings.Join(unsubscribe, ", "))
	}
	if m.ListUnsubscribeURL != "" {
		add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	extra, err := m.extraHeaders()
	if err != nil {
		return nil, err
	}
	hs = append(hs, extra...)

	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"HTML", m.HTML}} {
		if part.body == "" {
			return nil, fmt.Errorf("%w: no %s part", ErrInvalidMail, part.name)
		}
		if !utf8.ValidString(part.body) {
			return nil, fmt.Errorf("%w: %s part: invalid UTF-8", ErrInvalidMail, part.name)
		}
	}
	return hs, nil
}

// extraHeaders checks m.Headers and returns them sorted by name, so that
// the same message always encodes the same way.
func (m Mail) extraHeaders() ([]header, error) {
	var hs []header
	seen := map[string]bool{}
	for name, value := range m.Headers {
		if err := checkHeaderName(name); err != nil {
			return nil, err
		}
		canonical := textproto.CanonicalMIMEHeaderKey(name)
		if reserved(canonical) {
			return nil, fmt.Errorf("%w: header %s is written from the message's own fields", ErrInvalidMail, name)
		}
		if seen[canonical] {
			return nil, fmt.Errorf("%w: header %s given twice", ErrInvalidMail, name)
		}
		seen[canonical] = true
		if err := checkHeaderText(name, value); err != nil {
			return nil, err
		}
		hs = append(hs, header{name, encodeText(value)})
	}
	slices.SortFunc(hs, func(a, b header) int { return strings.Compare(a.name, b.name) })
	return hs, nil
}

// MIME encodes the message as RFC 5322 bytes: multipart/alternative with
// the plain text first and the HTML second (clients show the last part
// they can), both UTF-8 in quoted-printable, with CRLF line ends.
func (m Mail) MIME() ([]byte, error) {
	hs, err := m.headers()
	if err != nil {
		return nil, err
	}
	boundary := rand.Text()
	hs = append(hs, header{"Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary})})
	// One allocation for the message, every recipient's being written
	// anew: folding adds a little to the headers, and the parts grow by a
	// few percent in quoted-printable.
	headerBytes := 0
	for _, h := range hs {
		headerBytes += len(h.name) + len(h.value) + 4
	}
	bodyBytes := len(m.Text) + len(m.HTML)
	msg := make([]byte, 0, headerBytes+headerBytes/16+bodyBytes+bodyBytes/8+512)
	if msg, err = appendHeaders(msg, hs); err != nil {
		return nil, err
	}
	msg = append(msg, "\r\n"...)
	for _, part := range []struct{ contentType, content string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		msg = append(msg, "--"...)
		msg = append(msg, boundary...)
		msg = append(msg, "\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: "...)
		msg = append(msg, part.contentType...)
		msg = append(msg, "\r\n\r\n"...)
		msg = appendQuotedPrintable(msg, part.content)
		msg = append(msg, "\r\n"...)
	}
	msg = append(msg, "--"...)
	msg = append(msg, boundary...)
	msg = append(msg, "--\r\n"...)
	return msg, nil
}

// qpLine is the longest line quoted-printable allows before the soft line
// break's "=" (RFC 2045: 76 characters in all).
const qpLine = 75

// appendQuotedPrintable appends s encoded as quoted-printable (RFC 2045)
// with CRLF line ends: the text's own line breaks become hard breaks,
// longer lines get soft breaks, and a space or tab before a line end is
// encoded so that no transport strips it. It does the work of
// mime/quotedprintable in one pass over the bytes, since every recipient's
// copy is encoded again.
func appendQuotedPrintable(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	col := 0
	for i := 0; i < len(s); {
		// Copy the run of bytes that go as they are and fit on the line.
		// Spaces and tabs join the run, as prose has one every few bytes;
		// the one a run may end with is given back if a line end follows
		// it, to be encoded below.
		j, end := i, min(len(s), i+qpLine-col)
		for j < end && qpLiteral[s[j]] {
			j++
		}
		if j > i && (s[j-1] == ' ' || s[j-1] == '\t') && (j == len(s) || s[j] == '\n' || s[j] == '\r') {
			j--
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
		// A space or tab goes as it is unless a line end follows it.
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

// qpLiteral marks the bytes that quoted-printable may leave as they are:
// printable ASCII but "=", and spaces and tabs, which stay as they are
// unless a line end follows them.
var qpLiteral = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

// appendHeader appends one header field, folded before a space wherever a
// line would pass 78 characters. Folding only ever inserts CRLF before
// existing whitespace, so unfolding gives back the value exactly. It
// writes into dst as it goes, without building each line as a string:
// every recipient's message writes its headers anew.
func appendHeader(dst []byte, h header) ([]byte, error) {
	lineStart := len(dst)
	dst = append(dst, h.name...)
	dst = append(dst, ':')
	blank := false // the line holds white space alone; the name's has a colon
	for w := range strings.SplitSeq(h.value, " ") {
		// Never fold before an empty word: a line of whitespace alone is
		// not allowed. The first word may go to a line of its own, so that
		// a 75-character encoded word stays within the line.
		if w != "" && len(dst)-lineStart+1+len(w) > foldAt && !blank {
			dst = append(dst, '\r', '\n')
			lineStart, blank = len(dst), true
		}
		dst = append(dst, ' ')
		dst = append(dst, w...)
		blank = blank && strings.TrimSpace(w) == ""
		if len(dst)-lineStart > lineLimit {
			return nil, fmt.Errorf("%w: header %s: a line of more than %d characters that cannot be folded", ErrInvalidMail, h.name, lineLimit)
		}
	}
	return append(dst, '\r', '\n'), nil
}

// checkHeaderText rejects what could end a header early or hide in it:
// invalid UTF-8 and control characters, line breaks and tabs included.
func checkHeaderText(name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%w: header %s: invalid UTF-8", ErrInvalidMail, name)
	}
	for i, r := range value {
		if isControl(r) {
			return fmt.Errorf("%w: header %s: control character %U at byte %d", ErrInvalidMail, name, r, i)
		}
	}
	return nil
}

// checkHeaderName accepts RFC 5322's field names: printable ASCII, no colon.
func checkHeaderName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: a header with no name", ErrInvalidMail)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return fmt.Errorf("%w: header name %q: character %q is not allowed", ErrInvalidMail, name, c)
		}
	}
	return nil
}

// encodeText encodes unstructured header text as RFC 2047 encoded words
// when it is not ASCII, or when it holds "=?" (see encodeWords).
func encodeText(s string) string {
	if strings.Contains(s, "=?") {
		return encodeWords(s)
	}
	return mime.QEncoding.Encode("utf-8", s)
}

// encodeWords encodes s as base64 encoded words, whatever it holds. Text
// with "=?" in it goes this way even when it is ASCII: left as it is, a
// reader's client would take "=?utf-8?q?Hi=0D=0ABcc:_x?=" in a subject or
// a display name for an encoded word of ours and show what it decodes to,
// a line break included. Encoded, it shows as it was typed.
func encodeWords(s string) string {
	// 45 bytes are 60 base64 characters: a word of 72, within RFC 2047's 75.
	const maxBytes = 45
	var b strings.Builder
	for s != "" {
		n := len(s)
		if n > maxBytes {
			n = maxBytes
			for n > 1 && !utf8.RuneStart(s[n]) {
				n--
			}
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("=?utf-8?b?")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		b.WriteString("?=")
		s = s[n:]
	}
	return b.String()
}

// formatAddress checks a mailbox and formats it, its display name quoted
// or encoded as needed.
func formatAddress(field string, a Address) (string, error) {
	if err := checkHeaderText(field, a.Name); err != nil {
		return "", err
	}
	if err := checkHeaderText(field, a.Email); err != nil {
		return "", err
	}
	if a.Email == "" {
		return "", fmt.Errorf("%w: header %s: no address", ErrInvalidMail, field)
	}
	parsed, err := mail.ParseAddress(a.Email)
	if err != nil || parsed.Name != "" || parsed.Address != a.Email {
		return "", fmt.Errorf("%w: header %s: %q is not a bare email address", ErrInvalidMail, field, a.Email)
	}
	if strings.Contains(a.Name, "=?") {
		return encodeWords(a.Name) + " " + (&mail.Address{Address: a.Email}).String(), nil
	}
	return (&mail.Address{Name: a.Name, Address: a.Email}).String(), nil
}

func domainOf(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }

// checkMessageID accepts "<left@right>" without whitespace or further
// angle brackets.
// NewMessageID is a fresh Message-ID in the sender's domain.
func NewMessageID(from string) string {
	return "<" + rand.Text() + "@" + domainOf(from) + ">"
}

func checkMessageID(id string) error {
	if err := checkHeaderText("Message-ID", id); err != nil {
		return err
	}
	inner, ok := strings.CutPrefix(id, "<")
	if ok {
		inner, ok = strings.CutSuffix(inner, ">")
	}
	left, right, found := strings.Cut(inner, "@")
	if !ok || !found || left == "" || right == "" || strings.ContainsAny(inner, " <>") || !isASCII(inner) {
		return fmt.Errorf("%w: header Message-ID: %q is not of the form <id@domain>", ErrInvalidMail, id)
	}
	return nil
}

// formatListID writes RFC 2919's List-Id: an optional phrase, then the
// identifier, a dot-atom with at least one dot, in angle brackets.
func formatListID(name, id string) (string, error) {
	if err := checkHeaderText("List-Id", name); err != nil {
		return "", err
	}
	if err := checkHeaderText("List-Id", id); err != nil {
		return "", err
	}
	if !isDotAtom(id) || !strings.Contains(id, ".") {
		return "", fmt.Errorf("%w: header List-Id: %q is not a list identifier such as daily.example.com", ErrInvalidMail, id)
	}
	if name == "" {
		return "<" + id + ">", nil
	}
	phrase := encodeText(name)
	if phrase == name {
		phrase = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return phrase + " <" + id + ">", nil
}

// isDotAtom reports whether s is RFC 5322 atext separated by single dots.
func isDotAtom(s string) bool {
	if s == "" {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
				return false
			}
		}
	}
	return true
}

// checkUnsubscribeURL accepts an absolute http(s) URL that can stand in
// angle brackets: printable ASCII, no spaces, quotes or brackets.
func checkUnsubscribeURL(u string) error {
	if err := checkHeaderText("List-Unsubscribe", u); err != nil {
		return err
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("%w: header List-Unsubscribe: %q is not an absolute https URL", ErrInvalidMail, u)
	}
	return checkBracketable(u)
}

// checkUnsubscribeMailto accepts mailto:address, with optional query.
func checkUnsubscribeMailto(u string) error {
	if err := checkHeaderText("List-Unsubscribe", u); err != nil {
		return err
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "mailto" || p.Opaque == "" {
		return fmt.Errorf("%w: header List-Unsubscribe: %q is not a mailto: URL", ErrInvalidMail, u)
	}
	to, err := url.PathUnescape(p.Opaque)
	if err == nil {
		_, err = mail.ParseAddress(to)
	}
	if err != nil {
		return fmt.Errorf("%w: header List-Unsubscribe: %q does not mail an address", ErrInvalidMail, u)
	}
	return checkBracketable(u)
}

func checkBracketable(u string) error {
	if !isASCII(u) || strings.ContainsAny(u, " <>\"") {
		return fmt.Errorf("%w: header List-Unsubscribe: %q holds characters that must be percent-encoded", ErrInvalidMail, u)
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
