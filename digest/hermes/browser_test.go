package hermes_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/language"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
	"github.com/newsdigest/newsdigest/internal/browser"
)

// The sender of `newsdigest build`'s defaults (cmd/newsdigest/build.go).
const (
	productName   = "The Newsdigest Daily"
	siteURL       = "https://newsdigest.example"
	archiveURL    = "https://newsdigest.example/archive"
	postalAddress = "Newsdigest, 1 Quay Street, Port Alder PA1 1AA, United Kingdom"
)

const (
	// minContrast is WCAG 2's AA minimum for body text, held for all text.
	minContrast = 4.5
	// loadTimeout bounds one page load and its inspection.
	loadTimeout = 10 * time.Second
	// screenshotScreens is how many screens of the email a screenshot
	// shows: enough for the masthead and the first stories, small enough
	// to keep in the repository.
	screenshotScreens  = 2.5
	maxScreenshotBytes = 400 << 10
	docsDir            = "../../docs"
)

// view is how a reader's client shows the email.
type view struct {
	width, height int64
	scheme        string // prefers-color-scheme: light or dark
}

func (v view) String() string { return fmt.Sprintf("%dpx-%s", v.width, v.scheme) }

// views are a phone and a desktop mail pane, each in light and dark mode.
func views() []view {
	return []view{{375, 812, "light"}, {375, 812, "dark"}, {800, 1000, "light"}, {800, 1000, "dark"}}
}

// emailPage is an edition rendered as one recipient's email.
type emailPage struct {
	name    string
	edition digest.Edition
	html    string
	// screenshots: its views are saved to docs/ for the README.
	screenshots bool
}

func emailPages(t *testing.T) []emailPage {
	t.Helper()
	example := exampleEdition(t)
	hostile := hostileEdition()
	return []emailPage{
		{name: "example", edition: example, screenshots: true, html: renderEmail(t, example, digest.Personal{
			Name: "Ana", UnsubscribeURL: siteURL + "/unsubscribe?t=3f9a", ViewURL: digest.ArchiveURL(archiveURL, example.Date),
		})},
		{name: "hostile", edition: hostile, html: renderEmail(t, hostile, digest.Personal{
			Name: `Zoë <O'Hara> & "🎉" ` + longWord(), UnsubscribeURL: siteURL + "/unsubscribe?t=1&l=<x>", ViewURL: digest.ArchiveURL(archiveURL, hostile.Date),
		})},
	}
}

// exampleEdition is the edition `newsdigest build --date 2026-11-26` makes
// of the example corpus.
func exampleEdition(t *testing.T) digest.Edition {
	t.Helper()
	store, err := fs.New("../../examples/articles")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	day, err := digest.ParseDate("2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	reader := digest.NewReader(digest.ReaderConfig{Lookback: 3}, store, logger)
	d, err := reader.ReadDay(t.Context(), day)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := reader.ReadEditorial(t.Context(), day)
	if err != nil {
		t.Fatalf("the example day's editorial file: %v", err)
	}
	e := digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: archiveURL}, logger).Build(d, ed)
	if len(e.Stories) < 2 {
		t.Fatalf("the example edition has %d stories", len(e.Stories))
	}
	return e
}

// longWord is 200 characters with no break opportunity.
func longWord() string { return strings.Repeat("Donaudampfschifffahrts", 10)[:200] }

