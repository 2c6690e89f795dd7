package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/dynamodb"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
	digestsqs "github.com/newsdigest/newsdigest/digest/sqs"
)

// Digest is the scheduled function: it builds the day's edition, publishes
// it to the archive, keeps its rendered email for the send functions and
// queues the list.
type Digest struct {
	editions   *editions
	bucket     digest.ArchiveStore
	dispatcher *digest.Dispatcher
	now        func() time.Time
	logger     *slog.Logger
}

// NewDigest wires the function to its bucket, tables and queue.
func NewDigest(cfg DigestConfig, c Clients, logger *slog.Logger) (*Digest, error) {
	ed, err := newEditions(editionSettings{Bucket: cfg.Bucket, TimeZone: cfg.TimeZone, MaxStories: cfg.MaxStories,
		ProductName: cfg.ProductName, SiteURL: cfg.SiteURL, PostalAddress: cfg.PostalAddress, ArchiveURL: cfg.ArchiveURL}, true, c.S3, logger)
	if err != nil {
		return nil, err
	}
	list, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: cfg.SubscribersTable}, c.DynamoDB, logger)
	if err != nil {
		return nil, err
	}
	ledger, err := dynamodb.NewLedger(dynamodb.LedgerConfig{Table: cfg.LedgerTable}, c.DynamoDB, logger)
	if err != nil {
		return nil, err
	}
	queue := digestsqs.New(c.SQS, cfg.QueueURL, logger)
	return &Digest{
		editions:   ed,
		bucket:     digests3.New(c.S3, cfg.Bucket, ""),
		dispatcher: digest.NewDispatcher(list, queue, ledger, 15*time.Minute),
		now:        time.Now,
		logger:     logger,
	}, nil
}

// RunRequest is the schedule event's detail: empty on the daily run; an
// operator re-running a day names it, and forces a second dispatch.
type RunRequest struct {
	Date  string `json:"date,omitempty"`
	Force bool   `json:"force,omitempty"`
}

// DigestResult says what a run did.
type DigestResult struct {
	Date    string `json:"date"`
	Status  string `json:"status"`
	Subject string `json:"subject"`
	// Stored says the day's email was already built and kept by an
	// earlier run, and reused so that every reader gets the same edition.
	Stored   bool                  `json:"stored"`
	Stories  int                   `json:"stories,omitempty"`
	Skipped  []digest.Skipped      `json:"skipped,omitempty"`
	Dispatch digest.DispatchReport `json:"dispatch"`
}

// The statuses of a run.
const (
	StatusDispatched        = "dispatched"
	StatusAlreadyDispatched = "already dispatched"
)

// Handle runs the day. The day is the schedule's time in the newsletter's
// time zone, so that a late retry still builds the day it was meant for.
func (h *Digest) Handle(ctx context.Context, ev events.EventBridgeEvent) (DigestResult, error) {
	var req RunRequest
	if len(ev.Detail) > 0 {
		if err := json.Unmarshal(ev.Detail, &req); err != nil {
			return DigestResult{}, fmt.Errorf("event detail: %w", err)
		}
	}
	when := ev.Time
	if when.IsZero() {
		when = h.now()
	}
	day := h.editions.today(when)
	if req.Date != "" {
		d, err := digest.ParseDate(req.Date)
		if err != nil {
			return DigestResult{}, fmt.Errorf("event detail: %w", err)
		}
		day = d
	}

	res := DigestResult{Date: day.String()}
	rendered, err := h.issue(ctx, day, &res)
	if err != nil {
		return res, err
	}
	res.Subject = rendered.Subject
	res.Dispatch, err = h.dispatcher.Dispatch(ctx, day.String(), req.Force)
	if errors.Is(err, digest.ErrAlreadyDispatched) {
		res.Status = StatusAlreadyDispatched
		h.logger.InfoContext(ctx, "the day's edition is dispatched already; nothing to do", "date", res.Date)
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Status = StatusDispatched
	h.logger.InfoContext(ctx, "edition dispatched", "date", res.Date, "readers", res.Dispatch.Readers,
		"batches", res.Dispatch.Batches, "stored", res.Stored, "forced", req.Force)
	return res, nil
}

// issue is the day's rendered email: the one kept by an earlier run, or a
// new build, published to the archive and kept.
func (h *Digest) issue(ctx context.Context, day digest.Date, res *DigestResult) (*hermes.Rendered, error) {
	rendered, err := readIssue(ctx, h.bucket, day)
	switch {
	case err == nil:
		res.Stored = true
		return rendered, nil
	case !errors.Is(err, digest.ErrNotFound):
		return nil, err
	}

	e, err := h.editions.build(ctx, day)
	if err != nil {
		return nil, err
	}
	res.Stories, res.Skipped = len(e.Stories), e.Skipped
	for _, s := range e.Skipped {
		h.logger.WarnContext(ctx, "file passed over", "date", res.Date, "key", s.Key, "error", s.Error)
	}
	rendered, err = h.editions.renderer.Render(e)
	if err != nil {
		return nil, err
	}
	page, err := h.editions.webCopy(rendered, day)
	if err != nil {
		return nil, err
	}
	if err := digest.Publish(ctx, h.bucket, e, []byte(page.HTML)); err != nil {
		return nil, err
	}
	data, err := json.Marshal(rendered)
	if err != nil {
		return nil, err
	}
	// Kept last: its presence means the day is built and published.
	if err := h.bucket.Put(ctx, issueKey(day), data, "application/json"); err != nil {
		return nil, err
	}
	return rendered, nil
}
