package awslambda

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// scriptedSender sends to everyone but two readers: one address is
// refused for good, the other is throttled on every try.
type scriptedSender struct {
	mu   sync.Mutex
	sent []string
}

func (s *scriptedSender) Send(ctx context.Context, m digest.Mail) (string, error) {
	switch m.To.Email {
	case "refused@example.com":
		return "", digest.ErrRejected
	case "slow@example.com":
		return "", digest.ErrThrottled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m.To.Email)
	return "id-" + m.To.Email, nil
}

func (s *scriptedSender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

func newTestSend(t *testing.T) (*Send, *scriptedSender) {
	t.Helper()
	dir := t.TempDir()
	store, err := digestfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := hermes.NewRenderer(hermes.Config{ProductName: "Daily", SiteURL: "https://news.example", PostalAddress: "1 Quay Street"})
	if err != nil {
		t.Fatal(err)
	}
	day := digest.Date{Year: 2026, Month: 11, Day: 26}
	edition := digest.Edition{Date: day, Subject: "Nov 26: the tram vote", Stories: []digest.Story{
		{Anchor: "a", Title: "Council approves the tram", URL: "https://news.example/a", Source: "Civic Wire", Lead: "It passed."}}}
	rendered, err := renderer.Render(edition)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(storedIssue{Edition: edition, Email: rendered})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(context.Background(), issueKey(day), data, "application/json"); err != nil {
		t.Fatal(err)
	}
	ledger, err := digestfs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := digest.NewTokens([]byte("a-test-key-of-at-least-thirty-two-bytes"))
	if err != nil {
		t.Fatal(err)
	}
	sender := &scriptedSender{}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := digest.NewDeliverer(digest.DeliveryConfig{From: digest.Address{Email: "d@news.example"}, ListID: "daily.news.example",
		UnsubscribeURL: "https://u.example/", MaxAttempts: 2, Backoff: time.Millisecond}, sender, ledger, tokens, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &Send{bucket: store, deliverer: d, archiveURL: "https://news.example/archive", batchTime: 30 * time.Second,
		logger: logger, issues: map[string]*hermes.Rendered{}}, sender
}

func message(id string, b digest.Batch) events.SQSMessage {
	body, _ := json.Marshal(b)
	return events.SQSMessage{MessageId: id, Body: string(body)}
}

func batch(edition string, emails ...string) digest.Batch {
	b := digest.Batch{Edition: edition, Seq: 1}
	for _, e := range emails {
		b.Readers = append(b.Readers, digest.Recipient{Email: e})
	}
	return b
}

func TestSendReportsOnlyTheBatchesToRetry(t *testing.T) {
	h, sender := newTestSend(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		records     []events.SQSMessage
		wantRetried []string
		wantSent    int // sends so far, across the cases
	}{
		{"a good batch and a malformed one", []events.SQSMessage{
			message("good", batch("2026-11-26", "ana@example.com", "ben@example.com")),
			{MessageId: "garbled", Body: `{"edition": 2026`},
		}, []string{"garbled"}, 2},
		{"the same batch again sends no one twice", []events.SQSMessage{
			message("good-again", batch("2026-11-26", "ana@example.com", "ben@example.com")),
		}, nil, 2},
		{"a refused reader is failed for good, not retried", []events.SQSMessage{
			message("refused", batch("2026-11-26", "refused@example.com", "cy@example.com")),
		}, nil, 3},
		{"a reader throttled on every try brings the batch back", []events.SQSMessage{
			message("throttled", batch("2026-11-26", "slow@example.com", "dee@example.com")),
		}, []string{"throttled"}, 4},
		{"a day not built yet comes back later", []events.SQSMessage{
			message("early", batch("2026-11-27", "eve@example.com")),
		}, []string{"early"}, 4},
		{"a bad edition or an oversized batch is reported", []events.SQSMessage{
			message("bad-date", batch("yesterday", "eve@example.com")),
			message("too-big", batch("2026-11-26", make([]string, digest.MaxBatchReaders+1)...)),
		}, []string{"bad-date", "too-big"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(ctx, events.SQSEvent{Records: tt.records})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			if !slices.Equal(got, tt.wantRetried) {
				t.Errorf("retried %q, want %q", got, tt.wantRetried)
			}
			if n := sender.count(); n != tt.wantSent {
				t.Errorf("%d sent so far, want %d", n, tt.wantSent)
			}
		})
	}
}

func TestSendLeavesBatchesWhenTimeRunsShort(t *testing.T) {
	h, sender := newTestSend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{
		message("m1", batch("2026-11-26", "ana@example.com")),
		message("m2", batch("2026-11-26", "ben@example.com")),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(resp.BatchItemFailures); got != 2 {
		t.Errorf("%d batches left for later, want 2", got)
	}
	if n := sender.count(); n != 0 {
		t.Errorf("%d sent with too little time left, want 0", n)
	}
}
