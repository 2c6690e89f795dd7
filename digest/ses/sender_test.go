package ses_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/ses"
	"github.com/newsdigest/newsdigest/internal/faultproxy"
	"github.com/newsdigest/newsdigest/internal/seslocal"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func testMail() digest.Mail {
	return digest.Mail{
		From:                  digest.Address{Name: "Le Café du Matin", Email: "daily@newsdigest.example"},
		To:                    digest.Address{Name: "Zoë Ångström", Email: "zoe@reader.example"},
		Subject:               "26 nov. : le tramway est approuvé 🚋 — et 7 autres",
		Text:                  "Bonjour Zoë,\n\nLe conseil a voté pour le tramway.\n",
		HTML:                  "<!DOCTYPE html><html><body><p>Bonjour Zoë,</p><p>Le conseil a voté pour le <b>tramway</b>.</p></body></html>",
		ListID:                "daily.newsdigest.example",
		ListName:              "Le Café du Matin",
		ListUnsubscribeURL:    "https://newsdigest.example/unsubscribe?t=abc",
		ListUnsubscribeMailto: "mailto:unsubscribe@newsdigest.example?subject=abc",
		Tags:                  map[string]string{"edition": "2026-11-26"},
	}
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newSender(t testing.TB, cfg ses.Config, client ses.API) *ses.Sender {
	t.Helper()
	s, err := ses.New(cfg, client, discard())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sendEmailRequest is the SendEmail request body as it went on the wire.
type sendEmailRequest struct {
	FromEmailAddress     string
	ConfigurationSetName string
	Destination          struct{ ToAddresses []string }
	Content              struct{ Raw struct{ Data []byte } }
	EmailTags            []struct{ Name, Value string }
}

// recorder keeps the body of every request the client sends: the
// emulator parses a raw message and keeps none of its headers, so the
// headers are read from what was sent.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
		out.Body = io.NopCloser(bytes.NewReader(b))
	}
	return http.DefaultTransport.RoundTrip(out)
}

func (r *recorder) sendEmails(t *testing.T) []sendEmailRequest {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sendEmailRequest
	for _, b := range r.bodies {
		var req sendEmailRequest
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatalf("request body %q: %v", b, err)
		}
		out = append(out, req)
	}
	return out
}

