package awslambda

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestS3Retryer: the S3 client tries a request S3MaxAttempts times, and
// has no retry quota that a burst of faults during a day's read could
// spend, leaving the rest of the day's faults unretried.
func TestS3Retryer(t *testing.T) {
	r := NewClients(aws.Config{Region: "eu-west-1"}).S3.Options().Retryer
	if got := r.MaxAttempts(); got != S3MaxAttempts {
		t.Errorf("S3 tries a request %d times, want %d", got, S3MaxAttempts)
	}
	fault := &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusInternalServerError}},
		Err: errors.New("InternalError")}
	if !r.IsErrorRetryable(fault) {
		t.Fatal("a 500 is not retried")
	}
	// The SDK's default quota, 500 tokens at 14 a retry, runs out after
	// 35 retries.
	for i := range 1000 {
		if _, err := r.GetRetryToken(t.Context(), fault); err != nil {
			t.Fatalf("retry %d refused: %v", i+1, err)
		}
	}
}
