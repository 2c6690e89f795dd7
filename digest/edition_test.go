package digest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// article makes a small article for edition tests: its words say which
// event it reports.
func article(id, source, section string, rank int, title string, words ...string) Article {
	r := rank
	body := strings.Join(words, " ")
	return Article{
		ID: id, Key: "2026/11/25/" + id + ".txt", Source: source, Section: section, Rank: &r, Title: title,
		URL:        "https://" + strings.ToLower(strings.ReplaceAll(source, " ", "")) + ".example/" + id,
		Paragraphs: []string{body + ".", "More detail on " + body + " followed in the afternoon."},
	}
}

// testDay is a day of five events: a tram vote three outlets reported, a
// data breach two did, and three single reports, two of them sport.
func testDay() Day {
	return Day{Date: Date{2026, 11, 25}, Articles: []Article{
		article("tram-a", "Harbour Ledger", "local", 0, "Norwich councillors back £412m tram line", "Norwich councillors voted for the £412m Eastside tram line on Tuesday after a six-hour debate at City Hall, with leader Maud Ferrier"),
		article("tram-b", "Civic Wire", "local", 1, "Norwich approves Eastside tram line", "The £412m Eastside tram line in Norwich was approved by councillors at City Hall on Tuesday, leader Maud Ferrier said after the debate"),
		article("tram-c", "Northgate Post", "", 2, "Tram line for Norwich wins approval", "Norwich will get its £412m Eastside tram line: City Hall councillors under leader Maud Ferrier approved it on Tuesday"),
		article("breach-a", "Harbour Ledger", "business", 1, "Calder Mutual says hackers took data of 1.2 million customers", "Calder Mutual said hackers accessed names and account numbers of 1.2 million customers through supplier Ferrowyn Systems"),
		article("breach-b", "Civic Wire", "business", 0, "Calder Mutual breach hits 1.2 million", "Hackers reached the data of 1.2 million Calder Mutual customers via its supplier Ferrowyn Systems, the lender said"),
		article("cup", "Civic Wire", "sport", 2, "Kestrel Town sell out Northern Shield final", "Kestrel Town sold all 18,000 tickets for the Northern Shield final at Hallam Park within four hours"),
		article("coach", "Harbour Ledger", "sport", 2, "Wexley Harriers name Tomás Quigley head coach", "Wexley Harriers appointed Tomás Quigley as head coach on a three-year contract at Brockwell Lane"),
		article("swans", "Lakeside Courier", "science", 0, "Record 612 whooper swans counted on Fellmere reedbeds", "Volunteers counted 612 whooper swans at the Fellmere reedbeds, the highest number since records began in 1988"),
	}}
}

func newTestBuilder(maxStories int) *Builder {
	return NewBuilder(BuildConfig{MaxStories: maxStories, ArchiveBaseURL: "https://digest.example/archive"}, discard())
}

func TestBuildFoldsEachEventIntoOneStory(t *testing.T) {
	e := newTestBuilder(10).Build(testDay(), Editorial{})
	got := map[string][]string{}
	for _, s := range append(slices.Clone(e.Stories), e.RunnersUp...) {
		ids := []string{s.ID}
		for _, a := range s.Also {
			ids = append(ids, a.ID)
		}
		slices.Sort(ids)
		got[strings.Split(s.ID, "-")[0]] = ids
	}
	want := map[string][]string{
		"tram":   {"tram-a", "tram-b", "tram-c"},
		"breach": {"breach-a", "breach-b"},
		"cup":    {"cup"}, "coach": {"coach"}, "swans": {"swans"},
	}
	for event, ids := range want {
		if !slices.Equal(got[event], ids) {
			t.Errorf("%s: story of %v, want %v", event, got[event], ids)
		}
	}
	if len(e.Stories) != 5 {
		t.Errorf("%d stories, want the day's 5 events", len(e.Stories))
	}
	if e.Stories[0].ID[:4] != "tram" || e.Stories[1].ID[:6] != "breach" {
		t.Errorf("order %q, want the three-outlet tram vote first and the two-outlet breach second", titles(e.Stories))
	}
}

// TestBuildAccountsForEveryArticle: each article of the day is a story, an
// "also" of one, a runner-up (or its "also"), or skipped: once.
func TestBuildAccountsForEveryArticle(t *testing.T) {
	day := testDay()
	day.Skipped = []Skipped{{Key: "2026/11/25/broken.txt", Error: "binary content, not text"}}
	for _, max := range []int{1, 3, 10} {
		e := newTestBuilder(max).Build(day, Editorial{})
		seen := map[string]int{}
		for _, s := range append(slices.Clone(e.Stories), e.RunnersUp...) {
			seen[s.ID]++
			for _, a := range s.Also {
				seen[a.ID]++
			}
		}
		for _, a := range day.Articles {
			if seen[a.ID] != 1 {
				t.Errorf("max %d: article %s accounted for %d times", max, a.ID, seen[a.ID])
			}
		}
		if len(e.Skipped) != 1 || len(e.Stories) != min(max, 5) {
			t.Errorf("max %d: %d stories, %d skipped", max, len(e.Stories), len(e.Skipped))
		}
		for _, s := range e.RunnersUp {
			if s.Why == "" || s.Score <= 0 {
				t.Errorf("runner-up %s without score or reason: %+v", s.ID, s)
			}
		}
	}
}

