// Package http serves the editor's preview over HTTP: any day's edition as
// the email, its plain text and its JSON, side by side, with each story's
// reason and the runners-up. The preview Lambda function serves the same
// handler behind a Function URL.
package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

// EditionFunc builds the edition of a day; for a day without articles it
// returns an error wrapping digest.ErrNoArticles.
type EditionFunc func(ctx context.Context, day digest.Date) (digest.Edition, error)

// RenderFunc renders an edition as the email a reader would get: HTML and
// plain text.
type RenderFunc func(digest.Edition) (html, text string, err error)

// TestSendFunc sends a day's edition to the given addresses as a test:
// recorded in no ledger, so that an editor may send it as often as needed.
type TestSendFunc func(ctx context.Context, day digest.Date, to []string) (digest.Report, error)

// Preview is the editor's preview handler.
type Preview struct {
	build  EditionFunc
	render RenderFunc
	today  func() digest.Date
	logger *slog.Logger
	// editors are the only addresses a test send may go to.
	editors  []string
	testSend TestSendFunc
}

// NewPreview returns the handler; today gives the date shown when a request
// names none.
func NewPreview(build EditionFunc, render RenderFunc, today func() digest.Date, logger *slog.Logger) *Preview {
	return &Preview{build: build, render: render, today: today, logger: logger}
}

// WithTestSend lets editors POST a test send of a day's edition, to their
// own addresses and no others: the preview URL is for editors, and must
// never become a way to mail anyone the edition.
func (p *Preview) WithTestSend(editors []string, send TestSendFunc) *Preview {
	p.editors, p.testSend = editors, send
	return p
}

// ServeHTTP answers GET ?date=YYYY-MM-DD[&format=html|text|json]: without
// a format, the editor's page; with one, that form of the edition alone.
// With test sends configured, POST date=YYYY-MM-DD[&to=ADDRESS…] sends the
// edition to the named editors, or to all of them.
func (p *Preview) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodPost && p.testSend != nil {
		p.serveTestSend(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		allow := "GET, HEAD"
		if p.testSend != nil {
			allow += ", POST"
		}
		w.Header().Set("Allow", allow)
		p.fail(w, r, p.today(), http.StatusMethodNotAllowed, "The preview shows editions (GET) and sends tests to editors (POST).")
		return
	}
	day := p.today()
	if s := r.URL.Query().Get("date"); s != "" {
		d, err := digest.ParseDate(s)
		if err != nil {
			p.fail(w, r, day, http.StatusBadRequest, fmt.Sprintf("%q is not a date: use YYYY-MM-DD.", s))
			return
		}
		day = d
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "html" && format != "text" && format != "json" {
		p.fail(w, r, day, http.StatusBadRequest, fmt.Sprintf("Format %q is not one of html, text, json.", format))
		return
	}

	e, err := p.build(r.Context(), day)
	switch {
	case errors.Is(err, digest.ErrNoArticles):
		p.fail(w, r, day, http.StatusNotFound, fmt.Sprintf("There are no articles for %s.", day))
		return
	case err != nil:
		p.logger.Error("preview: build edition", "date", day.String(), "error", err)
		p.fail(w, r, day, http.StatusInternalServerError, fmt.Sprintf("The edition of %s could not be built: the articles could not be read. The error is in the log.", day))
		return
	}
	if problem := editorialProblem(e); problem != "" {
		p.fail(w, r, day, http.StatusUnprocessableEntity, "The editorial file "+digest.EditorialKey(day)+" cannot be used: "+problem)
		return
	}
	if format == "json" {
		writeJSON(w, http.StatusOK, e)
		return
	}
	htmlPart, text, err := p.render(e)
	if err != nil {
		p.logger.Error("preview: render edition", "date", day.String(), "error", err)
		p.fail(w, r, day, http.StatusInternalServerError, "The edition could not be rendered. The error is in the log.")
		return
	}
	switch format {
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "script-src 'none'; object-src 'none'; base-uri 'none'")
		w.Write([]byte(htmlPart))
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(text))
	default:
		data, _ := json.MarshalIndent(e, "", "  ")
		p.page(w, http.StatusOK, pageView{Edition: &e, Date: day, HTML: htmlPart, Text: text, JSON: string(data),
			Prev: day.AddDays(-1), Next: day.AddDays(1)})
	}
}

