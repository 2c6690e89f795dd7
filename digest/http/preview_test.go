package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

var day = digest.Date{Year: 2026, Month: 11, Day: 26}

// fakeEditions builds editions from a table, for unit tests of the handler.
func fakeEditions(ctx context.Context, d digest.Date) (digest.Edition, error) {
	switch d.Day {
	case 26:
		return digest.Edition{Date: d, Subject: "Nov 26: <script>x</script> & more", Stories: []digest.Story{
			{ID: "a", Title: "Tram <b>approved</b>", Why: "Reported by 3 outlets.", Source: "Civic Wire", Section: "local"},
		}, RunnersUp: []digest.Story{{ID: "b", Title: "Runner-up story", Why: "Score 3.10, below the cut."}}}, nil
	case 27:
		return digest.Edition{Date: d, Skipped: []digest.Skipped{{Key: "editorial/2026-11-27.json", Error: `unknown field "pins"`}}}, nil
	case 28:
		return digest.Edition{}, fmt.Errorf("list 2026-11-28: %w", errors.New("SlowDown: secret-bucket-name"))
	}
	return digest.Edition{}, fmt.Errorf("%w for %s", digest.ErrNoArticles, d)
}

func fakeRender(e digest.Edition) (string, string, error) {
	return "<html><body><h1>EMAIL " + e.Subject + "</h1></body></html>", "TEXT " + e.Subject, nil
}

func newTestPreview() *Preview {
	return NewPreview(fakeEditions, fakeRender, func() digest.Date { return day }, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func get(t *testing.T, p *Preview, method, target string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestPreviewPage(t *testing.T) {
	code, body, header := get(t, newTestPreview(), "GET", "/?date=2026-11-26")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`srcdoc="&lt;html&gt;&lt;body&gt;&lt;h1&gt;EMAIL Nov 26: &lt;script&gt;x&lt;/script&gt; &amp; more`, // the email, escaped into the frame
		`sandbox="allow-popups allow-popups-to-escape-sandbox"`,
		"Tram &lt;b&gt;approved&lt;/b&gt;", "Reported by 3 outlets.", "Runner-up story", "Score 3.10, below the cut.",
		"TEXT Nov 26: &lt;script&gt;x&lt;/script&gt; &amp; more", `value="2026-11-26"`, `href="?date=2026-11-25"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("page carries a script tag")
	}
	if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("content security policy %q", csp)
	}
}

func TestPreviewFormats(t *testing.T) {
	tests := []struct {
		format, contentType, want string
	}{
		{"html", "text/html; charset=utf-8", "<h1>EMAIL Nov 26:"},
		{"text", "text/plain; charset=utf-8", "TEXT Nov 26:"},
		{"json", "application/json", `"subject": "Nov 26: \u003cscript\u003ex\u003c/script\u003e \u0026 more"`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, body, header := get(t, newTestPreview(), "GET", "/?date=2026-11-26&format="+tt.format)
			if code != http.StatusOK || header.Get("Content-Type") != tt.contentType || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, type %q, body %.120q", code, header.Get("Content-Type"), body)
			}
		})
	}
}

func TestPreviewErrors(t *testing.T) {
	tests := []struct {
		name, method, target string
		status               int
		want                 string
	}{
		{"no articles", "GET", "/?date=2026-11-01", http.StatusNotFound, "There are no articles for 2026-11-01."},
		{"broken editorial file", "GET", "/?date=2026-11-27", http.StatusUnprocessableEntity, "editorial/2026-11-27.json cannot be used: unknown field &#34;pins&#34;"},
		{"store failure", "GET", "/?date=2026-11-28", http.StatusInternalServerError, "could not be built"},
		{"bad date", "GET", "/?date=26/11/2026", http.StatusBadRequest, "is not a date"},
		{"bad format", "GET", "/?date=2026-11-26&format=pdf", http.StatusBadRequest, "is not one of html, text, json"},
		{"POST without test sends", "POST", "/?date=2026-11-26", http.StatusMethodNotAllowed, "sends tests to editors (POST)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := get(t, newTestPreview(), tt.method, tt.target)
			if code != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, want %d; body lacks %q:\n%.300s", code, tt.status, tt.want, body)
			}
			if strings.Contains(body, "secret-bucket-name") || strings.Contains(body, "goroutine") {
				t.Error("the error page shows internals")
			}
		})
	}
}

func TestPreviewErrorsAsJSON(t *testing.T) {
	code, body, _ := get(t, newTestPreview(), "GET", "/?date=2026-11-01&format=json")
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || code != http.StatusNotFound || got["error"] == "" {
		t.Errorf("status %d, body %q", code, body)
	}
}

// recordingSend is a test send that records what it was asked and fails
// for one address.
type recordingSend struct {
	day digest.Date
	to  []string
}

func (s *recordingSend) send(ctx context.Context, d digest.Date, to []string) (digest.Report, error) {
	s.day, s.to = d, to
	if d.Day == 1 {
		return digest.Report{}, fmt.Errorf("%w for %s", digest.ErrNoArticles, d)
	}
	var r digest.Report
	for _, a := range to {
		if a == "bouncy@example.com" {
			r.Failed = append(r.Failed, digest.Problem{Email: a, Reason: "refused"})
			continue
		}
		r.Sent++
	}
	return r, nil
}

func TestPreviewTestSend(t *testing.T) {
	editors := []string{"Editor@Example.com", "desk@example.com", "bouncy@example.com"}
	tests := []struct {
		name     string
		form     string
		status   int
		wantTo   []string
		wantSent int
		wantErr  string
	}{
		{"one editor, any case", "date=2026-11-25&to=editor@example.com", http.StatusOK, []string{"Editor@Example.com"}, 1, ""},
		{"a blank address means every editor", "date=2026-11-25&to=", http.StatusBadGateway, editors, 2, "Some test emails were not sent."},
		{"all editors", "date=2026-11-25", http.StatusBadGateway, editors, 2, "Some test emails were not sent."},
		{"a stranger", "date=2026-11-25&to=editor@example.com&to=someone@else.example", http.StatusForbidden, nil, 0, "is not one of the editors"},
		{"bad date", "date=yesterday", http.StatusBadRequest, nil, 0, "is not a date"},
		{"no articles", "date=2026-11-01&to=desk@example.com", http.StatusNotFound, []string{"desk@example.com"}, 0, "There are no articles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &recordingSend{}
			p := newTestPreview().WithTestSend(editors, s.send)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/", strings.NewReader(tt.form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			p.ServeHTTP(rec, req)
			var got testSendAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("answer is not JSON: %v\n%s", err, rec.Body)
			}
			if rec.Code != tt.status || got.Sent != tt.wantSent || !strings.Contains(got.Error, tt.wantErr) {
				t.Errorf("status %d sent %d error %q; want %d, %d, %q", rec.Code, got.Sent, got.Error, tt.status, tt.wantSent, tt.wantErr)
			}
			if fmt.Sprint(s.to) != fmt.Sprint(tt.wantTo) {
				t.Errorf("sent to %v, want %v", s.to, tt.wantTo)
			}
		})
	}
}