func TestBuildKeepsSectionsToHalf(t *testing.T) {
	day := Day{Date: Date{2026, 11, 25}}
	topics := []string{"Ferreyra Hallam", "Quigley Brockwell", "Mabunda Ashbourne", "Okafor Wexley", "Lindqvist Humber", "Vandermolen Fennick"}
	for i, topic := range topics {
		section := "sport"
		if i >= 4 {
			section = "culture"
		}
		day.Articles = append(day.Articles, article(fmt.Sprintf("s%d", i), "Civic Wire", section, i, "Story about "+topic, topic+" did something notable", fmt.Sprint(i*137)))
	}
	tests := []struct {
		name       string
		max        int
		wantSport  int
		wantLeftAt string // a runner-up's reason
	}{
		{"other sections available", 4, 2, "left out to keep sport to half the edition"},
		{"nothing else to fill with", 6, 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestBuilder(tt.max).Build(day, Editorial{})
			sport := 0
			for _, s := range e.Stories {
				if s.Section == "sport" {
					sport++
				}
			}
			if sport != tt.wantSport || len(e.Stories) != tt.max {
				t.Errorf("%d stories, %d of them sport; want %d and %d", len(e.Stories), sport, tt.max, tt.wantSport)
			}
			if tt.wantLeftAt != "" && !slices.ContainsFunc(e.RunnersUp, func(s Story) bool { return strings.Contains(s.Why, tt.wantLeftAt) }) {
				t.Errorf("no runner-up says %q: %v", tt.wantLeftAt, whys(e.RunnersUp))
			}
		})
	}
}

func TestBuildFollowsTheEditor(t *testing.T) {
	ed := Editorial{
		Pin:           []string{"swans", "2026/11/25/coach.txt"},
		Drop:          []string{"https://civicwire.example/breach-b", "no-such-id"},
		Subject:       "Swans, a coach and a tram",
		Intro:         "Good morning from the desk.",
		MaxStories:    3,
		PreferSources: []string{"Northgate Post"},
	}
	e := newTestBuilder(10).Build(testDay(), ed)
	if got, want := ids(e.Stories), []string{"swans", "coach", "tram-c"}; !slices.Equal(got, want) {
		t.Errorf("stories %v, want the pins in order, then the tram vote led by the preferred outlet: %v", got, want)
	}
	if !e.Stories[0].Pinned || !strings.HasPrefix(e.Stories[0].Why, "Pinned by the editor.") {
		t.Errorf("first story not explained as pinned: %+v", e.Stories[0])
	}
	if e.Subject != ed.Subject || e.Intro != ed.Intro {
		t.Errorf("subject %q intro %q, want the editor's", e.Subject, e.Intro)
	}
	dropped := slices.IndexFunc(e.RunnersUp, func(s Story) bool { return strings.HasPrefix(s.ID, "breach") })
	if dropped < 0 || e.RunnersUp[dropped].Why != "Dropped by the editor." {
		t.Errorf("the breach story (dropped through its other article's URL) is not a dropped runner-up: %v", whys(e.RunnersUp))
	}
	if !slices.ContainsFunc(e.Notes, func(n string) bool { return strings.Contains(n, `drop "no-such-id"`) }) {
		t.Errorf("notes %q do not mention the unknown id", e.Notes)
	}
}

