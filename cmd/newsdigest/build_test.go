package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

func TestBuildCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "build", "--date", "2026-11-26")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var e digest.Edition
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	// examples/articles/editorial/2026-11-26.json pins the footprints
	// story and asks for 8 stories.
	if len(e.Stories) != 8 || e.Stories[0].ID != "f80a6e0fab00ad9c" || !e.Stories[0].Pinned {
		t.Errorf("%d stories, first %q: want the editor's 8 with the pinned story first", len(e.Stories), e.Stories[0].ID)
	}
	if !strings.HasPrefix(e.Intro, "Good morning. Our pick today") {
		t.Errorf("intro %q is not the editor's", e.Intro)
	}
	cup := e.Stories[1]
	if len(cup.Also) != 3 || !strings.Contains(cup.Title, "Kestrel Town") {
		t.Errorf("second story %q with %d other reports, want the cup final told by four outlets", cup.Title, len(cup.Also))
	}
	for _, s := range e.Stories {
		if s.Lead == "" || s.Why == "" || !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("story %s lacks a lead, reason or link: %+v", s.ID, s)
		}
	}
	accounted := 0
	for _, s := range append(e.Stories, e.RunnersUp...) {
		accounted += 1 + len(s.Also)
	}
	if accounted+len(e.Skipped) != 16 {
		t.Errorf("%d articles accounted for, the day has 16", accounted+len(e.Skipped))
	}
}

func TestBuildCommandFormats(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"The Newsdigest Daily · Wednesday 25 November 2026", "Also covered by ", "1. ", "Links:", "[1] https://"}},
		{"html", []string{"<!DOCTYPE html>", `id="story-`, `<h1 class="masthead"`, "https://newsdigest.example/unsubscribe"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			file := filepath.Join(dir, "edition."+tt.format)
			code, _, errOut := runCLI(t, "build", "--date", "2026-11-25", "--format", tt.format, "--out", file)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(data), w) {
					t.Errorf("%s output lacks %q", tt.format, w)
				}
			}
		})
	}
}

// TestBuildCommandReportsABadEditorialFile: the edition is built without
// it, and says why.
func TestBuildCommandReportsABadEditorialFile(t *testing.T) {
	root := t.TempDir()
	day := filepath.Join(root, "2026", "11", "25")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../examples/articles/2026/11/25/000_cccbbe643c4863b7.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(day, "000_cccbbe643c4863b7.json"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "editorial"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "editorial", "2026-11-25.json"), []byte(`{"pins": ["x"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "build", "--articles", root, "--date", "2026-11-25", "--lookback", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var e digest.Edition
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Stories) != 1 || len(e.Skipped) != 1 || e.Skipped[0].Key != "editorial/2026-11-25.json" ||
		!strings.Contains(e.Skipped[0].Error, `unknown field "pins"`) {
		t.Errorf("stories %d, skipped %+v: want the story built and the editorial file reported", len(e.Stories), e.Skipped)
	}
}

func TestBuildCommandFailsOnAnEmptyDay(t *testing.T) {
	code, _, errOut := runCLI(t, "build", "--date", "2026-01-01")
	if code != 1 || !strings.Contains(errOut, "no articles for 2026-01-01") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestBuildCommandPublishesTheArchive builds two days into one archive:
// each day's page and JSON, and an index of both, newest first.
func TestBuildCommandPublishesTheArchive(t *testing.T) {
	archive := t.TempDir()
	for _, day := range []string{"2026-11-25", "2026-11-26"} {
		if code, _, errOut := runCLI(t, "build", "--date", day, "--archive", archive, "--out", filepath.Join(t.TempDir(), "e.json")); code != 0 {
			t.Fatalf("%s: exit %d: %s", day, code, errOut)
		}
	}
	page, err := os.ReadFile(filepath.Join(archive, "archive", "2026-11-26", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `id="story-f80a6e0fab00ad9c"`) {
		t.Error("the archived page has no anchor for the pinned story")
	}
	var e digest.Edition
	data, err := os.ReadFile(filepath.Join(archive, "archive", "2026-11-25", "edition.json"))
	if err != nil || json.Unmarshal(data, &e) != nil || e.Date.String() != "2026-11-25" {
		t.Fatalf("edition.json of 2026-11-25 unreadable: %v", err)
	}
	index, err := os.ReadFile(filepath.Join(archive, "archive", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	newer := strings.Index(string(index), `href="2026-11-26/"`)
	older := strings.Index(string(index), `href="2026-11-25/"`)
	if newer < 0 || older < 0 || newer > older {
		t.Errorf("index lists the editions out of order or not at all:\n%s", index)
	}
}

func TestBuildCommandOutDir(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "build", "--date", "2026-11-26", "--out-dir", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for name, want := range map[string]string{"edition.json": `"stories": [`, "digest.html": "<!DOCTYPE html>", "digest.txt": "Links:"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s: %v, or it lacks %q", name, err, want)
		}
	}
}
