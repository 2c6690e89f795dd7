package compare

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
	"github.com/newsdigest/newsdigest/internal/synth"
)

const (
	examplesDir = "../../examples/articles"
	eventsDir   = "../../digest/testdata/events"
)

// emailConfig is the sender of the example editions.
func emailConfig() hermes.Config {
	return hermes.Config{ProductName: "The Harbour Digest", SiteURL: "https://digest.example",
		PostalAddress: "Harbour Digest Ltd, 4 Quay Street, Port Alder PA1 2QS"}
}

// exampleEdition is the edition of 2026-11-26 built from the example
// corpus, editorial file and all, as `newsdigest build` makes it.
func exampleEdition(tb testing.TB) digest.Edition {
	tb.Helper()
	store, err := fs.New(examplesDir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	logger := slog.New(slog.DiscardHandler)
	reader := digest.NewReader(digest.ReaderConfig{Lookback: 3}, store, logger)
	builder := digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: "https://digest.example/archive"}, logger)
	e, err := digest.BuildDay(context.Background(), reader, builder, digest.Date{Year: 2026, Month: 11, Day: 26})
	if err != nil {
		tb.Fatal(err)
	}
	if len(e.Stories) < 5 {
		tb.Fatalf("example edition of %d stories", len(e.Stories))
	}
	return e
}

// readers are n subscribers' personal values: every tenth without a name,
// each with their own unsubscribe link.
func readers(n int) []digest.Personal {
	out := make([]digest.Personal, n)
	for i := range out {
		out[i] = digest.Personal{
			Name:           fmt.Sprintf("Reader %04d", i),
			UnsubscribeURL: fmt.Sprintf("https://digest.example/unsubscribe?l=daily&e=reader%04d%%40example.com&t=%016x", i, uint64(i)*0x9e3779b97f4a7c15),
			ViewURL:        "https://digest.example/archive/2026-11-26/",
		}
		if i%10 == 9 {
			out[i].Name = ""
		}
	}
	return out
}

// labelledSet reads one file of digest's labelled events as articles,
// their events and their near misses.
func labelledSet(tb testing.TB, name string) (articles []digest.Article, events, nearMiss []string) {
	tb.Helper()
	set, err := ReadLabelled(filepath.Join(eventsDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range set {
		articles = append(articles, l.Article)
		events = append(events, l.Event)
		nearMiss = append(nearMiss, l.NearMiss)
	}
	return articles, events, nearMiss
}

var labelledDate = digest.Date{Year: 2026, Month: 11, Day: 25}

// syntheticDay is a generated day of n articles, a third of them in groups
// of 2–4 reporting one event, as digest's own benchmarks make it; each
// article's event is known.
func syntheticDay(tb testing.TB, n int) ([]digest.Article, []string) {
	tb.Helper()
	files := synth.Generate(synth.Options{Articles: n, Seed: 42, DuplicateShare: 0.33})
	articles := make([]digest.Article, len(files))
	events := make([]string, len(files))
	for i, f := range files {
		a, err := digest.Parse("2026/11/25/"+f.Name, f.Data)
		if err != nil {
			tb.Fatalf("%s: %v", f.Name, err)
		}
		if a.URL == "" {
			a.URL = f.URL
		}
		a.ID = fmt.Sprint(i) // unique whatever the titles
		articles[i], events[i] = a, fmt.Sprint(f.Event)
	}
	return articles, events
}

// exampleArticles are the 50 articles of the example corpus.
func exampleArticles(tb testing.TB) []digest.Article {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(examplesDir, "2026/11/*/*"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no example articles: %v", err)
	}
	var out []digest.Article
	for _, p := range paths {
		key, _ := filepath.Rel(examplesDir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		a, err := digest.Parse(filepath.ToSlash(key), data)
		if err != nil {
			tb.Fatalf("%s: %v", key, err)
		}
		out = append(out, a)
	}
	return out
}
