package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	"github.com/newsdigest/newsdigest/internal/awslocal"
	"github.com/newsdigest/newsdigest/internal/dynalite"
	"github.com/newsdigest/newsdigest/internal/rie"
	"github.com/newsdigest/newsdigest/internal/seslocal"
)

const (
	// bucket holds the example corpus and the day's kept email, which
	// the scenarios that send share.
	bucket   = "newsdigest-faults"
	localKey = "newsdigest-local-unsubscribe-key-not-secret-000000"
	keyName  = "/newsdigest/unsubscribe-key"
	// day is the edition the sending scenarios send: the example corpus's
	// last day, built once by the stack.
	day = "2026-11-26"
)

// stack is the stand-ins every scenario shares: gofakes3 for S3, dynalite
// for DynamoDB, aws-ses-v2-local for SES, awslocal for SQS and Parameter
// Store; and the two functions' bootstraps. Each scenario has tables,
// queue, readers and proxies of its own.
type stack struct {
	s3URL, dynamoURL, sqsURL string
	s3                       *s3.Client
	dynamo                   *awsdynamodb.Client
	sqs                      *sqs.Client
	sqsServer                *awslocal.SQS
	ses                      *seslocal.Server
	digestBin, sendBin       string

	// storeMu keeps one read of the emulator's store at a time: each
	// read holds every message of the run.
	storeMu sync.Mutex
}

