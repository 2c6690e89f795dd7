package digest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
)

// memoryQueue keeps what is enqueued; it fails every call once broken.
type memoryQueue struct {
	mu      sync.Mutex
	batches []digest.Batch
	broken  bool
}

func (q *memoryQueue) Enqueue(ctx context.Context, batches []digest.Batch) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.broken {
		return errors.New("queue unavailable")
	}
	q.batches = append(q.batches, batches...)
	return nil
}

// readers counts each address over the queued batches.
func (q *memoryQueue) readers() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	seen := map[string]int{}
	for _, b := range q.batches {
		for _, r := range b.Readers {
			seen[r.Email]++
		}
	}
	return seen
}

// list is a fixed list served in the batches asked for.
type list []digest.Subscriber

func (l list) Active(ctx context.Context, batch int, each func([]digest.Subscriber) error) error {
	for i := 0; i < len(l); i += batch {
		if err := each(l[i:min(i+batch, len(l))]); err != nil {
			return err
		}
	}
	return nil
}

func newList(active, inactive int) list {
	var l list
	for i := range active {
		l = append(l, digest.Subscriber{Email: fmt.Sprintf("reader%03d@example.com", i), Name: "Reader", Status: digest.StatusActive})
	}
	for i := range inactive {
		l = append(l, digest.Subscriber{Email: fmt.Sprintf("gone%03d@example.com", i), Status: digest.StatusUnsubscribed})
	}
	return l
}

func TestDispatch(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ledger, err := digestfs.NewLedger(t.TempDir(), clock)
	if err != nil {
		t.Fatal(err)
	}
	q := &memoryQueue{}
	d := digest.NewDispatcher(newList(120, 7), q, ledger, 10*time.Minute)

	rep, err := d.Dispatch(ctx, "2026-11-26", false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Readers != 120 || rep.Batches != 3 {
		t.Errorf("report %+v, want 120 readers in 3 batches", rep)
	}
	for i, b := range q.batches {
		if len(b.Readers) > digest.MaxBatchReaders || b.Seq != i+1 || b.Edition != "2026-11-26" {
			t.Errorf("batch %d: seq %d, %d readers, edition %s", i, b.Seq, len(b.Readers), b.Edition)
		}
	}
	seen := q.readers()
	if len(seen) != 120 {
		t.Errorf("%d readers queued, want the 120 active ones", len(seen))
	}
	for email, n := range seen {
		if n != 1 {
			t.Errorf("%s queued %d times", email, n)
		}
	}

	if _, err := d.Dispatch(ctx, "2026-11-26", false); !errors.Is(err, digest.ErrAlreadyDispatched) {
		t.Errorf("second dispatch: %v, want ErrAlreadyDispatched", err)
	}
	if len(q.batches) != 3 {
		t.Errorf("%d batches after a second trigger, want still 3", len(q.batches))
	}

	if _, err := d.Dispatch(ctx, "2026-11-26", true); err != nil {
		t.Fatal(err)
	}
	if len(q.batches) != 6 {
		t.Errorf("%d batches after a forced re-run, want 6 (the ledger keeps readers from a second copy)", len(q.batches))
	}
}

func TestDispatchFailureFreesTheEdition(t *testing.T) {
	ctx := context.Background()
	ledger, err := digestfs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := &memoryQueue{broken: true}
	d := digest.NewDispatcher(newList(60, 0), q, ledger, 10*time.Minute)
	if _, err := d.Dispatch(ctx, "2026-11-26", false); err == nil {
		t.Fatal("a broken queue dispatched")
	}
	q.broken = false
	rep, err := d.Dispatch(ctx, "2026-11-26", false)
	if err != nil {
		t.Fatalf("the retry after a failed dispatch: %v", err)
	}
	if rep.Readers != 60 {
		t.Errorf("retry queued %d readers, want 60", rep.Readers)
	}
}

func TestDispatchHeldByAnotherRun(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ledger, err := digestfs.NewLedger(t.TempDir(), clock)
	if err != nil {
		t.Fatal(err)
	}
	// A run that took the edition and died without a word.
	if _, err := ledger.Claim(ctx, "2026-11-26", "#dispatch", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	q := &memoryQueue{}
	d := digest.NewDispatcher(newList(10, 0), q, ledger, 5*time.Minute)
	if _, err := d.Dispatch(ctx, "2026-11-26", false); !errors.Is(err, digest.ErrDispatchInProgress) {
		t.Errorf("while held: %v, want ErrDispatchInProgress", err)
	}
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	rep, err := d.Dispatch(ctx, "2026-11-26", false)
	if err != nil || rep.Readers != 10 {
		t.Errorf("after the lease ran out: %+v, %v; want the 10 readers queued", rep, err)
	}
}

// flakyMarks fails the first marks it is asked for, as a ledger does
// through a passing DynamoDB error.
type flakyMarks struct {
	digest.Ledger
	fail int
}

func (l *flakyMarks) MarkSent(ctx context.Context, c digest.Claim, detail string) error {
	if l.fail > 0 {
		l.fail--
		return errors.New("dynamodb: InternalServerError")
	}
	return l.Ledger.MarkSent(ctx, c, detail)
}

// TestDispatchRecordsThroughAPassingError: a dispatch that queued every
// batch records it through a passing ledger error, instead of failing
// the run and leaving the day held, as if still being dispatched, until
// the claim's lease runs out.
func TestDispatchRecordsThroughAPassingError(t *testing.T) {
	ctx := context.Background()
	inner, err := digestfs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ledger := &flakyMarks{Ledger: inner, fail: 2}
	q := &memoryQueue{}
	d := digest.NewDispatcher(newList(60, 0), q, ledger, 10*time.Minute)
	if rep, err := d.Dispatch(ctx, "2026-11-26", false); err != nil || rep.Readers != 60 {
		t.Fatalf("dispatch: %+v, %v; want the 60 readers queued and recorded", rep, err)
	}
	if _, err := d.Dispatch(ctx, "2026-11-26", false); !errors.Is(err, digest.ErrAlreadyDispatched) {
		t.Errorf("a second trigger: %v, want ErrAlreadyDispatched", err)
	}
}
