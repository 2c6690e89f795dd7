package browser_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/newsdigest/newsdigest/internal/browser"
)

func TestNewLoadsLoopbackPages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><title>Loopback page</title><p id="p">Grüße, مرحبا</p>`)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	ctx := browser.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, expr, want string
	}{
		{"the served page's title", `document.title`, "Loopback page"},
		{"its text, decoded as UTF-8", `document.getElementById('p').textContent`, "Grüße, مرحبا"},
		{"from the loopback address", `location.hostname`, "127.0.0.1"},
		{"in a headless browser", `String(/HeadlessChrome/.test(navigator.userAgent))`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](tt.expr))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// TestNewStopsTheBrowser: the test's cleanup ends the browser process.
func TestNewStopsTheBrowser(t *testing.T) {
	var proc *os.Process
	t.Run("uses a browser", func(t *testing.T) {
		ctx := browser.New(t)
		proc = chromedp.FromContext(ctx).Browser.Process()
		if proc == nil {
			t.Fatal("no browser process")
		}
		if err := proc.Signal(syscall.Signal(0)); err != nil {
			t.Fatalf("browser not running: %v", err)
		}
	})
	if proc == nil {
		t.FailNow()
	}
	if err := proc.Signal(syscall.Signal(0)); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("after the test, the browser process: %v, want %v", err, os.ErrProcessDone)
	}
}
