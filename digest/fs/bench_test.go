package fs_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/synth"
)

// BenchmarkReadDayFolder reads a day of 10,000 articles from a folder,
// without lookback.
func BenchmarkReadDayFolder(b *testing.B) {
	files := synth.Day(10_000, 1)
	root := b.TempDir()
	dir := filepath.Join(root, "2026", "11", "25")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(f.Data))
	}
	reader := digest.NewReader(digest.ReaderConfig{}, newStore(b, root), slog.New(slog.NewTextHandler(io.Discard, nil)))
	date := digest.Date{Year: 2026, Month: time.November, Day: 25}

	b.SetBytes(total)
	for b.Loop() {
		day, err := reader.ReadDay(b.Context(), date)
		if err != nil {
			b.Fatal(err)
		}
		if got, want := len(day.Articles), len(files); got != want {
			b.Fatalf("read %d articles, want %d (%d skipped)", got, want, len(day.Skipped))
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "articles/s")
}
