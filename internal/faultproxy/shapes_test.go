package faultproxy

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/internal/awslocal"
)

// The S3 and SQS faults reach the SDK as the services' own errors: the
// code it reads, the status, and what its standard retryer makes of them.

func s3Client(endpoint string, retryer aws.Retryer) *s3.Client {
	return s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), Region: "eu-west-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: retryer})
}

func TestS3Faults(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	direct := s3Client(srv.URL, nil)
	ctx := t.Context()
	if _, err := direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("faults")}); err != nil {
		t.Fatal(err)
	}
	if _, err := direct.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("faults"), Key: aws.String("day/a.txt"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	list := func(c *s3.Client) error {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("faults"), Prefix: aws.String("day/")})
		return err
	}
	get := func(c *s3.Client) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("faults"), Key: aws.String("day/a.txt")})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	tests := []struct {
		name    string
		match   func(*http.Request) bool
		fault   Fault
		faulted func(*s3.Client) error
		spared  func(*s3.Client) error
		code    string
		status  int
	}{
		{"slow down on listing", S3List, SlowDown(), list, get, "SlowDown", 503},
		{"internal error on reading", S3GetObject, S3InternalError(), get, list, "InternalError", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Start(t, srv.URL, Config{Rate: 1, Match: tt.match, Faults: []Fault{tt.fault}})
			once := s3Client(p.URL, aws.NopRetryer{})
			err := tt.faulted(once)
			var apiErr smithy.APIError
			var respErr *smithyhttp.ResponseError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code || !errors.As(err, &respErr) || respErr.HTTPStatusCode() != tt.status {
				t.Errorf("got %v, want %s with status %d", err, tt.code, tt.status)
			}
			if !retry.NewStandard().IsErrorRetryable(err) {
				t.Errorf("the standard retryer would not retry %v", err)
			}
			if err := tt.spared(once); err != nil {
				t.Errorf("a request the predicate refused: %v", err)
			}
		})
	}

	t.Run("the standard retryer tries three times", func(t *testing.T) {
		p := Start(t, srv.URL, Config{Rate: 1, Match: S3GetObject, Faults: []Fault{S3InternalError(), Reset()}})
		if err := get(s3Client(p.URL, nil)); err == nil {
			t.Fatal("a read through a proxy that faults every read succeeded")
		}
		if p.Faulted() != retry.DefaultMaxAttempts {
			t.Errorf("%d reads faulted, want %d", p.Faulted(), retry.DefaultMaxAttempts)
		}
	})
}

func TestSQSFaults(t *testing.T) {
	server, endpoint := awslocal.StartSQS(t)
	queueURL := server.CreateQueue("faults", time.Minute)
	tests := []struct {
		name   string
		fault  Fault
		typed  bool
		code   string
		status int
	}{
		{"throttled", SQSThrottle(), true, "RequestThrottled", 403},
		{"internal error", SQSInternalError(), false, "InternalError", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Start(t, endpoint, Config{Rate: 1, Match: SQSAction("SendMessageBatch"), Faults: []Fault{tt.fault}})
			cfg := awslocal.ClientConfig(p.URL)
			cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
			client := sqs.NewFromConfig(cfg)
			_, err := client.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL),
				Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("a"), MessageBody: aws.String("x")}}})
			var apiErr smithy.APIError
			var respErr *smithyhttp.ResponseError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code || !errors.As(err, &respErr) || respErr.HTTPStatusCode() != tt.status {
				t.Fatalf("got %v, want %s with status %d", err, tt.code, tt.status)
			}
			if throttled := new(sqstypes.RequestThrottled); errors.As(err, &throttled) != tt.typed {
				t.Errorf("%v: the SDK's RequestThrottled %v, want %v", err, !tt.typed, tt.typed)
			}
			if !retry.NewStandard().IsErrorRetryable(err) {
				t.Errorf("the standard retryer would not retry %v", err)
			}
			if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("y")}); err != nil {
				t.Errorf("SendMessage, which the predicate refuses: %v", err)
			}
		})
	}
	if n := len(server.Messages(queueURL)); n != len(tests) {
		t.Errorf("%d messages queued, want the %d SendMessage calls only", n, len(tests))
	}
}
