// Package seslocal runs aws-ses-v2-local, an SES v2 API server in Node.js,
// on loopback for a test (or the local stack, newsdigest stack), reads
// what it stored, and builds an SES v2 client for it. The package is the
// pinned one `make tools` installs into infra/npm/node_modules.
package seslocal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/newsdigest/newsdigest/internal/npmserver"
	"github.com/newsdigest/newsdigest/internal/procstat"
)

// startTimeout bounds how long the server may take to answer (Node loads
// express and mailparser first); requestTimeout bounds one API call.
const (
	startTimeout   = 20 * time.Second
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
	// URL is the API root, http://127.0.0.1:port for Start.
	URL string
	// Quota is what GetAccount answers. The server never counts sends
	// against it: it is a fixed figure, not a limit.
	Quota  SendQuota
	client *http.Client
	proc   *npmserver.Process
}

// Start runs the server on a free loopback port, waits until it answers,
// and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWithQuota(t, defaultQuota())
}

// defaultQuota is what GetAccount answers unless a test asks for another:
// a small production account.
func defaultQuota() SendQuota {
	return SendQuota{MaxSendRate: 14, Max24HourSend: 50000, SentLast24Hours: 1234}
}

// StartWithQuota is Start with the quota GetAccount answers.
func StartWithQuota(t testing.TB, quota SendQuota) *Server {
	t.Helper()
	addr, err := npmserver.FreeAddr()
	if err != nil {
		t.Fatalf("seslocal: %v", err)
	}
	s, err := LaunchWithQuota(addr, quota)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		// A test that failed already reports the requests an exit failed.
		if err := s.Close(); err != nil && !t.Failed() {
			t.Errorf("%v", err)
		}
	})
	return s
}

// Launch runs the server on addr (host:port, such as 127.0.0.1:8005) and
// waits until it answers; an address in use is an error. The caller stops
// it with Close.
func Launch(addr string) (*Server, error) {
	return LaunchWithQuota(addr, defaultQuota())
}

// LaunchWithQuota is Launch with the quota GetAccount answers.
func LaunchWithQuota(addr string, quota SendQuota) (*Server, error) {
	account, err := accountJSON(quota)
	if err != nil {
		return nil, fmt.Errorf("aws-ses-v2-local: %w", err)
	}
	proc, err := npmserver.Start(npmserver.Config{
		Name:         "aws-ses-v2-local",
		Env:          append(withoutServerSettings(os.Environ()), "AWS_SES_ACCOUNT="+account),
		ReadyPath:    "/store",
		StartTimeout: startTimeout,
	}, addr)
	if err != nil {
		return nil, err
	}
	return &Server{URL: proc.URL, Quota: quota, client: &http.Client{Timeout: requestTimeout}, proc: proc}, nil
}

// Usage is the server's use of the machine so far.
func (s *Server) Usage() (procstat.Usage, error) { return s.proc.Usage() }

// Close stops the server. It reports an error if the server had already
// exited on its own, which would have failed the requests sent to it.
func (s *Server) Close() error {
	return s.proc.Close()
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
	emails, err := s.StoredEmails()
	if err != nil {
		t.Fatal(err)
	}
	return emails
}

// StoredEmails is Emails for code that is not a test's own goroutine.
func (s *Server) StoredEmails() ([]StoredEmail, error) {
	resp, err := s.client.Get(s.URL + "/store")
	if err != nil {
		return nil, fmt.Errorf("seslocal: GET /store: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("seslocal: GET /store: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("seslocal: GET /store: %s: %s", resp.Status, body)
	}
	var store struct {
		Emails []StoredEmail `json:"emails"`
	}
	if err := json.Unmarshal(body, &store); err != nil {
		return nil, fmt.Errorf("seslocal: GET /store: %w", err)
	}
	return store.Emails, nil
}

// ClearStore empties the server's store: a long run reads and clears it
// now and then rather than let the server hold every message.
func (s *Server) ClearStore() error {
	resp, err := s.client.Post(s.URL+"/clear-store", "application/json", nil)
	if err != nil {
		return fmt.Errorf("seslocal: POST /clear-store: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("seslocal: POST /clear-store: %s", resp.Status)
	}
	return nil
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
