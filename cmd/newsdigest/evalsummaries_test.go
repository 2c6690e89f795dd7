package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// evalFixture holds two one-paragraph articles written for these tests.
//
//	harbour: "The night ferry will run. Fuel costs rose." (8 words);
//	         reference: the whole article.
//	weather: "Gales closed the port. Ships waited offshore overnight.";
//	         reference: the second sentence only.
const evalFixture = "cmd/newsdigest/testdata/eval"

func TestEvalSummaries(t *testing.T) {
	// At 5 words, worked out by hand:
	//   harbour: first-5-words, lead-3, lead and summary are all "The night
	//     ferry will run." — ROUGE-1 P 5/5 R 5/8, F1 10/13 = 0.7692;
	//     ROUGE-2 P 4/4 R 4/7, F1 8/11 = 0.7273; ROUGE-L as ROUGE-1.
	//   weather: first-5-words and lead-3 are "Gales closed the port. Ships":
	//     one word of five matches one of four, F1 2/9 = 0.2222, no bigram.
	//     The lead and summary are "Gales closed the port." (the second
	//     sentence does not fit whole): nothing matches.
	//   all: the means of the two. Only weather's "…port. Ships" ends
	//   mid-sentence.
	want := map[string][]string{
		"all/first-5-words":     {"0.4957", "0.3636", "0.4957", "5.0", "1"},
		"all/lead-3":            {"0.4957", "0.3636", "0.4957", "5.0", "1"},
		"all/lead":              {"0.3846", "0.3636", "0.3846", "4.5", "0"},
		"all/summary":           {"0.3846", "0.3636", "0.3846", "4.5", "0"},
		"harbour/lead":          {"0.7692", "0.7273", "0.7692", "5.0", "0"},
		"weather/first-5-words": {"0.2222", "0.0000", "0.2222", "5.0", "1"},
		"weather/summary":       {"0.0000", "0.0000", "0.0000", "4.0", "0"},
	}
	tests := []struct {
		name string
		args []string
	}{
		{"flag after the folder", []string{"eval-summaries", evalFixture, "--words", "5"}},
		{"flag before the folder", []string{"eval-summaries", "--words", "5", evalFixture}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.HasPrefix(out, "2 articles, every system at most 5 words") {
				t.Errorf("output does not open with the count and budget:\n%s", out)
			}
			rows := evalRows(out)
			for key, w := range want {
				if got := rows[key]; !slices.Equal(got, w) {
					t.Errorf("%s: got %q, want %q", key, got, w)
				}
			}
			if t.Failed() {
				t.Log(out)
			}
		})
	}
}

// evalRows reads the table into category/system → the figures.
func evalRows(out string) map[string][]string {
	rows := map[string][]string{}
	category := ""
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		switch len(f) {
		case 8:
			category, f = f[0], f[2:]
		case 6:
		default:
			continue
		}
		rows[category+"/"+f[0]] = f[1:]
	}
	return rows
}

func TestEvalSummariesErrors(t *testing.T) {
	empty := t.TempDir()
	unpaired := t.TempDir()
	article := filepath.Join(unpaired, "articles", "news", "001.txt")
	if err := os.MkdirAll(filepath.Dir(article), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(article, []byte("Headline\n\nA paragraph of the article.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no folder", []string{"eval-summaries"}, 2, "no folder given"},
		{"two folders", []string{"eval-summaries", evalFixture, evalFixture}, 2, "one folder only"},
		{"zero words", []string{"eval-summaries", evalFixture, "--words", "0"}, 2, "--words must be positive"},
		{"unknown flag after the folder", []string{"eval-summaries", evalFixture, "--wrds", "5"}, 2, "flag provided but not defined"},
		{"no articles", []string{"eval-summaries", empty}, 1, "no articles in"},
		{"article without a reference", []string{"eval-summaries", unpaired}, 1, "has no reference summary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

// TestParseCommandLeadAndSummary: parse adds each article's lead, and its
// summary with --summarize. The fixture has a byline, a dateline, a lone
// quotation and a 10-word standfirst (too short to stand in for the body):
//
//	S1 (20 words): "The harbour board voted on Tuesday to run a night ferry
//	               to Skerry Island three times a week from March."
//	S2 (7 words):  "Tickets will cost twelve pounds for adults."
func TestParseCommandLeadAndSummary(t *testing.T) {
	const (
		file = "cmd/newsdigest/testdata/parse/001_nightferry.txt"
		s1   = "The harbour board voted on Tuesday to run a night ferry to Skerry Island three times a week from March."
		s2   = "Tickets will cost twelve pounds for adults."
	)
	tests := []struct {
		name        string
		args        []string
		wantLead    string
		wantSummary any // nil: no summary field
	}{
		{"lead only", []string{"parse", file}, s1 + " " + s2, nil},
		// At 7 words S1 does not fit: the lead is S1 cut at a word, the
		// summary the one sentence that fits whole.
		{"lead and summary at 7 words", []string{"parse", "--summarize", "--words", "7", file},
			"The harbour board voted on Tuesday…", s2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			objects := decodeStream(t, out)
			if len(objects) != 1 {
				t.Fatalf("%d objects, want 1", len(objects))
			}
			got := objects[0]
			if got["title"] != "Night ferry to Skerry Island approved" {
				t.Errorf("title %v: the article's own fields are missing", got["title"])
			}
			if got["lead"] != tt.wantLead {
				t.Errorf("lead %q, want %q", got["lead"], tt.wantLead)
			}
			if got["summary"] != tt.wantSummary {
				t.Errorf("summary %v, want %v", got["summary"], tt.wantSummary)
			}
		})
	}
}