func startStack(t *testing.T) *stack {
	t.Helper()
	st := &stack{}
	var wg sync.WaitGroup
	// The builds and the Node stand-ins take the longest: side by side.
	wg.Go(func() { st.digestBin = rie.Build(t, "./functions/digest") })
	wg.Go(func() { st.sendBin = rie.Build(t, "./functions/send") })
	var db *dynalite.Server
	wg.Go(func() { db = dynalite.Start(t) })
	// An account whose rate and quota the functions never meet: the
	// scenarios' proxies play the limits.
	wg.Go(func() { st.ses = seslocal.StartWithQuota(t, seslocal.SendQuota{MaxSendRate: 1000, Max24HourSend: 1e6}) })

	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	st.s3URL = s3srv.URL
	st.s3 = s3.New(s3.Options{BaseEndpoint: aws.String(s3srv.URL), Region: "eu-west-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	st.putCorpus(t, bucket)
	var ssm *awslocal.SSM
	st.sqsServer, ssm, st.sqsURL = awslocal.Start(t)
	ssm.Put(keyName, localKey, true)
	st.sqs = sqs.NewFromConfig(awslocal.ClientConfig(st.sqsURL))
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	st.dynamoURL, st.dynamo = db.Endpoint, db.Client(t)
	return st
}

// putCorpus makes a bucket holding the example corpus under articles/:
// the three days and the editor's file.
func (st *stack) putCorpus(t *testing.T, name string) {
	t.Helper()
	ctx := t.Context()
	if _, err := st.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..", "examples", "articles")
	for _, dir := range []string{"2026/11/24", "2026/11/25", "2026/11/26", "editorial"} {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(dir), e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("articles/" + dir + "/" + e.Name()), Body: bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// scenario is one scenario's own list, ledger and queue, and its readers,
// whose addresses no other scenario uses.
type scenario struct {
	st          *stack
	name        string
	readers     []string
	subscribers string
	ledger      string
	queueURL    string
}

// newScenario makes the tables, fills the list with n readers and makes a
// queue whose messages stay hidden for visibility after each receive.
func (st *stack) newScenario(t *testing.T, name string, n int, visibility time.Duration) *scenario {
	t.Helper()
	sc := &scenario{st: st, name: name, subscribers: "faults-" + name + "-subscribers", ledger: "faults-" + name + "-ledger"}
	if err := dynamodb.CreateTables(t.Context(), st.dynamo, sc.subscribers, sc.ledger); err != nil {
		t.Fatal(err)
	}
	subs := make([]digest.Subscriber, n)
	for i := range subs {
		email := fmt.Sprintf("%s.reader%03d@example.com", name, i)
		sc.readers = append(sc.readers, email)
		subs[i] = digest.Subscriber{Email: email, Name: fmt.Sprintf("Reader %d", i), Status: digest.StatusActive}
	}
	list, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: sc.subscribers}, st.dynamo, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := list.Import(t.Context(), subs); err != nil {
		t.Fatal(err)
	}
	sc.queueURL = st.sqsServer.CreateQueue("faults-"+name, visibility)
	return sc
}

// endpoints are where a function's calls go: the stand-ins, or proxies
// in front of them.
type endpoints struct {
	s3, ses, sqs string
	// bucket is the content bucket (the shared one if empty).
	bucket string
	// rate is the send functions' SES_MAX_SEND_RATE (100 if zero); each
	// scenario runs one send function at a time, its SEND_CONCURRENCY.
	rate float64
}

// env is what infra/env.json and the template give a function, pointed at
// this scenario's resources.
func (sc *scenario) env(e endpoints) []string {
	st := sc.st
	e.s3 = cmpOr(e.s3, st.s3URL)
	e.ses = cmpOr(e.ses, st.ses.URL)
	e.sqs = cmpOr(e.sqs, st.sqsURL)
	e.bucket = cmpOr(e.bucket, bucket)
	if e.rate == 0 {
		e.rate = 100
	}
	return []string{
		"AWS_ENDPOINT_URL_S3=" + e.s3, "AWS_ENDPOINT_URL_DYNAMODB=" + st.dynamoURL,
		"AWS_ENDPOINT_URL_SQS=" + e.sqs, "AWS_ENDPOINT_URL_SSM=" + st.sqsURL, "AWS_ENDPOINT_URL_SESV2=" + e.ses,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO",
		"CONTENT_BUCKET=" + e.bucket, "TIME_ZONE=Europe/London", "MAX_STORIES=10", "MAX_DAY_MB=200",
		"PRODUCT_NAME=The Newsdigest Daily", "SITE_URL=https://newsdigest.example",
		"POSTAL_ADDRESS=Newsdigest, 1 Quay Street, Port Alder PA1 1AA, United Kingdom",
		"ARCHIVE_URL=https://newsdigest.example/archive",
		"SUBSCRIBERS_TABLE=" + sc.subscribers, "LEDGER_TABLE=" + sc.ledger, "SEND_QUEUE_URL=" + sc.queueURL,
		"FROM_ADDRESS=The Newsdigest Daily <digest@newsdigest.example>", "LIST_ID=daily.newsdigest.example",
		"UNSUBSCRIBE_URL=https://newsdigest.example/unsubscribe", "UNSUBSCRIBE_KEY_PARAMETER=" + keyName,
		"SES_CONFIGURATION_SET=newsdigest",
		"SES_MAX_SEND_RATE=" + strconv.FormatFloat(e.rate, 'f', -1, 64), "SEND_CONCURRENCY=1",
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// digestFunction and sendFunction start the scenario's functions under
// the emulator.
func (sc *scenario) digestFunction(t *testing.T, e endpoints) *rie.Function {
	return rie.Start(t, sc.st.digestBin, sc.env(e))
}

func (sc *scenario) sendFunction(t *testing.T, e endpoints) *rie.Function {
	return rie.Start(t, sc.st.sendBin, sc.env(e))
}

// digestResult is the part of the digest function's answer the
// scenarios read.
type digestResult struct {
	Date     string `json:"date"`
	Status   string `json:"status"`
	Subject  string `json:"subject"`
	Stored   bool   `json:"stored"`
	Stories  int    `json:"stories"`
	Dispatch struct {
		Readers int `json:"readers"`
		Batches int `json:"batches"`
	} `json:"dispatch"`
}

// runDigest triggers the digest function for a date as an operator's
// re-run does (the schedule's event with the day in its detail), and
// returns its answer or its error; an invoke that does not get through
// the emulator fails the test.
func runDigest(t *testing.T, fn *rie.Function, date string) (digestResult, *rie.FunctionError) {
	t.Helper()
	ev := events.EventBridgeEvent{Source: "aws.scheduler", DetailType: "Scheduled Event",
		Time: time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC), Detail: json.RawMessage(`{"date":"` + date + `"}`)}
	return invokeDigest(t, fn, ev)
}

func invokeDigest(t *testing.T, fn *rie.Function, ev events.EventBridgeEvent) (digestResult, *rie.FunctionError) {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		return digestResult{}, res.Err
	}
	var out digestResult
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("digest answer %s: %v", res.Payload, err)
	}
	return out, nil
}

// mustDispatch runs the digest function for the day and wants it queued.
func (sc *scenario) mustDispatch(t *testing.T, date string) digestResult {
	t.Helper()
	fn := sc.digestFunction(t, endpoints{})
	got, ferr := runDigest(t, fn, date)
	if ferr != nil {
		t.Fatalf("digest: %v\n%s", ferr, fn.Logs())
	}
	if got.Status != "dispatched" || got.Dispatch.Readers != len(sc.readers) {
		t.Fatalf("digest answered %+v, want %d readers dispatched", got, len(sc.readers))
	}
	return got
}

// received is a message as the scenario's poller got it.
type received struct {
	id, receipt string
	event       events.SQSMessage
}

// receive takes one message off the queue, as Lambda's event source
// mapping does with the template's BatchSize of 1, waiting up to wait
// for one; ok is false when none came.
func (sc *scenario) receive(t *testing.T, wait time.Duration) (received, bool) {
	t.Helper()
	out, err := sc.st.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.queueURL), MaxNumberOfMessages: 1,
		WaitTimeSeconds: int32(wait / time.Second), MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) == 0 {
		return received{}, false
	}
	m := out.Messages[0]
	return received{id: aws.ToString(m.MessageId), receipt: aws.ToString(m.ReceiptHandle), event: events.SQSMessage{
		MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
		Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes, EventSource: "aws:sqs",
		EventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:faults-" + sc.name, AWSRegion: "eu-west-1"}}, true
}

// outcome is what became of one delivery of a message.
type outcome struct {
	// reported: the function reported the message back (readers left).
	reported bool
	// err is the function's own failure (a crash, a timeout), after which
	// the message comes back as a whole once its visibility runs out.
	err *rie.FunctionError
}

// deliver invokes the send function with the message and, as the event
// source mapping does, deletes it unless the function reported it back or
// failed.
func (sc *scenario) deliver(t *testing.T, fn *rie.Function, m received) outcome {
	t.Helper()
	payload, err := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{m.event}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		return outcome{err: res.Err}
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("send answer %s: %v", res.Payload, err)
	}
	if slices.ContainsFunc(resp.BatchItemFailures, func(f events.SQSBatchItemFailure) bool { return f.ItemIdentifier == m.id }) {
		return outcome{reported: true}
	}
	if _, err := sc.st.sqs.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(sc.queueURL), ReceiptHandle: aws.String(m.receipt)}); err != nil {
		t.Fatal(err)
	}
	return outcome{}
}

