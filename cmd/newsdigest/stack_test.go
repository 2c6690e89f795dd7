package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/npmserver"
)

// The stack's bounds in the test: Node starts two servers, then the
// stand-ins are seeded; stopping waits for both servers to exit.
const (
	stackReadyTimeout = 90 * time.Second
	stackStopTimeout  = 30 * time.Second
)

// TestStack runs the stack command as a developer does for make invoke-*,
// on free loopback ports instead of infra/env.json's, and reads what it
// serves with the SDK clients the functions use, by the names env.json
// gives the functions.
func TestStack(t *testing.T) {
	chdirRoot(t)
	env := envJSON(t)
	// env.json's endpoints are the command's defaults.
	for name, addr := range map[string]string{
		"AWS_ENDPOINT_URL_S3": defaultS3Addr, "AWS_ENDPOINT_URL_DYNAMODB": defaultDynamoDBAddr,
		"AWS_ENDPOINT_URL_SESV2": defaultSESAddr, "AWS_ENDPOINT_URL_SQS": defaultSQSAddr, "AWS_ENDPOINT_URL_SSM": defaultSQSAddr,
	} {
		if got := env[name]; got != "http://"+addr {
			t.Errorf("infra/env.json %s = %s, the stack's default is http://%s", name, got, addr)
		}
	}
	// The list's valid rows, and the refused ones the stack reports.
	subs, bad := parseSubscriberFile(t, defaultSubscribers)

	addrs := map[string]string{}
	for _, flag := range []string{"s3", "dynamodb", "ses", "sqs"} {
		addr, err := npmserver.FreeAddr()
		if err != nil {
			t.Fatal(err)
		}
		addrs[flag] = addr
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stdoutW := io.Pipe()
	var stderr bytes.Buffer // read once the command has returned
	exit := make(chan int, 1)
	go func() {
		defer stdoutW.Close()
		exit <- run(ctx, []string{"stack", "--s3", addrs["s3"], "--dynamodb", addrs["dynamodb"],
			"--ses", addrs["ses"], "--sqs", addrs["sqs"]}, stdoutW, &stderr)
	}()
	// stop cancels the command and returns its exit status.
	stop := func() int {
		t.Helper()
		cancel()
		select {
		case code := <-exit:
			return code
		case <-time.After(stackStopTimeout):
			t.Fatalf("the stack did not stop within %s of its context's end", stackStopTimeout)
			return 0
		}
	}

	printed := readUntilReady(t, stdout, stop, &stderr)
	for flag, addr := range addrs {
		if !strings.Contains(printed, "http://"+addr) {
			t.Errorf("no line names --%s's endpoint http://%s:\n%s", flag, addr, printed)
		}
	}

	reqCtx, reqCancel := context.WithTimeout(ctx, 30*time.Second)
	defer reqCancel()
	clientConfig := func(flag string) aws.Config {
		return aws.Config{
			Region:       env["AWS_REGION"],
			Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
			BaseEndpoint: aws.String("http://" + addrs[flag]),
		}
	}

	t.Run("the bucket holds the example days", func(t *testing.T) {
		const day = "2026/11/26"
		entries, err := os.ReadDir(filepath.Join("examples", "articles", filepath.FromSlash(day)))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries {
			if e.Type().IsRegular() {
				want = append(want, "articles/"+day+"/"+e.Name())
			}
		}
		client := s3.NewFromConfig(clientConfig("s3"), func(o *s3.Options) { o.UsePathStyle = true })
		pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(env["CONTENT_BUCKET"]), Prefix: aws.String("articles/" + day + "/")})
		var got []string
		for pages.HasMorePages() {
			page, err := pages.NextPage(reqCtx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				got = append(got, aws.ToString(o.Key))
			}
		}
		if slices.Sort(got); !slices.Equal(got, want) {
			t.Errorf("%d objects under articles/%s/, want the %d files of the day: %q", len(got), day, len(want), got)
		}
	})

	t.Run("the subscriber table holds the list's valid rows", func(t *testing.T) {
		var want []string
		for _, s := range subs {
			want = append(want, s.Key())
		}
		client := awsdynamodb.NewFromConfig(clientConfig("dynamodb"))
		pages := awsdynamodb.NewScanPaginator(client, &awsdynamodb.ScanInput{TableName: aws.String(env["SUBSCRIBERS_TABLE"])})
		var got []string
		for pages.HasMorePages() {
			page, err := pages.NextPage(reqCtx)
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range page.Items {
				if email, ok := item["email"].(*dynamotypes.AttributeValueMemberS); ok {
					got = append(got, email.Value)
				}
			}
		}
		slices.Sort(got)
		if slices.Sort(want); !slices.Equal(got, want) {
			t.Errorf("the table holds %q, want the %d valid rows of %s: %q", got, len(want), defaultSubscribers, want)
		}
		if _, err := client.DescribeTable(reqCtx, &awsdynamodb.DescribeTableInput{TableName: aws.String(env["LEDGER_TABLE"])}); err != nil {
			t.Errorf("the ledger: %v", err)
		}
	})

	t.Run("Parameter Store holds the unsubscribe key", func(t *testing.T) {
		client := ssm.NewFromConfig(clientConfig("sqs"))
		out, err := client.GetParameter(reqCtx, &ssm.GetParameterInput{Name: aws.String(env["UNSUBSCRIBE_KEY_PARAMETER"]), WithDecryption: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Parameter.Value); got != localUnsubscribeKey {
			t.Errorf("the key is %q, want %q, the one infra/events is signed with", got, localUnsubscribeKey)
		}
	})

	t.Run("the send queue has env.json's URL and a dead-letter queue", func(t *testing.T) {
		client := sqs.NewFromConfig(clientConfig("sqs"))
		out, err := client.GetQueueUrl(reqCtx, &sqs.GetQueueUrlInput{QueueName: aws.String("newsdigest-send")})
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(env["SEND_QUEUE_URL"], defaultSQSAddr, addrs["sqs"], 1)
		if got := aws.ToString(out.QueueUrl); got != want {
			t.Errorf("QueueUrl = %s, want %s", got, want)
		}
		attrs, err := client.GetQueueAttributes(reqCtx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
		if err != nil {
			t.Fatal(err)
		}
		var redrive struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     int    `json:"maxReceiveCount"`
		}
		if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive); err != nil {
			t.Fatalf("RedrivePolicy %q: %v", attrs.Attributes["RedrivePolicy"], err)
		}
		if !strings.HasSuffix(redrive.DeadLetterTargetArn, ":newsdigest-send-dlq") || redrive.MaxReceiveCount != 5 {
			t.Errorf("RedrivePolicy = %+v, want newsdigest-send-dlq after 5 receives", redrive)
		}
	})

	t.Run("SES answers", func(t *testing.T) {
		client := sesv2.NewFromConfig(clientConfig("ses"))
		out, err := client.GetAccount(reqCtx, &sesv2.GetAccountInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.SendQuota == nil || !out.SendingEnabled {
			t.Errorf("GetAccount = %+v, want sending enabled with a quota", out)
		}
	})

	if code := stop(); code != 0 {
		t.Fatalf("exit %d after its context ended, want 0:\n%s", code, stderr.String())
	}
	// The refused rows are reported as the import command reports them.
	for _, b := range bad {
		if line := fmt.Sprintf("%s:%d: %s\n", defaultSubscribers, b.Line, b.Error); !strings.Contains(stderr.String(), line) {
			t.Errorf("refused row not reported: %q not in\n%s", line, stderr.String())
		}
	}
	for flag, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("--%s %s still taken after the stack stopped: %v", flag, addr, err)
			continue
		}
		ln.Close()
	}
}

