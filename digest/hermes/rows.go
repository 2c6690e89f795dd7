package hermes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	hermeslib "github.com/matcornic/hermes/v2"

	"github.com/newsdigest/newsdigest/digest"
)

// hermes' Body has no notion of a story list, so the edition travels in its
// Table as a sequence of rows, each a small instruction the theme lays out:
// the first entry names the kind, the others carry plain strings, which
// html/template escapes wherever they land. No article text is ever passed
// as HTML or Markdown.
//
//	edition   subject, preheader, date line, view-in-browser URL
//	story     anchor, title, URL, outlet, section, lead, "top" or ""
//	also      outlet, title, URL, "first" or "", "last" or ""
//	related   title, URL, "first" or "", "last" or ""
//	story-end
//	footer    why the reader gets this, postal address, unsubscribe URL, view URL
//
// values are the reader's greeting, unsubscribe and view URLs, or the
// markers that stand for them.
func (r *Renderer) email(e digest.Edition, values *[numMarks]string) hermeslib.Email {
	greeting, unsubscribe, view := values[0], values[1], values[2]
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
	row("edition", e.Subject, e.Preheader, dateLine(e.Date), view)
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
	row("footer", r.cfg.Reason, r.cfg.PostalAddress, unsubscribe, view)
	return hermeslib.Email{Body: hermeslib.Body{
		Name:   greeting,
		Intros: []string{e.Intro},
		Table:  hermeslib.Table{Data: rows},
	}}
}

// textWidth is the plain text's line length: 76 columns, as mail has
// been wrapped since RFC 2822's advice.
const textWidth = 76

// textView is the plain text's content, wrapped and with its links
// numbered, for templates/digest.txt to lay out.
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

func (r *Renderer) textView(e digest.Edition, values *[numMarks]string) textView {
	greeting, unsubscribe, view := values[0], values[1], values[2]
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
		ts.Meta = "   " + strings.ToUpper(strings.Join(nonEmpty(s.Source, s.Section), " · "))
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
	v.Footer = append(wrap(r.cfg.Reason, textWidth, ""), "Unsubscribe"+ref(unsubscribe)+" · View in your browser"+ref(view))
	v.Footer = append(v.Footer, wrap(r.cfg.PostalAddress, textWidth, "")...)
	return v
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// wrap breaks text into lines of at most width runes, each starting with
// indent; a word longer than a line is broken where the line ends.
func wrap(text string, width int, indent string) []string {
	return wrapHanging(text, width, indent, indent)
}

// wrapHanging is wrap with its own indent for the first line.
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
			// A word longer than the line: as much as fits, then on.
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
