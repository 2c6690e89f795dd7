package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Editorial is an editor's input to one day's edition, kept beside the
// articles as editorial/YYYY-MM-DD.json. Stories are named by the id of any
// of their articles (the <id> of NNN_<id>.txt), its key or its URL.
type Editorial struct {
	// Pin puts stories in the edition, first and in this order.
	Pin []string `json:"pin,omitempty"`
	// Drop keeps stories out of the edition.
	Drop []string `json:"drop,omitempty"`
	// Subject replaces the generated subject line.
	Subject string `json:"subject,omitempty"`
	// Intro is the editor's note at the top of the email.
	Intro string `json:"intro,omitempty"`
	// MaxStories overrides how many stories the edition holds.
	MaxStories int `json:"max_stories,omitempty"`
	// PreferSources names outlets whose article leads a story they
	// covered, in order of preference.
	PreferSources []string `json:"prefer_sources,omitempty"`
}

// MaxEditionStories bounds the stories of one edition.
const MaxEditionStories = 50

// EditorialKey is where a day's editorial file lives in the article store.
func EditorialKey(d Date) string { return "editorial/" + d.String() + ".json" }

// ErrNotFound is wrapped by stores for an object that does not exist.
var ErrNotFound = errors.New("not found")

// ErrNoArticles is wrapped for a day without a single readable article.
var ErrNoArticles = errors.New("no articles")

// ParseEditorial reads and checks an editorial file. Unknown fields are
// errors, so that a misspelt "pins" is reported instead of ignored.
func ParseEditorial(data []byte) (Editorial, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Editorial
	if err := dec.Decode(&e); err != nil {
		return Editorial{}, explainJSONError(err, data)
	}
	if dec.More() {
		return Editorial{}, errors.New("more than one JSON value")
	}
	var problems []string
	if e.MaxStories < 0 || e.MaxStories > MaxEditionStories {
		problems = append(problems, fmt.Sprintf("max_stories %d: want 1 to %d", e.MaxStories, MaxEditionStories))
	}
	if strings.ContainsAny(e.Subject, "\r\n") || strings.ContainsFunc(e.Subject, isControl) {
		problems = append(problems, "subject: line breaks and control characters cannot go into an email header")
	}
	if n := utf8.RuneCountInString(e.Subject); n > 200 {
		problems = append(problems, fmt.Sprintf("subject: %d characters, over 200", n))
	}
	if !utf8.ValidString(e.Subject + e.Intro + strings.Join(e.Pin, "") + strings.Join(e.Drop, "")) {
		problems = append(problems, "invalid UTF-8")
	}
	dropped := map[string]bool{}
	for _, d := range e.Drop {
		dropped[d] = true
	}
	for _, p := range e.Pin {
		if dropped[p] {
			problems = append(problems, fmt.Sprintf("%q is both pinned and dropped", p))
		}
	}
	for _, id := range append(append([]string{}, e.Pin...), e.Drop...) {
		if strings.TrimSpace(id) == "" {
			problems = append(problems, "an empty id in pin or drop")
			break
		}
	}
	if len(problems) > 0 {
		return Editorial{}, errors.New(strings.Join(problems, "; "))
	}
	e.Intro = strings.TrimSpace(e.Intro)
	return e, nil
}

// ReadEditorial reads the day's editorial file from the article store. A
// day without one has the zero Editorial; a file that cannot be used is an
// error saying why, and the edition is built without it.
func (r *Reader) ReadEditorial(ctx context.Context, d Date) (Editorial, error) {
	key := EditorialKey(d)
	obj, err := r.store.Open(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return Editorial{}, nil
	}
	// A file that could not be read is not a broken file: building
	// without the editor's pins and drops would send the wrong edition.
	if err != nil {
		return Editorial{}, fmt.Errorf("%s: %w", key, errRead{err})
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(io.LimitReader(obj.Body, 1<<20+1))
	if err != nil {
		return Editorial{}, fmt.Errorf("%s: %w", key, errRead{err})
	}
	if len(data) > 1<<20 {
		return Editorial{}, fmt.Errorf("%s: over 1 MiB", key)
	}
	e, err := ParseEditorial(data)
	if err != nil {
		return Editorial{}, fmt.Errorf("%s: %w", key, err)
	}
	return e, nil
}

// isControl reports the characters no header may hold: the C0 and C1
// controls and DEL, and the Unicode line and paragraph separators, which
// some clients show as line breaks.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}
