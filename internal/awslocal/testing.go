package awslocal

import (
	"context"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// StartSQS serves a new SQS on a loopback port until the test ends, and
// returns it with its endpoint URL.
func StartSQS(t testing.TB) (*SQS, string) {
	t.Helper()
	sqs := NewSQS()
	return sqs, start(t, NewServer(sqs, nil), sqs)
}

// StartSSM serves a new Parameter Store on a loopback port until the test
// ends, and returns it with its endpoint URL.
func StartSSM(t testing.TB) (*SSM, string) {
	t.Helper()
	ssm := NewSSM()
	return ssm, start(t, NewServer(nil, ssm), nil)
}

// Start serves a new SQS and Parameter Store on one loopback endpoint
// until the test ends.
func Start(t testing.TB) (*SQS, *SSM, string) {
	t.Helper()
	sqs, ssm := NewSQS(), NewSSM()
	return sqs, ssm, start(t, NewServer(sqs, ssm), sqs)
}

func start(t testing.TB, srv *Server, sqs *SQS) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(srv)
	// Ending the test ends the long polls in flight too, which Close
	// would otherwise wait for.
	base, cancel := context.WithCancel(context.Background())
	ts.Config.BaseContext = func(net.Listener) context.Context { return base }
	ts.Start()
	t.Cleanup(func() {
		cancel()
		ts.Close()
	})
	if sqs != nil {
		sqs.setEndpoint(ts.URL)
	}
	return ts.URL
}

// ClientConfig is an AWS configuration for clients of the endpoint:
// region eu-west-1 and static test credentials, which the server does not
// check.
func ClientConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}
