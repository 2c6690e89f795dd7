package digest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is a hand-written store for unit tests of the Reader: objects
// in memory, with failures and a record of what was opened.
type memStore struct {
	objects  map[string]string // key → body
	sizes    map[string]int64  // listed size, when it differs from the body's
	failOpen map[string]error
	listErr  error

	// hold keeps each opened body busy a moment, so reads overlap.
	hold time.Duration

	mu            sync.Mutex
	opened        []string
	open, maxOpen int
}

func (m *memStore) List(_ context.Context, day Date) ([]ObjectInfo, error) {
	if m.listErr != nil {
		return nil, m.listErr
	}
	var out []ObjectInfo
	for key, body := range m.objects {
		if strings.HasPrefix(key, day.Path()+"/") {
			size, ok := m.sizes[key]
			if !ok {
				size = int64(len(body))
			}
			out = append(out, ObjectInfo{Key: key, Size: size})
		}
	}
	return out, nil
}

func (m *memStore) Open(_ context.Context, key string) (Object, error) {
	m.mu.Lock()
	m.opened = append(m.opened, key)
	m.open++
	m.maxOpen = max(m.maxOpen, m.open)
	m.mu.Unlock()
	if err := m.failOpen[key]; err != nil {
		m.closed()
		return Object{}, err
	}
	time.Sleep(m.hold)
	return Object{Body: &trackedBody{Reader: strings.NewReader(m.objects[key]), store: m}, Size: -1}, nil
}

func (m *memStore) closed() {
	m.mu.Lock()
	m.open--
	m.mu.Unlock()
}

type trackedBody struct {
	io.Reader
	store *memStore
}

func (b *trackedBody) Close() error { b.store.closed(); return nil }

const goodArticle = "Ferry timetable changes from Monday\n\nNew winter times.\n\nHarbour Ledger\n\nThe first boat leaves at 7.10am.\n"

var day25 = Date{2026, 11, 25}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestReadDayReportsBadFilesAndKeepsTheRest(t *testing.T) {
	store := &memStore{
		objects: map[string]string{
			"2026/11/25/000_good.txt":  goodArticle,
			"2026/11/25/001_empty.txt": "",
			"2026/11/25/002_huge.txt":  goodArticle,
			"2026/11/25/003_gone.txt":  goodArticle,
			"2026/11/24/000_other.txt": goodArticle,
		},
		sizes:    map[string]int64{"2026/11/25/002_huge.txt": 3 << 20},
		failOpen: map[string]error{"2026/11/25/003_gone.txt": errors.New("connection reset")},
	}
	day, err := NewReader(ReaderConfig{}, store, discard()).ReadDay(context.Background(), day25)
	if err != nil {
		t.Fatal(err)
	}
	if len(day.Articles) != 1 || day.Articles[0].Key != "2026/11/25/000_good.txt" {
		t.Errorf("articles %+v, want only the good one", day.Articles)
	}
	wantSkipped := map[string]string{
		"2026/11/25/001_empty.txt": "empty file",
		"2026/11/25/002_huge.txt":  "file too large: 3 MiB, over the 2 MiB cap",
		"2026/11/25/003_gone.txt":  "open: connection reset",
	}
	if len(day.Skipped) != len(wantSkipped) {
		t.Errorf("skipped %+v, want %d entries", day.Skipped, len(wantSkipped))
	}
	for _, s := range day.Skipped {
		if want := wantSkipped[s.Key]; !strings.Contains(s.Error, want) || want == "" {
			t.Errorf("%s skipped with %q, want %q", s.Key, s.Error, want)
		}
	}
	for _, key := range store.opened {
		if key == "2026/11/25/002_huge.txt" {
			t.Error("the file over the cap was opened; its listed size should have stopped it")
		}
	}
}

func TestReadDayCapsUnlistedSizes(t *testing.T) {
	store := &memStore{
		objects: map[string]string{"2026/11/25/000_big.txt": goodArticle + strings.Repeat("More text. ", 200)},
		sizes:   map[string]int64{"2026/11/25/000_big.txt": 0}, // the listing does not know
	}
	day, err := NewReader(ReaderConfig{MaxBytes: 1024}, store, discard()).ReadDay(context.Background(), day25)
	if err != nil {
		t.Fatal(err)
	}
	if len(day.Skipped) != 1 || !strings.Contains(day.Skipped[0].Error, "over the 1.0 KiB cap") {
		t.Errorf("skipped %+v, want the file over the cap", day.Skipped)
	}
}

