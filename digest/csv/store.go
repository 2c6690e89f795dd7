// Package csv keeps the subscriber list in a CSV file, the local stand-in
// for the DynamoDB table: the list's own columns (email, name, status,
// sections, created) and what the store keeps beside them.
package csv

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

var (
	_ digest.SubscriberLists    = (*Store)(nil)
	_ digest.SubscriberImporter = (*Store)(nil)
	_ digest.Suppressor         = (*Store)(nil)
)

// Store is a subscriber list in one CSV file. Every change takes an
// exclusive lock on FILE.lock, reads the file, changes one thing and
// writes it back whole (to a temporary file, then renamed), so that two
// writers never lose each other's change.
type Store struct {
	path   string
	now    func() time.Time
	logger *slog.Logger
}

// New returns the store of the file; now is its clock (time.Now when nil).
func New(path string, now func() time.Time, logger *slog.Logger) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{path: path, now: now, logger: logger}
}

// Active calls each with the active subscribers, batch at a time. Rows the
// file cannot use are logged and passed over.
func (s *Store) Active(ctx context.Context, batch int, each func([]digest.Subscriber) error) error {
	subs, err := s.read()
	if err != nil {
		return err
	}
	var out []digest.Subscriber
	for _, sub := range subs {
		if sub.Status != digest.StatusActive {
			continue
		}
		out = append(out, sub)
		if len(out) == batch {
			if err := each(out); err != nil {
				return err
			}
			out = nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if len(out) > 0 {
		return each(out)
	}
	return nil
}

// Import merges rows into the file by digest.MergeImport.
func (s *Store) Import(_ context.Context, rows []digest.Subscriber) (digest.ImportReport, error) {
	var report digest.ImportReport
	err := s.change(func(list []digest.Subscriber) ([]digest.Subscriber, error) {
		at := map[string]int{}
		for i, sub := range list {
			at[sub.Key()] = i
		}
		for _, row := range rows {
			i, known := at[row.Key()]
			var old *digest.Subscriber
			if known {
				old = &list[i]
			}
			merged, outcome := digest.MergeImport(old, row, s.now())
			report.Count(outcome)
			if known {
				list[i] = merged
			} else {
				at[row.Key()] = len(list)
				list = append(list, merged)
			}
		}
		return list, nil
	})
	return report, err
}

// Suppress sets a suppressing status on a known reader.
func (s *Store) Suppress(_ context.Context, email string, status digest.Status, reason string, at time.Time) error {
	if !status.Suppressed() {
		return fmt.Errorf("csv suppress %s: %q does not suppress", email, status)
	}
	return s.change(func(list []digest.Subscriber) ([]digest.Subscriber, error) {
		sub, err := find(list, email)
		if err != nil {
			return nil, err
		}
		if sub.Status != status {
			sub.Status, sub.Reason, sub.Updated = status, reason, at
		}
		return list, nil
	})
}

// TransientBounce records a soft bounce and returns them all.
func (s *Store) TransientBounce(_ context.Context, email string, at time.Time) ([]time.Time, error) {
	var bounces []time.Time
	err := s.change(func(list []digest.Subscriber) ([]digest.Subscriber, error) {
		sub, err := find(list, email)
		if err != nil {
			return nil, err
		}
		sub.SoftBounces = append(sub.SoftBounces, at)
		bounces = append([]time.Time(nil), sub.SoftBounces...)
		return list, nil
	})
	return bounces, err
}

func find(list []digest.Subscriber, email string) (*digest.Subscriber, error) {
	key := digest.EmailKey(email)
	for i := range list {
		if list[i].Key() == key {
			return &list[i], nil
		}
	}
	return nil, fmt.Errorf("csv: %s: %w", email, digest.ErrUnknownSubscriber)
}

// read parses the file; a missing file is an empty list.
func (s *Store) read() ([]digest.Subscriber, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("csv subscribers: %w", err)
	}
	subs, bad, err := digest.ParseSubscribers(bytes.NewReader(data), false)
	if err != nil {
		return nil, fmt.Errorf("csv subscribers %s: %w", s.path, err)
	}
	for _, b := range bad {
		s.logger.Warn("subscriber row passed over", "file", s.path, "line", b.Line, "error", b.Error)
	}
	return subs, nil
}

// change runs f on the list under the file's lock and writes the result.
// It refuses to rewrite a file with rows it cannot read, which would
// otherwise be lost.
func (s *Store) change(f func([]digest.Subscriber) ([]digest.Subscriber, error)) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("csv subscribers: %w", err)
	}
	lock, err := os.OpenFile(s.path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("csv subscribers: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("csv subscribers: lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	var list []digest.Subscriber
	if data, err := os.ReadFile(s.path); err == nil {
		subs, bad, err := digest.ParseSubscribers(bytes.NewReader(data), false)
		if err != nil {
			return fmt.Errorf("csv subscribers %s: %w", s.path, err)
		}
		if len(bad) > 0 {
			return fmt.Errorf("csv subscribers %s: line %d: %s; mend the file before changing it", s.path, bad[0].Line, bad[0].Error)
		}
		list = subs
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("csv subscribers: %w", err)
	}
	list, err = f(list)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(digest.SubscriberCSVHeader())
	for _, sub := range list {
		w.Write(sub.CSVRecord())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("csv subscribers: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), "."+strings.TrimSuffix(filepath.Base(s.path), ".csv")+"-*.tmp")
	if err != nil {
		return fmt.Errorf("csv subscribers: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("csv subscribers: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("csv subscribers: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("csv subscribers: %w", err)
	}
	return nil
}
