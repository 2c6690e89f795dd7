package digest

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a subscriber stands.
type Status string

// The statuses. Only active subscribers get editions; the suppressed ones
// (unsubscribed, bounced, complained) never come back through an import.
const (
	StatusActive       Status = "active"
	StatusUnsubscribed Status = "unsubscribed"
	StatusBounced      Status = "bounced"
	StatusComplained   Status = "complained"
)

// Suppressed reports whether a status keeps editions away for good.
func (s Status) Suppressed() bool {
	return s == StatusUnsubscribed || s == StatusBounced || s == StatusComplained
}

func (s Status) valid() bool { return s == StatusActive || s.Suppressed() }

// Subscriber is one reader of the newsletter.
type Subscriber struct {
	// Email is the address as given; Key() folds it for comparison.
	Email    string    `json:"email"`
	Name     string    `json:"name,omitempty"`
	Status   Status    `json:"status"`
	Sections []string  `json:"sections,omitempty"`
	Created  time.Time `json:"created,omitzero"`
	// Updated, Reason and SoftBounces are kept by the stores: when the
	// status last changed and why, and the transient bounces on record.
	Updated     time.Time   `json:"updated,omitzero"`
	Reason      string      `json:"reason,omitempty"`
	SoftBounces []time.Time `json:"soft_bounces,omitempty"`
}

// Key is the address folded to lower case: two rows that differ only in
// case are one reader.
func (s Subscriber) Key() string { return EmailKey(s.Email) }

// EmailKey folds an address for comparison and storage keys.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SubscriberLists gives the active subscribers, in batches, so that a list
// of millions never has to sit in memory at once.
type SubscriberLists interface {
	Active(ctx context.Context, batch int, each func([]Subscriber) error) error
}

// ImportReport counts what an import did.
type ImportReport struct {
	Added          int `json:"added"`
	Updated        int `json:"updated"`
	Unchanged      int `json:"unchanged"`
	KeptSuppressed int `json:"kept_suppressed"`
}

// SubscriberImporter loads subscribers idempotently: a row adds or updates
// its reader, but never makes a suppressed reader active again.
type SubscriberImporter interface {
	Import(ctx context.Context, subs []Subscriber) (ImportReport, error)
}

// Suppressor records what takes a reader off the list. Each call is one
// conditional update of one reader, so that two writers never lose each
// other's change.
type Suppressor interface {
	// Suppress sets a suppressing status (unsubscribed, bounced,
	// complained) on a known reader; doing it twice changes nothing.
	Suppress(ctx context.Context, email string, status Status, reason string, at time.Time) error
	// TransientBounce records a soft bounce and returns every soft bounce
	// the reader has on record, this one included.
	TransientBounce(ctx context.Context, email string, at time.Time) ([]time.Time, error)
}

// ErrUnknownSubscriber is wrapped for an address the list does not hold.
var ErrUnknownSubscriber = errors.New("no such subscriber")

// RowError is a row of a subscriber file that could not be used.
type RowError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// maxSubscriberField bounds a name or a section: a mailing list holds no
// essays.
const maxSubscriberField = 200

// ParseSubscribers reads a subscriber list: CSV with a header row naming
// email, name, status, sections (separated by ";") and created, or JSON
// Lines with the same fields. Every address is checked; rows repeating an
// address (in any case) keep the first; each unusable row is reported with
// its line number, and the rest are kept.
func ParseSubscribers(r io.Reader, jsonLines bool) ([]Subscriber, []RowError, error) {
	var subs []Subscriber
	var bad []RowError
	seen := map[string]int{}
	keep := func(line int, s Subscriber) {
		s, err := checkSubscriber(s)
		if err != nil {
			bad = append(bad, RowError{Line: line, Error: err.Error()})
			return
		}
		if first, dup := seen[s.Key()]; dup {
			bad = append(bad, RowError{Line: line, Error: fmt.Sprintf("%s repeats the address of line %d", s.Email, first)})
			return
		}
		seen[s.Key()] = line
		subs = append(subs, s)
	}
	var err error
	if jsonLines {
		err = readJSONLines(r, keep, &bad)
	} else {
		err = readCSV(r, keep, &bad)
	}
	return subs, bad, err
}