func TestReadDayKeepsWithinTheDaysBudget(t *testing.T) {
	const kib = 1 << 10
	tests := []struct {
		name        string
		maxDayBytes int64
		sizes       []int64 // listed sizes of 000_a.txt, 001_a.txt, …
		wantLeftOut []int
	}{
		{"no budget", 0, []int64{300 * kib, 900 * kib, 500 * kib, 300 * kib}, nil},
		{"a day within it", 2 << 20, []int64{300 * kib, 900 * kib, 500 * kib, 300 * kib}, nil},
		{"the largest files left out", 1 << 20, []int64{300 * kib, 900 * kib, 500 * kib, 300 * kib}, []int{1, 2}},
		{"of files alike, the later ones", 1 << 20, []int64{400 * kib, 400 * kib, 400 * kib}, []int{2}},
		{"a budget below one file still reads one", 1, []int64{900 * kib}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{objects: map[string]string{}, sizes: map[string]int64{}}
			for i, size := range tt.sizes {
				key := fmt.Sprintf("2026/11/25/%03d_a.txt", i)
				store.objects[key], store.sizes[key] = goodArticle, size
			}
			cfg := ReaderConfig{MaxBytes: 1 << 20, MaxDayBytes: tt.maxDayBytes}
			day, err := NewReader(cfg, store, discard()).ReadDay(context.Background(), day25)
			if err != nil {
				t.Fatal(err)
			}
			var gotLeftOut []int
			for _, s := range day.Skipped {
				var i int
				if _, err := fmt.Sscanf(s.Key, "2026/11/25/%03d_a.txt", &i); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(s.Error, "left out unread, the day is too large") || !strings.Contains(s.Error, "over the day's") {
					t.Errorf("%s skipped with %q, want the day's budget named", s.Key, s.Error)
				}
				gotLeftOut = append(gotLeftOut, i)
			}
			slices.Sort(gotLeftOut) // the memory store lists in no order
			if fmt.Sprint(gotLeftOut) != fmt.Sprint(tt.wantLeftOut) {
				t.Errorf("left out %v, want %v", gotLeftOut, tt.wantLeftOut)
			}
			if got, want := len(day.Articles), len(tt.sizes)-len(tt.wantLeftOut); got != want {
				t.Errorf("%d articles, want %d", got, want)
			}
			if got, want := len(store.opened), len(day.Articles); got != want {
				t.Errorf("%d files opened, want %d: a file left out is not read", got, want)
			}
		})
	}
}

func TestReadDayFailsLoudly(t *testing.T) {
	tests := []struct {
		name    string
		store   *memStore
		wantErr string
	}{
		{"listing fails", &memStore{listErr: errors.New("SlowDown")}, "list 2026-11-25: SlowDown"},
		{"every download fails", &memStore{
			objects:  map[string]string{"2026/11/25/000_a.txt": goodArticle, "2026/11/25/001_b.txt": goodArticle},
			failOpen: map[string]error{"2026/11/25/000_a.txt": errors.New("503"), "2026/11/25/001_b.txt": errors.New("503")},
		}, "none of its 2 files could be read"},
		{"every download within the day's budget fails", &memStore{
			objects:  map[string]string{"2026/11/25/000_a.txt": goodArticle, "2026/11/25/001_b.txt": goodArticle},
			sizes:    map[string]int64{"2026/11/25/000_a.txt": 1 << 20, "2026/11/25/001_b.txt": 2 << 20},
			failOpen: map[string]error{"2026/11/25/000_a.txt": errors.New("503")},
		}, "none of its 1 files could be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(ReaderConfig{MaxDayBytes: 2 << 20}, tt.store, discard()).ReadDay(context.Background(), day25)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadDayBoundsConcurrency(t *testing.T) {
	store := &memStore{objects: map[string]string{}, hold: time.Millisecond}
	for i := range 200 {
		store.objects[fmt.Sprintf("2026/11/25/%03d_a.txt", i)] = goodArticle
	}
	day, err := NewReader(ReaderConfig{Concurrency: 4}, store, discard()).ReadDay(context.Background(), day25)
	if err != nil {
		t.Fatal(err)
	}
	if len(day.Articles) != 200 {
		t.Errorf("%d articles, want 200", len(day.Articles))
	}
	if store.maxOpen > 4 || store.maxOpen < 2 {
		t.Errorf("%d files open at once, want 2 to 4", store.maxOpen)
	}
}

func TestReadDayLooksBackForRelatedTitles(t *testing.T) {
	store := &memStore{objects: map[string]string{
		"2026/11/24/000_yesterday.txt": "Skerry Island school wins national science prize\n\nDek.\n\nHarbour Ledger\n\nPupils won.\n",
		"2026/11/25/000_today.txt":     strings.TrimSpace(goodArticle) + "\n\nSkerry Island school wins national science prize Port Alder council freezes parking charges\n",
	}}
	for _, lookback := range []int{0, 1} {
		day, err := NewReader(ReaderConfig{Lookback: lookback}, store, discard()).ReadDay(context.Background(), day25)
		if err != nil {
			t.Fatal(err)
		}
		related := day.Articles[0].Related
		if len(related) != 2 {
			t.Fatalf("lookback %d: related %+v, want 2 headlines", lookback, related)
		}
		if got, want := related[0].ID, map[int]string{0: "", 1: "yesterday"}[lookback]; got != want {
			t.Errorf("lookback %d: first related headline linked to %q, want %q", lookback, got, want)
		}
	}
}
