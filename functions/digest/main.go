// Command digest is the scheduled Lambda function: it builds the day's
// edition, publishes it to the archive and queues the list for sending.
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
	var cfg awslambda.DigestConfig
	clients, err := awslambda.Setup(ctx, &cfg)
	var h *awslambda.Digest
	if err == nil {
		h, err = awslambda.NewDigest(cfg, clients, logger)
	}
	if err != nil {
		logger.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
