package digest

import (
	"context"
	"errors"
	"time"
)

// Ledger records, for each edition and reader, whether the email went out,
// so that a run sends it at most once and a later run sends what an
// earlier one did not. The folder and DynamoDB adapters implement it; both
// take a claim with a single exclusive write.
type Ledger interface {
	// Claim takes the right to send one edition to one address, for the
	// lease. It fails with ErrAlreadySent, ErrAlreadyFailed, or ErrClaimed
	// while another live claim holds it. A claim whose lease ran out (its
	// run died) can be taken again.
	Claim(ctx context.Context, edition, email string, lease time.Duration) (Claim, error)
	// MarkSent records the send, with the id the service gave the message.
	MarkSent(ctx context.Context, c Claim, messageID string) error
	// MarkFailed records a send that can never succeed (the address or the
	// message was refused), so that no run tries again.
	MarkFailed(ctx context.Context, c Claim, reason string) error
	// Release gives a claim back without sending (throttled too long, the
	// run stopped), so that the next run sends it.
	Release(ctx context.Context, c Claim) error
}

// Claim is a held right to send one edition to one address.
type Claim struct {
	Edition string
	Email   string
	// Owner tells this claim from a later one on the same pair; only its
	// owner can mark or release it.
	Owner string
	// Until is when the lease runs out.
	Until time.Time
}

// The ledger's answers to a claim that cannot be taken.
var (
	ErrAlreadySent   = errors.New("already sent")
	ErrAlreadyFailed = errors.New("already failed for good")
	ErrClaimed       = errors.New("claimed by another run")
	// ErrLostClaim: the claim is no longer this owner's (its lease ran out
	// and another run took it).
	ErrLostClaim = errors.New("claim lost")
)
