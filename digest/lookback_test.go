package digest

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// writableStore is a memStore that can keep objects, as the S3 and folder
// stores can.
type writableStore struct{ *memStore }

func (w writableStore) Put(_ context.Context, key string, body []byte, _ string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.objects[key] = string(body)
	return nil
}

func TestLookbackIndex(t *testing.T) {
	ctx := context.Background()
	yesterday := "2026/11/24/000_yesterday.txt"
	mem := &memStore{objects: map[string]string{
		yesterday:                  "Skerry Island school wins national science prize\n\nDek.\n\nHarbour Ledger\n\nPupils won.\n",
		"2026/11/25/000_today.txt": strings.TrimSpace(goodArticle) + "\n\nSkerry Island school wins national science prize Port Alder council freezes parking charges\n",
	}}
	store := writableStore{mem}
	keep := NewReader(ReaderConfig{KeepIndex: true}, store, discard())
	if _, err := keep.ReadDay(ctx, Date{2026, 11, 24}); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.objects[LookbackIndexKey(Date{2026, 11, 24})]; !ok {
		t.Fatal("no index kept for the day read")
	}

	tests := []struct {
		name          string
		index         func()
		wantArticleRd bool
	}{
		{"the index stands in for the day's articles", func() {}, false},
		{"a damaged index falls back to the articles", func() { mem.objects[LookbackIndexKey(Date{2026, 11, 24})] = "{not json" }, true},
		{"an index of another day is not taken", func() {
			mem.objects[LookbackIndexKey(Date{2026, 11, 24})] = `{"version":1,"date":"2026-11-23","articles":[]}`
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.index()
			mem.opened = nil
			day, err := NewReader(ReaderConfig{Lookback: 1}, store, discard()).ReadDay(ctx, day25)
			if err != nil {
				t.Fatal(err)
			}
			if got := day.Articles[0].Related; len(got) != 2 || got[0].ID != "yesterday" {
				t.Errorf("related %+v, want the first linked to yesterday's article", got)
			}
			if got := slices.Contains(mem.opened, yesterday); got != tt.wantArticleRd {
				t.Errorf("yesterday's article read: %v, want %v (opened %q)", got, tt.wantArticleRd, mem.opened)
			}
		})
	}
}
