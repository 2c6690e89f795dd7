package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/digest/dynamodb"
	"github.com/newsdigest/newsdigest/internal/awslocal"
	"github.com/newsdigest/newsdigest/internal/dynalite"
	"github.com/newsdigest/newsdigest/internal/seslocal"
)

// The local resources infra/env.json names, which the stack makes.
// functions/functions_test.go seeds its own stand-ins with the same.
const (
	localBucket           = "newsdigest-local"
	localArticlesPrefix   = "articles/"
	localSubscribersTable = "newsdigest-subscribers"
	localLedgerTable      = "newsdigest-ledger"
	localSendQueue        = "newsdigest-send"
	localDeadLetterQueue  = "newsdigest-send-dlq"
	localKeyParameter     = "/newsdigest/unsubscribe-key"
	// localUnsubscribeKey signs the unsubscribe links of local runs, those
	// of infra/events among them. It guards nothing.
	localUnsubscribeKey = "newsdigest-local-unsubscribe-key-not-secret-000000"
	// The send queue's visibility timeout and redrive, as template.yaml's
	// SendQueue has them.
	localSendVisibility = 30 * time.Minute
	localMaxReceives    = 5
	// localRegion is infra/env.json's; the stand-ins check no credentials.
	localRegion = "eu-west-1"
)

// The stand-ins' default addresses, those of infra/env.json.
const (
	defaultS3Addr       = "127.0.0.1:9000"
	defaultDynamoDBAddr = "127.0.0.1:4567"
	defaultSESAddr      = "127.0.0.1:8005"
	defaultSQSAddr      = "127.0.0.1:9324"
)

func setupStack(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	var cfg stackConfig
	fs.StringVar(&cfg.s3Addr, "s3", defaultS3Addr, "address of S3 (gofakes3)")
	fs.StringVar(&cfg.dynamoDBAddr, "dynamodb", defaultDynamoDBAddr, "address of DynamoDB (dynalite)")
	fs.StringVar(&cfg.sesAddr, "ses", defaultSESAddr, "address of SES v2 (aws-ses-v2-local)")
	fs.StringVar(&cfg.sqsAddr, "sqs", defaultSQSAddr, "address of SQS and SSM Parameter Store (awslocal)")
	fs.StringVar(&cfg.articles, "articles", defaultArticles, "the folder whose files the bucket holds under "+localArticlesPrefix)
	fs.StringVar(&cfg.subscribers, "subscribers", defaultSubscribers, "the list imported into the subscriber table: a CSV or JSON Lines file")
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		return runStack(ctx, cfg, out, errOut)
	}
}

// stackConfig is the stack's command line.
type stackConfig struct {
	s3Addr, dynamoDBAddr, sesAddr, sqsAddr string
	articles, subscribers                  string
}

// stack is the running stand-ins.
type stack struct {
	out, errOut io.Writer
	// stops stops each stand-in started, in the order started.
	stops []func() error
	// failed has the error of an in-process server that stopped serving
	// before it was asked to.
	failed chan error
}

// runStack starts the stand-ins of infra/env.json, seeds them, and serves
// until ctx is done or one of them fails; then it stops them all.
func runStack(ctx context.Context, cfg stackConfig, out, errOut io.Writer) (err error) {
	st := &stack{out: out, errOut: errOut, failed: make(chan error, 1)}
	defer func() { err = errors.Join(err, st.stop()) }()

	// The in-process servers first: they start at once, so that an
	// address in use shows before Node has started anything.
	if err := st.startS3(ctx, cfg.s3Addr, cfg.articles); err != nil {
		return serviceError("S3", "s3", err)
	}
	if err := st.startSQS(cfg.sqsAddr); err != nil {
		return serviceError("SQS and SSM", "sqs", err)
	}
	if err := st.startDynamoDB(ctx, cfg.dynamoDBAddr, cfg.subscribers); err != nil {
		return serviceError("DynamoDB", "dynamodb", err)
	}
	if err := st.startSES(cfg.sesAddr); err != nil {
		return serviceError("SES", "ses", err)
	}
	fmt.Fprintln(out, "ready; Ctrl-C stops it")

	select {
	case <-ctx.Done():
		return nil
	case err := <-st.failed:
		return err
	}
}

// serviceError names the service that failed to start, and the flag that
// moves it when its address is taken.
func serviceError(service, flag string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s: %w (is a stack running already? --%s gives another address)", service, err, flag)
	}
	return fmt.Errorf("%s: %w", service, err)
}

