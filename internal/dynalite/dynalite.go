// Package dynalite runs dynalite, a DynamoDB API server that keeps its
// tables in memory, on loopback for tests of the DynamoDB code path and
// for the local stack (newsdigest stack). The server is the npm package
// pinned in infra/npm, which `make tools` installs.
package dynalite

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/newsdigest/newsdigest/internal/npmserver"
	"github.com/newsdigest/newsdigest/internal/procstat"
)

// startTimeout bounds how long dynalite may take to answer.
const startTimeout = 10 * time.Second

// Server is a running dynalite.
type Server struct {
	// Endpoint is its address, http://127.0.0.1:port for Launch.
	Endpoint string

	proc *npmserver.Process
}

// Start runs dynalite for one test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s
}

// Launch runs dynalite on a free loopback port and waits until it answers.
// The caller stops it with Close. It is Start for TestMain, where one
// server serves a whole package and there is no test to clean up after.
func Launch() (*Server, error) {
	addr, err := npmserver.FreeAddr()
	if err != nil {
		return nil, fmt.Errorf("dynalite: %w", err)
	}
	return LaunchOn(addr)
}

// LaunchOn runs dynalite on addr (host:port, such as 127.0.0.1:4567) and
// waits until it answers; an address in use is an error. The caller stops
// it with Close.
func LaunchOn(addr string) (*Server, error) {
	proc, err := npmserver.Start(npmserver.Config{
		Name: "dynalite",
		Args: []string{
			// Tables are ready at once instead of after half a second.
			"--createTableMs", "0",
			"--deleteTableMs", "0",
			"--updateTableMs", "0",
		},
		ReadyPath:    "/",
		ReadyPrefix:  "healthy",
		StartTimeout: startTimeout,
	}, addr)
	if err != nil {
		return nil, err
	}
	return &Server{Endpoint: proc.URL, proc: proc}, nil
}

// Usage is the server's use of the machine so far.
func (s *Server) Usage() (procstat.Usage, error) { return s.proc.Usage() }

// Close stops the server. It reports an error if the server had already
// exited on its own, which would have failed the requests sent to it.
func (s *Server) Close() error {
	return s.proc.Close()
}

// Client returns a DynamoDB client for the server: region us-east-1, fake
// static credentials (dynalite checks that requests are signed, not by
// whom), and its own connections, closed when the test ends.
func (s *Server) Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	transport := &http.Transport{
		Proxy:       nil, // loopback never goes through a proxy
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		// Tests send from many goroutines at once; a small idle pool
		// would open and drop a connection for most requests.
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(transport.CloseIdleConnections)
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(s.Endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("fake", "fake", ""),
		HTTPClient:   &http.Client{Transport: transport, Timeout: 30 * time.Second},
	})
}