// drainStats counts what a drain did.
type drainStats struct {
	invokes, reported, failed int
}

// drain delivers the queue's messages to the send function until the
// queue is empty, as the event source mapping would, within limit.
func (sc *scenario) drain(t *testing.T, fn *rie.Function, limit time.Duration) drainStats {
	t.Helper()
	var s drainStats
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if len(sc.st.sqsServer.Messages(sc.queueURL)) == 0 {
			return s
		}
		m, ok := sc.receive(t, time.Second)
		if !ok {
			continue
		}
		o := sc.deliver(t, fn, m)
		s.invokes++
		switch {
		case o.err != nil:
			s.failed++
			t.Logf("%s: send function failed: %v", sc.name, o.err)
		case o.reported:
			s.reported++
		}
	}
	t.Fatalf("%s: the queue still holds %d messages after %s", sc.name, len(sc.st.sqsServer.Messages(sc.queueURL)), limit)
	return s
}

// queued is every reader the scenario's queue holds, with how many of its
// messages name them.
func (sc *scenario) queued(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range sc.st.sqsServer.Messages(sc.queueURL) {
		var b digest.Batch
		if err := json.Unmarshal([]byte(m.Body), &b); err != nil {
			t.Fatalf("a queued message is not a batch: %v", err)
		}
		for _, r := range b.Readers {
			out[r.Email]++
		}
	}
	return out
}

