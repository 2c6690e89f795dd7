// Command preview is the Lambda function behind the editors' Function URL: any
// day's edition as HTML, text or JSON, and test sends to the editors.
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
	var cfg awslambda.PreviewConfig
	clients, err := awslambda.Setup(ctx, &cfg)
	var h *awslambda.URLHandler
	if err == nil {
		h, err = awslambda.NewPreview(ctx, cfg, clients, logger)
	}
	if err != nil {
		logger.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
