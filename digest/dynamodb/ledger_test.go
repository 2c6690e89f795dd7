package dynamodb

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/newsdigest/newsdigest/digest"
)

// ledgerFixture is one test's ledger table, its adapter and clock.
type ledgerFixture struct {
	ctx    context.Context
	client *dynamodb.Client
	table  string
	clock  *clock
	ledger *Ledger
}

func newLedgerFixture(t *testing.T, ttl time.Duration) *ledgerFixture {
	t.Helper()
	ctx, client, _, table := newTables(t)
	f := &ledgerFixture{ctx: ctx, client: client, table: table, clock: newClock()}
	l, err := NewLedger(LedgerConfig{Table: table, TTL: ttl, Now: f.clock.Now}, client, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	f.ledger = l
	return f
}

func (f *ledgerFixture) claim(t *testing.T, email string, lease time.Duration) digest.Claim {
	t.Helper()
	c, err := f.ledger.Claim(f.ctx, edition, email, lease)
	if err != nil {
		t.Fatalf("Claim %s: %v", email, err)
	}
	return c
}

func (f *ledgerFixture) record(t *testing.T, email string) map[string]types.AttributeValue {
	t.Helper()
	return getItem(t, f.ctx, f.client, f.table, "pk", edition+"#"+digest.EmailKey(email))
}

const (
	edition = "2026-11-26"
	ann     = "ann@example.com"
	lease   = 10 * time.Minute
)

// TestClaim: what a second claim meets after each thing that can happen
// to a first claim of ann's copy of the edition.
func TestClaim(t *testing.T) {
	t.Parallel()
	nothing := func(*testing.T, *ledgerFixture, digest.Claim) {}
	for _, tc := range []struct {
		name    string
		then    func(t *testing.T, f *ledgerFixture, first digest.Claim)
		edition string // of the second claim; edition if ""
		email   string // of the second claim; ann if ""
		wantErr error
	}{
		{name: "while the first is held", then: nothing, wantErr: digest.ErrClaimed},
		{name: "the address in other case is the same reader", then: nothing, email: " Ann@Example.COM", wantErr: digest.ErrClaimed},
		{name: "another edition is another pair", then: nothing, edition: "2026-11-27"},
		{name: "another reader is another pair", then: nothing, email: "bob@example.com"},
		{name: "after the send", then: func(t *testing.T, f *ledgerFixture, first digest.Claim) {
			if err := f.ledger.MarkSent(f.ctx, first, "msg-1"); err != nil {
				t.Fatal(err)
			}
		}, wantErr: digest.ErrAlreadySent},
		{name: "after a failure for good", then: func(t *testing.T, f *ledgerFixture, first digest.Claim) {
			if err := f.ledger.MarkFailed(f.ctx, first, "mailbox does not exist"); err != nil {
				t.Fatal(err)
			}
		}, wantErr: digest.ErrAlreadyFailed},
		{name: "after a release", then: func(t *testing.T, f *ledgerFixture, first digest.Claim) {
			if err := f.ledger.Release(f.ctx, first); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a moment before the lease runs out", then: func(_ *testing.T, f *ledgerFixture, _ digest.Claim) {
			f.clock.Advance(lease - time.Millisecond)
		}, wantErr: digest.ErrClaimed},
		{name: "after the lease ran out", then: func(_ *testing.T, f *ledgerFixture, _ digest.Claim) {
			f.clock.Advance(lease + time.Millisecond)
		}},
		{name: "a sent record whose lease ran out stays sent", then: func(t *testing.T, f *ledgerFixture, first digest.Claim) {
			if err := f.ledger.MarkSent(f.ctx, first, "msg-1"); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(2 * lease)
		}, wantErr: digest.ErrAlreadySent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newLedgerFixture(t, 0)
			first := f.claim(t, ann, lease)
			tc.then(t, f, first)
			ed, email := cmp.Or(tc.edition, edition), cmp.Or(tc.email, ann)
			c, err := f.ledger.Claim(f.ctx, ed, email, lease)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("second claim: error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			until := f.clock.Now().Add(lease)
			if c.Edition != ed || c.Email != email || c.Owner == "" || c.Owner == first.Owner || !c.Until.Equal(until) {
				t.Errorf("claim %+v, want %s for %s with a new owner until %s", c, ed, email, until)
			}
		})
	}
}

// TestLostClaim: once a lapsed claim is taken over, the old owner can
// neither mark nor release it, and the new owner's record is untouched by
// its attempts.
func TestLostClaim(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		act  func(f *ledgerFixture, old digest.Claim) error
	}{
		{"mark sent", func(f *ledgerFixture, old digest.Claim) error { return f.ledger.MarkSent(f.ctx, old, "msg-old") }},
		{"mark failed", func(f *ledgerFixture, old digest.Claim) error { return f.ledger.MarkFailed(f.ctx, old, "refused") }},
		{"release", func(f *ledgerFixture, old digest.Claim) error { return f.ledger.Release(f.ctx, old) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newLedgerFixture(t, 0)
			old := f.claim(t, ann, lease)
			f.clock.Advance(lease + time.Second)
			taken := f.claim(t, ann, lease)
			if taken.Owner == old.Owner {
				t.Fatalf("the new claim has the old owner %q", old.Owner)
			}
			if err := tc.act(f, old); !errors.Is(err, digest.ErrLostClaim) {
				t.Fatalf("old owner: error %v, want %v", err, digest.ErrLostClaim)
			}
			if got := getString(f.record(t, ann), "owner"); got != taken.Owner {
				t.Errorf("owner on record %q, want the new one", got)
			}
			if err := f.ledger.MarkSent(f.ctx, taken, "msg-new"); err != nil {
				t.Fatalf("new owner: MarkSent: %v", err)
			}
			rec := f.record(t, ann)
			if getString(rec, "state") != "sent" || getString(rec, "message_id") != "msg-new" {
				t.Errorf("record %v, want sent as msg-new", rec)
			}
		})
	}
}