// testSendAnswer is the answer to a test send.
type testSendAnswer struct {
	Date   digest.Date      `json:"date,omitzero"`
	To     []string         `json:"to"`
	Sent   int              `json:"sent"`
	Failed []digest.Problem `json:"failed,omitempty"`
	Error  string           `json:"error,omitempty"`
}

// maxTestSendBody bounds a test send's form: a date and a few addresses.
const maxTestSendBody = 4 << 10

func (p *Preview) serveTestSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTestSendBody)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, testSendAnswer{Error: "The request is not a form: send date=YYYY-MM-DD and, optionally, to=ADDRESS."})
		return
	}
	answer := testSendAnswer{Date: p.today()}
	if s := r.Form.Get("date"); s != "" {
		d, err := digest.ParseDate(s)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, testSendAnswer{Error: fmt.Sprintf("%q is not a date: use YYYY-MM-DD.", s)})
			return
		}
		answer.Date = d
	}
	answer.To = p.editors
	var asked []string
	for _, a := range r.Form["to"] {
		if a = strings.TrimSpace(a); a != "" {
			asked = append(asked, a)
		}
	}
	if len(asked) > 0 {
		answer.To = nil
		for _, a := range asked {
			i := slices.IndexFunc(p.editors, func(e string) bool { return digest.EmailKey(e) == digest.EmailKey(a) })
			if i < 0 {
				answer.Error = fmt.Sprintf("%q is not one of the editors' addresses; test sends go only to those.", a)
				writeJSON(w, http.StatusForbidden, answer)
				return
			}
			// The configured address, never the one asked for, and once.
			if !slices.Contains(answer.To, p.editors[i]) {
				answer.To = append(answer.To, p.editors[i])
			}
		}
	}
	report, err := p.testSend(r.Context(), answer.Date, answer.To)
	answer.Sent, answer.Failed = report.Sent, append(report.Failed, report.Deferred...)
	switch {
	case errors.Is(err, digest.ErrNoArticles):
		answer.Error = fmt.Sprintf("There are no articles for %s.", answer.Date)
		writeJSON(w, http.StatusNotFound, answer)
	case err != nil:
		p.logger.ErrorContext(r.Context(), "preview: test send", "date", answer.Date.String(), "error", err)
		answer.Error = "The test could not be sent. The error is in the log."
		writeJSON(w, http.StatusInternalServerError, answer)
	case len(answer.Failed) > 0:
		answer.Error = "Some test emails were not sent."
		writeJSON(w, http.StatusBadGateway, answer)
	default:
		writeJSON(w, http.StatusOK, answer)
	}
}

// editorialProblem is the reason the day's editorial file was set aside,
// if it was.
func editorialProblem(e digest.Edition) string {
	for _, s := range e.Skipped {
		if s.Key == digest.EditorialKey(e.Date) {
			return s.Error
		}
	}
	return ""
}

// fail answers with an error page, or JSON when the request asked for it:
// a sentence for the editor, never a stack trace.
func (p *Preview) fail(w http.ResponseWriter, r *http.Request, day digest.Date, status int, message string) {
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, status, map[string]string{"error": message})
		return
	}
	p.page(w, status, pageView{Error: message, Date: day})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// pageView is what the editor's page shows.
type pageView struct {
	Edition          *digest.Edition
	Date, Prev, Next digest.Date
	HTML, Text, JSON string
	Error            string
}

