package digest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// parseFixture parses testdata/articles/NAME with the fixtures as its
// corpus, as `newsdigest parse` does with the files it is given.
func parseFixture(t *testing.T, name string) (Article, error) {
	t.Helper()
	paths, err := filepath.Glob("testdata/articles/*")
	if err != nil {
		t.Fatal(err)
	}
	corpus := NewHeadlines()
	var target Article
	var targetErr error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Parse(p, data)
		if filepath.Base(p) == name {
			target, targetErr = a, err
		}
		if err == nil {
			corpus.AddArticle(&a)
		}
	}
	if targetErr == nil {
		articles := []Article{target}
		ResolveRelated(articles, corpus)
		target = articles[0]
	}
	return target, targetErr
}

// TestParseSeed checks the scraper's sample article read exactly as the
// ingest issue lists it. The sample is not shipped; the test runs where the
// shared folder is beside the checkout.
func TestParseSeed(t *testing.T) {
	const seed = "../../shared/seeds/000_87aaaeda726fb78b.txt"
	data, err := os.ReadFile(seed)
	if err != nil {
		t.Skip("seed article not present: ", err)
	}
	a, err := Parse(seed, data)
	if err != nil {
		t.Fatal(err)
	}
	articles := []Article{a}
	corpus := NewHeadlines()
	corpus.AddArticle(&articles[0])
	ResolveRelated(articles, corpus)
	a = articles[0]

	if got, want := a.Title, "NATO Chief Rutte makes first visit to Turkey since taking office"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if !strings.HasPrefix(a.Dek, "NATO Secretary General Rutte has met with Turkish President Erdoğan,") {
		t.Errorf("dek = %q", a.Dek)
	}
	if got, want := a.Source, "Duvar English"; got != want {
		t.Errorf("source = %q, want %q", got, want)
	}
	if got, want := len(a.Paragraphs), 7; got != want {
		t.Fatalf("%d paragraphs, want %d", got, want)
	}
	if !strings.HasPrefix(a.Paragraphs[0], "NATO Secretary General Mark Rutte on Nov. 25") {
		t.Errorf("first paragraph = %q", a.Paragraphs[0])
	}
	want := []string{
		"Man discovers massive Roman mosaic floor while gardening",
		"Turkish man dies by suicide after murdering two women on same day",
		"Turkey's stray dogs rehomed abroad following new street clearance law",
		"Women in Turkey take to streets over brutal femicides",
		"5 defendants receive aggravated life sentences for Sinan Ateş's murder",
		"Minimum pension increased to $377, still $200 below hunger threshold",
	}
	if got := titlesOf(a.Related); !slices.Equal(got, want) {
		t.Errorf("related =\n%q\nwant\n%q", got, want)
	}
	if got, want := a.ID, "87aaaeda726fb78b"; got != want {
		t.Errorf("id = %q, want %q", got, want)
	}
	if a.Rank == nil || *a.Rank != 0 {
		t.Errorf("rank = %v, want 0", a.Rank)
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		file       string
		title      string
		source     string
		dekPrefix  string
		paragraphs int
		lastPara   string // the final body paragraph's start
		related    []string
		warnings   []string
	}{
		{
			file:       "004_5be1c0a93d2e7f41.txt",
			title:      "Harbour board backs night ferry to Skerry Island despite fuel worries",
			source:     "Harbour Ledger",
			dekPrefix:  "The Port Alder harbour board has voted 7–2",
			paragraphs: 7,
			lastPara:   "The board also agreed to seek a grant",
			related: []string{
				"Skerry Island school wins national science prize",
				"Port Alder council freezes parking charges for 2027",
				"Fisherman rescued after 14 hours clinging to hull",
				"3 arrested over copper cable thefts on coast line",
				"Storm Imelda: ferries cancelled, roads closed across the north",
				"Minimum wage rises to £12.60, unions say not enough",
			},
		},
		{
			// The last block is prose ending in a full stop: body, not related.
			file:       "011_c3d94e0b7a1f2286.txt",
			title:      "Library opening hours cut as council seeks savings",
			source:     "Harbour Ledger",
			dekPrefix:  "Port Alder's four branch libraries",
			paragraphs: 4,
			lastPara:   "Campaigners said the cut would fall hardest",
		},
		{
			file:       "013_crlf.txt",
			title:      "Port Alder lifeboat called out twice in one night",
			source:     "Harbour Ledger",
			dekPrefix:  "The volunteer crew rescued",
			paragraphs: 2,
			lastPara:   "First, two kayakers",
			related:    []string{"Lifeboat station plans open day", "Coastguard warns of spring tides"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := parseFixture(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Format != FormatText {
				t.Errorf("format = %q, want text", a.Format)
			}
			if a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			if a.Source != tt.source {
				t.Errorf("source = %q, want %q", a.Source, tt.source)
			}
			if !strings.HasPrefix(a.Dek, tt.dekPrefix) {
				t.Errorf("dek = %q, want it to start %q", a.Dek, tt.dekPrefix)
			}
			if len(a.Paragraphs) != tt.paragraphs {
				t.Fatalf("%d paragraphs, want %d: %q", len(a.Paragraphs), tt.paragraphs, a.Paragraphs)
			}
			if last := a.Paragraphs[len(a.Paragraphs)-1]; !strings.HasPrefix(last, tt.lastPara) {
				t.Errorf("last paragraph = %q, want it to start %q", last, tt.lastPara)
			}
			if got := titlesOf(a.Related); !slices.Equal(got, tt.related) && (len(got) > 0 || len(tt.related) > 0) {
				t.Errorf("related =\n%q\nwant\n%q", got, tt.related)
			}
		})
	}
}

func TestParseTextLinksRelatedToCorpus(t *testing.T) {
	a, err := parseFixture(t, "004_5be1c0a93d2e7f41.txt")
	if err != nil {
		t.Fatal(err)
	}
	// "Skerry Island school wins national science prize" is 021_paragraphs.json.
	if got, want := a.Related[0], (Related{Title: "Skerry Island school wins national science prize", ID: "4417"}); got != want {
		t.Errorf("related[0] = %+v, want %+v", got, want)
	}
	for _, r := range a.Related[1:] {
		if r.ID != "" || r.URL != "" {
			t.Errorf("%q linked to %q %q, but the corpus does not hold it", r.Title, r.ID, r.URL)
		}
	}
}

func TestParseJSON(t *testing.T) {
	a, err := parseFixture(t, "020_civicwire.json")
	if err != nil {
		t.Fatal(err)
	}
	want := Article{
		ID: "cw-20261125-tram", Format: FormatJSON,
		Title:     "Council approves £240m tram line after eight-hour debate",
		Dek:       "The Eastside line will link the station to the hospital by 2030.",
		Source:    "Civic Wire",
		URL:       "https://civicwire.example/local/council-approves-tram-line",
		Published: time.Date(2026, 11, 25, 19, 42, 0, 0, time.UTC),
		Section:   "local",
		Paragraphs: []string{
			"Port Alder council voted 31 to 18 on Tuesday night to build a £240 million tram line.",
			"The line will run 9.4 km from the central station to Port Alder General hospital.",
			"Construction is due to start in 2027.",
		},
		Related: []Related{
			{Title: "Harbour board backs night ferry to Skerry Island despite fuel worries",
				URL: "https://civicwire.example/local/night-ferry", ID: "5be1c0a93d2e7f41"},
			{Title: "Bus fares frozen for a second year", ID: "41a0d1e0c81c0d0f"},
		},
		Image: "https://civicwire.example/img/tram.jpg",
	}
	// The Markdown fixture without front matter has no id of its own: its id
	// is derived from its path.
	want.Related[1].ID = a.Related[1].ID
	if a.Related[1].ID == "" {
		t.Error("related 'Bus fares frozen for a second year' not linked to the Markdown fixture")
	}
	a.Key, a.Rank = "", nil
	if diff := compareArticles(a, want); diff != "" {
		t.Error(diff)
	}
}

func TestParseJSONRepairs(t *testing.T) {
	a, err := parseFixture(t, "021_paragraphs.json")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "4417" {
		t.Errorf("numeric id read as %q, want 4417", a.ID)
	}
	if a.URL != "" {
		t.Errorf("javascript: URL kept as %q", a.URL)
	}
	if !a.Published.IsZero() {
		t.Errorf("published = %v from an unreadable date", a.Published)
	}
	for _, w := range []string{`url "javascript:alert(1)" dropped`, `published time "25 November" not understood`} {
		if !containsSubstring(a.Warnings, w) {
			t.Errorf("warnings %q lack %q", a.Warnings, w)
		}
	}
}

func TestParseHTML(t *testing.T) {
	a, err := parseFixture(t, "030_northgate.html")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ field, got, want string }{
		{"title", a.Title, "Tram line approved after marathon debate"},
		{"dek", a.Dek, "Councillors back the £240m Eastside line by 31 votes to 18."},
		{"source", a.Source, "Northgate Post"},
		{"url", a.URL, "https://northgatepost.example/news/2026/11/25/tram-line-approved"},
		{"section", a.Section, "local"},
		{"image", a.Image, "https://northgatepost.example/img/tram-line.jpg"},
		{"published", a.Published.Format(time.RFC3339), "2026-11-25T21:05:00Z"},
		{"first paragraph", a.Paragraphs[0], "After eight hours of debate, Port Alder councillors on Tuesday night approved the Eastside tram line, the city’s biggest transport project in half a century."},
		{"last paragraph", a.Paragraphs[len(a.Paragraphs)-1], "Council leader Maud Ferrier said the line would pay for itself within 30 years. Work is due to start in spring 2027."},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if len(a.Paragraphs) != 4 {
		t.Errorf("%d paragraphs, want the article's 4 (no navigation, cookie banner, ads or footer): %q", len(a.Paragraphs), a.Paragraphs)
	}
	wantRelated := []Related{
		{Title: "What the tram vote means for your commute", URL: "https://northgatepost.example/news/2026/11/24/tram-vote-preview"},
		{Title: "Bus fares frozen for a second year", URL: "https://northgatepost.example/news/2026/11/20/bus-fares", ID: a.Related[1].ID},
	}
	if !slices.Equal(a.Related, wantRelated) {
		t.Errorf("related = %+v, want %+v", a.Related, wantRelated)
	}
}

func TestParseMarkdown(t *testing.T) {
	tests := []struct {
		file       string
		title      string
		paragraphs []string
		related    []string
		url        string
	}{
		{
			file:  "040_lakeside.md",
			title: "Tram line gets the green light: what happens next",
			paragraphs: []string{
				"Port Alder's Eastside tram line was approved on Tuesday night after an eight-hour council debate, by 31 votes to 18.",
				"The line will run from the central station to the hospital, with nine stops in between.",
				"Construction of the depot is expected to start in spring 2027, with the first trams carrying passengers in 2030.",
			},
			related: []string{"Bus fares frozen for a second year", "Skerry Island school wins national science prize"},
			url:     "https://lakesidecourier.example/2026/11/25/tram-green-light",
		},
		{
			file:  "041_no_frontmatter.md",
			title: "Bus fares frozen for a second year",
			paragraphs: []string{
				"The regional transport authority has frozen single bus fares at £2 until the end of 2027.",
				"The freeze will cost the authority £3.1 million, paid from its reserves.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := parseFixture(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			if !slices.Equal(a.Paragraphs, tt.paragraphs) {
				t.Errorf("paragraphs =\n%q\nwant\n%q", a.Paragraphs, tt.paragraphs)
			}
			if got := titlesOf(a.Related); !slices.Equal(got, tt.related) {
				t.Errorf("related = %q, want %q", got, tt.related)
			}
			if a.URL != tt.url {
				t.Errorf("url = %q, want %q", a.URL, tt.url)
			}
		})
	}
}

