package digest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets of the files and messages newsdigest reads besides the
// articles: the subscriber file, the unsubscribe link and the SES
// notification SNS delivers; and of Parse on a file whose name says
// nothing of its format. fuzz_test.go has the article parsers' targets.

// FuzzParseSniffed: a file without a known extension is sniffed, and
// whatever it is, comes out as a clean article or an error with a reason,
// its text holding no markup and no characters that reorder it.
func FuzzParseSniffed(f *testing.F) {
	for _, pattern := range []string{"testdata/articles/*", "../examples/articles/2026/11/25/*"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("---\ntitle: \"<scr<script>ipt>x\\u202e\"\n---\n\nBody &lt;b&gt;text&lt;/b&gt;.\n"))
	f.Add([]byte(`{"title": "a\u0000b &lt;script&gt;", "body": "x\u0007y"}`))
	f.Add([]byte("<html><head><meta property=\"og:title\" content=\"T&#7;&#x202E;\"></head><body><p>Text</p></body></html>"))
	f.Add([]byte("\xff\xfeT\x00i\x00t\x00l\x00e\x00\n\x00\n\x00B\x00o\x00d\x00y\x00"))
	corpus := NewHeadlines()
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("2026/11/25/001_fuzz", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a reason")
			}
			return
		}
		checkClean(t, a)
		checkNoMarkup(t, a)
		ResolveRelated([]Article{a}, corpus)
	})
}

// checkNoMarkup asserts what cleanText adds to checkClean: no tag left in
// the text, and no bidirectional controls.
func checkNoMarkup(t *testing.T, a Article) {
	t.Helper()
	fields := append([]string{a.Title, a.Dek, a.Source, a.Section}, a.Paragraphs...)
	for _, r := range a.Related {
		fields = append(fields, r.Title)
	}
	for _, s := range fields {
		if markup.MatchString(s) || strings.ContainsFunc(s, func(r rune) bool { return dropFieldControl(r) != r && r != ' ' }) {
			t.Fatalf("markup or control left in %q", s)
		}
	}
	if !strings.ContainsFunc(a.Title, isLetterOrDigit) || len(a.Paragraphs) > maxParagraphs || len(a.Related) > maxRelated {
		t.Fatalf("title %q, %d paragraphs, %d related", a.Title, len(a.Paragraphs), len(a.Related))
	}
}

// FuzzParseSubscribersCSV and FuzzParseSubscribersJSONLines: whatever the
// file, every subscriber kept has an address net/mail reads as itself and
// a status, names and sections fit for a header, no address twice; every
// row refused has a line number; and the kept list, written as the stores
// write it and read again, is the same list.
func FuzzParseSubscribersCSV(f *testing.F) {
	f.Add([]byte("email,name,status,sections,created\n" +
		"ana@example.com,Ana Ruiz,active,politics;sport,2026-01-05\n" +
		"not-an-address,Nobody,active,,\n" +
		"ANA@EXAMPLE.COM,Ana again,,,\n" +
		"bob@example.com,\"Bob, Jr.\",unsubscribed,,2026-02-01T10:00:00Z\n" +
		"eve@example.com,\"Eve\r\nBcc: x@example.com\",,,\n" +
		"\"Ann Other\" <ann@example.com>,,,,\n"))
	f.Add([]byte("\uFEFFEmail;Name\nana@example.com;Ana\n"))
	f.Add([]byte(strings.Join(SubscriberCSVHeader(), ",") + "\nzoe@example.com,Zoë,bounced,news,2026-01-01,2026-02-01T00:00:00Z,permanent bounce,2026-01-10T00:00:00Z;2026-01-11T00:00:00Z\n"))
	f.Add([]byte("email\n\"unterminated@example.com\n"))
	if data, err := os.ReadFile("../examples/subscribers.csv"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSubscribers(t, data, false) })
}

