package awslambda

// The preview function's test sends, through its own wiring (NewPreview:
// the configuration, the unsubscribe key from Parameter Store, the SES
// sender, the Deliverer), against in-process stand-ins: gofakes3 for the
// articles, the project's Parameter Store, and an SES endpoint that
// records every SendEmail. Whatever the request names, only the editors'
// addresses reach SES; and nothing secret reaches the logs.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/awslocal"
)

const (
	secKey       = "newsdigest-local-unsubscribe-key-not-secret-000000"
	secKeyParam  = "/newsdigest/unsubscribe-key"
	secBucket    = "newsdigest-local"
	secAWSSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY0"
	secAWSToken  = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET0000"
)

// sesRecorder is an SES v2 endpoint that keeps every SendEmail and
// answers with an id, or with MessageRejected while reject is set.
type sesRecorder struct {
	mu     sync.Mutex
	sends  []sesSend
	reject bool
}

type sesSend struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses, CcAddresses, BccAddresses []string }
	Content          struct{ Raw struct{ Data []byte } }
}

func (s *sesRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		http.Error(w, `{"message":"not served"}`, http.StatusNotFound)
		return
	}
	var in sesSend
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject {
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message":"Email address is not verified."}`))
		return
	}
	s.sends = append(s.sends, in)
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"MessageId":"ses-` + strings.Repeat("0", 8) + `"}`))
}

func (s *sesRecorder) take() []sesSend {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sends
	s.sends = nil
	return out
}

// secClients are SDK clients on the in-process stand-ins, signing with
// credentials that must never reach a log.
func secClients(t *testing.T) (Clients, *sesRecorder) {
	t.Helper()
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIASECURITYTEST0000", secAWSSecret, secAWSToken)

	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	s3c := s3.New(s3.Options{BaseEndpoint: aws.String(s3srv.URL), Region: "eu-west-1", UsePathStyle: true, Credentials: creds})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(secBucket)}); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2026/11/24", "2026/11/25", "2026/11/26"} {
		dir := filepath.Join("..", "..", "examples", "articles", filepath.FromSlash(day))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(secBucket), Key: aws.String(articlesPrefix + day + "/" + e.Name()),
				Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		}
	}

	params, ssmURL := awslocal.StartSSM(t)
	params.Put(secKeyParam, secKey, true)

	rec := &sesRecorder{}
	sesSrv := httptest.NewServer(rec)
	t.Cleanup(sesSrv.Close)
	return Clients{
		S3:  s3c,
		SES: sesv2.New(sesv2.Options{BaseEndpoint: aws.String(sesSrv.URL), Region: "eu-west-1", Credentials: creds, Retryer: aws.NopRetryer{}}),
		SSM: ssm.New(ssm.Options{BaseEndpoint: aws.String(ssmURL), Region: "eu-west-1", Credentials: creds}),
	}, rec
}

func secPreviewConfig(editors ...string) PreviewConfig {
	return PreviewConfig{EditionConfig: EditionConfig{Bucket: secBucket, TimeZone: "Europe/London", MaxStories: 8, ProductName: "The Newsdigest Daily",
		SiteURL: "https://newsdigest.example", PostalAddress: "Newsdigest, 1 Quay Street, Port Alder", ArchiveURL: "https://newsdigest.example/archive"},
		From: "The Newsdigest Daily <digest@newsdigest.example>", ListID: "daily.newsdigest.example",
		UnsubscribeURL: "https://newsdigest.example/unsubscribe", KeyParameter: secKeyParam, Editors: editors}
}

// secPost is a Function URL POST of the form, as the preview URL gets it.
func secPost(form string) events.LambdaFunctionURLRequest {
	var req events.LambdaFunctionURLRequest
	req.RequestContext.HTTP.Method = http.MethodPost
	req.RequestContext.DomainName = "preview.lambda-url.eu-west-1.on.aws"
	req.Headers = map[string]string{"content-type": "application/x-www-form-urlencoded"}
	req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(form)), true
	return req
}

func TestPreviewFunctionTestSendsReachOnlyEditors(t *testing.T) {
	clients, ses := secClients(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	editors := []string{"editor@newsdigest.example", "Desk@Newsdigest.example"}
	h, err := NewPreview(context.Background(), secPreviewConfig(editors...), clients, logger)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string // the addresses SES gets, in any order
	}{
		{"every editor", url.Values{"date": {"2026-11-26"}}, http.StatusOK, editors},
		{"one editor, another case", url.Values{"date": {"2026-11-26"}, "to": {"DESK@newsdigest.example"}}, http.StatusOK, []string{"Desk@Newsdigest.example"}},
		{"an editor twice", url.Values{"date": {"2026-11-26"}, "to": {"editor@newsdigest.example", "Editor@newsdigest.example"}}, http.StatusOK, []string{"editor@newsdigest.example"}},
		{"a stranger", url.Values{"date": {"2026-11-26"}, "to": {"someone@else.example"}}, http.StatusForbidden, nil},
		{"an editor and a stranger", url.Values{"date": {"2026-11-26"}, "to": {"editor@newsdigest.example", "someone@else.example"}}, http.StatusForbidden, nil},
		{"CRLF and a Bcc", url.Values{"date": {"2026-11-26"}, "to": {"editor@newsdigest.example\r\nBcc: someone@else.example"}}, http.StatusForbidden, nil},
		{"a list in one", url.Values{"date": {"2026-11-26"}, "to": {"editor@newsdigest.example,someone@else.example"}}, http.StatusForbidden, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(context.Background(), secPost(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			var got []string
			for _, s := range ses.take() {
				if n := len(s.Destination.CcAddresses) + len(s.Destination.BccAddresses); n != 0 || len(s.Destination.ToAddresses) != 1 {
					t.Errorf("destination %+v, want one To", s.Destination)
				}
				got = append(got, s.Destination.ToAddresses...)
				msg, err := mail.ReadMessage(bytes.NewReader(s.Content.Raw.Data))
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range []string{"Bcc", "Cc"} {
					if v, ok := msg.Header[h]; ok {
						t.Errorf("the raw message has %s: %q", h, v)
					}
				}
				if to, err := mail.ParseAddressList(msg.Header.Get("To")); err != nil || len(to) != 1 || to[0].Address != s.Destination.ToAddresses[0] {
					t.Errorf("raw To %q, want the destination alone", msg.Header.Get("To"))
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("SES got %q, want %q", got, want)
			}
		})
	}

	// A failing SES: the editor is told, and the logs hold no secret.
	ses.mu.Lock()
	ses.reject = true
	ses.mu.Unlock()
	resp, err := h.Handle(context.Background(), secPost("date=2026-11-26&to=editor@newsdigest.example"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("a refused test send: status %d, want 502: %s", resp.StatusCode, resp.Body)
	}
	if get, _ := h.Handle(context.Background(), events.LambdaFunctionURLRequest{RawQueryString: "date=2026-01-01"}); get.StatusCode != http.StatusNotFound {
		t.Errorf("a day without articles: status %d", get.StatusCode)
	}
	tokens, err := digest.NewTokens([]byte(secKey))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"msg":"mail sent"`) {
		t.Errorf("the logs do not show the sends, so their check shows nothing:\n%s", logs.String())
	}
	secNoSecrets(t, logs.String(), tokens, editors)
	secNoSecrets(t, resp.Body, tokens, editors)
}

// secTokenParam is a t= parameter of an unsubscribe link.
var secTokenParam = regexp.MustCompile(`[?&;]t=[A-Za-z0-9_-]{20,}`)

// secNoSecrets fails the test when text holds the unsubscribe key (as it
// is, or base64), an unsubscribe token of any of the addresses, a t=
// parameter, or the AWS credentials.
func secNoSecrets(t *testing.T, text string, tokens *digest.Tokens, emails []string) {
	t.Helper()
	secrets := map[string]string{
		"the unsubscribe key":             secKey,
		"the unsubscribe key, in base64":  base64.StdEncoding.EncodeToString([]byte(secKey))[:40],
		"the AWS secret access key":       secAWSSecret,
		"the AWS session token":           secAWSToken,
		"an unsubscribe link's parameter": "",
	}
	for _, e := range emails {
		secrets["the token of "+e] = tokens.Sign("daily.newsdigest.example", e)
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s is in the output", what)
		}
	}
	if m := secTokenParam.FindString(text); m != "" {
		t.Errorf("an unsubscribe token is in the output: %s", m)
	}
}
