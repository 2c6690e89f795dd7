package digest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
)

// maxHostileHeap bounds the heap while the hostile day is built: the
// Reader's budget lets two files near the 2 MiB cap parse at once, the
// worst of which take some 90 MB each; about 250 MB are measured
// (BENCHMARKS.md, "Hostile input"), some 930 MB without the budget.
const maxHostileHeap = 512 << 20

// TestHostileDay builds the edition of a day whose folder holds the
// example corpus's 2026-11-25 and well over a hundred bad files of every
// format (hostile_corpus_test.go), through the real path: the folder store,
// the Reader and BuildDay. Every bad file is either skipped with its reason
// or, damaged but readable, comes out as a clean article; every article is
// a story, another outlet's report of one, or a runner-up; the heap stays
// bounded.
func TestHostileDay(t *testing.T) {
	const day = "2026/11/25"
	date := digest.Date{Year: 2026, Month: time.November, Day: 25}
	root := t.TempDir()
	dir := filepath.Join(root, filepath.FromSlash(day))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	good := map[string]bool{} // key
	examples, err := filepath.Glob("../examples/articles/" + day + "/*")
	if err != nil || len(examples) < 10 {
		t.Fatalf("example day: %d files, %v", len(examples), err)
	}
	for _, p := range examples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(p)), data)
		good[day+"/"+filepath.Base(p)] = true
	}

	bad := map[string]hostileFile{} // key
	perFormat := map[string]int{}
	perCategory := map[string]int{}
	for _, f := range hostileCorpus(digest.DefaultMaxBytes) {
		writeFile(t, filepath.Join(dir, f.name), f.data)
		bad[day+"/"+f.name] = hostileFile{name: f.name, category: f.category, reason: f.reason}
		perFormat[filepath.Ext(strings.TrimSuffix(f.name, ".gz"))]++
		perCategory[f.category]++
	}
	if len(bad) < 100 {
		t.Fatalf("%d hostile files, want at least 100", len(bad))
	}
	for _, ext := range []string{".txt", ".json", ".html", ".md"} {
		if perFormat[ext] < 15 {
			t.Errorf("%d hostile %s files, want at least 15", perFormat[ext], ext)
		}
	}
	// The editor's file is hostile too: a header injection in the subject.
	editorialKey := digest.EditorialKey(date)
	writeFile(t, filepath.Join(root, filepath.FromSlash(editorialKey)),
		[]byte(`{"subject": "Today\r\nBcc: everyone@example.com", "pin": ["cccbbe643c4863b7"]}`))

	store, err := fs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	reader := digest.NewReader(digest.ReaderConfig{}, store, logger)
	builder := digest.NewBuilder(digest.BuildConfig{ArchiveBaseURL: "https://news.example/archive"}, logger)

	var ed digest.Edition
	start := time.Now()
	peak := heapPeak(func() {
		ed, err = digest.BuildDay(context.Background(), reader, builder, date)
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d good and %d hostile files (%d .txt, %d .json, %d .html, %d .md): built in %v, peak heap %.0f MB",
		len(good), len(bad), perFormat[".txt"], perFormat[".json"], perFormat[".html"], perFormat[".md"], elapsed.Round(time.Millisecond), float64(peak)/(1<<20))
	for _, c := range slices.Sorted(maps.Keys(perCategory)) {
		t.Logf("  %-12s %3d files", c, perCategory[c])
	}
	if peak > maxHostileHeap {
		t.Errorf("peak heap %d MB, over %d MB", peak>>20, maxHostileHeap>>20)
	}

	// The day as the edition saw it, to tell articles apart by key: read
	// again, without the files the edition skipped.
	skippedKeys := map[string]bool{}
	for _, s := range ed.Skipped {
		skippedKeys[s.Key] = true
	}
	read, err := digest.NewReader(digest.ReaderConfig{}, withoutKeys{store, skippedKeys}, logger).ReadDay(context.Background(), date)
	if err != nil {
		t.Fatal(err)
	}
	articles := map[string]*digest.Article{} // by id
	byKey := map[string]*digest.Article{}
	for i := range read.Articles {
		a := &read.Articles[i]
		if articles[a.ID] != nil {
			t.Errorf("id %s is both %s and %s", a.ID, articles[a.ID].Key, a.Key)
		}
		articles[a.ID], byKey[a.Key] = a, a
	}

	// Every file is skipped with its reason or read, as the corpus says.
	skipped := map[string]string{}
	for _, s := range ed.Skipped {
		if _, dup := skipped[s.Key]; dup {
			t.Errorf("%s skipped twice", s.Key)
		}
		skipped[s.Key] = s.Error
	}
	if reason := skipped[editorialKey]; !strings.Contains(reason, "subject: line breaks") {
		t.Errorf("editorial file: skipped with %q", reason)
	}
	readable := 0
	for key, f := range bad {
		reason, isSkipped := skipped[key]
		switch {
		case f.reason != "" && !isSkipped:
			t.Errorf("%s (%s) was read; want it skipped: %s", f.name, f.category, f.reason)
		case f.reason != "" && !strings.Contains(reason, f.reason):
			t.Errorf("%s (%s) skipped with %q; want %q in the reason", f.name, f.category, reason, f.reason)
		case f.reason == "" && isSkipped:
			t.Errorf("%s (%s) skipped: %s; want it read and cleaned", f.name, f.category, reason)
		case f.reason == "":
			readable++
			a := byKey[key]
			if a == nil {
				t.Errorf("%s neither read nor skipped", f.name)
				continue
			}
			checkCleanArticle(t, f.name, a)
		}
	}
	for key := range good {
		if reason, ok := skipped[key]; ok {
			t.Errorf("good file %s skipped: %s", key, reason)
		}
	}
	t.Logf("%d hostile files skipped with their reason, %d read as clean articles; the editorial file skipped", len(bad)-readable, readable)
	if got, want := len(ed.Skipped), len(bad)-readable+1; got != want {
		t.Errorf("%d files skipped, want %d (the bad ones and the editorial file)", got, want)
	}
	checkRepairs(t, byKey, day)

	// Every article read is in the edition exactly once.
	if ed.Stats.Articles != len(read.Articles) || len(read.Articles) != len(good)+readable {
		t.Errorf("edition of %d articles, day of %d, want %d good and %d readable", ed.Stats.Articles, len(read.Articles), len(good), readable)
	}
	seen := map[string]string{}
	account := func(id, where string) {
		if articles[id] == nil {
			t.Errorf("%s: article %q is not of the day", where, id)
		}
		if before, ok := seen[id]; ok {
			t.Errorf("article %s is in %s and in %s", id, before, where)
		}
		seen[id] = where
	}
	for i, s := range ed.Stories {
		account(s.ID, fmt.Sprintf("story %d", i+1))
		for _, a := range s.Also {
			account(a.ID, fmt.Sprintf("story %d's also", i+1))
		}
	}
	for i, s := range ed.RunnersUp {
		account(s.ID, fmt.Sprintf("runner-up %d", i+1))
		for _, a := range s.Also {
			account(a.ID, fmt.Sprintf("runner-up %d's also", i+1))
		}
	}
	for id, a := range articles {
		if _, ok := seen[id]; !ok {
			t.Errorf("article %s (%s) is nowhere in the edition", id, a.Key)
		}
	}

	// The edition: stories, and nothing in it a reader's client could run
	// or a header could carry.
	if len(ed.Stories) < 5 {
		t.Fatalf("%d stories", len(ed.Stories))
	}
	fromGood := 0
	for i, s := range ed.Stories {
		lead := articles[s.ID]
		origin := "hostile"
		if good[lead.Key] {
			origin, fromGood = "good", fromGood+1
		}
		t.Logf("story %d (%s, %d reports): %s", i+1, origin, 1+len(s.Also), s.Title)
	}
	if fromGood < len(ed.Stories)-1 {
		t.Errorf("%d of %d stories are led by a good article", fromGood, len(ed.Stories))
	}
	if strings.ContainsAny(ed.Subject, "\r\n") || strings.ContainsFunc(ed.Subject, unicode.IsControl) {
		t.Errorf("subject %q", ed.Subject)
	}
	for _, s := range slices.Concat(ed.Stories, ed.RunnersUp) {
		checkCleanText(t, s.ID, "title", s.Title)
		checkCleanText(t, s.ID, "lead", s.Lead)
		checkCleanText(t, s.ID, "why", s.Why)
		checkURL(t, s.ID, s.URL)
		if n := utf8.RuneCountInString(s.Lead); n > 2000 {
			t.Errorf("%s: lead of %d characters", s.ID, n)
		}
		for _, a := range s.Also {
			checkCleanText(t, s.ID, "also", a.Title)
			checkURL(t, s.ID, a.URL)
		}
		for _, r := range s.Related {
			checkCleanText(t, s.ID, "related", r.Title)
			checkURL(t, s.ID, r.URL)
		}
	}
}

