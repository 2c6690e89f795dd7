package digest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxBatchReaders is the most readers one queued batch holds: small enough
// that one send invocation finishes a batch well inside its timeout at
// a few messages a second, large enough that a million readers make only
// 20,000 queue messages.
const MaxBatchReaders = 50

// Batch is one slice of the list for one edition, as the queue carries it
// from the digest function to the send function.
type Batch struct {
	Edition string `json:"edition"`
	// Seq numbers the batches of one dispatch from 1, for the logs.
	Seq     int         `json:"seq"`
	Readers []Recipient `json:"readers"`
}

// Recipient is what a send needs of a reader.
type Recipient struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Subscribers turns the batch back into the readers Deliver takes; every
// reader of a batch was active when it was queued.
func (b Batch) Subscribers() []Subscriber {
	out := make([]Subscriber, len(b.Readers))
	for i, r := range b.Readers {
		out[i] = Subscriber{Email: r.Email, Name: r.Name, Status: StatusActive}
	}
	return out
}

// Queue carries batches to the send workers. The SQS adapter implements
// it; Enqueue returns only when every batch is accepted, or an error.
type Queue interface {
	Enqueue(ctx context.Context, batches []Batch) error
}

// dispatchMarker is the recipient under which the ledger records an
// edition's dispatch: one claim per edition makes a second trigger of the
// same day a no-op, and a dispatch that died midway is redone once its
// lease runs out (the readers' own claims keep the redone batches from
// sending anyone the edition twice).
const dispatchMarker = "#dispatch"

// ErrAlreadyDispatched is returned for an edition whose batches are all
// queued already.
var ErrAlreadyDispatched = errors.New("already dispatched")

// ErrDispatchInProgress is returned while another run holds the edition's
// dispatch: it may be queueing still, or it may have died. Try again
// later: by then the other run has finished (ErrAlreadyDispatched) or its
// lease has run out and the dispatch is this run's to redo.
var ErrDispatchInProgress = errors.New("being dispatched by another run")

// DispatchReport counts what a dispatch queued.
type DispatchReport struct {
	Edition string        `json:"edition"`
	Readers int           `json:"readers"`
	Batches int           `json:"batches"`
	Elapsed time.Duration `json:"elapsed"`
}

// Dispatcher splits the list into batches and queues them, once per
// edition.
type Dispatcher struct {
	list   SubscriberLists
	queue  Queue
	ledger Ledger
	// lease is how long a dispatch holds its edition when the context
	// has no deadline.
	lease time.Duration
}

// NewDispatcher returns a dispatcher over the list, queue and ledger.
func NewDispatcher(list SubscriberLists, queue Queue, ledger Ledger, lease time.Duration) *Dispatcher {
	if lease <= 0 {
		lease = 15 * time.Minute
	}
	return &Dispatcher{list: list, queue: queue, ledger: ledger, lease: lease}
}

// enqueueBatches is how many batches go to the queue at once: the queue's
// adapter sends them ten to a request, and holding a hundred (5,000
// readers) keeps memory flat at any list size.
const enqueueBatches = 100

// Dispatch queues every active reader of the list for the edition, in
// batches of MaxBatchReaders. Unless forced, it does so once: a second
// call for the same edition returns ErrAlreadyDispatched, or
// ErrDispatchInProgress while the first may still be running. A forced
// dispatch (an operator re-running a day) queues everyone again; the
// ledger skips those who already have the edition.
//
// The claim lasts as long as ctx may run, and a little more: a run that
// dies (a Lambda timeout) frees the edition for the retry that follows.
func (d *Dispatcher) Dispatch(ctx context.Context, edition string, force bool) (DispatchReport, error) {
	start := time.Now()
	report := DispatchReport{Edition: edition}
	lease := d.lease
	if deadline, ok := ctx.Deadline(); ok {
		lease = time.Until(deadline) + 30*time.Second
	}
	claim, err := d.ledger.Claim(ctx, edition, dispatchMarker, lease)
	switch {
	case force && (errors.Is(err, ErrAlreadySent) || errors.Is(err, ErrClaimed) || errors.Is(err, ErrAlreadyFailed)):
		claim = Claim{}
	case errors.Is(err, ErrAlreadySent):
		return report, fmt.Errorf("%s: %w", edition, ErrAlreadyDispatched)
	case errors.Is(err, ErrClaimed), errors.Is(err, ErrAlreadyFailed):
		return report, fmt.Errorf("%s: %w", edition, ErrDispatchInProgress)
	case err != nil:
		return report, fmt.Errorf("dispatch %s: %w", edition, err)
	}

	var pending []Batch
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := d.queue.Enqueue(ctx, pending); err != nil {
			return fmt.Errorf("enqueue batches %d-%d: %w", pending[0].Seq, pending[len(pending)-1].Seq, err)
		}
		pending = pending[:0]
		return nil
	}
	err = d.list.Active(ctx, MaxBatchReaders, func(subs []Subscriber) error {
		b := Batch{Edition: edition, Seq: report.Batches + 1, Readers: make([]Recipient, 0, len(subs))}
		for _, s := range subs {
			if s.Status == StatusActive {
				b.Readers = append(b.Readers, Recipient{Email: s.Email, Name: s.Name})
			}
		}
		if len(b.Readers) == 0 {
			return nil
		}
		report.Batches++
		report.Readers += len(b.Readers)
		if pending = append(pending, b); len(pending) == enqueueBatches {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	report.Elapsed = time.Since(start)
	if err != nil {
		// Give the edition back so that the scheduler's retry, or the next
		// trigger, dispatches it again; queued batches are harmless twice.
		if claim.Owner != "" {
			if rerr := d.ledger.Release(context.WithoutCancel(ctx), claim); rerr != nil {
				err = errors.Join(err, fmt.Errorf("release the dispatch claim (it expires with its lease): %w", rerr))
			}
		}
		return report, fmt.Errorf("dispatch %s: %w", edition, err)
	}
	if claim.Owner != "" {
		// Retried as the deliveries' marks are: a dispatch that queued
		// everyone and then failed would leave the day held, as if still
		// being dispatched, until its lease ran out.
		detail := fmt.Sprintf("%d batches, %d readers", report.Batches, report.Readers)
		if err := retry(ctx, 5, 100*time.Millisecond, func() error { return d.ledger.MarkSent(ctx, claim, detail) }); err != nil {
			return report, fmt.Errorf("dispatch %s: queued, but not recorded (once the claim's lease runs out, a second trigger will queue again, harmlessly): %w", edition, err)
		}
	}
	return report, nil
}
