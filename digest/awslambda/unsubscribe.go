package awslambda

import (
	"context"
	"log/slog"
	"time"

	"github.com/newsdigest/newsdigest/digest/dynamodb"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

// NewUnsubscribe is the one-click unsubscribe behind its public Function
// URL: the link in every email's footer and List-Unsubscribe header.
func NewUnsubscribe(ctx context.Context, cfg UnsubscribeConfig, c Clients, logger *slog.Logger) (*URLHandler, error) {
	tokens, err := unsubscribeTokens(ctx, c.SSM, cfg.KeyParameter)
	if err != nil {
		return nil, err
	}
	subscribers, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: cfg.SubscribersTable}, c.DynamoDB, logger)
	if err != nil {
		return nil, err
	}
	return NewURLHandler(digesthttp.NewUnsubscribe(tokens, cfg.ListID, cfg.ProductName, subscribers, time.Now, logger)), nil
}