// TestParseDamage feeds damaged files: each must become a clean article or
// a clear reason, never a panic.
func TestParseDamage(t *testing.T) {
	article := "Ferry timetable changes from Monday\n\nNew times for winter.\n\nHarbour Ledger\n\nThe first boat will leave at 7.10am.\n\nThe last will leave at 6.40pm.\n"
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	tests := []struct {
		name, file string
		data       []byte
		wantErr    string // substring of the reason; "" for a clean article
		wantTitle  string
		wantWarn   string
	}{
		{name: "empty", file: "a.txt", data: nil, wantErr: "empty file"},
		{name: "blank lines only", file: "a.txt", data: []byte("\n \n\t\n"), wantErr: "empty file"},
		{name: "binary", file: "a.txt", data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), wantErr: "binary"},
		{name: "title only", file: "a.txt", data: []byte("Council meeting postponed\n"), wantErr: "title only"},
		{name: "title too long", file: "a.txt", data: []byte(strings.Repeat("word ", 2000) + "\n\nbody.\n"), wantErr: "title is 9999 characters long"},
		{name: "byte-order mark", file: "a.txt", data: append([]byte{0xEF, 0xBB, 0xBF}, article...),
			wantTitle: "Ferry timetable changes from Monday", wantWarn: "byte-order mark removed"},
		{name: "CRLF", file: "a.txt", data: []byte(strings.ReplaceAll(article, "\n", "\r\n")),
			wantTitle: "Ferry timetable changes from Monday"},
		{name: "old Mac CR", file: "a.txt", data: []byte(strings.ReplaceAll(article, "\n", "\r")),
			wantTitle: "Ferry timetable changes from Monday"},
		{name: "Latin-1 bytes", file: "a.txt", data: []byte("Caf\xe9 owners fight rent rise\n\nDek.\n\nHarbour Ledger\n\nThe caf\xe9 opened in 1962.\n"),
			wantTitle: "Café owners fight rent rise", wantWarn: "invalid UTF-8 repaired: 2 bytes"},
		{name: "UTF-16", file: "a.txt", data: utf16le(article),
			wantTitle: "Ferry timetable changes from Monday", wantWarn: "decoded from UTF-16"},
		{name: "control characters in title", file: "a.txt", data: []byte("Ferry\x07 times\x1b[31m change\n\nDek.\n\nHarbour Ledger\n\nBody.\n"),
			wantTitle: "Ferry times[31m change"},
		{name: "markup and entities left by a scraper", file: "a.json",
			data:      []byte(`{"title": "Caf&eacute; owners <b>fight</b> rent&nbsp;rise &amp; win", "body": "The caf&#233; opened in 1962.<br/>"}`),
			wantTitle: "Café owners fight rent rise & win"},
		{name: "no outlet line", file: "a.txt", data: []byte("Ferry times change\n\nNew times for winter from Monday, the operator said.\n\nThe first boat leaves at 7.10am, the company said.\n"),
			wantTitle: "Ferry times change", wantWarn: "no outlet name line"},
		{name: "JSON array", file: "a.json", data: []byte(`[{"title":"x"}]`), wantErr: "want one JSON object, got array"},
		{name: "JSON wrong type", file: "a.json", data: []byte(`{"title": 12, "body": "x"}`), wantErr: `field "title": want a string, got number`},
		{name: "JSON syntax", file: "a.json", data: []byte("{\n\"title\": \"x\",\n}"), wantErr: "invalid JSON at line 3"},
		{name: "JSON no body", file: "a.json", data: []byte(`{"title": "Ferry times change"}`), wantErr: "title only"},
		{name: "Markdown front matter unclosed", file: "a.md", data: []byte("---\ntitle: x\n\nbody\n"), wantErr: "never closed"},
		{name: "Markdown front matter wrong type", file: "a.md", data: []byte("---\ntitle: [a, b]\n---\n\nBody.\n"), wantErr: "front matter"},
		{name: "HTML without text", file: "a.html", data: []byte("<html><head><title>x</title></head><body></body></html>"), wantErr: "html:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse(tt.file, tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.wantTitle {
				t.Errorf("title = %q, want %q", a.Title, tt.wantTitle)
			}
			if tt.wantWarn != "" && !containsSubstring(a.Warnings, tt.wantWarn) {
				t.Errorf("warnings %q lack %q", a.Warnings, tt.wantWarn)
			}
			if len(a.Paragraphs) == 0 {
				t.Error("no paragraphs")
			}
		})
	}
}

