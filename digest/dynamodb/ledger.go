package dynamodb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/newsdigest/newsdigest/digest"
)

var _ digest.Ledger = (*Ledger)(nil)

// The attributes of a ledger item, besides its key and expiry.
const (
	attrEdition    = "edition"
	attrEmail      = "email"       // the address as given
	attrState      = "state"       // stateClaimed, stateSent or stateFailed
	attrOwner      = "owner"       // the claim's random token
	attrLeaseUntil = "lease_until" // epoch milliseconds
	attrClaimedAt  = "claimed_at"  // RFC 3339
	attrMessageID  = "message_id"
	attrSentAt     = "sent_at"   // RFC 3339
	attrFailedAt   = "failed_at" // RFC 3339
	// attrReason, why a send failed for good, is shared with subscribers.
)

// The states of a ledger item.
const (
	stateClaimed = "claimed"
	stateSent    = "sent"
	stateFailed  = "failed"
)

// DefaultLedgerTTL is how long a record is kept after its claim: long
// after any run could retry the edition, short enough that the table does
// not grow for ever.
const DefaultLedgerTTL = 45 * 24 * time.Hour

// LedgerAPI is the part of the DynamoDB client Ledger uses.
type LedgerAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// LedgerConfig configures Ledger.
type LedgerConfig struct {
	// Table is the ledger table, keyed by "pk" (edition "#" address key),
	// with expiry by "expires_at".
	Table string
	// TTL is how long after its claim a record expires; DefaultLedgerTTL
	// if zero.
	TTL time.Duration
	// Now is the clock leases are taken and judged by; time.Now if nil.
	Now func() time.Time
}

// Ledger is the send ledger in a DynamoDB table: one item per edition and
// reader, taken with a conditional put and marked with updates
// conditional on the claim's owner.
type Ledger struct {
	client LedgerAPI
	table  string
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger
}

// NewLedger returns the ledger kept in cfg.Table. A nil log logs nothing.
func NewLedger(cfg LedgerConfig, client LedgerAPI, log *slog.Logger) (*Ledger, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamodb ledger: no table name")
	}
	if cfg.TTL < 0 {
		return nil, fmt.Errorf("dynamodb ledger: TTL %s below zero", cfg.TTL)
	}
	l := &Ledger{client: client, table: cfg.Table, ttl: cfg.TTL, now: cfg.Now, log: log}
	if l.ttl == 0 {
		l.ttl = DefaultLedgerTTL
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l, nil
}

// Claim writes a claimed record for the pair if there is none, or if the
// one there is a claim whose lease ran out; DynamoDB checks that at the
// write, so of two runs claiming at once exactly one wins. When the write
// is refused, a consistent read says why.
func (l *Ledger) Claim(ctx context.Context, edition, email string, lease time.Duration) (digest.Claim, error) {
	if edition == "" || digest.EmailKey(email) == "" {
		return digest.Claim{}, fmt.Errorf("dynamodb claim %q for %q: want an edition and an address", edition, email)
	}
	if lease <= 0 {
		return digest.Claim{}, fmt.Errorf("dynamodb claim %s for %s: lease %s, want more than zero", edition, email, lease)
	}
	now := l.now()
	// The lease is kept in milliseconds; the claim says what is kept.
	until := time.UnixMilli(now.Add(lease).UnixMilli())
	c := digest.Claim{Edition: edition, Email: email, Owner: rand.Text(), Until: until}
	key := ledgerPK(edition, email)
	out, err := l.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.table),
		Item: map[string]types.AttributeValue{
			ledgerKey:      str(key),
			attrEdition:    str(edition),
			attrEmail:      str(email),
			attrState:      str(stateClaimed),
			attrOwner:      str(c.Owner),
			attrLeaseUntil: num(until.UnixMilli()),
			attrClaimedAt:  str(formatTime(now)),
			ledgerTTL:      num(now.Add(l.ttl).Unix()),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk) OR (#state = :claimed AND #lease_until < :now)"),
		ExpressionAttributeNames: names(ledgerKey, attrState, attrLeaseUntil),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claimed": str(stateClaimed),
			":now":     num(now.UnixMilli()),
		},
		// The old item, if any, was a lapsed claim: worth a log line, as
		// its run may have died half way.
		ReturnValues: types.ReturnValueAllOld,
	})
	if failed := new(types.ConditionalCheckFailedException); errors.As(err, &failed) {
		return digest.Claim{}, l.whyRefused(ctx, edition, email, key)
	}
	if err != nil {
		return digest.Claim{}, fmt.Errorf("dynamodb claim %s for %s: %w", edition, email, err)
	}
	if len(out.Attributes) > 0 {
		l.log.Info("dynamodb: took over a claim whose lease ran out", "table", l.table, "edition", edition, "email", email,
			"previous_owner", getString(out.Attributes, attrOwner), "claimed_at", getString(out.Attributes, attrClaimedAt))
	}
	return c, nil
}

