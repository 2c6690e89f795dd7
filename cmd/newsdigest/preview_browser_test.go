package main

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/browser"
)

// TestPreviewInChromium drives the editor's preview as an editor would:
// open a day, read the email and the reasons, pick another day, and meet
// the error page for a day without articles.
func TestPreviewInChromium(t *testing.T) {
	if _, err := os.Stat("go.mod"); err != nil {
		t.Chdir("../..")
	}
	handler, err := newPreview(t.Context(), defaultArticles, digest.ReaderConfig{Lookback: 3},
		digest.BuildConfig{ArchiveBaseURL: defaultArchiveURL},
		emailDefaults(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx := browser.New(t)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(err)
		return v
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/?date=2026-11-26")))
	title, err := chromedp.Run(ctx, chromedp.Title())
	must(err)
	if heading := text("section.summary h2"); !strings.HasPrefix(title, "Preview: Nov 26: Fossil footprints") || heading != "Thursday 26 November 2026" {
		t.Errorf("title %q, heading %q", title, heading)
	}
	srcdoc, err := chromedp.Run(ctx, chromedp.AttributeValue("iframe", "srcdoc"))
	must(err)
	if !strings.Contains(srcdoc.Value, "The Newsdigest Daily") || !strings.Contains(srcdoc.Value, `id="story-f80a6e0fab00ad9c"`) {
		t.Error("the frame does not hold the email")
	}
	reasons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".pane ol > li").length`))
	must(err)
	runnersUp, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr").length`))
	must(err)
	if reasons != 8 || runnersUp == 0 {
		t.Errorf("%d story reasons (want the edition's 8), %d runners-up", reasons, runnersUp)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	must(err)
	if overflow {
		t.Error("the preview scrolls sideways at 1280 px")
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	must(err)
	must(os.WriteFile("docs/preview.png", shot, 0o644))

	// Another day through the form, as an editor picks it.
	must(chromedp.Do(ctx,
		chromedp.SetValue("#date", "2026-11-25"),
		chromedp.Submit("form"),
		chromedp.WaitVisible(`input[value="2026-11-25"]`),
	))
	if heading := text("section.summary h2"); heading != "Wednesday 25 November 2026" {
		t.Errorf("after picking 2026-11-25 the page shows %q", heading)
	}

	must(chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?date=2026-01-01")))
	if alert := text(`[role="alert"]`); !strings.Contains(alert, "There are no articles for 2026-01-01.") || strings.Contains(alert, "goroutine") {
		t.Errorf("error page says %q", alert)
	}
}
