package smtp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/smtp"
	"github.com/newsdigest/newsdigest/internal/mailpit"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func testMail() digest.Mail {
	return digest.Mail{
		From:                  digest.Address{Name: "The Newsdigest Daily", Email: "daily@newsdigest.example"},
		To:                    digest.Address{Name: "Zoë Ångström", Email: "zoe@reader.example"},
		ReplyTo:               &digest.Address{Name: "The editors", Email: "editors@newsdigest.example"},
		Subject:               "Nov 26: Council approves tram line 🚋 — and 7 more",
		Text:                  "Hi Zoë,\n\nThe council voted for the tram.\n",
		HTML:                  "<!DOCTYPE html><html><body><p>Hi Zoë,</p><p>The council voted for the <b>tram</b>.</p></body></html>",
		ListID:                "daily.newsdigest.example",
		ListName:              "The Newsdigest Daily",
		ListUnsubscribeURL:    "https://newsdigest.example/unsubscribe?t=abc",
		ListUnsubscribeMailto: "mailto:unsubscribe@newsdigest.example?subject=abc",
		MessageID:             "<2026-11-26.zoe@newsdigest.example>",
	}
}

func TestSendToMailpit(t *testing.T) {
	mp := mailpit.Start(t)
	sender, err := smtp.New(smtp.Config{Addr: mp.SMTPAddr, Username: "newsdigest", Password: "secret", Timeout: 10 * time.Second}, discard())
	if err != nil {
		t.Fatal(err)
	}
	m := testMail()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id, err := sender.Send(ctx, m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	list := mp.Messages(t)
	if len(list) != 1 {
		t.Fatalf("Mailpit holds %d messages, want 1", len(list))
	}
	if list[0].Username != "newsdigest" {
		t.Errorf("authenticated as %q, want newsdigest", list[0].Username)
	}
	got := mp.Message(t, list[0].ID)
	if got.From == nil || got.From.Name != m.From.Name || got.From.Address != m.From.Email {
		t.Errorf("From %+v, want %+v", got.From, m.From)
	}
	if len(got.To) != 1 || got.To[0].Name != m.To.Name || got.To[0].Address != m.To.Email {
		t.Errorf("To %+v, want [%+v]", got.To, m.To)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Address != m.ReplyTo.Email {
		t.Errorf("Reply-To %+v, want [%+v]", got.ReplyTo, *m.ReplyTo)
	}
	if got.Subject != m.Subject {
		t.Errorf("Subject %q, want %q", got.Subject, m.Subject)
	}
	if "<"+got.MessageID+">" != m.MessageID || id != m.MessageID {
		t.Errorf("Message-ID %q arrived, Send returned %q, want %q", got.MessageID, id, m.MessageID)
	}
	wantLinks := []string{m.ListUnsubscribeURL, m.ListUnsubscribeMailto}
	if lu := got.ListUnsubscribe; lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" || !sameSet(lu.Links, wantLinks) {
		t.Errorf("Mailpit reads List-Unsubscribe as %+v, want links %q, one-click and no errors", lu, wantLinks)
	}
	// The text comes back as it travelled: every line break a CRLF.
	if want := strings.ReplaceAll(m.Text, "\n", "\r\n"); got.Text != want {
		t.Errorf("text %q, want %q", got.Text, want)
	}
	if got.HTML != m.HTML {
		t.Errorf("HTML %q, want %q", got.HTML, m.HTML)
	}

	headers := mp.Headers(t, list[0].ID)
	for name, want := range map[string]string{
		"List-Unsubscribe":      "<" + m.ListUnsubscribeURL + ">, <" + m.ListUnsubscribeMailto + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Id":               `"` + m.ListName + `" <` + m.ListID + ">",
		"Message-Id":            m.MessageID,
	} {
		if got := headers[name]; len(got) != 1 || got[0] != want {
			t.Errorf("header %s: %q, want [%q]", name, got, want)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// listen serves each connection on loopback with handle, and counts them.
func listen(t *testing.T, handle func(net.Conn)) (addr string, conns *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns = new(atomic.Int32)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return l.Addr().String(), conns
}

// silent accepts and never speaks, as a stuck server would.
func silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// rejectsRecipients is an SMTP server that refuses every recipient.
func rejectsRecipients(c net.Conn) {
	r := bufio.NewReader(c)
	say := func(s string) { _, _ = io.WriteString(c, s+"\r\n") }
	say("220 fake.example ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
		case "EHLO", "HELO":
			say("250 fake.example")
		case "RCPT":
			say("550 5.1.1 no such mailbox")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestSendFails(t *testing.T) {
	injected := testMail()
	injected.Subject = "Hello\r\nBcc: victim@example.com"
	tests := []struct {
		name    string
		handle  func(net.Conn) // nil: nothing listens
		mail    digest.Mail
		timeout time.Duration // the Sender's own
		ctxWait time.Duration // the caller's deadline; 0 for none
		// wantErr is what the error must be; wantText what it must say.
		wantErr   error
		wantText  []string
		wantConns int32
	}{
		{name: "invalid mail is never sent", handle: silent, mail: injected,
			wantErr: digest.ErrInvalidMail, wantText: []string{"smtp send to zoe@reader.example", "Subject"}, wantConns: 0},
		{name: "nothing listening", mail: testMail(),
			wantText: []string{"smtp send to zoe@reader.example", "dial"}},
		{name: "recipient refused", handle: rejectsRecipients, mail: testMail(),
			wantText: []string{"smtp send to zoe@reader.example", "RCPT TO", "550"}, wantConns: 1},
		{name: "stuck server, caller's deadline", handle: silent, mail: testMail(), ctxWait: 200 * time.Millisecond,
			wantErr: context.DeadlineExceeded, wantText: []string{"smtp send to zoe@reader.example", "greeting"}, wantConns: 1},
		{name: "stuck server, sender's timeout", handle: silent, mail: testMail(), timeout: 200 * time.Millisecond,
			wantErr: context.DeadlineExceeded, wantText: []string{"smtp send to zoe@reader.example"}, wantConns: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, conns := closedAddr(t), new(atomic.Int32)
			if tc.handle != nil {
				addr, conns = listen(t, tc.handle)
			}
			sender, err := smtp.New(smtp.Config{Addr: addr, Timeout: tc.timeout}, discard())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.ctxWait > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxWait)
				defer cancel()
			}
			start := time.Now()
			_, err = sender.Send(ctx, tc.mail)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Send took %s", elapsed)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
			for _, want := range tc.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if got := conns.Load(); got != tc.wantConns {
				t.Errorf("%d connections, want %d", got, tc.wantConns)
			}
		})
	}
}

func TestNewRejectsAddress(t *testing.T) {
	for _, addr := range []string{"", "localhost", ":25", "mail.example.com:25:1"} {
		t.Run(addr, func(t *testing.T) {
			if _, err := smtp.New(smtp.Config{Addr: addr}, discard()); err == nil {
				t.Errorf("New(%q) succeeded, want an error", addr)
			}
		})
	}
}
