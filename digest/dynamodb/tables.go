package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The tables' keys and the ledger's expiry attribute. template.yaml
// declares the same for the deployed tables.
const (
	subscriberKey = "email"      // digest.EmailKey of the address
	ledgerKey     = "pk"         // edition "#" digest.EmailKey of the address
	ledgerTTL     = "expires_at" // epoch seconds
)

// tableWait bounds how long CreateTables waits for a table to be usable.
const tableWait = 2 * time.Minute

// TablesAPI is the part of the DynamoDB client CreateTables uses.
type TablesAPI interface {
	dynamodb.DescribeTableAPIClient
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// CreateTables creates the subscriber table and the send ledger, billed on
// demand, with the ledger's records expiring by their expires_at, and waits
// until both can be used. A table that exists already is left as it is, so
// that a local stack can run it at every start. The deployed tables come
// from template.yaml instead.
func CreateTables(ctx context.Context, client TablesAPI, subscribersTable, ledgerTable string) error {
	for _, table := range []struct{ name, key string }{
		{subscribersTable, subscriberKey},
		{ledgerTable, ledgerKey},
	} {
		if err := createTable(ctx, client, table.name, table.key); err != nil {
			return err
		}
	}
	return enableExpiry(ctx, client, ledgerTable)
}

// enableExpiry turns on the ledger's expiry unless it is on already, which
// UpdateTimeToLive would refuse.
func enableExpiry(ctx context.Context, client TablesAPI, table string) error {
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		return fmt.Errorf("dynamodb describe expiry of %s: %w", table, err)
	}
	if d := ttl.TimeToLiveDescription; d != nil && (d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(ledgerTTL),
			Enabled:       aws.Bool(true),
		},
	})
	// dynalite, the local stand-in, does not implement UpdateTimeToLive;
	// its records then never expire, which a test run does not notice.
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "UnknownOperationException" {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("dynamodb enable expiry on %s: %w", table, err)
	}
	return nil
}

func createTable(ctx context.Context, client TablesAPI, name, key string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(key), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(key), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if inUse := new(types.ResourceInUseException); err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("dynamodb create table %s: %w", name, err)
	}
	// The SDK's default first delay, 20 s, suits AWS; a local server is
	// ready at once and AWS within seconds.
	waiter := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
		return fmt.Errorf("dynamodb wait for table %s: %w", name, err)
	}
	return nil
}
