package ses_test

// Header injection at the SES request: the message tags, the envelope
// addresses and the raw message's headers. A hostile value is refused
// before any call, with ErrInvalidMail naming what is wrong.

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/ses"
)

// recordingAPI keeps every SendEmail request and answers with an id.
type recordingAPI struct {
	mu  sync.Mutex
	ins []*sesv2.SendEmailInput
}

func (r *recordingAPI) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ins = append(r.ins, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("ses-id")}, nil
}

func (r *recordingAPI) GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error) {
	return &sesv2.GetAccountOutput{}, nil
}

func TestSESRequestRefusesHeaderInjection(t *testing.T) {
	controls := []struct{ name, s string }{{"CRLF", "\r\n"}, {"LF", "\n"}, {"CR", "\r"}, {"NUL", "\x00"}, {"ESC", "\x1b"},
		{"NEL", "\u0085"}, {"LS", "\u2028"}, {"PS", "\u2029"}}
	tests := []struct {
		name string
		edit func(m *digest.Mail, c string)
		// what the error must name
		want string
	}{
		{"tag value", func(m *digest.Mail, c string) {
			m.Tags = map[string]string{"edition": "2026-11-26" + c + "Bcc: victim@evil.example"}
		}, "tag"},
		{"tag name", func(m *digest.Mail, c string) { m.Tags = map[string]string{"edition" + c: "2026-11-26"} }, "tag"},
		{"To display name", func(m *digest.Mail, c string) { m.To.Name = "Zoë" + c + "Bcc: victim@evil.example" }, "header To"},
		{"To address", func(m *digest.Mail, c string) { m.To.Email = "zoe@reader.example" + c + "Bcc: victim@evil.example" }, "header To"},
		{"From address", func(m *digest.Mail, c string) { m.From.Email = "daily@newsdigest.example" + c }, "header From"},
		{"Subject", func(m *digest.Mail, c string) { m.Subject = "26 nov." + c + "Bcc: victim@evil.example" }, "header Subject"},
		{"List-Id", func(m *digest.Mail, c string) { m.ListID = "daily.newsdigest.example" + c }, "header List-Id"},
		{"List-Unsubscribe", func(m *digest.Mail, c string) { m.ListUnsubscribeURL = "https://newsdigest.example/u?t=abc" + c }, "header List-Unsubscribe"},
		{"Message-ID", func(m *digest.Mail, c string) { m.MessageID = "<a" + c + "@newsdigest.example>" }, "header Message-ID"},
	}
	for _, tt := range tests {
		for _, c := range controls {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				api := &recordingAPI{}
				sender := newSender(t, ses.Config{ConfigurationSet: "newsdigest"}, api)
				m := testMail()
				tt.edit(&m, c.s)
				_, err := sender.Send(context.Background(), m)
				if !errors.Is(err, digest.ErrInvalidMail) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Send: %v; want ErrInvalidMail naming %q", err, tt.want)
				}
				if len(api.ins) != 0 {
					t.Errorf("%d SendEmail calls, want none", len(api.ins))
				}
			})
		}
	}
}

// TestSESRequestCarriesOnlyTheReader: the envelope holds the reader's
// bare address alone and the sender's; the display names travel only in
// the raw message, encoded, and no Cc or Bcc appears.
func TestSESRequestCarriesOnlyTheReader(t *testing.T) {
	api := &recordingAPI{}
	sender := newSender(t, ses.Config{ConfigurationSet: "newsdigest"}, api)
	m := testMail()
	m.To.Name = `=?utf-8?q?Zo=C3=AB=0D=0ABcc:_victim@evil.example?= <victim@evil.example>, other@evil.example`
	if _, err := sender.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(api.ins) != 1 {
		t.Fatalf("%d calls, want 1", len(api.ins))
	}
	in := api.ins[0]
	if got := in.Destination.ToAddresses; len(got) != 1 || got[0] != "zoe@reader.example" || len(in.Destination.CcAddresses)+len(in.Destination.BccAddresses) != 0 {
		t.Errorf("destination %+v, want zoe@reader.example alone", in.Destination)
	}
	if aws.ToString(in.FromEmailAddress) != "daily@newsdigest.example" {
		t.Errorf("from %q", aws.ToString(in.FromEmailAddress))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(in.Content.Raw.Data))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Bcc", "Cc"} {
		if _, ok := msg.Header[h]; ok {
			t.Errorf("raw message has a %s header", h)
		}
	}
	to, err := mail.ParseAddressList(msg.Header.Get("To"))
	if err != nil || len(to) != 1 || to[0].Address != "zoe@reader.example" || to[0].Name != m.To.Name {
		t.Errorf("To %q reads as %v (%v), want one address named as given", msg.Header.Get("To"), to, err)
	}
	if len(in.EmailTags) != 1 || aws.ToString(in.EmailTags[0].Name) != "edition" || aws.ToString(in.EmailTags[0].Value) != "2026-11-26" {
		t.Errorf("tags %+v", in.EmailTags)
	}
}
