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
	bucket     issueStore
	dispatcher *digest.Dispatcher
	now        func() time.Time
	logger     *slog.Logger
}

// NewDigest wires the function to its bucket, tables and queue.
func NewDigest(cfg DigestConfig, c Clients, logger *slog.Logger) (*Digest, error) {
	ed, err := newEditions(cfg.EditionConfig, true, c.S3, logger)
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
	Stored  bool `json:"stored"`
	Stories int  `json:"stories,omitempty"`
	// SkippedFiles counts the day's files passed over; Skipped lists the
	// first maxSkippedInResult of them. Every one is logged and kept in
	// the edition; the answer stays short so that no day, however many
	// files it passes over, takes it past Lambda's 6 MB response limit.
	SkippedFiles int                   `json:"skipped_files,omitempty"`
	Skipped      []digest.Skipped      `json:"skipped,omitempty"`
	Dispatch     digest.DispatchReport `json:"dispatch"`
}

const maxSkippedInResult = 20

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

// issue is the day's issue: the one kept by an earlier or a concurrent
// run, or a new build. Of two runs building a day at once, the first to
// keep its issue wins and both go on with it. The archive is published
// from the kept issue when this run kept it, or when it is missing (a run
// that died between keeping and publishing), so that it always shows what
// the readers get.
func (h *Digest) issue(ctx context.Context, day digest.Date, res *DigestResult) (*hermes.Rendered, error) {
	kept, err := readIssue(ctx, h.bucket, day)
	switch {
	case err == nil:
		res.Stored = true
	case !errors.Is(err, digest.ErrNotFound):
		return nil, err
	default:
		if kept, err = h.build(ctx, day, res); err != nil {
			return nil, err
		}
	}
	if !res.Stored || !h.archived(ctx, day) {
		page, err := h.editions.webCopy(kept.Email, day)
		if err != nil {
			return nil, err
		}
		if err := digest.Publish(ctx, h.bucket, kept.Edition, []byte(page.HTML)); err != nil {
			return nil, err
		}
	}
	return kept.Email, nil
}

// build builds and renders the day and keeps it as the day's issue,
// unless another run kept one first: then that one is the day's.
func (h *Digest) build(ctx context.Context, day digest.Date, res *DigestResult) (storedIssue, error) {
	e, err := h.editions.build(ctx, day)
	if err != nil {
		return storedIssue{}, err
	}
	res.Stories, res.SkippedFiles = len(e.Stories), len(e.Skipped)
	res.Skipped = e.Skipped[:min(len(e.Skipped), maxSkippedInResult)]
	for _, s := range e.Skipped {
		h.logger.WarnContext(ctx, "file passed over", "date", res.Date, "key", s.Key, "error", s.Error)
	}
	rendered, err := h.editions.renderer.Render(e)
	if err != nil {
		return storedIssue{}, err
	}
	issue := storedIssue{Edition: e, Email: rendered}
	data, err := json.Marshal(issue)
	if err != nil {
		return storedIssue{}, err
	}
	wrote, err := h.bucket.PutIfAbsent(ctx, issueKey(day), data, "application/json")
	if err != nil || wrote {
		return issue, err
	}
	h.logger.InfoContext(ctx, "another run kept the day's issue first; going on with it", "date", res.Date)
	res.Stored = true
	return readIssue(ctx, h.bucket, day)
}

// archived says whether the day's edition is in the archive.
func (h *Digest) archived(ctx context.Context, day digest.Date) bool {
	obj, err := h.bucket.Open(ctx, digest.ArchiveEditionKey(day))
	if err != nil {
		return false
	}
	obj.Body.Close()
	return true
}