func (p *Preview) page(w http.ResponseWriter, status int, v pageView) {
	var b bytes.Buffer
	if err := previewPage.Execute(&b, v); err != nil {
		p.logger.Error("preview: page", "error", err)
		http.Error(w, "The page could not be drawn.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The email is shown in a sandboxed frame; the page itself runs no script.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-src 'self'; form-action 'self'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

var previewPage = template.Must(template.New("preview").Funcs(template.FuncMap{
	"long": func(d digest.Date) string {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .Error }}Preview: error{{ else }}Preview: {{ .Edition.Subject }}{{ end }}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; line-height: 1.45; }
header { background: #1f2328; color: #ffffff; padding: 12px 20px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header a { color: #ffffff; }
form { display: flex; gap: 8px; align-items: center; }
main { padding: 16px 20px; }
.summary { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
.panes { display: grid; grid-template-columns: minmax(0, 640px) minmax(0, 1fr); gap: 16px; }
.pane { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; min-width: 0; }
.pane h2, .summary h2 { font-size: 15px; margin: 0 0 8px 0; }
iframe { width: 100%; height: 1400px; border: 1px solid #d0d7de; background: #ffffff; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; margin: 0; }
.error { background: #ffebe9; border: 1px solid #cf222e; color: #82071e; padding: 16px; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; border-top: 1px solid #d0d7de; padding: 6px; vertical-align: top; }
.why { color: #4d5560; font-size: 13px; }
@media (max-width: 900px) { .panes { grid-template-columns: minmax(0, 1fr); } }
</style>
</head>
<body>
<header>
<h1>Edition preview</h1>
<form method="get" action="">
<label for="date">Date</label>
<input id="date" type="date" name="date" value="{{ .Date }}">
<button type="submit">Show</button>
</form>
{{- if .Edition }}
<a href="?date={{ .Prev }}">← {{ .Prev }}</a>
<a href="?date={{ .Next }}">{{ .Next }} →</a>
<a href="?date={{ .Date }}&amp;format=json">JSON</a>
{{- end }}
</header>
<main>
{{- if .Error }}
<div class="error" role="alert"><h2>Nothing to preview</h2><p>{{ .Error }}</p></div>
{{- else }}
<section class="summary">
<h2>{{ long .Date }}</h2>
<p><strong>Subject:</strong> {{ .Edition.Subject }}<br><strong>Preheader:</strong> {{ .Edition.Preheader }}</p>
<p>{{ len .Edition.Stories }} stories from {{ .Edition.Stats.Articles }} articles by {{ .Edition.Stats.Outlets }} outlets; {{ len .Edition.RunnersUp }} runners-up; {{ len .Edition.Skipped }} files skipped.</p>
{{- range .Edition.Notes }}<p class="why">Note: {{ . }}</p>{{ end }}
</section>
<div class="panes">
<section class="pane"><h2>The email</h2>
<iframe title="The email as readers see it" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="{{ .HTML }}"></iframe>
</section>
<section class="pane"><h2>Why each story</h2>
<ol>{{ range .Edition.Stories }}<li><strong>{{ .Title }}</strong> <span class="why">({{ .Source }}, {{ .Section }}, score {{ printf "%.2f" .Score }})</span><br><span class="why">{{ .Why }}</span></li>{{ end }}</ol>
<h2>Runners-up</h2>
<table><thead><tr><th scope="col">Story</th><th scope="col">Score</th><th scope="col">Why not</th></tr></thead><tbody>
{{- range .Edition.RunnersUp }}<tr><td>{{ .Title }}<br><span class="why">{{ .Source }}{{ range .Also }}, {{ .Source }}{{ end }}</span></td><td>{{ printf "%.2f" .Score }}</td><td class="why">{{ .Why }}</td></tr>{{ end }}
</tbody></table>
{{- if .Edition.Skipped }}<h2>Skipped files</h2><ul>{{ range .Edition.Skipped }}<li><code>{{ .Key }}</code>: {{ .Error }}</li>{{ end }}</ul>{{ end }}
<h2>Plain text</h2>
<pre>{{ .Text }}</pre>
<details><summary>JSON</summary><pre>{{ .JSON }}</pre></details>
</section>
</div>
{{- end }}
</main>
</body>
</html>
`))
