package ses_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/ses"
	"github.com/newsdigest/newsdigest/internal/faultproxy"
	"github.com/newsdigest/newsdigest/internal/seslocal"
)

// letter personalizes nothing but the unsubscribe link: enough for the
// delivery path.
type letter struct{}

func (letter) Personalize(p digest.Personal) (digest.Copy, error) {
	return digest.Copy{Subject: "Nov 26: the news", HTML: `<p><a href="` + p.UnsubscribeURL + `">Unsubscribe</a></p>`, Text: "Unsubscribe: " + p.UnsubscribeURL}, nil
}

func newDeliverer(t *testing.T, endpoint string, ledger digest.Ledger, cfg digest.DeliveryConfig) *digest.Deliverer {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sender, err := ses.New(ses.Config{ConfigurationSet: "newsdigest"}, seslocal.Client(t, endpoint), logger)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := digest.NewTokens([]byte(strings.Repeat("t", 32)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.From = digest.Address{Name: "The Newsdigest Daily", Email: "digest@newsdigest.example"}
	cfg.ListID, cfg.UnsubscribeURL = "daily.newsdigest.example", "https://newsdigest.example/unsubscribe"
	cfg.Backoff = time.Millisecond
	d, err := digest.NewDeliverer(cfg, sender, ledger, tokens, logger)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func list(n int) []digest.Subscriber {
	out := make([]digest.Subscriber, n)
	for i := range out {
		out[i] = digest.Subscriber{Email: fmt.Sprintf("reader%03d@example.com", i), Status: digest.StatusActive}
	}
	return out
}

// received counts, from the emulator's store, how often each address got
// mail.
func received(t *testing.T, srv *seslocal.Server) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, e := range srv.Emails(t) {
		for _, to := range e.Destination.To {
			a, err := mail.ParseAddress(to)
			if err != nil {
				t.Fatalf("stored recipient %q: %v", to, err)
			}
			got[a.Address]++
		}
	}
	return got
}

func exactlyOnce(t *testing.T, got map[string]int, want []digest.Subscriber) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d addresses got mail, want %d", len(got), len(want))
	}
	for _, s := range want {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d messages, want 1", s.Email, got[s.Email])
		}
	}
}

var issue = digest.Issue{Edition: "2026-11-26", Copy: letter{}, ViewURL: "https://newsdigest.example/archive/2026-11-26/"}

// TestDeliveryThroughFaults sends to 200 readers through a proxy that
// answers a third of the calls with throttling, 503s and reset
// connections: every reader gets the edition exactly once, counted in the
// emulator's store.
func TestDeliveryThroughFaults(t *testing.T) {
	srv := seslocal.Start(t)
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{Seed: 26, Rate: 0.33,
		Faults: []faultproxy.Fault{faultproxy.Throttle(), faultproxy.Throttle(), faultproxy.Unavailable(), faultproxy.Reset()}})
	ledger, err := fs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	readers := list(200)
	d := newDeliverer(t, proxy.URL, ledger, digest.DeliveryConfig{Concurrency: 16, MaxAttempts: 12})
	var total digest.Report
	for run := 0; run < 4; run++ {
		r, err := d.Deliver(context.Background(), issue, readers, nil)
		if err != nil {
			t.Fatal(err)
		}
		total.Add(r)
		if len(r.Deferred) == 0 {
			break
		}
	}
	exactlyOnce(t, received(t, srv), readers)
	if total.Sent != len(readers) || len(total.Failed) != 0 || total.Throttled == 0 {
		t.Errorf("report: sent %d, failed %d, throttled %d", total.Sent, len(total.Failed), total.Throttled)
	}
	t.Logf("%d sent through %d faulted and %d forwarded calls, %d throttled answers retried", total.Sent, proxy.Faulted(), proxy.Forwarded(), total.Throttled)
}

// TestDeliveryStopsWhenTheQuotaIsSpent: SES says the daily quota is spent
// after 40 sends; the run stops cleanly, and the next day's run sends the
// rest, each reader once.
func TestDeliveryStopsWhenTheQuotaIsSpent(t *testing.T) {
	srv := seslocal.Start(t)
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{QuotaAfter: 40})
	ledger, err := fs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	readers := list(100)
	first, err := newDeliverer(t, proxy.URL, ledger, digest.DeliveryConfig{Concurrency: 8}).Deliver(context.Background(), issue, readers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Sent != 40 || !strings.Contains(first.Stopped, "quota") || first.Sent+len(first.Deferred) != 100 {
		t.Fatalf("first day: sent %d, deferred %d, stopped %q", first.Sent, len(first.Deferred), first.Stopped)
	}
	next, err := newDeliverer(t, srv.URL, ledger, digest.DeliveryConfig{Concurrency: 8}).Deliver(context.Background(), issue, readers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Sent != 60 || next.AlreadySent != 40 {
		t.Errorf("next day: sent %d, already sent %d", next.Sent, next.AlreadySent)
	}
	exactlyOnce(t, received(t, srv), readers)
}
