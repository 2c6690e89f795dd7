// Package dynamodb keeps the subscriber list and the send ledger in Amazon
// DynamoDB. Every change is one conditional write of one item, so that two
// writers (an import, the feedback function, a second send run) never
// undo each other's work.
package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/newsdigest/newsdigest/digest"
)

var (
	_ digest.SubscriberLists    = (*Subscribers)(nil)
	_ digest.SubscriberImporter = (*Subscribers)(nil)
	_ digest.Suppressor         = (*Subscribers)(nil)
)

// The attributes of a subscriber item, besides its key.
const (
	attrAddress     = "address"      // as given
	attrName        = "name"         // may be ""
	attrStatus      = "status"       // a digest.Status
	attrSections    = "sections"     // string set; absent when none
	attrCreated     = "created"      // RFC 3339
	attrUpdated     = "updated"      // RFC 3339: the last change by an import or a suppression
	attrSoftBounces = "soft_bounces" // list of RFC 3339 times
	attrReason      = "reason"       // why the reader was suppressed
)

// defaultImportConcurrency bounds an import's writes in flight: enough to
// hide the round trips, few enough not to throttle an on-demand table
// that is still cold.
const defaultImportConcurrency = 8

// SubscribersAPI is the part of the DynamoDB client Subscribers uses.
type SubscribersAPI interface {
	dynamodb.ScanAPIClient
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// SubscribersConfig configures Subscribers.
type SubscribersConfig struct {
	// Table is the subscriber table, keyed by "email" (digest.EmailKey).
	Table string
	// Concurrency bounds the writes an import has in flight; 8 if zero.
	Concurrency int
	// Now stamps the readers an import adds or changes; time.Now if nil.
	Now func() time.Time
}

// Subscribers is the subscriber list in a DynamoDB table, one item per
// reader.
type Subscribers struct {
	client      SubscribersAPI
	table       string
	concurrency int
	now         func() time.Time
	log         *slog.Logger
}

// NewSubscribers returns the list kept in cfg.Table. A nil log logs
// nothing.
func NewSubscribers(cfg SubscribersConfig, client SubscribersAPI, log *slog.Logger) (*Subscribers, error) {
	if cfg.Table == "" {
		return nil, errors.New("dynamodb subscribers: no table name")
	}
	if cfg.Concurrency < 0 {
		return nil, fmt.Errorf("dynamodb subscribers: concurrency %d below zero", cfg.Concurrency)
	}
	s := &Subscribers{client: client, table: cfg.Table, concurrency: cfg.Concurrency, now: cfg.Now, log: log}
	if s.concurrency == 0 {
		s.concurrency = defaultImportConcurrency
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Active scans the table for active readers and hands them to each, batch
// at a time, in no particular order. An error from each stops the scan and
// is returned as it is.
func (s *Subscribers) Active(ctx context.Context, batch int, each func([]digest.Subscriber) error) error {
	if batch < 1 {
		return fmt.Errorf("dynamodb active subscribers: batch %d, want at least 1", batch)
	}
	pages := dynamodb.NewScanPaginator(s.client, &dynamodb.ScanInput{
		TableName:                aws.String(s.table),
		FilterExpression:         aws.String("#status = :active"),
		ProjectionExpression:     aws.String("#email, #address, #name, #sections, #created"),
		ExpressionAttributeNames: names(subscriberKey, attrAddress, attrName, attrSections, attrCreated, attrStatus),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":active": str(string(digest.StatusActive)),
		},
	})
	subs := make([]digest.Subscriber, 0, batch)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("dynamodb scan %s for active subscribers: %w", s.table, err)
		}
		for _, item := range page.Items {
			subs = append(subs, s.decodeActive(item))
			if len(subs) == batch {
				if err := each(subs); err != nil {
					return err
				}
				// A new slice: each may keep the one it was given.
				subs = make([]digest.Subscriber, 0, batch)
			}
		}
	}
	if len(subs) > 0 {
		return each(subs)
	}
	return nil
}

// decodeActive reads an active reader's item. Only the address is needed
// to send, so a damaged created time (an item edited by hand) costs the
// reader nothing but that time.
func (s *Subscribers) decodeActive(item map[string]types.AttributeValue) digest.Subscriber {
	sub := digest.Subscriber{
		Email:    getString(item, attrAddress),
		Name:     getString(item, attrName),
		Status:   digest.StatusActive,
		Sections: getStringSet(item, attrSections),
	}
	if sub.Email == "" {
		sub.Email = getString(item, subscriberKey)
	}
	if created := getString(item, attrCreated); created != "" {
		t, err := time.Parse(time.RFC3339Nano, created)
		if err != nil {
			s.log.Warn("dynamodb: subscriber with an unreadable created time", "table", s.table, "email", sub.Email, "created", created)
		}
		sub.Created = t
	}
	return sub
}

// What importing one row did.
type importOutcome int

const (
	added importOutcome = iota
	updated
	unchanged
	keptSuppressed
)

