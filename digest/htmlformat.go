package digest

import (
	"errors"
	"net/url"
	"strings"

	"codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLElements bounds the work readability does on one page.
const maxHTMLElements = 100_000

// parseHTML reads a page as a crawler saved it: title, address, date,
// section and standfirst from the og:*, canonical and article:* tags, the
// main text by readability, and the page's own "related" links.
func parseHTML(text string) (Article, error) {
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return Article{}, err
	}
	meta := pageMeta(doc)
	a := Article{
		Title:   firstOf(meta["og:title"], meta["twitter:title"]),
		Dek:     firstOf(meta["og:description"], meta["description"], meta["twitter:description"]),
		Source:  meta["og:site_name"],
		URL:     firstOf(meta["canonical"], meta["og:url"]),
		Section: meta["article:section"],
		Image:   meta["og:image"],
	}
	a.setPublished(firstOf(meta["article:published_time"], meta["og:published_time"], meta["date"]))
	base, _ := url.Parse(a.URL)
	a.Related = relatedLinks(doc, base)

	parser := readability.NewParser()
	parser.MaxElemsToParse = maxHTMLElements
	page, err := parser.ParseDocument(doc, base)
	if err != nil {
		return Article{}, err
	}
	if a.Title == "" {
		a.Title = page.Title()
	}
	if a.Source == "" {
		a.Source = page.SiteName()
	}
	if a.Published.IsZero() {
		if t, err := page.PublishedTime(); err == nil {
			a.Published = t.UTC()
		}
	}
	if page.Node == nil {
		return Article{}, errors.New("no article text found on the page")
	}
	for _, p := range blockTexts(page.Node) {
		if p != oneLine(a.Dek) && p != oneLine(a.Title) {
			a.Paragraphs = append(a.Paragraphs, p)
		}
	}
	return a, nil
}

// pageMeta collects <meta> values by property or name, the canonical link
// and the <title>, lower-casing the keys.
func pageMeta(doc *html.Node) map[string]string {
	meta := map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Meta:
			key := strings.ToLower(firstOf(attr(n, "property"), attr(n, "name"), attr(n, "itemprop")))
			if _, seen := meta[key]; key != "" && !seen {
				meta[key] = attr(n, "content")
			}
		case atom.Link:
			if strings.EqualFold(attr(n, "rel"), "canonical") && meta["canonical"] == "" {
				meta["canonical"] = attr(n, "href")
			}
		}
	}
	return meta
}

// relatedLinks reads the links of the page's related-stories module: any
// element whose class or id says "related".
func relatedLinks(doc *html.Node, base *url.URL) []Related {
	var out []Related
	seen := map[string]bool{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || !mentionsRelated(n) {
			continue
		}
		for link := range n.Descendants() {
			if link.DataAtom != atom.A || len(out) >= 20 {
				continue
			}
			title := oneLine(render.InnerText(link))
			href := attr(link, "href")
			if u, err := url.Parse(href); err == nil && base != nil {
				href = base.ResolveReference(u).String()
			}
			if _, ok := safeURL(href); !ok || href == "" {
				continue // "Share this" buttons and the like are not stories
			}
			if title != "" && !seen[href+title] {
				seen[href+title] = true
				out = append(out, Related{Title: title, URL: href})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func mentionsRelated(n *html.Node) bool {
	return strings.Contains(strings.ToLower(attr(n, "class")+" "+attr(n, "id")), "related")
}

// blockTexts returns the text of each paragraph-like block of the main
// content, in order.
func blockTexts(root *html.Node) []string {
	var out []string
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.P, atom.Pre:
			if t := oneLine(render.InnerText(n)); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
