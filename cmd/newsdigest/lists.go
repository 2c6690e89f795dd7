package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/csv"
	"github.com/newsdigest/newsdigest/digest/dynamodb"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/ses"
)

// subscriberStore is what the command line does with a list: read it,
// import into it.
type subscriberStore interface {
	digest.SubscriberLists
	digest.SubscriberImporter
}

// openSubscribers opens a list: dynamodb://TABLE, s3://bucket/key (a file
// read once), or a local CSV file (the embedded default, a store that can
// also be imported into). A .jsonl file is read once.
func openSubscribers(ctx context.Context, src string, logger *slog.Logger) (digest.SubscriberLists, error) {
	if table, ok := strings.CutPrefix(src, "dynamodb://"); ok {
		return openDynamoSubscribers(ctx, table, logger)
	}
	if strings.HasPrefix(src, "s3://") || strings.HasSuffix(src, ".jsonl") {
		subs, bad, err := readSubscriberFile(ctx, src)
		if err != nil {
			return nil, err
		}
		for _, b := range bad {
			logger.Warn("subscriber row passed over", "file", src, "line", b.Line, "error", b.Error)
		}
		return fixedList(subs), nil
	}
	return csv.New(src, nil, logger), nil
}

// openImportTarget opens where an import writes: a DynamoDB table or a
// local CSV store.
func openImportTarget(ctx context.Context, dest string, logger *slog.Logger) (subscriberStore, error) {
	if table, ok := strings.CutPrefix(dest, "dynamodb://"); ok {
		return openDynamoSubscribers(ctx, table, logger)
	}
	if strings.HasPrefix(dest, "s3://") {
		return nil, fmt.Errorf("%w: --into %q: import into a CSV file or dynamodb://TABLE", errUsage, dest)
	}
	return csv.New(dest, nil, logger), nil
}

func openDynamoSubscribers(ctx context.Context, table string, logger *slog.Logger) (*dynamodb.Subscribers, error) {
	client, err := dynamoClient(ctx)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: table}, client, logger)
}

// readSubscriberFile reads a list file, local or s3://bucket/key; the
// format follows the name: .jsonl is JSON Lines, anything else CSV.
func readSubscriberFile(ctx context.Context, src string) ([]digest.Subscriber, []digest.RowError, error) {
	var data []byte
	if bucket, key, ok := parseS3(src); ok {
		store, err := newS3Store(ctx, bucket, "")
		if err != nil {
			return nil, nil, err
		}
		obj, err := store.Open(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		defer obj.Body.Close()
		if data, err = io.ReadAll(obj.Body); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", src, err)
		}
	} else {
		var err error
		if data, err = os.ReadFile(src); err != nil {
			return nil, nil, err
		}
	}
	return digest.ParseSubscribers(bytes.NewReader(data), strings.HasSuffix(src, ".jsonl"))
}

// fixedList is a list read once, for sending.
type fixedList []digest.Subscriber

func (l fixedList) Active(ctx context.Context, batch int, each func([]digest.Subscriber) error) error {
	var out []digest.Subscriber
	for _, s := range l {
		if s.Status != digest.StatusActive {
			continue
		}
		if out = append(out, s); len(out) == batch {
			if err := each(out); err != nil {
				return err
			}
			out = nil
		}
	}
	if len(out) > 0 {
		return each(out)
	}
	return ctx.Err()
}

// openLedger opens the send ledger: dynamodb://TABLE or a folder.
func openLedger(ctx context.Context, dest string) (digest.Ledger, error) {
	if table, ok := strings.CutPrefix(dest, "dynamodb://"); ok {
		client, err := dynamoClient(ctx)
		if err != nil {
			return nil, err
		}
		return dynamodb.NewLedger(dynamodb.LedgerConfig{Table: table}, client, slog.Default())
	}
	return digestfs.NewLedger(dest, nil)
}

// openSES opens the SES sender; without a --rate, the account's sending
// rate and what is left of its daily quota bound the run.
func openSES(ctx context.Context, dc *digest.DeliveryConfig, logger *slog.Logger) (digest.Sender, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	// The delivery retries throttled sends itself and must see each one.
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} })
	sender, err := ses.New(ses.Config{ConfigurationSet: os.Getenv("NEWSDIGEST_SES_CONFIGURATION_SET")}, client, logger)
	if err != nil {
		return nil, err
	}
	if dc.Rate == 0 {
		rate, max24, sent24, err := sender.Account(ctx)
		if err != nil {
			return nil, fmt.Errorf("ses account limits (or give --rate): %w", err)
		}
		dc.Rate = rate
		if left := int(max24 - sent24); max24 > 0 {
			if left <= 0 {
				return nil, fmt.Errorf("the SES daily quota of %.0f is spent", max24)
			}
			dc.MaxSends = left
		}
	}
	return sender, nil
}

func dynamoClient(ctx context.Context) (*awsdynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	return awsdynamodb.NewFromConfig(cfg), nil
}
