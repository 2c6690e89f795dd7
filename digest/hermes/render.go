// Package hermes renders an edition as an email, HTML and plain text, with
// a digest theme for github.com/matcornic/hermes/v2. The edition is
// rendered once; each recipient's copy is then spliced from the rendered
// parts and their few personal values, without running hermes or CSS
// inlining again.
package hermes

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"time"

	hermeslib "github.com/matcornic/hermes/v2"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/templates"
)

// Config is what the email says about its sender.
type Config struct {
	// ProductName is the masthead, e.g. "The Harbour Digest".
	ProductName string
	// SiteURL is the masthead's link.
	SiteURL string
	// PostalAddress is the sender's address, required in commercial email.
	PostalAddress string
	// Reason tells readers why they get the email; the default names the
	// product.
	Reason string
}

// Theme is the digest theme: it lays out the edition that Render maps onto
// hermes' Table (see rows.go).
type Theme struct{}

var _ hermeslib.Theme = Theme{}

// Name names the theme.
func (Theme) Name() string { return "newsdigest" }

// HTMLTemplate is templates/digest.html.
func (Theme) HTMLTemplate() string { return templates.DigestHTML }

// PlainTextTemplate is templates/digest.txt. Render executes it itself:
// hermes' plain-text path runs text through html2text, which can neither
// wrap at 76 columns nor number links.
func (Theme) PlainTextTemplate() string { return templates.DigestText }

// Renderer renders editions.
type Renderer struct {
	cfg  Config
	text *template.Template
}

// NewRenderer checks the configuration and parses the plain-text template.
func NewRenderer(cfg Config) (*Renderer, error) {
	var missing []string
	if cfg.ProductName == "" {
		missing = append(missing, "product name")
	}
	if _, err := url.ParseRequestURI(cfg.SiteURL); err != nil || !strings.HasPrefix(cfg.SiteURL, "http") {
		missing = append(missing, "site URL (http or https)")
	}
	if strings.TrimSpace(cfg.PostalAddress) == "" {
		missing = append(missing, "postal address")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("email config: missing %s", strings.Join(missing, ", "))
	}
	if cfg.Reason == "" {
		cfg.Reason = fmt.Sprintf("You are receiving this email because you subscribed to %s.", cfg.ProductName)
	}
	text, err := template.New("digest.txt").Parse(Theme{}.PlainTextTemplate())
	if err != nil {
		return nil, fmt.Errorf("plain-text template: %w", err)
	}
	return &Renderer{cfg: cfg, text: text}, nil
}

// The per-recipient values stand in the rendered email as these markers,
// plain lowercase words that neither html/template nor CSS inlining alter.
const (
	markGreeting    = "zzndgreeting7"
	markUnsubscribe = "zzndunsubscribe7"
	markView        = "zzndviewonline7"
)

// Rendered is an edition rendered once: the HTML (CSS inlined) and the
// plain text, with markers where each recipient's values go.
type Rendered struct {
	Subject   string
	Preheader string
	html      []segment
	text      []segment
	// Bytes of the rendered parts, to size each copy in one allocation.
	htmlSize, textSize int
}

var _ digest.Personalizer = (*Rendered)(nil)

// Render renders the edition's HTML with hermes (and its CSS inlining) and
// its plain text, once, with markers where each reader's values go.
func (r *Renderer) Render(e digest.Edition) (*Rendered, error) {
	htmlPart, text, err := r.render(e, &marks)
	if err != nil {
		return nil, err
	}
	return &Rendered{
		Subject:   e.Subject,
		Preheader: e.Preheader,
		html:      split(htmlPart),
		text:      split(text),
		htmlSize:  len(htmlPart),
		textSize:  len(text),
	}, nil
}

// RenderFor renders the whole email for one reader, hermes and CSS
// inlining included: what a sender without a render-once step does for
// every reader. The send path never calls it; it is the yardstick that
// Personalize is measured and tested against, and must equal it.
func (r *Renderer) RenderFor(e digest.Edition, rec digest.Personal) (digest.Copy, error) {
	values := [numMarks]string{greeting(rec.Name), rec.UnsubscribeURL, rec.ViewURL}
	htmlPart, text, err := r.render(e, &values)
	if err != nil {
		return digest.Copy{}, err
	}
	return digest.Copy{Subject: e.Subject, Preheader: e.Preheader, HTML: htmlPart, Text: text}, nil
}

// render renders both parts with the given per-reader values: the markers,
// or one reader's own.
func (r *Renderer) render(e digest.Edition, values *[numMarks]string) (htmlPart, text string, err error) {
	e = withoutMarks(e)
	h := hermeslib.Hermes{
		Theme: Theme{},
		Product: hermeslib.Product{
			Name:      r.cfg.ProductName,
			Link:      r.cfg.SiteURL,
			Copyright: r.cfg.PostalAddress,
		},
	}
	htmlPart, err = h.GenerateHTML(r.email(e, values))
	if err != nil {
		return "", "", fmt.Errorf("render html: %w", err)
	}
	var b strings.Builder
	if err := r.text.Execute(&b, r.textView(e, values)); err != nil {
		return "", "", fmt.Errorf("render text: %w", err)
	}
	return htmlPart, b.String(), nil
}

// dateLine is the masthead's date, "Thursday 26 November 2026".
func dateLine(d digest.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
}