// stop stops the stand-ins, the last started first.
func (st *stack) stop() error {
	var errs []error
	for i := len(st.stops) - 1; i >= 0; i-- {
		errs = append(errs, st.stops[i]())
	}
	st.stops = nil
	return errors.Join(errs...)
}

// printService prints a stand-in's line: the service, its endpoint and
// what it holds.
func (st *stack) printService(service, endpoint, format string, args ...any) {
	fmt.Fprintf(st.out, "%-9s %-22s %s\n", service, endpoint, fmt.Sprintf(format, args...))
}

// serve runs an in-process server on ln until the stack stops; serve must
// return once its context is done. A server that stops on its own stops
// the stack.
func (st *stack) serve(name string, ln net.Listener, serve func(context.Context, net.Listener) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := serve(ctx, ln)
		if ctx.Err() == nil {
			select {
			case st.failed <- fmt.Errorf("%s stopped: %v", name, err):
			default:
			}
		}
		done <- err
	}()
	st.stops = append(st.stops, func() error {
		cancel()
		return <-done
	})
}

// startS3 serves gofakes3 on addr with the bucket, which holds every file
// of the articles folder under articles/ and the same relative path.
func (st *stack) startS3(ctx context.Context, addr, dir string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	st.serve("S3", ln, func(ctx context.Context, ln net.Listener) error {
		return serveHTTP(ctx, ln, gofakes3.New(s3mem.New()).Server())
	})
	endpoint := "http://" + ln.Addr().String()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       localRegion,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(localBucket)}); err != nil {
		return err
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		key := localArticlesPrefix + filepath.ToSlash(rel)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localBucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		files++
		return nil
	})
	if err != nil {
		return err
	}
	st.printService("S3", endpoint, "gofakes3: bucket %s, the %d files of %s under %s", localBucket, files, dir, localArticlesPrefix)
	return nil
}

// startSQS serves the send queue, its dead-letter queue and the
// unsubscribe key on addr. Queue URLs name the address the server
// listens on: http://127.0.0.1:9324/000000000000/newsdigest-send for the
// default.
func (st *stack) startSQS(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	sqs, ssm := awslocal.NewSQS(), awslocal.NewSSM()
	queue := sqs.CreateQueue(localSendQueue, localSendVisibility)
	dlq := sqs.CreateQueue(localDeadLetterQueue, 0)
	if err := sqs.SetRedrive(queue, dlq, localMaxReceives); err != nil {
		ln.Close()
		return err
	}
	ssm.Put(localKeyParameter, localUnsubscribeKey, true)
	st.serve("SQS and SSM", ln, awslocal.NewServer(sqs, ssm).Serve)
	st.printService("SQS, SSM", "http://"+ln.Addr().String(), "awslocal: queue %s (dead letters to %s after %d receives), SecureString %s",
		localSendQueue, localDeadLetterQueue, localMaxReceives, localKeyParameter)
	return nil
}

// startDynamoDB runs dynalite on addr with the subscriber table and the
// ledger, and imports the subscriber list.
func (st *stack) startDynamoDB(ctx context.Context, addr, subscribers string) error {
	// The list first: a mistake in it shows before dynalite starts.
	subs, bad, err := readSubscriberFile(ctx, subscribers)
	if err != nil {
		return err
	}
	reportBadRows(st.errOut, subscribers, bad)
	db, err := dynalite.LaunchOn(addr)
	if err != nil {
		return err
	}
	st.stops = append(st.stops, db.Close)
	client := awsdynamodb.New(awsdynamodb.Options{
		BaseEndpoint: aws.String(db.Endpoint),
		Region:       localRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	if err := dynamodb.CreateTables(ctx, client, localSubscribersTable, localLedgerTable); err != nil {
		return err
	}
	list, err := dynamodb.NewSubscribers(dynamodb.SubscribersConfig{Table: localSubscribersTable}, client, newLogger(st.errOut))
	if err != nil {
		return err
	}
	if _, err := list.Import(ctx, subs); err != nil {
		return err
	}
	st.printService("DynamoDB", db.Endpoint, "dynalite: tables %s (%d readers of %s, %d rows refused) and %s",
		localSubscribersTable, len(subs), subscribers, len(bad), localLedgerTable)
	return nil
}

// startSES runs aws-ses-v2-local on addr.
func (st *stack) startSES(addr string) error {
	ses, err := seslocal.Launch(addr)
	if err != nil {
		return err
	}
	st.stops = append(st.stops, ses.Close)
	st.printService("SES v2", ses.URL, "aws-ses-v2-local: the mail sent, on %s/", ses.URL)
	return nil
}
