package hermes_test

// No article text reaches the email, its plain text or the web archive
// unescaped. Each page is parsed with golang.org/x/net/html and held to
// the same page rendered from a harmless edition of the same shape: the
// same elements with the same attributes, the same styles; no script, no
// on* attribute, no link or source with a scheme other than http(s) or
// mailto; and each hostile string read back, as typed, from the text.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// secHostile are article strings meant to become markup, script, template
// actions, links or entities somewhere along the way.
var secHostile = []string{
	`<script>alert("title")</script>`,
	`"><img src=x onerror=alert(1)>`,
	`' onmouseover='alert(1)' x='`,
	`</style><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`{{ .Email.Body.Name }}{{ template "x" }}{{/* */}}`,
	`[click me](javascript:alert(1)) and <https://evil.example>`,
	`&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;b&#x3E;`,
	`<!-- --><svg onload=alert(1)><a href="javascript:alert(1)">x</a>`,
	`javascript:alert(document.cookie)`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">`,
	"]]><![CDATA[<script>alert(1)</script>",
}

// secHostileURLs are story, also and related links that must never
// become a link of theirs: html/template sanitizes the unsafe ones.
var secHostileURLs = []string{
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	" javascript:alert(1)",
	"java\tscript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)",
	`https://evil.example/"><script>alert(1)</script>`,
}

// secEdition is an edition of three stories whose every rendered string
// comes from the given function, with the given links.
func secEdition(text func(field string) string, link func(field string) string) digest.Edition {
	story := func(n int) digest.Story {
		f := func(name string) string { return text(fmt.Sprintf("story %d %s", n, name)) }
		return digest.Story{
			Anchor: fmt.Sprintf("story-%d", n), Title: f("title"), URL: link(fmt.Sprintf("story %d", n)),
			Source: f("source"), Section: f("section"), Lead: f("lead"),
			Also: []digest.Also{{Source: f("also source"), Title: f("also title"), URL: link(fmt.Sprintf("also %d", n))},
				{Source: f("second also source"), Title: f("second also title"), URL: link(fmt.Sprintf("second also %d", n))}},
			Related: []digest.Related{{Title: f("related title"), URL: link(fmt.Sprintf("related %d", n))}},
		}
	}
	return digest.Edition{
		Date:    digest.Date{Year: 2026, Month: 11, Day: 26},
		Subject: text("subject"), Preheader: text("preheader"), Intro: text("intro"),
		Stories: []digest.Story{story(1), story(2), story(3)},
	}
}

// secHostileEdition puts a hostile string in every field, each in turn,
// and a hostile link in every link; the harmless one has the same shape.
func secHostileEdition() (hostile, harmless digest.Edition, texts []string) {
	i, j := 0, 0
	hostile = secEdition(func(field string) string {
		s := secHostile[i%len(secHostile)] + " (" + field + ")"
		i++
		texts = append(texts, s)
		return s
	}, func(string) string {
		u := secHostileURLs[j%len(secHostileURLs)]
		j++
		return u
	})
	harmless = secEdition(func(field string) string { return "Plain " + field }, func(field string) string {
		return "https://news.example/" + strings.ReplaceAll(field, " ", "-")
	})
	return hostile, harmless, texts
}