// ErrUnsafeURL is returned for a personal link that is not http(s).
var ErrUnsafeURL = errors.New("personal link is not an absolute http(s) URL")

// Personalize fills one recipient's values into the rendered edition: the
// greeting, the unsubscribe and view-in-browser links. It costs a copy of
// the email, not a render.
func (r *Rendered) Personalize(rec digest.Personal) (digest.Copy, error) {
	for _, u := range []string{rec.UnsubscribeURL, rec.ViewURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return digest.Copy{}, fmt.Errorf("%w: %q", ErrUnsafeURL, u)
		}
	}
	greeting := greeting(rec.Name)
	htmlValues := [numMarks]string{html.EscapeString(greeting), html.EscapeString(rec.UnsubscribeURL), html.EscapeString(rec.ViewURL)}
	textValues := [numMarks]string{greeting, rec.UnsubscribeURL, rec.ViewURL}
	return digest.Copy{
		Subject:   r.Subject,
		Preheader: r.Preheader,
		HTML:      join(r.html, &htmlValues, r.htmlSize),
		Text:      join(r.text, &textValues, r.textSize),
	}, nil
}

// greeting opens a reader's email, by name when there is one.
func greeting(name string) string {
	if name = strings.TrimSpace(strings.Map(dropControl, name)); name != "" {
		return "Hi " + name + ","
	}
	return "Hi there,"
}

func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return -1
	}
	return r
}

// withoutMarks returns the edition with every marker in its text broken
// by a word joiner (U+2060, which shows as nothing). The markers are plain
// words, and article text is the outlets': a story linked to
// https://outlet.example/?u=zzndunsubscribe7 would otherwise have each
// reader's unsubscribe link, token and address, spliced into its link, and
// their name for zzndgreeting7, for the outlet to collect. The edition is
// copied only when one of its strings holds a marker.
func withoutMarks(e digest.Edition) digest.Edition {
	has := false
	visitText(&e, func(s *string) { has = has || strings.Contains(*s, "zznd") })
	if !has {
		return e
	}
	e.Stories = slices.Clone(e.Stories)
	for i := range e.Stories {
		e.Stories[i].Also = slices.Clone(e.Stories[i].Also)
		e.Stories[i].Related = slices.Clone(e.Stories[i].Related)
	}
	visitText(&e, func(s *string) {
		for _, m := range marks {
			*s = strings.ReplaceAll(*s, m, m[:2]+"\u2060"+m[2:])
		}
	})
	return e
}

// visitText calls f on every string of the edition that is rendered.
func visitText(e *digest.Edition, f func(*string)) {
	for _, s := range []*string{&e.Subject, &e.Preheader, &e.Intro} {
		f(s)
	}
	for i := range e.Stories {
		s := &e.Stories[i]
		for _, p := range []*string{&s.Anchor, &s.Title, &s.URL, &s.Source, &s.Section, &s.Lead} {
			f(p)
		}
		for j := range s.Also {
			for _, p := range []*string{&s.Also[j].Source, &s.Also[j].Title, &s.Also[j].URL} {
				f(p)
			}
		}
		for j := range s.Related {
			for _, p := range []*string{&s.Related[j].Title, &s.Related[j].URL} {
				f(p)
			}
		}
	}
}

// A segment is literal text followed by a marker's value, or none.
type segment struct {
	text string
	mark int // index into the values, or -1
}

// numMarks is how many per-reader values there are: the greeting, the
// unsubscribe link and the view-in-browser link, in that order.
const numMarks = 3

var marks = [numMarks]string{markGreeting, markUnsubscribe, markView}

// split cuts rendered text at every marker.
func split(s string) []segment {
	var out []segment
	for s != "" {
		at, which := -1, -1
		for i, m := range marks {
			if j := strings.Index(s, m); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			return append(out, segment{text: s, mark: -1})
		}
		out = append(out, segment{text: s[:at], mark: which})
		s = s[at+len(marks[which]):]
	}
	return out
}

// join splices values into the segments.
func join(segs []segment, values *[numMarks]string, sizeHint int) string {
	var b strings.Builder
	b.Grow(sizeHint + 512)
	for _, s := range segs {
		b.WriteString(s.text)
		if s.mark >= 0 {
			b.WriteString(values[s.mark])
		}
	}
	return b.String()
}

// renderedJSON is how a rendered edition is stored between the function
// that renders it and the ones that send it: the parts with their markers.
type renderedJSON struct {
	Subject   string `json:"subject"`
	Preheader string `json:"preheader"`
	HTML      string `json:"html"`
	Text      string `json:"text"`
}

// MarshalJSON stores the rendered edition, markers and all, so that the
// send functions personalize the very email the digest function rendered.
func (r *Rendered) MarshalJSON() ([]byte, error) {
	return json.Marshal(renderedJSON{
		Subject:   r.Subject,
		Preheader: r.Preheader,
		HTML:      join(r.html, &marks, r.htmlSize),
		Text:      join(r.text, &marks, r.textSize),
	})
}

// UnmarshalJSON reads a stored rendered edition back.
func (r *Rendered) UnmarshalJSON(data []byte) error {
	var s renderedJSON
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	if s.HTML == "" || s.Text == "" {
		return errors.New("rendered edition: no html or text part")
	}
	*r = Rendered{Subject: s.Subject, Preheader: s.Preheader,
		html: split(s.HTML), text: split(s.Text), htmlSize: len(s.HTML), textSize: len(s.Text)}
	return nil
}
