// The five functions, built as Lambda builds them and run under the Lambda
// Runtime Interface Emulator (the one `sam local invoke` runs in its
// containers), fed the event files of infra/events and the environment of
// infra/env.json, against the local stand-ins: gofakes3 for S3, dynalite
// for DynamoDB, aws-ses-v2-local for SES, and the project's JSON-protocol
// server for SQS and Parameter Store.
package functions_test

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
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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

// The names infra/env.json gives the local resources.
const (
	bucket           = "newsdigest-local"
	subscribersTable = "newsdigest-subscribers"
	ledgerTable      = "newsdigest-ledger"
	queueName        = "newsdigest-send"
	keyParameter     = "/newsdigest/unsubscribe-key"
	// localKey is the unsubscribe key of local runs; the one-click event
	// files are signed with it. It guards nothing.
	localKey = "newsdigest-local-unsubscribe-key-not-secret-000000"
)

// stack is the local stand-ins, started once for the test.
type stack struct {
	s3       *s3.Client
	s3URL    string
	dynamo   *awsdynamodb.Client
	dynamoDB string
	ses      *seslocal.Server
	sqs      *awslocal.SQS
	sqsURL   string
	queueURL string
}

// putExampleDay puts the example corpus's day from (YYYY/MM/DD) in the
// bucket as the day to.
func (st *stack) putExampleDay(t testing.TB, from, to string) {
	t.Helper()
	dir := filepath.Join("..", "examples", "articles", filepath.FromSlash(from))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		st.putArticle(t, to, e.Name(), data)
	}
}

func (st *stack) putArticle(t testing.TB, day, name string, data []byte) {
	t.Helper()
	_, err := st.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("articles/" + day + "/" + name), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
}