// readUntilReady reads the stack's output up to its "ready" line and
// returns it; the rest is drained. A stack that ends or takes too long
// fails the test, with its errors.
func readUntilReady(t *testing.T, stdout io.Reader, stop func() int, stderr *bytes.Buffer) string {
	t.Helper()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var printed strings.Builder
	timeout := time.After(stackReadyTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				code := stop()
				t.Fatalf("the stack ended (exit %d) before it was ready:\n%s%s", code, printed.String(), stderr.String())
			}
			printed.WriteString(line + "\n")
			if strings.HasPrefix(line, "ready;") {
				go func() {
					for range lines {
					}
				}()
				return printed.String()
			}
		case <-timeout:
			code := stop()
			t.Fatalf("the stack was not ready within %s (exit %d once stopped):\n%s%s", stackReadyTimeout, code, printed.String(), stderr.String())
		}
	}
}

// envJSON is the variables infra/env.json gives the functions, all in one
// map: the names of the local resources are the same for each.
func envJSON(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("infra", "env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var functions map[string]map[string]string
	if err := json.Unmarshal(data, &functions); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, vars := range functions {
		maps.Copy(env, vars)
	}
	return env
}

// parseSubscriberFile parses a list file as the stack reads it.
func parseSubscriberFile(t *testing.T, name string) ([]digest.Subscriber, []digest.RowError) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	subs, bad, err := digest.ParseSubscribers(f, false)
	if err != nil {
		t.Fatal(err)
	}
	return subs, bad
}

// TestStackAddressInUse: a stand-in whose address is taken stops the stack
// at once, with an error naming the service and the address.
func TestStackAddressInUse(t *testing.T) {
	for _, tt := range []struct{ flag, service string }{
		{"s3", "S3"},             // in-process, the first started
		{"dynamodb", "DynamoDB"}, // Node, after the in-process ones
	} {
		t.Run(tt.flag, func(t *testing.T) {
			taken, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer taken.Close()
			args := []string{"stack"}
			for _, flag := range []string{"s3", "dynamodb", "ses", "sqs"} {
				addr := taken.Addr().String()
				if flag != tt.flag {
					if addr, err = npmserver.FreeAddr(); err != nil {
						t.Fatal(err)
					}
				}
				args = append(args, "--"+flag, addr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), stackStopTimeout)
			defer cancel()
			chdirRoot(t)
			var out, errOut bytes.Buffer
			code := run(ctx, args, &out, &errOut)
			if code != 1 || strings.Contains(out.String(), "ready") {
				t.Fatalf("exit %d, want 1 without ready:\n%s%s", code, out.String(), errOut.String())
			}
			if msg := errOut.String(); !strings.Contains(msg, "newsdigest stack: "+tt.service+": ") || !strings.Contains(msg, taken.Addr().String()) || !strings.Contains(msg, "--"+tt.flag) {
				t.Errorf("error %q, want it to name %s, %s and --%s", msg, tt.service, taken.Addr(), tt.flag)
			}
		})
	}
}
