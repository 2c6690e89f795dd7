package awslocal_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/newsdigest/newsdigest/internal/awslocal"
)

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startSQS serves SQS for the test and returns it with a real client of
// it and the URL of a queue named "digest".
func startSQS(t *testing.T, visibility time.Duration) (*awslocal.SQS, *sqs.Client, string) {
	t.Helper()
	srv, endpoint := awslocal.StartSQS(t)
	return srv, sqs.NewFromConfig(awslocal.ClientConfig(endpoint)), srv.CreateQueue("digest", visibility)
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// errorAs reports whether err holds a T.
func errorAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func TestSendReceiveDelete(t *testing.T) {
	ctx := ctxFor(t)
	srv, client, url := startSQS(t, 0)

	body := `{"edition":"2026-11-26","seq":1,"readers":[{"email":"zoë@reader.example"}]}`
	sent, err := client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"edition": {DataType: aws.String("String"), StringValue: aws.String("2026-11-26")},
		},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if got, want := aws.ToString(sent.MD5OfMessageBody), md5Hex(body); got != want {
		t.Errorf("MD5OfMessageBody = %s, want %s", got, want)
	}
	// The digest SQS documents: each attribute as its name, type, transport
	// type (1 for String) and value, lengths first as 4-byte big-endian.
	encoded := "\x00\x00\x00\x07edition" + "\x00\x00\x00\x06String" + "\x01" + "\x00\x00\x00\x0a2026-11-26"
	if got, want := aws.ToString(sent.MD5OfMessageAttributes), md5Hex(encoded); got != want {
		t.Errorf("MD5OfMessageAttributes = %s, want %s", got, want)
	}

	before := time.Now()
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(url),
		MaxNumberOfMessages:         10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(got.Messages))
	}
	m := got.Messages[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Errorf("received id %s body %q, want id %s body %q", aws.ToString(m.MessageId), aws.ToString(m.Body), aws.ToString(sent.MessageId), body)
	}
	if got, want := aws.ToString(m.MD5OfBody), md5Hex(body); got != want {
		t.Errorf("MD5OfBody = %s, want %s", got, want)
	}
	if got := m.Attributes["ApproximateReceiveCount"]; got != "1" {
		t.Errorf("ApproximateReceiveCount = %q, want 1", got)
	}
	for _, name := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		ms, err := strconv.ParseInt(m.Attributes[name], 10, 64)
		if err != nil || time.UnixMilli(ms).After(time.Now()) || time.UnixMilli(ms).Before(before.Add(-time.Minute)) {
			t.Errorf("%s = %q, want a time in milliseconds of this test", name, m.Attributes[name])
		}
	}
	if a := m.MessageAttributes["edition"]; aws.ToString(a.DataType) != "String" || aws.ToString(a.StringValue) != "2026-11-26" {
		t.Errorf("edition attribute = %s %s, want String 2026-11-26", aws.ToString(a.DataType), aws.ToString(a.StringValue))
	}

	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if left := srv.Messages(url); len(left) != 0 {
		t.Errorf("after the delete the queue holds %d messages, want 0", len(left))
	}
	again, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(again.Messages) != 0 {
		t.Errorf("a deleted message came back: %v", aws.ToString(again.Messages[0].Body))
	}
}

