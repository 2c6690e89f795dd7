package functions_test

// No secret reaches the functions' logs: the functions run as Lambda runs
// them (under the emulator, with infra/env.json's environment and AWS
// credentials of their own), through cold starts that work and ones that
// fail, sends that SES refuses, unsubscribe links that do not check out,
// and feedback that cannot be read; then everything they and the emulator
// printed is searched for the unsubscribe key, any unsubscribe token or
// link parameter, and the AWS credentials.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/awslocal"
	"github.com/newsdigest/newsdigest/internal/rie"
)

// Credentials the functions sign with in this test: values no log may
// show. The stand-ins do not check signatures.
const (
	secAccessKeyID  = "AKIASECURITYTEST7777"
	secSecretKey    = "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"
	secSessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET7777"
	secShortKey     = "short-secret-VALUE-7777" // an unsubscribe key too short to use
)

// secWithEnv is env with the given variables set in place of its own.
func secWithEnv(env []string, set map[string]string) []string {
	out := slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		_, ok := set[k]
		return ok
	})
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// secFailingSES answers SendEmail with MessageRejected and GetAccount
// with an internal error, counting the requests.
func secFailingSES(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v2/email/account" {
			w.Header().Set("X-Amzn-ErrorType", "InternalFailure")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message":"internal failure"}`))
			return
		}
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message":"Email address is not verified. The following identities failed the check in region EU-WEST-1: digest@newsdigest.example"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &calls
}

// secEvent reads an event file of infra/events.
func secEvent[T any](t *testing.T, name string) T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "infra", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// secInvoke invokes the function and returns its answer, error or not.
func secInvoke(t *testing.T, fn *rie.Function, event any) rie.Result {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, fn.Logs())
	}
	return res
}

