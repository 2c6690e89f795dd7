package digest_test

// Building an edition reads the store and nothing else: related-link
// resolution, canonical addresses, og:image and every link an article
// names are matched as text, never fetched. A request would leak the
// editors' and the function's address to every outlet, and let one article
// make the builder reach into the network it runs in.

import (
	"context"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
)

// secCounter counts every request that reaches it, whatever its path.
type secCounter struct {
	mu    sync.Mutex
	paths []string
}

func (c *secCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.String())
	c.mu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte(`<html><head><title>Fetched</title></head><body><p>This page was fetched.</p></body></html>`))
}

func (c *secCounter) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.paths...)
}

func TestBuildingAnEditionFetchesNothing(t *testing.T) {
	counter := &secCounter{}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)

	// The example days with every outlet's address moved to the counting
	// server: article, canonical, og:url and og:image addresses, related
	// links, the pages' own links, scripts and stylesheets.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "examples", "articles"))); err != nil {
		t.Fatal(err)
	}
	outlet := regexp.MustCompile(`https://([a-z0-9-]+)\.example`)
	moved := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out := outlet.ReplaceAll(data, []byte(srv.URL+"/$1"))
		moved += len(outlet.FindAll(data, -1))
		return os.WriteFile(path, out, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	// And one page that asks for everything a browser would load.
	page := `<!doctype html><html><head><title>Harbour tram line approved after a long night of debate</title>
<link rel="canonical" href="` + srv.URL + `/canonical">
<meta property="og:url" content="` + srv.URL + `/og-url">
<meta property="og:image" content="` + srv.URL + `/og-image.jpg">
<meta property="og:title" content="Harbour tram line approved after a long night of debate">
<meta http-equiv="refresh" content="0;url=` + srv.URL + `/refresh">
<link rel="stylesheet" href="` + srv.URL + `/style.css"><script src="` + srv.URL + `/app.js"></script>
<link rel="preload" href="` + srv.URL + `/preload"><link rel="amphtml" href="` + srv.URL + `/amp">
</head><body><article><h1>Harbour tram line approved after a long night of debate</h1>
<p>The council voted at two in the morning to approve the harbour tram line, ending a debate that lasted eleven hours and drew three hundred residents to the chamber.</p>
<p><img src="` + srv.URL + `/img.jpg" srcset="` + srv.URL + `/img-2x.jpg 2x"><iframe src="` + srv.URL + `/frame"></iframe>
<object data="` + srv.URL + `/object"></object><video poster="` + srv.URL + `/poster.jpg" src="` + srv.URL + `/video.mp4"></video></p>
<p>Construction is due to start in the spring, and the first trams should run within three years, the council said in a statement after the vote.</p>
<aside class="related"><h2>Related</h2><ul><li><a href="` + srv.URL + `/related-1">Brennwerk Automotive to shed 2,400 jobs in Germany</a></li>
<li><a href="` + srv.URL + `/related-2">A headline no article has</a></li></ul></aside></article></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "2026", "11", "26", "090_a0a0a0a0a0a0a0a0.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := digestfs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	ctx := context.Background()
	day := digest.Date{Year: 2026, Month: 11, Day: 26}
	e, err := digest.BuildDay(ctx, digest.NewReader(digest.ReaderConfig{Lookback: 3}, store, secLogger()),
		digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: srv.URL + "/archive"}, secLogger()), day)
	if err != nil {
		t.Fatal(err)
	}
	// The addresses did reach the edition, so nothing was left out.
	linked, related := 0, 0
	for _, s := range e.Stories {
		if strings.HasPrefix(s.URL, srv.URL) {
			linked++
		}
		for _, r := range s.Related {
			if strings.HasPrefix(r.URL, srv.URL) {
				related++
			}
		}
	}
	if moved == 0 || linked == 0 || related == 0 {
		t.Fatalf("%d addresses moved, %d stories and %d related links on the server: the test shows nothing", moved, linked, related)
	}

	// Rendered, personalized and published as the archive: still nothing.
	rendered, err := secRenderer(t).Render(e)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rendered.Personalize(digest.WebPersonal(srv.URL, srv.URL+"/archive", day))
	if err != nil {
		t.Fatal(err)
	}
	if err := digest.Publish(ctx, store, e, []byte(c.HTML)); err != nil {
		t.Fatal(err)
	}
	if got := counter.requests(); len(got) != 0 {
		t.Errorf("building, rendering and publishing the edition made %d requests: %q", len(got), got)
	}
}

// TestTheDomainImportsNoNetworkClient: the digest package (its non-test
// files) imports nothing that opens a connection, and calls no fetching
// entry point of its parsers' libraries, so that no later change fetches
// a link by accident. Adapters that talk to the network live in
// subpackages (digest/s3, digest/ses, digest/smtp, …).
func TestTheDomainImportsNoNetworkClient(t *testing.T) {
	forbidden := map[string]bool{"net": true, "net/http": true, "net/http/httptrace": true, "net/http/cookiejar": true,
		"net/rpc": true, "net/smtp": true, "crypto/tls": true, "os/exec": true, "syscall": true, "plugin": true}
	fetchers := regexp.MustCompile(`\b(readability\.FromURL|http\.(Get|Head|Post|PostForm|NewRequest\w*|DefaultClient|DefaultTransport)|net\.Dial\w*)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if forbidden[path] {
				t.Errorf("%s imports %s: the domain must not reach the network", name, path)
			}
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if m := fetchers.Find(src); m != nil {
			t.Errorf("%s calls %s", name, m)
		}
	}
	if checked < 10 {
		t.Errorf("only %d source files checked", checked)
	}
}
