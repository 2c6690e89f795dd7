package digest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestReadDayByteBudget: files near the size cap are read and parsed a few
// at a time, as MaxBytesAtOnce allows, while small files go as many at once
// as Concurrency does; ids the content claims twice are made unique.
func TestReadDayByteBudget(t *testing.T) {
	for _, tt := range []struct {
		name     string
		size     int64
		cfg      ReaderConfig
		wantOpen int // at most, and at least half
	}{
		{"1.5 MiB files, default budget of 4 MiB", 3 << 19, ReaderConfig{}, 2},
		{"1.5 MiB files, budget of 8 MiB", 3 << 19, ReaderConfig{MaxBytesAtOnce: 8 << 20}, 5},
		{"a budget under the cap is the cap", 2 << 20, ReaderConfig{MaxBytesAtOnce: 1}, 1},
		{"4 KiB files", 4 << 10, ReaderConfig{Concurrency: 8}, 8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{objects: map[string]string{}, sizes: map[string]int64{}, hold: 20 * time.Millisecond}
			for i := range 24 {
				key := fmt.Sprintf("2026/11/25/%03d_f%d.txt", i, i)
				store.objects[key] = goodArticle
				store.sizes[key] = tt.size
			}
			day, err := NewReader(tt.cfg, store, discard()).ReadDay(context.Background(), day25)
			if err != nil || len(day.Articles) != 24 {
				t.Fatalf("%d articles, %v", len(day.Articles), err)
			}
			// The budget is a ceiling; a slow machine may not reach it.
			if store.maxOpen > tt.wantOpen || store.maxOpen < (tt.wantOpen+1)/2 {
				t.Errorf("%d files open at once, want %d", store.maxOpen, tt.wantOpen)
			}
		})
	}
}

func TestReadDayMakesIDsUnique(t *testing.T) {
	claim := func(id string) string {
		return `{"id": "` + id + `", "title": "A title", "body": "A paragraph."}`
	}
	store := &memStore{objects: map[string]string{
		"2026/11/25/000_abc.txt":  goodArticle,
		"2026/11/25/001_x.json":   claim("abc"),
		"2026/11/25/002_y.json":   claim("abc"),
		"2026/11/25/003_abc.json": claim("abc"),
	}}
	day, err := NewReader(ReaderConfig{}, sortedStore{store}, discard()).ReadDay(context.Background(), day25)
	if err != nil || len(day.Articles) != 4 {
		t.Fatalf("%+v, %v", day, err)
	}
	seen := map[string]bool{}
	for i, a := range day.Articles {
		if seen[a.ID] {
			t.Errorf("id %s twice", a.ID)
		}
		seen[a.ID] = true
		renamed := len(a.Warnings) > 0 && strings.Contains(a.Warnings[len(a.Warnings)-1], `id "abc" is already the id of 2026/11/25/000_abc.txt`)
		if (i == 0) != (a.ID == "abc") || (i > 0) != renamed {
			t.Errorf("%s: id %s, warnings %q", a.Key, a.ID, a.Warnings)
		}
	}
}

// sortedStore lists in key order, as ArticleStore promises and memStore,
// a map, does not.
type sortedStore struct{ *memStore }

func (s sortedStore) List(ctx context.Context, day Date) ([]ObjectInfo, error) {
	list, err := s.memStore.List(ctx, day)
	slices.SortFunc(list, func(a, b ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	return list, err
}
