package synth_test

import (
	"math"
	"path"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/synth"
)

func TestGenerateIsDeterministic(t *testing.T) {
	tests := []struct {
		name string
		opts synth.Options
	}{
		{"plain day", synth.Options{Articles: 300, Seed: 1}},
		{"duplicate groups", synth.Options{Articles: 300, Seed: 2, DuplicateShare: 0.4}},
		{"another date", synth.Options{Articles: 50, Seed: 3, Date: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := synth.Generate(tt.opts), synth.Generate(tt.opts)
			if len(got) != tt.opts.Articles {
				t.Fatalf("%d files, want %d", len(got), tt.opts.Articles)
			}
			if !reflect.DeepEqual(got, want) {
				t.Error("two runs with the same options differ")
			}
			other := tt.opts
			other.Seed++
			if reflect.DeepEqual(synth.Generate(other), got) {
				t.Error("another seed gives the same files")
			}
		})
	}
}

func TestDayFormatMix(t *testing.T) {
	const n = 2000
	files := synth.Day(n, 42)
	counts := map[string]int{}
	for _, f := range files {
		counts[path.Ext(f.Name)]++
		if size := len(f.Data); size < 3<<10 || size > 8<<10 {
			t.Errorf("%s is %d bytes, want 3 to 8 KiB", f.Name, size)
		}
	}
	tests := []struct {
		ext     string
		percent float64
	}{
		{".txt", 55},
		{".json", 15},
		{".html", 15},
		{".md", 15},
	}
	total := 0
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			got := 100 * float64(counts[tt.ext]) / n
			if math.Abs(got-tt.percent) > 2 {
				t.Errorf("%.1f%% of the files, want %.0f%% ± 2", got, tt.percent)
			}
		})
		total += counts[tt.ext]
	}
	if total != n {
		t.Errorf("%d of %d files have another extension: %v", n-total, n, counts)
	}
}

// TestDayParses reads every file as the digest reads it: each must parse
// cleanly, with the shape the generator promises.
func TestDayParses(t *testing.T) {
	files := synth.Day(1000, 7)
	fileName := regexp.MustCompile(`^\d{6}_[0-9a-f]{16}\.(txt|json|html|md)$`)
	tests := []struct {
		name   string
		ext    string
		format digest.Format
	}{
		{"text", ".txt", digest.FormatText},
		{"json", ".json", digest.FormatJSON},
		{"html", ".html", digest.FormatHTML},
		{"markdown", ".md", digest.FormatMarkdown},
	}
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := 0
			for i, f := range files {
				if path.Ext(f.Name) != tt.ext {
					continue
				}
				seen++
				if !fileName.MatchString(f.Name) {
					t.Errorf("name %q, want NNNNNN_<16 hex>.ext", f.Name)
				}
				a, err := digest.Parse(f.Name, f.Data)
				if err != nil {
					t.Errorf("%s: %v", f.Name, err)
					continue
				}
				if a.Format != tt.format {
					t.Errorf("%s: format %s, want %s", f.Name, a.Format, tt.format)
				}
				if a.Rank == nil || *a.Rank != i {
					t.Errorf("%s: rank %v, want its place in the day, %d", f.Name, a.Rank, i)
				}
				if len(a.Warnings) > 0 {
					t.Errorf("%s: warnings %q", f.Name, a.Warnings)
				}
				if words := len(strings.Fields(a.Title)); words < 6 || words > 14 {
					t.Errorf("%s: title %q has %d words, want 6 to 14", f.Name, a.Title, words)
				}
				if got := len(a.Paragraphs); got < 4 || got > 10 {
					t.Errorf("%s: %d paragraphs, want 4 to 10", f.Name, got)
				}
				if a.Dek == "" || a.Source == "" {
					t.Errorf("%s: dek %q, source %q: want both", f.Name, a.Dek, a.Source)
				}
				if tt.format == digest.FormatText {
					checkText(t, f, a)
					continue
				}
				if !strings.HasPrefix(a.URL, "https://") || f.URL != "" {
					t.Errorf("%s: url %q in the file, %q beside it: want it in the file only", f.Name, a.URL, f.URL)
				}
				if got := a.Published.Truncate(24 * time.Hour); !got.Equal(day) {
					t.Errorf("%s: published %v, want on %v", f.Name, a.Published, day)
				}
			}
			if seen == 0 {
				t.Fatal("no files of the format")
			}
		})
	}
}

// checkText checks what only the text format has: the related run on the
// last line and the address beside the file.
func checkText(t *testing.T, f synth.File, a digest.Article) {
	t.Helper()
	// 4 to 6 headlines of 6 to 14 words each.
	if words := len(strings.Fields(a.RelatedRun)); words < 4*6 || words > 6*14 {
		t.Errorf("%s: related run %q has %d words, want 24 to 84", f.Name, a.RelatedRun, words)
	}
	if a.URL != "" || !strings.HasPrefix(f.URL, "https://") {
		t.Errorf("%s: url %q in the file, %q beside it: want it beside the file only", f.Name, a.URL, f.URL)
	}
}

func TestDuplicateGroups(t *testing.T) {
	tests := []struct {
		name           string
		share          float64
		wantDuplicates int
	}{
		{"none", 0, 0},
		{"a third", 1.0 / 3, 333},
		{"all", 1, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := synth.Generate(synth.Options{Articles: 1000, Seed: 11, DuplicateShare: tt.share})
			groups := map[int][]digest.Article{}
			for _, f := range files {
				a, err := digest.Parse(f.Name, f.Data)
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				groups[f.Event] = append(groups[f.Event], a)
			}
			duplicates := 0
			for event, members := range groups {
				if len(members) == 1 {
					continue
				}
				duplicates += len(members)
				if len(members) > 4 {
					t.Errorf("event %d has %d articles, want 2 to 4", event, len(members))
				}
				checkGroup(t, event, members)
			}
			if got, want := duplicates, tt.wantDuplicates; got != want {
				t.Errorf("%d articles in duplicate groups, want %d", got, want)
			}
		})
	}
}

// checkGroup checks that a group's articles come from different outlets,
// are worded differently and share the names and numbers of their event.
func checkGroup(t *testing.T, event int, members []digest.Article) {
	t.Helper()
	sources := map[string]bool{}
	titles := map[string]bool{}
	var shared map[string]bool
	for _, a := range members {
		if sources[a.Source] {
			t.Errorf("event %d: two articles from %s", event, a.Source)
		}
		sources[a.Source] = true
		if titles[a.Title] {
			t.Errorf("event %d: two articles titled %q", event, a.Title)
		}
		titles[a.Title] = true
		found := entities(a.Paragraphs)
		if shared == nil {
			shared = found
			continue
		}
		for e := range shared {
			if !found[e] {
				delete(shared, e)
			}
		}
	}
	if len(shared) < 2 {
		t.Errorf("event %d: its articles share the names and numbers %v, want 2 or more", event, shared)
	}
}

// entities are the names and numbers of a text: capitalized words inside a
// sentence, and words with digits.
func entities(paragraphs []string) map[string]bool {
	out := map[string]bool{}
	for _, p := range paragraphs {
		words := strings.Fields(p)
		for i, w := range words {
			startsSentence := i == 0 || strings.ContainsAny(words[i-1][len(words[i-1])-1:], ".?!")
			core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			switch {
			case core == "", strings.HasPrefix(w, "“"):
			case strings.ContainsFunc(core, unicode.IsDigit):
				out[core] = true
			case !startsSentence && unicode.IsUpper([]rune(core)[0]):
				out[core] = true
			}
		}
	}
	return out
}