func TestParseEditorial(t *testing.T) {
	tests := []struct {
		name, json, wantErr string
	}{
		{"full", `{"pin":["a"],"drop":["b"],"subject":"S","intro":"I","max_stories":5,"prefer_sources":["Civic Wire"]}`, ""},
		{"empty object", `{}`, ""},
		{"misspelt field", `{"pins":["a"]}`, `unknown field "pins"`},
		{"wrong type", `{"max_stories":"five"}`, `field "max_stories": want an object, got string`},
		{"too many stories", `{"max_stories":500}`, "max_stories 500: want 1 to 50"},
		{"header injection", `{"subject":"Hi\r\nBcc: victim@example.com"}`, "line breaks and control characters"},
		{"pinned and dropped", `{"pin":["a"],"drop":["a"]}`, `"a" is both pinned and dropped`},
		{"not JSON", `pin: a`, "invalid JSON"},
		{"two values", `{} {}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEditorial([]byte(tt.json))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSubjectLine(t *testing.T) {
	long := strings.Repeat("Councillors approve ", 8) + "tram"
	tests := []struct {
		name    string
		stories []Story
		want    string
	}{
		{"several", []Story{{Title: "NATO chief Rutte makes first visit to Turkey"}, {}, {}}, "Nov 26: NATO chief Rutte makes first visit to Turkey — and 2 more"},
		{"one", []Story{{Title: "Tram approved"}}, "Nov 26: Tram approved"},
		{"none", nil, "Nov 26: no stories today"},
		{"long title cut at a word", []Story{{Title: long}, {}}, "Nov 26: Councillors approve Councillors approve Councillors… — and 1 more"},
		{"line break in a title", []Story{{Title: "Tram\r\nBcc: x@example.com"}}, "Nov 26: Tram Bcc: x@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := subjectLine(Date{2026, 11, 26}, tt.stories)
			if got != tt.want {
				t.Errorf("subject %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > maxSubjectRunes {
				t.Errorf("subject of %d characters", n)
			}
		})
	}
}

func TestRelatedLinks(t *testing.T) {
	day := testDay()
	tram := &day.Articles[0]
	tram.Related = []Related{
		{Title: "Calder Mutual breach hits 1.2 million", ID: "breach-b"},                        // in the edition: not linked again
		{Title: "Bus fares frozen for a second year", URL: "https://harbourledger.example/bus"}, // resolved by the outlet
		{Title: "Council delays bin collection changes"},                                        // unresolved: dropped
		{Title: "Record 612 whooper swans counted on Fellmere reedbeds", ID: "swans"},           // a runner-up today
	}
	e := newTestBuilder(2).Build(day, Editorial{})
	story := e.Stories[0]
	if !strings.HasPrefix(story.ID, "tram") {
		t.Fatalf("top story %s, want the tram vote", story.ID)
	}
	var got []string
	for _, r := range story.Related {
		if r.URL == "" || !strings.HasPrefix(r.URL, "https://") {
			t.Errorf("related %q without a working link %q", r.Title, r.URL)
		}
		got = append(got, r.Title)
	}
	if !slices.Contains(got, "Bus fares frozen for a second year") || !slices.Contains(got, "Record 612 whooper swans counted on Fellmere reedbeds") {
		t.Errorf("related %q lack the resolved headlines", got)
	}
	for _, title := range []string{"Calder Mutual breach hits 1.2 million", "Council delays bin collection changes"} {
		if slices.Contains(got, title) {
			t.Errorf("related %q include %q", got, title)
		}
	}
}

func TestStoryWithoutURLLinksToArchive(t *testing.T) {
	day := testDay()
	day.Articles = day.Articles[7:] // the swans only
	day.Articles[0].URL = ""
	e := newTestBuilder(5).Build(day, Editorial{})
	if got, want := e.Stories[0].URL, "https://digest.example/archive/2026-11-25/#story-swans"; got != want {
		t.Errorf("url %q, want %q", got, want)
	}
}

func TestScoreExplainsRecency(t *testing.T) {
	day := testDay()
	day.Articles = day.Articles[5:7] // two single sport stories, same rank
	day.Articles[0].Published = time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	day.Articles[1].Published = time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	e := newTestBuilder(5).Build(day, Editorial{})
	if e.Stories[0].ID != "cup" || !strings.Contains(e.Stories[0].Why, "latest report 22:00 UTC") {
		t.Errorf("the later report should lead and say when: %v", whys(e.Stories))
	}
}

func ids(stories []Story) []string {
	out := make([]string, len(stories))
	for i, s := range stories {
		out[i] = s.ID
	}
	return out
}

func titles(stories []Story) []string {
	out := make([]string, len(stories))
	for i, s := range stories {
		out[i] = s.Title
	}
	return out
}

func whys(stories []Story) []string {
	out := make([]string, len(stories))
	for i, s := range stories {
		out[i] = s.ID + ": " + s.Why
	}
	return out
}

func TestPreheader(t *testing.T) {
	stories := []Story{
		{Title: "Tram approved", Lead: "Norwich councillors approved the £412m Eastside tram line on Tuesday night after a six-hour debate that ran past midnight. Work starts in 2027."},
		{Title: "Calder Mutual breach hits 1.2 million customers"},
		{Title: "Kestrel Town\r\nsell out the final"},
		{Title: "Not in the preheader"},
	}
	got := preheader(stories)
	if n := utf8.RuneCountInString(got); n > maxPreheaderRunes {
		t.Errorf("preheader of %d characters: %q", n, got)
	}
	if strings.ContainsAny(got, "\r\n") {
		t.Errorf("line break in preheader %q", got)
	}
	for _, want := range []string{"Norwich councillors approved", "Also: Calder Mutual breach", "; Kestrel Town"} {
		if !strings.Contains(got, want) {
			t.Errorf("preheader %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "Work starts") || strings.Contains(got, "Not in the preheader") {
		t.Errorf("preheader %q holds more than the first sentence and two titles", got)
	}
}

func TestWhyAfterPinnedStories(t *testing.T) {
	e := newTestBuilder(3).Build(testDay(), Editorial{Pin: []string{"swans"}})
	if got := e.Stories[1].Why; !strings.Contains(got, "2nd: the highest score") || !strings.Contains(got, "after the editor's pinned stories") {
		t.Errorf("second story's reason %q", got)
	}
}