func TestNoSecretInTheFunctionsLogs(t *testing.T) {
	st := startStack(t)
	sesURL, sesCalls := secFailingSES(t)
	credentials := map[string]string{"AWS_ACCESS_KEY_ID": secAccessKeyID, "AWS_SECRET_ACCESS_KEY": secSecretKey, "AWS_SESSION_TOKEN": secSessionToken}
	env := func(logicalID string, set map[string]string) []string {
		e := secWithEnv(st.env(t, logicalID), credentials)
		return secWithEnv(e, set)
	}
	var all []*rie.Function
	start := func(name, logicalID string, set map[string]string) *rie.Function {
		fn := rie.Start(t, rie.Build(t, "./functions/"+name), env(logicalID, set))
		all = append(all, fn)
		return fn
	}
	failingSES := map[string]string{"AWS_ENDPOINT_URL_SESV2": sesURL}

	// Cold starts that fail: a key too short to use, a key that is not
	// there, a configuration with a variable missing. Each says why, and
	// never with the key's value.
	shortKeys, shortURL := awslocal.StartSSM(t)
	shortKeys.Put("/newsdigest/short-key", secShortKey, true)
	for _, set := range []map[string]string{
		{"AWS_ENDPOINT_URL_SSM": shortURL, "UNSUBSCRIBE_KEY_PARAMETER": "/newsdigest/short-key"},
		{"UNSUBSCRIBE_KEY_PARAMETER": "/newsdigest/no-such-key"},
		{"LIST_ID": ""},
	} {
		fn := start("unsubscribe", "UnsubscribeFunction", set)
		if res := secInvoke(t, fn, secEvent[events.LambdaFunctionURLRequest](t, "unsubscribe-get.json")); res.Err == nil {
			t.Errorf("a cold start with %v served a request", set)
		}
		waitCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		logged := fn.WaitLogs(waitCtx, "cold start")
		cancel()
		if !logged {
			t.Errorf("the failed cold start with %v says nothing:\n%s", set, fn.Logs())
		}
	}

	// The day is built and queued (a cold start that works).
	digestFn := start("digest", "DigestFunction", nil)
	if res := secInvoke(t, digestFn, secEvent[events.EventBridgeEvent](t, "schedule.json")); res.Err != nil {
		t.Fatalf("digest: %v\n%s", res.Err, digestFn.Logs())
	}

	// Sends that SES refuses: every reader failed for good, and said so.
	sendFn := start("send", "SendFunction", failingSES)
	batches := secEvent[events.SQSEvent](t, "send-batch.json")
	for _, m := range st.sqs.Messages(st.queueURL) {
		batches.Records = append(batches.Records, events.SQSMessage{MessageId: m.ID, Body: m.Body, EventSource: "aws:sqs"})
	}
	if res := secInvoke(t, sendFn, batches); res.Err != nil {
		t.Fatalf("send: %v\n%s", res.Err, sendFn.Logs())
	}
	waitCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if !sendFn.WaitLogs(waitCtx, "not sent, for good") || sesCalls.Load() == 0 {
		t.Errorf("the refused sends left no trace in the logs (%d SES calls):\n%s", sesCalls.Load(), sendFn.Logs())
	}

	// The preview: a page, and a test send SES refuses.
	previewFn := start("preview", "PreviewFunction", failingSES)
	for _, name := range []string{"preview-get.json", "preview-post.json"} {
		if res := secInvoke(t, previewFn, secEvent[events.LambdaFunctionURLRequest](t, name)); res.Err != nil {
			t.Errorf("%s: %v", name, res.Err)
		}
	}

	// Unsubscribe links that do not check out, and one that does.
	unsubscribeFn := start("unsubscribe", "UnsubscribeFunction", nil)
	good := secEvent[events.LambdaFunctionURLRequest](t, "unsubscribe-post.json")
	q, err := url.ParseQuery(good.RawQueryString)
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(key, value string) events.LambdaFunctionURLRequest {
		r := good
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set(key, value)
		r.RawQueryString = v.Encode()
		return r
	}
	flipped := []byte(q.Get("t"))
	flipped[3] ^= 1
	for _, bad := range []events.LambdaFunctionURLRequest{
		tamper("t", string(flipped)),
		tamper("t", q.Get("t")[:20]),
		tamper("l", "weekly.newsdigest.example"),
		tamper("a", base64.RawURLEncoding.EncodeToString([]byte("ana.ruiz@example.com"))),
	} {
		res := secInvoke(t, unsubscribeFn, bad)
		var resp events.LambdaFunctionURLResponse
		if res.Err != nil || json.Unmarshal(res.Payload, &resp) != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a bad link: %v %s, want 400", res.Err, res.Payload)
		}
	}
	if res := secInvoke(t, unsubscribeFn, good); res.Err != nil {
		t.Errorf("the good link: %v", res.Err)
	}

	// Feedback that cannot be read, and a bounce that carries the
	// original message's headers (SES can include them), the reader's
	// unsubscribe link among them, with a time that cannot be read.
	feedbackFn := start("feedback", "FeedbackFunction", nil)
	tokens, err := digest.NewTokens([]byte(localKey))
	if err != nil {
		t.Fatal(err)
	}
	link := tokens.UnsubscribeURL("https://newsdigest.example/unsubscribe", "daily.newsdigest.example", "gone@example.com")
	withHeaders, _ := json.Marshal(map[string]any{
		"eventType": "Bounce",
		"bounce": map[string]any{"bounceType": "Permanent", "timestamp": "yesterday " + link,
			"bouncedRecipients": []map[string]string{{"emailAddress": "gone@example.com"}}},
		"mail": map[string]any{"headersTruncated": false, "headers": []map[string]string{
			{"name": "List-Unsubscribe", "value": "<" + link + ">"}}},
	})
	for _, message := range []string{"not json at all " + link, string(withHeaders)} {
		ev := secEvent[events.SNSEvent](t, "feedback-bounce-permanent.json")
		ev.Records[0].SNS.Message = message
		if res := secInvoke(t, feedbackFn, ev); res.Err == nil {
			t.Errorf("feedback %.40q was taken", message)
		}
	}

	// Every function's output, the emulator's included.
	var logs strings.Builder
	for _, fn := range all {
		logs.WriteString(fn.Logs())
	}
	out := logs.String()
	secrets := map[string]string{
		"the unsubscribe key":                  localKey,
		"the unsubscribe key, in base64":       base64.StdEncoding.EncodeToString([]byte(localKey))[:40],
		"the unsubscribe key, in URL base64":   base64.RawURLEncoding.EncodeToString([]byte(localKey))[:40],
		"the short unsubscribe key":            secShortKey,
		"the AWS secret access key":            secSecretKey,
		"the AWS session token":                secSessionToken,
		"the one-click link's token":           q.Get("t"),
		"the token of the bounced reader":      tokens.Sign("daily.newsdigest.example", "gone@example.com"),
		"the AWS secret access key, in base64": base64.StdEncoding.EncodeToString([]byte(secSecretKey))[:30],
	}
	f, err := os.Open("../examples/subscribers.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	subs, _, err := digest.ParseSubscribers(f, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		secrets["the token of "+s.Email] = tokens.Sign("daily.newsdigest.example", s.Email)
	}
	for what, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s is in the logs", what)
		}
	}
	if m := regexp.MustCompile(`[?&;]t=[A-Za-z0-9_-]{16,}`).FindString(out); m != "" {
		t.Errorf("an unsubscribe link's token is in the logs: %s", m)
	}
	// The logs do hold what happened: the check looked at something.
	for _, want := range []string{"cold start", "edition dispatched", "not sent, for good", "unsubscribed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the logs lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("the logs:\n%s", out)
	}
}
