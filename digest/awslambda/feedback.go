package awslambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/dynamodb"
)

// Feedback acts on the SES bounce and complaint notifications SNS delivers.
type Feedback struct {
	feedback *digest.Feedback
	logger   *slog.Logger
}

// NewFeedback wires the function to the subscriber table.
func NewFeedback(cfg FeedbackConfig, c Clients, logger *slog.Logger) (*Feedback, error) {
	subscribers, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: cfg.SubscribersTable}, c.DynamoDB, logger)
	if err != nil {
		return nil, err
	}
	return &Feedback{feedback: digest.NewFeedback(subscribers, logger), logger: logger}, nil
}

// Handle acts on every notification of the event. A notification that
// could not be recorded fails the invocation, so that Lambda tries it
// again and, after its tries, leaves it in the function's dead-letter
// queue: a bounce is never dropped. A suppression applied twice changes
// nothing; SNS hands one notification to each invocation, so a retry
// repeats only the notification whose record failed.
func (h *Feedback) Handle(ctx context.Context, ev events.SNSEvent) ([]digest.FeedbackResult, error) {
	var results []digest.FeedbackResult
	var errs []error
	for _, rec := range ev.Records {
		res, err := h.feedback.Handle(ctx, []byte(rec.SNS.Message))
		if err != nil {
			errs = append(errs, fmt.Errorf("notification %s: %w", rec.SNS.MessageID, err))
			continue
		}
		h.logger.InfoContext(ctx, "notification", "message_id", rec.SNS.MessageID, "kind", res.Kind,
			"suppressed", len(res.Suppressed), "counted", len(res.Counted))
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}