func TestSendToLocalSES(t *testing.T) {
	srv := seslocal.Start(t)
	rec := &recorder{}
	client := seslocal.Client(t, srv.URL, func(o *sesv2.Options) {
		o.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second}
	})
	sender := newSender(t, ses.Config{ConfigurationSet: "newsdigest-events"}, client)
	m := testMail()
	id, err := sender.Send(ctxFor(t), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	stored := srv.Emails(t)
	if len(stored) != 1 {
		t.Fatalf("the emulator stored %d messages, want 1", len(stored))
	}
	got := stored[0]
	if id != got.MessageID || !strings.HasPrefix(id, "ses-") {
		t.Errorf("Send returned %q, the emulator's id is %q", id, got.MessageID)
	}
	for field, addrs := range map[string]struct {
		got  []string
		want digest.Address
	}{
		"From": {[]string{got.From}, m.From},
		"To":   {got.Destination.To, m.To},
	} {
		if len(addrs.got) != 1 {
			t.Errorf("%s: %q, want one address", field, addrs.got)
			continue
		}
		a, err := mail.ParseAddress(addrs.got[0])
		if err != nil || a.Name != addrs.want.Name || a.Address != addrs.want.Email {
			t.Errorf("%s: %q (%v), want %+v", field, addrs.got[0], err, addrs.want)
		}
	}
	if got.Subject != m.Subject {
		t.Errorf("Subject %q, want %q", got.Subject, m.Subject)
	}
	if got.Body.Text != m.Text {
		t.Errorf("text %q, want %q", got.Body.Text, m.Text)
	}
	if got.Body.HTML != m.HTML {
		t.Errorf("HTML %q, want %q", got.Body.HTML, m.HTML)
	}
	if len(got.Attachments) != 0 {
		t.Errorf("%d attachments, want none", len(got.Attachments))
	}

	sent := rec.sendEmails(t)
	if len(sent) != 1 {
		t.Fatalf("%d requests, want 1", len(sent))
	}
	req := sent[0]
	if req.FromEmailAddress != m.From.Email || len(req.Destination.ToAddresses) != 1 || req.Destination.ToAddresses[0] != m.To.Email {
		t.Errorf("envelope from %q to %q, want %q to %q", req.FromEmailAddress, req.Destination.ToAddresses, m.From.Email, m.To.Email)
	}
	if req.ConfigurationSetName != "newsdigest-events" {
		t.Errorf("configuration set %q, want newsdigest-events", req.ConfigurationSetName)
	}
	if len(req.EmailTags) != 1 || req.EmailTags[0].Name != "edition" || req.EmailTags[0].Value != "2026-11-26" {
		t.Errorf("tags %+v, want edition=2026-11-26", req.EmailTags)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(req.Content.Raw.Data))
	if err != nil {
		t.Fatalf("the raw message does not parse: %v", err)
	}
	for name, want := range map[string]string{
		"List-Unsubscribe":      "<" + m.ListUnsubscribeURL + ">, <" + m.ListUnsubscribeMailto + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Id":               "=?utf-8?q?Le_Caf=C3=A9_du_Matin?= <" + m.ListID + ">",
	} {
		if got := msg.Header[name]; len(got) != 1 || got[0] != want {
			t.Errorf("header %s: %q, want [%q]", name, got, want)
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("raw Subject decodes to %q (%v), want %q", subject, err, m.Subject)
	}
	// The sender gave the message its Message-ID, in the sender's domain.
	if mid := msg.Header.Get("Message-Id"); !strings.HasPrefix(mid, "<") || !strings.HasSuffix(mid, "@newsdigest.example>") {
		t.Errorf("Message-ID %q, want <…@newsdigest.example>", mid)
	}
	if msg.Header.Get("X-Newsdigest-Edition") != "" || bytes.Contains(req.Content.Raw.Data, []byte("2026-11-26")) {
		t.Error("the edition tag leaked into the message")
	}
}

func TestSendKeepsTheGivenMessageID(t *testing.T) {
	srv := seslocal.Start(t)
	rec := &recorder{}
	client := seslocal.Client(t, srv.URL, func(o *sesv2.Options) {
		o.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second}
	})
	sender := newSender(t, ses.Config{}, client)
	m := testMail()
	m.MessageID = "<2026-11-26.zoe@newsdigest.example>"
	m.Tags = nil
	if _, err := sender.Send(ctxFor(t), m); err != nil {
		t.Fatal(err)
	}
	req := rec.sendEmails(t)[0]
	msg, err := mail.ReadMessage(bytes.NewReader(req.Content.Raw.Data))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Message-Id"); got != m.MessageID {
		t.Errorf("Message-ID %q, want %q", got, m.MessageID)
	}
	if req.ConfigurationSetName != "" || req.EmailTags != nil {
		t.Errorf("configuration set %q and tags %+v, want neither", req.ConfigurationSetName, req.EmailTags)
	}
}

