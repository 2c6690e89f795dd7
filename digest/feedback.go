package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Feedback acts on Amazon SES notifications of bounces and complaints, as
// SNS delivers them: a permanent bounce or a complaint suppresses the
// address at once; transient bounces are counted, and the third within 14
// days suppresses it; every other notification is ignored, on purpose.
type Feedback struct {
	store  Suppressor
	logger *slog.Logger
}

// NewFeedback returns a Feedback that records suppressions in the store.
func NewFeedback(store Suppressor, logger *slog.Logger) *Feedback {
	return &Feedback{store: store, logger: logger}
}

// The transient bounce rule: this many within this window suppress.
const (
	softBounceLimit  = 3
	softBounceWindow = 14 * 24 * time.Hour
)

// sesNotification is the part of an SES notification Feedback reads: the
// notificationType of a topic notification or the eventType of a
// configuration set's event destination, and the bounce or complaint.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
		Timestamp time.Time `json:"timestamp"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		Timestamp time.Time `json:"timestamp"`
	} `json:"complaint"`
}

// FeedbackResult says what one notification did.
type FeedbackResult struct {
	Kind       string   `json:"kind"`
	Suppressed []string `json:"suppressed,omitempty"`
	Counted    []string `json:"counted,omitempty"`
	// Unknown addresses are not on the list (a test send, an old reader).
	Unknown []string `json:"unknown,omitempty"`
	Ignored bool     `json:"ignored,omitempty"`
}

// Handle acts on one SES notification (the SNS message body). A body that
// is not an SES notification is an error; so is a store that cannot be
// written, so that SNS delivers the notification again.
func (f *Feedback) Handle(ctx context.Context, message []byte) (FeedbackResult, error) {
	var n sesNotification
	if err := json.Unmarshal(message, &n); err != nil {
		return FeedbackResult{}, fmt.Errorf("feedback: not an SES notification: %s", jsonProblem(err))
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	res := FeedbackResult{Kind: kind}
	switch {
	case kind == "Bounce" && n.Bounce != nil:
		at := whenOr(n.Bounce.Timestamp)
		for _, r := range n.Bounce.BouncedRecipients {
			if n.Bounce.BounceType == "Permanent" {
				reason := fmt.Sprintf("permanent bounce (%s): %s", n.Bounce.BounceSubType, r.DiagnosticCode)
				if err := f.suppress(ctx, &res, r.EmailAddress, StatusBounced, reason, at); err != nil {
					return res, err
				}
				continue
			}
			// Transient and undetermined bounces: a full mailbox or a
			// passing refusal says little once, a lot three times.
			if err := f.softBounce(ctx, &res, r.EmailAddress, at); err != nil {
				return res, err
			}
		}
	case kind == "Complaint" && n.Complaint != nil:
		at := whenOr(n.Complaint.Timestamp)
		for _, r := range n.Complaint.ComplainedRecipients {
			reason := "complaint: " + n.Complaint.ComplaintFeedbackType
			if err := f.suppress(ctx, &res, r.EmailAddress, StatusComplained, reason, at); err != nil {
				return res, err
			}
		}
	case kind == "":
		return res, errors.New("feedback: no notificationType or eventType: not an SES notification")
	default:
		// Deliveries, sends, opens, delays: nothing to suppress.
		res.Ignored = true
	}
	f.logger.InfoContext(ctx, "feedback", "kind", kind, "suppressed", len(res.Suppressed), "counted", len(res.Counted),
		"unknown", len(res.Unknown), "ignored", res.Ignored)
	return res, nil
}

func (f *Feedback) suppress(ctx context.Context, res *FeedbackResult, email string, status Status, reason string, at time.Time) error {
	if !isListAddress(email) {
		// Never on the list; and a store keyed by the address may refuse
		// the key (DynamoDB, an empty one), failing the notification for
		// good on every delivery.
		res.Unknown = append(res.Unknown, email)
		return nil
	}
	err := f.store.Suppress(ctx, email, status, reason, at)
	switch {
	case errors.Is(err, ErrUnknownSubscriber):
		res.Unknown = append(res.Unknown, email)
	case err != nil:
		return fmt.Errorf("feedback: suppress %s: %w", email, err)
	default:
		res.Suppressed = append(res.Suppressed, email)
	}
	return nil
}

func (f *Feedback) softBounce(ctx context.Context, res *FeedbackResult, email string, at time.Time) error {
	if !isListAddress(email) {
		res.Unknown = append(res.Unknown, email)
		return nil
	}
	bounces, err := f.store.TransientBounce(ctx, email, at)
	switch {
	case errors.Is(err, ErrUnknownSubscriber):
		res.Unknown = append(res.Unknown, email)
		return nil
	case err != nil:
		return fmt.Errorf("feedback: soft bounce of %s: %w", email, err)
	}
	res.Counted = append(res.Counted, email)
	recent := 0
	for _, b := range bounces {
		if !b.After(at) && at.Sub(b) < softBounceWindow {
			recent++
		}
	}
	if recent < softBounceLimit {
		return nil
	}
	reason := fmt.Sprintf("%d transient bounces within %d days", recent, int(softBounceWindow.Hours()/24))
	return f.suppress(ctx, res, email, StatusBounced, reason, at)
}

// jsonProblem says what is wrong with a notification without quoting
// it: the error of a value that does not parse (a time) quotes the value,
// and a notification may carry the original message's headers, the
// reader's unsubscribe link among them, which must not reach the logs.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var parse *time.ParseError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s: want %s, got a JSON %s", typ.Field, typ.Type, typ.Value)
	case errors.As(err, &parse):
		return "a time that cannot be read"
	}
	return "a value that cannot be read"
}

func whenOr(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}