// Import writes each row with one conditional update, at most Concurrency
// at a time, and is idempotent: importing the same rows again reports them
// all unchanged.
//
// A new address is added with the row's status and created time (the
// import's time when the row has none). An active reader takes the row's
// address, name and sections, and a row with a suppressing status
// suppresses it (reason "import"). A suppressed reader is never touched:
// an active row for it counts as KeptSuppressed, a suppressing row as
// Unchanged. The condition is checked by DynamoDB at the write, so a
// reader suppressed by another writer while the import runs stays
// suppressed.
//
// On an error Import stops, and returns what it did until then with the
// error.
func (s *Subscribers) Import(ctx context.Context, subs []digest.Subscriber) (digest.ImportReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	now := s.now()
	rows := make(chan digest.Subscriber)
	var (
		mu       sync.Mutex
		report   digest.ImportReport
		handled  int
		firstErr error
		wg       sync.WaitGroup
	)
	for range min(s.concurrency, len(subs)) {
		wg.Go(func() {
			for sub := range rows {
				if ctx.Err() != nil {
					continue // stopping: drain what the feeder still hands over
				}
				outcome, err := s.importOne(ctx, sub, now)
				mu.Lock()
				handled++
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				case outcome == added:
					report.Added++
				case outcome == updated:
					report.Updated++
				case outcome == unchanged:
					report.Unchanged++
				case outcome == keptSuppressed:
					report.KeptSuppressed++
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, sub := range subs {
		select {
		case rows <- sub:
		case <-ctx.Done():
			break feed
		}
	}
	close(rows)
	wg.Wait()
	if firstErr == nil && handled < len(subs) {
		// The caller's context ended before every row was written.
		firstErr = fmt.Errorf("dynamodb import into %s: %w", s.table, context.Cause(ctx))
	}
	s.log.Debug("dynamodb: import", "table", s.table, "rows", len(subs), "added", report.Added,
		"updated", report.Updated, "unchanged", report.Unchanged, "kept_suppressed", report.KeptSuppressed)
	return report, firstErr
}

// importOne writes one row: see Import.
func (s *Subscribers) importOne(ctx context.Context, sub digest.Subscriber, now time.Time) (importOutcome, error) {
	key := digest.EmailKey(sub.Email)
	if key == "" {
		return 0, fmt.Errorf("dynamodb import into %s: a row without an address", s.table)
	}
	status := sub.Status
	if status == "" {
		status = digest.StatusActive
	}
	if status != digest.StatusActive && !status.Suppressed() {
		return 0, fmt.Errorf("dynamodb import %s: unknown status %q", sub.Email, status)
	}
	created := sub.Created
	if created.IsZero() {
		created = now
	}
	set := []string{
		"#address = :address",
		"#name = :name",
		"#status = :status",
		"#created = if_not_exists(#created, :created)",
		"#updated = :now",
	}
	var remove []string
	values := map[string]types.AttributeValue{
		":address": str(strings.TrimSpace(sub.Email)),
		":name":    str(sub.Name),
		":status":  str(string(status)),
		":created": str(formatTime(created)),
		":now":     str(formatTime(now)),
		":active":  str(string(digest.StatusActive)),
	}
	attrs := []string{subscriberKey, attrAddress, attrName, attrStatus, attrCreated, attrUpdated, attrSections}
	// What makes an active reader's item differ from the row; an item
	// that does not is left unwritten.
	differs := []string{"#address <> :address", "attribute_not_exists(#name)", "#name <> :name"}
	if sections := sectionSet(sub.Sections); len(sections) > 0 {
		set = append(set, "#sections = :sections")
		values[":sections"] = &types.AttributeValueMemberSS{Value: sections}
		differs = append(differs, "attribute_not_exists(#sections)", "#sections <> :sections")
	} else {
		remove = append(remove, "#sections") // a string set cannot be empty
		differs = append(differs, "attribute_exists(#sections)")
	}
	condition := "attribute_not_exists(#email) OR (#status = :active AND (" + strings.Join(differs, " OR ") + "))"
	if status.Suppressed() {
		set = append(set, "#reason = :reason")
		values[":reason"] = str("import")
		attrs = append(attrs, attrReason)
		condition = "attribute_not_exists(#email) OR #status = :active"
	}
	update := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 map[string]types.AttributeValue{subscriberKey: str(key)},
		UpdateExpression:                    aws.String(update),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeNames:            names(attrs...),
		ExpressionAttributeValues:           values,
		ReturnValues:                        types.ReturnValueAllOld,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		if status.Suppressed() {
			return unchanged, nil // the reader is suppressed already
		}
		return s.activeRowRefused(ctx, sub.Email, key, failed.Item)
	case err != nil:
		return 0, fmt.Errorf("dynamodb import %s into %s: %w", sub.Email, s.table, err)
	case len(out.Attributes) == 0:
		return added, nil
	default:
		return updated, nil
	}
}

// activeRowRefused tells why the write of an active row was refused: the
// reader is suppressed, or already as the row says. DynamoDB returns the
// item with the refusal; a server that does not (dynalite) is asked for it.
func (s *Subscribers) activeRowRefused(ctx context.Context, email, key string, item map[string]types.AttributeValue) (importOutcome, error) {
	if item == nil {
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:                aws.String(s.table),
			Key:                      map[string]types.AttributeValue{subscriberKey: str(key)},
			ConsistentRead:           aws.Bool(true),
			ProjectionExpression:     aws.String("#status"),
			ExpressionAttributeNames: names(attrStatus),
		})
		if err != nil {
			return 0, fmt.Errorf("dynamodb import %s into %s: read the refused item: %w", email, s.table, err)
		}
		if out.Item == nil {
			return 0, fmt.Errorf("dynamodb import %s into %s: the reader was deleted during the import", email, s.table)
		}
		item = out.Item
	}
	if digest.Status(getString(item, attrStatus)) == digest.StatusActive {
		return unchanged, nil
	}
	s.log.Debug("dynamodb: import kept a reader suppressed", "table", s.table, "email", email, "status", getString(item, attrStatus))
	return keptSuppressed, nil
}

// Suppress sets a suppressing status, its reason and time on a reader
// that exists, with one conditional update that touches no other
// attribute, so that a soft bounce recorded at the same moment is kept.
func (s *Subscribers) Suppress(ctx context.Context, email string, status digest.Status, reason string, at time.Time) error {
	if !status.Suppressed() {
		return fmt.Errorf("dynamodb suppress %s: status %q does not suppress", email, status)
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{subscriberKey: str(digest.EmailKey(email))},
		UpdateExpression:         aws.String("SET #status = :status, #reason = :reason, #updated = :at"),
		ConditionExpression:      aws.String("attribute_exists(#email)"),
		ExpressionAttributeNames: names(subscriberKey, attrStatus, attrReason, attrUpdated),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":status": str(string(status)),
			":reason": str(reason),
			":at":     str(formatTime(at)),
		},
	})
	if failed := new(types.ConditionalCheckFailedException); errors.As(err, &failed) {
		return fmt.Errorf("dynamodb suppress %s: %w", email, digest.ErrUnknownSubscriber)
	}
	if err != nil {
		return fmt.Errorf("dynamodb suppress %s: %w", email, err)
	}
	return nil
}

