package digest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
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
	// MaxBytesAtOnce caps the listed bytes of the files being read and
	// parsed at once (default 2 × MaxBytes). Parsing takes up to some 50
	// times a file's size in memory (HTML), so files near the cap are
	// parsed two at a time, however many Concurrency allows, while a day
	// of ordinary articles of a few kilobytes never waits
	// (BENCHMARKS.md, "Hostile input").
	MaxBytesAtOnce int64
	// MaxDayBytes caps the listed bytes of one day's files (0: no cap).
	// The parsed day is held whole for the build, so this is what bounds
	// the reader's memory by the day rather than by the file: a day that
	// lists more leaves its largest files out unread, each reported with
	// the reason, and the rest, as many articles as the budget holds, make
	// the edition. A file whose size the store cannot tell counts as
	// MaxBytes.
	MaxDayBytes int64
	// Lookback is how many earlier days' titles resolve related headlines.
	Lookback int
	// KeepIndex keeps each day read in a lookback index beside its
	// articles (LookbackIndexKey), when the store can write, for the days
	// after it to read instead of every article; a day without an index
	// is read whole.
	KeepIndex bool
}

// Reader reads a day's articles from a store.
type Reader struct {
	cfg    ReaderConfig
	store  ArticleStore
	logger *slog.Logger
}

// NewReader returns a Reader; zero config fields take their defaults
// (2 MiB, 16 files at once, 4 MiB of them at once, no lookback).
func NewReader(cfg ReaderConfig, store ArticleStore, logger *slog.Logger) *Reader {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxBytesAtOnce <= 0 {
		cfg.MaxBytesAtOnce = 2 * cfg.MaxBytes
	}
	cfg.MaxBytesAtOnce = max(cfg.MaxBytesAtOnce, cfg.MaxBytes)
	if cfg.MaxDayBytes > 0 {
		cfg.MaxDayBytes = max(cfg.MaxDayBytes, cfg.MaxBytes)
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
		earlier, err := r.lookback(ctx, date.AddDays(-back))
		if err != nil {
			r.logger.Warn("earlier day's titles unavailable", "date", date.AddDays(-back).String(), "error", err)
			continue
		}
		for i := range earlier {
			corpus.AddArticle(&earlier[i])
		}
	}
	if w, ok := r.store.(indexWriter); ok && r.cfg.KeepIndex && len(day.Articles) > 0 {
		// The index is a saving for later days, never a condition of this
		// one.
		if err := writeLookbackIndex(ctx, w, day); err != nil {
			r.logger.Warn("lookback index not kept", "date", date.String(), "error", err)
		}
	}
	ResolveRelated(day.Articles, corpus)
	r.logger.Info("read day", "date", date.String(), "articles", len(day.Articles),
		"skipped", len(day.Skipped), "lookback_days", r.cfg.Lookback, "elapsed", time.Since(start))
	return day, nil
}

// lookback is an earlier day's articles as Headlines needs them: from the
// day's index when there is one, else read whole.
func (r *Reader) lookback(ctx context.Context, d Date) ([]Article, error) {
	articles, err := readLookbackIndex(ctx, r.store, d)
	if err == nil {
		return articles, nil
	}
	if !errors.Is(err, errNoIndex) {
		r.logger.Warn("lookback index unreadable; reading the day's articles", "date", d.String(), "error", err)
	}
	day, err := r.readFiles(ctx, d)
	return day.Articles, err
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
	leftOut, listed := r.overDayBudget(objects)
	var notTried int
	if leftOut != nil {
		over := fmt.Errorf("%w: its files under the size cap list %s, over the day's %s; the largest are left out", ErrDayTooLarge, byteSize(listed), byteSize(r.cfg.MaxDayBytes))
		for i, out := range leftOut {
			if out {
				results[i].err = over
				notTried++
			}
		}
		r.logger.Warn("day over its byte budget: files left out unread", "date", date.String(),
			"listed_bytes", listed, "max_day_bytes", r.cfg.MaxDayBytes, "left_out", notTried)
	}
	next := make(chan int)
	// A file holds its listed size of the budget from the start of its
	// read to the end of its parse; the files take their turns in key
	// order. One file always fits, so the loop below never waits on a
	// budget that nothing in flight will give back.
	released := make(chan int64, len(objects))
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(objects)) {
		wg.Go(func() {
			for i := range next {
				results[i].article, results[i].err = r.readOne(ctx, objects[i])
				released <- r.weight(objects[i])
			}
		})
	}
	free := r.cfg.MaxBytesAtOnce
	for i := range objects {
		if leftOut != nil && leftOut[i] {
			continue
		}
		w := r.weight(objects[i])
		for free < w {
			free += <-released
		}
		free -= w
		next <- i
	}
	close(next)
	wg.Wait()

	day := Day{Date: date}
	var readFailures int
	var firstReadErr error
	ids := map[string]string{} // id → key of the article that has it
	for i, res := range results {
		if res.err == nil {
			uniqueID(&res.article, ids)
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
	if tried := len(objects) - notTried; tried > 0 && readFailures == tried {
		return Day{}, fmt.Errorf("read %s: none of its %d files could be read: %w", date, tried, firstReadErr)
	}
	return day, nil
}

// uniqueID keeps an article's id when no earlier article of the day (in
// key order) has it. Otherwise the id is one its file's content claimed, and
// the article gets the hash of its key instead: pins, drops, anchors and
// related links find each article by its id.
func uniqueID(a *Article, ids map[string]string) {
	if first, taken := ids[a.ID]; taken {
		id := keyID(a.Key)
		for ids[id] != "" {
			id = keyID(id)
		}
		a.Warnings = append(a.Warnings, fmt.Sprintf("id %q is already the id of %s: given the id %s", a.ID, first, id))
		a.ID = id
	}
	ids[a.ID] = a.Key
}

// overDayBudget marks the files a day over MaxDayBytes leaves out: the
// largest, so that the budget keeps as many articles as it can, and of
// files alike in size the later in key order, so that every run of the day
// leaves out the same ones, with the day's listed bytes; nil when there is
// no budget or the day fits.
func (r *Reader) overDayBudget(objects []ObjectInfo) (leftOut []bool, listed int64) {
	if r.cfg.MaxDayBytes <= 0 {
		return nil, 0
	}
	for _, o := range objects {
		listed += r.weight(o)
	}
	if listed <= r.cfg.MaxDayBytes {
		return nil, listed
	}
	bySize := make([]int, len(objects))
	for i := range bySize {
		bySize[i] = i
	}
	slices.SortFunc(bySize, func(a, b int) int {
		return cmp.Or(cmp.Compare(r.weight(objects[a]), r.weight(objects[b])), strings.Compare(objects[a].Key, objects[b].Key))
	})
	leftOut = make([]bool, len(objects))
	var kept int64
	for _, i := range bySize {
		if w := r.weight(objects[i]); kept+w <= r.cfg.MaxDayBytes {
			kept += w
		} else {
			leftOut[i] = true
		}
	}
	return leftOut, listed
}

// weight is a file's share of the MaxBytesAtOnce budget: its listed size,
// the whole cap when the store cannot tell, nothing for a file over the cap,
// which is refused unread.
func (r *Reader) weight(info ObjectInfo) int64 {
	switch {
	case info.Size < 0:
		return r.cfg.MaxBytes
	case info.Size > r.cfg.MaxBytes:
		return 0
	}
	return info.Size
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
