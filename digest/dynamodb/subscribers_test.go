package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/newsdigest/newsdigest/digest"
)

// subscriberFixture is one test's subscriber table, its adapter and clock.
type subscriberFixture struct {
	ctx    context.Context
	client *dynamodb.Client
	table  string
	clock  *clock
	subs   *Subscribers
}

func newSubscriberFixture(t *testing.T, cfg SubscribersConfig) *subscriberFixture {
	t.Helper()
	ctx, client, table, _ := newTables(t)
	f := &subscriberFixture{ctx: ctx, client: client, table: table, clock: newClock()}
	f.subs = f.adapter(t, cfg, client)
	return f
}

// adapter returns a Subscribers on the fixture's table and clock that
// talks through api.
func (f *subscriberFixture) adapter(t *testing.T, cfg SubscribersConfig, api SubscribersAPI) *Subscribers {
	t.Helper()
	cfg.Table, cfg.Now = f.table, f.clock.Now
	s, err := NewSubscribers(cfg, api, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *subscriberFixture) mustImport(t *testing.T, subs ...digest.Subscriber) digest.ImportReport {
	t.Helper()
	report, err := f.subs.Import(f.ctx, subs)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return report
}

// stored is a subscriber item as the table holds it.
type stored struct {
	Address, Name, Status, Reason, Created, Updated string
	Sections, SoftBounces                           []string
}

// read returns the item for the address's key, or nil.
func (f *subscriberFixture) read(t *testing.T, email string) *stored {
	t.Helper()
	item := getItem(t, f.ctx, f.client, f.table, "email", digest.EmailKey(email))
	if item == nil {
		return nil
	}
	s := &stored{
		Address:  getString(item, "address"),
		Name:     getString(item, "name"),
		Status:   getString(item, "status"),
		Reason:   getString(item, "reason"),
		Created:  getString(item, "created"),
		Updated:  getString(item, "updated"),
		Sections: getStringSet(item, "sections"),
	}
	if l, ok := item["soft_bounces"].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			s.SoftBounces = append(s.SoftBounces, v.(*types.AttributeValueMemberS).Value)
		}
	}
	return s
}

// The test clock's start (t0) and an hour later (t1), as stored.
const (
	t0 = "2026-11-26T06:00:00Z"
	t1 = "2026-11-26T07:00:00Z"
)

