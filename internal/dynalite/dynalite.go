// Package dynalite runs dynalite, a DynamoDB API server that keeps its
// tables in memory, on loopback for tests of the DynamoDB code path. The
// server is the npm package pinned in infra/npm, which `make tools`
// installs.
package dynalite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// startTimeout bounds how long dynalite may take to answer; stopTimeout
// how long it may take to exit once asked.
const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

// Server is a running dynalite.
type Server struct {
	// Endpoint is its address, http://127.0.0.1:port.
	Endpoint string

	cancel  context.CancelFunc
	done    chan struct{} // closed when the process has exited
	waitErr error         // the process's exit, once done is closed
	out     *lockedBuffer
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
	root, err := repoRoot()
	if err != nil {
		return nil, fmt.Errorf("dynalite: %w", err)
	}
	script := filepath.Join(root, "infra", "npm", "node_modules", ".bin", "dynalite")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("dynalite: %w: run make tools", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("dynalite: %w: install Node.js", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("dynalite: free port: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, script,
		"--port", strconv.Itoa(port),
		// Only loopback: by default it listens on every interface.
		"--host", "127.0.0.1",
		// Tables are ready at once instead of after half a second.
		"--createTableMs", "0",
		"--deleteTableMs", "0",
		"--updateTableMs", "0",
	)
	s := &Server{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cancel:   cancel,
		done:     make(chan struct{}),
		out:      &lockedBuffer{},
	}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("dynalite: %w", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		cancel()
		<-s.done
		return nil, fmt.Errorf("dynalite: %w\n%s", err, s.out.String())
	}
	return s, nil
}

// Close stops the server. It reports an error if the server had already
// exited on its own, which would have failed the requests sent to it.
func (s *Server) Close() error {
	select {
	case <-s.done:
		s.cancel()
		return fmt.Errorf("dynalite exited while in use: %v\n%s", s.waitErr, s.out.String())
	default:
	}
	s.cancel()
	<-s.done
	return nil
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

// waitReady polls the server until it answers its health check, exits, or
// startTimeout passes.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	probe := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-s.done:
			return fmt.Errorf("exited before it was ready: %v", s.waitErr)
		default:
		}
		if resp, err := probe.Get(s.Endpoint + "/"); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(body), "healthy") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", startTimeout)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// repoRoot is the nearest folder above the working directory with a
// go.mod: tests run in their package's folder.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// freePort asks the kernel for a free loopback port. It is free again
// when dynalite binds it a moment later, barring a rare race with another
// process, which then shows as dynalite exiting before it was ready.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer collects dynalite's output, which the process writes while
// an error message may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