func TestFormatSniffing(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Format
	}{
		{"json", "  {\"title\": \"Ferry\", \"body\": \"Text.\"}", FormatJSON},
		{"html", "<!DOCTYPE html><html><head><meta property=\"og:title\" content=\"Ferry\"></head><body><article><p>Text of the article goes here.</p></article></body></html>", FormatHTML},
		{"markdown", "---\ntitle: Ferry\n---\n\nText.\n", FormatMarkdown},
		{"text", "Ferry\n\nDek.\n\nHarbour Ledger\n\nText.\n", FormatText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatOf("2026/11/25/000_x.dat", tt.data); got != tt.want {
				t.Errorf("format = %q, want %q", got, tt.want)
			}
			if _, err := Parse("2026/11/25/000_x", []byte(tt.data)); err != nil {
				t.Errorf("parse as sniffed %s: %v", tt.want, err)
			}
		})
	}
}

func TestIsRelatedRun(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"Council delays vote on bus lanes Bakery chain Ovenly files for bankruptcy", true},
		{"Is the city ready for winter? Council votes on grit budget", true},
		{"U.S. Navy ship docks in Port Alder Acme Corp. shares fall", true},
		{"The trial will be reviewed after six months.", false},
		{"The council said it would appeal. A ruling is expected in May", false},
		{"Reporting by Ana Ruiz; editing by Tom Hale", false},
		{"More to follow", false},
		{"Correction: an earlier version gave the wrong date", false},
	}
	for _, tt := range tests {
		if got := isRelatedRun(tt.line); got != tt.want {
			t.Errorf("isRelatedRun(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// compareArticles shows both articles when they differ.
func compareArticles(got, want Article) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	return fmt.Sprintf("got\n%s\nwant\n%s", g, w)
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain words here", "plain words here"},
		{"  padded  ", "padded"},
		{"two  spaces", "two spaces"},
		{"line\nbreak\ttab", "line break tab"},
		{"no\u00a0break space", "no break space"},
		{"Zoë’s café — naïve", "Zoë’s café — naïve"},
		{"line\u2028separator", "line separator"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
