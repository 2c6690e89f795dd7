// Package digest is the domain of newsdigest: articles, the day's corpus,
// parsing, and the small interfaces the rest of the program plugs into.
// Adapters (file system, S3, SES, ...) live in subpackages named after their
// technology; they import digest, never the reverse.
package digest

import (
	"fmt"
	"time"
)

// Format names an article file format.
type Format string

// The article formats newsdigest reads.
const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatHTML     Format = "html"
	FormatMarkdown Format = "markdown"
)

// Article is one news article, whatever format it arrived in.
type Article struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Format Format `json:"format"`
	// Rank is the outlet's own order of the story (the NNN of NNN_<hash>.txt,
	// 0 = top story); nil when the file name carries none.
	Rank       *int      `json:"rank,omitempty"`
	Title      string    `json:"title"`
	Dek        string    `json:"dek,omitempty"`
	Source     string    `json:"source,omitempty"`
	URL        string    `json:"url,omitempty"`
	Published  time.Time `json:"published,omitzero"`
	Section    string    `json:"section,omitempty"`
	Paragraphs []string  `json:"paragraphs"`
	Related    []Related `json:"related,omitempty"`
	Image      string    `json:"image,omitempty"`
	// Warnings lists damage that was repaired while reading the file.
	Warnings []string `json:"warnings,omitempty"`

	// RelatedRun is the text format's run-together related-headlines line,
	// kept until the corpus it belongs to is known and can split it.
	RelatedRun string `json:"-"`
}

// Related is one related headline, resolved to an article when the corpus
// holds one with that title.
type Related struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	ID    string `json:"id,omitempty"`
}

// Skipped is a file that could not be used, with the reason.
type Skipped struct {
	Key   string `json:"key"`
	Error string `json:"error"`
}

// Date is a calendar day, the unit of an edition.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Path is the day's folder in the article layout: YYYY/MM/DD.
func (d Date) Path() string { return fmt.Sprintf("%04d/%02d/%02d", d.Year, d.Month, d.Day) }

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// MarshalText writes the date as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a YYYY-MM-DD date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
