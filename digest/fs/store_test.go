package fs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
)

func TestStoreListAndOpen(t *testing.T) {
	root := t.TempDir()
	day := filepath.Join(root, "2026", "11", "25")
	files := map[string]string{
		"2026/11/25/001_b.txt":         "second",
		"2026/11/25/000_a.json":        "first",
		"2026/11/25/.DS_Store":         "hidden",
		"2026/11/25/drafts/002_c.txt":  "in a sub-folder",
		"2026/11/24/000_yesterday.txt": "another day",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(day); err != nil {
		t.Fatal(err)
	}
	store := newStore(t, root)
	ctx := context.Background()

	got, err := store.List(ctx, digest.Date{Year: 2026, Month: 11, Day: 25})
	if err != nil {
		t.Fatal(err)
	}
	want := []digest.ObjectInfo{{Key: "2026/11/25/000_a.json", Size: 5}, {Key: "2026/11/25/001_b.txt", Size: 6}}
	if !slices.Equal(got, want) {
		t.Errorf("List = %+v, want %+v", got, want)
	}

	obj, err := store.Open(ctx, "2026/11/25/001_b.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "second" || obj.Size != 6 || obj.URL != "" {
		t.Errorf("Open = %q size %d url %q", body, obj.Size, obj.URL)
	}

	empty, err := store.List(ctx, digest.Date{Year: 2026, Month: 12, Day: 1})
	if err != nil || len(empty) != 0 {
		t.Errorf("a day without a folder: %v, %v; want an empty day", empty, err)
	}
}

func TestStoreKeepsKeysInsideTheFolder(t *testing.T) {
	parent := t.TempDir()
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("not an article"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(parent, "articles")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	store := newStore(t, root)
	for _, key := range []string{"../secret.txt", "/etc/passwd", "link.txt"} {
		if obj, err := store.Open(context.Background(), key); err == nil {
			obj.Body.Close()
			t.Errorf("Open(%q) left the folder", key)
		}
	}
}

func newStore(t testing.TB, dir string) *fs.Store {
	t.Helper()
	store, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func TestPutIfAbsent(t *testing.T) {
	dir := t.TempDir()
	store, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		wrote, err := store.PutIfAbsent(ctx, "issues/2026-11-26.json", []byte{byte('0' + i)}, "application/json")
		if err != nil || wrote != want {
			t.Fatalf("writer %d: wrote %v, %v; want %v", i, wrote, err, want)
		}
	}
	obj, err := store.Open(ctx, "issues/2026-11-26.json")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if got, _ := io.ReadAll(obj.Body); string(got) != "0" {
		t.Errorf("the key holds %q, want the first writer's", got)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "issues")); len(entries) != 1 {
		t.Errorf("%d files beside the issue, want none left over", len(entries)-1)
	}
}
