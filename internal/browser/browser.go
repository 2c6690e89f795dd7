// Package browser starts headless Chromium for tests that look at pages as
// a reader's browser lays them out.
package browser

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecPath is Debian's Chromium, which `make tools` installs.
const ExecPath = "/usr/bin/chromium"

// Timeout bounds one test's use of the browser, so that a hung page fails
// the test instead of stalling the suite.
const Timeout = 60 * time.Second

// New starts headless Chromium with a fresh profile and returns the context
// of its first tab, for chromedp.Run. The browser stops, and its profile is
// removed, when the test ends or Timeout passes.
func New(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(ExecPath); err != nil {
		t.Fatalf("no Chromium at %s (%v): run make tools", ExecPath, err)
	}
	// The profile directory is created first so that its removal, a
	// cleanup too, runs after the browser has exited.
	profile := t.TempDir()
	timed, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(timed,
		chromedp.ExecPath(ExecPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		// The machine's network is closed: the browser must not try to
		// reach Google's services, whose refused connections it would
		// otherwise retry and report.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	// Start it now, so a browser that cannot start fails here and not in
	// the middle of a check.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}
