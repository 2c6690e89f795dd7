// Command feedback is the Lambda function that acts on SES bounce and complaint
// notifications delivered by SNS.
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
	var cfg awslambda.FeedbackConfig
	clients, err := awslambda.Setup(ctx, &cfg)
	var h *awslambda.Feedback
	if err == nil {
		h, err = awslambda.NewFeedback(cfg, clients, logger)
	}
	if err != nil {
		logger.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