// inbox counts the messages aws-ses-v2-local stored for each of the
// scenario's readers.
func (sc *scenario) inbox(t *testing.T) map[string]int {
	t.Helper()
	sc.st.storeMu.Lock()
	defer sc.st.storeMu.Unlock()
	emails, err := sc.st.ses.StoredEmails()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	prefix := sc.name + ".reader"
	for _, e := range emails {
		for _, to := range e.Destination.To {
			if a := address(to); strings.HasPrefix(a, prefix) {
				out[a]++
			}
		}
	}
	return out
}

// address takes the bare address out of "Name <address>".
func address(to string) string {
	if i := strings.LastIndexByte(to, '<'); i >= 0 {
		return strings.TrimSuffix(to[i+1:], ">")
	}
	return to
}

// record is one reader's item in the ledger.
type record struct {
	state      string
	leaseUntil int64
	pk         string
}

// records reads the scenario's ledger for an edition: each reader's
// record, by address, and whether the dispatch is recorded.
func (sc *scenario) records(t *testing.T, edition string) (readers map[string]record, dispatch string) {
	t.Helper()
	readers = map[string]record{}
	pages := awsdynamodb.NewScanPaginator(sc.st.dynamo, &awsdynamodb.ScanInput{TableName: aws.String(sc.ledger), ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			if str(item["edition"]) != edition {
				continue
			}
			r := record{state: str(item["state"]), pk: str(item["pk"])}
			if n, ok := item["lease_until"].(*dbtypes.AttributeValueMemberN); ok {
				r.leaseUntil, _ = strconv.ParseInt(n.Value, 10, 64)
			}
			if email := str(item["email"]); strings.Contains(email, "@") {
				readers[email] = r
			} else {
				dispatch = r.state
			}
		}
	}
	return readers, dispatch
}

func str(v dbtypes.AttributeValue) string {
	if s, ok := v.(*dbtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// expireLeases ends the lease of every claim still held on the edition,
// as the passing of the lease's 15 minutes would: what a claim left by a
// run that died looks like once it may be taken again.
func (sc *scenario) expireLeases(t *testing.T, edition string) int {
	t.Helper()
	recs, _ := sc.records(t, edition)
	n := 0
	for _, r := range recs {
		if r.state != "claimed" {
			continue
		}
		_, err := sc.st.dynamo.UpdateItem(t.Context(), &awsdynamodb.UpdateItemInput{TableName: aws.String(sc.ledger),
			Key:              map[string]dbtypes.AttributeValue{"pk": &dbtypes.AttributeValueMemberS{Value: r.pk}},
			UpdateExpression: aws.String("SET lease_until = :past"),
			ExpressionAttributeValues: map[string]dbtypes.AttributeValue{
				":past": &dbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Second).UnixMilli(), 10)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// exactlyOnce checks the end of a scenario: every reader has exactly one
// message in the emulator's store, and the ledger records each as sent.
func (sc *scenario) exactlyOnce(t *testing.T, edition string) {
	t.Helper()
	inbox := sc.inbox(t)
	recs, _ := sc.records(t, edition)
	var lost, doubled, unrecorded []string
	for _, r := range sc.readers {
		switch n := inbox[r]; {
		case n == 0:
			lost = append(lost, r)
		case n > 1:
			doubled = append(doubled, fmt.Sprintf("%s (%d)", r, n))
		}
		if recs[r].state != "sent" {
			unrecorded = append(unrecorded, fmt.Sprintf("%s (%q)", r, recs[r].state))
		}
	}
	if extra := len(inbox) - len(sc.readers) + len(lost); extra != 0 {
		t.Errorf("%s: %d addresses outside the list got mail", sc.name, extra)
	}
	if len(lost)+len(doubled)+len(unrecorded) > 0 {
		t.Errorf("%s: %d readers: lost %d %v, doubled %d %v, not recorded as sent %d %v; want each exactly once",
			sc.name, len(sc.readers), len(lost), clip(lost), len(doubled), clip(doubled), len(unrecorded), clip(unrecorded))
	}
}

// clip keeps an error message short.
func clip(s []string) []string {
	if len(s) > 5 {
		return append(slices.Clip(s[:5]), "…")
	}
	return s
}
