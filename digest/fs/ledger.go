package fs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Ledger = (*Ledger)(nil)

// Ledger is the send ledger in a folder, the local stand-in for the
// DynamoDB table: LEDGER/<edition>/<address hash>.* marker files, each
// created exclusively (O_EXCL), so that of two runs — two processes even —
// only one takes a claim or records a send.
//
//	<hash>.claim.<gen>  a claim: its owner and lease; a claim whose lease
//	                    ran out is taken over by creating generation gen+1
//	<hash>.sent         the message went out (its id)
//	<hash>.failed       it never can (the reason)
type Ledger struct {
	root *os.Root
	now  func() time.Time
}

// NewLedger opens (making it if need be) a ledger folder; now is the clock
// that leases are measured by (time.Now when nil).
func NewLedger(dir string, now func() time.Time) (*Ledger, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Ledger{root: root, now: now}, nil
}

// Close closes the folder.
func (l *Ledger) Close() error { return l.root.Close() }

// base is the path of a pair's markers, without the suffix.
func base(edition, email string) (string, error) {
	if edition == "" || strings.ContainsAny(edition, `/\`) || edition == "." || edition == ".." {
		return "", fmt.Errorf("ledger: edition %q cannot name a folder", edition)
	}
	sum := sha256.Sum256([]byte(digest.EmailKey(email)))
	return path.Join(edition, hex.EncodeToString(sum[:16])), nil
}

// Claim takes the pair for the lease: the first generation of claim file
// that is free, passing over generations whose lease ran out.
func (l *Ledger) Claim(_ context.Context, edition, email string, lease time.Duration) (digest.Claim, error) {
	b, err := base(edition, email)
	if err != nil {
		return digest.Claim{}, err
	}
	if err := l.root.MkdirAll(edition, 0o755); err != nil {
		return digest.Claim{}, fmt.Errorf("ledger: %w", err)
	}
	if err := l.settled(b); err != nil {
		return digest.Claim{}, err
	}
	owner := rand.Text()
	for gen := 0; gen < 1000; gen++ {
		name := b + ".claim." + strconv.Itoa(gen)
		until := l.now().Add(lease)
		err := l.create(name, owner+" "+until.UTC().Format(time.RFC3339Nano))
		if err == nil {
			// A send recorded while the claim was being made wins.
			if err := l.settled(b); err != nil {
				l.root.Remove(name)
				return digest.Claim{}, err
			}
			return digest.Claim{Edition: edition, Email: email, Owner: owner + "/" + strconv.Itoa(gen), Until: until}, nil
		}
		if !errors.Is(err, iofs.ErrExist) {
			return digest.Claim{}, fmt.Errorf("ledger claim: %w", err)
		}
		_, held, err := l.readClaim(name)
		if errors.Is(err, iofs.ErrNotExist) {
			gen-- // released meanwhile: try this generation again
			continue
		}
		if err != nil {
			return digest.Claim{}, err
		}
		if l.now().Before(held) {
			return digest.Claim{}, digest.ErrClaimed
		}
	}
	return digest.Claim{}, fmt.Errorf("ledger: %s has a thousand expired claims", b)
}

// settled reports a send or a failure already on record.
func (l *Ledger) settled(b string) error {
	if _, err := l.root.Stat(b + ".sent"); err == nil {
		return digest.ErrAlreadySent
	}
	if _, err := l.root.Stat(b + ".failed"); err == nil {
		return digest.ErrAlreadyFailed
	}
	return nil
}

// MarkSent records the send, if the claim is still the owner's.
func (l *Ledger) MarkSent(_ context.Context, c digest.Claim, messageID string) error {
	return l.settle(c, ".sent", messageID)
}

// MarkFailed records a send that can never succeed.
func (l *Ledger) MarkFailed(_ context.Context, c digest.Claim, reason string) error {
	return l.settle(c, ".failed", reason)
}

func (l *Ledger) settle(c digest.Claim, suffix, detail string) error {
	b, name, err := l.owned(c)
	if err != nil {
		return err
	}
	if err := l.create(b+suffix, detail+" "+l.now().UTC().Format(time.RFC3339Nano)); err != nil {
		if errors.Is(err, iofs.ErrExist) {
			return digest.ErrLostClaim
		}
		return fmt.Errorf("ledger: %w", err)
	}
	l.root.Remove(name)
	return nil
}

// Release gives the claim back.
func (l *Ledger) Release(_ context.Context, c digest.Claim) error {
	_, name, err := l.owned(c)
	if err != nil {
		return err
	}
	if err := l.root.Remove(name); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// owned checks that the claim file is still c's and that no later
// generation has taken the pair over.
func (l *Ledger) owned(c digest.Claim) (b, name string, err error) {
	b, err = base(c.Edition, c.Email)
	if err != nil {
		return "", "", err
	}
	owner, genText, ok := strings.Cut(c.Owner, "/")
	gen, convErr := strconv.Atoi(genText)
	if !ok || convErr != nil {
		return "", "", digest.ErrLostClaim
	}
	name = b + ".claim." + genText
	got, _, err := l.readClaim(name)
	if err != nil || got != owner {
		return "", "", digest.ErrLostClaim
	}
	if _, err := l.root.Stat(b + ".claim." + strconv.Itoa(gen+1)); err == nil {
		return "", "", digest.ErrLostClaim
	}
	return b, name, nil
}

func (l *Ledger) create(name, content string) error {
	f, err := l.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(content + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

func (l *Ledger) readClaim(name string) (owner string, until time.Time, err error) {
	data, err := l.root.ReadFile(name)
	if err != nil {
		return "", time.Time{}, err
	}
	owner, stamp, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	until, err = time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		// A claim file caught half written: its owner is still writing it.
		return owner, l.now().Add(time.Minute), nil
	}
	return owner, until, nil
}
