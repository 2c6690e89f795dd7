package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTitleRunes is the longest title accepted; anything longer is not a
// headline but a broken file.
const MaxTitleRunes = 400

// maxParagraphs bounds an article's paragraphs: a long read has a few
// hundred, and each one costs memory and time in every later step.
const maxParagraphs = 5000

// maxRelated bounds the related headlines kept of one article; an edition
// shows a few.
const maxRelated = 50

// rankedName is a scraper's file name: NNN_<id>.ext, a rank and an id.
var rankedName = regexp.MustCompile(`^(\d{1,6})_([A-Za-z0-9][A-Za-z0-9_-]{0,127})$`)

// Parse reads one article file. The name (a path or object key) gives the
// format by its extension, sniffed from the content when the extension is
// unknown, and a NNN_<id> base name gives the article's rank and id. Every
// returned error says why the file cannot be used.
func Parse(name string, data []byte) (Article, error) {
	text, warnings, err := decodeText(data)
	if err != nil {
		return Article{}, err
	}
	if strings.TrimSpace(text) == "" {
		return Article{}, errors.New("empty file")
	}
	format := formatOf(name, text)
	var a Article
	switch format {
	case FormatText:
		a, err = parseText(text)
	case FormatJSON:
		a, err = parseJSON(text)
	case FormatHTML:
		a, err = parseHTML(text)
	case FormatMarkdown:
		a, err = parseMarkdown(text)
	}
	if err != nil {
		return Article{}, fmt.Errorf("%s: %w", format, err)
	}
	a.Format = format
	a.Key = name
	a.Warnings = append(warnings, a.Warnings...)
	if err := a.finish(name); err != nil {
		return Article{}, fmt.Errorf("%s: %w", format, err)
	}
	return a, nil
}

// finish cleans every field, checks what every article must have and fills
// in the rank and id from the file name.
func (a *Article) finish(name string) error {
	a.Title = cleanText(a.Title)
	a.Dek = cleanText(a.Dek)
	a.Source = cleanText(a.Source)
	a.Section = strings.ToLower(cleanText(a.Section))
	a.URL = strings.TrimSpace(a.URL)
	a.Image = strings.TrimSpace(a.Image)
	a.Paragraphs = cleanAll(a.Paragraphs)
	related := a.Related[:0]
	for _, r := range a.Related {
		if r.Title = cleanText(r.Title); r.Title != "" {
			r.URL = strings.TrimSpace(r.URL)
			related = append(related, r)
		}
	}
	a.Related = related
	a.cleanURLs()

	switch n := utf8.RuneCountInString(a.Title); {
	case n == 0:
		return errors.New("no title")
	case n > MaxTitleRunes:
		return fmt.Errorf("title is %d characters long, over the %d a headline can have", n, MaxTitleRunes)
	case !strings.ContainsFunc(a.Title, isLetterOrDigit):
		return fmt.Errorf("title %q has no letter or digit: not a headline", truncate(a.Title, 40))
	}
	if len(a.Paragraphs) == 0 {
		return errors.New("title only: no body paragraphs")
	}
	if n := len(a.Paragraphs); n > maxParagraphs {
		return fmt.Errorf("%d paragraphs, over the %d an article can have", n, maxParagraphs)
	}
	if n := len(a.Related); n > maxRelated {
		a.Related = a.Related[:maxRelated:maxRelated]
		a.Warnings = append(a.Warnings, fmt.Sprintf("%d related headlines: kept the first %d", n, maxRelated))
	}

	stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if m := rankedName.FindStringSubmatch(stem); m != nil {
		rank, _ := strconv.Atoi(m[1])
		a.Rank = &rank
		if a.ID == "" {
			a.ID = m[2]
		}
	}
	if a.ID == "" {
		a.ID = keyID(name)
	}
	return nil
}

// keyID is the id of an article whose file names none: a hash of its key.
func keyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// formatOf picks the format from the file extension, or sniffs the content
// when the extension says nothing.
func formatOf(name, text string) Format {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".text":
		return FormatText
	case ".json":
		return FormatJSON
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".md", ".markdown":
		return FormatMarkdown
	}
	return sniff(text)
}

func sniff(text string) Format {
	head := strings.TrimLeft(text, " \t\n")
	lower := strings.ToLower(head[:min(len(head), 512)])
	switch {
	case strings.HasPrefix(head, "{"):
		return FormatJSON
	case strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<html"),
		strings.HasPrefix(lower, "<?xml") && strings.Contains(lower, "<html"),
		strings.HasPrefix(lower, "<") && strings.Contains(lower, "<head"):
		return FormatHTML
	case strings.HasPrefix(head, "---\n"):
		return FormatMarkdown
	}
	return FormatText
}