// hostileEdition is article text at its worst: markup, entities, quotes,
// emoji, right-to-left scripts and a word wider than any screen, in every
// field the email shows.
func hostileEdition() digest.Edition {
	long := longWord()
	return digest.Edition{
		Date:      digest.Date{Year: 2026, Month: 11, Day: 26},
		Subject:   `Nov 26: <script>alert(1)</script> & "more" 🎉`,
		Preheader: `Fish & chips "prices" <b>rise</b> ` + long,
		Intro:     `Today: <b>bold</b> claims & 'quotes' "doubled" 🎉 ` + long,
		Stories: []digest.Story{
			{
				Anchor: "story-a", Title: `<script>alert("x")</script> Council & "friends" 'agree' 🎉🚋 ` + long,
				URL: "https://news.example/a?x=1&y=2", Source: `Civic <Wire> & "Co"`, Section: "local",
				Lead: `Lead with <img src=x onerror=alert(1)> and &amp; and "quotes" 🚋 ` + long + ".",
				Also: []digest.Also{
					{Source: `Harbour "Ledger"`, Title: "<b>Same</b> event", URL: "https://ledger.example/b?a=1&b=2"},
					{Source: long, Title: "No address"},
				},
				Related: []digest.Related{
					{Title: "Related <i>one</i> & " + long, URL: "https://news.example/r1"},
					{Title: "الترام يصل إلى الميناء", URL: "https://news.example/r2"},
				},
			},
			{
				Anchor: "story-b", Title: "مجلس المدينة يوافق على خط الترام «الجديد» & 🚋", URL: "https://news.example/ar",
				Source: "Eastbank Gazette", Section: "العالم",
				Lead: "نص عربي طويل عن التصويت في المجلس البلدي، مع كلمة طويلة " + long + ".",
				Also: []digest.Also{{Source: "جريدة المدينة", Title: "تقرير آخر", URL: "https://news.example/ar2"}},
			},
			{
				Anchor: "story-c", Title: `שלום עולם: "ציטוט" & <b>מודגש</b> ` + long, URL: "https://news.example/he",
				Source: "עיתון הנמל", Section: "חדשות", Lead: "טקסט בעברית עם 'מירכאות' ו-& 🎉.",
				Related: []digest.Related{{Title: "כותרת קשורה", URL: "https://news.example/he2"}},
			},
		},
	}
}

func renderEmail(t *testing.T, e digest.Edition, rec digest.Personal) string {
	t.Helper()
	r, err := hermes.NewRenderer(hermes.Config{ProductName: productName, SiteURL: siteURL, PostalAddress: postalAddress})
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := r.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	m, err := rendered.Personalize(rec)
	if err != nil {
		t.Fatal(err)
	}
	return m.HTML
}

// serve serves each named page at /name from a loopback server and returns
// the server's address.
func serve(t *testing.T, pages map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// element is one element as the probe saw it.
type element struct {
	Tag   string `json:"tag"`
	Class string `json:"class"`
	Text  string `json:"text"`
	// Left and Right are the edges of it and its content, for overflow.
	Left  float64 `json:"left"`
	Right float64 `json:"right"`
	// Color and Background are the text's color as shown and the color
	// behind it; Ratio their WCAG contrast, 0 if a color could not be read.
	Color      string  `json:"color"`
	Background string  `json:"background"`
	Ratio      float64 `json:"ratio"`
}

func (e element) String() string {
	return fmt.Sprintf("<%s class=%q> %q", e.Tag, e.Class, e.Text)
}

// report is what probeJS finds in a loaded page.
type report struct {
	ScrollWidth int `json:"scrollWidth"`
	InnerWidth  int `json:"innerWidth"`
	// Overflowing are the innermost elements reaching past either edge.
	Overflowing      []element `json:"overflowing"`
	Links            []string  `json:"links"`
	ImagesWithoutAlt []string  `json:"imagesWithoutAlt"`
	Lang             string    `json:"lang"`
	TableRoles       []string  `json:"tableRoles"`
	H1               []string  `json:"h1"`
	H2               []string  `json:"h2"`
	// Texts are the elements with visible text of their own.
	Texts []element `json:"texts"`
}

// probeJS measures the loaded page. The contrast of each element with text
// of its own is WCAG 2's: the relative luminance of its color, blended over
// its background when translucent, against that of the first opaque
// background among it and its ancestors (translucent ones blended in on
// the way), the page counting as white.
const probeJS = `(() => {
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  const describe = (el, text) => ({tag: el.tagName.toLowerCase(), class: el.getAttribute('class') || '', text: text.slice(0, 60)});
  const ownText = (el) => squash([...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join(' '));

  const rgba = (css) => {
    const m = /^rgba?\(([^)]*)\)$/.exec(css);
    if (!m) return null;
    const v = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    if (v.length < 3 || v.some(Number.isNaN)) return null;
    return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (!c) return null;
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), {r: 255, g: 255, b: 255, a: 1});
  };
  const luminance = (c) => {
    const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

  const all = [document.body, ...document.body.querySelectorAll('*')];
  const texts = [];
  for (const el of all) {
    const text = ownText(el);
    const style = getComputedStyle(el);
    if (!text || style.visibility !== 'visible' || el.getClientRects().length === 0) continue;
    const fg = rgba(style.color), bg = background(el);
    if (!fg || !bg) {
      texts.push({...describe(el, text), color: style.color, background: bg ? hex(bg) : 'unreadable', ratio: 0});
      continue;
    }
    const shown = over(fg, bg);
    texts.push({...describe(el, text), color: hex(shown), background: hex(bg), ratio: contrast(shown, bg)});
  }

  // An element's extent counts content that overflows its box, such as a
  // list marker, which no element's own box shows.
  const extent = (el) => {
    const r = el.getBoundingClientRect();
    let [left, right] = [r.left, r.right];
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) {
      if (getComputedStyle(el).direction === 'rtl') left = Math.min(left, r.right - el.scrollWidth);
      else right = Math.max(right, r.left + el.scrollWidth);
    }
    return {width: r.width, left, right};
  };
  const past = all.filter((el) => {
    const x = extent(el);
    return x.width > 0 && (x.right > innerWidth + 0.5 || x.left < -0.5);
  });
  const overflowing = past.filter((el) => !past.some((o) => o !== el && el.contains(o))).map((el) => {
    const x = extent(el);
    return {...describe(el, squash(el.textContent)), left: x.left, right: x.right};
  });

  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: innerWidth,
    overflowing: overflowing,
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
    imagesWithoutAlt: [...document.querySelectorAll('img:not([alt])')].map((i) => i.getAttribute('src') || ''),
    lang: document.documentElement.getAttribute('lang') || '',
    tableRoles: [...document.querySelectorAll('table')].map((t) => t.getAttribute('role') || ''),
    h1: [...document.querySelectorAll('h1')].map((h) => squash(h.textContent)),
    h2: [...document.querySelectorAll('h2')].map((h) => squash(h.textContent)),
    texts: texts,
  };
})()`

// show loads the page as the view shows it. The metrics are a desktop
// window's: its layout viewport is exactly the view's width, where a mobile
// one would zoom out to fit a page too wide and hide the overflow.
func show(ctx context.Context, pageURL string, v view) error {
	return chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: v.width, Height: v.height, DeviceScaleFactor: 1,
			}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}},
			})
			return err
		}),
		chromedp.Navigate(pageURL),
	)
}

