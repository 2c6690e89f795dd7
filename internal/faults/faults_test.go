// Package faults runs the deployed path through faults: the digest and
// send functions' bootstraps under the Lambda emulator, against the local
// stand-ins (gofakes3, dynalite, aws-ses-v2-local, awslocal's SQS), with
// a fault proxy on loopback in front of each stand-in a scenario breaks.
// Each scenario ends by counting every reader in the emulator's store and
// in the ledger: each got the edition exactly once, or is reported as not
// yet sent.
//
// The scenarios run side by side and take about half a minute in all;
// -faults.long (make soak-faults) runs them larger: a day of 5,000
// articles, a thousand readers through a flaky SES, kills at several
// points of a batch.
package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/awslambda"
	"github.com/newsdigest/newsdigest/internal/faultproxy"
	"github.com/newsdigest/newsdigest/internal/rie"
	"github.com/newsdigest/newsdigest/internal/synth"
)

var longRun = flag.Bool("faults.long", false, "larger scenarios, for make soak-faults: minutes, not seconds")

// sized is short in make test and long with -faults.long.
func sized[T any](short, long T) T {
	if *longRun {
		return long
	}
	return short
}

func TestFaults(t *testing.T) {
	st := startStack(t)
	// The day's edition, built once without faults: what the S3
	// scenario's builds must match, and what the others send.
	base := st.newScenario(t, "base", 0, time.Minute)
	if got, ferr := runDigest(t, base.digestFunction(t, endpoints{}), day); ferr != nil || got.Status != "dispatched" || got.Stories == 0 {
		t.Fatalf("the clean build: %+v, %v", got, ferr)
	}
	clean := st.edition(t, bucket, day)

	for _, s := range []struct {
		name string
		run  func(*testing.T, *stack, edition)
	}{
		{"S3 faults while listing and reading", s3Faults},
		{"SES throttling and 5xx mid-batch", sesFlaky},
		{"SES down mid-batch", sesDown},
		{"the send function killed mid-batch", killed},
		{"the send function out of time mid-batch", outOfTime},
		{"the digest function triggered twice at once", twoTriggers},
		{"a batch redelivered while its first delivery still sends", redelivered},
		{"the daily quota spent mid-run", quotaSpent},
		{"SQS failing the dispatch", sqsDown},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s.run(t, st, clean)
			t.Logf("%s in %s", s.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// edition is what the scenarios compare of an edition: its stories, in
// order, and the files it passed over.
type edition struct {
	Stories []struct {
		ID string `json:"id"`
	} `json:"stories"`
	Skipped []digest.Skipped `json:"skipped"`
}

func (e edition) ids() []string {
	var out []string
	for _, s := range e.Stories {
		out = append(out, s.ID)
	}
	return out
}

// edition reads the archive's edition.json of a day from a bucket.
func (st *stack) edition(t *testing.T, bucket, date string) edition {
	t.Helper()
	out, err := st.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("archive/" + date + "/edition.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e edition
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// exists says whether the bucket holds the key.
func (st *stack) exists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if notFound := new(s3types.NotFound); errors.As(err, &notFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// s3Attempts bounds the tries of one S3 request the digest function
// makes: the SDK's retryer, as digest/awslambda configures it. Go's HTTP
// transport may resend an idempotent request once more, unseen by the
// SDK, when a connection it reused is reset before any answer: hence the
// bounds below allow twice as many.
const s3Attempts = awslambda.S3MaxAttempts

// s3Faults: S3 answers a share of the day's listings and reads with
// SlowDown, InternalError or a reset, and the day still builds the same
// edition as without faults; with every read of the day failing, or its
// listing, the run fails loudly, with no edition kept and nothing queued.
func s3Faults(t *testing.T, st *stack, clean edition) {
	const faultBucket = "newsdigest-faults-s3"
	st.putCorpus(t, faultBucket)
	sc := st.newScenario(t, "s3", 0, time.Minute)
	files, err := os.ReadDir(filepath.Join("..", "..", "examples", "articles", "2026", "11", "26"))
	if err != nil {
		t.Fatal(err)
	}
	dayPrefix := "articles/" + strings.ReplaceAll(day, "-", "/") + "/"
	readsDay := func(r *http.Request) bool {
		return faultproxy.S3GetObject(r) && strings.Contains(r.URL.Path, "/"+dayPrefix)
	}
	listsDay := func(r *http.Request) bool { return faultproxy.S3List(r) && r.URL.Query().Get("prefix") == dayPrefix }
	// Nothing may be left behind by a run that failed: no kept email (a
	// later run would reuse it), no dispatch, nothing queued.
	nothingLeft := func(t *testing.T) {
		t.Helper()
		if st.exists(t, faultBucket, "issues/"+day+".json") {
			t.Errorf("a failed run kept the day's email")
		}
		if _, dispatch := sc.records(t, day); dispatch != "" {
			t.Errorf("a failed run left the dispatch %q", dispatch)
		}
		if n := len(st.sqsServer.Messages(sc.queueURL)); n != 0 {
			t.Errorf("a failed run queued %d batches", n)
		}
	}

	t.Run("every read of the day fails", func(t *testing.T) {
		p := faultproxy.Start(t, st.s3URL, faultproxy.Config{Seed: 1, Rate: 1, Match: readsDay,
			Faults: []faultproxy.Fault{faultproxy.S3InternalError(), faultproxy.Reset()}})
		fn := sc.digestFunction(t, endpoints{s3: p.URL, bucket: faultBucket})
		got, ferr := runDigest(t, fn, day)
		if ferr == nil || !strings.Contains(ferr.Message, "could be read") {
			t.Fatalf("answer %+v, error %v; want the run to fail: none of the day's files could be read", got, ferr)
		}
		if n := p.Faulted(); n < len(files) || n > 2*len(files)*s3Attempts {
			t.Errorf("%d reads faulted for %d files, want each tried, at most 2×%d times", n, len(files), s3Attempts)
		}
		nothingLeft(t)
	})

	t.Run("the day's listing fails", func(t *testing.T) {
		// SlowDown would make the SDK wait seconds between tries.
		p := faultproxy.Start(t, st.s3URL, faultproxy.Config{Seed: 2, Rate: 1, Match: listsDay,
			Faults: []faultproxy.Fault{faultproxy.S3InternalError(), faultproxy.Reset()}})
		fn := sc.digestFunction(t, endpoints{s3: p.URL, bucket: faultBucket})
		got, ferr := runDigest(t, fn, day)
		if ferr == nil || !strings.Contains(ferr.Message, "list "+day) {
			t.Fatalf("answer %+v, error %v; want the run to fail on the listing", got, ferr)
		}
		if n := p.Faulted(); n < 1 || n > 2*s3Attempts {
			t.Errorf("the listing faulted %d times, want 1 to 2×%d", n, s3Attempts)
		}
		nothingLeft(t)
	})

	t.Run("a fifth of the reads of a large day fail", func(t *testing.T) { bigDay(t, st, sized(600, 5000), 0.2) })

	t.Run("a share of listings and reads fail", func(t *testing.T) {
		articles := func(r *http.Request) bool {
			return faultproxy.S3List(r) && strings.HasPrefix(r.URL.Query().Get("prefix"), "articles/") ||
				faultproxy.S3GetObject(r) && strings.Contains(r.URL.Path, "/articles/")
		}
		p := faultproxy.Start(t, st.s3URL, faultproxy.Config{Seed: 3, Rate: 0.3, Match: articles,
			Faults: []faultproxy.Fault{faultproxy.SlowDown(), faultproxy.S3InternalError(), faultproxy.Reset()}})
		fn := sc.digestFunction(t, endpoints{s3: p.URL, bucket: faultBucket})
		got, ferr := runDigest(t, fn, day)
		if ferr != nil {
			t.Fatalf("the day did not build: %v\n%s", ferr, fn.Logs())
		}
		if got.Status != "dispatched" || got.Stored {
			t.Errorf("answer %+v, want a fresh build, dispatched", got)
		}
		built := st.edition(t, faultBucket, day)
		if !slices.Equal(built.ids(), clean.ids()) || !slices.Equal(built.Skipped, clean.Skipped) {
			t.Errorf("through faults: stories %v, skipped %+v\nwithout: stories %v, skipped %+v", built.ids(), built.Skipped, clean.ids(), clean.Skipped)
		}
		if p.Faulted() == 0 {
			t.Error("no request faulted")
		}
		t.Logf("%d stories through %d faulted and %d forwarded requests", len(built.Stories), p.Faulted(), p.Forwarded())
	})
}

// bigDay: a synthetic day of several hundred articles, read through a
// fifth of its requests failing, builds what it builds without faults.
func bigDay(t *testing.T, st *stack, articles int, rate float64) {
	const date = "2026-12-01"
	files := synth.Generate(synth.Options{Articles: articles, Seed: 1201, DuplicateShare: 0.3, Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	for _, b := range []string{"newsdigest-faults-big", "newsdigest-faults-big-clean"} {
		if _, err := st.s3.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			in := &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("articles/2026/12/01/" + f.Name), Body: bytes.NewReader(f.Data)}
			if f.URL != "" {
				in.Metadata = map[string]string{"url": f.URL}
			}
			if _, err := st.s3.PutObject(t.Context(), in); err != nil {
				t.Fatal(err)
			}
		}
	}
	sc := st.newScenario(t, "big", 0, time.Minute)
	if _, ferr := runDigest(t, sc.digestFunction(t, endpoints{bucket: "newsdigest-faults-big-clean"}), date); ferr != nil {
		t.Fatal(ferr)
	}
	clean := st.edition(t, "newsdigest-faults-big-clean", date)
	articlesOnly := func(r *http.Request) bool {
		return faultproxy.S3List(r) && strings.HasPrefix(r.URL.Query().Get("prefix"), "articles/") ||
			faultproxy.S3GetObject(r) && strings.Contains(r.URL.Path, "/articles/")
	}
	p := faultproxy.Start(t, st.s3URL, faultproxy.Config{Seed: 6, Rate: rate, Match: articlesOnly,
		Faults: []faultproxy.Fault{faultproxy.SlowDown(), faultproxy.S3InternalError(), faultproxy.Reset()}})
	fn := sc.digestFunction(t, endpoints{s3: p.URL, bucket: "newsdigest-faults-big"})
	start := time.Now()
	if _, ferr := runDigest(t, fn, date); ferr != nil {
		t.Fatalf("the day did not build: %v", ferr)
	}
	built := st.edition(t, "newsdigest-faults-big", date)
	if !slices.Equal(built.ids(), clean.ids()) || len(built.Skipped) != len(clean.Skipped) {
		t.Errorf("through faults: %d stories, %d skipped %+v\nwithout: %d stories, %d skipped", len(built.Stories), len(built.Skipped), clip(skippedKeys(built.Skipped)), len(clean.Stories), len(clean.Skipped))
	}
	t.Logf("%d articles read through %d faulted of %d requests in %s", articles, p.Faulted(), p.Faulted()+p.Forwarded(), time.Since(start).Round(time.Millisecond))
}

func skippedKeys(s []digest.Skipped) []string {
	var out []string
	for _, k := range s {
		out = append(out, k.Key+": "+k.Error)
	}
	return out
}

// sesFlaky: SES throttles a share of the sends and fails others with 500,
// 503 or a reset, from the first batch to the last; batches with readers
// left come back, and once the queue is empty every reader has the
// edition exactly once.
func sesFlaky(t *testing.T, st *stack, _ edition) {
	sc := st.newScenario(t, "flaky", sized(80, 1000), time.Second)
	sc.mustDispatch(t, day)
	p := faultproxy.Start(t, st.ses.URL, faultproxy.Config{Seed: 4, Rate: 0.35, Match: faultproxy.SESSend,
		Faults: []faultproxy.Fault{faultproxy.Throttle(), faultproxy.Unavailable(), faultproxy.InternalError(), faultproxy.Reset()}})
	send := sc.sendFunction(t, endpoints{ses: p.URL})
	stats := sc.drain(t, send, sized(time.Minute, 10*time.Minute))
	sc.exactlyOnce(t, day)
	if p.Faulted() == 0 || stats.failed != 0 {
		t.Errorf("%d sends faulted, %d invokes failed; want some faults, and no failed invoke", p.Faulted(), stats.failed)
	}
	t.Logf("%d readers through %d faulted sends: %d invokes, %d batches back for another try", len(sc.readers), p.Faulted(), stats.invokes, stats.reported)
}

// sesDown: SES answers every send with 503 or 500 from the tenth send of
// a batch on. The send function gives the readers their tries, takes SES
// to be down, stops, and reports the batch back with the rest unsent and
// unclaimed; once SES is back, the redelivered batch sends the rest.
func sesDown(t *testing.T, st *stack, _ edition) {
	const before = 10
	sc := st.newScenario(t, "down", 40, time.Second)
	sc.mustDispatch(t, day)
	var sends atomic.Int64
	var back atomic.Bool
	p := faultproxy.Start(t, st.ses.URL, faultproxy.Config{Rate: 1,
		Match: func(r *http.Request) bool {
			return faultproxy.SESSend(r) && !back.Load() && sends.Add(1) > before
		},
		Faults: []faultproxy.Fault{faultproxy.Unavailable(), faultproxy.InternalError()}})
	send := sc.sendFunction(t, endpoints{ses: p.URL, rate: 20})
	m, ok := sc.receive(t, 5*time.Second)
	if !ok {
		t.Fatal("nothing queued")
	}
	o := sc.deliver(t, send, m)
	if !o.reported {
		t.Fatalf("with SES down the batch was not reported back: %+v", o)
	}
	inbox := sc.inbox(t)
	recs, _ := sc.records(t, day)
	for r, n := range inbox {
		if n != 1 || recs[r].state != "sent" {
			t.Errorf("%s: %d messages, ledger %q; want 1, sent", r, n, recs[r].state)
		}
	}
	if len(inbox) != before || len(recs) != before {
		t.Errorf("%d sent and %d in the ledger before SES went down, want %d: the others unsent, their claims released", len(inbox), len(recs), before)
	}
	back.Store(true)
	sc.drain(t, send, time.Minute)
	sc.exactlyOnce(t, day)
	t.Logf("SES down after %d sends: %d sends refused, then the batch came back and finished", before, p.Faulted())
}

// outOfTime: SES throttles every send from the tenth on, so that a batch
// takes longer than the send function has. The function stops before
// its deadline ends it, lets the sends in flight finish, releases the
// claims it holds and reports the batch back, instead of being ended
// with claims held and sends unrecorded; the next delivery, with SES
// taking sends again, finishes the batch.
func outOfTime(t *testing.T, st *stack, _ edition) {
	const before = 10
	sc := st.newScenario(t, "timeout", 40, time.Second)
	sc.mustDispatch(t, day)
	var sends atomic.Int64
	var back atomic.Bool
	p := faultproxy.Start(t, st.ses.URL, faultproxy.Config{Rate: 1,
		Match: func(r *http.Request) bool {
			return faultproxy.SESSend(r) && !back.Load() && sends.Add(1) > before
		},
		Faults: []faultproxy.Fault{faultproxy.Throttle()}})
	// Just over the shortest timeout in which the function starts a batch
	// at all: it wants the batch's time at its rate (50 readers at 10 a
	// second) and 20 s to spare.
	env := sc.env(endpoints{ses: p.URL, rate: 10})
	env = append(env, "AWS_LAMBDA_FUNCTION_TIMEOUT=26")
	send := rie.Start(t, st.sendBin, env)
	m, ok := sc.receive(t, 5*time.Second)
	if !ok {
		t.Fatal("nothing queued")
	}
	start := time.Now()
	o := sc.deliver(t, send, m)
	took := time.Since(start)
	recs, _ := sc.records(t, day)
	inbox := sc.inbox(t)
	var held []string
	for r, rec := range recs {
		if rec.state != "sent" || inbox[r] != 1 {
			held = append(held, r+" "+rec.state)
		}
	}
	if o.err != nil || !o.reported || len(held) > 0 || len(recs) != before {
		t.Errorf("after %s: answer %+v, %d ledger records (%d not sent: %v); want the batch reported back in time, %d sent and recorded, no claim held",
			took.Round(time.Millisecond), o, len(recs), len(held), clip(held), before)
	}
	// The next delivery, to another instance: this one's pace slowed to
	// an eighth with the throttling, and comes back only by degrees.
	back.Store(true)
	sc.drain(t, sc.sendFunction(t, endpoints{ses: p.URL}), time.Minute)
	sc.exactlyOnce(t, day)
	t.Logf("the batch stopped after %s of a 26 s timeout, %d throttled answers", took.Round(time.Millisecond), p.Faulted())
}

// killed: the send function's runtime is killed (SIGKILL, as a timeout or
// a crash ends it) part-way through a batch. The queue hands the batch to
// a fresh runtime once its visibility timeout runs out: it sends everyone
// the dead run had not, and reports the batch back for the readers the
// dead run still holds claims on, none of whom gets a second copy while
// the claims' lease lasts. Once the lease runs out the next delivery
// sends to them: the only readers who can then get two copies are those
// whose message SES had accepted when the runtime died, the window the
// README names.
func killed(t *testing.T, st *stack, _ edition) {
	for _, n := range sized([]int{15}, []int{1, 15, 30, 49}) {
		t.Run(fmt.Sprintf("after %d sends", n), func(t *testing.T) {
			t.Parallel()
			killedAfter(t, st, n)
		})
	}
}

func killedAfter(t *testing.T, st *stack, killAfter int) {
	sc := st.newScenario(t, fmt.Sprintf("killed%d", killAfter), 50, 3*time.Second)
	sc.mustDispatch(t, day)
	p := faultproxy.Start(t, st.ses.URL, faultproxy.Config{}) // to count the sends
	send := sc.sendFunction(t, endpoints{ses: p.URL, rate: 20})

	m, ok := sc.receive(t, 5*time.Second)
	if !ok {
		t.Fatal("nothing queued")
	}
	done := make(chan outcome, 1)
	go func() { done <- sc.deliverAsync(send, m) }()
	// GetAccount at the cold start, then the sends.
	deadline := time.Now().Add(30 * time.Second)
	for p.Forwarded() < 1+killAfter {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests reached SES", p.Forwarded())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := send.Kill(); err != nil {
		t.Fatal(err)
	}
	if o := <-done; o.err == nil {
		t.Fatalf("the killed invoke answered %+v, want the emulator's error", o)
	}
	// A request the runtime had written whole before it died still
	// lands: let those settle before taking stock.
	time.Sleep(300 * time.Millisecond)
	atKill := sc.inbox(t)
	recs, _ := sc.records(t, day)
	var held []string
	for _, r := range sc.readers {
		if recs[r].state == "claimed" {
			held = append(held, r)
		}
	}

	// Lambda's event source mapping: the batch comes back once its
	// visibility timeout runs out, to a new runtime.
	again, ok := sc.receive(t, 10*time.Second)
	if !ok || again.id != m.id {
		t.Fatalf("the batch did not come back after its visibility timeout (got %q, ok %v)", again.id, ok)
	}
	o := sc.deliver(t, send, again)
	inbox := sc.inbox(t)
	recs, _ = sc.records(t, day)
	var stillHeld []string
	for _, r := range sc.readers {
		switch state := recs[r].state; {
		case inbox[r] > 1:
			t.Errorf("%s got %d copies", r, inbox[r])
		case state == "sent" && inbox[r] != 1:
			t.Errorf("%s: ledger sent, %d messages", r, inbox[r])
		case state == "claimed":
			stillHeld = append(stillHeld, r)
		case state != "sent":
			t.Errorf("%s: ledger %q after the redelivery, want sent, or claimed by the dead run", r, state)
		}
	}
	if !slices.Equal(stillHeld, held) {
		t.Errorf("claims held after the redelivery %v, want the dead run's %v", stillHeld, held)
	}
	if o.err != nil || o.reported != (len(held) > 0) {
		t.Errorf("the redelivery answered %+v; want the batch reported back exactly when readers are held (%d)", o, len(held))
	}
	var window []string // held, and SES has their message already
	for _, r := range held {
		if inbox[r] == 1 {
			window = append(window, r)
		}
	}

	// The lease runs out (15 minutes, here at once); the next delivery
	// sends to the readers the dead run held.
	sc.expireLeases(t, day)
	sc.drain(t, send, time.Minute)
	final := sc.inbox(t)
	recs, _ = sc.records(t, day)
	for _, r := range sc.readers {
		want := 1
		if slices.Contains(window, r) {
			want = 2
		}
		if final[r] != want || recs[r].state != "sent" {
			t.Errorf("%s: %d messages, ledger %q; want %d, sent", r, final[r], recs[r].state, want)
		}
	}
	t.Logf("killed after %d sends (%d in the store): %d claims held by the dead run (%d of them accepted by SES before it died: the window no ledger closes); the rest sent once",
		killAfter, len(atKill), len(held), len(window))
}

// deliverAsync is deliver for a goroutine other than the test's: a
// failure to invoke comes back as the outcome's error.
func (sc *scenario) deliverAsync(fn *rie.Function, m received) outcome {
	payload, err := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{m.event}})
	if err != nil {
		return outcome{err: &rie.FunctionError{Message: err.Error()}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		return outcome{err: &rie.FunctionError{Message: err.Error()}}
	}
	if res.Err != nil {
		return outcome{err: res.Err}
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return outcome{err: &rie.FunctionError{Message: err.Error()}}
	}
	return outcome{reported: len(resp.BatchItemFailures) > 0}
}

// twoTriggers: the schedule fires the digest function twice at once
// (two invocations of the same event, in two runtimes). Both build the
// day; exactly one queues the list, and the other answers that the day is
// dispatched, or fails with the dispatch in progress (Lambda retries it,
// and the retry finds it dispatched). Every reader is queued once.
func twoTriggers(t *testing.T, st *stack, _ edition) {
	const date = "2026-11-25"
	sc := st.newScenario(t, "twice", 120, 2*time.Second)
	a, b := sc.digestFunction(t, endpoints{}), sc.digestFunction(t, endpoints{})
	ev := events.EventBridgeEvent{Source: "aws.scheduler", DetailType: "Scheduled Event", Time: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)}
	type answer struct {
		res digestResult
		err *rie.FunctionError
	}
	answers := make(chan answer, 2)
	for _, fn := range []*rie.Function{a, b} {
		go func() {
			payload, _ := json.Marshal(ev)
			res, err := fn.Invoke(context.Background(), payload)
			switch {
			case err != nil:
				answers <- answer{err: &rie.FunctionError{Message: err.Error()}}
			case res.Err != nil:
				answers <- answer{err: res.Err}
			default:
				var r digestResult
				if err := json.Unmarshal(res.Payload, &r); err != nil {
					answers <- answer{err: &rie.FunctionError{Message: err.Error()}}
					return
				}
				answers <- answer{res: r}
			}
		}()
	}
	var dispatched, other []answer
	for range 2 {
		x := <-answers
		if x.err == nil && x.res.Status == "dispatched" {
			dispatched = append(dispatched, x)
		} else {
			other = append(other, x)
		}
	}
	if len(dispatched) != 1 {
		t.Fatalf("%d runs dispatched (%+v, others %+v), want exactly 1", len(dispatched), dispatched, other)
	}
	switch o := other[0]; {
	case o.err == nil && o.res.Status == "already dispatched":
	case o.err != nil && strings.Contains(o.err.Message, digest.ErrDispatchInProgress.Error()):
	default:
		t.Errorf("the other run answered %+v, %v; want already dispatched, or the dispatch in progress", o.res, o.err)
	}
	if got := dispatched[0].res; got.Date != date || got.Dispatch.Readers != len(sc.readers) || got.Dispatch.Batches != 3 {
		t.Errorf("dispatch %+v, want %d readers of %s in 3 batches", got, len(sc.readers), date)
	}
	checkQueued := func() {
		t.Helper()
		queued := sc.queued(t)
		for _, r := range sc.readers {
			if queued[r] != 1 {
				t.Errorf("%s queued %d times, want once", r, queued[r])
			}
		}
		if n := len(st.sqsServer.Messages(sc.queueURL)); n != 3 {
			t.Errorf("%d batches queued, want 3", n)
		}
	}
	checkQueued()
	// The retry Lambda makes of a failed run, or a third trigger.
	if got, ferr := invokeDigest(t, b, ev); ferr != nil || got.Status != "already dispatched" || !got.Stored {
		t.Errorf("a later trigger: %+v, %v; want already dispatched from the kept email", got, ferr)
	}
	checkQueued()
	sc.drain(t, sc.sendFunction(t, endpoints{}), time.Minute)
	sc.exactlyOnce(t, date)
}

// redelivered: a batch's visibility timeout runs out while its first
// delivery still sends, so the queue hands it to a second send function
// at the same time. Between them every reader gets the edition once.
func redelivered(t *testing.T, st *stack, _ edition) {
	sc := st.newScenario(t, "again", 50, time.Second)
	sc.mustDispatch(t, day)
	first, second := sc.sendFunction(t, endpoints{rate: 20}), sc.sendFunction(t, endpoints{rate: 20})
	m1, ok := sc.receive(t, 5*time.Second)
	if !ok {
		t.Fatal("nothing queued")
	}
	firstDone := make(chan outcome, 1)
	go func() { firstDone <- sc.deliverAsync(first, m1) }()
	m2, ok := sc.receive(t, 5*time.Second)
	if !ok || m2.id != m1.id {
		t.Fatalf("the batch was not handed out again after its visibility timeout (got %q, ok %v)", m2.id, ok)
	}
	o2 := sc.deliver(t, second, m2)
	o1 := <-firstDone
	if o1.err != nil || o2.err != nil {
		t.Fatalf("invokes failed: %v, %v", o1.err, o2.err)
	}
	// The first delivery's receipt is outdated: deleting with it does
	// nothing, as in SQS.
	if !o1.reported {
		if _, err := st.sqs.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(sc.queueURL), ReceiptHandle: aws.String(m1.receipt)}); err != nil {
			t.Fatal(err)
		}
	}
	stats := sc.drain(t, first, time.Minute)
	sc.exactlyOnce(t, day)
	t.Logf("two deliveries at once: first reported back %v, second %v; %d more invokes to empty the queue", o1.reported, o2.reported, stats.invokes)
}

// quotaSpent: SES's daily quota runs out after 70 sends, in the second
// of three batches. The rest of that batch and all of the third are
// reported back, unsent and unclaimed; once the quota resets (the next
// day's allowance) the queue delivers them and every reader has the
// edition exactly once.
func quotaSpent(t *testing.T, st *stack, _ edition) {
	const quota = 70
	sc := st.newScenario(t, "quota", 120, time.Second)
	sc.mustDispatch(t, day)
	p := faultproxy.Start(t, st.ses.URL, faultproxy.Config{QuotaAfter: quota, Match: faultproxy.SESSend})
	send := sc.sendFunction(t, endpoints{ses: p.URL})
	// Each batch once, in the order queued.
	seen := map[string]outcome{}
	deadline := time.Now().Add(time.Minute)
	for len(seen) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 3 batches delivered", len(seen))
		}
		m, ok := sc.receive(t, time.Second)
		if !ok {
			continue
		}
		if _, again := seen[m.id]; again {
			continue
		}
		seen[m.id] = sc.deliver(t, send, m)
	}
	inbox := sc.inbox(t)
	recs, _ := sc.records(t, day)
	queued := sc.queued(t)
	var sent int
	for _, r := range sc.readers {
		switch {
		case inbox[r] > 1:
			t.Errorf("%s got %d copies", r, inbox[r])
		case inbox[r] == 1:
			sent++
			if recs[r].state != "sent" {
				t.Errorf("%s: sent, ledger %q", r, recs[r].state)
			}
		default:
			if _, ok := recs[r]; ok || queued[r] == 0 {
				t.Errorf("%s unsent: ledger %q, in %d queued batches; want no record and a batch back on the queue", r, recs[r].state, queued[r])
			}
		}
	}
	if sent != quota {
		t.Errorf("%d sent before the quota ran out, want %d", sent, quota)
	}
	if n := len(st.sqsServer.Messages(sc.queueURL)); n != 2 {
		t.Errorf("%d batches back on the queue, want the last 2", n)
	}
	p.ResetQuota()
	sc.drain(t, send, time.Minute)
	sc.exactlyOnce(t, day)
}

