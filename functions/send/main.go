// Command send is the Lambda function that sends the queued batches of
// readers through SES, each reader at most once.
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
	var cfg awslambda.SendConfig
	clients, err := awslambda.Setup(ctx, &cfg)
	var h *awslambda.Send
	if err == nil {
		h, err = awslambda.NewSend(ctx, cfg, clients, logger)
	}
	if err != nil {
		logger.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
