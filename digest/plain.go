package digest

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteText writes an edition as plain text, one numbered story after
// another with its links written out.
func WriteText(w io.Writer, e Edition) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n%s\n", e.Subject, e.Preheader, e.Intro)
	for i, s := range e.Stories {
		fmt.Fprintf(&b, "\n%d. %s\n   %s · %s\n", i+1, s.Title, s.Source, s.Section)
		if s.Lead != "" {
			fmt.Fprintf(&b, "   %s\n", s.Lead)
		}
		fmt.Fprintf(&b, "   %s\n", s.URL)
		if len(s.Also) > 0 {
			b.WriteString("   Also covered by:\n")
			for _, a := range s.Also {
				fmt.Fprintf(&b, "   - %s: %s %s\n", a.Source, a.Title, a.URL)
			}
		}
		if len(s.Related) > 0 {
			b.WriteString("   Related:\n")
			for _, r := range s.Related {
				fmt.Fprintf(&b, "   - %s %s\n", r.Title, r.URL)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plainHTML is the edition as a bare HTML page; every article string goes
// through html/template's escaping.
var plainHTML = template.Must(template.New("edition").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body>
<h1>{{.Subject}}</h1>
<p>{{.Intro}}</p>
{{range $i, $s := .Stories}}<article id="{{$s.Anchor}}">
<h2><a href="{{$s.URL}}">{{$s.Title}}</a></h2>
<p>{{$s.Source}} · {{$s.Section}}</p>
<p>{{$s.Lead}}</p>
{{if $s.Also}}<p>Also covered by: {{range $j, $a := $s.Also}}{{if $j}}, {{end}}{{if $a.URL}}<a href="{{$a.URL}}">{{$a.Source}}</a>{{else}}{{$a.Source}}{{end}}{{end}}</p>{{end}}
{{if $s.Related}}<ul>{{range $s.Related}}<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}</ul>{{end}}
</article>
{{end}}</body>
</html>
`))

// WriteHTML writes an edition as a bare HTML page.
func WriteHTML(w io.Writer, e Edition) error { return plainHTML.Execute(w, e) }
