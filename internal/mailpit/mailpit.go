// Package mailpit runs a Mailpit SMTP catcher on loopback for a test, and
// reads what it caught through its HTTP API. The binary is the pinned one
// that `make tools` installs into .tools/bin.
package mailpit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/localproc"
)

// startTimeout bounds how long Mailpit may take to answer; stopTimeout how
// long it may take to exit once asked.
const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

// Server is a running Mailpit.
type Server struct {
	// SMTPAddr is the SMTP listener, 127.0.0.1:port.
	SMTPAddr string
	// APIURL is the web UI and API root, http://127.0.0.1:port.
	APIURL string
	client *http.Client
}

// Start runs Mailpit on two free loopback ports with a database in the
// test's temporary folder, waits until it answers, and stops it when the
// test ends. It accepts any SMTP credentials, without TLS.
func Start(t testing.TB) *Server {
	t.Helper()
	root, err := localproc.ModuleRoot()
	if err != nil {
		t.Fatalf("mailpit: %v", err)
	}
	bin := filepath.Join(root, ".tools", "bin", "mailpit")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("mailpit: %v: run make tools", err)
	}
	ports := localproc.FreePorts(t, 2)
	s := &Server{
		SMTPAddr: ports[0],
		APIURL:   "http://" + ports[1],
		client:   &http.Client{Timeout: 30 * time.Second},
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--smtp", s.SMTPAddr,
		"--listen", ports[1],
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--smtp-auth-accept-any",
		"--smtp-auth-allow-insecure",
		// Nothing may leave the machine: no release check, no reverse DNS
		// of the client, no stylesheet fetched by the HTML check.
		"--disable-version-check",
		"--smtp-disable-rdns",
		"--block-remote-css-and-fonts",
	)
	cmd.Env = withoutMailpitSettings(os.Environ())
	var out localproc.Output
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("mailpit: %v", err)
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
				t.Errorf("mailpit exited during the test: %v\n%s", waitErr, out.String())
			}
		default:
			cancel()
			<-done
		}
	})
	if err := s.waitReady(done); err != nil {
		t.Fatalf("mailpit: %v\n%s", err, out.String())
	}
	return s
}

// waitReady polls the readiness endpoint and the SMTP port until both
// answer, Mailpit exits, or startTimeout passes.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	probe := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			return errors.New("exited before it was ready")
		default:
		}
		resp, err := probe.Get(s.APIURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				conn, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second)
				if err == nil {
					return conn.Close()
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withoutMailpitSettings drops MP_* variables, which Mailpit reads as
// settings, so that a developer's own configuration cannot change the
// test's instance.
func withoutMailpitSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "MP_") {
			out = append(out, kv)
		}
	}
	return out
}

// The API's JSON, as server/apiv1 and internal/storage define it in
// Mailpit v1.33.1; only the fields the tests read.

// Address is a mailbox as Mailpit reports it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MessageSummary is one entry of the message list.
type MessageSummary struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	// Username is the SMTP login the message came with.
	Username string `json:"Username"`
}

// ListUnsubscribe is Mailpit's reading of the List-Unsubscribe headers.
type ListUnsubscribe struct {
	Links      []string `json:"Links"`
	Errors     string   `json:"Errors"`
	HeaderPost string   `json:"HeaderPost"`
}

// Message is one message, its bodies decoded.
type Message struct {
	MessageID       string          `json:"MessageID"`
	From            *Address        `json:"From"`
	To              []Address       `json:"To"`
	ReplyTo         []Address       `json:"ReplyTo"`
	Subject         string          `json:"Subject"`
	ListUnsubscribe ListUnsubscribe `json:"ListUnsubscribe"`
	Text            string          `json:"Text"`
	HTML            string          `json:"HTML"`
	Size            int             `json:"Size"`
}

// HTMLCheck is the result of the HTML compatibility check, scored against
// caniemail.com's data.
type HTMLCheck struct {
	Warnings []HTMLWarning `json:"Warnings"`
	Total    HTMLTotal     `json:"Total"`
}

// HTMLTotal is the weighted score of the whole message, in percent.
type HTMLTotal struct {
	Tests       int     `json:"Tests"`
	Nodes       int     `json:"Nodes"`
	Supported   float64 `json:"Supported"`
	Partial     float64 `json:"Partial"`
	Unsupported float64 `json:"Unsupported"`
}

// HTMLWarning is one HTML or CSS feature the message uses that some
// clients lack.
type HTMLWarning struct {
	Slug    string       `json:"Slug"`
	Title   string       `json:"Title"`
	Results []HTMLResult `json:"Results"`
	Score   HTMLScore    `json:"Score"`
}

// HTMLResult is one client's support for a feature: yes, no or partial.
type HTMLResult struct {
	Name    string `json:"Name"`
	Support string `json:"Support"`
}

// HTMLScore is a feature's share of clients, in percent, and how often the
// message uses it.
type HTMLScore struct {
	Found       int     `json:"Found"`
	Partial     float64 `json:"Partial"`
	Unsupported float64 `json:"Unsupported"`
}

// Messages lists the caught messages, newest first.
func (s *Server) Messages(t testing.TB) []MessageSummary {
	t.Helper()
	var list struct {
		Messages []MessageSummary `json:"messages"`
	}
	s.get(t, "/api/v1/messages", &list)
	return list.Messages
}

// Message returns one message.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+url.PathEscape(id), &m)
	return m
}

// Headers returns a message's headers, each name in canonical form.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// HTMLCheck runs the HTML compatibility check on a message.
func (s *Server) HTMLCheck(t testing.TB, id string) HTMLCheck {
	t.Helper()
	var c HTMLCheck
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/html-check", &c)
	return c
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := s.client.Get(s.APIURL + path)
	if err != nil {
		t.Fatalf("mailpit: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit: GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("mailpit: GET %s: %v", path, err)
	}
}
