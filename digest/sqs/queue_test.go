package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/awslocal"
)

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// counting counts the requests and entries that go through it.
type counting struct {
	API
	requests atomic.Int64
	entries  atomic.Int64
}

func (c *counting) SendMessageBatch(ctx context.Context, in *awssqs.SendMessageBatchInput, optFns ...func(*awssqs.Options)) (*awssqs.SendMessageBatchOutput, error) {
	c.requests.Add(1)
	c.entries.Add(int64(len(in.Entries)))
	return c.API.SendMessageBatch(ctx, in, optFns...)
}

// setup returns the server, a queue on it, the counting client and a
// Queue that retries without waiting long.
func setup(t *testing.T) (*awslocal.SQS, string, *counting, *Queue) {
	t.Helper()
	srv, endpoint := awslocal.StartSQS(t)
	url := srv.CreateQueue("send", 0)
	client := &counting{API: awssqs.NewFromConfig(awslocal.ClientConfig(endpoint))}
	q := New(client, url, slog.New(slog.DiscardHandler))
	q.baseDelay, q.maxDelay = time.Millisecond, 10*time.Millisecond
	return srv, url, client, q
}

// makeBatches returns n batches of the edition, numbered from 1, of up to
// digest.MaxBatchReaders readers each.
func makeBatches(edition string, n int) []digest.Batch {
	out := make([]digest.Batch, n)
	for i := range out {
		b := digest.Batch{Edition: edition, Seq: i + 1}
		for r := range 1 + i%digest.MaxBatchReaders {
			b.Readers = append(b.Readers, digest.Recipient{Email: fmt.Sprintf("reader%d.%d@example.org", i+1, r), Name: fmt.Sprintf("Zoë %d", r)})
		}
		out[i] = b
	}
	return out
}

// queued decodes the queue's messages back into batches, by seq, and
// checks each message's edition attribute against its body.
func queued(t *testing.T, srv *awslocal.SQS, url string) []digest.Batch {
	t.Helper()
	var out []digest.Batch
	for _, m := range srv.Messages(url) {
		var b digest.Batch
		if err := json.Unmarshal([]byte(m.Body), &b); err != nil {
			t.Fatalf("message %s: %v", m.ID, err)
		}
		if a := m.Attributes["edition"]; a.DataType != "String" || a.StringValue != b.Edition {
			t.Errorf("batch %d: edition attribute %+v, want String %q", b.Seq, a, b.Edition)
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b digest.Batch) int { return a.Seq - b.Seq })
	return out
}

func TestEnqueue(t *testing.T) {
	tests := []struct {
		name         string
		batches      int
		wantRequests int64
	}{
		{"none", 0, 0},
		{"one", 1, 1},
		{"ten", 10, 1},
		{"eleven", 11, 2},
		{"a hundred and twenty-three", 123, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url, client, q := setup(t)
			batches := makeBatches("2026-11-26", tt.batches)
			if err := q.Enqueue(ctxFor(t), batches); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			if got := client.requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			got := queued(t, srv, url)
			if len(got) != tt.batches {
				t.Fatalf("%d messages queued, want %d", len(got), tt.batches)
			}
			if tt.batches > 0 && !reflect.DeepEqual(got, batches) {
				t.Errorf("the queued messages do not decode to the batches sent")
			}
		})
	}
}

func TestEnqueueSplitsBySize(t *testing.T) {
	// big returns n batches whose messages are each about size bytes.
	big := func(n, size int) []digest.Batch {
		out := makeBatches("2026-11-26", n)
		for i := range out {
			out[i].Readers = []digest.Recipient{{Email: "reader@example.org", Name: strings.Repeat("n", size)}}
		}
		return out
	}
	tests := []struct {
		name         string
		batches      []digest.Batch
		wantRequests int64
		wantErr      string
	}{
		{"three of 400 KB take two requests", big(3, 400_000), 2, ""},
		{"five of 300 KB take two requests", big(5, 300_000), 2, ""},
		{"ten small ones take one", big(10, 1000), 1, ""},
		{"one over 1 MiB is refused unsent", big(1, 1<<20), 0, "batch 1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url, client, q := setup(t)
			err := q.Enqueue(ctxFor(t), tt.batches)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			if got := client.requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			if tt.wantErr == "" && len(queued(t, srv, url)) != len(tt.batches) {
				t.Errorf("%d messages queued, want %d", len(srv.Messages(url)), len(tt.batches))
			}
		})
	}
}