var march = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// TestImport: each kind of row against each kind of reader, with the
// counts the report gives and the items left behind. The readers of
// "before" are imported at t0, suppressed (reason "by test") if listed,
// and the rows imported at t1.
func TestImport(t *testing.T) {
	t.Parallel()
	active := digest.StatusActive
	for _, tc := range []struct {
		name     string
		before   []digest.Subscriber
		suppress map[string]digest.Status
		rows     []digest.Subscriber
		want     digest.ImportReport
		items    map[string]*stored // by address; nil: no item
	}{{
		name: "new readers are added",
		rows: []digest.Subscriber{
			{Email: "Ann@example.com", Name: "Ann", Status: active, Sections: []string{"world", "business"}},
			{Email: "bob@example.com", Status: active, Created: march},
		},
		want: digest.ImportReport{Added: 2},
		items: map[string]*stored{
			"ann@example.com": {Address: "Ann@example.com", Name: "Ann", Status: "active", Sections: []string{"business", "world"}, Created: t1, Updated: t1},
			"bob@example.com": {Address: "bob@example.com", Status: "active", Created: "2025-03-01T00:00:00Z", Updated: t1},
		},
	}, {
		name: "the same rows again change nothing, sections in any order",
		before: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann", Status: active, Sections: []string{"world", "business"}},
			{Email: "bob@example.com", Status: active},
		},
		rows: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann", Status: active, Sections: []string{"business", "world", "world"}},
			{Email: "bob@example.com", Status: active},
		},
		want: digest.ImportReport{Unchanged: 2},
		items: map[string]*stored{
			"ann@example.com": {Address: "ann@example.com", Name: "Ann", Status: "active", Sections: []string{"business", "world"}, Created: t0, Updated: t0},
			"bob@example.com": {Address: "bob@example.com", Status: "active", Created: t0, Updated: t0},
		},
	}, {
		name: "a new name or sections update the reader, who keeps the first created time",
		before: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann", Status: active, Sections: []string{"world"}},
			{Email: "bob@example.com", Name: "Bob", Status: active, Sections: []string{"sport"}},
		},
		rows: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann Smith", Status: active, Sections: []string{"world"}, Created: march},
			{Email: "bob@example.com", Name: "Bob", Status: active},
		},
		want: digest.ImportReport{Updated: 2},
		items: map[string]*stored{
			"ann@example.com": {Address: "ann@example.com", Name: "Ann Smith", Status: "active", Sections: []string{"world"}, Created: t0, Updated: t1},
			"bob@example.com": {Address: "bob@example.com", Name: "Bob", Status: "active", Created: t0, Updated: t1},
		},
	}, {
		name:   "an address in other case is the same reader",
		before: []digest.Subscriber{{Email: "ann@example.com", Status: active}},
		rows:   []digest.Subscriber{{Email: "Ann@Example.COM", Status: active}},
		want:   digest.ImportReport{Updated: 1},
		items: map[string]*stored{
			"ann@example.com": {Address: "Ann@Example.COM", Status: "active", Created: t0, Updated: t1},
		},
	}, {
		name: "a suppressed reader stays suppressed and untouched",
		before: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann", Status: active},
			{Email: "bob@example.com", Status: active},
		},
		suppress: map[string]digest.Status{"ann@example.com": digest.StatusUnsubscribed},
		rows: []digest.Subscriber{
			{Email: "ann@example.com", Name: "Ann Smith", Status: active, Sections: []string{"world"}},
			{Email: "bob@example.com", Status: active},
		},
		want: digest.ImportReport{KeptSuppressed: 1, Unchanged: 1},
		items: map[string]*stored{
			"ann@example.com": {Address: "ann@example.com", Name: "Ann", Status: "unsubscribed", Reason: "by test", Created: t0, Updated: t0},
		},
	}, {
		name:   "a suppressing row suppresses an active reader",
		before: []digest.Subscriber{{Email: "ann@example.com", Name: "Ann", Status: active}},
		rows:   []digest.Subscriber{{Email: "ann@example.com", Name: "Ann", Status: digest.StatusUnsubscribed}},
		want:   digest.ImportReport{Updated: 1},
		items: map[string]*stored{
			"ann@example.com": {Address: "ann@example.com", Name: "Ann", Status: "unsubscribed", Reason: "import", Created: t0, Updated: t1},
		},
	}, {
		name: "a suppressing row for a new address adds it suppressed",
		rows: []digest.Subscriber{{Email: "carol@example.com", Status: digest.StatusBounced}},
		want: digest.ImportReport{Added: 1},
		items: map[string]*stored{
			"carol@example.com": {Address: "carol@example.com", Status: "bounced", Reason: "import", Created: t1, Updated: t1},
		},
	}, {
		name:     "a suppressing row leaves a suppressed reader as it is",
		before:   []digest.Subscriber{{Email: "ann@example.com", Status: active}},
		suppress: map[string]digest.Status{"ann@example.com": digest.StatusComplained},
		rows:     []digest.Subscriber{{Email: "ann@example.com", Name: "Ann", Status: digest.StatusUnsubscribed}},
		want:     digest.ImportReport{Unchanged: 1},
		items: map[string]*stored{
			"ann@example.com": {Address: "ann@example.com", Status: "complained", Reason: "by test", Created: t0, Updated: t0},
		},
	}, {
		name: "no rows, no change",
		want: digest.ImportReport{},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSubscriberFixture(t, SubscribersConfig{})
			if len(tc.before) > 0 {
				f.mustImport(t, tc.before...)
			}
			for email, status := range tc.suppress {
				if err := f.subs.Suppress(f.ctx, email, status, "by test", f.clock.Now()); err != nil {
					t.Fatalf("Suppress %s: %v", email, err)
				}
			}
			f.clock.Advance(time.Hour)
			if got := f.mustImport(t, tc.rows...); got != tc.want {
				t.Errorf("report %+v, want %+v", got, tc.want)
			}
			for email, want := range tc.items {
				if got := f.read(t, email); !reflect.DeepEqual(got, want) {
					t.Errorf("%s stored as\n%+v, want\n%+v", email, got, want)
				}
			}
		})
	}
}

