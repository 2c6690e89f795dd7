package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// DeliveryConfig says how a run sends an edition.
type DeliveryConfig struct {
	From    Address
	ReplyTo *Address
	// ListID and ListName make the List-Id header; the list is also what
	// unsubscribe tokens are signed for.
	ListID, ListName string
	// UnsubscribeURL is the one-click unsubscribe endpoint
	// (https://…/unsubscribe); each reader's link adds their token.
	UnsubscribeURL string
	// UnsubscribeMailto is an optional mailto: alternative.
	UnsubscribeMailto string
	// Rate is the sending rate, in messages a second, that the run stays
	// under (the account's MaxSendRate); 0 means no limit.
	Rate float64
	// MaxSends is how many messages this run may send before the day's
	// quota is spent; 0 means no limit.
	MaxSends int
	// Concurrency is how many messages are in flight at once (default 4).
	Concurrency int
	// MaxAttempts bounds the tries of one message through throttling and
	// passing errors (default 8); it is then left for the next run.
	MaxAttempts int
	// Backoff is the first wait after a throttled or failed try (default
	// 250 ms); it doubles, up to 32 times, with jitter.
	Backoff time.Duration
	// Lease is how long a claim on a reader holds (default 15 minutes).
	Lease time.Duration
	// StopBefore, above 0, stops a run that long before its context's
	// deadline: it starts no send after that, lets the sends in flight
	// finish and records them, and releases the claims of the rest for
	// the next run. A Lambda function is ended at its deadline, before a
	// run stopped only then could do any of that.
	StopBefore time.Duration
	// DryRun builds every message (personalized, encoded) without claiming
	// or sending anything.
	DryRun bool
}

// Deliverer sends an edition to readers, each at most once.
type Deliverer struct {
	cfg    DeliveryConfig
	sender Sender
	ledger Ledger
	tokens *Tokens
	logger *slog.Logger
	// limiter is shared by the Deliverer's runs, so that a warm send
	// function keeps the pace it learned from one batch to the next.
	limiter *limiter
}

// NewDeliverer checks the configuration. A nil ledger sends without
// recording anything: only for test sends to an editor.
func NewDeliverer(cfg DeliveryConfig, sender Sender, ledger Ledger, tokens *Tokens, logger *slog.Logger) (*Deliverer, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 15 * time.Minute
	}
	probe := Mail{From: cfg.From, To: Address{Email: "probe@example.com"}, ReplyTo: cfg.ReplyTo, Subject: "probe",
		HTML: "probe", Text: "probe", ListID: cfg.ListID, ListName: cfg.ListName,
		ListUnsubscribeURL: cfg.UnsubscribeURL, ListUnsubscribeMailto: cfg.UnsubscribeMailto}
	if err := probe.Validate(); err != nil {
		return nil, fmt.Errorf("delivery config: %w", err)
	}
	if cfg.ListID == "" || cfg.UnsubscribeURL == "" {
		return nil, errors.New("delivery config: a list id and an unsubscribe URL are required")
	}
	if sender == nil || tokens == nil {
		return nil, errors.New("delivery config: a sender and unsubscribe tokens are required")
	}
	return &Deliverer{cfg: cfg, sender: sender, ledger: ledger, tokens: tokens, logger: logger,
		limiter: newLimiter(cfg.Rate)}, nil
}

// Issue is one edition to send: its id (the ledger's key), the rendered
// email to personalize, and its address in the web archive.
type Issue struct {
	Edition string
	Copy    Personalizer
	ViewURL string
}

// Report accounts for every reader a run was given.
type Report struct {
	Edition    string `json:"edition"`
	Recipients int    `json:"recipients"`
	Sent       int    `json:"sent"`
	// Built counts the messages a dry run built.
	Built       int `json:"built,omitempty"`
	AlreadySent int `json:"already_sent"`
	// ClaimedElsewhere: another run holds these readers right now.
	ClaimedElsewhere int `json:"claimed_elsewhere"`
	// Inactive readers were in the batch but not active.
	Inactive int `json:"inactive"`
	// Failed for good: the address or message was refused.
	Failed []Problem `json:"failed"`
	// Deferred: not sent by this run, sent by the next.
	Deferred []Problem `json:"deferred"`
	// Unrecorded: sent, but the ledger write failed after every retry — the
	// one window no ledger closes (see the README).
	Unrecorded []Problem `json:"unrecorded,omitempty"`
	Throttled  int       `json:"throttled"`
	// Stopped says why the run stopped before the end, if it did.
	Stopped string        `json:"stopped,omitempty"`
	Elapsed time.Duration `json:"elapsed"`
}

