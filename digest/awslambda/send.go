package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/dynamodb"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
	"github.com/newsdigest/newsdigest/digest/ses"
)

// Send is the queue's worker: each message is a batch of readers for one
// edition, sent at this function's share of the SES rate, each reader at
// most once through the ledger.
type Send struct {
	bucket     digest.ArchiveStore
	deliverer  *digest.Deliverer
	archiveURL string
	// batchTime is how long one batch may take at this function's rate,
	// with room to spare: a batch is not started with less time left.
	batchTime time.Duration
	logger    *slog.Logger

	mu     sync.Mutex
	issues map[string]*hermes.Rendered
}

// NewSend wires the function to SES, the ledger and the bucket, and reads
// the unsubscribe key.
func NewSend(ctx context.Context, cfg SendConfig, c Clients, logger *slog.Logger) (*Send, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("FROM_ADDRESS %q: %w", cfg.From, err)
	}
	tokens, err := unsubscribeTokens(ctx, c.SSM, cfg.KeyParameter)
	if err != nil {
		return nil, err
	}
	ledger, err := dynamodb.NewLedger(dynamodb.LedgerConfig{Table: cfg.LedgerTable}, c.DynamoDB, logger)
	if err != nil {
		return nil, err
	}
	sender, err := ses.New(ses.Config{ConfigurationSet: cfg.ConfigurationSet}, c.SES, logger)
	if err != nil {
		return nil, err
	}
	// Every send function that may run at once takes an equal share of
	// the account's rate, so that together they stay under it without
	// being throttled; with one batch an invocation, every function has a
	// batch until the last few, so the whole rate is used (the load
	// harness measured it; letting each function speed up towards the
	// whole rate measured worse: a throttling storm). A rate configured
	// above the account's own (a sandbox allows one a second) would only
	// be throttled: the account's wins.
	accountRate := cfg.SESRate
	if maxRate, _, _, err := sender.Account(ctx); err != nil {
		logger.WarnContext(ctx, "could not read the SES account's rate; using the configured one", "rate", cfg.SESRate, "error", err)
	} else if maxRate > 0 && maxRate < cfg.SESRate {
		logger.WarnContext(ctx, "SES_MAX_SEND_RATE is above the account's; using the account's", "configured", cfg.SESRate, "account", maxRate)
		accountRate = maxRate
	}
	rate := accountRate / float64(cfg.Concurrency)
	d, err := digest.NewDeliverer(digest.DeliveryConfig{
		From:           digest.Address{Name: from.Name, Email: from.Address},
		ListID:         cfg.ListID,
		ListName:       cfg.ProductName,
		UnsubscribeURL: cfg.UnsubscribeURL,
		Rate:           rate,
		// Sends a few milliseconds apart want a throttled one back soon;
		// the pace itself slows down with each throttling answer.
		Backoff:     100 * time.Millisecond,
		Concurrency: max(2, min(16, int(accountRate/4)+1)),
		// Lambda ends the function at its deadline: a batch that runs
		// long (SES throttling hard) stops before, with its sends in
		// flight recorded and the rest's claims released, and is
		// reported back, rather than being ended holding claims.
		StopBefore: stopBefore,
	}, sender, ledger, tokens, logger)
	if err != nil {
		return nil, err
	}
	return &Send{
		bucket:     digests3.New(c.S3, cfg.Bucket, ""),
		deliverer:  d,
		archiveURL: cfg.ArchiveURL,
		batchTime:  time.Duration(float64(digest.MaxBatchReaders)/rate*float64(time.Second)) + 20*time.Second,
		logger:     logger,
		issues:     map[string]*hermes.Rendered{},
	}, nil
}

// Handle sends each batch of the event and reports the ones to deliver
// again: those with readers left for a later try (throttled too long,
// held by another invocation, or not started before the deadline). The
// ledger makes the second delivery skip everyone already sent. A batch
// that can never be sent (a malformed message) is reported too, so that
// after the queue's tries it rests in the dead-letter queue, where an
// alarm fires, instead of vanishing.
func (h *Send) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < h.batchTime {
			h.logger.WarnContext(ctx, "batch left for the next delivery: too little time left", "message_id", rec.MessageId)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		if err := h.sendBatch(ctx, rec); err != nil {
			h.logger.WarnContext(ctx, "batch left for the next delivery", "message_id", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// stopBefore is how long before the function's deadline a batch stops:
// time for the sends in flight to finish and for the ledger's writes,
// retries included.
const stopBefore = 10 * time.Second

// errRetry marks a batch with readers left for another delivery.
var errRetry = errors.New("readers left for another delivery")

func (h *Send) sendBatch(ctx context.Context, rec events.SQSMessage) error {
	var b digest.Batch
	if err := json.Unmarshal([]byte(rec.Body), &b); err != nil {
		return fmt.Errorf("message %s is not a batch: %w", rec.MessageId, err)
	}
	day, err := digest.ParseDate(b.Edition)
	if err != nil {
		return fmt.Errorf("message %s: edition: %w", rec.MessageId, err)
	}
	if len(b.Readers) > digest.MaxBatchReaders {
		return fmt.Errorf("message %s: %d readers, more than %d", rec.MessageId, len(b.Readers), digest.MaxBatchReaders)
	}
	rendered, err := h.issue(ctx, day)
	if err != nil {
		return err
	}
	issue := digest.Issue{Edition: b.Edition, Copy: rendered, ViewURL: digest.ArchiveURL(h.archiveURL, day)}
	report, err := h.deliverer.Deliver(ctx, issue, b.Subscribers(), nil)
	h.logger.InfoContext(ctx, "batch sent", "edition", b.Edition, "seq", b.Seq, "message_id", rec.MessageId,
		"readers", report.Recipients, "sent", report.Sent, "already_sent", report.AlreadySent,
		"failed", len(report.Failed), "deferred", len(report.Deferred), "claimed_elsewhere", report.ClaimedElsewhere,
		"throttled", report.Throttled, "elapsed_ms", report.Elapsed.Milliseconds())
	for _, p := range report.Failed {
		h.logger.WarnContext(ctx, "not sent, for good", "edition", b.Edition, "email", p.Email, "reason", p.Reason)
	}
	for _, p := range report.Unrecorded {
		h.logger.ErrorContext(ctx, "sent, but the ledger did not record it", "edition", b.Edition, "email", p.Email, "reason", p.Reason)
	}
	if err != nil {
		return err
	}
	if n := len(report.Deferred) + report.ClaimedElsewhere; n > 0 {
		return fmt.Errorf("batch %d of %s: %d %w", b.Seq, b.Edition, n, errRetry)
	}
	return nil
}

// issue is the day's rendered email, read once per edition and kept for
// the invocations that follow.
func (h *Send) issue(ctx context.Context, day digest.Date) (*hermes.Rendered, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.issues[day.String()]; ok {
		return r, nil
	}
	issue, err := readIssue(ctx, h.bucket, day)
	if err != nil {
		return nil, err
	}
	r := issue.Email
	// A warm function keeps only the latest few editions.
	if len(h.issues) >= 3 {
		clear(h.issues)
	}
	h.issues[day.String()] = r
	return r, nil
}
