// Package sqs queues the dispatch's batches on Amazon SQS for the send
// function: one message per batch, sent with SendMessageBatch.
package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Queue = (*Queue)(nil)

// API is the part of the SQS client the queue uses.
type API interface {
	SendMessageBatch(ctx context.Context, in *awssqs.SendMessageBatchInput, optFns ...func(*awssqs.Options)) (*awssqs.SendMessageBatchOutput, error)
}

// SQS's limits on a SendMessageBatch request: ten entries, and 1 MiB
// (1,048,576 bytes) for all their messages together, each message counted
// as its body and its attributes' names, types and values.
const (
	maxEntries      = 10
	maxRequestBytes = 1 << 20
)

// editionAttribute names the message attribute that carries the batch's
// edition, so that an operator reading the queue (or its dead letters)
// sees which day a message belongs to without decoding it.
const editionAttribute = "edition"

// The defaults of Queue's tuning. Four requests in flight send the 2,000
// requests of a million readers in well under a minute; eight attempts
// with a delay doubling from 100ms (at most 5s) wait out about 15 seconds
// of SQS trouble before the dispatch gives up and is retried whole.
const (
	defaultConcurrency = 4
	defaultAttempts    = 8
	defaultBaseDelay   = 100 * time.Millisecond
	defaultMaxDelay    = 5 * time.Second
)

// Queue sends batches to one SQS queue. It keeps no state between calls,
// so one Queue serves any number of goroutines.
type Queue struct {
	client API
	url    string
	logger *slog.Logger

	// concurrency bounds the requests in flight in one Enqueue.
	concurrency int
	// attempts bounds the sends of an entry that SQS failed on its side;
	// the wait before each retry doubles from baseDelay up to maxDelay,
	// half of it drawn at random so that the senders spread out.
	attempts  int
	baseDelay time.Duration
	maxDelay  time.Duration
}

// New returns a queue that sends to the queue at queueURL through client.
// The client's own retryer covers whole requests (throttling, server
// errors); the queue retries the entries SQS failed one by one within an
// answer that succeeded.
func New(client API, queueURL string, logger *slog.Logger) *Queue {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Queue{
		client:      client,
		url:         queueURL,
		logger:      logger,
		concurrency: defaultConcurrency,
		attempts:    defaultAttempts,
		baseDelay:   defaultBaseDelay,
		maxDelay:    defaultMaxDelay,
	}
}

// EntryError is a batch that SQS did not queue: refused for a fault of
// the request's (SenderFault), or failed on SQS's side as often as the
// queue tries.
type EntryError struct {
	Seq         int
	Code        string
	Message     string
	SenderFault bool
}

