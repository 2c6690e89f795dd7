// Package loadtest runs the product's real path under load, on loopback:
// a synthetic day in gofakes3, a synthetic list in dynalite, the digest
// function's bootstrap under the Lambda emulator fanning the list out
// onto the SQS stand-in, and several send functions' bootstraps, fed by a
// poller that does what Lambda's event source mapping does, sending
// through a proxy that enforces an SES sending rate in front of
// aws-ses-v2-local. Every reader is counted in the emulator's store and in
// the ledger: each exactly once.
//
// `go test ./internal/loadtest` runs a small load in `make test`; `make
// bench-load` runs the sizes of BENCHMARKS.md (flags below).
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/dynamodb"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digestsqs "github.com/newsdigest/newsdigest/digest/sqs"
	"github.com/newsdigest/newsdigest/internal/awslocal"
	"github.com/newsdigest/newsdigest/internal/dynalite"
	"github.com/newsdigest/newsdigest/internal/faultproxy"
	"github.com/newsdigest/newsdigest/internal/rie"
	"github.com/newsdigest/newsdigest/internal/seslocal"
	"github.com/newsdigest/newsdigest/internal/synth"
)

// The sizes: small by default, for `make test`; `make bench-load` passes
// the ones BENCHMARKS.md reports.
var (
	articlesFlag    = flag.Int("load.articles", 500, "articles in the synthetic day")
	listFlag        = flag.Int("load.list", 2000, "readers of the fan-out phase: the digest function queues them all, nothing is sent")
	ratesFlag       = flag.String("load.rates", "50,100", "SES rates enforced, one sending phase each, messages a second")
	phaseSecsFlag   = flag.Float64("load.phase-seconds", 5, "how long each sending phase sends for at its rate: its list is rate × seconds readers")
	concurrencyFlag = flag.Int("load.concurrency", 4, "send functions at once (the template's SendConcurrency)")
	dryRunFlag      = flag.Int("load.dry-run", 10000, "readers of the dry run: fanned out onto the queue, and every message built, none sent")
)

const (
	bucket      = "newsdigest-load"
	ledgerTable = "newsdigest-load-ledger"
	localKey    = "newsdigest-local-unsubscribe-key-not-secret-000000"
	keyName     = "/newsdigest/unsubscribe-key"
)

// stack is the stand-ins every phase shares.
type stack struct {
	s3URL, dynamoURL, sqsURL string
	s3                       *s3.Client
	dynamo                   *awsdynamodb.Client
	sqs                      *sqs.Client
	sqsServer                *awslocal.SQS
	db                       *dynalite.Server
}

func TestLoad(t *testing.T) {
	rates, err := parseRates(*ratesFlag)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Minute)
	defer cancel()
	st := startStack(t)
	digestBin, sendBin := rie.Build(t, "./functions/digest"), rie.Build(t, "./functions/send")

	// Each phase is its own day (an edition of its own in the ledger)
	// with its own list. The first only fans a large list out.
	days := len(rates) + 1
	day := func(i int) time.Time { return time.Date(2026, 11, 27-days+i, 0, 0, 0, 0, time.UTC) }
	t.Run("fan-out", func(t *testing.T) {
		p := phase{st: st, day: day(0), readers: *listFlag, articles: *articlesFlag, concurrency: *concurrencyFlag,
			table: "newsdigest-load-subscribers-0"}
		p.run(ctx, t, digestBin, "")
	})
	for i, rate := range rates {
		t.Run(fmt.Sprintf("%g per second", rate), func(t *testing.T) {
			p := phase{st: st, day: day(i + 1), rate: rate, readers: max(1, int(rate**phaseSecsFlag)), articles: *articlesFlag,
				concurrency: *concurrencyFlag, table: fmt.Sprintf("newsdigest-load-subscribers-%d", i+1)}
			p.run(ctx, t, digestBin, sendBin)
		})
	}
	t.Run("dry run", func(t *testing.T) { dryRun(ctx, t, st, *dryRunFlag) })
}

func parseRates(s string) ([]float64, error) {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-load.rates %q: %q is not a rate", s, f)
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return out, nil
}

func startStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	st := &stack{}
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	st.s3URL = s3srv.URL
	st.s3 = s3.New(s3.Options{BaseEndpoint: aws.String(s3srv.URL), Region: "eu-west-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := st.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	st.db = dynalite.Start(t)
	st.dynamoURL, st.dynamo = st.db.Endpoint, st.db.Client(t)
	var ssm *awslocal.SSM
	st.sqsServer, ssm, st.sqsURL = awslocal.Start(t)
	ssm.Put(keyName, localKey, true)
	st.sqs = sqs.NewFromConfig(awslocal.ClientConfig(st.sqsURL))
	return st
}

// phase is one edition: fanned out, and sent at an enforced rate unless
// the rate is zero.
type phase struct {
	st          *stack
	day         time.Time
	rate        float64
	readers     int
	articles    int
	concurrency int
	table       string
}

// functionEnv is what infra/env.json gives a function, pointed at this
// run's stand-ins.
func (p *phase) functionEnv(sesURL, queueURL string) []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + p.st.s3URL, "AWS_ENDPOINT_URL_DYNAMODB=" + p.st.dynamoURL,
		"AWS_ENDPOINT_URL_SQS=" + p.st.sqsURL, "AWS_ENDPOINT_URL_SSM=" + p.st.sqsURL, "AWS_ENDPOINT_URL_SESV2=" + sesURL,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=600", "AWS_LAMBDA_LOG_LEVEL=INFO",
		"CONTENT_BUCKET=" + bucket, "TIME_ZONE=Europe/London", "MAX_STORIES=10", "MAX_DAY_MB=200",
		"PRODUCT_NAME=The Newsdigest Daily", "SITE_URL=https://newsdigest.example",
		"POSTAL_ADDRESS=Newsdigest, 1 Quay Street, Port Alder PA1 1AA, United Kingdom",
		"ARCHIVE_URL=https://newsdigest.example/archive",
		"SUBSCRIBERS_TABLE=" + p.table, "LEDGER_TABLE=" + ledgerTable, "SEND_QUEUE_URL=" + queueURL,
		"FROM_ADDRESS=The Newsdigest Daily <digest@newsdigest.example>", "LIST_ID=daily.newsdigest.example",
		"UNSUBSCRIBE_URL=https://newsdigest.example/unsubscribe", "UNSUBSCRIBE_KEY_PARAMETER=" + keyName,
		"SES_CONFIGURATION_SET=newsdigest",
		"SES_MAX_SEND_RATE=" + strconv.FormatFloat(max(p.rate, 14), 'f', -1, 64),
		"SEND_CONCURRENCY=" + strconv.Itoa(p.concurrency),
	}
}

