package digest

import (
	"strings"
	"testing"
	"time"
)

func TestParseSubscribersCSV(t *testing.T) {
	in := "email,name,status,sections,created\n" +
		"ana@example.com,Ana Ruiz,active,politics;sport,2026-01-05\n" +
		"not-an-address,Nobody,active,,\n" +
		"ANA@EXAMPLE.COM,Ana again,,,\n" +
		"bob@example.com,\"Bob, Jr.\",unsubscribed,,2026-02-01T10:00:00Z\n" +
		"zoe@example.com,Zoë,sleeping,,\n" +
		"eve@example.com,\"Eve\r\nBcc: x@example.com\",,,\n" +
		"dan@example.com,Dan,,,yesterday\n" +
		"\n" +
		"\"Ann Other\" <ann@example.com>,,,,\n"
	subs, bad, err := ParseSubscribers(strings.NewReader(in), false)
	if err != nil {
		t.Fatal(err)
	}
	// Eve's quoted name spans two lines, so Dan is on line 9.
	wantBad := map[int]string{3: "not an email address", 4: "repeats the address of line 2", 6: `status "sleeping"`, 9: "created", 11: "extraneous or missing"}
	if len(bad) != len(wantBad) {
		t.Errorf("bad rows %+v, want lines %v", bad, wantBad)
	}
	for _, b := range bad {
		if want := wantBad[b.Line]; want == "" || !strings.Contains(b.Error, want) {
			t.Errorf("line %d: %q, want it to say %q", b.Line, b.Error, want)
		}
	}
	if len(subs) != 3 {
		t.Fatalf("%d subscribers kept: %+v", len(subs), subs)
	}
	ana, bob, eve := subs[0], subs[1], subs[2]
	if ana.Name != "Ana Ruiz" || ana.Status != StatusActive || strings.Join(ana.Sections, ",") != "politics,sport" || ana.Created.Format(time.DateOnly) != "2026-01-05" {
		t.Errorf("ana %+v", ana)
	}
	if bob.Name != "Bob, Jr." || bob.Status != StatusUnsubscribed {
		t.Errorf("bob %+v", bob)
	}
	if eve.Name != "Eve Bcc: x@example.com" {
		t.Errorf("a name with a line break kept as %q", eve.Name)
	}
}

func TestParseSubscribersJSONLines(t *testing.T) {
	in := `{"email":"ana@example.com","name":"Ana","sections":["politics"]}
{"email":42}
not json

{"email":"bob@example.com","status":"complained","created":"2026-03-01"}
`
	subs, bad, err := ParseSubscribers(strings.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 || subs[1].Status != StatusComplained || len(bad) != 2 || bad[0].Line != 2 || bad[1].Line != 3 {
		t.Errorf("subs %+v, bad %+v", subs, bad)
	}
}

func TestMergeImport(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	old := Subscriber{Email: "ana@example.com", Name: "Ana", Status: StatusActive, Created: now.AddDate(0, -1, 0)}
	gone := Subscriber{Email: "bob@example.com", Name: "Bob", Status: StatusUnsubscribed}
	tests := []struct {
		name    string
		old     *Subscriber
		row     Subscriber
		want    ImportOutcome
		status  Status
		newName string
	}{
		{"new reader", nil, Subscriber{Email: "zoe@example.com"}, ImportAdded, StatusActive, ""},
		{"same row again", &old, Subscriber{Email: "ana@example.com", Name: "Ana", Status: StatusActive}, ImportUnchanged, StatusActive, "Ana"},
		{"new name", &old, Subscriber{Email: "ana@example.com", Name: "Ana Ruiz"}, ImportUpdated, StatusActive, "Ana Ruiz"},
		{"the list unsubscribes", &old, Subscriber{Email: "ana@example.com", Status: StatusUnsubscribed}, ImportUpdated, StatusUnsubscribed, "Ana"},
		{"a suppressed reader stays suppressed", &gone, Subscriber{Email: "bob@example.com", Name: "Bob B", Status: StatusActive}, ImportKeptSuppressed, StatusUnsubscribed, "Bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, outcome := MergeImport(tt.old, tt.row, now)
			if outcome != tt.want || got.Status != tt.status || (tt.newName != "" && got.Name != tt.newName) {
				t.Errorf("outcome %d, %+v", outcome, got)
			}
			if tt.old != nil && !got.Created.Equal(tt.old.Created) {
				t.Errorf("created changed to %v", got.Created)
			}
		})
	}
}