func TestSendMessageBatch(t *testing.T) {
	ctx := ctxFor(t)
	srv, client, url := startSQS(t, 0)

	var entries []types.SendMessageBatchRequestEntry
	var want []string
	for i := range 10 {
		body := fmt.Sprintf("batch %d — ünïcode", i)
		want = append(want, body)
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e-%d", i)), MessageBody: aws.String(body)})
	}
	out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(out.Successful) != 10 || len(out.Failed) != 0 {
		t.Fatalf("%d successful, %d failed, want 10 and 0", len(out.Successful), len(out.Failed))
	}
	for i, s := range out.Successful {
		if got, want := aws.ToString(s.Id), fmt.Sprintf("e-%d", i); got != want {
			t.Errorf("Successful[%d].Id = %s, want %s", i, got, want)
		}
	}

	var got []string
	for len(got) < len(want) {
		r, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 3, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(r.Messages) == 0 || len(r.Messages) > 3 {
			t.Fatalf("received %d messages, want 1 to 3", len(r.Messages))
		}
		for _, m := range r.Messages {
			got = append(got, aws.ToString(m.Body))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("received %q, want %q", got, want)
	}
	for _, m := range srv.Messages(url) {
		if !m.InFlight || m.ReceiveCount != 1 {
			t.Errorf("message %s: in flight %v, received %d times; want in flight, once", m.ID, m.InFlight, m.ReceiveCount)
		}
	}
}

func TestVisibilityTimeout(t *testing.T) {
	ctx := ctxFor(t)
	srv, client, url := startSQS(t, 0)
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("once more")}); err != nil {
		t.Fatal(err)
	}
	receive := func(wait int32) []types.Message {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(url),
			VisibilityTimeout:           1,
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		return out.Messages
	}
	counts := func() (visible, inFlight string) {
		t.Helper()
		out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url),
			AttributeNames: []types.QueueAttributeName{
				types.QueueAttributeNameApproximateNumberOfMessages,
				types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			},
		})
		if err != nil {
			t.Fatalf("GetQueueAttributes: %v", err)
		}
		return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
	}

	if visible, inFlight := counts(); visible != "1" || inFlight != "0" {
		t.Errorf("before receiving: %s visible, %s in flight; want 1 and 0", visible, inFlight)
	}
	first := receive(0)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive: %d messages, want 1 received once", len(first))
	}
	if visible, inFlight := counts(); visible != "0" || inFlight != "1" {
		t.Errorf("in flight: %s visible, %s in flight; want 0 and 1", visible, inFlight)
	}
	if got := receive(0); len(got) != 0 {
		t.Errorf("a message in flight was received again at once")
	}

	// The long poll outlasts the one-second timeout.
	second := receive(10)
	if len(second) != 1 {
		t.Fatalf("after the timeout: %d messages, want 1", len(second))
	}
	if got := second[0].Attributes["ApproximateReceiveCount"]; got != "2" {
		t.Errorf("ApproximateReceiveCount = %s, want 2", got)
	}
	if aws.ToString(second[0].MessageId) != aws.ToString(first[0].MessageId) {
		t.Errorf("a different message came back: %s, want %s", aws.ToString(second[0].MessageId), aws.ToString(first[0].MessageId))
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Errorf("the second receive kept the first's receipt handle")
	}

	// The first receiver's handle is outdated: SQS accepts it, and the
	// message stays for its latest receiver.
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage with the outdated handle: %v", err)
	}
	if got := srv.Messages(url); len(got) != 1 || got[0].ReceiveCount != 2 {
		t.Fatalf("after deleting with the outdated handle: %+v, want the message, received twice", got)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if got := srv.Messages(url); len(got) != 0 {
		t.Errorf("after the delete: %d messages, want 0", len(got))
	}
}

func TestLongPollWakesOnSend(t *testing.T) {
	ctx := ctxFor(t)
	_, client, url := startSQS(t, 0)
	type result struct {
		out *sqs.ReceiveMessageOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- result{out, err}
	}()
	time.Sleep(100 * time.Millisecond) // let the poll start waiting
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("wake up")}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("ReceiveMessage: %v", r.err)
	}
	if len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].Body) != "wake up" {
		t.Errorf("the long poll returned %d messages, want the one sent", len(r.out.Messages))
	}
}

func TestSendMessageBatchErrors(t *testing.T) {
	entries := func(n, size int) []types.SendMessageBatchRequestEntry {
		out := make([]types.SendMessageBatchRequestEntry, n)
		for i := range out {
			out[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(strings.Repeat("x", size))}
		}
		return out
	}
	withID := func(es []types.SendMessageBatchRequestEntry, i int, id string) []types.SendMessageBatchRequestEntry {
		es[i].Id = aws.String(id)
		return es
	}
	tests := []struct {
		name     string
		queue    string // "" for the test's queue
		entries  []types.SendMessageBatchRequestEntry
		isType   func(error) bool
		wantCode string
	}{
		{"no entries", "", entries(0, 1), errorAs[*types.EmptyBatchRequest], "AWS.SimpleQueueService.EmptyBatchRequest"},
		{"eleven entries", "", entries(11, 1), errorAs[*types.TooManyEntriesInBatchRequest], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
		{"repeated id", "", withID(entries(3, 1), 2, "0"), errorAs[*types.BatchEntryIdsNotDistinct], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{"id with a space", "", withID(entries(2, 1), 1, "a b"), errorAs[*types.InvalidBatchEntryId], "AWS.SimpleQueueService.InvalidBatchEntryId"},
		{"id of 81 characters", "", withID(entries(1, 1), 0, strings.Repeat("a", 81)), errorAs[*types.InvalidBatchEntryId], "AWS.SimpleQueueService.InvalidBatchEntryId"},
		{"over 1 MiB in all", "", entries(3, 400_000), errorAs[*types.BatchRequestTooLong], "AWS.SimpleQueueService.BatchRequestTooLong"},
		{"one body over 1 MiB", "", entries(1, 1<<20+1), errorAs[*types.BatchRequestTooLong], "AWS.SimpleQueueService.BatchRequestTooLong"},
		{"unknown queue", "nowhere", entries(1, 1), errorAs[*types.QueueDoesNotExist], "AWS.SimpleQueueService.NonExistentQueue"},
	}
	ctx := ctxFor(t)
	srv, client, url := startSQS(t, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			queueURL := url
			if tt.queue != "" {
				queueURL = strings.TrimSuffix(url, "digest") + tt.queue
			}
			_, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: tt.entries})
			if err == nil || !tt.isType(err) {
				t.Fatalf("err = %v (%T), want the typed error", err, err)
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Errorf("error code = %s, want %s", got, tt.wantCode)
			}
		})
	}
	if got := srv.Messages(url); len(got) != 0 {
		t.Errorf("refused batches queued %d messages", len(got))
	}

	// A batch just under the limit is taken whole.
	out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries(2, 1<<19)})
	if err != nil || len(out.Successful) != 2 {
		t.Fatalf("a batch of exactly 1 MiB: err = %v, want it queued", err)
	}
}

func TestSendMessageErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		delay    int32
		isType   func(error) bool
		wantCode string
	}{
		{"body over 1 MiB", strings.Repeat("x", 1<<20+1), 0, errorAs[smithy.APIError], "InvalidParameterValue"},
		{"control character", "bell \a", 0, errorAs[*types.InvalidMessageContents], "InvalidMessageContents"},
		{"delay over 15 minutes", "late", 901, errorAs[smithy.APIError], "InvalidParameterValue"},
	}
	ctx := ctxFor(t)
	srv, client, url := startSQS(t, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(tt.body), DelaySeconds: tt.delay})
			if err == nil || !tt.isType(err) {
				t.Fatalf("err = %v (%T), want the typed error", err, err)
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Errorf("error code = %s, want %s", got, tt.wantCode)
			}
		})
	}
	if got := srv.Messages(url); len(got) != 0 {
		t.Errorf("refused messages queued: %d", len(got))
	}
	// Exactly 1 MiB is within the limit.
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 1<<20))}); err != nil {
		t.Errorf("a body of exactly 1 MiB: %v", err)
	}
}

func TestOtherErrors(t *testing.T) {
	ctx := ctxFor(t)
	_, client, url := startSQS(t, 0)
	tests := []struct {
		name     string
		call     func() error
		isType   func(error) bool
		wantCode string
	}{
		{
			"unknown receipt handle",
			func() error {
				_, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("not-a-handle")})
				return err
			},
			errorAs[*types.ReceiptHandleIsInvalid], "ReceiptHandleIsInvalid",
		},
		{
			"eleven messages asked for",
			func() error {
				_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
				return err
			},
			errorAs[smithy.APIError], "InvalidParameterValue",
		},
		{
			"wait over 20 seconds",
			func() error {
				_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
				return err
			},
			errorAs[smithy.APIError], "InvalidParameterValue",
		},
		{
			"unknown queue name",
			func() error {
				_, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nowhere")})
				return err
			},
			errorAs[*types.QueueDoesNotExist], "AWS.SimpleQueueService.NonExistentQueue",
		},
		{
			"receive from an unknown queue",
			func() error {
				_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url + "-gone")})
				return err
			},
			errorAs[*types.QueueDoesNotExist], "AWS.SimpleQueueService.NonExistentQueue",
		},
		{
			"unknown queue attribute",
			func() error {
				_, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Colour"}})
				return err
			},
			errorAs[*types.InvalidAttributeName], "InvalidAttributeName",
		},
		{
			"operation not served",
			func() error {
				_, err := client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
				return err
			},
			errorAs[smithy.APIError], "UnknownOperationException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !tt.isType(err) {
				t.Fatalf("err = %v (%T), want the typed error", err, err)
			}
			if got := errorCode(err); got != tt.wantCode {
				t.Errorf("error code = %s, want %s", got, tt.wantCode)
			}
		})
	}
}