func (p *phase) run(ctx context.Context, t *testing.T, digestBin, sendBin string) {
	name := p.day.Format("2006-01-02")
	setup := time.Now()
	p.putDay(ctx, t)
	emails := p.putReaders(ctx, t)
	t.Logf("%s: %d articles in gofakes3, %d readers in dynalite (setup %s)", name, p.articles, len(emails), time.Since(setup).Round(time.Millisecond))

	rate := p.rate
	if rate == 0 {
		rate = 14 // the fan-out phase sends nothing; its functions need a rate all the same
	}
	ses := seslocal.StartWithQuota(t, seslocal.SendQuota{MaxSendRate: rate, Max24HourSend: 1e9})
	proxy := faultproxy.Start(t, ses.URL, faultproxy.Config{MaxRate: rate})
	queueURL := p.st.sqsServer.CreateQueue("load-"+name, 10*time.Minute)
	env := p.functionEnv(proxy.URL, queueURL)

	// The day's run: build, publish, fan out.
	// Each function's memory limit for Go's collector, as template.yaml
	// sets it.
	digestFn := rie.Start(t, digestBin, append(env, "GOMEMLIMIT=850MiB"))
	start := time.Now()
	res, err := digestFn.Invoke(ctx, mustJSON(t, events.EventBridgeEvent{Source: "aws.scheduler", DetailType: "Scheduled Event", Time: p.day.Add(6 * time.Hour)}))
	if err != nil || res.Err != nil {
		t.Fatalf("digest: %v %v\n%s", err, res.Err, digestFn.Logs())
	}
	digestTime := time.Since(start)
	var dr struct {
		Stories  int `json:"stories"`
		Skipped  int `json:"skipped_files"`
		Dispatch struct {
			Readers, Batches int
			Elapsed          time.Duration
		} `json:"dispatch"`
	}
	if err := json.Unmarshal(res.Payload, &dr); err != nil {
		t.Fatal(err)
	}
	digestUse, _ := digestFn.Usage()
	t.Logf("%s: digest function %s (init %s), %d stories (%d files skipped), fan-out of %d readers in %d batches %s, peak RSS %.0f MB",
		name, digestTime.Round(time.Millisecond), res.InitDuration.Round(time.Millisecond), dr.Stories, dr.Skipped,
		dr.Dispatch.Readers, dr.Dispatch.Batches, dr.Dispatch.Elapsed.Round(time.Millisecond), float64(digestUse.PeakRSS)/1e6)
	if dr.Dispatch.Readers != len(emails) || len(p.st.sqsServer.Messages(queueURL)) != dr.Dispatch.Batches {
		t.Fatalf("dispatched %d readers in %d batches, %d on the queue; want %d readers", dr.Dispatch.Readers, dr.Dispatch.Batches,
			len(p.st.sqsServer.Messages(queueURL)), len(emails))
	}
	if sendBin == "" {
		return
	}

	// The send functions, each fed by its own poller, as Lambda's event
	// source mapping runs up to MaximumConcurrency of them.
	sesBefore, _ := ses.Usage()
	dbBefore, _ := p.st.db.Usage()
	counts := &storeCounts{seen: map[string]int{}}
	stopSnapshots := counts.snapshotEvery(t, 2*time.Second, proxy, ses)
	var wg sync.WaitGroup
	var invokes, retried atomic.Int64
	var lastMu sync.Mutex
	var last time.Time
	senders := make([]*rie.Function, p.concurrency)
	start = time.Now()
	for i := range senders {
		senders[i] = rie.Start(t, sendBin, append(env, "GOMEMLIMIT=420MiB"))
		wg.Go(func() {
			n, r, end := poll(ctx, t, p.st.sqs, p.st.sqsServer, senders[i], queueURL)
			invokes.Add(int64(n))
			retried.Add(int64(r))
			lastMu.Lock()
			if end.After(last) {
				last = end
			}
			lastMu.Unlock()
		})
	}
	wg.Wait()
	// From the first invoke to the end of the last: the pollers' final
	// wait on an empty queue is the harness's, not the system's.
	sendTime := last.Sub(start)
	stopSnapshots()
	sesAfter, _ := ses.Usage()
	dbAfter, _ := p.st.db.Usage()

	sent := counts.total()
	var lost, doubled int
	for _, e := range emails {
		switch n := counts.seen[e]; {
		case n == 0:
			lost++
		case n > 1:
			doubled++
		}
	}
	recorded := p.ledgerSent(ctx, t, name)
	var peak int64
	var sendCPU time.Duration
	for _, s := range senders {
		if u, err := s.Usage(); err == nil {
			peak = max(peak, u.PeakRSS)
			sendCPU += u.CPU
		}
	}
	// The time the proxy held traffic while the emulator's store was read
	// is the harness's, not the system's.
	held := proxy.Paused()
	achieved := float64(sent) / (sendTime - held).Seconds()
	t.Logf("%s: %d sent in %s (%s of it held for the store's snapshots) by %d send functions (%d invokes, %d batches back for another try): %.1f/s of the %g/s enforced = %.1f%%; %d throttled answers; lost %d, doubled %d, ledger records %d sent; send function peak RSS %.0f MB",
		name, sent, sendTime.Round(time.Millisecond), held.Round(time.Millisecond), p.concurrency, invokes.Load(), retried.Load(), achieved, p.rate,
		100*achieved/p.rate, proxy.Throttled(), lost, doubled, recorded, float64(peak)/1e6)
	perMessage := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(max(sent, 1)) }
	t.Logf("%s: processor time a message: send functions %.2f ms, aws-ses-v2-local %.2f ms, dynalite (the ledger) %.2f ms",
		name, perMessage(sendCPU), perMessage(sesAfter.CPU-sesBefore.CPU), perMessage(dbAfter.CPU-dbBefore.CPU))
	if lost != 0 || doubled != 0 || sent != len(emails) || recorded != len(emails) {
		t.Errorf("%d readers: %d sent, %d lost, %d doubled, %d in the ledger; want each exactly once", len(emails), sent, lost, doubled, recorded)
	}
}

