package digest

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/synth"
)

// syntheticDay parses n generated articles, a third of them in groups of
// two to four outlets reporting one event, and says which event each
// reports.
func syntheticDay(tb testing.TB, n int) (Day, []int) {
	tb.Helper()
	files := synth.Generate(synth.Options{Articles: n, Seed: 42, DuplicateShare: 0.33})
	day := Day{Date: Date{2026, 11, 25}, Articles: make([]Article, 0, n)}
	events := make([]int, 0, n)
	for _, f := range files {
		a, err := Parse("2026/11/25/"+f.Name, f.Data)
		if err != nil {
			tb.Fatalf("%s: %v", f.Name, err)
		}
		if a.URL == "" {
			a.URL = f.URL
		}
		day.Articles = append(day.Articles, a)
		events = append(events, f.Event)
	}
	return day, events
}

// BenchmarkBuildEdition builds one edition from an already-read day of 1k,
// 10k and 100k articles, reporting the heap's peak during the build.
// `go test -run '^$' -bench BuildEdition -benchtime 1x -cpu 1 ./digest`
func BenchmarkBuildEdition(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			day, _ := syntheticDay(b, n)
			builder := NewBuilder(BuildConfig{ArchiveBaseURL: "https://digest.example/archive"}, discard())
			runtime.GC()
			base := heapBytes()
			var peak atomic.Uint64
			stop := watchHeap(&peak)
			for b.Loop() {
				e := builder.Build(day, Editorial{})
				if len(e.Stories) != 10 {
					b.Fatalf("%d stories", len(e.Stories))
				}
			}
			stop()
			b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-MB-above-day")
			b.ReportMetric(float64(n)/(float64(b.Elapsed().Seconds())/float64(b.N)), "articles/s")
		})
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// watchHeap records the largest heap seen until stop is called.
func watchHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
