package digest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// DefaultMaxBytes is the default size cap of one article file.
const DefaultMaxBytes = 2 << 20

// ReaderConfig tunes how a day is read.
type ReaderConfig struct {
	// MaxBytes caps one file's size; larger files are skipped unread.
	MaxBytes int64
	// Concurrency is how many files are read at once.
	Concurrency int
	// Lookback is how many earlier days' titles resolve related headlines.
	Lookback int
}

// Reader reads a day's articles from a store.
type Reader struct {
	cfg    ReaderConfig
	store  ArticleStore
	logger *slog.Logger
}

// NewReader returns a Reader; zero config fields take their defaults
// (2 MiB, 16 files at once, no lookback).
func NewReader(cfg ReaderConfig, store ArticleStore, logger *slog.Logger) *Reader {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	return &Reader{cfg: cfg, store: store, logger: logger}
}

// Day is one day's corpus: the articles that could be read, in key order,
// and the files that could not, each with its reason.
type Day struct {
	Date     Date      `json:"date"`
	Articles []Article `json:"articles"`
	Skipped  []Skipped `json:"skipped"`
}

// ReadDay reads and parses every file of the day, then splits each related
// headlines run against the titles of the day and of the lookback days. One
// bad file never stops the day; a day whose listing fails, or whose every
// file fails to download, is an error rather than an empty day.
func (r *Reader) ReadDay(ctx context.Context, date Date) (Day, error) {
	start := time.Now()
	day, err := r.readFiles(ctx, date)
	if err != nil {
		return Day{}, err
	}
	corpus := NewHeadlines()
	for i := range day.Articles {
		corpus.AddArticle(&day.Articles[i])
	}
	for back := 1; back <= r.cfg.Lookback; back++ {
		// Earlier days only lend their titles: without them some related
		// headlines stay unlinked, which is no reason to lose the edition.
		earlier, err := r.readFiles(ctx, date.AddDays(-back))
		if err != nil {
			r.logger.Warn("earlier day's titles unavailable", "date", date.AddDays(-back).String(), "error", err)
			continue
		}
		for i := range earlier.Articles {
			corpus.AddArticle(&earlier.Articles[i])
		}
	}
	ResolveRelated(day.Articles, corpus)
	r.logger.Info("read day", "date", date.String(), "articles", len(day.Articles),
		"skipped", len(day.Skipped), "lookback_days", r.cfg.Lookback, "elapsed", time.Since(start))
	return day, nil
}

// ResolveRelated splits every article's related-headlines run against the
// corpus, and links every related headline the corpus holds to its article.
func ResolveRelated(articles []Article, corpus *Headlines) {
	for i := range articles {
		a := &articles[i]
		if a.RelatedRun != "" {
			a.Related = append(corpus.Split(a.RelatedRun), a.Related...)
			a.RelatedRun = ""
		}
		for j := range a.Related {
			corpus.link(&a.Related[j])
		}
	}
}

// errRead marks a failure to download, as opposed to a file that was read
// and found broken.
type errRead struct{ err error }

func (e errRead) Error() string { return e.err.Error() }
func (e errRead) Unwrap() error { return e.err }

func (r *Reader) readFiles(ctx context.Context, date Date) (Day, error) {
	objects, err := r.store.List(ctx, date)
	if err != nil {
		return Day{}, fmt.Errorf("list %s: %w", date, err)
	}
	type result struct {
		article Article
		err     error
	}
	results := make([]result, len(objects))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(objects)) {
		wg.Go(func() {
			for i := range next {
				results[i].article, results[i].err = r.readOne(ctx, objects[i])
			}
		})
	}
	for i := range objects {
		next <- i
	}
	close(next)
	wg.Wait()

	day := Day{Date: date}
	var readFailures int
	var firstReadErr error
	for i, res := range results {
		if res.err == nil {
			day.Articles = append(day.Articles, res.article)
			continue
		}
		if errors.As(res.err, new(errRead)) {
			readFailures++
			firstReadErr = cmp.Or(firstReadErr, res.err)
		}
		day.Skipped = append(day.Skipped, Skipped{Key: objects[i].Key, Error: res.err.Error()})
	}
	if err := ctx.Err(); err != nil {
		return Day{}, err
	}
	if len(objects) > 0 && readFailures == len(objects) {
		return Day{}, fmt.Errorf("read %s: none of its %d files could be read: %w", date, len(objects), firstReadErr)
	}
	return day, nil
}

func (r *Reader) readOne(ctx context.Context, info ObjectInfo) (Article, error) {
	if info.Size > r.cfg.MaxBytes {
		return Article{}, tooLarge(info.Size, r.cfg.MaxBytes)
	}
	obj, err := r.store.Open(ctx, info.Key)
	if err != nil {
		return Article{}, errRead{fmt.Errorf("open: %w", err)}
	}
	defer obj.Body.Close()
	if obj.Size > r.cfg.MaxBytes {
		return Article{}, tooLarge(obj.Size, r.cfg.MaxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(obj.Body, r.cfg.MaxBytes+1))
	if err != nil {
		return Article{}, errRead{fmt.Errorf("read: %w", err)}
	}
	if int64(len(data)) > r.cfg.MaxBytes {
		return Article{}, tooLarge(-1, r.cfg.MaxBytes)
	}
	a, err := Parse(info.Key, data)
	if err != nil {
		return Article{}, err
	}
	if a.URL == "" {
		if u, ok := safeURL(obj.URL); ok {
			a.URL = u
		} else {
			a.Warnings = append(a.Warnings, fmt.Sprintf("url metadata %q dropped: not an absolute http(s) URL", truncate(obj.URL, 60)))
		}
	}
	return a, nil
}

func tooLarge(size, limit int64) error {
	if size < 0 {
		return fmt.Errorf("%w: over the %s cap", ErrTooLarge, byteSize(limit))
	}
	return fmt.Errorf("%w: %s, over the %s cap", ErrTooLarge, byteSize(size), byteSize(limit))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
