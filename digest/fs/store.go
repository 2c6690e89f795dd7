// Package fs keeps articles in a local folder laid out as S3 would hold them:
// ROOT/YYYY/MM/DD/<files>. It is the embedded default for local runs.
package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

var (
	_ digest.ArticleStore = (*Store)(nil)
	_ digest.ArchiveStore = (*Store)(nil)
)

// Store reads articles from a folder. Keys are slash-separated paths
// relative to the folder, and never leave it.
type Store struct {
	root *os.Root
}

// New opens a store rooted at dir; Close releases it.
func New(dir string) (*Store, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Store{root: root}, nil
}

// Close closes the folder.
func (s *Store) Close() error { return s.root.Close() }

// List returns the day's files in name order; hidden files and folders are
// left out, and a missing day folder is an empty day.
func (s *Store) List(_ context.Context, day digest.Date) ([]digest.ObjectInfo, error) {
	dir := day.Path()
	entries, err := iofs.ReadDir(s.root.FS(), dir)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []digest.ObjectInfo
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		out = append(out, digest.ObjectInfo{Key: path.Join(dir, e.Name()), Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Open opens one file by its key.
func (s *Store) Open(_ context.Context, key string) (digest.Object, error) {
	f, err := s.root.Open(key)
	if errors.Is(err, iofs.ErrNotExist) {
		return digest.Object{}, fmt.Errorf("%s: %w", key, digest.ErrNotFound)
	}
	if err != nil {
		return digest.Object{}, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return digest.Object{}, err
	}
	return digest.Object{Body: f, Size: info.Size()}, nil
}

// PutIfAbsent writes the object unless the key holds one already, and
// reports whether it wrote: of two writers, the first wins and both know.
func (s *Store) PutIfAbsent(_ context.Context, key string, body []byte, _ string) (bool, error) {
	if err := s.root.MkdirAll(path.Dir(key), 0o755); err != nil {
		return false, err
	}
	tmp := fmt.Sprintf("%s.tmp-%d", key, time.Now().UnixNano())
	if err := s.root.WriteFile(tmp, body, 0o644); err != nil {
		return false, err
	}
	defer s.root.Remove(tmp)
	// A hard link is created whole or not at all, and never over an
	// existing name.
	err := s.root.Link(tmp, key)
	if errors.Is(err, iofs.ErrExist) {
		return false, nil
	}
	return err == nil, err
}

// Put writes a whole file, creating its folders: to a temporary name
// first, then renamed, so that a reader never sees half a file.
func (s *Store) Put(_ context.Context, key string, body []byte, _ string) error {
	if err := s.root.MkdirAll(path.Dir(key), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp-%d", key, time.Now().UnixNano())
	if err := s.root.WriteFile(tmp, body, 0o644); err != nil {
		return err
	}
	if err := s.root.Rename(tmp, key); err != nil {
		s.root.Remove(tmp)
		return err
	}
	return nil
}