// TestSendErrors sends through a proxy that answers every request with one
// fault, in the shape the real service sends it, and checks which digest
// error each becomes. Each case also shows the client does not retry: one
// send, one request.
func TestSendErrors(t *testing.T) {
	srv := seslocal.Start(t)
	sentinels := []error{digest.ErrThrottled, digest.ErrRejected, digest.ErrQuotaExhausted, digest.ErrInvalidMail}
	tests := []struct {
		name  string
		fault faultproxy.Fault
		mail  func(*digest.Mail)
		want  error  // nil: a passing error, no sentinel
		code  string // the SES error code kept in the chain
		calls int    // requests that reach the proxy
	}{
		{name: "sending rate", fault: faultproxy.Throttle(), want: digest.ErrThrottled, code: "TooManyRequestsException", calls: 1},
		{name: "common throttling", fault: faultproxy.APIError(400, "ThrottlingException", "Rate exceeded"), want: digest.ErrThrottled, code: "ThrottlingException", calls: 1},
		{name: "429 without a code", fault: faultproxy.Fault{Status: 429, Body: "{}"}, want: digest.ErrThrottled, code: "UnknownError", calls: 1},
		{name: "daily quota", fault: faultproxy.DailyQuota(), want: digest.ErrQuotaExhausted, code: "LimitExceededException", calls: 1},
		{name: "daily quota as throttling", fault: faultproxy.APIError(429, "TooManyRequestsException", "Daily message quota exceeded."), want: digest.ErrQuotaExhausted, code: "TooManyRequestsException", calls: 1},
		{name: "other limit", fault: faultproxy.APIError(400, "LimitExceededException", "There are too many instances of the specified resource type."), want: nil, code: "LimitExceededException", calls: 1},
		{name: "sending paused", fault: faultproxy.APIError(400, "SendingPausedException", "Sending is paused for this account."), want: digest.ErrQuotaExhausted, code: "SendingPausedException", calls: 1},
		{name: "account suspended", fault: faultproxy.APIError(400, "AccountSuspendedException", "The account is suspended."), want: digest.ErrQuotaExhausted, code: "AccountSuspendedException", calls: 1},
		{name: "message rejected", fault: faultproxy.Rejected(), want: digest.ErrRejected, code: "MessageRejected", calls: 1},
		{name: "mail-from domain", fault: faultproxy.APIError(400, "MailFromDomainNotVerifiedException", "The MAIL FROM domain is not verified."), want: digest.ErrRejected, code: "MailFromDomainNotVerifiedException", calls: 1},
		{name: "illegal address", fault: faultproxy.APIError(400, "BadRequestException", "Illegal address"), want: digest.ErrRejected, code: "BadRequestException", calls: 1},
		{name: "missing domain", fault: faultproxy.APIError(400, "BadRequestException", "Missing final '@domain'"), want: digest.ErrRejected, code: "BadRequestException", calls: 1},
		{name: "other bad request", fault: faultproxy.APIError(400, "BadRequestException", "Configuration set names can only contain alphanumeric characters."), want: nil, code: "BadRequestException", calls: 1},
		{name: "unavailable", fault: faultproxy.Unavailable(), want: nil, code: "ServiceUnavailable", calls: 1},
		{name: "internal error", fault: faultproxy.InternalError(), want: nil, code: "InternalFailure", calls: 1},
		{name: "reset connection", fault: faultproxy.Reset(), want: nil, calls: 1},
		{name: "invalid mail", fault: faultproxy.Throttle(), mail: func(m *digest.Mail) { m.To.Email = "not an address" }, want: digest.ErrInvalidMail, calls: 0},
		{name: "invalid tag", fault: faultproxy.Throttle(), mail: func(m *digest.Mail) { m.Tags = map[string]string{"edition": "2026/11/26"} }, want: digest.ErrInvalidMail, calls: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{Rate: 1, Faults: []faultproxy.Fault{tt.fault}})
			sender := newSender(t, ses.Config{}, seslocal.Client(t, proxy.URL))
			m := testMail()
			if tt.mail != nil {
				tt.mail(&m)
			}
			id, err := sender.Send(ctxFor(t), m)
			if err == nil {
				t.Fatalf("Send returned %q and no error", id)
			}
			for _, sentinel := range sentinels {
				if got := errors.Is(err, sentinel); got != (sentinel == tt.want) {
					t.Errorf("errors.Is(err, %q) = %v: %v", sentinel, got, err)
				}
			}
			var apiErr smithy.APIError
			switch {
			case tt.code != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code):
				t.Errorf("the chain holds no SES error %s: %v", tt.code, err)
			case tt.code == "" && errors.As(err, &apiErr):
				t.Errorf("an SES error %s in the chain, want none: %v", apiErr.ErrorCode(), err)
			}
			if got := proxy.Faulted() + proxy.Forwarded(); got != tt.calls {
				t.Errorf("%d requests, want %d", got, tt.calls)
			}
		})
	}
	if n := len(srv.Emails(t)); n != 0 {
		t.Errorf("the emulator stored %d messages, want none", n)
	}
}

// TestSendThroughFlakyProxy: with a share of the requests faulted, every
// send either arrives or fails with the error its fault stands for, and
// the same seed faults the same sends.
func TestSendThroughFlakyProxy(t *testing.T) {
	const sends = 60
	srv := seslocal.Start(t)
	cfg := faultproxy.Config{
		Seed:   20261126,
		Rate:   0.3,
		Faults: []faultproxy.Fault{faultproxy.Throttle(), faultproxy.Reset(), faultproxy.Unavailable()},
	}
	run := func() string {
		proxy := faultproxy.Start(t, srv.URL, cfg)
		sender := newSender(t, ses.Config{}, seslocal.Client(t, proxy.URL))
		var outcomes strings.Builder
		ok := 0
		for range sends {
			_, err := sender.Send(ctxFor(t), testMail())
			switch {
			case err == nil:
				ok++
				outcomes.WriteByte('.')
			case errors.Is(err, digest.ErrThrottled):
				outcomes.WriteByte('T')
			case errors.Is(err, digest.ErrRejected), errors.Is(err, digest.ErrQuotaExhausted), errors.Is(err, digest.ErrInvalidMail):
				t.Errorf("a fault became %v", err)
			default:
				outcomes.WriteByte('x') // a reset or a 503: passing
			}
		}
		if ok != proxy.Forwarded() || sends-ok != proxy.Faulted() {
			t.Errorf("%d sent, %d failed; the proxy forwarded %d and faulted %d", ok, sends-ok, proxy.Forwarded(), proxy.Faulted())
		}
		return outcomes.String()
	}
	first := run()
	second := run()
	if first != second {
		t.Errorf("the same seed gave different faults:\n%s\n%s", first, second)
	}
	throttled, passing := strings.Count(first, "T"), strings.Count(first, "x")
	if throttled == 0 || passing == 0 || throttled+passing < sends/10 || throttled+passing > sends/2 {
		t.Errorf("outcomes %s: %d throttled, %d passing, want some of each, about 30%% in all", first, throttled, passing)
	}
	if got, want := len(srv.Emails(t)), 2*strings.Count(first, "."); got != want {
		t.Errorf("the emulator stored %d messages, want %d", got, want)
	}
}