// TestMarkAndRelease: what each step leaves on record, and what an owner
// may do to its own claim after it.
func TestMarkAndRelease(t *testing.T) {
	t.Parallel()
	t.Run("a record lapsed but not taken is still its owner's to mark", func(t *testing.T) {
		t.Parallel()
		f := newLedgerFixture(t, 0)
		c := f.claim(t, ann, lease)
		f.clock.Advance(2 * lease)
		if err := f.ledger.MarkSent(f.ctx, c, "msg-1"); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
	})
	t.Run("a sent record cannot be released", func(t *testing.T) {
		t.Parallel()
		f := newLedgerFixture(t, 0)
		c := f.claim(t, ann, lease)
		if err := f.ledger.MarkSent(f.ctx, c, "msg-1"); err != nil {
			t.Fatal(err)
		}
		if err := f.ledger.Release(f.ctx, c); !errors.Is(err, digest.ErrLostClaim) {
			t.Fatalf("Release: error %v, want %v", err, digest.ErrLostClaim)
		}
		if getString(f.record(t, ann), "state") != "sent" {
			t.Error("the record is no longer sent")
		}
	})
	t.Run("a released claim is gone", func(t *testing.T) {
		t.Parallel()
		f := newLedgerFixture(t, 0)
		c := f.claim(t, ann, lease)
		if err := f.ledger.Release(f.ctx, c); err != nil {
			t.Fatal(err)
		}
		if rec := f.record(t, ann); rec != nil {
			t.Errorf("record %v after release, want none", rec)
		}
		if err := f.ledger.MarkSent(f.ctx, c, "msg-1"); !errors.Is(err, digest.ErrLostClaim) {
			t.Errorf("MarkSent after release: error %v, want %v", err, digest.ErrLostClaim)
		}
	})
}

// TestRecord: the record a claim and a send leave, with the expiry the
// table's TTL deletes it by: claim time plus the configured TTL.
func TestRecord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{"default TTL, 45 days", 0, 45 * 24 * time.Hour},
		{"configured TTL", 7 * 24 * time.Hour, 7 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newLedgerFixture(t, tc.ttl)
			claimedAt := f.clock.Now()
			c := f.claim(t, "Ann@Example.com", lease)
			f.clock.Advance(time.Minute)
			if err := f.ledger.MarkSent(f.ctx, c, "msg-1"); err != nil {
				t.Fatal(err)
			}
			rec := f.record(t, ann)
			expires, _ := rec["expires_at"].(*types.AttributeValueMemberN)
			if expires == nil || expires.Value != strconv.FormatInt(claimedAt.Add(tc.want).Unix(), 10) {
				t.Errorf("expires_at %v, want %d (epoch seconds)", rec["expires_at"], claimedAt.Add(tc.want).Unix())
			}
			for attr, want := range map[string]string{
				"edition":    edition,
				"email":      "Ann@Example.com",
				"state":      "sent",
				"owner":      c.Owner,
				"message_id": "msg-1",
				"claimed_at": formatTime(claimedAt),
				"sent_at":    formatTime(claimedAt.Add(time.Minute)),
			} {
				if got := getString(rec, attr); got != want {
					t.Errorf("%s = %q, want %q", attr, got, want)
				}
			}
		})
	}
}

// TestClaimRace: many runs claim one pair at once; exactly one wins and
// every other is told it is claimed.
func TestClaimRace(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t, 0)
	const runs = 50
	errs := make([]error, runs)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			<-start
			_, errs[i] = f.ledger.Claim(f.ctx, edition, ann, lease)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, digest.ErrClaimed):
			t.Errorf("a losing claim: %v, want %v", err, digest.ErrClaimed)
		}
	}
	if won != 1 {
		t.Errorf("%d claims won, want 1", won)
	}
}

// TestLedgerRefuses: arguments and configurations that cannot work.
func TestLedgerRefuses(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t, 0)
	for _, tc := range []struct {
		name    string
		edition string
		email   string
		lease   time.Duration
	}{
		{"no edition", "", ann, lease},
		{"no address", edition, " ", lease},
		{"no lease", edition, ann, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.ledger.Claim(f.ctx, tc.edition, tc.email, tc.lease); err == nil {
				t.Error("no error")
			}
		})
	}
	for _, tc := range []struct {
		name string
		cfg  LedgerConfig
	}{
		{"no table", LedgerConfig{}},
		{"negative TTL", LedgerConfig{Table: "ledger", TTL: -time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewLedger(tc.cfg, nil, nil); err == nil {
				t.Error("no error")
			}
		})
	}
}
