package dynamodb

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/newsdigest/newsdigest/internal/dynalite"
)

// server is the package's one dynalite, set by TestMain before any test
// runs; each test makes its own tables on it.
var server *dynalite.Server

func TestMain(m *testing.M) {
	s, err := dynalite.Launch()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server = s
	code := m.Run()
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// testTimeout bounds each test's calls, so that a hung server fails the
// test instead of stalling the run.
const testTimeout = 30 * time.Second

// tableSeq numbers the tables, so that every test has its own.
var tableSeq atomic.Int64

// newTables creates a fresh subscriber table and ledger for one test and
// returns a client and their names.
func newTables(t *testing.T) (ctx context.Context, client *dynamodb.Client, subscribers, ledger string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	client = server.Client(t)
	n := tableSeq.Add(1)
	subscribers, ledger = fmt.Sprintf("subscribers-%d", n), fmt.Sprintf("ledger-%d", n)
	if err := CreateTables(ctx, client, subscribers, ledger); err != nil {
		t.Fatalf("CreateTables: %v", err)
	}
	return ctx, client, subscribers, ledger
}

// testLog shows the adapters' log lines with the test's output.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// clock is a settable time for the adapters' Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// getItem reads an item as it is stored, or nil.
func getItem(t *testing.T, ctx context.Context, client *dynamodb.Client, table, keyAttr, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{keyAttr: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem %s from %s: %v", key, table, err)
	}
	return out.Item
}

// TestCreateTables: both tables exist with the key the adapters use, are
// billed on demand, and a second call (a local stack's next start) finds
// them and succeeds.
func TestCreateTables(t *testing.T) {
	t.Parallel()
	ctx, client, subscribers, ledger := newTables(t)
	if err := CreateTables(ctx, client, subscribers, ledger); err != nil {
		t.Fatalf("CreateTables again: %v", err)
	}
	for _, tc := range []struct {
		name, table, key string
	}{
		{"subscribers keyed by email", subscribers, "email"},
		{"ledger keyed by pk", ledger, "pk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tc.table)})
			if err != nil {
				t.Fatalf("DescribeTable: %v", err)
			}
			d := out.Table
			if d.TableStatus != types.TableStatusActive {
				t.Errorf("status %s, want ACTIVE", d.TableStatus)
			}
			if len(d.KeySchema) != 1 || aws.ToString(d.KeySchema[0].AttributeName) != tc.key || d.KeySchema[0].KeyType != types.KeyTypeHash {
				t.Errorf("key schema %+v, want %s HASH alone", d.KeySchema, tc.key)
			}
			if len(d.AttributeDefinitions) != 1 || d.AttributeDefinitions[0].AttributeType != types.ScalarAttributeTypeS {
				t.Errorf("attribute definitions %+v, want %s a string", d.AttributeDefinitions, tc.key)
			}
			if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
				t.Errorf("billing %+v, want PAY_PER_REQUEST", d.BillingModeSummary)
			}
		})
	}
}