func secRenderer(t *testing.T) *hermes.Renderer {
	t.Helper()
	r, err := hermes.NewRenderer(hermes.Config{ProductName: "The Harbour Digest", SiteURL: "https://digest.example",
		PostalAddress: "Harbour Digest Ltd, 4 Quay Street, Port Alder"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var secReader = digest.Personal{Name: "Ana", UnsubscribeURL: "https://digest.example/u?l=daily&a=YW5h&t=SECRETTOKEN123",
	ViewURL: "https://digest.example/archive/2026-11-26/"}

func secCopy(t *testing.T, e digest.Edition, p digest.Personal) digest.Copy {
	t.Helper()
	rendered, err := secRenderer(t).Render(e)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rendered.Personalize(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secPage is what the checks read from a parsed page.
type secPage struct {
	// shape is each element with its attribute names, in order.
	shape []string
	// styles are the text of style elements and the style attributes.
	styles []string
	// text is every text node and title attribute, for the hostile
	// strings to be found in as typed.
	text strings.Builder
	// problems are the findings that fail any page.
	problems []string
}

var secScheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// secURLAttributes hold links a browser or mail client follows or loads.
var secURLAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "background": true,
	"poster": true, "cite": true, "srcset": true, "data": true, "xlink:href": true, "lowsrc": true, "dynsrc": true}

var secForbidden = map[string]bool{"script": true, "iframe": true, "object": true, "embed": true, "svg": true, "math": true,
	"base": true, "form": true, "input": true, "button": true, "img": true, "link": true}

func secParse(t *testing.T, page string, allowed ...string) *secPage {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	p := &secPage{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			names := []string{}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				names = append(names, key)
				if strings.HasPrefix(key, "on") {
					p.problems = append(p.problems, fmt.Sprintf("<%s %s=%q>: an event handler attribute", n.Data, a.Key, a.Val))
				}
				if secURLAttributes[key] {
					// Browsers drop ASCII tabs and line breaks inside a
					// scheme and spaces around it.
					u := strings.TrimSpace(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(a.Val))
					if m := secScheme.FindStringSubmatch(u); m != nil {
						if s := strings.ToLower(m[1]); s != "http" && s != "https" && s != "mailto" {
							p.problems = append(p.problems, fmt.Sprintf("<%s %s=%q>: scheme %s", n.Data, a.Key, a.Val, s))
						}
					}
				}
				if key == "style" {
					p.styles = append(p.styles, a.Val)
				}
				if key == "title" || key == "alt" {
					p.text.WriteString(a.Val + "\n")
				}
				if key == "http-equiv" && !strings.EqualFold(a.Val, "Content-Type") {
					p.problems = append(p.problems, fmt.Sprintf("<%s http-equiv=%q>", n.Data, a.Val))
				}
			}
			if secForbidden[n.Data] && !slices.Contains(allowed, n.Data) {
				p.problems = append(p.problems, fmt.Sprintf("a <%s> element", n.Data))
			}
			p.shape = append(p.shape, n.Data+"["+strings.Join(names, " ")+"]")
			if n.Data == "style" {
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					b.WriteString(c.Data)
				}
				p.styles = append(p.styles, b.String())
			}
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				p.text.WriteString(n.Data)
			}
		case html.CommentNode:
			if strings.Contains(n.Data, "(") {
				p.problems = append(p.problems, fmt.Sprintf("a comment %q", n.Data))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return p
}

// secCheckPage holds a page rendered from hostile text to the same page
// from harmless text: same shape, same styles, no problems, every hostile
// string in the text as typed.
func secCheckPage(t *testing.T, name, hostilePage, harmlessPage string, texts []string, allowed ...string) {
	t.Helper()
	got, want := secParse(t, hostilePage, allowed...), secParse(t, harmlessPage, allowed...)
	for _, p := range got.problems {
		t.Errorf("%s: %s", name, p)
	}
	if !slices.Equal(got.shape, want.shape) {
		for i := range min(len(got.shape), len(want.shape)) {
			if got.shape[i] != want.shape[i] {
				t.Errorf("%s: element %d is %s from hostile text, %s from harmless text: article text made markup", name, i, got.shape[i], want.shape[i])
				break
			}
		}
		if len(got.shape) != len(want.shape) {
			t.Errorf("%s: %d elements from hostile text, %d from harmless text", name, len(got.shape), len(want.shape))
		}
	}
	if !slices.Equal(got.styles, want.styles) {
		t.Errorf("%s: the styles differ between hostile and harmless text: article text reached CSS", name)
	}
	text := got.text.String()
	for _, s := range texts {
		if !strings.Contains(text, s) {
			t.Errorf("%s: the text does not read %q as typed", name, s)
		}
	}
}

func TestEmailEscapesHostileArticleText(t *testing.T) {
	hostile, harmless, texts := secHostileEdition()
	got, want := secCopy(t, hostile, secReader), secCopy(t, harmless, secReader)
	// The subject is the <title>; the preheader a hidden block.
	secCheckPage(t, "email HTML", got.HTML, want.HTML, texts)
	if strings.Contains(strings.ToLower(got.HTML), "<script") {
		t.Error("email HTML carries <script in its source")
	}
	// An entity typed in an article stays an entity in the text: the
	// source escapes its ampersand.
	if !strings.Contains(got.HTML, "&amp;lt;script&amp;gt;") {
		t.Error(`"&lt;script&gt;" typed in an article does not stay text`)
	}
	// Unsafe links are neutralized, the safe ones kept.
	if n := strings.Count(got.HTML, `href="#ZgotmplZ"`); n == 0 {
		t.Error("no unsafe link was replaced by html/template's #ZgotmplZ")
	}

	// The plain text holds every string it shows as typed (words wrapped
	// at 76 columns; outlets and sections in capitals), no entity of the
	// renderer's and no sanitized link.
	plain := strings.Join(strings.Fields(got.Text), " ")
	for _, s := range texts {
		field := s[strings.LastIndex(s, "("):]
		switch {
		case strings.Contains(field, "subject"), strings.Contains(field, "preheader"), strings.Contains(field, "also title"):
			continue // not in the plain text
		case strings.HasSuffix(field, " source)") && !strings.Contains(field, "also"), strings.HasSuffix(field, "section)"):
			s = strings.ToUpper(s)
		}
		if !strings.Contains(plain, strings.Join(strings.Fields(s), " ")) {
			t.Errorf("plain text does not read %q as typed", s)
		}
	}
	for _, bad := range []string{"&#34;", "&#39;", "&amp;lt;", "ZgotmplZ", "<p>", "<td", "zznd"} {
		if strings.Contains(got.Text, bad) {
			t.Errorf("plain text holds %q", bad)
		}
	}
}

// TestArticleTextCannotTakeAReadersValues: the per-reader values are
// spliced where the rendered email holds their markers. Article text that
// holds a marker (in a link, as an outlet could write it) stays as it
// is, and no reader's link, token or name reaches it.
func TestArticleTextCannotTakeAReadersValues(t *testing.T) {
	e := secEdition(func(field string) string { return field + " zzndgreeting7 zzndunsubscribe7 zzndviewonline7" },
		func(field string) string {
			return "https://evil.example/c?u=zzndunsubscribe7&n=zzndgreeting7&v=zzndviewonline7&f=" + strings.ReplaceAll(field, " ", "-")
		})
	r := secRenderer(t)
	rendered, err := r.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rendered.Personalize(secReader)
	if err != nil {
		t.Fatal(err)
	}
	full, err := r.RenderFor(e, secReader)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, s string }{{"HTML", c.HTML}, {"text", c.Text}, {"HTML rendered for the reader", full.HTML}, {"text rendered for the reader", full.Text}} {
		for _, secret := range []string{"SECRETTOKEN123", "Hi Ana,"} {
			if n := strings.Count(part.s, secret); n != 1 && !(secret == "SECRETTOKEN123" && n == 2) {
				t.Errorf("%s: %q appears %d times, want only where the email puts it", part.name, secret, n)
			}
		}
		for _, line := range strings.Split(part.s, "\n") {
			if strings.Contains(line, "evil.example") && (strings.Contains(line, "SECRETTOKEN123") || strings.Contains(line, "Ana") ||
				strings.Contains(line, "digest.example/archive")) {
				t.Errorf("%s: a reader's value went into an outlet's link: %s", part.name, line)
			}
		}
		if !strings.Contains(strings.ReplaceAll(part.s, "\u2060", ""), "title zzndgreeting7 zzndunsubscribe7 zzndviewonline7") &&
			!strings.Contains(strings.ReplaceAll(part.s, "\u2060", ""), "title zzndgreeting7 zzndunsubscribe7") {
			t.Errorf("%s: the title does not read as typed", part.name)
		}
	}
	if c.HTML != full.HTML || c.Text != full.Text {
		t.Error("the spliced copy differs from the copy rendered for the reader")
	}
}

// memArchive is an ArchiveStore in memory.
type memArchive struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (m *memArchive) Open(_ context.Context, key string) (digest.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[key]
	if !ok {
		return digest.Object{}, fmt.Errorf("%s: %w", key, digest.ErrNotFound)
	}
	return digest.Object{Body: io.NopCloser(bytes.NewReader(b)), Size: int64(len(b))}, nil
}

func (m *memArchive) Put(_ context.Context, key string, body []byte, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[key] = bytes.Clone(body)
	return nil
}

// TestArchiveEscapesHostileArticleText: the web archive's page of the day
// (the browser copy) and its index of editions, published from a hostile
// edition, hold no markup of the articles'.
func TestArchiveEscapesHostileArticleText(t *testing.T) {
	hostile, harmless, texts := secHostileEdition()
	web := digest.WebPersonal("https://digest.example", "https://digest.example/archive", hostile.Date)
	pages := map[string]*memArchive{}
	for name, e := range map[string]digest.Edition{"hostile": hostile, "harmless": harmless} {
		c := secCopy(t, e, web)
		store := &memArchive{}
		// An earlier edition, so that the index lists two.
		earlier := e
		earlier.Date = digest.Date{Year: 2026, Month: 11, Day: 25}
		if err := digest.Publish(context.Background(), store, earlier, []byte(c.HTML)); err != nil {
			t.Fatal(err)
		}
		if err := digest.Publish(context.Background(), store, e, []byte(c.HTML)); err != nil {
			t.Fatal(err)
		}
		pages[name] = store
	}
	for _, key := range []string{"archive/2026-11-26/index.html", "archive/index.html"} {
		got, want := pages["hostile"].objects[key], pages["harmless"].objects[key]
		if got == nil || want == nil {
			t.Fatalf("%s not published", key)
		}
		expect := texts
		if key == "archive/index.html" {
			expect = []string{hostile.Subject}
		}
		secCheckPage(t, key, string(got), string(want), expect)
	}
	if _, err := pages["hostile"].Open(context.Background(), "nothing"); !errors.Is(err, digest.ErrNotFound) {
		t.Errorf("memArchive: %v", err)
	}
}
