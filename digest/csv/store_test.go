package csv_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/csv"
)

var now = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*csv.Store, string) {
	path := filepath.Join(t.TempDir(), "subscribers.csv")
	return csv.New(path, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil))), path
}

func active(t *testing.T, s *csv.Store) map[string]digest.Subscriber {
	t.Helper()
	out := map[string]digest.Subscriber{}
	err := s.Active(context.Background(), 2, func(batch []digest.Subscriber) error {
		if len(batch) > 2 {
			t.Errorf("batch of %d, asked for 2", len(batch))
		}
		for _, sub := range batch {
			out[sub.Key()] = sub
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportIsIdempotentAndKeepsSuppressions(t *testing.T) {
	ctx := context.Background()
	s, path := newStore(t)
	rows := []digest.Subscriber{
		{Email: "ana@example.com", Name: "Ana", Status: digest.StatusActive},
		{Email: "bob@example.com", Name: "Bob", Status: digest.StatusActive},
		{Email: "cy@example.com", Name: "Cy", Status: digest.StatusActive},
	}
	first, err := s.Import(ctx, rows)
	if err != nil || first.Added != 3 {
		t.Fatalf("first import %+v %v", first, err)
	}
	again, err := s.Import(ctx, rows)
	if err != nil || again.Unchanged != 3 || again.Added+again.Updated != 0 {
		t.Fatalf("the same import again %+v %v", again, err)
	}
	if err := s.Suppress(ctx, "BOB@example.com", digest.StatusUnsubscribed, "one-click unsubscribe", now); err != nil {
		t.Fatal(err)
	}
	later, err := s.Import(ctx, rows)
	if err != nil || later.KeptSuppressed != 1 || later.Unchanged != 2 {
		t.Fatalf("import after an unsubscribe %+v %v", later, err)
	}
	got := active(t, s)
	if len(got) != 2 || got["bob@example.com"].Email != "" {
		t.Errorf("active readers %v: bob came back", got)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "bob@example.com,Bob,unsubscribed,,2026-11-26T08:00:00Z,2026-11-26T08:00:00Z,one-click unsubscribe,") {
		t.Errorf("file:\n%s", data)
	}
}

func TestSuppressUnknownAddress(t *testing.T) {
	s, _ := newStore(t)
	err := s.Suppress(context.Background(), "nobody@example.com", digest.StatusBounced, "x", now)
	if !errors.Is(err, digest.ErrUnknownSubscriber) {
		t.Errorf("error %v, want ErrUnknownSubscriber", err)
	}
}

// TestConcurrentWritersLoseNothing: soft bounces and suppressions from
// many writers at once all land.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var rows []digest.Subscriber
	for i := range 20 {
		rows = append(rows, digest.Subscriber{Email: fmt.Sprintf("r%02d@example.com", i), Status: digest.StatusActive})
	}
	if _, err := s.Import(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				if err := s.Suppress(ctx, rows[i].Email, digest.StatusComplained, "complaint", now); err != nil {
					t.Error(err)
				}
				return
			}
			for range 3 {
				if _, err := s.TransientBounce(ctx, rows[i].Email, now); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got := active(t, s)
	if len(got) != 10 {
		t.Errorf("%d active readers, want the 10 that were not suppressed", len(got))
	}
	for key, sub := range got {
		if len(sub.SoftBounces) != 3 {
			t.Errorf("%s has %d soft bounces on record, want 3", key, len(sub.SoftBounces))
		}
	}
}