// inspect loads the page in the view and probes it.
func inspect(t *testing.T, ctx context.Context, pageURL string, v view) report {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	if err := show(ctx, pageURL, v); err != nil {
		t.Fatalf("load %s at %s: %v", pageURL, v, err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[report](probeJS))
	if err != nil {
		t.Fatalf("probe %s at %s: %v", pageURL, v, err)
	}
	return r
}

// scrollProblems: a page wider than its window.
func scrollProblems(r report) []string {
	if r.ScrollWidth <= r.InnerWidth {
		return nil
	}
	out := []string{fmt.Sprintf("scroll width %d px in a %d px window", r.ScrollWidth, r.InnerWidth)}
	for _, e := range r.Overflowing {
		out = append(out, fmt.Sprintf("%s spans %.0f to %.0f px", e, e.Left, e.Right))
	}
	return out
}

// linkProblems: links that are not absolute http(s) or mailto addresses,
// images without alternative text.
func linkProblems(r report) []string {
	var out []string
	for _, href := range r.Links {
		u, err := url.Parse(href)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("link %q: %v", href, err))
		case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		case u.Scheme == "mailto" && u.Opaque != "":
		default:
			out = append(out, fmt.Sprintf("link %q is not an absolute http(s) or mailto address", href))
		}
	}
	for _, src := range r.ImagesWithoutAlt {
		out = append(out, fmt.Sprintf("image %q has no alt attribute", src))
	}
	return out
}

// structureProblems: no language, layout tables that screen readers would
// announce as data, headings that do not outline the stories.
func structureProblems(r report, titles []string) []string {
	var out []string
	if _, err := language.Parse(r.Lang); err != nil {
		out = append(out, fmt.Sprintf("<html lang=%q>: %v", r.Lang, err))
	}
	for i, role := range r.TableRoles {
		if role != "presentation" {
			out = append(out, fmt.Sprintf("table %d has role %q, want presentation", i+1, role))
		}
	}
	if len(r.H1) != 1 {
		out = append(out, fmt.Sprintf("%d h1 elements %q, want 1", len(r.H1), r.H1))
	}
	want := make([]string, len(titles))
	for i, title := range titles {
		want[i] = strings.Join(strings.Fields(title), " ")
	}
	if !slices.Equal(r.H2, want) {
		out = append(out, fmt.Sprintf("h2 elements %q, want one per story %q", r.H2, want))
	}
	return out
}

