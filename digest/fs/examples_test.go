package fs_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

const examples = "../../examples/articles"

// manifest is what examples/articles/MANIFEST.md, written with the corpus,
// says the corpus holds.
type manifest struct {
	files map[string]manifestFile // by key
	// links: a .txt file's related line names the title of another file.
	links []manifestLink
}

type manifestFile struct{ day, outlet, format, title string }

type manifestLink struct{ from, to, title string }

var (
	fileRow  = regexp.MustCompile("^\\| (\\d{4}-\\d\\d-\\d\\d) \\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\| [^|]+ \\| (.+) \\|$")
	linkLine = regexp.MustCompile("^- `([^`]+\\.txt)` → `([^`]+)` — “(.+)” \\(")
)

func readManifest(t *testing.T) manifest {
	t.Helper()
	f, err := os.Open(path.Join(examples, "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := manifest{files: map[string]manifestFile{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if g := fileRow.FindStringSubmatch(line); g != nil {
			m.files[g[2]] = manifestFile{day: g[1], outlet: strings.TrimSpace(g[3]), format: strings.TrimSpace(g[4]), title: strings.TrimSpace(g[5])}
		}
		if g := linkLine.FindStringSubmatch(line); g != nil {
			m.links = append(m.links, manifestLink{from: g[1], to: g[2], title: g[3]})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(m.files) < 40 || len(m.links) < 10 {
		t.Fatalf("manifest lists %d files and %d links: not read right", len(m.files), len(m.links))
	}
	return m
}

// TestExampleCorpus reads every example day through the folder store and
// checks it against the manifest: every file read, with the manifest's
// title, outlet and format, and every related headline that the manifest
// says is another example's title linked to that article.
func TestExampleCorpus(t *testing.T) {
	m := readManifest(t)
	reader := digest.NewReader(digest.ReaderConfig{Lookback: 3}, newStore(t, examples), slog.New(slog.NewTextHandler(io.Discard, nil)))
	articles := map[string]digest.Article{}
	days := map[string]bool{}
	for _, f := range m.files {
		days[f.day] = true
	}
	for day := range days {
		date, err := digest.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		d, err := reader.ReadDay(context.Background(), date)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Skipped {
			t.Errorf("%s skipped: %s", s.Key, s.Error)
		}
		for _, a := range d.Articles {
			articles[a.Key] = a
		}
	}
	formats := map[string]digest.Format{"text": digest.FormatText, "JSON": digest.FormatJSON, "HTML": digest.FormatHTML, "Markdown": digest.FormatMarkdown}
	for key, want := range m.files {
		a, ok := articles[key]
		if !ok {
			t.Errorf("%s: not read", key)
			continue
		}
		if a.Title != want.title || a.Source != want.outlet || a.Format != formats[want.format] {
			t.Errorf("%s: read as %q by %q (%s), manifest says %q by %q (%s)", key, a.Title, a.Source, a.Format, want.title, want.outlet, want.format)
		}
	}
	if len(articles) != len(m.files) {
		t.Errorf("read %d articles, manifest lists %d", len(articles), len(m.files))
	}

	for _, l := range m.links {
		from, to := articles[l.from], articles[l.to]
		found := false
		for _, r := range from.Related {
			if r.Title == l.title {
				found = true
				if r.ID != to.ID {
					t.Errorf("%s: related %q linked to %q, want %s (id %q)", l.from, l.title, r.ID, l.to, to.ID)
				}
			}
		}
		if !found {
			t.Errorf("%s: related headlines %q lack %q", l.from, titles(from.Related), l.title)
		}
	}
}

func titles(rs []digest.Related) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Title
	}
	return out
}