// TestImportErrors: a row the table cannot take stops the import with an
// error that names it, after the rows before it.
func TestImportErrors(t *testing.T) {
	t.Parallel()
	ok := digest.Subscriber{Email: "ann@example.com", Status: digest.StatusActive}
	after := digest.Subscriber{Email: "zed@example.com", Status: digest.StatusActive}
	for _, tc := range []struct {
		name     string
		bad      digest.Subscriber
		cancel   bool
		wantText string
		want     digest.ImportReport
	}{
		{name: "unknown status", bad: digest.Subscriber{Email: "bob@example.com", Status: "paused"}, wantText: `unknown status "paused"`, want: digest.ImportReport{Added: 1}},
		{name: "no address", bad: digest.Subscriber{Email: "  ", Status: digest.StatusActive}, wantText: "without an address", want: digest.ImportReport{Added: 1}},
		{name: "context ended", bad: digest.Subscriber{Email: "bob@example.com"}, cancel: true, wantText: "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// One at a time, so that "the rows before it" is well defined.
			f := newSubscriberFixture(t, SubscribersConfig{Concurrency: 1})
			ctx := f.ctx
			if tc.cancel {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}
			got, err := f.subs.Import(ctx, []digest.Subscriber{ok, tc.bad, after})
			if err == nil || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("error %v, want one saying %q", err, tc.wantText)
			}
			if got != tc.want {
				t.Errorf("report %+v, want %+v", got, tc.want)
			}
			if f.read(t, after.Email) != nil {
				t.Errorf("the row after the error was imported")
			}
		})
	}
}

// hookedAPI runs a function before each UpdateItem, to put another
// writer's change exactly between an import's start and its write.
type hookedAPI struct {
	SubscribersAPI
	beforeUpdate func(in *dynamodb.UpdateItemInput)
}

func (h hookedAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	h.beforeUpdate(in)
	return h.SubscribersAPI.UpdateItem(ctx, in, opts...)
}