func TestEnqueueRetriesFailedEntries(t *testing.T) {
	tests := []struct {
		name         string
		batches      int
		fail         int
		wantRequests int64
	}{
		// The first request loses three entries and sends them again.
		{"three of one request", 10, 3, 2},
		// Every entry of the first two requests to reach SQS fails once
		// (the 25 failures span requests), and is sent again.
		{"twenty-five across requests", 123, 25, 13 + 3},
		// The retries fail too, twice over, until the failures run out.
		{"more failures than entries", 4, 11, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url, client, q := setup(t)
			srv.FailNext(tt.fail, "InternalError", false)
			batches := makeBatches("2026-11-26", tt.batches)
			if err := q.Enqueue(ctxFor(t), batches); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			got := queued(t, srv, url)
			if !reflect.DeepEqual(got, batches) {
				seqs := make([]int, len(got))
				for i, b := range got {
					seqs[i] = b.Seq
				}
				t.Fatalf("queued seqs %v, want each of 1-%d exactly once", seqs, tt.batches)
			}
			if got, want := client.entries.Load(), int64(tt.batches+tt.fail); got != want {
				t.Errorf("%d entries sent, want %d: each failure sent once more", got, want)
			}
			if got := client.requests.Load(); got < tt.wantRequests {
				t.Errorf("%d requests, want at least %d", got, tt.wantRequests)
			}
		})
	}
}

func TestEnqueueGivesUp(t *testing.T) {
	srv, url, client, q := setup(t)
	q.attempts = 3
	srv.FailNext(1000, "ServiceUnavailable", false)
	err := q.Enqueue(ctxFor(t), makeBatches("2026-11-26", 5))
	var entryErr *EntryError
	if !errors.As(err, &entryErr) {
		t.Fatalf("err = %v, want an *EntryError", err)
	}
	if entryErr.Code != "ServiceUnavailable" || entryErr.SenderFault {
		t.Errorf("EntryError = %+v, want code ServiceUnavailable, not the sender's fault", entryErr)
	}
	if got := client.requests.Load(); got != 3 {
		t.Errorf("%d requests, want 3 attempts", got)
	}
	if !strings.Contains(err.Error(), "send batches 1-5 to "+url) {
		t.Errorf("err = %v, want it to name the batches and the queue", err)
	}
	if got := len(srv.Messages(url)); got != 0 {
		t.Errorf("%d messages queued, want 0", got)
	}
}

func TestEnqueueSenderFault(t *testing.T) {
	srv, url, client, q := setup(t)
	batches := makeBatches("2026-11-26", 25)
	// The first 20 go in two requests that succeed; the third request's
	// first entry, batch 21, is refused.
	if err := q.Enqueue(ctxFor(t), batches[:20]); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1, "InvalidParameterValue", true)
	err := q.Enqueue(ctxFor(t), batches[20:])
	var entryErr *EntryError
	if !errors.As(err, &entryErr) {
		t.Fatalf("err = %v, want an *EntryError", err)
	}
	if entryErr.Seq != 21 || entryErr.Code != "InvalidParameterValue" || !entryErr.SenderFault {
		t.Errorf("EntryError = %+v, want batch 21, InvalidParameterValue, the sender's fault", entryErr)
	}
	if !strings.Contains(err.Error(), "batch 21") || !strings.Contains(err.Error(), "InvalidParameterValue") {
		t.Errorf("err = %v, want it to name batch 21 and the code", err)
	}
	if got := client.requests.Load(); got != 3 {
		t.Errorf("%d requests, want 3: a refused entry is not sent again", got)
	}
	// The rest of its request is queued; batch 21 is the one missing.
	var seqs []int
	for _, b := range queued(t, srv, url) {
		seqs = append(seqs, b.Seq)
	}
	var want []int
	for seq := 1; seq <= 25; seq++ {
		if seq != 21 {
			want = append(want, seq)
		}
	}
	if !slices.Equal(seqs, want) {
		t.Errorf("queued seqs %v, want %v", seqs, want)
	}
}

