package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/newsdigest/newsdigest/digest"
)

func setupParse(fs *flag.FlagSet, out, _ io.Writer) func(context.Context, []string) error {
	maxBytes := fs.Int64("max-bytes", digest.DefaultMaxBytes, "skip files larger than this many bytes")
	summarize := fs.Bool("summarize", false, "add an extractive summary of each article")
	words := fs.Int("words", digest.DefaultLeadWords, "longest lead and summary, in words")
	return func(_ context.Context, files []string) error {
		if len(files) == 0 {
			return fmt.Errorf("%w: no files given", errUsage)
		}
		// The files given together are one corpus: their titles resolve
		// each other's related headlines.
		articles := make([]digest.Article, len(files))
		errs := make([]error, len(files))
		corpus := digest.NewHeadlines()
		for i, name := range files {
			articles[i], errs[i] = parseFile(name, *maxBytes)
			if errs[i] == nil {
				corpus.AddArticle(&articles[i])
			}
		}
		digest.ResolveRelated(articles, corpus)

		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		failed := 0
		for i, name := range files {
			var err error
			if errs[i] != nil {
				failed++
				err = enc.Encode(digest.Skipped{Key: name, Error: errs[i].Error()})
			} else {
				err = enc.Encode(withLead(&articles[i], *words, *summarize))
			}
			if err != nil {
				return err
			}
		}
		if failed == len(files) {
			return fmt.Errorf("none of the %d files could be read", len(files))
		}
		return nil
	}
}

func parseFile(name string, maxBytes int64) (digest.Article, error) {
	info, err := os.Stat(name)
	if err != nil {
		return digest.Article{}, err
	}
	if info.Size() > maxBytes {
		return digest.Article{}, fmt.Errorf("%w: %d bytes, over the %d-byte cap", digest.ErrTooLarge, info.Size(), maxBytes)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return digest.Article{}, err
	}
	return digest.Parse(name, data)
}

// parsedArticle is what parse prints for an article: the article's own
// fields, its lead and, when asked for, its summary.
type parsedArticle struct {
	*digest.Article
	Lead    string `json:"lead"`
	Summary string `json:"summary,omitempty"`
}

func withLead(a *digest.Article, words int, summarize bool) parsedArticle {
	p := parsedArticle{Article: a, Lead: digest.Lead(a, digest.LeadOptions{MaxWords: words}).Text}
	if summarize {
		p.Summary = digest.Summarize(a, words)
	}
	return p
}
