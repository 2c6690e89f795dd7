package http_test

// The editor's preview shows article text (titles, leads, outlets, the
// reasons, runners-up, skipped file names and errors, notes) and the
// email itself in a sandboxed frame: none of it may become markup. Each
// form of the preview is parsed with golang.org/x/net/html and held to
// the same form of a harmless edition of the same shape.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

var secHostile = []string{
	`<script>alert("title")</script>`,
	`"><img src=x onerror=alert(1)>`,
	`' onmouseover='alert(1)' x='`,
	`</style><script>alert(1)</script>`,
	`</textarea></pre></title><script>alert(1)</script>`,
	`{{ .Edition.Subject }}{{ template "preview" }}`,
	`[click me](javascript:alert(1))`,
	`&lt;script&gt;alert(1)&lt;/script&gt; &amp;`,
	`<svg onload=alert(1)><a href="javascript:alert(1)">x</a>`,
	`javascript:alert(document.cookie)`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<base href="https://evil.example/">`,
}

var secHostileURLs = []string{"javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
	`https://evil.example/"><script>alert(1)</script>`}

// secPreviewEdition fills every field the preview shows from text, and
// every link from link.
func secPreviewEdition(text, link func(field string) string) digest.Edition {
	story := func(kind string, n int) digest.Story {
		f := func(name string) string { return text(fmt.Sprintf("%s %d %s", kind, n, name)) }
		return digest.Story{ID: fmt.Sprintf("%s%d", kind, n), Anchor: fmt.Sprintf("story-%s%d", kind, n), Title: f("title"),
			URL: link(fmt.Sprintf("%s %d", kind, n)), Source: f("source"), Section: f("section"), Lead: f("lead"), Why: f("why"),
			Score: 3.5, Also: []digest.Also{{Source: f("also source"), Title: f("also title"), URL: link(fmt.Sprintf("%s %d also", kind, n))}},
			Related: []digest.Related{{Title: f("related title"), URL: link(fmt.Sprintf("%s %d related", kind, n))}}}
	}
	return digest.Edition{
		Date:    digest.Date{Year: 2026, Month: 11, Day: 26},
		Subject: text("subject"), Preheader: text("preheader"), Intro: text("intro"),
		Stories:   []digest.Story{story("story", 1), story("story", 2)},
		RunnersUp: []digest.Story{story("runner-up", 1)},
		Skipped:   []digest.Skipped{{Key: "2026/11/26/" + text("skipped key"), Error: text("skipped error")}},
		Notes:     []string{text("note")},
	}
}

func secPreviewEditions() (hostile, harmless digest.Edition, texts []string) {
	i, j := 0, 0
	hostile = secPreviewEdition(func(field string) string {
		s := secHostile[i%len(secHostile)] + " (" + field + ")"
		i++
		texts = append(texts, s)
		return s
	}, func(string) string {
		u := secHostileURLs[j%len(secHostileURLs)]
		j++
		return u
	})
	harmless = secPreviewEdition(func(field string) string { return "Plain " + field },
		func(field string) string { return "https://news.example/" + strings.ReplaceAll(field, " ", "-") })
	return hostile, harmless, texts
}

// secPreviewHandler serves one edition for every day, rendered by the
// real renderer as the archive's copy, as newsdigest serve and the
// preview function do.
func secPreviewHandler(t *testing.T, e digest.Edition) *digesthttp.Preview {
	t.Helper()
	r, err := hermes.NewRenderer(hermes.Config{ProductName: "The Newsdigest Daily", SiteURL: "https://newsdigest.example", PostalAddress: "1 Quay Street"})
	if err != nil {
		t.Fatal(err)
	}
	return digesthttp.NewPreview(
		func(_ context.Context, d digest.Date) (digest.Edition, error) { e.Date = d; return e, nil },
		func(e digest.Edition) (string, string, error) {
			rendered, err := r.Render(e)
			if err != nil {
				return "", "", err
			}
			c, err := rendered.Personalize(digest.WebPersonal("https://newsdigest.example", "https://newsdigest.example/archive", e.Date))
			return c.HTML, c.Text, err
		},
		func() digest.Date { return digest.Date{Year: 2026, Month: 11, Day: 26} },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func secGet(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// secPage is what the checks read from a parsed page.
type secPage struct {
	shape, styles, problems []string
	text                    strings.Builder
	srcdoc                  []string
}

var secScheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

var secURLAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "background": true,
	"poster": true, "cite": true, "srcset": true, "data": true, "xlink:href": true}

func secParse(t *testing.T, page string, allowed ...string) *secPage {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"script", "object", "embed", "svg", "math", "base", "img", "link", "iframe", "form", "input", "button"}
	p := &secPage{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			var names []string
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				names = append(names, key)
				switch {
				case strings.HasPrefix(key, "on"):
					p.problems = append(p.problems, fmt.Sprintf("<%s %s=%q>: an event handler", n.Data, a.Key, a.Val))
				case secURLAttributes[key]:
					u := strings.TrimSpace(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(a.Val))
					if m := secScheme.FindStringSubmatch(u); m != nil {
						if s := strings.ToLower(m[1]); s != "http" && s != "https" && s != "mailto" {
							p.problems = append(p.problems, fmt.Sprintf("<%s %s=%q>: scheme %s", n.Data, a.Key, a.Val, s))
						}
					}
				case key == "style":
					p.styles = append(p.styles, a.Val)
				case key == "title" || key == "value":
					p.text.WriteString(a.Val + "\n")
				case key == "srcdoc":
					p.srcdoc = append(p.srcdoc, a.Val)
				case key == "http-equiv" && !strings.EqualFold(a.Val, "Content-Type"):
					p.problems = append(p.problems, fmt.Sprintf("<%s http-equiv=%q>", n.Data, a.Val))
				}
			}
			if slices.Contains(forbidden, n.Data) && !slices.Contains(allowed, n.Data) {
				p.problems = append(p.problems, fmt.Sprintf("a <%s> element", n.Data))
			}
			p.shape = append(p.shape, n.Data+"["+strings.Join(names, " ")+"]")
			if n.Data == "style" && n.FirstChild != nil {
				p.styles = append(p.styles, n.FirstChild.Data)
			}
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				p.text.WriteString(n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

// secCheck holds the hostile page to the harmless one and returns the
// parsed hostile page.
func secCheck(t *testing.T, name, hostilePage, harmlessPage string, texts []string, allowed ...string) *secPage {
	t.Helper()
	got, want := secParse(t, hostilePage, allowed...), secParse(t, harmlessPage, allowed...)
	for _, p := range got.problems {
		t.Errorf("%s: %s", name, p)
	}
	if !slices.Equal(got.shape, want.shape) {
		t.Errorf("%s: %d elements from hostile text, %d from harmless text: article text made markup", name, len(got.shape), len(want.shape))
		for i := range min(len(got.shape), len(want.shape)) {
			if got.shape[i] != want.shape[i] {
				t.Errorf("%s: first difference at element %d: %s, want %s", name, i, got.shape[i], want.shape[i])
				break
			}
		}
	}
	if !slices.Equal(got.styles, want.styles) {
		t.Errorf("%s: article text reached the styles", name)
	}
	text := got.text.String()
	for _, s := range texts {
		if !strings.Contains(text, s) {
			t.Errorf("%s: the text does not read %q as typed", name, s)
		}
	}
	return got
}

func TestPreviewEscapesHostileArticleText(t *testing.T) {
	hostile, harmless, texts := secPreviewEditions()
	bad, good := secPreviewHandler(t, hostile), secPreviewHandler(t, harmless)

	// The editor's page: every field it shows, and the email in its frame.
	pageTexts := slices.DeleteFunc(slices.Clone(texts), func(s string) bool {
		// The page shows the stories' and runners-up's titles, outlets
		// and reasons, not their leads or links' titles; those are in the
		// frame and the JSON.
		return strings.Contains(s, " lead)") || strings.Contains(s, "related title)") || strings.Contains(s, "also title)") ||
			strings.Contains(s, "(intro)") || (strings.Contains(s, "story ") && strings.Contains(s, "also source)"))
	})
	gotRec, wantRec := secGet(t, bad, "/?date=2026-11-26"), secGet(t, good, "/?date=2026-11-26")
	if gotRec.Code != http.StatusOK {
		t.Fatalf("page: status %d", gotRec.Code)
	}
	page := secCheck(t, "preview page", gotRec.Body.String(), wantRec.Body.String(), pageTexts, "iframe", "form", "input", "button")
	want := secParse(t, wantRec.Body.String(), "iframe", "form", "input", "button")
	if len(page.srcdoc) != 1 || len(want.srcdoc) != 1 {
		t.Fatalf("%d frames, want the email in one", len(page.srcdoc))
	}
	emailTexts := slices.DeleteFunc(slices.Clone(texts), func(s string) bool {
		return strings.Contains(s, "why)") || strings.Contains(s, "runner-up") || strings.Contains(s, "skipped") || strings.Contains(s, "(note)")
	})
	secCheck(t, "the email in the preview's frame", page.srcdoc[0], want.srcdoc[0], emailTexts)
	if csp := gotRec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("page CSP %q, want default-src 'none' and no script source", csp)
	}
	iframe := regexp.MustCompile(`<iframe[^>]*>`).FindString(gotRec.Body.String())
	if !strings.Contains(iframe, `sandbox="allow-popups allow-popups-to-escape-sandbox"`) || strings.Contains(iframe, "allow-scripts") || strings.Contains(iframe, "allow-same-origin") {
		t.Errorf("the frame %s is not sandboxed without scripts", iframe)
	}

	// format=html: the email alone, under a CSP without scripts.
	gotRec, wantRec = secGet(t, bad, "/?date=2026-11-26&format=html"), secGet(t, good, "/?date=2026-11-26&format=html")
	secCheck(t, "format=html", gotRec.Body.String(), wantRec.Body.String(), emailTexts)
	if csp := gotRec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("format=html CSP %q", csp)
	}

	// format=text: plain text, never sniffed as HTML.
	gotRec = secGet(t, bad, "/?date=2026-11-26&format=text")
	if ct, sniff := gotRec.Header().Get("Content-Type"), gotRec.Header().Get("X-Content-Type-Options"); ct != "text/plain; charset=utf-8" || sniff != "nosniff" {
		t.Errorf("format=text: Content-Type %q, X-Content-Type-Options %q", ct, sniff)
	}
	plain := strings.Join(strings.Fields(gotRec.Body.String()), " ")
	if !strings.Contains(plain, strings.Join(strings.Fields(hostile.Stories[0].Title), " ")) {
		t.Errorf("format=text does not read the title %q as typed", hostile.Stories[0].Title)
	}

	// format=json: JSON, with <, > and & escaped, so that no browser
	// could take it for markup, and every string back as typed.
	gotRec = secGet(t, bad, "/?date=2026-11-26&format=json")
	body := gotRec.Body.String()
	if ct := gotRec.Header().Get("Content-Type"); ct != "application/json" || gotRec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("format=json: Content-Type %q", ct)
	}
	if strings.ContainsAny(body, "<>") {
		t.Error("format=json carries < or > unescaped")
	}
	var back digest.Edition
	if err := json.Unmarshal([]byte(body), &back); err != nil || back.Stories[0].Title != hostile.Stories[0].Title || back.Skipped[0].Key != hostile.Skipped[0].Key {
		t.Errorf("format=json does not give the edition back (%v)", err)
	}
}

// TestPreviewErrorPagesEscapeTheirInput: the error pages quote what the
// request or the editorial file said; it stays text.
func TestPreviewErrorPagesEscapeTheirInput(t *testing.T) {
	hostile, _, _ := secPreviewEditions()
	editorial := hostile
	editorial.Skipped = []digest.Skipped{{Key: "editorial/2026-11-27.json", Error: secHostile[0] + secHostile[1]}}
	h := digesthttp.NewPreview(
		func(_ context.Context, d digest.Date) (digest.Edition, error) {
			if d.Day == 27 {
				editorial.Date = d
				return editorial, nil
			}
			return hostile, nil
		},
		func(digest.Edition) (string, string, error) { return "<p>email</p>", "email", nil },
		func() digest.Date { return digest.Date{Year: 2026, Month: 11, Day: 26} },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, target := range []string{
		"/?date=" + url.QueryEscape(secHostile[0]),
		"/?date=" + url.QueryEscape(secHostile[1]),
		"/?date=2026-11-26&format=" + url.QueryEscape(secHostile[3]),
		"/?date=2026-11-27",
	} {
		rec := secGet(t, h, target)
		if rec.Code < 400 {
			t.Errorf("%s: status %d, want an error", target, rec.Code)
		}
		p := secParse(t, rec.Body.String(), "form", "input", "button")
		for _, problem := range p.problems {
			t.Errorf("%s: %s", target, problem)
		}
		if strings.Contains(strings.ToLower(rec.Body.String()), "<script") || strings.Contains(rec.Body.String(), "<img") {
			t.Errorf("%s: the error page carries markup of the request's", target)
		}
	}
}

// secSends records the test sends the preview asks for.
type secSends struct{ calls [][]string }

func (s *secSends) send(_ context.Context, _ digest.Date, to []string) (digest.Report, error) {
	s.calls = append(s.calls, slices.Clone(to))
	return digest.Report{Sent: len(to)}, nil
}

// TestTestSendsGoOnlyToEditors: whatever the POST names, a test send goes
// to configured editors' addresses, spelled as configured, each once; a
// form that names anyone else, or an editor with something added, sends
// nothing at all.
func TestTestSendsGoOnlyToEditors(t *testing.T) {
	editors := []string{"Editor@Newsdigest.example", "desk@newsdigest.example"}
	tests := []struct {
		name   string
		query  string // on the URL, which ParseForm reads too
		form   url.Values
		status int
		// want is the one send's recipients; nil: nothing is sent.
		want []string
	}{
		{"no address: every editor", "", url.Values{"date": {"2026-11-26"}}, http.StatusOK, editors},
		{"an editor", "", url.Values{"to": {"desk@newsdigest.example"}}, http.StatusOK, []string{"desk@newsdigest.example"}},
		{"an editor in another case", "", url.Values{"to": {"EDITOR@newsdigest.EXAMPLE"}}, http.StatusOK, []string{"Editor@Newsdigest.example"}},
		{"an editor with spaces around", "", url.Values{"to": {"  desk@newsdigest.example \t"}}, http.StatusOK, []string{"desk@newsdigest.example"}},
		{"an editor with a trailing line break", "", url.Values{"to": {"desk@newsdigest.example\r\n"}}, http.StatusOK, []string{"desk@newsdigest.example"}},
		{"an editor named twice", "", url.Values{"to": {"desk@newsdigest.example", "DESK@newsdigest.example", "desk@newsdigest.example"}}, http.StatusOK, []string{"desk@newsdigest.example"}},
		{"a stranger", "", url.Values{"to": {"someone@else.example"}}, http.StatusForbidden, nil},
		{"an editor and a stranger", "", url.Values{"to": {"desk@newsdigest.example", "someone@else.example"}}, http.StatusForbidden, nil},
		{"a stranger on the URL", "to=someone@else.example", url.Values{"to": {"desk@newsdigest.example"}}, http.StatusForbidden, nil},
		{"two addresses in one", "", url.Values{"to": {"desk@newsdigest.example, someone@else.example"}}, http.StatusForbidden, nil},
		{"two addresses with a semicolon", "", url.Values{"to": {"desk@newsdigest.example;someone@else.example"}}, http.StatusForbidden, nil},
		{"a display name", "", url.Values{"to": {"Desk <desk@newsdigest.example>"}}, http.StatusForbidden, nil},
		{"a stranger named like an editor", "", url.Values{"to": {`"desk@newsdigest.example" <someone@else.example>`}}, http.StatusForbidden, nil},
		{"CRLF and a Bcc", "", url.Values{"to": {"desk@newsdigest.example\r\nBcc: someone@else.example"}}, http.StatusForbidden, nil},
		{"LF and a Cc", "", url.Values{"to": {"desk@newsdigest.example\nCc: someone@else.example"}}, http.StatusForbidden, nil},
		{"NUL", "", url.Values{"to": {"desk@newsdigest.example\x00someone@else.example"}}, http.StatusForbidden, nil},
		{"an encoded word", "", url.Values{"to": {"=?utf-8?q?desk@newsdigest.example=0D=0ABcc:_x@else.example?="}}, http.StatusForbidden, nil},
		{"another domain's editor", "", url.Values{"to": {"desk@newsdigest.example.evil.example"}}, http.StatusForbidden, nil},
		{"a source route", "", url.Values{"to": {"@newsdigest.example:someone@else.example"}}, http.StatusForbidden, nil},
		{"an editor's address as a local part", "", url.Values{"to": {`"desk@newsdigest.example"@else.example`}}, http.StatusForbidden, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sends := &secSends{}
			h := secPreviewHandler(t, digest.Edition{}).WithTestSend(editors, sends.send)
			target := "/"
			if tt.query != "" {
				target += "?" + tt.query
			}
			req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			switch {
			case tt.want == nil && len(sends.calls) > 0:
				t.Errorf("sent to %q, want nothing sent", sends.calls)
			case tt.want != nil && (len(sends.calls) != 1 || !slices.Equal(sends.calls[0], tt.want)):
				t.Errorf("sent %q, want one send to %q", sends.calls, tt.want)
			}
			for _, call := range sends.calls {
				for _, a := range call {
					if !slices.Contains(editors, a) {
						t.Errorf("sent to %q, not a configured editor", a)
					}
				}
			}
		})
	}

	// Only a POST sends: a GET naming addresses shows the preview.
	sends := &secSends{}
	h := secPreviewHandler(t, digest.Edition{}).WithTestSend(editors, sends.send)
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/?date=2026-11-26&to=desk@newsdigest.example", strings.NewReader("to=desk@newsdigest.example")))
		if len(sends.calls) != 0 {
			t.Errorf("%s sent a test", method)
		}
	}
	// Without test sends configured, a POST sends nothing.
	rec := httptest.NewRecorder()
	secPreviewHandler(t, digest.Edition{}).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?to=desk@newsdigest.example", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST without test sends: status %d", rec.Code)
	}
}
