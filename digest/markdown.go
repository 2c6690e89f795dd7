package digest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmtext "github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"
)

// frontMatter is the YAML header of the Markdown format.
type frontMatter struct {
	ID          string        `yaml:"id"`
	Title       string        `yaml:"title"`
	Dek         string        `yaml:"dek"`
	Description string        `yaml:"description"`
	Source      string        `yaml:"source"`
	URL         string        `yaml:"url"`
	Published   string        `yaml:"published"`
	Date        string        `yaml:"date"`
	Section     string        `yaml:"section"`
	Image       string        `yaml:"image"`
	Related     []yamlRelated `yaml:"related"`
}

// yamlRelated accepts {title, url} or a bare headline string.
type yamlRelated Related

func (r *yamlRelated) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&r.Title)
	}
	var v struct {
		Title string `yaml:"title"`
		URL   string `yaml:"url"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	r.Title, r.URL = v.Title, v.URL
	return nil
}

// parseMarkdown reads Markdown with an optional YAML front matter; without
// one, the first level-one heading is the title.
func parseMarkdown(text string) (Article, error) {
	header, body, err := splitFrontMatter(text)
	if err != nil {
		return Article{}, err
	}
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(header), &fm); err != nil {
		return Article{}, fmt.Errorf("front matter: %w", err)
	}
	a := Article{
		ID: fm.ID, Title: fm.Title, Dek: firstOf(fm.Dek, fm.Description), Source: fm.Source,
		URL: fm.URL, Section: fm.Section, Image: fm.Image,
	}
	a.setPublished(firstOf(fm.Published, fm.Date))
	for _, r := range fm.Related {
		a.Related = append(a.Related, Related(r))
	}
	if !validID.MatchString(a.ID) {
		a.ID = ""
	}

	source := []byte(body)
	doc := goldmark.New().Parser().Parse(gmtext.NewReader(source))
	err = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.List, *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Heading:
			if n.Level == 1 && a.Title == "" {
				a.Title = inlineText(n, source)
			}
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph:
			a.Paragraphs = append(a.Paragraphs, inlineText(n, source))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return a, err
}

// splitFrontMatter separates a leading "---" YAML block from the body.
func splitFrontMatter(text string) (header, body string, err error) {
	if !strings.HasPrefix(text, "---\n") {
		return "", text, nil
	}
	rest := text[len("---\n"):]
	for offset := 0; offset < len(rest); {
		end := strings.IndexByte(rest[offset:], '\n')
		if end < 0 {
			end = len(rest) - offset
		}
		line := strings.TrimRight(rest[offset:offset+end], " \t")
		if line == "---" || line == "..." {
			return rest[:offset], rest[min(offset+end+1, len(rest)):], nil
		}
		offset += end + 1
	}
	return "", "", errors.New("front matter opened with --- is never closed")
}

// inlineText is the plain text of a block's inline content: link and
// emphasis text kept, markup and raw HTML dropped.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(source))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(source))
			case *ast.RawHTML, *ast.Image:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return oneLine(b.String())
}