// contrastProblems: text below minContrast against its background.
func contrastProblems(r report) []string {
	var out []string
	if len(r.Texts) == 0 {
		return []string{"no visible text found"}
	}
	for _, e := range r.Texts {
		if e.Ratio < minContrast {
			out = append(out, fmt.Sprintf("%s: %s on %s, contrast %.2f:1", e, e.Color, e.Background, e.Ratio))
		}
	}
	return out
}

// lowestContrast is the text with the weakest contrast.
func lowestContrast(r report) element {
	return slices.MinFunc(r.Texts, func(a, b element) int { return cmp.Compare(a.Ratio, b.Ratio) })
}

func failOn(t *testing.T, what string, problems []string) {
	t.Helper()
	if len(problems) > 0 {
		t.Errorf("%s:\n  %s", what, strings.Join(problems, "\n  "))
	}
}

func pageURLs(t *testing.T, pages []emailPage) map[string]string {
	t.Helper()
	html := map[string]string{}
	for _, p := range pages {
		html[p.name] = p.html
	}
	base := serve(t, html)
	urls := map[string]string{}
	for _, p := range pages {
		urls[p.name] = base + "/" + p.name
	}
	return urls
}

// TestEmailFitsTheScreen loads each email on a phone and on a desktop, in
// light and dark mode: it must never scroll sideways. The example edition's
// views are saved to docs/.
func TestEmailFitsTheScreen(t *testing.T) {
	ctx := browser.New(t)
	pages := emailPages(t)
	urls := pageURLs(t, pages)
	for _, p := range pages {
		for _, v := range views() {
			t.Run(p.name+"/"+v.String(), func(t *testing.T) {
				r := inspect(t, ctx, urls[p.name], v)
				failOn(t, "scrolls sideways", scrollProblems(r))
				if p.screenshots {
					saveScreenshot(t, ctx, v, filepath.Join(docsDir, fmt.Sprintf("email-%d-%s.png", v.width, v.scheme)))
				}
			})
		}
	}
}

// saveScreenshot saves the top screenshotScreens screens of the loaded
// page as a PNG.
func saveScreenshot(t *testing.T, ctx context.Context, v view, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: new(true),
			Clip: &page.Viewport{
				Width: float64(v.width), Height: min(height, screenshotScreens*float64(v.height)), Scale: 1,
			},
		})
		return res.Data, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(png) > maxScreenshotBytes {
		t.Errorf("%s: %d KiB, over the %d KiB kept in the repository", name, len(png)>>10, maxScreenshotBytes>>10)
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d KiB", name, len(png)>>10)
}

// TestEmailLinksAndImages: every link goes somewhere a mail client can
// open, and every image can be read aloud.
func TestEmailLinksAndImages(t *testing.T) {
	ctx := browser.New(t)
	pages := emailPages(t)
	urls := pageURLs(t, pages)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			r := inspect(t, ctx, urls[p.name], view{800, 1000, "light"})
			if len(r.Links) == 0 {
				t.Fatal("no links found")
			}
			failOn(t, "links and images", linkProblems(r))
		})
	}
}

// TestEmailAccessibility: the page's language, layout tables, one h1 and
// an h2 per story, and text contrast of at least 4.5:1 in every view.
func TestEmailAccessibility(t *testing.T) {
	ctx := browser.New(t)
	pages := emailPages(t)
	urls := pageURLs(t, pages)
	for _, p := range pages {
		var titles []string
		for _, s := range p.edition.Stories {
			titles = append(titles, s.Title)
		}
		for _, v := range views() {
			t.Run(p.name+"/"+v.String(), func(t *testing.T) {
				r := inspect(t, ctx, urls[p.name], v)
				failOn(t, "structure", structureProblems(r, titles))
				failOn(t, fmt.Sprintf("text contrast below %.1f:1", minContrast), contrastProblems(r))
				if len(r.Texts) > 0 {
					low := lowestContrast(r)
					t.Logf("%d texts, lowest contrast %.2f:1: %s, %s on %s", len(r.Texts), low.Ratio, low, low.Color, low.Background)
				}
			})
		}
	}
}

