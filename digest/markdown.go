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
	if len(header) > maxFrontMatter {
		return Article{}, fmt.Errorf("front matter of %s, over the %s it can have", byteSize(int64(len(header))), byteSize(maxFrontMatter))
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

	if err := checkMarkdownShape(body, 1+strings.Count(text[:len(text)-len(body)], "\n")); err != nil {
		return Article{}, err
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

// goldmark takes time quadratic in some shapes of Markdown no article has:
// block quotes and lists nested thousands deep, and paragraphs of
// thousands of unmatched emphasis or link markers ("*a_*a_…", "[a](…").
// A 120 KB paragraph of them takes seconds, a 2 MiB file many minutes. These
// limits, far above what prose needs, hold the worst 2 MiB file to about a
// second, what a 2 MiB page of HTML takes (BENCHMARKS.md, "Hostile input").
const (
	// maxMarkdownNesting bounds the block quote and list markers that
	// open a line.
	maxMarkdownNesting = 32
	// maxMarkdownIndent bounds a line's indentation, in columns, markers
	// included: nested lists are indentation.
	maxMarkdownIndent = 128
	// maxInlineMarkers bounds the emphasis and link markers of one
	// paragraph or list item.
	maxInlineMarkers = 200
	// maxMarkdownLines bounds the lines of text: goldmark keeps a node of
	// some hundred bytes for each, where the line itself may be two.
	maxMarkdownLines = 20_000
	// maxFrontMatter bounds the YAML header, which holds a few fields:
	// decoding takes memory by the node.
	maxFrontMatter = 64 << 10
)

// checkMarkdownShape refuses Markdown over those limits, naming the line;
// first is the line number of the body's first line in the file.
func checkMarkdownShape(body string, first int) error {
	markers, lines := 0, 0
	n := first
	for line := range strings.SplitSeq(body, "\n") {
		if strings.TrimSpace(line) == "" {
			markers = 0
			n++
			continue
		}
		if lines++; lines > maxMarkdownLines {
			return fmt.Errorf("over %d lines of text, more than an article has", maxMarkdownLines)
		}
		depth, width, item := containerPrefix(line)
		if item {
			markers = 0 // a list item is a block of its own
		}
		switch {
		case depth > maxMarkdownNesting:
			return fmt.Errorf("line %d: block quotes or lists nested %d deep, over the %d an article can have", n, depth, maxMarkdownNesting)
		case width > maxMarkdownIndent:
			return fmt.Errorf("line %d: indented %d columns, over the %d an article can have", n, width, maxMarkdownIndent)
		}
		for i := 0; i < len(line); i++ {
			if c := line[i]; c == '*' || c == '_' || c == '[' {
				markers++
			}
		}
		if markers > maxInlineMarkers {
			return fmt.Errorf("line %d: a paragraph with over %d emphasis and link markers (* _ [), more than prose has", n, maxInlineMarkers)
		}
		n++
	}
	return nil
}

// containerPrefix measures the block quote and list markers that open a
// line: how many, how many columns they and the white space around them
// take (a tab to the next multiple of 4), and whether a list item is among
// them.
func containerPrefix(line string) (depth, width int, item bool) {
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ':
			width++
		case c == '\t':
			width += 4 - width%4
		case c == '>':
			depth++
			width++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			depth++
			width++
			item = true
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || (line[j+1] != ' ' && line[j+1] != '\t') {
				return depth, width, item
			}
			depth++
			width += j + 1 - i
			item = true
			i = j + 1
			continue
		default:
			return depth, width, item
		}
		i++
	}
	return depth, width, item
}
