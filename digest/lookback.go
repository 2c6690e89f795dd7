package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// A day's lookback index holds what later days take from it: each
// article's id, title, address, standfirst and opening paragraphs, the
// parts Headlines learns from. Reading it costs one small object instead
// of every article of the day, parsed again by each of the days that look
// back on it (three, by default): at 10,000 articles a day, the larger
// part of a build.

// LookbackIndexKey is where a day's lookback index is kept, beside the
// articles.
func LookbackIndexKey(d Date) string { return "index/" + d.String() + ".json" }

// lookbackIndex is the stored form; Version lets a later shape replace
// it without misreading an older one.
type lookbackIndex struct {
	Version  int               `json:"version"`
	Date     Date              `json:"date"`
	Articles []lookbackArticle `json:"articles"`
}

type lookbackArticle struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	URL        string   `json:"url,omitempty"`
	Dek        string   `json:"dek,omitempty"`
	Paragraphs []string `json:"paragraphs,omitempty"`
}

const lookbackVersion = 1

// indexWriter is a store that can keep a day's lookback index.
type indexWriter interface {
	Put(ctx context.Context, key string, body []byte, contentType string) error
}

// writeLookbackIndex keeps the day's index in the store.
func writeLookbackIndex(ctx context.Context, store indexWriter, day Day) error {
	idx := lookbackIndex{Version: lookbackVersion, Date: day.Date, Articles: make([]lookbackArticle, len(day.Articles))}
	for i, a := range day.Articles {
		idx.Articles[i] = lookbackArticle{ID: a.ID, Title: a.Title, URL: a.URL, Dek: a.Dek,
			Paragraphs: a.Paragraphs[:min(len(a.Paragraphs), proseParagraphs)]}
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := store.Put(ctx, LookbackIndexKey(day.Date), data, "application/json"); err != nil {
		return fmt.Errorf("keep the lookback index of %s: %w", day.Date, err)
	}
	return nil
}

// errNoIndex: the day has no usable index; its articles are read instead.
var errNoIndex = errors.New("no lookback index")

// readLookbackIndex reads a day's index back as articles that carry what
// Headlines takes from them.
func readLookbackIndex(ctx context.Context, store ArticleStore, d Date) ([]Article, error) {
	obj, err := store.Open(ctx, LookbackIndexKey(d))
	if errors.Is(err, ErrNotFound) {
		return nil, errNoIndex
	}
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	var idx lookbackIndex
	if err := json.NewDecoder(io.LimitReader(obj.Body, maxIndexBytes)).Decode(&idx); err != nil {
		return nil, fmt.Errorf("%s: %w", LookbackIndexKey(d), err)
	}
	if idx.Version != lookbackVersion || idx.Date != d {
		return nil, errNoIndex
	}
	out := make([]Article, len(idx.Articles))
	for i, a := range idx.Articles {
		out[i] = Article{ID: a.ID, Title: a.Title, URL: a.URL, Dek: a.Dek, Paragraphs: a.Paragraphs}
	}
	return out, nil
}

// maxIndexBytes bounds an index: 100,000 articles of about 2 KB each.
const maxIndexBytes = 256 << 20
