// Command echo is the Lambda function the rie package's own tests run
// under the emulator: it answers its event back, fails or takes its time
// on request, and reports one environment variable, so that a test can
// see each path a real function takes through the emulator.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// response is the echoed event together with the value of the variable
// the event names in "env", which shows what environment reached the
// function.
type response struct {
	Event json.RawMessage `json:"event"`
	Env   string          `json:"env,omitempty"`
}

func main() {
	logger := lambdacontext.NewLogger()
	lambda.Start(func(ctx context.Context, event json.RawMessage) (response, error) {
		var req struct {
			Fail    bool   `json:"fail"`
			Env     string `json:"env"`
			SleepMS int    `json:"sleep_ms"`
		}
		if err := json.Unmarshal(event, &req); err != nil {
			return response{}, err
		}
		// The context carries the request ID, which the logger adds.
		logger.InfoContext(ctx, "echo", "bytes", len(event))
		select {
		case <-time.After(time.Duration(req.SleepMS) * time.Millisecond):
		case <-ctx.Done():
			return response{}, ctx.Err()
		}
		if req.Fail {
			return response{}, errors.New("failing as asked")
		}
		resp := response{Event: event}
		if req.Env != "" {
			resp.Env = os.Getenv(req.Env)
		}
		return resp, nil
	})
}
