package dynalite

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestStart: the server answers the DynamoDB API on loopback through the
// client Client builds (a table made is a table listed).
func TestStart(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("Endpoint = %q, want loopback", s.Endpoint)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	client := s.Client(t)
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("probe"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	out, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if !slices.Equal(out.TableNames, []string{"probe"}) {
		t.Errorf("tables = %q, want [probe]", out.TableNames)
	}
}

// TestCloseStops: after Close nothing listens on the port any more, so no
// server outlives the tests.
func TestCloseStops(t *testing.T) {
	s, err := Launch()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	probe := &http.Client{Timeout: time.Second}
	if resp, err := probe.Get(s.Endpoint + "/"); err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s answered %s after Close", s.Endpoint, resp.Status)
	}
}

// TestLaunchOnAddressInUse: an address already taken is an error at once,
// not a server that seems ready because another one answers there.
func TestLaunchOnAddressInUse(t *testing.T) {
	s := Start(t)
	addr := strings.TrimPrefix(s.Endpoint, "http://")
	if other, err := LaunchOn(addr); err == nil {
		other.Close()
		t.Fatalf("LaunchOn(%s) started a second server on a taken address", addr)
	} else if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not name the address %s", err, addr)
	}
}
