// Package smtp sends mail over SMTP: to a local catcher such as Mailpit in
// tests and local runs, or to any relay that speaks SMTP.
package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Sender = (*Sender)(nil)

// Config says where and how to send.
type Config struct {
	// Addr is the server, host:port.
	Addr string
	// Username and Password, when set, authenticate with PLAIN, which is
	// only ever sent over TLS or to localhost.
	Username, Password string
	// HelloName is the name given in EHLO (default "localhost").
	HelloName string
	// Timeout bounds one Send, dial to QUIT (default 30s); the context's
	// deadline applies too, whichever comes first.
	Timeout time.Duration
}

// Sender sends each message over its own SMTP connection.
type Sender struct {
	cfg      Config
	host     string
	loopback bool
	logger   *slog.Logger
}

// New checks the configuration and returns a Sender.
func New(cfg Config, logger *slog.Logger) (*Sender, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("smtp config: address %q: want host:port", cfg.Addr)
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	ip := net.ParseIP(host)
	return &Sender{
		cfg:      cfg,
		host:     host,
		loopback: host == "localhost" || (ip != nil && ip.IsLoopback()),
		logger:   logger,
	}, nil
}

// Send encodes the message and delivers it to its one recipient. A message
// that fails validation is refused before any connection is made; its error
// wraps digest.ErrInvalidMail.
func (s *Sender) Send(ctx context.Context, m digest.Mail) (string, error) {
	if m.MessageID == "" {
		m.MessageID = digest.NewMessageID(m.From.Email)
	}
	raw, err := m.MIME()
	if err != nil {
		return "", fmt.Errorf("smtp send to %s: %w", m.To.Email, err)
	}
	start := time.Now()
	if err := s.deliver(ctx, m.From.Email, m.To.Email, raw); err != nil {
		return "", fmt.Errorf("smtp send to %s: %w", m.To.Email, err)
	}
	s.logger.DebugContext(ctx, "mail sent", "to", m.To.Email, "server", s.cfg.Addr, "bytes", len(raw), "duration", time.Since(start))
	return m.MessageID, nil
}

// deliver speaks one SMTP conversation. When the context ends first, the
// connection's pending reads and writes fail at once, and the error says
// so.
func (s *Sender) deliver(ctx context.Context, from, to string, raw []byte) (err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("dial %s: %w", s.cfg.Addr, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
	}()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", s.cfg.Addr, err)
	}
	// After a successful QUIT this only closes a closed connection.
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	// A loopback server is this machine: TLS would only need a certificate
	// for nothing.
	if ok, _ := c.Extension("STARTTLS"); ok && !s.loopback {
		if err := c.StartTLS(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The server has taken the message: a failed QUIT must not make the
	// caller send it again.
	if err := c.Quit(); err != nil {
		s.logger.WarnContext(ctx, "smtp QUIT failed after the message was accepted", "to", to, "server", s.cfg.Addr, "error", err)
	}
	return nil
}
