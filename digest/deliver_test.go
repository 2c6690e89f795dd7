package digest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
)

// recordingSender is a hand-written sender for unit tests of delivery: it
// records who got what, and fails as each test tells it to.
type recordingSender struct {
	mu    sync.Mutex
	got   []string // addresses, in the order sent
	calls int
	// fail, when set, answers call n (1-based) with an error or nil.
	fail func(n int, m digest.Mail) error
}

func (s *recordingSender) Send(_ context.Context, m digest.Mail) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		if err := s.fail(s.calls, m); err != nil {
			return "", err
		}
	}
	s.got = append(s.got, m.To.Email)
	return m.MessageID, nil
}

func (s *recordingSender) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// fixedCopy personalizes by naming the link it was given.
type fixedCopy struct{}

func (fixedCopy) Personalize(p digest.Personal) (digest.Copy, error) {
	return digest.Copy{Subject: "Nov 26: news", HTML: "<p>Hi " + p.Name + " <a href=\"" + p.UnsubscribeURL + "\">unsubscribe</a></p>", Text: "Hi " + p.Name}, nil
}

func readers(n int) []digest.Subscriber {
	out := make([]digest.Subscriber, n)
	for i := range out {
		out[i] = digest.Subscriber{Email: fmt.Sprintf("reader%03d@example.com", i), Name: fmt.Sprintf("Reader %d", i), Status: digest.StatusActive}
	}
	return out
}