// Problem is a reader and what happened.
type Problem struct {
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

// Add folds another batch's report into r.
func (r *Report) Add(o Report) {
	if r.Edition == "" {
		r.Edition = o.Edition
	}
	r.Recipients += o.Recipients
	r.Sent += o.Sent
	r.Built += o.Built
	r.AlreadySent += o.AlreadySent
	r.ClaimedElsewhere += o.ClaimedElsewhere
	r.Inactive += o.Inactive
	r.Failed = append(r.Failed, o.Failed...)
	r.Deferred = append(r.Deferred, o.Deferred...)
	r.Unrecorded = append(r.Unrecorded, o.Unrecorded...)
	r.Throttled += o.Throttled
	r.Elapsed += o.Elapsed
	if r.Stopped == "" {
		r.Stopped = o.Stopped
	}
}

// Progress is how far a run has got, for a progress bar.
type Progress struct {
	Done, Total, Sent, Failed int
	Elapsed                   time.Duration
}

// senderDownAfter is how many readers in a row may fail to send, each after
// all its tries, before the run takes the sender to be down and stops.
const senderDownAfter = 3

// run is one Deliver call's shared state.
type run struct {
	d *Deliverer
	// parent is the caller's context: a message already handed to the
	// sender finishes under it even when the run stops, so that a stop
	// never abandons a send the service may have accepted.
	parent   context.Context
	issue    Issue
	limiter  *limiter
	mu       sync.Mutex
	report   Report
	sends    atomic.Int64 // sends reserved against MaxSends
	failing  atomic.Int64 // readers in a row that failed to send
	stop     context.CancelCauseFunc
	progress func(Progress)
	done     int
	start    time.Time
}

// ledgerTimeout bounds the ledger's writes about one reader after the
// send, retries included.
var ledgerTimeout = 30 * time.Second

// errQuota, errSenderDown and errOutOfTime stop a run.
var (
	errQuota      = errors.New("the day's sending quota is spent; the rest is left for the next run")
	errSenderDown = errors.New("the sender keeps failing; the rest is left for the next run")
	errOutOfTime  = errors.New("the run's time is nearly up; the rest is left for the next run")
)

// Deliver sends the issue to every active reader of the batch, each at most
// once across runs: a reader the ledger records as sent is skipped; a
// throttled send is retried with backoff; a refused one is recorded as
// failed; a run stopped by the quota, a failing sender, its context or
// StopBefore its context's deadline leaves the rest, unclaimed, for the
// next run. Only a ledger that cannot be reached at all is an error.
func (d *Deliverer) Deliver(ctx context.Context, issue Issue, readers []Subscriber, progress func(Progress)) (Report, error) {
	parent := ctx
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if deadline, ok := parent.Deadline(); ok && d.cfg.StopBefore > 0 {
		timer := time.AfterFunc(time.Until(deadline)-d.cfg.StopBefore, func() { stop(errOutOfTime) })
		defer timer.Stop()
	}
	r := &run{d: d, parent: parent, issue: issue, limiter: d.limiter, stop: stop, progress: progress, start: time.Now()}
	r.report.Edition = issue.Edition
	r.report.Recipients = len(readers)
	r.report.Failed, r.report.Deferred = []Problem{}, []Problem{}

	next := make(chan Subscriber)
	var wg sync.WaitGroup
	var ledgerErr error
	var ledgerOnce sync.Once
	for range min(d.cfg.Concurrency, max(1, len(readers))) {
		wg.Go(func() {
			for s := range next {
				if err := r.one(ctx, s); err != nil {
					ledgerOnce.Do(func() { ledgerErr = err })
					stop(err)
				}
			}
		})
	}
	handed := 0
feed:
	for _, s := range readers {
		select {
		case next <- s:
			handed++
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if handed < len(readers) {
		r.deferRest(readers[handed:], context.Cause(ctx))
	}
	r.report.Elapsed = time.Since(r.start)
	if ledgerErr != nil {
		return r.report, fmt.Errorf("deliver %s: %w", issue.Edition, ledgerErr)
	}
	return r.report, nil
}

// deferRest leaves the readers no worker took for the next run.
func (r *run) deferRest(rest []Subscriber, cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.report.Stopped == "" {
		r.report.Stopped = cause.Error()
	}
	for _, s := range rest {
		if s.Status == StatusActive || s.Status == "" {
			r.report.Deferred = append(r.report.Deferred, Problem{s.Email, "not tried: " + cause.Error()})
		}
	}
}

// one sends to one reader; its error is a ledger that cannot be used.
func (r *run) one(ctx context.Context, s Subscriber) error {
	defer r.tick()
	if s.Status != StatusActive && s.Status != "" {
		r.count(func(rep *Report) { rep.Inactive++ })
		return nil
	}
	d := r.d
	unsubscribe := d.tokens.UnsubscribeURL(d.cfg.UnsubscribeURL, d.cfg.ListID, s.Email)
	letter, err := r.issue.Copy.Personalize(Personal{Name: s.Name, UnsubscribeURL: unsubscribe, ViewURL: r.issue.ViewURL})
	if err != nil {
		r.fail(s, "personalize: "+err.Error())
		return nil
	}
	m := Mail{
		From: d.cfg.From, To: Address{Name: s.Name, Email: s.Email}, ReplyTo: d.cfg.ReplyTo,
		Subject: letter.Subject, HTML: letter.HTML, Text: letter.Text,
		ListID: d.cfg.ListID, ListName: d.cfg.ListName,
		ListUnsubscribeURL:    unsubscribe,
		ListUnsubscribeMailto: d.cfg.UnsubscribeMailto,
		MessageID:             NewMessageID(d.cfg.From.Email),
		Tags:                  map[string]string{"edition": r.issue.Edition},
	}
	if d.cfg.DryRun {
		if _, err := m.MIME(); err != nil {
			r.fail(s, err.Error())
			return nil
		}
		r.count(func(rep *Report) { rep.Built++ })
		return nil
	}

	var claim Claim
	if d.ledger != nil {
		if ctx.Err() != nil {
			r.deferOne(s, context.Cause(ctx))
			return nil
		}
		// The claim is taken whole even if the run stops meanwhile: a
		// write cancelled in flight may land all the same, and a claim the
		// run does not know it holds would keep the reader from every run
		// until its lease ran out. A run that stopped gives it back below.
		claimCtx, cancelClaim := context.WithTimeout(context.WithoutCancel(ctx), ledgerTimeout)
		claim, err = d.ledger.Claim(claimCtx, r.issue.Edition, s.Email, d.cfg.Lease)
		cancelClaim()
		switch {
		case errors.Is(err, ErrAlreadySent):
			r.count(func(rep *Report) { rep.AlreadySent++ })
			return nil
		case errors.Is(err, ErrAlreadyFailed):
			r.count(func(rep *Report) { rep.Failed = append(rep.Failed, Problem{s.Email, "failed in an earlier run"}) })
			return nil
		case errors.Is(err, ErrClaimed):
			r.count(func(rep *Report) { rep.ClaimedElsewhere++ })
			return nil
		case err != nil && ctx.Err() != nil:
			r.deferOne(s, context.Cause(ctx))
			return nil
		case err != nil:
			return fmt.Errorf("claim %s: %w", s.Email, err)
		}
	}

	var id string
	sendErr := context.Cause(ctx) // a run that stopped while the claim was taken sends nothing
	if sendErr == nil {
		id, sendErr = r.send(ctx, m)
	}
	// The ledger's writes get their own time, counted from the end of the
	// send however long it took (throttled, it may take many seconds), and
	// whether or not the run is stopping.
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), ledgerTimeout)
	defer cancel()
	switch {
	case sendErr == nil:
		r.failing.Store(0)
		r.count(func(rep *Report) { rep.Sent++ })
		if d.ledger != nil {
			if err := retry(cleanup, 5, d.cfg.Backoff, func() error { return d.ledger.MarkSent(cleanup, claim, id) }); err != nil {
				d.logger.Error("sent, but the ledger did not record it", "edition", r.issue.Edition, "email", s.Email, "message_id", id, "error", err)
				r.count(func(rep *Report) { rep.Unrecorded = append(rep.Unrecorded, Problem{s.Email, err.Error()}) })
			}
		}
	case errors.Is(sendErr, ErrRejected) || errors.Is(sendErr, ErrInvalidMail):
		r.failing.Store(0)
		r.fail(s, sendErr.Error())
		if d.ledger != nil {
			if err := retry(cleanup, 5, d.cfg.Backoff, func() error { return d.ledger.MarkFailed(cleanup, claim, sendErr.Error()) }); err != nil {
				d.logger.Warn("a refused send is not recorded; the next run will try it again", "email", s.Email, "error", err)
			}
		}
	default:
		r.deferOne(s, sendErr)
		if d.ledger != nil {
			if err := retry(cleanup, 5, d.cfg.Backoff, func() error { return d.ledger.Release(cleanup, claim) }); err != nil {
				d.logger.Warn("claim not released; it expires with its lease", "email", s.Email, "error", err)
			}
		}
	}
	return nil
}

// send tries one message until it is sent, refused, or out of tries,
// within the rate and the quota.
func (r *run) send(ctx context.Context, m Mail) (string, error) {
	d := r.d
	var err error
	for attempt := range d.cfg.MaxAttempts {
		if attempt > 0 {
			if serr := sleep(ctx, backoff(d.cfg.Backoff, attempt)); serr != nil {
				return "", context.Cause(ctx)
			}
		}
		if d.cfg.MaxSends > 0 && r.sends.Add(1) > int64(d.cfg.MaxSends) {
			r.sends.Add(-1)
			r.stop(errQuota)
			return "", errQuota
		}
		if err = r.limiter.wait(ctx); err != nil {
			r.sends.Add(-1)
			return "", context.Cause(ctx)
		}
		var id string
		id, err = d.sender.Send(r.parent, m)
		switch {
		case err == nil:
			r.limiter.eased()
			return id, nil
		case errors.Is(err, ErrThrottled):
			r.sends.Add(-1)
			r.limiter.throttled()
			r.count(func(rep *Report) { rep.Throttled++ })
		case errors.Is(err, ErrQuotaExhausted):
			r.sends.Add(-1)
			r.stop(errQuota)
			return "", errQuota
		case errors.Is(err, ErrRejected), errors.Is(err, ErrInvalidMail):
			r.sends.Add(-1)
			return "", err
		case ctx.Err() != nil:
			r.sends.Add(-1)
			return "", context.Cause(ctx)
		default:
			r.sends.Add(-1)
		}
	}
	if !errors.Is(err, ErrThrottled) && r.failing.Add(1) >= senderDownAfter {
		r.stop(fmt.Errorf("%w: %w", errSenderDown, err))
	}
	return "", fmt.Errorf("after %d tries: %w", d.cfg.MaxAttempts, err)
}

func (r *run) count(f func(*Report)) {
	r.mu.Lock()
	f(&r.report)
	r.mu.Unlock()
}

func (r *run) fail(s Subscriber, reason string) {
	r.count(func(rep *Report) { rep.Failed = append(rep.Failed, Problem{s.Email, reason}) })
}

func (r *run) deferOne(s Subscriber, cause error) {
	r.count(func(rep *Report) {
		rep.Deferred = append(rep.Deferred, Problem{s.Email, cause.Error()})
		if rep.Stopped == "" && (errors.Is(cause, errQuota) || errors.Is(cause, errSenderDown) || errors.Is(cause, errOutOfTime) || errors.Is(cause, context.Canceled)) {
			rep.Stopped = cause.Error()
		}
	})
}

func (r *run) tick() {
	if r.progress == nil {
		return
	}
	r.mu.Lock()
	r.done++
	p := Progress{Done: r.done, Total: r.report.Recipients, Sent: r.report.Sent + r.report.Built,
		Failed: len(r.report.Failed), Elapsed: time.Since(r.start)}
	r.mu.Unlock()
	r.progress(p)
}

// backoff is the wait before try n: the base doubled n-1 times, at most
// 32 times, with full jitter so that workers throttled together do not
// come back together.
func backoff(base time.Duration, n int) time.Duration {
	ceiling := base << min(n-1, 5)
	return ceiling/2 + rand.N(ceiling/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retry runs f up to n times with backoff, for ledger writes that must
// not be lost to a passing error.
func retry(ctx context.Context, n int, base time.Duration, f func() error) error {
	var err error
	for attempt := range n {
		if attempt > 0 {
			if serr := sleep(ctx, backoff(base, attempt)); serr != nil {
				return err
			}
		}
		if err = f(); err == nil || errors.Is(err, ErrLostClaim) {
			return err
		}
	}
	return err
}

// limiter spaces sends to stay under a rate. A throttled answer slows it
// down by a fifth, to no slower than an eighth of the rate; every send
// that goes through brings it a thirty-second of the way back, so that it
// settles just under what the service accepts.
type limiter struct {
	mu       sync.Mutex
	fastest  time.Duration // the rate's interval; 0 means no limit
	interval time.Duration
	next     time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return &limiter{}
	}
	iv := time.Duration(float64(time.Second) / rate)
	return &limiter{fastest: iv, interval: iv}
}

func (l *limiter) wait(ctx context.Context) error {
	if l.fastest == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

func (l *limiter) throttled() {
	if l.fastest == 0 {
		return
	}
	l.mu.Lock()
	l.interval = min(l.interval*5/4, 8*l.fastest)
	l.mu.Unlock()
}

func (l *limiter) eased() {
	if l.fastest == 0 {
		return
	}
	l.mu.Lock()
	l.interval -= (l.interval - l.fastest) / 32
	l.mu.Unlock()
}
