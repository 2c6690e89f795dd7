// Command unsubscribe is the Lambda function behind the public one-click unsubscribe
// Function URL (RFC 8058).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/newsdigest/newsdigest/digest/awslambda"
)

func main() {
	ctx, logger := context.Background(), lambdacontext.NewLogger()
	var cfg awslambda.UnsubscribeConfig
	clients, err := awslambda.Setup(ctx, &cfg)
	var h *awslambda.URLHandler
	if err == nil {
		h, err = awslambda.NewUnsubscribe(ctx, cfg, clients, logger)
	}
	if err != nil {
		logger.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