// sqsDown: SQS fails every SendMessageBatch of the dispatch (500s and
// throttling). The SDK's retries are bounded, the digest function fails
// loudly and gives the day's dispatch back; the next trigger, with SQS
// back, queues the list, and every reader gets the edition once.
func sqsDown(t *testing.T, st *stack, _ edition) {
	sc := st.newScenario(t, "sqs", 60, time.Second)
	var down atomic.Bool
	down.Store(true)
	batch := faultproxy.SQSAction("SendMessageBatch")
	p := faultproxy.Start(t, st.sqsURL, faultproxy.Config{Seed: 5, Rate: 1,
		Match:  func(r *http.Request) bool { return batch(r) && down.Load() },
		Faults: []faultproxy.Fault{faultproxy.SQSInternalError(), faultproxy.SQSThrottle()}})
	fn := sc.digestFunction(t, endpoints{sqs: p.URL})
	got, ferr := runDigest(t, fn, day)
	if ferr == nil || !strings.Contains(ferr.Message, "dispatch "+day) {
		t.Fatalf("answer %+v, error %v; want the dispatch to fail", got, ferr)
	}
	// 60 readers are 2 batches, one request: tried as often as the SDK's
	// retryer allows.
	if n := p.Faulted(); n < 1 || n > 3 {
		t.Errorf("%d requests faulted, want 1 to 3", n)
	}
	if _, dispatch := sc.records(t, day); dispatch != "" {
		t.Errorf("the failed dispatch left %q in the ledger, want it given back", dispatch)
	}
	if n := len(st.sqsServer.Messages(sc.queueURL)); n != 0 {
		t.Errorf("%d batches queued by the failed dispatch", n)
	}
	down.Store(false)
	got, ferr = runDigest(t, fn, day)
	if ferr != nil || got.Status != "dispatched" || got.Dispatch.Readers != len(sc.readers) {
		t.Fatalf("with SQS back: %+v, %v", got, ferr)
	}
	sc.drain(t, sc.sendFunction(t, endpoints{}), time.Minute)
	sc.exactlyOnce(t, day)
}
