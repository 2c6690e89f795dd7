package fs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
)

// clock is a settable clock for leases.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

func newLedger(t *testing.T) (*fs.Ledger, *clock) {
	c := &clock{}
	c.now.Store(time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC).UnixNano())
	l, err := fs.NewLedger(t.TempDir(), c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, c
}

func TestLedgerStates(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	c, err := l.Claim(ctx, "2026-11-26", "Ana@example.com", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim(ctx, "2026-11-26", "ana@EXAMPLE.com", time.Minute); !errors.Is(err, digest.ErrClaimed) {
		t.Errorf("second claim: %v, want ErrClaimed", err)
	}
	if err := l.MarkSent(ctx, c, "<id@x>"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim(ctx, "2026-11-26", "ana@example.com", time.Minute); !errors.Is(err, digest.ErrAlreadySent) {
		t.Errorf("claim after send: %v, want ErrAlreadySent", err)
	}
	if _, err := l.Claim(ctx, "2026-11-27", "ana@example.com", time.Minute); err != nil {
		t.Errorf("another edition: %v", err)
	}

	b, _ := l.Claim(ctx, "2026-11-26", "bob@example.com", time.Minute)
	if err := l.MarkFailed(ctx, b, "550 user unknown"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim(ctx, "2026-11-26", "bob@example.com", time.Minute); !errors.Is(err, digest.ErrAlreadyFailed) {
		t.Errorf("claim after failure: %v, want ErrAlreadyFailed", err)
	}

	z, _ := l.Claim(ctx, "2026-11-26", "zoe@example.com", time.Minute)
	if err := l.Release(ctx, z); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim(ctx, "2026-11-26", "zoe@example.com", time.Minute); err != nil {
		t.Errorf("claim after release: %v", err)
	}
	if _, err := l.Claim(ctx, "../escape", "zoe@example.com", time.Minute); err == nil {
		t.Error("an edition id naming another folder was accepted")
	}
}

// TestLedgerLeaseRunsOut: a crashed run's claim is taken over once its
// lease has run out, and the crashed owner can no longer record anything.
func TestLedgerLeaseRunsOut(t *testing.T) {
	ctx := context.Background()
	l, c := newLedger(t)
	old, err := l.Claim(ctx, "2026-11-26", "ana@example.com", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(9 * time.Minute)
	if _, err := l.Claim(ctx, "2026-11-26", "ana@example.com", 10*time.Minute); !errors.Is(err, digest.ErrClaimed) {
		t.Fatalf("claim within the lease: %v", err)
	}
	c.Advance(2 * time.Minute)
	taken, err := l.Claim(ctx, "2026-11-26", "ana@example.com", 10*time.Minute)
	if err != nil {
		t.Fatalf("claim after the lease: %v", err)
	}
	if err := l.MarkSent(ctx, old, "<late@x>"); !errors.Is(err, digest.ErrLostClaim) {
		t.Errorf("the old owner marked a taken claim: %v", err)
	}
	if err := l.MarkSent(ctx, taken, "<new@x>"); err != nil {
		t.Errorf("the new owner: %v", err)
	}
}

func TestLedgerOneClaimWinsAmongMany(t *testing.T) {
	l, _ := newLedger(t)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := l.Claim(context.Background(), "2026-11-26", "ana@example.com", time.Minute); err == nil {
				wins.Add(1)
			} else if !errors.Is(err, digest.ErrClaimed) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d claims won, want 1", wins.Load())
	}
}