func startStack(t testing.TB) *stack {
	t.Helper()
	ctx := context.Background()
	st := &stack{}

	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	st.s3URL = s3srv.URL
	st.s3 = s3.New(s3.Options{BaseEndpoint: aws.String(s3srv.URL), Region: "eu-west-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := st.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	// The example corpus's last three days: the day, and the days its
	// related headlines look back on.
	for _, day := range []string{"2026/11/24", "2026/11/25", "2026/11/26"} {
		st.putExampleDay(t, day, day)
	}

	db := dynalite.Start(t)
	st.dynamoDB, st.dynamo = db.Endpoint, db.Client(t)
	if err := dynamodb.CreateTables(ctx, st.dynamo, subscribersTable, ledgerTable); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../examples/subscribers.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	subs, _, err := digest.ParseSubscribers(f, false)
	if err != nil {
		t.Fatal(err)
	}
	// Two readers whose mail the feedback events bounce and complain about.
	subs = append(subs, digest.Subscriber{Email: "gone@example.com", Status: digest.StatusActive},
		digest.Subscriber{Email: "angry@example.com", Status: digest.StatusActive})
	list, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: subscribersTable}, st.dynamo, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := list.Import(ctx, subs); err != nil {
		t.Fatal(err)
	}

	st.ses = seslocal.Start(t)
	var ssm *awslocal.SSM
	st.sqs, ssm, st.sqsURL = awslocal.Start(t)
	ssm.Put(keyParameter, localKey, true)
	st.sqs.CreateQueue(queueName, time.Minute)
	st.queueURL = st.sqsURL + "/000000000000/" + queueName
	return st
}

// env is the function's environment from infra/env.json, with the
// stand-ins' addresses in place of the fixed local ports.
func (st *stack) env(t testing.TB, logicalID string) []string {
	t.Helper()
	data, err := os.ReadFile("../infra/env.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]map[string]string
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	vars, ok := all[logicalID]
	if !ok {
		t.Fatalf("infra/env.json has no %s", logicalID)
	}
	override := map[string]string{
		"AWS_ENDPOINT_URL_S3":       st.s3URL,
		"AWS_ENDPOINT_URL_DYNAMODB": st.dynamoDB,
		"AWS_ENDPOINT_URL_SESV2":    st.ses.URL,
		"AWS_ENDPOINT_URL_SQS":      st.sqsURL,
		"AWS_ENDPOINT_URL_SSM":      st.sqsURL,
		"SEND_QUEUE_URL":            st.queueURL,
		"AWS_LAMBDA_LOG_FORMAT":     "JSON",
	}
	var env []string
	for k, v := range vars {
		if o, ok := override[k]; ok {
			v = o
		}
		env = append(env, k+"="+v)
	}
	return append(env, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_FUNCTION_TIMEOUT=120")
}

// invoke sends an event file, or an event, to the function and decodes
// its answer; a function error fails the test.
func invoke[T any](t testing.TB, fn *rie.Function, event any) T {
	t.Helper()
	var payload []byte
	switch e := event.(type) {
	case string:
		var err error
		if payload, err = os.ReadFile(filepath.Join("..", "infra", "events", e)); err != nil {
			t.Fatal(err)
		}
	default:
		var err error
		if payload, err = json.Marshal(e); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("function error: %v\n%s", res.Err, fn.Logs())
	}
	var out T
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("answer %s: %v", res.Payload, err)
	}
	return out
}

// digestResult is the part of the digest function's answer the test reads.
type digestResult struct {
	Date    string `json:"date"`
	Status  string `json:"status"`
	Subject string `json:"subject"`
	Stored  bool   `json:"stored"`
	Stories int    `json:"stories"`
	Skipped []struct {
		Key   string `json:"key"`
		Error string `json:"error"`
	} `json:"skipped"`
	SkippedFiles int `json:"skipped_files"`
	Dispatch     struct {
		Readers int `json:"readers"`
		Batches int `json:"batches"`
	} `json:"dispatch"`
}

func TestFunctionsUnderTheEmulator(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	start := func(name, logicalID string) *rie.Function {
		return rie.Start(t, rie.Build(t, "./functions/"+name), st.env(t, logicalID))
	}
	digestFn := start("digest", "DigestFunction")
	sendFn := start("send", "SendFunction")
	previewFn := start("preview", "PreviewFunction")
	unsubscribeFn := start("unsubscribe", "UnsubscribeFunction")
	feedbackFn := start("feedback", "FeedbackFunction")

	// Five distinct, valid, active readers in examples/subscribers.csv and
	// the two the feedback events name.
	const activeReaders = 7

	t.Run("the schedule builds, publishes and queues the day", func(t *testing.T) {
		got := invoke[digestResult](t, digestFn, "schedule.json")
		if got.Date != "2026-11-26" || got.Status != "dispatched" || got.Stored || got.Stories == 0 {
			t.Errorf("answer %+v, want the 26th built and dispatched", got)
		}
		if got.Dispatch.Readers != activeReaders || got.Dispatch.Batches != 1 {
			t.Errorf("dispatched %d readers in %d batches, want %d in 1", got.Dispatch.Readers, got.Dispatch.Batches, activeReaders)
		}
		for _, key := range []string{"archive/2026-11-26/index.html", "archive/2026-11-26/edition.json", "archive/index.html", "issues/2026-11-26.json", "articles/index/2026-11-26.json"} {
			if _, err := st.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				t.Errorf("%s not in the bucket: %v", key, err)
			}
		}
		msgs := st.sqs.Messages(st.queueURL)
		if len(msgs) != 1 {
			t.Fatalf("%d messages on the queue, want 1", len(msgs))
		}
		var b digest.Batch
		if err := json.Unmarshal([]byte(msgs[0].Body), &b); err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, r := range b.Readers {
			emails = append(emails, r.Email)
		}
		slices.Sort(emails)
		want := []string{"ana.ruiz@example.com", "angry@example.com", "gone@example.com", "noor.haddad@example.com",
			"priya.lindqvist@example.com", "tomas.quigley@example.com", "zoe.okafor@example.com"}
		if b.Edition != "2026-11-26" || !slices.Equal(emails, want) {
			t.Errorf("batch %s for %q, want 2026-11-26 for %q", b.Edition, emails, want)
		}
	})

	t.Run("a second trigger for the same day does nothing", func(t *testing.T) {
		got := invoke[digestResult](t, digestFn, "schedule.json")
		if got.Status != "already dispatched" || !got.Stored {
			t.Errorf("answer %+v, want already dispatched from the stored issue", got)
		}
		if n := len(st.sqs.Messages(st.queueURL)); n != 1 {
			t.Errorf("%d messages on the queue, want still 1", n)
		}
	})

	t.Run("the send function sends each reader of the batches once", func(t *testing.T) {
		got := invoke[events.SQSEventResponse](t, sendFn, "send-batch.json")
		if len(got.BatchItemFailures) != 0 {
			t.Errorf("failures %+v, want none", got.BatchItemFailures)
		}
		emails := st.ses.Emails(t)
		if len(emails) != 4 {
			t.Fatalf("%d emails at SES, want 4", len(emails))
		}
		var to []string
		for _, e := range emails {
			to = append(to, e.Destination.To...)
			if !strings.Contains(e.Body.Text, "26 November 2026") {
				t.Errorf("email to %v has no edition text", e.Destination.To)
			}
		}
		slices.Sort(to)
		want := []string{"Ana Ruiz <ana.ruiz@example.com>", "Tomás Quigley <tomas.quigley@example.com>", "Zoë Okafor <zoe.okafor@example.com>", "نور حداد <noor.haddad@example.com>"}
		if !sameAddresses(to, want) {
			t.Errorf("sent to %q, want %q", to, want)
		}

		// The same event again: SQS delivers at least once.
		again := invoke[events.SQSEventResponse](t, sendFn, "send-batch.json")
		if len(again.BatchItemFailures) != 0 {
			t.Errorf("failures on redelivery %+v", again.BatchItemFailures)
		}
		if n := len(st.ses.Emails(t)); n != 4 {
			t.Errorf("%d emails after a redelivery, want still 4", n)
		}

		// The batch the digest function queued: only the three not yet sent.
		msgs := st.sqs.Messages(st.queueURL)
		queued := events.SQSEvent{Records: []events.SQSMessage{{MessageId: msgs[0].ID, Body: msgs[0].Body, EventSource: "aws:sqs"}}}
		resp := invoke[events.SQSEventResponse](t, sendFn, queued)
		if len(resp.BatchItemFailures) != 0 {
			t.Errorf("failures %+v", resp.BatchItemFailures)
		}
		if n := len(st.ses.Emails(t)); n != activeReaders {
			t.Errorf("%d emails in all, want %d: one per reader", n, activeReaders)
		}
	})

	t.Run("a malformed batch alone is reported for another try", func(t *testing.T) {
		before := len(st.ses.Emails(t))
		ev := events.SQSEvent{Records: []events.SQSMessage{
			{MessageId: "garbled", Body: `{"edition":`, EventSource: "aws:sqs"},
			{MessageId: "fine", Body: `{"edition":"2026-11-26","seq":9,"readers":[{"email":"new.reader@example.com"}]}`, EventSource: "aws:sqs"},
		}}
		got := invoke[events.SQSEventResponse](t, sendFn, ev)
		if len(got.BatchItemFailures) != 1 || got.BatchItemFailures[0].ItemIdentifier != "garbled" {
			t.Errorf("failures %+v, want only the garbled message", got.BatchItemFailures)
		}
		if n := len(st.ses.Emails(t)); n != before+1 {
			t.Errorf("%d emails, want %d", n, before+1)
		}
	})

	t.Run("the preview shows the day's email", func(t *testing.T) {
		got := invoke[events.LambdaFunctionURLResponse](t, previewFn, "preview-get.json")
		if got.StatusCode != 200 || !strings.HasPrefix(got.Headers["Content-Type"], "text/html") {
			t.Fatalf("status %d, type %q", got.StatusCode, got.Headers["Content-Type"])
		}
		if !strings.Contains(got.Body, "The Newsdigest Daily") || !strings.Contains(got.Body, "Thursday 26 November 2026") {
			t.Errorf("the preview is not the 26th's email:\n%.400s", got.Body)
		}
	})

	t.Run("a test send goes to the editors only", func(t *testing.T) {
		before := len(st.ses.Emails(t))
		got := invoke[events.LambdaFunctionURLResponse](t, previewFn, "preview-post.json")
		if got.StatusCode != 200 {
			t.Fatalf("status %d: %s", got.StatusCode, got.Body)
		}
		emails := st.ses.Emails(t)
		if len(emails) != before+1 {
			t.Fatalf("%d new emails, want 1", len(emails)-before)
		}
		if to := emails[len(emails)-1].Destination.To; len(to) != 1 || !strings.Contains(to[0], "editor@newsdigest.example") {
			t.Errorf("test sent to %q, want the editor", to)
		}
	})

	status := func(t *testing.T, email string) string {
		t.Helper()
		out, err := st.dynamo.GetItem(ctx, &awsdynamodb.GetItemInput{TableName: aws.String(subscribersTable),
			Key: map[string]types.AttributeValue{"email": &types.AttributeValueMemberS{Value: email}}})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := out.Item["status"].(*types.AttributeValueMemberS)
		if s == nil {
			t.Fatalf("%s has no status", email)
		}
		return s.Value
	}

	t.Run("unsubscribe: the link shows a page, the one-click POST unsubscribes", func(t *testing.T) {
		page := invoke[events.LambdaFunctionURLResponse](t, unsubscribeFn, "unsubscribe-get.json")
		if page.StatusCode != 200 || !strings.Contains(page.Body, "<form") {
			t.Errorf("GET: status %d, want the confirmation page", page.StatusCode)
		}
		if got := status(t, "zoe.okafor@example.com"); got != "active" {
			t.Errorf("after GET: %s, want still active", got)
		}
		done := invoke[events.LambdaFunctionURLResponse](t, unsubscribeFn, "unsubscribe-post.json")
		if done.StatusCode != 200 || done.Headers["Location"] != "" {
			t.Errorf("POST: status %d location %q, want 200 without a redirect", done.StatusCode, done.Headers["Location"])
		}
		if got := status(t, "zoe.okafor@example.com"); got != "unsubscribed" {
			t.Errorf("after POST: %s, want unsubscribed", got)
		}
	})

	t.Run("feedback suppresses bounced and complaining readers", func(t *testing.T) {
		tests := []struct{ event, email, want string }{
			{"feedback-bounce-permanent.json", "gone@example.com", "bounced"},
			{"feedback-complaint.json", "angry@example.com", "complained"},
		}
		for _, tt := range tests {
			invoke[[]digest.FeedbackResult](t, feedbackFn, tt.event)
			if got := status(t, tt.email); got != tt.want {
				t.Errorf("%s: %s is %s, want %s", tt.event, tt.email, got, tt.want)
			}
		}
	})

	t.Run("another day's dispatch skips the suppressed readers", func(t *testing.T) {
		ev := events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.scheduler", Time: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)}
		got := invoke[digestResult](t, digestFn, ev)
		if got.Date != "2026-11-25" || got.Dispatch.Readers != activeReaders-3 {
			t.Errorf("answer %+v, want the 25th for %d readers", got, activeReaders-3)
		}
	})

	t.Run("through the queue: a poison batch rests in the dead-letter queue, the rest is sent once", func(t *testing.T) {
		queue := st.sqs.CreateQueue("poison-test", 200*time.Millisecond)
		dlq := st.sqs.CreateQueue("poison-test-dlq", time.Minute)
		if err := st.sqs.SetRedrive(queue, dlq, 3); err != nil {
			t.Fatal(err)
		}
		client := sqs.NewFromConfig(awslocal.ClientConfig(st.sqsURL))
		for _, body := range []string{`{"edition":"2026-11-26","seq":1,"readers":[{"email":"late.reader@example.com"}]}`, `not a batch`} {
			if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
		before := len(st.ses.Emails(t))
		pollUntilEmpty(t, client, sendFn, queue, st.sqs)
		dead := st.sqs.Messages(dlq)
		if len(dead) != 1 || dead[0].Body != "not a batch" {
			t.Errorf("dead-letter queue holds %+v, want the poison batch alone", dead)
		}
		var late int
		for _, e := range st.ses.Emails(t)[before:] {
			if sameAddresses(e.Destination.To, []string{"<late.reader@example.com>"}) {
				late++
			}
		}
		if late != 1 {
			t.Errorf("late.reader got %d emails, want 1", late)
		}
	})

	t.Run("a flooded day: the largest files over MAX_DAY_MB left out, the answer kept short", func(t *testing.T) {
		// The 26th's articles again as the 27th, two long articles of 1.2
		// MiB and 30 binary files; MAX_DAY_MB=1 is raised to one file's cap
		// (2 MiB), which holds the day's small files and one long one.
		const day = "2026/11/27"
		st.putExampleDay(t, "2026/11/26", day)
		put := func(name string, data []byte) { st.putArticle(t, day, name, data) }
		long := "Harbour dredging report runs long\n\nA standfirst.\n\nHarbour Ledger\n\n" + strings.Repeat("The dredging survey found the channel shallower than charted. ", 20_000)
		put("000_long_a.txt", []byte(long))
		put("000_long_b.txt", []byte(long))
		for i := range 30 {
			put(fmt.Sprintf("999_binary_%02d.txt", i), []byte{0x00, 0x01, 0x02, 0xff, 0xfe, 0x00})
		}

		flooded := rie.Start(t, rie.Build(t, "./functions/digest"), append(st.env(t, "DigestFunction"), "MAX_DAY_MB=1"))
		ev := events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.scheduler", Time: time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)}
		got := invoke[digestResult](t, flooded, ev)
		if got.Date != "2026-11-27" || got.Status != "dispatched" || got.Stories == 0 {
			t.Errorf("answer %+v, want the 27th built and dispatched", got)
		}
		if got.SkippedFiles != 31 || len(got.Skipped) != 20 {
			t.Errorf("%d files skipped, %d listed in the answer; want 31 (30 binary, one long), 20 listed", got.SkippedFiles, len(got.Skipped))
		}
		var leftOut []string
		for _, s := range got.Skipped {
			if strings.Contains(s.Error, "the day is too large") {
				leftOut = append(leftOut, s.Key)
			}
		}
		if want := []string{day + "/000_long_b.txt"}; !slices.Equal(leftOut, want) {
			t.Errorf("left out for the day's size: %q, want %q", leftOut, want)
		}
	})

	for name, fn := range map[string]*rie.Function{"digest": digestFn, "send": sendFn, "preview": previewFn, "unsubscribe": unsubscribeFn, "feedback": feedbackFn} {
		if d, ok := fn.InitDuration(); ok {
			t.Logf("cold start of %s under the emulator: %s", name, d.Round(100*time.Microsecond))
		}
	}
}

// sameAddresses compares To lists whatever way SES quotes display names.
func sameAddresses(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		addr := w[strings.Index(w, "<")+1 : len(w)-1]
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, addr) }) {
			return false
		}
	}
	return true
}