// whyRefused reads the record that refused a claim and returns the error
// that says why.
func (l *Ledger) whyRefused(ctx context.Context, edition, email, key string) error {
	out, err := l.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(l.table),
		Key:                      map[string]types.AttributeValue{ledgerKey: str(key)},
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#state"),
		ExpressionAttributeNames: names(attrState),
	})
	if err != nil {
		return fmt.Errorf("dynamodb claim %s for %s: read the refusing record: %w", edition, email, err)
	}
	switch state := getString(out.Item, attrState); state {
	case stateSent:
		return fmt.Errorf("dynamodb claim %s for %s: %w", edition, email, digest.ErrAlreadySent)
	case stateFailed:
		return fmt.Errorf("dynamodb claim %s for %s: %w", edition, email, digest.ErrAlreadyFailed)
	case stateClaimed:
		return fmt.Errorf("dynamodb claim %s for %s: %w", edition, email, digest.ErrClaimed)
	case "":
		// Released between the write and the read: it was claimed a
		// moment ago, and a later attempt will find it free.
		return fmt.Errorf("dynamodb claim %s for %s: %w (and released since)", edition, email, digest.ErrClaimed)
	default:
		return fmt.Errorf("dynamodb claim %s for %s: the record is in an unknown state %q", edition, email, state)
	}
}

// MarkSent records the send, if the claim is still this owner's. A lapsed
// lease that no other run took is still the owner's to mark.
func (l *Ledger) MarkSent(ctx context.Context, c digest.Claim, messageID string) error {
	return l.mark(ctx, "mark sent", c,
		"SET #state = :state, #message_id = :id, #sent_at = :now",
		names(attrState, attrMessageID, attrSentAt, attrOwner),
		map[string]types.AttributeValue{
			":state": str(stateSent),
			":id":    str(messageID),
			":now":   str(formatTime(l.now())),
		})
}

// MarkFailed records a send that can never succeed, if the claim is still
// this owner's.
func (l *Ledger) MarkFailed(ctx context.Context, c digest.Claim, reason string) error {
	return l.mark(ctx, "mark failed", c,
		"SET #state = :state, #reason = :reason, #failed_at = :now",
		names(attrState, attrReason, attrFailedAt, attrOwner),
		map[string]types.AttributeValue{
			":state":  str(stateFailed),
			":reason": str(reason),
			":now":    str(formatTime(l.now())),
		})
}

// mark applies update to the claim's record on condition that the claim
// is still its owner's.
func (l *Ledger) mark(ctx context.Context, op string, c digest.Claim, update string, attrNames map[string]string, values map[string]types.AttributeValue) error {
	values[":owner"] = str(c.Owner)
	_, err := l.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.table),
		Key:                       map[string]types.AttributeValue{ledgerKey: str(ledgerPK(c.Edition, c.Email))},
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#owner = :owner"),
		ExpressionAttributeNames:  attrNames,
		ExpressionAttributeValues: values,
	})
	if failed := new(types.ConditionalCheckFailedException); errors.As(err, &failed) {
		return fmt.Errorf("dynamodb %s %s for %s: %w", op, c.Edition, c.Email, digest.ErrLostClaim)
	}
	if err != nil {
		return fmt.Errorf("dynamodb %s %s for %s: %w", op, c.Edition, c.Email, err)
	}
	return nil
}

// Release deletes the claim's record, if it is still this owner's claim,
// so that the next run finds the pair free.
func (l *Ledger) Release(ctx context.Context, c digest.Claim) error {
	_, err := l.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(l.table),
		Key:                      map[string]types.AttributeValue{ledgerKey: str(ledgerPK(c.Edition, c.Email))},
		ConditionExpression:      aws.String("#owner = :owner AND #state = :claimed"),
		ExpressionAttributeNames: names(attrOwner, attrState),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner":   str(c.Owner),
			":claimed": str(stateClaimed),
		},
	})
	if failed := new(types.ConditionalCheckFailedException); errors.As(err, &failed) {
		return fmt.Errorf("dynamodb release %s for %s: %w", c.Edition, c.Email, digest.ErrLostClaim)
	}
	if err != nil {
		return fmt.Errorf("dynamodb release %s for %s: %w", c.Edition, c.Email, err)
	}
	return nil
}

// ledgerPK is the record's key: one per edition and reader, whatever the
// case of the address.
func ledgerPK(edition, email string) string { return edition + "#" + digest.EmailKey(email) }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
