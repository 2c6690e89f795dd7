package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

// runCLI runs the command line in-process from the repository root, where
// the default article folder is.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	chdirRoot(t)
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// chdirRoot makes the repository root the working directory until the
// test ends.
func chdirRoot(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("go.mod"); err != nil {
		t.Chdir("../..")
	}
}

// decodeStream reads the concatenated JSON objects that parse prints.
func decodeStream(t *testing.T, s string) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var out []map[string]any
	for {
		var v map[string]any
		if err := dec.Decode(&v); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("output is not a JSON stream: %v\n%s", err, s)
		}
		out = append(out, v)
	}
}

func TestParseCommand(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.txt")
	if err := os.WriteFile(broken, []byte("\x00\x01\x02binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		files     []string
		wantCode  int
		wantTitle []string // "" where the file must carry an error instead
	}{
		{"one file", []string{"digest/testdata/articles/004_5be1c0a93d2e7f41.txt"}, 0,
			[]string{"Harbour board backs night ferry to Skerry Island despite fuel worries"}},
		{"one good, one broken", []string{"digest/testdata/articles/040_lakeside.md", broken}, 0,
			[]string{"Tram line gets the green light: what happens next", ""}},
		{"every file broken", []string{broken, "does/not/exist.txt"}, 1, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"parse"}, tt.files...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.wantCode, errOut)
			}
			objects := decodeStream(t, out)
			if len(objects) != len(tt.files) {
				t.Fatalf("%d objects for %d files", len(objects), len(tt.files))
			}
			for i, want := range tt.wantTitle {
				switch {
				case want == "" && objects[i]["error"] == nil:
					t.Errorf("file %d: no error field: %v", i, objects[i])
				case want != "" && objects[i]["title"] != want:
					t.Errorf("file %d: title %v, want %q", i, objects[i]["title"], want)
				}
			}
		})
	}
}

// TestParseCommandFilesAreOneCorpus: a related headline naming another of
// the files given is linked to it.
func TestParseCommandFilesAreOneCorpus(t *testing.T) {
	code, out, errOut := runCLI(t, "parse", "digest/testdata/articles/004_5be1c0a93d2e7f41.txt", "digest/testdata/articles/021_paragraphs.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	related := decodeStream(t, out)[0]["related"].([]any)
	first := related[0].(map[string]any)
	if first["title"] != "Skerry Island school wins national science prize" || first["id"] != "4417" {
		t.Errorf("related[0] = %v, want it linked to the JSON file's id 4417", first)
	}
}

func TestListCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "list", "--date", "2026-11-25")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"2026-11-25 — 17 articles from examples/articles", "RANK", "OUTLET",
		"Cork harbour closed to shipping as gusts reach 130 km/h", "Civic Wire"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = runCLI(t, "list", "--date", "2026-11-25", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var day digest.Day
	if err := json.Unmarshal([]byte(out), &day); err != nil {
		t.Fatal(err)
	}
	if len(day.Articles) != 17 || len(day.Skipped) != 0 || day.Date.String() != "2026-11-25" {
		t.Errorf("--json: %d articles, %d skipped, date %s", len(day.Articles), len(day.Skipped), day.Date)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, 2, "Usage: newsdigest COMMAND"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"help", []string{"--help"}, 0, "Commands:"},
		{"parse help", []string{"parse", "--help"}, 0, "Usage: newsdigest parse FILE..."},
		{"list help", []string{"list", "--help"}, 0, "-articles"},
		{"parse without files", []string{"parse"}, 2, "no files given"},
		{"list with a bad date", []string{"list", "--date", "25/11/2026"}, 2, "want YYYY-MM-DD"},
		{"list of a missing folder", []string{"list", "--articles", "no/such/folder", "--date", "2026-11-25"}, 1, "no/such/folder"},
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
