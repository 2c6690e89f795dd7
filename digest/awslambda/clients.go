package awslambda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/newsdigest/newsdigest/digest"
)

// Clients are the AWS SDK clients the functions use, built once at cold
// start. Building a client makes no request; each function uses the few
// it needs.
type Clients struct {
	S3       *s3.Client
	SQS      *sqs.Client
	DynamoDB *dynamodb.Client
	SES      *sesv2.Client
	SSM      *ssm.Client
}

// NewClients builds the clients from one AWS configuration. Endpoints
// follow the SDK's AWS_ENDPOINT_URL_<SERVICE> variables, which is how
// local runs and tests point them at stand-ins on loopback.
func NewClients(cfg aws.Config) Clients {
	// The template declares these empty in AWS, so that `sam local` may
	// set them: only a value counts.
	local := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return Clients{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// Local S3 servers answer on one host, not bucket.host.
			o.UsePathStyle = local
			o.DisableLogOutputChecksumValidationSkipped = true
			o.Retryer = s3Retryer()
		}),
		SQS:      sqs.NewFromConfig(cfg),
		DynamoDB: dynamodb.NewFromConfig(cfg),
		// The delivery paces and retries throttled sends itself and must
		// see every throttling answer.
		SES: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} }),
		SSM: ssm.NewFromConfig(cfg),
	}
}

// S3MaxAttempts bounds the tries of one S3 request (the SDK's default is
// 3): see s3Retryer.
const S3MaxAttempts = 8

// s3Retryer is the SDK's standard retryer made patient enough for a day's
// read, thousands of GETs of which each one lost to a passing fault (a
// SlowDown, a 500, a reset) is an article missing from an edition that is
// then kept for good. Each request is tried up to S3MaxAttempts times,
// waiting at most 5 s between tries; and the retry quota, a bucket of 500
// tokens shared by every request of the client, is off: a burst of
// faults would empty it within a few dozen retries, after which every
// later fault of the day's read would lose its article at the first try.
// An S3 that fails every read still fails the run, within its timeout.
// AWS_MAX_ATTEMPTS, if set, still overrides the attempts.
func s3Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = S3MaxAttempts
		o.MaxBackoff = 5 * time.Second
		o.RateLimiter = ratelimit.None
	})
}

// Setup is a function's cold start: its configuration from the
// environment into config (every problem reported at once) and the
// clients.
func Setup(ctx context.Context, config any) (Clients, error) {
	envErr := FromEnv(config)
	cfg, awsErr := awsconfig.LoadDefaultConfig(ctx)
	if awsErr != nil {
		awsErr = fmt.Errorf("aws config: %w", awsErr)
	}
	if err := errors.Join(envErr, awsErr); err != nil {
		return Clients{}, err
	}
	return NewClients(cfg), nil
}

// ParameterAPI is the part of the SSM client that reads the key.
type ParameterAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// unsubscribeTokens reads the unsubscribe signing key from Parameter Store
// (a SecureString, decrypted on the way) at cold start: the key is never a
// template parameter or an environment value.
func unsubscribeTokens(ctx context.Context, client ParameterAPI, name string) (*digest.Tokens, error) {
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the unsubscribe key %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return nil, fmt.Errorf("read the unsubscribe key %s: no value", name)
	}
	tokens, err := digest.NewTokens([]byte(*out.Parameter.Value))
	if err != nil {
		return nil, fmt.Errorf("unsubscribe key %s: %w", name, err)
	}
	return tokens, nil
}
