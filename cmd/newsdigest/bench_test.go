package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkBuildCommand runs `newsdigest build` as its own process on one
// core (GOMAXPROCS=1) over generated days of 1k, 10k and 100k articles:
// read, parse, cluster, rank, write. It reports the wall time and the
// process's peak resident memory.
// `go test -run '^$' -bench BuildCommand -benchtime 1x ./cmd/newsdigest`
func BenchmarkBuildCommand(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "newsdigest")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"gen-corpus", "--out", dir, "--articles", fmt.Sprint(n)}, &out, &errOut); code != 0 {
				b.Fatalf("gen-corpus: %s", errOut.String())
			}
			var maxRSS int64
			var wall time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, "build", "--articles", dir, "--date", "2026-11-25", "--lookback", "0",
					"--out", filepath.Join(dir, "edition.json"))
				cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("build: %v\n%s", err, out)
				}
				wall += time.Since(start)
				maxRSS = max(maxRSS, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
			}
			b.ReportMetric(wall.Seconds()/float64(b.N), "s/edition")
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
		})
	}
}
