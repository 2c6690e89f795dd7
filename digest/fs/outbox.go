package fs

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Sender = (*Outbox)(nil)

// Outbox "sends" by writing each message as an .eml file into a folder,
// the embedded default for local runs: open one in any mail program.
type Outbox struct {
	dir string
}

// NewOutbox makes the folder if need be.
func NewOutbox(dir string) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return &Outbox{dir: dir}, nil
}

// Send writes the message to <address>--<random>.eml, whole or not at all,
// and returns its Message-ID.
func (o *Outbox) Send(_ context.Context, m digest.Mail) (string, error) {
	if m.MessageID == "" {
		m.MessageID = digest.NewMessageID(m.From.Email)
	}
	raw, err := m.MIME()
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	name := fileSafe(digest.EmailKey(m.To.Email)) + "--" + rand.Text()[:8] + ".eml"
	tmp := filepath.Join(o.dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(o.dir, name)); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("outbox: %w", err)
	}
	return m.MessageID, nil
}

// fileSafe keeps the characters of an address that are safe in a file
// name everywhere.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '@', r == '.', r == '-', r == '_', r == '+':
			return r
		}
		return '_'
	}, s)
}