func testTokens(t testing.TB) *digest.Tokens {
	tokens, err := digest.NewTokens([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func deliverer(t testing.TB, cfg digest.DeliveryConfig, sender digest.Sender, ledger digest.Ledger) *digest.Deliverer {
	t.Helper()
	cfg.From = digest.Address{Name: "The Newsdigest Daily", Email: "digest@newsdigest.example"}
	cfg.ListID = "daily.newsdigest.example"
	cfg.UnsubscribeURL = "https://newsdigest.example/unsubscribe"
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	d, err := digest.NewDeliverer(cfg, sender, ledger, testTokens(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func folderLedger(t testing.TB) *fs.Ledger {
	l, err := fs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

var issue = digest.Issue{Edition: "2026-11-26", Copy: fixedCopy{}, ViewURL: "https://newsdigest.example/archive/2026-11-26/"}

func TestDeliverSendsEachReaderOnce(t *testing.T) {
	ledger := folderLedger(t)
	sender := &recordingSender{}
	d := deliverer(t, digest.DeliveryConfig{Concurrency: 8}, sender, ledger)
	list := append(readers(20), digest.Subscriber{Email: "gone@example.com", Status: digest.StatusUnsubscribed})

	first, err := d.Deliver(context.Background(), issue, list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Sent != 20 || first.Inactive != 1 || len(first.Failed)+len(first.Deferred) != 0 {
		t.Fatalf("first run: %+v", first)
	}
	second, err := d.Deliver(context.Background(), issue, list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Sent != 0 || second.AlreadySent != 20 {
		t.Errorf("second run sent %d, %d already sent; want 0 and 20", second.Sent, second.AlreadySent)
	}
	assertEachOnce(t, sender.sent(), readers(20))
}

// TestDeliverResumesAfterASenderThatDies: the sender fails hard from the
// k-th message on; the run stops; a run with a working sender sends
// exactly the n−k that were not sent.
func TestDeliverResumesAfterASenderThatDies(t *testing.T) {
	const n, k = 40, 13
	ledger := folderLedger(t)
	broken := &recordingSender{fail: func(call int, _ digest.Mail) error {
		if call >= k {
			return errors.New("connection refused")
		}
		return nil
	}}
	d := deliverer(t, digest.DeliveryConfig{Concurrency: 1, MaxAttempts: 2}, broken, ledger)
	first, err := d.Deliver(context.Background(), issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Sent != k-1 || !strings.Contains(first.Stopped, "sender keeps failing") {
		t.Fatalf("first run sent %d (want %d), stopped %q", first.Sent, k-1, first.Stopped)
	}
	if first.Sent+len(first.Deferred) != n {
		t.Errorf("first run accounts for %d of %d readers", first.Sent+len(first.Deferred), n)
	}

	working := &recordingSender{}
	second, err := deliverer(t, digest.DeliveryConfig{Concurrency: 4}, working, ledger).Deliver(context.Background(), issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Sent != n-(k-1) || second.AlreadySent != k-1 {
		t.Errorf("second run sent %d and skipped %d; want %d and %d", second.Sent, second.AlreadySent, n-(k-1), k-1)
	}
	assertEachOnce(t, append(broken.sent(), working.sent()...), readers(n))
}

// TestDeliverConcurrentRuns: two runs of the same edition at once send
// each reader once between them.
func TestDeliverConcurrentRuns(t *testing.T) {
	ledger := folderLedger(t)
	sender := &recordingSender{}
	list := readers(60)
	var wg sync.WaitGroup
	reports := make([]digest.Report, 2)
	for i := range reports {
		wg.Go(func() {
			r, err := deliverer(t, digest.DeliveryConfig{Concurrency: 6}, sender, ledger).Deliver(context.Background(), issue, list, nil)
			if err != nil {
				t.Error(err)
			}
			reports[i] = r
		})
	}
	wg.Wait()
	assertEachOnce(t, sender.sent(), list)
	if got := reports[0].Sent + reports[1].Sent; got != len(list) {
		t.Errorf("the runs sent %d between them, want %d", got, len(list))
	}
}

func TestDeliverThrottlingAndRefusals(t *testing.T) {
	ledger := folderLedger(t)
	throttled := map[string]int{}
	var mu sync.Mutex
	sender := &recordingSender{fail: func(_ int, m digest.Mail) error {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case m.To.Email == "reader003@example.com":
			return fmt.Errorf("ses: MessageRejected: %w", digest.ErrRejected)
		case throttled[m.To.Email] < 2 && m.To.Email < "reader010@example.com":
			throttled[m.To.Email]++
			return fmt.Errorf("ses: TooManyRequests: %w", digest.ErrThrottled)
		}
		return nil
	}}
	d := deliverer(t, digest.DeliveryConfig{Concurrency: 3}, sender, ledger)
	r, err := d.Deliver(context.Background(), issue, readers(15), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 14 || len(r.Failed) != 1 || r.Failed[0].Email != "reader003@example.com" || len(r.Deferred) != 0 {
		t.Fatalf("report %+v", r)
	}
	if r.Throttled != 18 {
		t.Errorf("%d throttled answers retried, want 18 (9 readers twice)", r.Throttled)
	}
	again, err := d.Deliver(context.Background(), issue, readers(15), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Sent != 0 || len(again.Failed) != 1 || again.AlreadySent != 14 {
		t.Errorf("a second run must not retry the refused reader: %+v", again)
	}
}

func TestDeliverStopsAtTheQuota(t *testing.T) {
	ledger := folderLedger(t)
	sender := &recordingSender{}
	r, err := deliverer(t, digest.DeliveryConfig{Concurrency: 4, MaxSends: 7}, sender, ledger).Deliver(context.Background(), issue, readers(30), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 7 || len(r.Deferred) != 23 || !strings.Contains(r.Stopped, "quota") {
		t.Fatalf("sent %d, deferred %d, stopped %q; want 7, 23 and the quota", r.Sent, len(r.Deferred), r.Stopped)
	}
	// The service saying the quota is spent stops a run the same way.
	spent := &recordingSender{fail: func(n int, _ digest.Mail) error {
		if n > 5 {
			return fmt.Errorf("ses: Daily message quota exceeded: %w", digest.ErrQuotaExhausted)
		}
		return nil
	}}
	next, err := deliverer(t, digest.DeliveryConfig{Concurrency: 1}, spent, ledger).Deliver(context.Background(), issue, readers(30), nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Sent != 5 || next.AlreadySent != 7 || next.Sent+next.AlreadySent+len(next.Deferred) != 30 {
		t.Errorf("second day: %+v", next)
	}
	assertEachOnce(t, append(sender.sent(), spent.sent()...), readers(30)[:12])
}

// TestDeliverStopsBeforeItsDeadline: with StopBefore, a run whose sends
// are throttled past its time stops that long before its context's
// deadline (a Lambda function's end): the send in flight finishes and is
// recorded, the claims of the rest are released, and the next run sends
// exactly those.
func TestDeliverStopsBeforeItsDeadline(t *testing.T) {
	const n, quick = 20, 5
	ledger := folderLedger(t)
	sender := &recordingSender{fail: func(call int, _ digest.Mail) error {
		switch {
		case call <= quick:
			return nil
		case call == quick+1:
			time.Sleep(time.Second) // in flight when the run stops
			return nil
		}
		return fmt.Errorf("ses: TooManyRequests: %w", digest.ErrThrottled)
	}}
	d := deliverer(t, digest.DeliveryConfig{Concurrency: 4, MaxAttempts: 1000, Backoff: 10 * time.Millisecond, StopBefore: 1500 * time.Millisecond}, sender, ledger)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	r, err := d.Deliver(ctx, issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(deadline); left <= 0 {
		t.Errorf("the run ended %s after its deadline, want it stopped before", -left)
	}
	if r.Sent != quick+1 || len(r.Deferred) != n-quick-1 || !strings.Contains(r.Stopped, "time") {
		t.Fatalf("sent %d, deferred %d, stopped %q; want %d sent (the one in flight too), the rest deferred, out of time", r.Sent, len(r.Deferred), r.Stopped, quick+1)
	}
	next, err := deliverer(t, digest.DeliveryConfig{Concurrency: 4}, &recordingSender{}, ledger).Deliver(context.Background(), issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Sent != n-quick-1 || next.AlreadySent != quick+1 || next.ClaimedElsewhere != 0 {
		t.Errorf("the next run: sent %d, already sent %d, claimed elsewhere %d; want the claims released", next.Sent, next.AlreadySent, next.ClaimedElsewhere)
	}
}

// landingLedger is a ledger whose claims land even when the caller gives
// up on them: the write reaches the table, and the answer comes back
// after the caller's context is done, as a DynamoDB request cancelled in
// flight may.
type landingLedger struct{ digest.Ledger }

func (l landingLedger) Claim(ctx context.Context, edition, email string, lease time.Duration) (digest.Claim, error) {
	c, err := l.Ledger.Claim(context.Background(), edition, email, lease)
	if err != nil {
		return c, err
	}
	select {
	case <-ctx.Done():
		return digest.Claim{}, ctx.Err()
	case <-time.After(20 * time.Millisecond):
		return c, nil
	}
}

// TestDeliverStopsWithoutLosingClaims: the quota stops a run while other
// readers' claims are in flight. None of them is left held by the
// stopped run: the next run sends every reader the first did not.
func TestDeliverStopsWithoutLosingClaims(t *testing.T) {
	const n, quota = 40, 5
	ledger := folderLedger(t)
	spent := &recordingSender{fail: func(call int, _ digest.Mail) error {
		if call > quota {
			return fmt.Errorf("ses: Daily message quota exceeded: %w", digest.ErrQuotaExhausted)
		}
		return nil
	}}
	first, err := deliverer(t, digest.DeliveryConfig{Concurrency: 8}, spent, landingLedger{ledger}).Deliver(context.Background(), issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Sent != quota || !strings.Contains(first.Stopped, "quota") {
		t.Fatalf("first run: sent %d, stopped %q", first.Sent, first.Stopped)
	}
	next, err := deliverer(t, digest.DeliveryConfig{Concurrency: 8}, &recordingSender{}, ledger).Deliver(context.Background(), issue, readers(n), nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Sent != n-quota || next.ClaimedElsewhere != 0 {
		t.Errorf("the next run sent %d, found %d claimed elsewhere; want %d sent, no claim left held by the stopped run", next.Sent, next.ClaimedElsewhere, n-quota)
	}
}

// TestDeliverRecordsASlowSend: a send that takes longer than the ledger's
// write may take is still recorded: the write's time starts after the
// send, not before it.
func TestDeliverRecordsASlowSend(t *testing.T) {
	defer digest.SetLedgerTimeout(100 * time.Millisecond)()
	ledger := folderLedger(t)
	slow := &recordingSender{fail: func(int, digest.Mail) error {
		time.Sleep(200 * time.Millisecond)
		return nil
	}}
	r, err := deliverer(t, digest.DeliveryConfig{Concurrency: 2}, slow, ctxLedger{ledger}).Deliver(context.Background(), issue, readers(2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 2 || len(r.Unrecorded) != 0 {
		t.Fatalf("sent %d, unrecorded %+v; want both sent and recorded", r.Sent, r.Unrecorded)
	}
	again, err := deliverer(t, digest.DeliveryConfig{}, &recordingSender{}, ledger).Deliver(context.Background(), issue, readers(2), nil)
	if err != nil || again.AlreadySent != 2 {
		t.Errorf("the next run: %+v, %v; want both already sent", again, err)
	}
}

// ctxLedger honours its context as a network ledger does: a write with a
// context that is done fails.
type ctxLedger struct{ digest.Ledger }

func (l ctxLedger) MarkSent(ctx context.Context, c digest.Claim, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return l.Ledger.MarkSent(ctx, c, id)
}

func TestDeliverDryRunBuildsEveryMessage(t *testing.T) {
	sender := &recordingSender{}
	r, err := deliverer(t, digest.DeliveryConfig{DryRun: true}, sender, folderLedger(t)).Deliver(context.Background(), issue, readers(25), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Built != 25 || r.Sent != 0 || len(sender.sent()) != 0 {
		t.Errorf("dry run built %d, sent %d: %+v", r.Built, len(sender.sent()), r)
	}
}

func TestDeliverPutsAPersonalUnsubscribeLinkInEachMessage(t *testing.T) {
	var mu sync.Mutex
	mails := map[string]digest.Mail{}
	sender := &recordingSender{fail: func(_ int, m digest.Mail) error {
		mu.Lock()
		mails[m.To.Email] = m
		mu.Unlock()
		return nil
	}}
	if _, err := deliverer(t, digest.DeliveryConfig{}, sender, folderLedger(t)).Deliver(context.Background(), issue, readers(3), nil); err != nil {
		t.Fatal(err)
	}
	tokens := testTokens(t)
	for _, s := range readers(3) {
		m := mails[s.Email]
		want := tokens.UnsubscribeURL("https://newsdigest.example/unsubscribe", "daily.newsdigest.example", s.Email)
		if m.ListUnsubscribeURL != want || !strings.Contains(m.HTML, want) || m.Tags["edition"] != "2026-11-26" {
			t.Errorf("%s: List-Unsubscribe %q, tags %v", s.Email, m.ListUnsubscribeURL, m.Tags)
		}
	}
}

func TestDeliverKeepsUnderTheRate(t *testing.T) {
	sender := &recordingSender{}
	start := time.Now()
	r, err := deliverer(t, digest.DeliveryConfig{Concurrency: 8, Rate: 200}, sender, folderLedger(t)).Deliver(context.Background(), issue, readers(40), nil)
	if err != nil {
		t.Fatal(err)
	}
	// 40 sends at 200 a second cannot take less than 39 intervals.
	if elapsed := time.Since(start); r.Sent != 40 || elapsed < 39*5*time.Millisecond {
		t.Errorf("sent %d in %v, faster than the rate allows", r.Sent, elapsed)
	}
}

// assertEachOnce checks that the sent addresses are exactly the readers,
// each once.
func assertEachOnce(t *testing.T, sent []string, want []digest.Subscriber) {
	t.Helper()
	count := map[string]int{}
	for _, a := range sent {
		count[a]++
	}
	var twice, missing []string
	for a, n := range count {
		if n > 1 {
			twice = append(twice, a)
		}
	}
	for _, s := range want {
		if count[s.Email] == 0 {
			missing = append(missing, s.Email)
		}
	}
	sort.Strings(twice)
	if len(twice) > 0 || len(missing) > 0 || len(count) != len(want) {
		t.Errorf("sent twice %v, never %v; %d addresses got mail, want %d", twice, missing, len(count), len(want))
	}
}