// putDay writes the synthetic day into the bucket.
func (p *phase) putDay(ctx context.Context, t *testing.T) {
	files := synth.Generate(synth.Options{Articles: p.articles, Seed: uint64(p.day.Day()), DuplicateShare: 0.3, Date: p.day})
	prefix := "articles/" + p.day.Format("2006/01/02") + "/"
	var wg sync.WaitGroup
	next := make(chan synth.File)
	errs := make(chan error, 1)
	for range 16 {
		wg.Go(func() {
			for f := range next {
				in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + f.Name), Body: bytes.NewReader(f.Data)}
				if f.URL != "" {
					in.Metadata = map[string]string{"url": f.URL}
				}
				if _, err := p.st.s3.PutObject(ctx, in); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// putReaders makes the phase's subscriber table and fills it.
func (p *phase) putReaders(ctx context.Context, t *testing.T) []string {
	if err := dynamodb.CreateTables(ctx, p.st.dynamo, p.table, ledgerTable); err != nil {
		t.Fatal(err)
	}
	subs := make([]digest.Subscriber, p.readers)
	emails := make([]string, p.readers)
	for i := range subs {
		emails[i] = fmt.Sprintf("reader%07d@example.com", i)
		subs[i] = digest.Subscriber{Email: emails[i], Name: fmt.Sprintf("Reader %d", i), Status: digest.StatusActive}
	}
	list, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: p.table, Concurrency: 32}, p.st.dynamo, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := list.Import(ctx, subs); err != nil {
		t.Fatal(err)
	}
	return emails
}

// ledgerSent counts the ledger's sent records of the edition.
func (p *phase) ledgerSent(ctx context.Context, t *testing.T, edition string) int {
	pages := awsdynamodb.NewScanPaginator(p.st.dynamo, &awsdynamodb.ScanInput{
		TableName: aws.String(ledgerTable),
		// The edition's dispatch is recorded under a marker, not an address.
		FilterExpression:         aws.String("#edition = :edition AND #state = :sent AND contains(#email, :at)"),
		ExpressionAttributeNames: map[string]string{"#edition": "edition", "#state": "state", "#email": "email"},
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":edition": &dbtypes.AttributeValueMemberS{Value: edition},
			":sent": &dbtypes.AttributeValueMemberS{Value: "sent"}, ":at": &dbtypes.AttributeValueMemberS{Value: "@"}},
		Select: dbtypes.SelectCount,
	})
	var n int
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += int(page.Count)
	}
	return n
}

// storeCounts counts the messages aws-ses-v2-local received, per reader.
type storeCounts struct {
	mu   sync.Mutex
	seen map[string]int
}

// snapshotEvery reads and empties the emulator's store now and then, with
// the proxy holding traffic meanwhile so that no message arrives between
// the read and the clearing; the emulator would otherwise hold every
// message of the run in memory. The returned func takes the last snapshot.
func (c *storeCounts) snapshotEvery(t *testing.T, every time.Duration, proxy *faultproxy.Proxy, ses *seslocal.Server) func() {
	take := func() {
		proxy.Pause()
		defer proxy.Resume()
		emails, err := ses.StoredEmails()
		if err == nil {
			err = ses.ClearStore()
		}
		if err != nil {
			t.Error(err)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, e := range emails {
			for _, to := range e.Destination.To {
				c.seen[address(to)]++
			}
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				take()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		take()
	}
}

func (c *storeCounts) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int
	for _, v := range c.seen {
		n += v
	}
	return n
}

// address takes the bare address out of "Name <address>".
func address(to string) string {
	if i := strings.LastIndexByte(to, '<'); i >= 0 {
		return strings.TrimSuffix(to[i+1:], ">")
	}
	return to
}

// templateBatchSize is the send queue mapping's BatchSize in template.yaml.
const templateBatchSize = 1

// poll does for one send function what Lambda's SQS event source mapping
// does: receive up to the template's BatchSize of messages, invoke,
// delete those not reported as failed; until the queue is empty.
func poll(ctx context.Context, t *testing.T, client *sqs.Client, server *awslocal.SQS, fn *rie.Function, queueURL string) (invokes, retried int, lastEnd time.Time) {
	for ctx.Err() == nil {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: templateBatchSize,
			WaitTimeSeconds: 1, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Error(err)
			return
		}
		if len(out.Messages) == 0 {
			if len(server.Messages(queueURL)) == 0 {
				return
			}
			continue
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes, EventSource: "aws:sqs"})
		}
		res, err := fn.Invoke(ctx, mustJSON(t, ev))
		if err != nil || res.Err != nil {
			t.Errorf("send: %v %v", err, res.Err)
			return
		}
		invokes++
		lastEnd = time.Now()
		var resp events.SQSEventResponse
		if err := json.Unmarshal(res.Payload, &resp); err != nil {
			t.Error(err)
			return
		}
		for _, m := range out.Messages {
			if slices.ContainsFunc(resp.BatchItemFailures, func(f events.SQSBatchItemFailure) bool { return f.ItemIdentifier == aws.ToString(m.MessageId) }) {
				retried++
				continue
			}
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Error(err)
				return
			}
		}
	}
	return
}

