package digest

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The editors' file decides what goes out: one that cannot be read fails
// the build, where a malformed one is set aside and reported.
func TestBuildDayAndTheEditorsFile(t *testing.T) {
	tests := []struct {
		name        string
		editorial   string
		failOpen    error
		wantErr     bool
		wantSkipped bool
	}{
		{"no file", "", ErrNotFound, false, false},
		{"a good file", `{"intro": "Good morning."}`, nil, false, false},
		{"a malformed file is set aside", `{"pins": ["x"]}`, nil, false, true},
		{"a file that cannot be read fails the build", `{}`, errors.New("SlowDown"), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{objects: map[string]string{"2026/11/25/000_today.txt": goodArticle}}
			if tt.editorial != "" {
				store.objects[EditorialKey(day25)] = tt.editorial
			}
			if tt.failOpen != nil {
				store.failOpen = map[string]error{EditorialKey(day25): tt.failOpen}
			}
			e, err := BuildDay(context.Background(), NewReader(ReaderConfig{}, store, discard()), NewBuilder(BuildConfig{}, discard()), day25)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want one: %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if !strings.Contains(err.Error(), "could not be read") {
					t.Errorf("error %q does not say the file could not be read", err)
				}
				return
			}
			skipped := false
			for _, s := range e.Skipped {
				skipped = skipped || s.Key == EditorialKey(day25)
			}
			if skipped != tt.wantSkipped {
				t.Errorf("editorial file skipped: %v, want %v (%+v)", skipped, tt.wantSkipped, e.Skipped)
			}
		})
	}
}
