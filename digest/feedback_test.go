package digest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

// memSuppressor is a hand-written store for the feedback unit tests.
type memSuppressor struct {
	mu      sync.Mutex
	known   map[string]bool
	status  map[string]digest.Status
	bounces map[string][]time.Time
}

func newMemSuppressor(known ...string) *memSuppressor {
	m := &memSuppressor{known: map[string]bool{}, status: map[string]digest.Status{}, bounces: map[string][]time.Time{}}
	for _, k := range known {
		m.known[k] = true
	}
	return m
}

func (m *memSuppressor) Suppress(_ context.Context, email string, status digest.Status, _ string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.known[email] {
		return digest.ErrUnknownSubscriber
	}
	m.status[email] = status
	return nil
}

func (m *memSuppressor) TransientBounce(_ context.Context, email string, at time.Time) ([]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.known[email] {
		return nil, digest.ErrUnknownSubscriber
	}
	m.bounces[email] = append(m.bounces[email], at)
	return slices.Clone(m.bounces[email]), nil
}

// snsMessage reads the SES notification out of an SNS event fixture, the
// file `sam local invoke` also takes.
func snsMessage(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../infra/events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var event struct {
		Records []struct {
			Sns struct{ Message string }
		}
	}
	if err := json.Unmarshal(data, &event); err != nil || len(event.Records) != 1 {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(event.Records[0].Sns.Message)
}

func TestFeedbackFixtures(t *testing.T) {
	tests := []struct {
		fixture, kind string
		email         string
		want          digest.Status // "" when the address must stay active
		ignored       bool
	}{
		{"feedback-bounce-permanent.json", "Bounce", "gone@example.com", digest.StatusBounced, false},
		{"feedback-bounce-transient.json", "Bounce", "full@example.com", "", false},
		{"feedback-complaint.json", "Complaint", "angry@example.com", digest.StatusComplained, false},
		{"feedback-delivery.json", "Delivery", "ana@example.com", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			store := newMemSuppressor(tt.email)
			f := digest.NewFeedback(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
			res, err := f.Handle(context.Background(), snsMessage(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tt.kind || res.Ignored != tt.ignored || store.status[tt.email] != tt.want {
				t.Errorf("result %+v, status %q; want kind %s, status %q", res, store.status[tt.email], tt.kind, tt.want)
			}
		})
	}
}

// TestFeedbackTransientBounces: the third soft bounce within 14 days
// suppresses; three spread over months do not.
func TestFeedbackTransientBounces(t *testing.T) {
	f := func(store *memSuppressor) *digest.Feedback {
		return digest.NewFeedback(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	bounce := func(at string) []byte {
		return []byte(`{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","timestamp":"` + at +
			`","bouncedRecipients":[{"emailAddress":"full@example.com"}]}}`)
	}
	near := newMemSuppressor("full@example.com")
	for i, at := range []string{"2026-11-01T08:00:00Z", "2026-11-05T08:00:00Z", "2026-11-12T08:00:00Z"} {
		if _, err := f(near).Handle(context.Background(), bounce(at)); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]digest.Status{true: digest.StatusBounced, false: ""}[i == 2]; near.status["full@example.com"] != want {
			t.Errorf("after bounce %d: status %q, want %q", i+1, near.status["full@example.com"], want)
		}
	}
	spread := newMemSuppressor("full@example.com")
	for _, at := range []string{"2026-08-01T08:00:00Z", "2026-09-15T08:00:00Z", "2026-11-12T08:00:00Z"} {
		if _, err := f(spread).Handle(context.Background(), bounce(at)); err != nil {
			t.Fatal(err)
		}
	}
	if spread.status["full@example.com"] != "" {
		t.Error("three soft bounces months apart suppressed the address")
	}
}

func TestFeedbackRejectsWhatIsNotSES(t *testing.T) {
	f := digest.NewFeedback(newMemSuppressor(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, body := range []string{"not json", `{"hello":"world"}`} {
		if _, err := f.Handle(context.Background(), []byte(body)); err == nil {
			t.Errorf("%q accepted", body)
		}
	}
	res, err := f.Handle(context.Background(), []byte(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"stranger@example.com"}]}}`))
	if err != nil || len(res.Unknown) != 1 {
		t.Errorf("an address not on the list: %+v %v", res, err)
	}
	if errors.Is(err, digest.ErrUnknownSubscriber) {
		t.Error("an unknown address must not fail the notification")
	}
}
