package compare

import (
	"fmt"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	hermeslib "github.com/matcornic/hermes/v2"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// PeerRenderer renders one reader's email the way a newsletter without a
// render-once step does: hermes runs (template, then CSS inlining) for every
// recipient with their greeting and links in the template, and so does the
// plain-text template. It lays the edition out exactly as digest/hermes does
// (the rows of digest/hermes/rows.go, the text of its textView), with the
// reader's values where digest/hermes puts its markers, so the two
// approaches produce the same email and differ only in what they cost.
type PeerRenderer struct {
	cfg  hermes.Config
	text *template.Template
}

// NewPeerRenderer takes the same configuration as hermes.NewRenderer.
func NewPeerRenderer(cfg hermes.Config) (*PeerRenderer, error) {
	if cfg.Reason == "" {
		cfg.Reason = fmt.Sprintf("You are receiving this email because you subscribed to %s.", cfg.ProductName)
	}
	text, err := template.New("digest.txt").Parse(hermes.Theme{}.PlainTextTemplate())
	if err != nil {
		return nil, err
	}
	return &PeerRenderer{cfg: cfg, text: text}, nil
}

// Render renders the whole email, HTML and text, for one reader.
func (r *PeerRenderer) Render(e digest.Edition, rec digest.Personal) (digest.Copy, error) {
	greeting := "Hi there,"
	if name := strings.TrimSpace(strings.Map(dropControl, rec.Name)); name != "" {
		greeting = "Hi " + name + ","
	}
	h := hermeslib.Hermes{
		Theme:   hermes.Theme{},
		Product: hermeslib.Product{Name: r.cfg.ProductName, Link: r.cfg.SiteURL, Copyright: r.cfg.PostalAddress},
	}
	html, err := h.GenerateHTML(r.email(e, greeting, rec))
	if err != nil {
		return digest.Copy{}, fmt.Errorf("render html: %w", err)
	}
	var text strings.Builder
	if err := r.text.Execute(&text, r.textView(e, greeting, rec)); err != nil {
		return digest.Copy{}, fmt.Errorf("render text: %w", err)
	}
	return digest.Copy{Subject: e.Subject, Preheader: e.Preheader, HTML: html, Text: text.String()}, nil
}

func dropControl(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return -1
	}
	return r
}

func dateLine(d digest.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
}

// email is digest/hermes' mapping of the edition onto hermes' Table, with
// the reader's values in it.
func (r *PeerRenderer) email(e digest.Edition, greeting string, rec digest.Personal) hermeslib.Email {
	var rows [][]hermeslib.Entry
	row := func(kind string, values ...string) {
		entries := make([]hermeslib.Entry, 0, len(values)+1)
		entries = append(entries, hermeslib.Entry{Key: "kind", Value: kind})
		for _, v := range values {
			entries = append(entries, hermeslib.Entry{Value: v})
		}
		rows = append(rows, entries)
	}
	flag := func(on bool, word string) string {
		if on {
			return word
		}
		return ""
	}
	row("edition", e.Subject, e.Preheader, dateLine(e.Date), rec.ViewURL)
	for i, s := range e.Stories {
		row("story", s.Anchor, s.Title, s.URL, s.Source, s.Section, s.Lead, flag(i == 0, "top"))
		for j, a := range s.Also {
			row("also", a.Source, a.Title, a.URL, flag(j == 0, "first"), flag(j == len(s.Also)-1, "last"))
		}
		for j, rel := range s.Related {
			row("related", rel.Title, rel.URL, flag(j == 0, "first"), flag(j == len(s.Related)-1, "last"))
		}
		row("story-end")
	}
	row("footer", r.cfg.Reason, r.cfg.PostalAddress, rec.UnsubscribeURL, rec.ViewURL)
	return hermeslib.Email{Body: hermeslib.Body{Name: greeting, Intros: []string{e.Intro}, Table: hermeslib.Table{Data: rows}}}
}

// textView and textStory are what templates/digest.txt lays out.
type textView struct {
	Product, Date, Rule, Greeting string
	Intro                         []string
	Stories                       []textStory
	Footer                        []string
	References                    []string
}

type textStory struct {
	Rule                string
	Title               []string
	Meta                string
	Lead, Also, Related []string
}

const textWidth = 76

func (r *PeerRenderer) textView(e digest.Edition, greeting string, rec digest.Personal) textView {
	v := textView{
		Product:  r.cfg.ProductName,
		Date:     dateLine(e.Date),
		Rule:     strings.Repeat("=", textWidth),
		Greeting: greeting,
		Intro:    wrap(e.Intro, textWidth, ""),
	}
	ref := func(u string) string {
		if u == "" {
			return ""
		}
		v.References = append(v.References, fmt.Sprintf("[%d] %s", len(v.References)+1, u))
		return fmt.Sprintf(" [%d]", len(v.References))
	}
	for i, s := range e.Stories {
		ts := textStory{Rule: strings.Repeat("-", textWidth)}
		ts.Title = wrap(fmt.Sprintf("%d. %s%s", i+1, s.Title, ref(s.URL)), textWidth, "   ")
		var meta []string
		for _, m := range []string{s.Source, s.Section} {
			if m != "" {
				meta = append(meta, m)
			}
		}
		ts.Meta = "   " + strings.ToUpper(strings.Join(meta, " · "))
		ts.Lead = wrap(s.Lead, textWidth, "   ")
		if len(s.Also) > 0 {
			var outlets []string
			for _, a := range s.Also {
				outlets = append(outlets, a.Source+ref(a.URL))
			}
			ts.Also = wrap("Also covered by "+strings.Join(outlets, ", "), textWidth, "   ")
		}
		for _, rel := range s.Related {
			ts.Related = append(ts.Related, wrapHanging("- "+rel.Title+ref(rel.URL), textWidth, "   ", "     ")...)
		}
		v.Stories = append(v.Stories, ts)
	}
	v.Footer = append(wrap(r.cfg.Reason, textWidth, ""), "Unsubscribe"+ref(rec.UnsubscribeURL)+" · View in your browser"+ref(rec.ViewURL))
	v.Footer = append(v.Footer, wrap(r.cfg.PostalAddress, textWidth, "")...)
	return v
}

func wrap(text string, width int, indent string) []string {
	return wrapHanging(text, width, indent, indent)
}

// wrapHanging breaks text into lines of at most width runes, the first
// starting with first and the others with rest.
func wrapHanging(text string, width int, first, rest string) []string {
	var lines []string
	line, indent := first, first
	n := utf8.RuneCountInString(line)
	flush := func() {
		lines = append(lines, strings.TrimRight(line, " "))
		line, indent = rest, rest
		n = utf8.RuneCountInString(line)
	}
	for _, word := range strings.Fields(text) {
		w := utf8.RuneCountInString(word)
		if n > len(indent) && n+1+w > width {
			flush()
		}
		for w > width-n && n+w > width {
			fit := width - n
			runes := []rune(word)
			line += string(runes[:fit])
			word, w = string(runes[fit:]), w-fit
			flush()
		}
		if n > len(indent) {
			line += " "
			n++
		}
		line += word
		n += w
	}
	if n > len(indent) {
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}