// dryRun fans a list of n readers out onto the queue through the real
// dispatcher and SQS adapter, then builds every reader's message (the
// send path without sending): the cost of a list of that size in our own
// code.
func dryRun(ctx context.Context, t *testing.T, st *stack, n int) {
	queueURL := st.sqsServer.CreateQueue("load-dry-run", time.Minute)
	ledger, err := digestfs.NewLedger(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	list := syntheticList(n)
	d := digest.NewDispatcher(list, digestsqs.New(st.sqs, queueURL, nil), ledger, time.Hour)
	start := time.Now()
	rep, err := d.Dispatch(ctx, "dry-run", false)
	if err != nil {
		t.Fatal(err)
	}
	fanOut := time.Since(start)
	if got := len(st.sqsServer.Messages(queueURL)); got != rep.Batches || rep.Readers != n {
		t.Fatalf("%d messages on the queue for %d batches of %d readers, want %d readers", got, rep.Batches, rep.Readers, n)
	}
	t.Logf("dry run: fan-out of %d readers into %d SQS batches in %s (%.0f readers/s)", n, rep.Batches, fanOut.Round(time.Millisecond), float64(n)/fanOut.Seconds())

	renderer, err := hermes.NewRenderer(hermes.Config{ProductName: "The Newsdigest Daily", SiteURL: "https://newsdigest.example", PostalAddress: "1 Quay Street"})
	if err != nil {
		t.Fatal(err)
	}
	edition := exampleEdition(t)
	rendered, err := renderer.Render(edition)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := digest.NewTokens([]byte(localKey))
	if err != nil {
		t.Fatal(err)
	}
	deliverer, err := digest.NewDeliverer(digest.DeliveryConfig{From: digest.Address{Name: "The Newsdigest Daily", Email: "digest@newsdigest.example"},
		ListID: "daily.newsdigest.example", UnsubscribeURL: "https://newsdigest.example/unsubscribe", DryRun: true,
		Concurrency: runtime.GOMAXPROCS(0)}, nopSender{}, nil, tokens, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	issue := digest.Issue{Edition: "dry-run", Copy: rendered, ViewURL: "https://newsdigest.example/archive/2026-11-26/"}
	var built int
	start = time.Now()
	err = list.Active(ctx, 10000, func(subs []digest.Subscriber) error {
		r, err := deliverer.Deliver(ctx, issue, subs, nil)
		built += r.Built
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	buildTime := time.Since(start)
	if built != n {
		t.Errorf("%d messages built, want %d", built, n)
	}
	t.Logf("dry run: %d messages built (personalized, MIME-encoded) in %s: %.0f messages/s on %d cores", built, buildTime.Round(time.Millisecond), float64(built)/buildTime.Seconds(), runtime.GOMAXPROCS(0))
}

// exampleEdition is the example corpus's day, as the digest function
// would build it.
func exampleEdition(t *testing.T) digest.Edition {
	store, err := digestfs.New(filepath.Join("..", "..", "examples", "articles"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	e, err := digest.BuildDay(t.Context(), digest.NewReader(digest.ReaderConfig{Lookback: 3}, store, logger),
		digest.NewBuilder(digest.BuildConfig{MaxStories: 10, ArchiveBaseURL: "https://newsdigest.example/archive"}, logger),
		digest.Date{Year: 2026, Month: 11, Day: 26})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// syntheticList is a list of n active readers, made as it is read.
type syntheticList int

func (l syntheticList) Active(ctx context.Context, batch int, each func([]digest.Subscriber) error) error {
	for i := 0; i < int(l); i += batch {
		subs := make([]digest.Subscriber, 0, batch)
		for j := i; j < min(i+batch, int(l)); j++ {
			subs = append(subs, digest.Subscriber{Email: fmt.Sprintf("reader%07d@example.com", j), Name: fmt.Sprintf("Reader %d", j), Status: digest.StatusActive})
		}
		if err := each(subs); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// nopSender is never called: a dry run sends nothing.
type nopSender struct{}

func (nopSender) Send(context.Context, digest.Mail) (string, error) {
	return "", fmt.Errorf("a dry run sent a message")
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
