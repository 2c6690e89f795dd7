package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

// progressBar shows a run's progress: a bar redrawn in place on a
// terminal, a log line every tenth of the way otherwise.
type progressBar struct {
	w        io.Writer
	terminal bool
	mu       sync.Mutex
	last     digest.Progress
	drawn    time.Time
	tenth    int
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	terminal := false
	if ok {
		if info, err := f.Stat(); err == nil {
			terminal = info.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progressBar{w: w, terminal: terminal}
}

// batch starts the next batch of a run and returns its progress
// callback; the bar adds the batches up.
func (p *progressBar) batch() func(digest.Progress) {
	p.mu.Lock()
	base := p.last
	p.mu.Unlock()
	return func(b digest.Progress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.last = digest.Progress{
			Done: base.Done + b.Done, Total: base.Done + b.Total,
			Sent: base.Sent + b.Sent, Failed: base.Failed + b.Failed,
			Elapsed: base.Elapsed + b.Elapsed,
		}
		if p.terminal {
			if time.Since(p.drawn) > 100*time.Millisecond || p.last.Done == p.last.Total {
				p.draw()
			}
			return
		}
		if tenth := 10 * p.last.Done / max(1, p.last.Total); tenth > p.tenth {
			p.tenth = tenth
			fmt.Fprintf(p.w, "progress: %s\n", p.line())
		}
	}
}

func (p *progressBar) line() string {
	l := p.last
	rate := float64(l.Sent) / max(l.Elapsed.Seconds(), 1e-3)
	eta := "?"
	if rate > 0 && l.Total > l.Done {
		eta = (time.Duration(float64(l.Total-l.Done)/rate) * time.Second).Round(time.Second).String()
	} else if l.Total == l.Done {
		eta = "0s"
	}
	return fmt.Sprintf("%d/%d done, %d sent, %d failed, %.1f/s, ETA %s", l.Done, l.Total, l.Sent, l.Failed, rate, eta)
}

func (p *progressBar) draw() {
	const width = 30
	l := p.last
	filled := width * l.Done / max(1, l.Total)
	fmt.Fprintf(p.w, "\r[%s%s] %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.line())
	p.drawn = time.Now()
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal && p.last.Total > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