func (e *EntryError) Error() string {
	how := "failed"
	if e.SenderFault {
		how = "refused"
	}
	s := fmt.Sprintf("batch %d: SQS %s it: %s", e.Seq, how, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// entry is one batch as it goes on the queue.
type entry struct {
	seq     int
	id      string
	edition string
	body    string
}

// Enqueue sends the batches, one message each, in requests of up to ten
// that have a few in flight at a time. It returns when SQS has accepted
// every batch, or with an error, after which some of the batches may be
// queued and others not: the dispatch is redone whole, and a batch queued
// twice sends nobody the edition twice.
func (q *Queue) Enqueue(ctx context.Context, batches []digest.Batch) error {
	requests, err := split(batches)
	if err != nil {
		return fmt.Errorf("send batches to %s: %w", q.url, err)
	}
	if len(requests) == 0 {
		return nil
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		sent     atomic.Int64
		errOnce  sync.Once
		firstErr error
	)
	work := make(chan []entry)
	for range min(q.concurrency, len(requests)) {
		wg.Go(func() {
			for req := range work {
				if err := q.send(ctx, req); err != nil {
					// The first error decides; the others' requests are
					// cancelled.
					errOnce.Do(func() { firstErr = err })
					cancel()
					continue
				}
				sent.Add(1)
			}
		})
	}
feed:
	for _, req := range requests {
		select {
		case work <- req:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if n := int(sent.Load()); n < len(requests) {
		// Cancelled from outside between two requests.
		return fmt.Errorf("send batches %d-%d to %s: %d of %d requests sent: %w",
			batches[0].Seq, batches[len(batches)-1].Seq, q.url, n, len(requests), context.Cause(ctx))
	}
	q.logger.DebugContext(ctx, "batches queued", "queue", q.url, "batches", len(batches),
		"requests", len(requests), "duration", time.Since(start))
	return nil
}

// split encodes the batches and groups them into requests within SQS's
// limits, in order.
func split(batches []digest.Batch) ([][]entry, error) {
	var (
		requests [][]entry
		current  []entry
		size     int
	)
	seen := make(map[int]bool, len(batches))
	for _, b := range batches {
		// The entry ids come from the seqs, and must differ in a request.
		if seen[b.Seq] {
			return nil, fmt.Errorf("batch %d given twice", b.Seq)
		}
		seen[b.Seq] = true
		body, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("batch %d: %w", b.Seq, err)
		}
		e := entry{seq: b.Seq, id: "seq" + strconv.Itoa(b.Seq), edition: b.Edition, body: string(body)}
		n := e.size()
		if n > maxRequestBytes {
			return nil, fmt.Errorf("batch %d: %d bytes, above SQS's limit of %d for a message", b.Seq, n, maxRequestBytes)
		}
		if len(current) == maxEntries || size+n > maxRequestBytes {
			requests = append(requests, current)
			current, size = nil, 0
		}
		current = append(current, e)
		size += n
	}
	if len(current) > 0 {
		requests = append(requests, current)
	}
	return requests, nil
}

// size is what the entry counts against SQS's limits.
func (e entry) size() int {
	n := len(e.body)
	if e.edition != "" {
		n += len(editionAttribute) + len("String") + len(e.edition)
	}
	return n
}

// send sends one request's entries until SQS has queued them all,
// retrying those it failed on its side.
func (q *Queue) send(ctx context.Context, req []entry) error {
	wrap := func(err error) error {
		return fmt.Errorf("send batches %d-%d to %s: %w", req[0].seq, req[len(req)-1].seq, q.url, err)
	}
	pending := req
	for attempt := 1; ; attempt++ {
		out, err := q.client.SendMessageBatch(ctx, q.input(pending))
		if err != nil {
			return wrap(err)
		}
		retry, failures, refused := sorted(pending, out)
		if len(refused) > 0 {
			return wrap(errors.Join(refused...))
		}
		if len(retry) == 0 {
			return nil
		}
		if attempt == q.attempts {
			return wrap(fmt.Errorf("%d attempts: %w", attempt, errors.Join(failures...)))
		}
		delay := q.backoff(attempt)
		q.logger.WarnContext(ctx, "sqs failed batches; retrying", "queue", q.url, "batches", len(retry),
			"attempt", attempt, "error", failures[0], "delay", delay)
		if err := sleep(ctx, delay); err != nil {
			return wrap(fmt.Errorf("%d batches not queued: %w", len(retry), err))
		}
		pending = retry
	}
}

func (q *Queue) input(entries []entry) *awssqs.SendMessageBatchInput {
	in := &awssqs.SendMessageBatchInput{
		QueueUrl: aws.String(q.url),
		Entries:  make([]types.SendMessageBatchRequestEntry, len(entries)),
	}
	for i, e := range entries {
		in.Entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(e.id), MessageBody: aws.String(e.body)}
		// SQS refuses an attribute with an empty value.
		if e.edition != "" {
			in.Entries[i].MessageAttributes = map[string]types.MessageAttributeValue{
				editionAttribute: {DataType: aws.String("String"), StringValue: aws.String(e.edition)},
			}
		}
	}
	return in
}

// sorted reads an answer: the entries to send again, with the failures
// that say why, and the entries SQS refused. An entry the answer does not
// mention is taken as failed: it may not be queued.
func sorted(sent []entry, out *awssqs.SendMessageBatchOutput) (retry []entry, failures, refused []error) {
	done := make(map[string]bool, len(out.Successful))
	for _, s := range out.Successful {
		done[aws.ToString(s.Id)] = true
	}
	failed := make(map[string]types.BatchResultErrorEntry, len(out.Failed))
	for _, f := range out.Failed {
		failed[aws.ToString(f.Id)] = f
	}
	for _, e := range sent {
		if done[e.id] {
			continue
		}
		f, ok := failed[e.id]
		if !ok {
			retry = append(retry, e)
			failures = append(failures, &EntryError{Seq: e.seq, Code: "NoResult", Message: "in neither Successful nor Failed"})
			continue
		}
		err := &EntryError{Seq: e.seq, Code: aws.ToString(f.Code), Message: aws.ToString(f.Message), SenderFault: f.SenderFault}
		if err.SenderFault {
			refused = append(refused, err)
		} else {
			retry = append(retry, e)
			failures = append(failures, err)
		}
	}
	return retry, failures, refused
}

// backoff is the wait before the retry that follows attempt: baseDelay
// doubled per attempt, at most maxDelay, its second half drawn at random.
func (q *Queue) backoff(attempt int) time.Duration {
	d := q.baseDelay
	for i := 1; i < attempt && d < q.maxDelay; i++ {
		d *= 2
	}
	d = min(d, q.maxDelay)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