// TestImportKeepsSuppressionByAnotherWriter: the feedback function
// suppresses a reader after the import began, just before the import
// writes that reader's row; the reader stays suppressed, with the other
// writer's status and reason, and the report says so.
func TestImportKeepsSuppressionByAnotherWriter(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	f.mustImport(t,
		digest.Subscriber{Email: "ann@example.com", Name: "Ann", Status: digest.StatusActive},
		digest.Subscriber{Email: "bob@example.com", Name: "Bob", Status: digest.StatusActive},
	)
	var once sync.Once
	importer := f.adapter(t, SubscribersConfig{}, hookedAPI{SubscribersAPI: f.client, beforeUpdate: func(in *dynamodb.UpdateItemInput) {
		if getString(in.Key, "email") != "ann@example.com" {
			return
		}
		once.Do(func() {
			if err := f.subs.Suppress(f.ctx, "ann@example.com", digest.StatusComplained, "feedback", f.clock.Now()); err != nil {
				t.Errorf("Suppress: %v", err)
			}
		})
	}})
	got, err := importer.Import(f.ctx, []digest.Subscriber{
		{Email: "ann@example.com", Name: "Ann Smith", Status: digest.StatusActive},
		{Email: "bob@example.com", Name: "Bob Jones", Status: digest.StatusActive},
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if want := (digest.ImportReport{Updated: 1, KeptSuppressed: 1}); got != want {
		t.Errorf("report %+v, want %+v", got, want)
	}
	ann := f.read(t, "ann@example.com")
	if ann.Status != "complained" || ann.Reason != "feedback" || ann.Name != "Ann" {
		t.Errorf("ann stored as %+v, want complained for feedback, name untouched", ann)
	}
}

// TestImportRacingSuppressions: an import and many suppressions of the
// same readers at once, with no ordering between them. Every suppressed
// reader ends suppressed; and the readers the import reached first (new
// name) are exactly those it counts as updated, the others exactly those
// it counts as kept suppressed.
func TestImportRacingSuppressions(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	const readers = 60
	var before, rows []digest.Subscriber
	for i := range readers {
		email := fmt.Sprintf("reader%02d@example.com", i)
		before = append(before, digest.Subscriber{Email: email, Name: "old", Status: digest.StatusActive})
		rows = append(rows, digest.Subscriber{Email: email, Name: "new", Status: digest.StatusActive})
	}
	f.mustImport(t, before...)

	var wg sync.WaitGroup
	start := make(chan struct{})
	var report digest.ImportReport
	wg.Go(func() {
		<-start
		var err error
		if report, err = f.subs.Import(f.ctx, rows); err != nil {
			t.Errorf("Import: %v", err)
		}
	})
	for i := 0; i < readers; i += 2 {
		wg.Go(func() {
			<-start
			if err := f.subs.Suppress(f.ctx, rows[i].Email, digest.StatusBounced, "hard bounce", f.clock.Now()); err != nil {
				t.Errorf("Suppress: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()

	suppressedFirst := 0
	for i, row := range rows {
		got := f.read(t, row.Email)
		switch {
		case i%2 == 1 && (got.Status != "active" || got.Name != "new"):
			t.Errorf("%s: %+v, want active and renamed", row.Email, got)
		case i%2 == 0 && (got.Status != "bounced" || got.Reason != "hard bounce"):
			t.Errorf("%s: %+v, want bounced", row.Email, got)
		case i%2 == 0 && got.Name == "old":
			suppressedFirst++
		}
	}
	if report.KeptSuppressed != suppressedFirst || report.Updated != readers-suppressedFirst || report.Added+report.Unchanged != 0 {
		t.Errorf("report %+v; %d readers were suppressed before the import reached them", report, suppressedFirst)
	}
}

// returnsItemOnRefusal answers as DynamoDB does and dynalite does not: a
// refused write asked for ReturnValuesOnConditionCheckFailure ALL_OLD
// carries the item. It counts the adapter's own reads.
type returnsItemOnRefusal struct {
	SubscribersAPI
	reads atomic.Int32
}

func (r *returnsItemOnRefusal) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := r.SubscribersAPI.UpdateItem(ctx, in, opts...)
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) && in.ReturnValuesOnConditionCheckFailure == types.ReturnValuesOnConditionCheckFailureAllOld {
		item, getErr := r.SubscribersAPI.GetItem(ctx, &dynamodb.GetItemInput{TableName: in.TableName, Key: in.Key, ConsistentRead: aws.Bool(true)})
		if getErr != nil {
			return nil, getErr
		}
		failed.Item = item.Item
	}
	return out, err
}

func (r *returnsItemOnRefusal) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.reads.Add(1)
	return r.SubscribersAPI.GetItem(ctx, in, opts...)
}

// TestImportUsesItemOfRefusal: with DynamoDB, a refused row is told apart
// (unchanged or kept suppressed) from the item the refusal carries,
// without a second request.
func TestImportUsesItemOfRefusal(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	rows := []digest.Subscriber{
		{Email: "ann@example.com", Status: digest.StatusActive},
		{Email: "bob@example.com", Status: digest.StatusActive},
	}
	f.mustImport(t, rows...)
	if err := f.subs.Suppress(f.ctx, "bob@example.com", digest.StatusUnsubscribed, "one-click", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	api := &returnsItemOnRefusal{SubscribersAPI: f.client}
	got, err := f.adapter(t, SubscribersConfig{}, api).Import(f.ctx, rows)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if want := (digest.ImportReport{Unchanged: 1, KeptSuppressed: 1}); got != want {
		t.Errorf("report %+v, want %+v", got, want)
	}
	if n := api.reads.Load(); n != 0 {
		t.Errorf("%d reads after the refusals, want none", n)
	}
}

// TestActive: the active readers, and only they, in batches of the size
// asked for (the last one smaller), each reader once, as imported.
func TestActive(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	var want []digest.Subscriber
	for i := range 7 {
		want = append(want, digest.Subscriber{
			Email:    fmt.Sprintf("Reader%d@Example.com", i),
			Name:     fmt.Sprintf("Reader %d", i),
			Status:   digest.StatusActive,
			Sections: []string{"business", "world"}[:i%3],
			Created:  march.Add(time.Duration(i) * 24 * time.Hour),
		})
	}
	f.mustImport(t, want...)
	f.mustImport(t, digest.Subscriber{Email: "gone@example.com", Status: digest.StatusUnsubscribed})
	f.mustImport(t, digest.Subscriber{Email: "bounced@example.com", Status: digest.StatusActive})
	if err := f.subs.Suppress(f.ctx, "bounced@example.com", digest.StatusBounced, "mailbox full", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if len(want[i].Sections) == 0 {
			want[i].Sections = nil
		}
	}

	for _, tc := range []struct {
		name  string
		batch int
		sizes []int
	}{
		{"batches of one", 1, []int{1, 1, 1, 1, 1, 1, 1}},
		{"batches of three", 3, []int{3, 3, 1}},
		{"one exact batch", 7, []int{7}},
		{"one batch larger than the list", 10, []int{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []digest.Subscriber
			var sizes []int
			err := f.subs.Active(f.ctx, tc.batch, func(subs []digest.Subscriber) error {
				sizes = append(sizes, len(subs))
				got = append(got, subs...)
				return nil
			})
			if err != nil {
				t.Fatalf("Active: %v", err)
			}
			if !slices.Equal(sizes, tc.sizes) {
				t.Errorf("batch sizes %v, want %v", sizes, tc.sizes)
			}
			slices.SortFunc(got, func(a, b digest.Subscriber) int { return strings.Compare(a.Email, b.Email) })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	t.Run("an error from each stops the scan", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := f.subs.Active(f.ctx, 2, func([]digest.Subscriber) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("error %v after %d calls, want stop after 1", err, calls)
		}
	})
	t.Run("a batch below one is refused", func(t *testing.T) {
		if err := f.subs.Active(f.ctx, 0, func([]digest.Subscriber) error { return nil }); err == nil {
			t.Error("no error")
		}
	})
}

// countingScans counts the Scan requests, one per page.
type countingScans struct {
	SubscribersAPI
	scans atomic.Int32
}

func (c *countingScans) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	c.scans.Add(1)
	return c.SubscribersAPI.Scan(ctx, in, opts...)
}

// TestActivePages: a table larger than a scan page (1 MB) is read to its
// end, and batches run across the pages' edges.
func TestActivePages(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	padding := strings.Repeat("x", 100<<10)
	const readers = 12
	for i := range readers {
		_, err := f.client.PutItem(f.ctx, &dynamodb.PutItemInput{
			TableName: aws.String(f.table),
			Item: map[string]types.AttributeValue{
				"email":   str(fmt.Sprintf("reader%02d@example.com", i)),
				"address": str(fmt.Sprintf("reader%02d@example.com", i)),
				"status":  str("active"),
				"notes":   str(padding),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	api := &countingScans{SubscribersAPI: f.client}
	var sizes []int
	seen := map[string]bool{}
	err := f.adapter(t, SubscribersConfig{}, api).Active(f.ctx, 5, func(subs []digest.Subscriber) error {
		sizes = append(sizes, len(subs))
		for _, s := range subs {
			seen[s.Email] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Active: %v", err)
	}
	if len(seen) != readers || !slices.Equal(sizes, []int{5, 5, 2}) {
		t.Errorf("%d readers in batches %v, want %d in [5 5 2]", len(seen), sizes, readers)
	}
	if n := api.scans.Load(); n < 2 {
		t.Errorf("%d scan pages, want the table to span several", n)
	}
}

// TestActiveReadsHandEditedItem: an item edited by hand, without the
// address as given and with a created time that is not one, still yields
// its reader: the key is the address.
func TestActiveReadsHandEditedItem(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	_, err := f.client.PutItem(f.ctx, &dynamodb.PutItemInput{
		TableName: aws.String(f.table),
		Item: map[string]types.AttributeValue{
			"email":   str("ann@example.com"),
			"status":  str("active"),
			"created": str("last Tuesday"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []digest.Subscriber
	if err := f.subs.Active(f.ctx, 10, func(subs []digest.Subscriber) error {
		got = append(got, subs...)
		return nil
	}); err != nil {
		t.Fatalf("Active: %v", err)
	}
	want := []digest.Subscriber{{Email: "ann@example.com", Status: digest.StatusActive}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestSuppress: a known reader takes the status, reason and time and keeps
// everything else; again is the same; an unknown address or a status that
// does not suppress is refused and writes nothing.
func TestSuppress(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	bounce := "2026-11-26T06:01:00Z"
	for _, tc := range []struct {
		name    string
		email   string
		status  digest.Status
		times   int
		wantErr error // nil: any error if wantAny
		wantAny bool
		want    *stored // ann afterwards
	}{{
		name: "unsubscribe", email: "ann@example.com", status: digest.StatusUnsubscribed, times: 1,
		want: &stored{Address: "ann@example.com", Name: "Ann", Status: "unsubscribed", Reason: "why", Sections: []string{"world"}, Created: t0, Updated: "2026-11-26T09:30:00Z", SoftBounces: []string{bounce}},
	}, {
		name: "twice is once", email: "ann@example.com", status: digest.StatusComplained, times: 2,
		want: &stored{Address: "ann@example.com", Name: "Ann", Status: "complained", Reason: "why", Sections: []string{"world"}, Created: t0, Updated: "2026-11-26T09:30:00Z", SoftBounces: []string{bounce}},
	}, {
		name: "the address in other case", email: " ANN@example.com", status: digest.StatusBounced, times: 1,
		want: &stored{Address: "ann@example.com", Name: "Ann", Status: "bounced", Reason: "why", Sections: []string{"world"}, Created: t0, Updated: "2026-11-26T09:30:00Z", SoftBounces: []string{bounce}},
	}, {
		name: "an unknown address", email: "zed@example.com", status: digest.StatusBounced, times: 1, wantErr: digest.ErrUnknownSubscriber,
		want: &stored{Address: "ann@example.com", Name: "Ann", Status: "active", Sections: []string{"world"}, Created: t0, Updated: t0, SoftBounces: []string{bounce}},
	}, {
		name: "active does not suppress", email: "ann@example.com", status: digest.StatusActive, times: 1, wantAny: true,
		want: &stored{Address: "ann@example.com", Name: "Ann", Status: "active", Sections: []string{"world"}, Created: t0, Updated: t0, SoftBounces: []string{bounce}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newSubscriberFixture(t, SubscribersConfig{})
			f.mustImport(t, digest.Subscriber{Email: "ann@example.com", Name: "Ann", Status: digest.StatusActive, Sections: []string{"world"}})
			if _, err := f.subs.TransientBounce(f.ctx, "ann@example.com", f.clock.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			var err error
			for range tc.times {
				err = f.subs.Suppress(f.ctx, tc.email, tc.status, "why", at)
			}
			switch {
			case tc.wantAny && err == nil:
				t.Errorf("no error")
			case !tc.wantAny && !errors.Is(err, tc.wantErr):
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if got := f.read(t, "ann@example.com"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ann stored as\n%+v, want\n%+v", got, tc.want)
			}
			if key := digest.EmailKey(tc.email); key != "ann@example.com" && f.read(t, key) != nil {
				t.Errorf("an item was made for %s", tc.email)
			}
		})
	}
}

// TestTransientBounce: each soft bounce is appended and the whole list
// returned; an unknown address is refused and gets no item.
func TestTransientBounce(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	f.mustImport(t, digest.Subscriber{Email: "ann@example.com", Status: digest.StatusActive})
	first := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	second := first.Add(90 * time.Minute).Add(123 * time.Millisecond)
	third := time.Date(2026, 11, 27, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, step := range []struct {
		name    string
		email   string
		at      time.Time
		want    []time.Time
		wantErr error
	}{
		{"the first starts the list", "ann@example.com", first, []time.Time{first}, nil},
		{"the next is appended, to the millisecond", "Ann@Example.com", second, []time.Time{first, second}, nil},
		{"a time in any zone", "ann@example.com", third, []time.Time{first, second, third}, nil},
		{"an unknown address", "zed@example.com", first, nil, digest.ErrUnknownSubscriber},
	} {
		t.Run(step.name, func(t *testing.T) {
			got, err := f.subs.TransientBounce(f.ctx, step.email, step.at)
			if !errors.Is(err, step.wantErr) {
				t.Fatalf("error %v, want %v", err, step.wantErr)
			}
			if !slices.EqualFunc(got, step.want, time.Time.Equal) {
				t.Errorf("got %v, want %v", got, step.want)
			}
		})
	}
	if f.read(t, "zed@example.com") != nil {
		t.Error("an item was made for the unknown address")
	}
}

// TestSuppressAndBouncesAtOnce: soft bounces and suppressions of one
// reader, all at once. No update is lost: every bounce is on record,
// each saw a list one longer than some other did (the appends took
// turns), and the status is a suppression's.
func TestSuppressAndBouncesAtOnce(t *testing.T) {
	t.Parallel()
	f := newSubscriberFixture(t, SubscribersConfig{})
	f.mustImport(t, digest.Subscriber{Email: "ann@example.com", Name: "Ann", Status: digest.StatusActive, Sections: []string{"world"}})
	const bounces, suppressions = 40, 10
	base := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	lengths := make([]int, bounces)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range bounces {
		wg.Go(func() {
			<-start
			at := base.Add(time.Duration(i) * time.Second)
			got, err := f.subs.TransientBounce(f.ctx, "ann@example.com", at)
			if err != nil {
				t.Errorf("TransientBounce: %v", err)
				return
			}
			if !slices.ContainsFunc(got, at.Equal) {
				t.Errorf("bounce %d: its own time missing from %v", i, got)
			}
			lengths[i] = len(got)
		})
	}
	for i := range suppressions {
		wg.Go(func() {
			<-start
			if err := f.subs.Suppress(f.ctx, "ann@example.com", digest.StatusBounced, fmt.Sprintf("reason %d", i), base); err != nil {
				t.Errorf("Suppress: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()

	slices.Sort(lengths)
	for i, n := range lengths {
		if n != i+1 {
			t.Fatalf("list lengths seen %v, want 1 to %d once each", lengths, bounces)
		}
	}
	got := f.read(t, "ann@example.com")
	var want []string
	for i := range bounces {
		want = append(want, formatTime(base.Add(time.Duration(i)*time.Second)))
	}
	recorded := slices.Sorted(slices.Values(got.SoftBounces))
	if !slices.Equal(recorded, want) {
		t.Errorf("soft bounces on record %v, want all %d", got.SoftBounces, bounces)
	}
	if got.Status != "bounced" || !strings.HasPrefix(got.Reason, "reason ") || got.Name != "Ann" || !slices.Equal(got.Sections, []string{"world"}) {
		t.Errorf("stored as %+v, want bounced by one of the suppressions, name and sections kept", got)
	}
}

// TestNewSubscribers: a configuration that cannot work is refused.
func TestNewSubscribers(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SubscribersConfig
	}{
		{"no table", SubscribersConfig{}},
		{"negative concurrency", SubscribersConfig{Table: "subscribers", Concurrency: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewSubscribers(tc.cfg, nil, nil); err == nil {
				t.Error("no error")
			}
		})
	}
}