func TestGetQueueURL(t *testing.T) {
	ctx := ctxFor(t)
	_, client, url := startSQS(t, 0)
	out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("digest")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.QueueUrl); got != url {
		t.Errorf("QueueUrl = %s, want %s", got, url)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := attrs.Attributes["QueueArn"], "arn:aws:sqs:eu-west-1:000000000000:digest"; got != want {
		t.Errorf("QueueArn = %s, want %s", got, want)
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		name        string
		fail        int
		senderFault bool
		entries     int
		wantFailed  []string
	}{
		{"none", 0, false, 3, nil},
		{"two of three, on SQS's side", 2, false, 3, []string{"a0", "a1"}},
		{"one, the sender's fault", 1, true, 3, []string{"a0"}},
		{"more than the batch", 5, false, 3, []string{"a0", "a1", "a2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxFor(t)
			srv, client, url := startSQS(t, 0)
			srv.FailNext(tt.fail, "InternalError", tt.senderFault)
			var entries []types.SendMessageBatchRequestEntry
			for i := range tt.entries {
				entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("a%d", i)), MessageBody: aws.String(fmt.Sprint(i))})
			}
			out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, f := range out.Failed {
				failed = append(failed, aws.ToString(f.Id))
				if f.SenderFault != tt.senderFault || aws.ToString(f.Code) != "InternalError" {
					t.Errorf("Failed %s: SenderFault %v, Code %s; want %v, InternalError", aws.ToString(f.Id), f.SenderFault, aws.ToString(f.Code), tt.senderFault)
				}
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failed %v, want %v", failed, tt.wantFailed)
			}
			if got, want := len(srv.Messages(url)), tt.entries-len(tt.wantFailed); got != want {
				t.Errorf("%d messages queued, want %d", got, want)
			}
			if got, want := len(out.Successful), tt.entries-len(tt.wantFailed); got != want {
				t.Errorf("%d successful, want %d", got, want)
			}
		})
	}
}

func TestRedrive(t *testing.T) {
	ctx := ctxFor(t)
	// A short timeout makes the message visible again soon, as a receiver
	// that keeps failing leaves it.
	srv, client, url := startSQS(t, 10*time.Millisecond)
	dlq := srv.CreateQueue("digest-dead", 0)
	if err := srv.SetRedrive(url, dlq, 2); err != nil {
		t.Fatal(err)
	}
	sent, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(queueURL string) []types.Message {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	for i := range 2 {
		if got := receive(url); len(got) != 1 {
			t.Fatalf("receive %d: %d messages, want 1", i+1, len(got))
		}
	}
	if got := receive(url); len(got) != 0 {
		t.Fatalf("third receive: %d messages, want none: the message is past its two receives", len(got))
	}
	if got := srv.Messages(url); len(got) != 0 {
		t.Errorf("the source queue still holds %d messages", len(got))
	}
	dead := srv.Messages(dlq)
	if len(dead) != 1 || dead[0].ID != aws.ToString(sent.MessageId) || dead[0].Body != "poison" {
		t.Fatalf("dead-letter queue holds %+v, want the poison message", dead)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := attrs.Attributes["RedrivePolicy"], `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:digest-dead","maxReceiveCount":2}`; got != want {
		t.Errorf("RedrivePolicy = %s, want %s", got, want)
	}
}

func TestServerRoutesAndStops(t *testing.T) {
	sqsSrv, ssmSrv := awslocal.NewSQS(), awslocal.NewSSM()
	url := sqsSrv.CreateQueue("digest", 0)
	ssmSrv.Put("/newsdigest/key", "k", true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- awslocal.NewServer(sqsSrv, ssmSrv).Serve(ctx, ln) }()

	reqCtx := ctxFor(t)
	cfg := awslocal.ClientConfig(endpoint)
	sqsClient, ssmClient := sqs.NewFromConfig(cfg), ssm.NewFromConfig(cfg)
	got, err := sqsClient.GetQueueUrl(reqCtx, &sqs.GetQueueUrlInput{QueueName: aws.String("digest")})
	if err != nil {
		t.Fatalf("GetQueueUrl: %v", err)
	}
	// The queue was made before the server knew its address; its URL
	// names the address now.
	if want := endpoint + "/000000000000/digest"; aws.ToString(got.QueueUrl) != want {
		t.Errorf("QueueUrl = %s, want %s", aws.ToString(got.QueueUrl), want)
	}
	if _, err := sqsClient.SendMessage(reqCtx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("by the old URL")}); err != nil {
		t.Errorf("SendMessage by the URL CreateQueue gave: %v", err)
	}
	param, err := ssmClient.GetParameter(reqCtx, &ssm.GetParameterInput{Name: aws.String("/newsdigest/key"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(param.Parameter.Value) != "k" {
		t.Fatalf("GetParameter through the shared endpoint: %v", err)
	}

	// Hide the message sent above, so that a long poll waits: one in
	// flight does not hold the shutdown up.
	if _, err := sqsClient.ReceiveMessage(reqCtx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 600}); err != nil {
		t.Fatal(err)
	}
	polled := make(chan error, 1)
	go func() {
		_, err := sqsClient.ReceiveMessage(reqCtx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		polled <- err
	}()
	time.Sleep(100 * time.Millisecond)
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	<-polled // either an empty answer or a closed connection
}
