package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz targets feed each parser arbitrary bytes, seeded with the
// fixtures of testdata/articles and the example corpus. Whatever comes in,
// a parser returns a clean article or an error, and never panics.

func FuzzParseText(f *testing.F)     { fuzzParse(f, ".txt") }
func FuzzParseJSON(f *testing.F)     { fuzzParse(f, ".json") }
func FuzzParseHTML(f *testing.F)     { fuzzParse(f, ".html") }
func FuzzParseMarkdown(f *testing.F) { fuzzParse(f, ".md") }

func fuzzParse(f *testing.F, ext string) {
	for _, pattern := range []string{"testdata/articles/*" + ext, "../examples/articles/2026/11/2[45]/*" + ext} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	corpus := NewHeadlines()
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("2026/11/25/001_fuzz"+ext, data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a reason")
			}
			return
		}
		checkClean(t, a)
		ResolveRelated([]Article{a}, corpus)
	})
}

// FuzzSplitRelated checks that splitting a run loses and adds no word.
func FuzzSplitRelated(f *testing.F) {
	f.Add("Man finds Roman coins while digging garden pond Council votes to close two libraries")
	f.Add("Stocks Rise as Fed Weighs Rate Cut Oil Prices Slip on Supply Glut Fears")
	f.Add("'Quoted' start \"double quote\" end, $377, 24% iPhone eBay vendr: ? ! — –")
	corpus := NewHeadlines()
	corpus.AddArticle(&Article{Title: "Council votes to close two libraries", ID: "lib", Paragraphs: []string{"The council met."}})
	f.Fuzz(func(t *testing.T, run string) {
		got := corpus.Split(run)
		var words []string
		for _, r := range got {
			if strings.TrimSpace(r.Title) == "" {
				t.Fatalf("empty headline in %q", titlesOf(got))
			}
			words = append(words, strings.Fields(r.Title)...)
		}
		if want := strings.Fields(run); strings.Join(words, " ") != strings.Join(want, " ") {
			t.Fatalf("split %q of %q lost or added words", titlesOf(got), run)
		}
	})
}

// checkClean asserts what every parsed article promises: a title of
// bounded length and body paragraphs, valid UTF-8 on single lines without
// control characters, and only absolute http(s) addresses.
func checkClean(t *testing.T, a Article) {
	t.Helper()
	if a.Title == "" || utf8.RuneCountInString(a.Title) > MaxTitleRunes {
		t.Fatalf("title %q", a.Title)
	}
	if len(a.Paragraphs) == 0 {
		t.Fatal("no paragraphs")
	}
	fields := append([]string{a.Title, a.Dek, a.Source, a.Section, a.ID}, a.Paragraphs...)
	for _, r := range a.Related {
		fields = append(fields, r.Title)
	}
	for _, s := range fields {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 in %q", s)
		}
		if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) }) {
			t.Fatalf("control character in %q", s)
		}
		if s != strings.TrimSpace(s) {
			t.Fatalf("untrimmed %q", s)
		}
	}
	urls := []string{a.URL, a.Image}
	for _, r := range a.Related {
		urls = append(urls, r.URL)
	}
	for _, u := range urls {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("unsafe URL %q", u)
		}
	}
}

// FuzzParseEditorial checks that an editorial file is accepted only when
// every value in it is safe to use.
func FuzzParseEditorial(f *testing.F) {
	f.Add([]byte(`{"pin":["a"],"drop":["b"],"subject":"S","intro":"I","max_stories":5,"prefer_sources":["Civic Wire"]}`))
	f.Add([]byte(`{"subject":"Hi\r\nBcc: x@example.com"}`))
	f.Add([]byte(`{"max_stories": -1}`))
	if data, err := os.ReadFile("../examples/articles/editorial/2026-11-26.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEditorial(data)
		if err != nil {
			return
		}
		if strings.ContainsFunc(e.Subject, isControl) || e.MaxStories < 0 || e.MaxStories > MaxEditionStories {
			t.Fatalf("accepted %+v", e)
		}
	})
}

// FuzzHasControl: the byte scan that spares decodeText its strings.Map
// says yes exactly when strings.Map would change the text.
func FuzzHasControl(f *testing.F) {
	for _, s := range []string{"", "plain text\n\tand tabs", "bell\a", "del\x7f", "c1\u0085", "sep\u2028", "bom\uFEFF",
		"é ü ß 日本", "\uFFFD", "nbsp\u00a0", "\u009f", "\u00a0\u00ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // decodeText repairs the text first
		}
		if got, want := hasControl(s), strings.Map(dropControl, s) != s; got != want {
			t.Fatalf("hasControl(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzProseWord: the fast path of addProse finds the word wordKey names.
func FuzzProseWord(f *testing.F) {
	for _, s := range []string{"", "word", "Word", "(Word),", "“Quoted”", "O'Neil's", "£50m", "$5", "50%", "--", "Zoë", "e-mail", "’tis", "...", "ÉCOLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		h := newEmptyHeadlines()
		if got, want := h.proseWord(tok), h.word(wordKey(tok)); got != want || len(h.words) != 1 {
			t.Fatalf("proseWord(%q) is not the word of key %q (%d words)", tok, wordKey(tok), len(h.words))
		}
	})
}