func readJSONLines(r io.Reader, keep func(int, Subscriber), bad *[]RowError) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var row struct {
			Email    string   `json:"email"`
			Name     string   `json:"name"`
			Status   string   `json:"status"`
			Sections []string `json:"sections"`
			Created  string   `json:"created"`
		}
		if err := json.Unmarshal([]byte(text), &row); err != nil {
			*bad = append(*bad, RowError{Line: line, Error: "not a JSON object with email, name, status, sections, created: " + err.Error()})
			continue
		}
		s, err := subscriberFrom(row.Email, row.Name, row.Status, row.Sections, row.Created)
		if err != nil {
			*bad = append(*bad, RowError{Line: line, Error: err.Error()})
			continue
		}
		keep(line, s)
	}
	return sc.Err()
}

func readCSV(r io.Reader, keep func(int, Subscriber), bad *[]RowError) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("subscriber file: no header row: %w", err)
	}
	col := map[string]int{}
	for i, name := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))] = i
	}
	if _, ok := col["email"]; !ok {
		return fmt.Errorf("subscriber file: the header %q has no email column", strings.Join(header, ","))
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				*bad = append(*bad, RowError{Line: perr.Line, Error: perr.Err.Error()})
				continue
			}
			return err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		var sections []string
		if s := field(rec, "sections"); s != "" {
			sections = strings.Split(s, ";")
		}
		s, err := subscriberFrom(field(rec, "email"), field(rec, "name"), field(rec, "status"), sections, field(rec, "created"))
		if err == nil {
			err = s.readKept(field(rec, "updated"), field(rec, "reason"), field(rec, "soft_bounces"))
		}
		if err != nil {
			*bad = append(*bad, RowError{Line: line, Error: err.Error()})
			continue
		}
		keep(line, s)
	}
}

func subscriberFrom(email, name, status string, sections []string, created string) (Subscriber, error) {
	s := Subscriber{Email: email, Name: name, Status: Status(strings.ToLower(strings.TrimSpace(status))), Sections: sections}
	if s.Status == "" {
		s.Status = StatusActive
	}
	if created = strings.TrimSpace(created); created != "" {
		t, err := parseCreated(created)
		if err == nil && !storable(t) {
			err = errors.New("out of range")
		}
		if err != nil {
			return Subscriber{}, fmt.Errorf("created %q: want a date (YYYY-MM-DD) or an RFC 3339 time", created)
		}
		s.Created = t
	}
	return s, nil
}

// readKept reads the columns a store keeps beside the list's own.
func (s *Subscriber) readKept(updated, reason, softBounces string) error {
	if updated != "" {
		t, err := time.Parse(time.RFC3339, updated)
		if err != nil || !storable(t) {
			return fmt.Errorf("updated %q: want an RFC 3339 time", updated)
		}
		s.Updated = t
	}
	s.Reason = reason
	for b := range strings.SplitSeq(softBounces, ";") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, b)
		if err != nil || !storable(t) {
			return fmt.Errorf("soft_bounces %q: want RFC 3339 times separated by ;", softBounces)
		}
		s.SoftBounces = append(s.SoftBounces, t)
	}
	return nil
}

// SubscriberCSVHeader is the header of a subscriber file as the stores
// write it: the list's own columns, then what they keep.
func SubscriberCSVHeader() []string {
	return []string{"email", "name", "status", "sections", "created", "updated", "reason", "soft_bounces"}
}

// CSVRecord is the subscriber as a row under SubscriberCSVHeader.
func (s Subscriber) CSVRecord() []string {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	bounces := make([]string, len(s.SoftBounces))
	for i, b := range s.SoftBounces {
		bounces[i] = stamp(b)
	}
	return []string{s.Email, s.Name, string(s.Status), strings.Join(s.Sections, ";"), stamp(s.Created),
		stamp(s.Updated), s.Reason, strings.Join(bounces, ";")}
}

