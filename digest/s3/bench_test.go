package s3_test

import (
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
	"github.com/newsdigest/newsdigest/internal/synth"
)

// BenchmarkReadDayS3 reads a day of 10,000 articles from an in-memory S3
// server over HTTP, without lookback.
func BenchmarkReadDayS3(b *testing.B) {
	files := synth.Day(10_000, 1)
	var total int64
	for _, f := range files {
		total += int64(len(f.Data))
	}
	store := digests3.New(fakeBucket(b, under("articles/2026/11/25/", files)), bucket, "articles")
	reader := digest.NewReader(digest.ReaderConfig{}, store, discardLogger())

	b.SetBytes(total)
	for b.Loop() {
		day, err := reader.ReadDay(b.Context(), testDay())
		if err != nil {
			b.Fatal(err)
		}
		if got, want := len(day.Articles), len(files); got != want {
			b.Fatalf("read %d articles, want %d (%d skipped)", got, want, len(day.Skipped))
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "articles/s")
}