// withoutKeys is a store without some of its files.
type withoutKeys struct {
	digest.ArticleStore
	keys map[string]bool
}

func (w withoutKeys) List(ctx context.Context, day digest.Date) ([]digest.ObjectInfo, error) {
	list, err := w.ArticleStore.List(ctx, day)
	return slices.DeleteFunc(list, func(o digest.ObjectInfo) bool { return w.keys[o.Key] }), err
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// heapPeak runs f and returns the most heap it saw in use above what was
// in use before, sampled every millisecond: live objects and those not
// yet swept, as runtime.MemStats.HeapAlloc counts them.
func heapPeak(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	done, stopped := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				stopped <- peak
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	return max(<-stopped, base) - base
}

// markupLeft finds what a browser would take for a tag.
var markupLeft = regexp.MustCompile(`<[A-Za-z/!?]`)

// checkCleanArticle: what every article read promises, however bad the file
// it came from.
func checkCleanArticle(t *testing.T, name string, a *digest.Article) {
	t.Helper()
	if a.Title == "" || utf8.RuneCountInString(a.Title) > digest.MaxTitleRunes || !strings.ContainsFunc(a.Title, unicode.IsLetter) {
		t.Errorf("%s: title %q", name, a.Title)
	}
	if len(a.Paragraphs) == 0 || len(a.Paragraphs) > 5000 || len(a.Related) > 50 {
		t.Errorf("%s: %d paragraphs, %d related", name, len(a.Paragraphs), len(a.Related))
	}
	for _, s := range []string{a.Title, a.Dek, a.Source, a.Section} {
		checkCleanText(t, name, "field", s)
	}
	for _, p := range a.Paragraphs {
		checkCleanText(t, name, "paragraph", p)
	}
	for _, r := range a.Related {
		checkCleanText(t, name, "related", r.Title)
		checkURL(t, name, r.URL)
	}
	checkURL(t, name, a.URL)
	checkURL(t, name, a.Image)
}

func checkCleanText(t *testing.T, name, what, s string) {
	t.Helper()
	bad := func(r rune) bool {
		return unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
	}
	switch {
	case !utf8.ValidString(s):
		t.Errorf("%s: %s of invalid UTF-8: %q", name, what, truncateRunes(s, 80))
	case strings.ContainsFunc(s, bad):
		t.Errorf("%s: control character in %s %q", name, what, truncateRunes(s, 80))
	case markupLeft.MatchString(s):
		t.Errorf("%s: markup in %s %q", name, what, truncateRunes(s, 80))
	}
}

func checkURL(t *testing.T, name, s string) {
	t.Helper()
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Errorf("%s: address %q", name, s)
	}
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// checkRepairs looks closer at a few readable files: what was repaired,
// and what the article says about it.
func checkRepairs(t *testing.T, byKey map[string]*digest.Article, day string) {
	t.Helper()
	find := func(suffix string) *digest.Article {
		for key, a := range byKey {
			if strings.HasPrefix(key, day+"/") && strings.HasSuffix(key, "-"+suffix) {
				return a
			}
		}
		t.Fatalf("no article read from *-%s", suffix)
		return nil
	}
	warned := func(a *digest.Article, part string) bool {
		return slices.ContainsFunc(a.Warnings, func(w string) bool { return strings.Contains(w, part) })
	}
	tests := []struct {
		file  string
		check func(a *digest.Article) bool
	}{
		{"latin1.txt", func(a *digest.Article) bool {
			return a.Title == "Café owner’s “fair rent” plea" && warned(a, "Windows-1252")
		}},
		{"utf16le-no-bom.txt", func(a *digest.Article) bool {
			return a.Title == "UTF-16 without a byte-order mark" && warned(a, "UTF-16 without a byte-order mark")
		}},
		{"crlf-title.json", func(a *digest.Article) bool {
			return a.Title == "Gate delayed Bcc: everyone@example.com Hi"
		}},
		{"json-control-escapes.json", func(a *digest.Article) bool { return a.Title == "Bell and NUL in [31ma title" }},
		{"bidi-title.json", func(a *digest.Article) bool { return a.Title == "Invoice gnp.exe for the gate" }},
		{"escaped-script-title.json", func(a *digest.Article) bool { return a.Title == "Gate alert(1) delayed" }},
		{"nested-script-title.json", func(a *digest.Article) bool { return !strings.Contains(strings.ToLower(a.Title), "<script") }},
		{"crlf-url.json", func(a *digest.Article) bool {
			return a.URL == "" && a.Image == "https://quayford.example/i.jpg" && warned(a, "not an absolute http(s) URL")
		}},
		{"javascript-og.html", func(a *digest.Article) bool {
			return a.URL == "" && a.Image == "" && len(a.Related) == 1 && a.Related[0].URL == "https://quayford.example/ok"
		}},
		{"5000-related.txt", func(a *digest.Article) bool {
			return len(a.Related) == 0 && warned(a, "words dropped: over the 2000")
		}},
		{"5000-related.json", func(a *digest.Article) bool {
			return len(a.Related) == 50 && warned(a, "5000 related headlines: kept the first 50")
		}},
		{"stolen-id.json", func(a *digest.Article) bool {
			return a.ID != "cccbbe643c4863b7" && warned(a, `id "cccbbe643c4863b7" is already the id of 2026/11/25/000_cccbbe643c4863b7.json`)
		}},
		{"path-id.json", func(a *digest.Article) bool { return !strings.Contains(a.ID, "/") && warned(a, "ignored") }},
		{"bad-dates.json", func(a *digest.Article) bool { return a.Published.IsZero() && warned(a, "not understood") }},
	}
	for _, tt := range tests {
		if a := find(tt.file); !tt.check(a) {
			t.Errorf("%s: read as title %q, id %s, url %q, %d related, warnings %q", tt.file, a.Title, a.ID, a.URL, len(a.Related), a.Warnings)
		}
	}
}
