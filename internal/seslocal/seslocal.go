// Package seslocal runs aws-ses-v2-local, an SES v2 API server in Node.js,
// on loopback for a test, reads what it stored, and builds an SES v2
// client for it. The package is the pinned one `make tools` installs into
// infra/npm/node_modules.
package seslocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// startTimeout bounds how long the server may take to answer (Node loads
// express and mailparser first); stopTimeout how long it may take to exit
// once asked; requestTimeout bounds one API call.
const (
	startTimeout   = 20 * time.Second
	stopTimeout    = 5 * time.Second
	requestTimeout = 30 * time.Second
)

// SendQuota is the account's sending quota as GetAccount reports it.
type SendQuota struct {
	MaxSendRate     float64 `json:"MaxSendRate"`
	Max24HourSend   float64 `json:"Max24HourSend"`
	SentLast24Hours float64 `json:"SentLast24Hours"`
}

// Server is a running aws-ses-v2-local.
type Server struct {
	// URL is the API root, http://127.0.0.1:port.
	URL string
	// Quota is what GetAccount answers. The server never counts sends
	// against it: it is a fixed figure, not a limit.
	Quota  SendQuota
	client *http.Client
}

// Start runs the server on a free loopback port, waits until it answers,
// and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("seslocal: %v", err)
	}
	script := filepath.Join(root, "infra", "npm", "node_modules", ".bin", "aws-ses-v2-local")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("seslocal: %v: run make tools", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("seslocal: %v: run make tools", err)
	}
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	s := &Server{
		URL:    "http://" + addr,
		Quota:  SendQuota{MaxSendRate: 14, Max24HourSend: 50000, SentLast24Hours: 1234},
		client: &http.Client{Timeout: requestTimeout},
	}
	account, err := accountJSON(s.Quota)
	if err != nil {
		t.Fatalf("seslocal: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, script, "--port", port, "--host", "127.0.0.1")
	cmd.Env = append(withoutServerSettings(os.Environ()), "AWS_SES_ACCOUNT="+account)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("seslocal: %v", err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
			if !t.Failed() { // else the failure already shows the log
				t.Errorf("aws-ses-v2-local exited during the test: %v\n%s", waitErr, out.String())
			}
		default:
			cancel()
			<-done
		}
	})
	if err := s.waitReady(done); err != nil {
		t.Fatalf("seslocal: %v\n%s", err, out.String())
	}
	return s
}

// waitReady polls GET /store until it answers, the server exits, or
// startTimeout passes.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	probe := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			return errors.New("exited before it was ready")
		default:
		}
		resp, err := probe.Get(s.URL + "/store")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StoredEmail is one message in GET /store, as aws-ses-v2-local 2.10.2's
// store.js keeps it. For raw content the server parses the message with
// mailparser and keeps the decoded fields only: the raw bytes and their
// headers are not kept, and Headers stays empty.
type StoredEmail struct {
	// MessageID is the id SendEmail returned ("ses-" and nine digits).
	MessageID string `json:"messageId"`
	// From is the From header decoded: `"Name" <address>` or the address.
	From        string        `json:"from"`
	ReplyTo     []string      `json:"replyTo"`
	Destination Destination   `json:"destination"`
	Subject     string        `json:"subject"`
	Body        Body          `json:"body"`
	Attachments []Attachment  `json:"attachments"`
	Headers     []StoredField `json:"headers"`
	// At is when it was stored, in Unix seconds.
	At int64 `json:"at"`
}

// Destination holds the recipients, each decoded as From is.
type Destination struct {
	To  []string `json:"to"`
	Cc  []string `json:"cc"`
	Bcc []string `json:"bcc"`
}

// Body is the message's text and HTML, decoded.
type Body struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Attachment is an attached file; Content is base64.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
	Content     string `json:"content"`
}

// StoredField is a header given with simple or template content.
type StoredField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Emails returns every message the server has stored, oldest first.
func (s *Server) Emails(t testing.TB) []StoredEmail {
	t.Helper()
	resp, err := s.client.Get(s.URL + "/store")
	if err != nil {
		t.Fatalf("seslocal: GET /store: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("seslocal: GET /store: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seslocal: GET /store: %s: %s", resp.Status, body)
	}
	var store struct {
		Emails []StoredEmail `json:"emails"`
	}
	if err := json.Unmarshal(body, &store); err != nil {
		t.Fatalf("seslocal: GET /store: %v", err)
	}
	return store.Emails
}

// Client is an SES v2 client for endpoint (the server's URL, or a proxy in
// front of it) with fake static credentials, which the server accepts
// without checking. The SDK's retries are off: the delivery code retries
// itself and must see every throttling answer. optFns adjust the options
// further, as sesv2.New's do.
func Client(t testing.TB, endpoint string, optFns ...func(*sesv2.Options)) *sesv2.Client {
	t.Helper()
	// Enough idle connections for the benchmark's 32 senders: the default
	// 10 per host would open and close connections all the time.
	httpClient := awshttp.NewBuildableClient().
		WithTimeout(requestTimeout).
		WithTransportOptions(func(tr *http.Transport) { tr.MaxIdleConnsPerHost = 64 })
	return sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCALTEST", "local-test-secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   httpClient,
	}, optFns...)
}

// accountJSON is the GetAccount answer in the full shape the server's
// schema requires before it answers at all.
func accountJSON(q SendQuota) (string, error) {
	account := map[string]any{
		"DedicatedIpAutoWarmupEnabled": false,
		"Details": map[string]any{
			"AdditionalContactEmailAddresses": []string{},
			"ContactLanguage":                 "EN",
			"MailType":                        "MARKETING",
			"ReviewDetails":                   map[string]string{"CaseId": "local", "Status": "GRANTED"},
			"UseCaseDescription":              "newsdigest tests",
			"WebsiteURL":                      "https://newsdigest.example",
		},
		"EnforcementStatus":       "HEALTHY",
		"ProductionAccessEnabled": true,
		"SendingEnabled":          true,
		"SendQuota":               q,
		"SuppressionAttributes":   map[string]any{"SuppressedReasons": []string{"BOUNCE", "COMPLAINT"}},
	}
	b, err := json.Marshal(account)
	return string(b), err
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

// freePort returns a loopback address that was free a moment ago; Node
// binds it right after.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("seslocal: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// withoutServerSettings drops the variables the server reads: SMTP_TRANSPORT
// would relay every stored message to an SMTP server, and AWS_SES_ACCOUNT is
// the test's own.
func withoutServerSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") && !strings.HasPrefix(kv, "AWS_SES_ACCOUNT=") {
			out = append(out, kv)
		}
	}
	return out
}

// lockedBuffer collects the server's log; the process writes it while the
// test may read it.
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