// TestChecksCatchFaults shows each check failing on a page made to fail
// it, and passing its near miss, so that a passing email means something.
func TestChecksCatchFaults(t *testing.T) {
	doc := func(body string) string {
		return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>` +
			`<style>@media (prefers-color-scheme: dark) { .dark-grey { color: #444; background: #222; } }</style>` +
			`</head><body style="margin:0">` + body + `</body></html>`
	}
	heading := `<h1>Masthead</h1><h2>One</h2>`
	phoneLight, phoneDark := view{375, 812, "light"}, view{375, 812, "dark"}
	structure := func(r report) []string { return structureProblems(r, []string{"One"}) }
	tests := []struct {
		name    string
		html    string
		view    view
		check   func(report) []string
		wantBad bool
	}{
		{"a box wider than the phone", doc(heading + `<div style="width:500px">wide</div>`), phoneLight, scrollProblems, true},
		{"a long word that cannot break", doc(heading + `<p>` + longWord() + `</p>`), phoneLight, scrollProblems, true},
		{"a long word allowed to break", doc(heading + `<p style="overflow-wrap:anywhere">` + longWord() + `</p>`), phoneLight, scrollProblems, false},
		{"a right-to-left list item's marker past the edge", doc(heading + `<ul style="margin:0;padding:0 0 0 20px"><li dir="rtl">عنوان</li></ul>`), phoneLight, scrollProblems, true},
		{"a right-to-left list item's marker in padding", doc(heading + `<ul style="margin:0;padding:0 20px"><li dir="rtl">عنوان</li></ul>`), phoneLight, scrollProblems, false},
		{"a javascript link", doc(heading + `<a href="javascript:alert(1)">x</a>`), phoneLight, linkProblems, true},
		{"a relative link", doc(heading + `<a href="/unsubscribe">x</a>`), phoneLight, linkProblems, true},
		{"an image without alt", doc(heading + `<img src="https://x.example/a.png" width="1" height="1">`), phoneLight, linkProblems, true},
		{"absolute, mailto and decorative image", doc(heading + `<a href="https://x.example/?a=1&amp;b=2">x</a> <a href="mailto:ed@x.example">m</a> <img src="https://x.example/a.png" alt="">`), phoneLight, linkProblems, false},
		{"no lang", strings.Replace(doc(heading), ` lang="en"`, "", 1), phoneLight, structure, true},
		{"a data table", doc(heading + `<table><tr><td>x</td></tr></table>`), phoneLight, structure, true},
		{"two h1", doc(heading + `<h1>Again</h1>`), phoneLight, structure, true},
		{"an h2 too many", doc(heading + `<h2>Two</h2>`), phoneLight, structure, true},
		{"a layout table and one h2 per story", doc(heading + `<table role="presentation"><tr><td>x</td></tr></table>`), phoneLight, structure, false},
		// #777777 on white is 4.48:1, #767676 the lightest grey at 4.5:1.
		{"grey #777 on white", doc(heading + `<p style="color:#777777">grey</p>`), phoneLight, contrastProblems, true},
		{"grey #767676 on white", doc(heading + `<p style="color:#767676">grey</p>`), phoneLight, contrastProblems, false},
		{"white on an ancestor's black", doc(heading + `<div style="background:#000"><p><span style="color:#fff">white</span></p></div>`), phoneLight, contrastProblems, false},
		{"white on no background, taken as white", doc(heading + `<p style="color:#fff">white</p>`), phoneLight, contrastProblems, true},
		{"translucent black text", doc(heading + `<p style="color:rgba(0,0,0,0.4)">faint</p>`), phoneLight, contrastProblems, true},
		{"hidden low contrast", doc(heading + `<p style="display:none;color:#eee">hidden</p>`), phoneLight, contrastProblems, false},
		{"dark mode rule, light view", doc(heading + `<p class="dark-grey">text</p>`), phoneLight, contrastProblems, false},
		{"dark mode rule, dark view", doc(heading + `<p class="dark-grey">text</p>`), phoneDark, contrastProblems, true},
	}
	ctx := browser.New(t)
	html := map[string]string{}
	for i, tt := range tests {
		html[fmt.Sprint(i)] = tt.html
	}
	base := serve(t, html)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := tt.check(inspect(t, ctx, fmt.Sprintf("%s/%d", base, i), tt.view))
			if bad := len(problems) > 0; bad != tt.wantBad {
				t.Errorf("found problems %v, want some: %v", problems, tt.wantBad)
			}
		})
	}
}