func TestSendAfterDailyQuota(t *testing.T) {
	srv := seslocal.Start(t)
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{QuotaAfter: 3})
	sender := newSender(t, ses.Config{}, seslocal.Client(t, proxy.URL))
	for i := range 5 {
		_, err := sender.Send(ctxFor(t), testMail())
		if i < 3 && err != nil {
			t.Errorf("send %d: %v, want it sent", i+1, err)
		}
		if i >= 3 && !errors.Is(err, digest.ErrQuotaExhausted) {
			t.Errorf("send %d: %v, want %v", i+1, err, digest.ErrQuotaExhausted)
		}
	}
	if n := len(srv.Emails(t)); n != 3 {
		t.Errorf("the emulator stored %d messages, want 3", n)
	}
}

func TestAccount(t *testing.T) {
	srv := seslocal.Start(t)
	sender := newSender(t, ses.Config{}, seslocal.Client(t, srv.URL))
	rate, max24, sent, err := sender.Account(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.Quota; rate != q.MaxSendRate || max24 != q.Max24HourSend || sent != q.SentLast24Hours {
		t.Errorf("Account() = %v, %v, %v, want %+v", rate, max24, sent, q)
	}

	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{Rate: 1})
	throttled := newSender(t, ses.Config{}, seslocal.Client(t, proxy.URL))
	if _, _, _, err := throttled.Account(ctxFor(t)); !errors.Is(err, digest.ErrThrottled) {
		t.Errorf("Account through a throttling proxy: %v, want %v", err, digest.ErrThrottled)
	}
}

// noID answers SendEmail without a MessageId.
type noID struct{ ses.API }

func (noID) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return &sesv2.SendEmailOutput{}, nil
}

func TestSendWithoutAnSESID(t *testing.T) {
	m := testMail()
	m.MessageID = "<2026-11-26.zoe@newsdigest.example>"
	id, err := newSender(t, ses.Config{}, noID{}).Send(ctxFor(t), m)
	if err != nil || id != m.MessageID {
		t.Errorf("Send = %q, %v, want the Message-ID %q", id, err, m.MessageID)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name   string
		cfg    ses.Config
		client ses.API
		ok     bool
	}{
		{"no configuration set", ses.Config{}, noID{}, true},
		{"configuration set", ses.Config{ConfigurationSet: "newsdigest-events_1"}, noID{}, true},
		{"configuration set with a dot", ses.Config{ConfigurationSet: "newsdigest.events"}, noID{}, false},
		{"configuration set too long", ses.Config{ConfigurationSet: strings.Repeat("a", 65)}, noID{}, false},
		{"no client", ses.Config{}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ses.New(tt.cfg, tt.client, discard())
			if (err == nil) != tt.ok {
				t.Errorf("New: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// BenchmarkSendLocal measures sends a second through the SES v2 API, one
// at a time and with 32 in flight, against aws-ses-v2-local on loopback:
// the figure is the emulator's and the client's, not SES's, whose account
// rate is the real limit. The emulator starts once, in the parent.
func BenchmarkSendLocal(b *testing.B) {
	srv := seslocal.Start(b)
	sender := newSender(b, ses.Config{}, seslocal.Client(b, srv.URL))
	m := testMail()
	m.MessageID = "<bench@newsdigest.example>"
	for _, workers := range []int{1, 32} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var next atomic.Int64
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if _, err := sender.Send(context.Background(), m); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
		})
	}
}