// TransientBounce appends the bounce's time to the reader's soft bounces
// in one update, which DynamoDB applies atomically whatever else is
// written to the item, and returns the whole list.
func (s *Subscribers) TransientBounce(ctx context.Context, email string, at time.Time) ([]time.Time, error) {
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{subscriberKey: str(digest.EmailKey(email))},
		UpdateExpression:         aws.String("SET #bounces = list_append(if_not_exists(#bounces, :empty), :at)"),
		ConditionExpression:      aws.String("attribute_exists(#email)"),
		ExpressionAttributeNames: map[string]string{"#bounces": attrSoftBounces, "#email": subscriberKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":at":    &types.AttributeValueMemberL{Value: []types.AttributeValue{str(formatTime(at))}},
		},
		// Only the list is needed back, not the whole item.
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if failed := new(types.ConditionalCheckFailedException); errors.As(err, &failed) {
		return nil, fmt.Errorf("dynamodb soft bounce %s: %w", email, digest.ErrUnknownSubscriber)
	}
	if err != nil {
		return nil, fmt.Errorf("dynamodb soft bounce %s: %w", email, err)
	}
	list, _ := out.Attributes[attrSoftBounces].(*types.AttributeValueMemberL)
	if list == nil {
		return nil, fmt.Errorf("dynamodb soft bounce %s: the update returned no %s list", email, attrSoftBounces)
	}
	times := make([]time.Time, 0, len(list.Value))
	for _, v := range list.Value {
		sv, _ := v.(*types.AttributeValueMemberS)
		if sv == nil {
			return nil, fmt.Errorf("dynamodb soft bounce %s: a %s entry that is not a string", email, attrSoftBounces)
		}
		t, err := time.Parse(time.RFC3339Nano, sv.Value)
		if err != nil {
			return nil, fmt.Errorf("dynamodb soft bounce %s: %w", email, err)
		}
		times = append(times, t)
	}
	return times, nil
}

// sectionSet is the row's sections as a string set: without blanks or
// repeats, which DynamoDB refuses in a set, and sorted, as a set has no
// order.
func sectionSet(sections []string) []string {
	var set []string
	for _, s := range sections {
		if s = strings.TrimSpace(s); s != "" {
			set = append(set, s)
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// names maps "#attr" to attr for each attribute an expression names: every
// name goes through a placeholder, as several (name, status, owner, state)
// are reserved words.
func names(attrs ...string) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m["#"+a] = a
	}
	return m
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func getString(item map[string]types.AttributeValue, attr string) string {
	if v, ok := item[attr].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getStringSet(item map[string]types.AttributeValue, attr string) []string {
	v, ok := item[attr].(*types.AttributeValueMemberSS)
	if !ok {
		return nil
	}
	set := slices.Clone(v.Value)
	slices.Sort(set)
	return set
}

// formatTime writes times in UTC with their fraction of a second, so that
// they read back equal.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
