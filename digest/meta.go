package digest

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// publishedLayouts are the date forms seen in feeds and front matter.
var publishedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	time.DateOnly,
	time.RFC1123Z,
	time.RFC1123,
}

// setPublished reads a publication time; an unreadable one is a warning, not
// a reason to lose the article.
func (a *Article) setPublished(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	for _, layout := range publishedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			a.Published = t.UTC()
			return
		}
	}
	a.Warnings = append(a.Warnings, fmt.Sprintf("published time %q not understood", truncate(s, 40)))
}

// safeURL keeps absolute http(s) addresses only: anything else (javascript:,
// data:, relative paths) must never reach an email.
func safeURL(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// cleanURLs drops every unsafe address the article carries, with a warning.
func (a *Article) cleanURLs() {
	check := func(what, s string) string {
		u, ok := safeURL(s)
		if !ok {
			a.Warnings = append(a.Warnings, fmt.Sprintf("%s %q dropped: not an absolute http(s) URL", what, truncate(s, 60)))
		}
		return u
	}
	a.URL = check("url", a.URL)
	a.Image = check("image", a.Image)
	for i := range a.Related {
		a.Related[i].URL = check("related url", a.Related[i].URL)
	}
}
