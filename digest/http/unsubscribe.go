package http

import (
	"bytes"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

// Unsubscribe is the unsubscribe endpoint, the handler the unsubscribe
// Lambda function serves. A POST with List-Unsubscribe=One-Click (RFC 8058,
// what Gmail's button sends, and what the confirmation page's button
// sends) unsubscribes and answers 200, with no redirect, however often it
// comes. A GET only shows the confirmation page: link scanners and
// prefetchers open GET links, and must not unsubscribe anyone. Every link
// that does not check out gets the same answer, which says nothing of why.
type Unsubscribe struct {
	tokens  *digest.Tokens
	list    string
	product string
	store   digest.Suppressor
	now     func() time.Time
	logger  *slog.Logger
}

// NewUnsubscribe returns the handler for one list.
func NewUnsubscribe(tokens *digest.Tokens, list, product string, store digest.Suppressor, now func() time.Time, logger *slog.Logger) *Unsubscribe {
	if now == nil {
		now = time.Now
	}
	return &Unsubscribe{tokens: tokens, list: list, product: product, store: store, now: now, logger: logger}
}

// maxUnsubscribeBody bounds a POST body: the one-click form is 26 bytes.
const maxUnsubscribeBody = 4 << 10

func (u *Unsubscribe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	list, email, err := u.tokens.CheckUnsubscribe(r.URL.Query())
	if err != nil || list != u.list {
		u.page(w, http.StatusBadRequest, unsubscribeView{Title: "This link is not valid",
			Message: "This unsubscribe link is not valid. Use the link in the footer of the email you received."})
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		u.page(w, http.StatusOK, unsubscribeView{Title: "Unsubscribe", Confirm: true, Email: email, Product: u.product})
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxUnsubscribeBody)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("List-Unsubscribe") != "One-Click" {
			u.page(w, http.StatusBadRequest, unsubscribeView{Title: "Nothing changed",
				Message: "The request did not ask to unsubscribe. Use the button on the unsubscribe page."})
			return
		}
		err := u.store.Suppress(r.Context(), email, digest.StatusUnsubscribed, "one-click unsubscribe", u.now())
		if err != nil && !errors.Is(err, digest.ErrUnknownSubscriber) {
			u.logger.ErrorContext(r.Context(), "unsubscribe", "error", err)
			u.page(w, http.StatusServiceUnavailable, unsubscribeView{Title: "Please try again",
				Message: "We could not record your request just now. Please try again in a minute."})
			return
		}
		u.logger.InfoContext(r.Context(), "unsubscribed", "list", list, "known", err == nil)
		u.page(w, http.StatusOK, unsubscribeView{Title: "You are unsubscribed", Done: true, Email: email, Product: u.product})
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		u.page(w, http.StatusMethodNotAllowed, unsubscribeView{Title: "Not allowed", Message: "Use the button on the unsubscribe page."})
	}
}

type unsubscribeView struct {
	Title, Message, Email, Product string
	Confirm, Done                  bool
}

func (u *Unsubscribe) page(w http.ResponseWriter, status int, v unsubscribeView) {
	var b bytes.Buffer
	if err := unsubscribePage.Execute(&b, v); err != nil {
		u.logger.Error("unsubscribe page", "error", err)
		http.Error(w, "The page could not be drawn.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// unsubscribePage asks before it acts: its button POSTs the same link
// with List-Unsubscribe=One-Click.
var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ .Title }}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; background: #ffffff; }
button { font-size: 1rem; padding: 0.6rem 1.2rem; background: #1f2328; color: #ffffff; border: 0; border-radius: 4px; cursor: pointer; }
@media (prefers-color-scheme: dark) { body { color: #e6edf3; background: #0d1117; } button { background: #e6edf3; color: #0d1117; } }
</style>
</head>
<body>
<h1>{{ .Title }}</h1>
{{- if .Confirm }}
<p>Stop sending {{ .Product }} to <strong>{{ .Email }}</strong>?</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
{{- else if .Done }}
<p><strong>{{ .Email }}</strong> will get no more of {{ .Product }}. We are sorry to see you go.</p>
{{- else }}
<p>{{ .Message }}</p>
{{- end }}
</body>
</html>
`))