// storable reports a time the stores can write and read back: RFC 3339 in
// UTC has four-digit years ("0000-01-01T00:00:00+01:00" is the year -1).
func storable(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

func parseCreated(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(time.DateOnly, s)
}

// maxAddress is the longest address mail can be sent to (RFC 5321).
const maxAddress = 254

// isListAddress reports whether s is an address the list can hold: one
// net/mail reads as itself, without a name, of at most maxAddress bytes,
// and without the control or bidirectional characters that net/mail lets
// through in the non-ASCII part of an address (RFC 6532).
func isListAddress(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > maxAddress || strings.ContainsFunc(s, func(r rune) bool { return isControl(r) || dropFieldControl(r) != r }) {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Name == "" && addr.Address == s
}

// checkSubscriber validates and cleans one row.
func checkSubscriber(s Subscriber) (Subscriber, error) {
	if !isListAddress(s.Email) {
		return Subscriber{}, fmt.Errorf("%q is not an email address", truncate(s.Email, 80))
	}
	s.Email = strings.TrimSpace(s.Email)
	if !s.Status.valid() {
		return Subscriber{}, fmt.Errorf("status %q: want active, unsubscribed, bounced or complained", s.Status)
	}
	s.Name = headerSafe(s.Name)
	if !utf8.ValidString(s.Name) || utf8.RuneCountInString(s.Name) > maxSubscriberField {
		return Subscriber{}, fmt.Errorf("name of %s: invalid or over %d characters", s.Email, maxSubscriberField)
	}
	// A ";" separates sections in a JSON Lines row as in the CSV column,
	// where the stores write them joined by it.
	var sections []string
	for _, secs := range s.Sections {
		for sec := range strings.SplitSeq(secs, ";") {
			sec = strings.ToLower(headerSafe(sec))
			if sec != "" && utf8.RuneCountInString(sec) <= maxSubscriberField && !slices.Contains(sections, sec) {
				sections = append(sections, sec)
			}
		}
	}
	s.Sections = sections
	return s, nil
}

// ImportOutcome is what an import did to one reader.
type ImportOutcome int

// The outcomes of importing one row.
const (
	ImportAdded ImportOutcome = iota
	ImportUpdated
	ImportUnchanged
	ImportKeptSuppressed
)

// Count adds one outcome to the report.
func (r *ImportReport) Count(o ImportOutcome) {
	switch o {
	case ImportAdded:
		r.Added++
	case ImportUpdated:
		r.Updated++
	case ImportUnchanged:
		r.Unchanged++
	case ImportKeptSuppressed:
		r.KeptSuppressed++
	}
}

// MergeImport applies an imported row to the reader on record (nil for a
// new one), the rule every store follows: a new address is added; a row
// updates the name and sections; a row may suppress an active reader but
// never brings a suppressed one back.
func MergeImport(old *Subscriber, row Subscriber, now time.Time) (Subscriber, ImportOutcome) {
	if row.Status == "" {
		row.Status = StatusActive
	}
	if old == nil {
		if row.Created.IsZero() {
			row.Created = now
		}
		row.Updated = now
		if row.Status.Suppressed() && row.Reason == "" {
			row.Reason = "imported as " + string(row.Status)
		}
		return row, ImportAdded
	}
	merged := *old
	if old.Status.Suppressed() && !row.Status.Suppressed() {
		return merged, ImportKeptSuppressed
	}
	changed := false
	if row.Name != "" && row.Name != old.Name {
		merged.Name, changed = row.Name, true
	}
	if len(row.Sections) > 0 && !slices.Equal(row.Sections, old.Sections) {
		merged.Sections, changed = row.Sections, true
	}
	if row.Status != old.Status {
		merged.Status, merged.Reason, changed = row.Status, "imported as "+string(row.Status), true
	}
	if !changed {
		return merged, ImportUnchanged
	}
	merged.Updated = now
	return merged, ImportUpdated
}
