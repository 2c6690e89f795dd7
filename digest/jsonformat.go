package digest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// jsonArticle is the JSON format: {id, title, dek, source, url, published,
// section, body | paragraphs[], related[{title,url}], image}.
type jsonArticle struct {
	ID         flexString    `json:"id"`
	Title      string        `json:"title"`
	Dek        string        `json:"dek"`
	Source     string        `json:"source"`
	URL        string        `json:"url"`
	Published  string        `json:"published"`
	Section    string        `json:"section"`
	Body       string        `json:"body"`
	Paragraphs []string      `json:"paragraphs"`
	Related    []jsonRelated `json:"related"`
	Image      string        `json:"image"`
}

// flexString accepts a string or a number: feeds disagree on ids.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		*f = flexString(s)
		return err
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", jsonKind(b))
	}
	*f = flexString(n.String())
	return nil
}

// jsonRelated accepts {title, url} or a bare headline string.
type jsonRelated Related

func (r *jsonRelated) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &r.Title)
	}
	var v struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Title, r.URL = v.Title, v.URL
	return nil
}

func parseJSON(text string) (Article, error) {
	var j jsonArticle
	if err := json.Unmarshal([]byte(text), &j); err != nil {
		return Article{}, explainJSONError(err, []byte(text))
	}
	a := Article{
		ID: string(j.ID), Title: j.Title, Dek: j.Dek, Source: j.Source, URL: j.URL,
		Section: j.Section, Image: j.Image, Paragraphs: j.Paragraphs,
	}
	if len(a.Paragraphs) == 0 {
		a.Paragraphs = splitParagraphs(j.Body)
	}
	for _, r := range j.Related {
		a.Related = append(a.Related, Related(r))
	}
	a.setPublished(j.Published)
	if !validID.MatchString(a.ID) {
		if a.ID != "" {
			a.Warnings = append(a.Warnings, fmt.Sprintf("id %q ignored: want letters, digits, '-' or '_'", truncate(a.ID, 40)))
		}
		a.ID = ""
	}
	return a, nil
}

// validID keeps ids safe for keys, URLs and headers.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

// splitParagraphs splits a body on blank lines, or on line ends when it has
// no blank lines.
func splitParagraphs(body string) []string {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil
	}
	if strings.Contains(body, "\n\n") {
		return strings.Split(body, "\n\n")
	}
	return strings.Split(body, "\n")
}

// explainJSONError turns encoding/json's errors into reasons an editor can
// act on: which field has which wrong type, or where the syntax breaks.
func explainJSONError(err error, data []byte) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return fmt.Errorf("want one JSON object, got %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Errorf("field %q: want %s, got %s", typeErr.Field, jsonTypeName(typeErr.Type.String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		line := 1 + bytes.Count(data[:min(int(syntaxErr.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("invalid JSON at line %d: %v", line, syntaxErr)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func jsonTypeName(goType string) string {
	switch {
	case goType == "string", goType == "digest.flexString":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

func jsonKind(b []byte) string {
	switch b = bytes.TrimSpace(b); {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "an array"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	case b[0] == 'n':
		return "null"
	}
	return "a number"
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
