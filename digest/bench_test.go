package digest

import (
	"path"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/internal/synth"
)

// typicalFile is the generated file of the extension whose size is nearest
// 6 KB, a typical article.
func typicalFile(b *testing.B, ext string) synth.File {
	b.Helper()
	const typical = 6 << 10
	var best synth.File
	distance := func(f synth.File) int { return max(len(f.Data)-typical, typical-len(f.Data)) }
	for _, f := range synth.Day(200, 1) {
		if path.Ext(f.Name) == ext && (best.Data == nil || distance(f) < distance(best)) {
			best = f
		}
	}
	if best.Data == nil {
		b.Fatalf("no %s file generated", ext)
	}
	return best
}

func benchmarkParse(b *testing.B, ext string) {
	f := typicalFile(b, ext)
	b.SetBytes(int64(len(f.Data)))
	for b.Loop() {
		if _, err := Parse(f.Name, f.Data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText(b *testing.B)     { benchmarkParse(b, ".txt") }
func BenchmarkParseJSON(b *testing.B)     { benchmarkParse(b, ".json") }
func BenchmarkParseHTML(b *testing.B)     { benchmarkParse(b, ".html") }
func BenchmarkParseMarkdown(b *testing.B) { benchmarkParse(b, ".md") }

// BenchmarkSplitRelated splits one outlet's six related headlines, three
// of them titles of the 1,000-article corpus and three not, as a related
// module mixes the day's stories with older ones.
func BenchmarkSplitRelated(b *testing.B) {
	const corpusSize = 1000
	files := synth.Day(corpusSize+200, 1)
	articles := make([]Article, len(files))
	for i, f := range files {
		a, err := Parse(f.Name, f.Data)
		if err != nil {
			b.Fatal(err)
		}
		articles[i] = a
	}
	corpus := NewHeadlines()
	for i := range articles[:corpusSize] {
		corpus.AddArticle(&articles[i])
	}
	source := articles[0].Source
	var known, unknown []string
	for i, a := range articles {
		switch {
		case a.Source != source:
		case i < corpusSize && len(known) < 3:
			known = append(known, a.Title)
		case i >= corpusSize && len(unknown) < 3:
			unknown = append(unknown, a.Title)
		}
	}
	if len(known) < 3 || len(unknown) < 3 {
		b.Fatalf("too few titles from %s: %d known, %d unknown", source, len(known), len(unknown))
	}
	titles := []string{known[0], unknown[0], known[1], unknown[1], unknown[2], known[2]}
	run := strings.Join(titles, " ")
	for b.Loop() {
		if got := corpus.Split(run); len(got) == 0 {
			b.Fatal("split into nothing")
		}
	}
}