func TestEnqueueRefusesRepeatedSeq(t *testing.T) {
	_, _, client, q := setup(t)
	batches := makeBatches("2026-11-26", 3)
	batches[2].Seq = 1
	if err := q.Enqueue(ctxFor(t), batches); err == nil || !strings.Contains(err.Error(), "batch 1 given twice") {
		t.Fatalf("err = %v, want the repeated seq named", err)
	}
	if got := client.requests.Load(); got != 0 {
		t.Errorf("%d requests, want none", got)
	}
}

func TestEnqueueRequestError(t *testing.T) {
	srv, endpoint := awslocal.StartSQS(t)
	url := srv.CreateQueue("send", 0)
	q := New(awssqs.NewFromConfig(awslocal.ClientConfig(endpoint)), url+"-gone", nil)
	err := q.Enqueue(ctxFor(t), makeBatches("2026-11-26", 12))
	var notFound *types.QueueDoesNotExist
	if !errors.As(err, &notFound) {
		t.Fatalf("err = %v, want *types.QueueDoesNotExist", err)
	}
}

func TestEnqueueCancelled(t *testing.T) {
	srv, url, _, q := setup(t)
	srv.FailNext(1000, "InternalError", false)
	q.baseDelay, q.maxDelay = time.Hour, time.Hour
	ctx, cancel := context.WithCancel(ctxFor(t))
	time.AfterFunc(100*time.Millisecond, cancel)
	err := q.Enqueue(ctx, makeBatches("2026-11-26", 30))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := len(srv.Messages(url)); got != 0 {
		t.Errorf("%d messages queued, want 0", got)
	}
}

// gate answers every request with success, once released, and records
// how many were in flight at most.
type gate struct {
	release  chan struct{}
	mu       sync.Mutex
	inFlight int
	peak     int
}

func (g *gate) SendMessageBatch(ctx context.Context, in *awssqs.SendMessageBatchInput, _ ...func(*awssqs.Options)) (*awssqs.SendMessageBatchOutput, error) {
	g.mu.Lock()
	g.inFlight++
	g.peak = max(g.peak, g.inFlight)
	g.mu.Unlock()
	<-g.release
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	out := &awssqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("m-" + aws.ToString(e.Id))})
	}
	return out, nil
}

func (g *gate) state() (inFlight, peak int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight, g.peak
}

func TestEnqueueConcurrency(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	q := New(g, "http://127.0.0.1/000000000000/send", nil)
	done := make(chan error, 1)
	go func() { done <- q.Enqueue(ctxFor(t), makeBatches("2026-11-26", 123)) }()

	deadline := time.Now().Add(10 * time.Second)
	for inFlight, _ := g.state(); inFlight < defaultConcurrency; inFlight, _ = g.state() {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, want %d", inFlight, defaultConcurrency)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for a fifth, which must not come
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if _, peak := g.state(); peak != defaultConcurrency {
		t.Errorf("at most %d requests in flight, want %d", peak, defaultConcurrency)
	}
}

func TestBackoff(t *testing.T) {
	q := New(nil, "", nil)
	tests := []struct {
		attempt int
		want    time.Duration // the longest wait; the shortest is half
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{6, 3200 * time.Millisecond},
		{7, 5 * time.Second},
		{40, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("attempt ", tt.attempt), func(t *testing.T) {
			for range 100 {
				if got := q.backoff(tt.attempt); got < tt.want/2 || got > tt.want {
					t.Fatalf("backoff(%d) = %v, want between %v and %v", tt.attempt, got, tt.want/2, tt.want)
				}
			}
		})
	}
}