func FuzzParseSubscribersJSONLines(f *testing.F) {
	f.Add([]byte(`{"email":"ana@example.com","name":"Ana","sections":["politics"]}
{"email":42}
not json

{"email":"bob@example.com","status":"complained","created":"2026-03-01"}
{"email":"ANA@example.com","name":"Ana\r\nBcc: x@example.com"}
{"email":"cy@example.com","sections":["a;b","A","\u0007"],"created":"2026-03-01T10:00:00.5+02:00"}
`))
	f.Add([]byte(`{"email":"\"quoted local\"@example.com","status":"ACTIVE"}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSubscribers(t, data, true) })
}

func fuzzSubscribers(t *testing.T, data []byte, jsonLines bool) {
	subs, bad, err := ParseSubscribers(bytes.NewReader(data), jsonLines)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("error without a reason")
		}
		return
	}
	lines := 1 + bytes.Count(data, []byte("\n"))
	for _, b := range bad {
		if b.Line < 1 || b.Line > lines || b.Error == "" {
			t.Fatalf("row error %+v in a file of %d lines", b, lines)
		}
	}
	if len(subs)+len(bad) > lines {
		t.Fatalf("%d subscribers and %d row errors from %d lines", len(subs), len(bad), lines)
	}
	keys := map[string]bool{}
	for _, s := range subs {
		addr, err := mail.ParseAddress(s.Email)
		if err != nil || addr.Address != s.Email || addr.Name != "" || len(s.Email) > maxAddress ||
			strings.ContainsFunc(s.Email, func(r rune) bool { return isControl(r) || dropFieldControl(r) != r }) {
			t.Fatalf("kept the address %q (%v)", s.Email, err)
		}
		if keys[s.Key()] {
			t.Fatalf("%s kept twice", s.Key())
		}
		keys[s.Key()] = true
		if !s.Status.valid() {
			t.Fatalf("%s kept with the status %q", s.Email, s.Status)
		}
		for _, text := range append([]string{s.Name}, s.Sections...) {
			if !utf8.ValidString(text) || strings.ContainsFunc(text, isControl) || utf8.RuneCountInString(text) > maxSubscriberField || text != strings.TrimSpace(text) {
				t.Fatalf("%s kept with %q", s.Email, text)
			}
		}
		for i, sec := range s.Sections {
			if sec == "" || sec != strings.ToLower(sec) || slices.Contains(s.Sections[:i], sec) {
				t.Fatalf("%s kept with the sections %q", s.Email, s.Sections)
			}
		}
	}

	// Written as the stores write the list, and read again.
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(SubscriberCSVHeader())
	for _, s := range subs {
		w.Write(s.CSVRecord())
	}
	w.Flush()
	again, bad, err := ParseSubscribers(&buf, false)
	if err != nil || len(bad) > 0 || len(again) != len(subs) {
		t.Fatalf("the kept list read again: %d of %d subscribers, %+v, %v", len(again), len(subs), bad, err)
	}
	for i, s := range subs {
		g := again[i]
		if g.Email != s.Email || g.Name != s.Name || g.Status != s.Status || !slices.Equal(g.Sections, s.Sections) ||
			!g.Created.Equal(s.Created.Truncate(time.Second)) {
			t.Fatalf("read again as %+v, was %+v", g, s)
		}
	}
}

// fuzzTokens signs with a fixed key.
func fuzzTokens(t testing.TB) *Tokens {
	tokens, err := NewTokens([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// FuzzCheckUnsubscribe: no query is accepted but one whose token is the
// one Sign gives its list and address, byte for byte.
func FuzzCheckUnsubscribe(f *testing.F) {
	tokens := fuzzTokens(f)
	for _, pair := range [][2]string{{"daily", "ana@example.com"}, {"weekly", "Bob@Example.com"}, {"d", "x"}} {
		link := tokens.UnsubscribeURL("https://news.example/unsubscribe", pair[0], pair[1])
		f.Add(link[strings.IndexByte(link, '?')+1:])
	}
	f.Add("l=daily&a=YW5hQGV4YW1wbGUuY29t&t=")
	f.Add("l=daily&l=weekly&a=YW5hQGV4YW1wbGUuY29t&t=AAAA")
	f.Add("l=%00&a=%00&t=%00")
	f.Fuzz(func(t *testing.T, query string) {
		q, _ := url.ParseQuery(query)
		list, email, err := tokens.CheckUnsubscribe(q)
		if err != nil {
			if err != ErrBadToken {
				t.Fatalf("error %v, want ErrBadToken", err)
			}
			return
		}
		if list == "" || email == "" || list != q.Get("l") || q.Get("t") != tokens.Sign(list, email) {
			t.Fatalf("accepted %q for list %q, address %q", query, list, email)
		}
	})
}

// FuzzUnsubscribeRoundTrip: the link made for a list and an address gives
// them back exactly, under that key only; a token changed by one byte, or
// moved to another list or address, is refused.
func FuzzUnsubscribeRoundTrip(f *testing.F) {
	f.Add("daily", "ana@example.com", "bob@example.com", 5, byte('A'), false)
	f.Add("news & views", "Ana.Ruiz+news@Example.COM", "ana.ruiz+news@example.com", 42, byte('\n'), true)
	f.Add("d", "\"quoted\"@example.com", "", 0, byte('='), true)
	f.Add("l\x00", "a\x00b", "x", 100, byte(0), false)
	tokens := fuzzTokens(f)
	other, _ := NewTokens([]byte("another key, just as long as it!"))
	f.Fuzz(func(t *testing.T, list, email, otherEmail string, pos int, c byte, insert bool) {
		link := tokens.UnsubscribeURL("https://news.example/unsubscribe?from=mail", list, email)
		u, err := url.Parse(link)
		if err != nil {
			t.Fatalf("link %q: %v", link, err)
		}
		q := u.Query()
		gotList, gotEmail, err := tokens.CheckUnsubscribe(q)
		signable := list != "" && email != "" && !strings.ContainsRune(list+email, 0)
		switch {
		case signable && (err != nil || gotList != list || gotEmail != email):
			t.Fatalf("the link for %q, %q gave %q, %q, %v", list, email, gotList, gotEmail, err)
		case !signable && err == nil:
			t.Fatalf("the link for %q, %q was accepted", list, email)
		case !signable:
			return
		}
		if _, _, err := other.CheckUnsubscribe(q); err == nil {
			t.Fatal("accepted under another key")
		}
		if EmailKey(otherEmail) != EmailKey(email) {
			moved := url.Values{"l": {list}, "a": {base64.RawURLEncoding.EncodeToString([]byte(otherEmail))}, "t": {q.Get("t")}}
			if _, _, err := tokens.CheckUnsubscribe(moved); err == nil {
				t.Fatalf("the token of %q accepted for %q", email, otherEmail)
			}
		}
		token := []byte(q.Get("t"))
		pos = int(uint(pos) % uint(len(token)+1))
		var changed []byte
		if insert || pos == len(token) {
			changed = slices.Insert(slices.Clone(token), pos, c)
		} else {
			changed = slices.Clone(token)
			changed[pos] = c
		}
		if string(changed) != string(token) {
			q.Set("t", string(changed))
			if _, _, err := tokens.CheckUnsubscribe(q); err == nil {
				t.Fatalf("token %q accepted for %q", changed, token)
			}
		}
	})
}

// fuzzSuppressor is a list that knows every address, and records what was
// done to which.
type fuzzSuppressor struct {
	mu         sync.Mutex
	suppressed map[string]Status
	bounces    map[string][]time.Time
}

func (s *fuzzSuppressor) Suppress(_ context.Context, email string, status Status, _ string, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suppressed[email] = status
	return nil
}

func (s *fuzzSuppressor) TransientBounce(_ context.Context, email string, at time.Time) ([]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bounces[email] = append(s.bounces[email], at)
	return slices.Clone(s.bounces[email]), nil
}

// FuzzFeedback: whatever SNS delivers, Handle suppresses or counts only
// addresses the message names, and only for a bounce or a complaint; any
// other notification is ignored, and a body that is not one is an error.
func FuzzFeedback(f *testing.F) {
	for _, name := range []string{"feedback-bounce-permanent.json", "feedback-bounce-transient.json", "feedback-complaint.json", "feedback-delivery.json"} {
		data, err := os.ReadFile("../infra/events/" + name)
		if err != nil {
			continue
		}
		var event struct {
			Records []struct{ Sns struct{ Message string } }
		}
		if json.Unmarshal(data, &event) == nil && len(event.Records) == 1 {
			f.Add([]byte(event.Records[0].Sns.Message))
		}
	}
	f.Add([]byte(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@example.com"},{"emailAddress":"b@example.com"}]}}`))
	f.Add([]byte(`{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"c@example.com"}],"timestamp":"2026-11-25T08:00:00Z"}}`))
	f.Add([]byte(`{"notificationType":"Delivery","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"d@example.com"}]}}`))
	f.Add([]byte(`{"NOTIFICATIONTYPE":"Bounce","Bounce":{"BounceType":"Transient","bouncedRecipients":[{"EmailAddress":"e@example.com"}]}}`))
	f.Add([]byte(`null`))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, message []byte) {
		store := &fuzzSuppressor{suppressed: map[string]Status{}, bounces: map[string][]time.Time{}}
		res, err := NewFeedback(store, logger).Handle(context.Background(), message)
		touched := len(store.suppressed) + len(store.bounces)
		if err != nil {
			if touched > 0 {
				t.Fatalf("failed (%v) after changing %d addresses", err, touched)
			}
			return
		}
		if res.Kind != "Bounce" && res.Kind != "Complaint" {
			if touched > 0 || !res.Ignored {
				t.Fatalf("a %q notification changed %d addresses (ignored: %v)", res.Kind, touched, res.Ignored)
			}
			return
		}
		named := jsonStrings(message)
		for email, status := range store.suppressed {
			want := map[string]Status{"Bounce": StatusBounced, "Complaint": StatusComplained}[res.Kind]
			if !named[email] || status != want {
				t.Fatalf("a %s suppressed %q as %s; the message names %v", res.Kind, email, status, slices.Sorted(maps.Keys(named)))
			}
		}
		for email := range store.bounces {
			if !named[email] || res.Kind != "Bounce" {
				t.Fatalf("a %s counted a bounce of %q", res.Kind, email)
			}
		}
		for _, email := range res.Suppressed {
			if _, ok := store.suppressed[email]; !ok {
				t.Fatalf("result %+v says %q was suppressed", res, email)
			}
		}
		for _, email := range res.Counted {
			if len(store.bounces[email]) == 0 {
				t.Fatalf("result %+v says a bounce of %q was counted", res, email)
			}
		}
	})
}

// jsonStrings is every string in a JSON text, keys included, however often
// and in whatever case it occurs: what the decoder could have read as an
// address.
func jsonStrings(data []byte) map[string]bool {
	out := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok {
			out[s] = true
		}
	}
}