// pollUntilEmpty does what Lambda's SQS event source mapping does, on a
// small scale: receive up to ten messages, invoke the function with them
// as an SQS event, delete the ones not reported as failed, and again,
// until the queue is empty (bounded: at most 50 rounds).
func pollUntilEmpty(t *testing.T, client *sqs.Client, fn *rie.Function, queueURL string, server *awslocal.SQS) {
	t.Helper()
	ctx := context.Background()
	for range 50 {
		if len(server.Messages(queueURL)) == 0 {
			return
		}
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: m.Attributes,
				EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:poison-test", AWSRegion: "eu-west-1"})
		}
		resp := invoke[events.SQSEventResponse](t, fn, ev)
		for _, m := range out.Messages {
			if slices.ContainsFunc(resp.BatchItemFailures, func(f events.SQSBatchItemFailure) bool { return f.ItemIdentifier == aws.ToString(m.MessageId) }) {
				continue
			}
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatalf("the queue is not empty after 50 rounds: %+v", server.Messages(queueURL))
}

// BenchmarkColdStart starts each function afresh under the emulator and
// invokes it once: init-ms is the runtime's init, from its start to its
// first request for an event (config, clients, the key from Parameter
// Store), as Lambda's INIT REPORT gives it. Run it with
// go test ./functions -run '^$' -bench ColdStart -benchtime 10x.
func BenchmarkColdStart(b *testing.B) {
	st := startStack(b)
	tests := []struct{ name, logicalID, event string }{
		{"digest", "DigestFunction", ""},
		{"send", "SendFunction", ""},
		{"preview", "PreviewFunction", "preview-get.json"},
		{"unsubscribe", "UnsubscribeFunction", "unsubscribe-get.json"},
		{"feedback", "FeedbackFunction", "feedback-delivery.json"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			bootstrap, env := rie.Build(b, "./functions/"+tt.name), st.env(b, tt.logicalID)
			var event any = tt.event
			switch tt.name {
			case "digest":
				// A day without articles: the init is what is measured,
				// and an error answer ends the invoke as soon as it can.
				event = events.EventBridgeEvent{Detail: json.RawMessage(`{"date":"2026-01-01"}`)}
			case "send":
				event = events.SQSEvent{}
			}
			var total time.Duration
			for range b.N {
				fn := rie.Start(b, bootstrap, env)
				payload, err := json.Marshal(event)
				if s, ok := event.(string); ok {
					payload, err = os.ReadFile(filepath.Join("..", "infra", "events", s))
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := fn.Invoke(context.Background(), payload); err != nil {
					b.Fatal(err)
				}
				d, ok := fn.InitDuration()
				if !ok {
					b.Fatalf("no init reported:\n%s", fn.Logs())
				}
				total += d
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "init-ms")
			info, err := os.Stat(bootstrap)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(info.Size())/1e6, "binary-MB")
		})
	}
}
