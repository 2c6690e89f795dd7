package ses_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	"github.com/newsdigest/newsdigest/digest/ses"
	"github.com/newsdigest/newsdigest/internal/seslocal"
)

// answered answers every request in process with SendEmail's reply,
// after reading the body as a server would: what is left is the client's
// own work.
type answered struct{}

func (answered) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(`{"MessageId":"0100018c-bench"}`)),
		Request: req,
	}, nil
}

// benchMail is one reader's message of a ten-story edition, as the
// delivery builds it: the copy spliced from the rendered edition, a
// one-click link and the edition's tag.
func benchMail(b *testing.B) digest.Mail {
	b.Helper()
	e := digest.Edition{Date: digest.Date{Year: 2026, Month: 11, Day: 26}, Subject: "Nov 26: Council approves £200 m tram line — and 9 more",
		Preheader: "Port Alder council voted 31 to 18.", Intro: "Good morning. Ten stories today, from six outlets."}
	for i := range 10 {
		s := digest.Story{
			Anchor: fmt.Sprintf("story-%d", i), Title: fmt.Sprintf("Council approves £%d m tram line after an eight-hour debate", 200+i),
			URL: fmt.Sprintf("https://news.example/story/%d", i), Source: "Civic Wire", Section: "local",
			Lead: "Port Alder council voted 31 to 18 on Tuesday night to build a £240 million tram line from the central station to the hospital, with nine stops and trams every six minutes at peak times. Work starts in spring 2027.",
		}
		for j := range 3 {
			s.Also = append(s.Also, digest.Also{Source: fmt.Sprintf("Outlet %d", j), Title: "Another report", URL: fmt.Sprintf("https://outlet%d.example/%d", j, i)})
			s.Related = append(s.Related, digest.Related{Title: "A related headline about the same council", URL: fmt.Sprintf("https://news.example/rel/%d/%d", i, j)})
		}
		e.Stories = append(e.Stories, s)
	}
	r, err := hermes.NewRenderer(hermes.Config{ProductName: "The Harbour Digest", SiteURL: "https://digest.example", PostalAddress: "Harbour Digest Ltd, 4 Quay Street, Port Alder PA1 2QS"})
	if err != nil {
		b.Fatal(err)
	}
	rendered, err := r.Render(e)
	if err != nil {
		b.Fatal(err)
	}
	unsubscribe := "https://digest.example/unsubscribe?a=YW5hQGV4YW1wbGUuY29t&l=daily.digest.example&t=3q2-7w"
	c, err := rendered.Personalize(digest.Personal{Name: "Ana", UnsubscribeURL: unsubscribe, ViewURL: "https://digest.example/archive/2026-11-26/"})
	if err != nil {
		b.Fatal(err)
	}
	return digest.Mail{From: digest.Address{Name: "The Harbour Digest", Email: "daily@digest.example"},
		To: digest.Address{Name: "Ana Ruiz", Email: "ana@example.com"}, Subject: c.Subject, HTML: c.HTML, Text: c.Text,
		ListID: "daily.digest.example", ListUnsubscribeURL: unsubscribe, MessageID: "<bench@digest.example>",
		Tags: map[string]string{"edition": "2026-11-26"}}
}

// BenchmarkSendRequest is the client's side of one send, without the
// network: MIME, the SendEmail input, the SDK's JSON and SigV4 signing,
// and reading the answer, for a ten-story edition (44 KB a message).
// `go test -run '^$' -bench SendRequest -benchmem -cpu 1 ./digest/ses`
func BenchmarkSendRequest(b *testing.B) {
	client := seslocal.Client(b, "http://ses.bench.invalid", func(o *sesv2.Options) {
		o.HTTPClient = &http.Client{Transport: answered{}}
	})
	sender := newSender(b, ses.Config{ConfigurationSet: "newsdigest-events"}, client)
	m := benchMail(b)
	ctx := ctxFor(b)
	for b.Loop() {
		if _, err := sender.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}
