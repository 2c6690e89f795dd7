package hermes

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/digest"
)

func testConfig() Config {
	return Config{ProductName: "The Harbour Digest", SiteURL: "https://digest.example", PostalAddress: "Harbour Digest Ltd, 4 Quay Street, Port Alder PA1 2QS"}
}

func testRecipient() digest.Personal {
	return digest.Personal{Name: "Ana", UnsubscribeURL: "https://digest.example/u?t=abc&l=daily", ViewURL: "https://digest.example/archive/2026-11-26/"}
}

// hostileEdition holds article text that must reach the reader as text:
// markup, entities, quotes, emoji, right-to-left script, a long word.
func hostileEdition() digest.Edition {
	long := strings.Repeat("Donaudampfschifffahrtsgesellschaftskapitän", 4)
	return digest.Edition{
		Date: digest.Date{Year: 2026, Month: 11, Day: 26}, Subject: "Nov 26: <script>alert(1)</script> — and 2 more",
		Preheader: "Fish & chips \"prices\" rise", Intro: "Today: <b>bold</b> claims & 'quotes' 🎉.",
		Stories: []digest.Story{
			{Anchor: "story-a", Title: "<script>alert('x')</script> Council & \"friends\" 🎉", URL: "https://news.example/a?x=1&y=2",
				Source: "Civic Wire", Section: "local", Lead: "Lead with <img src=x onerror=alert(1)> and &amp; and " + long + ".",
				Also:    []digest.Also{{Source: "Harbour Ledger", Title: "Same <event>", URL: "https://ledger.example/b"}, {Source: "Meridian", Title: "No link"}},
				Related: []digest.Related{{Title: "Related <i>one</i>", URL: "https://news.example/r1"}}},
			{Anchor: "story-b", Title: "مجلس المدينة يوافق على خط الترام", URL: "https://news.example/ar", Source: "Eastbank Gazette", Section: "world",
				Lead: "نص عربي طويل عن التصويت في المجلس البلدي."},
			{Anchor: "story-c", Title: "שלום עולם", URL: "https://news.example/he", Source: "Wire Bulletin", Lead: "טקסט בעברית."},
		},
	}
}

func render(t testing.TB, e digest.Edition) digest.Copy {
	t.Helper()
	r, err := NewRenderer(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := r.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	m, err := rendered.Personalize(testRecipient())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHTMLEscapesArticleText(t *testing.T) {
	m := render(t, hostileEdition())
	for _, bad := range []string{"<script>", "<img src=x", "<b>bold</b>", "<i>one</i>", "<event>"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML carries %q unescaped", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Council &amp; &#34;friends&#34; 🎉",
		"مجلس المدينة يوافق على خط الترام", "שלום עולם", `dir="auto"`, "Donaudampfschifffahrtsgesellschaftskapitän",
		`href="https://news.example/a?x=1&amp;y=2"`, `id="story-a"`, ">Harbour Ledger</a>", "Meridian</p>",
		"Harbour Digest Ltd, 4 Quay Street", `lang="en"`,
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := strings.Count(m.HTML, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	if n := strings.Count(m.HTML, "<h2"); n != 3 {
		t.Errorf("%d story headings, want 3", n)
	}
	for _, table := range regexp.MustCompile(`<table[^>]*>`).FindAllString(m.HTML, -1) {
		if !strings.Contains(table, `role="presentation"`) {
			t.Errorf("layout table without role=presentation: %s", table)
		}
	}
}

func TestTextIsPlainWrappedAndNumbered(t *testing.T) {
	m := render(t, hostileEdition())
	// The article's own text comes through as typed (the lead says
	// "&amp;"); nothing of the HTML rendering may.
	for _, bad := range []string{"&lt;", "&#", "&nbsp;", "<p", "<a ", "<td", "<br", "zznd"} {
		if strings.Contains(m.Text, bad) {
			t.Errorf("text part holds %q", bad)
		}
	}
	refs := map[string]string{}
	refLine := regexp.MustCompile(`^\[(\d+)\] (https?://\S+)$`)
	for _, line := range strings.Split(m.Text, "\n") {
		if g := refLine.FindStringSubmatch(line); g != nil {
			refs[g[1]] = g[2]
			continue
		}
		if n := utf8.RuneCountInString(line); n > textWidth {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	for _, cited := range regexp.MustCompile(`\[(\d+)\]`).FindAllStringSubmatch(m.Text, -1) {
		if refs[cited[1]] == "" {
			t.Errorf("[%s] cited with no reference", cited[1])
		}
	}
	for _, want := range []string{
		"1. <script>alert('x')</script> Council & \"friends\" 🎉 [1]", "https://news.example/a?x=1&y=2",
		"Also covered by Harbour Ledger [2], Meridian", "- Related <i>one</i> [3]", "Hi Ana,",
		"https://digest.example/u?t=abc&l=daily", "שלום עולם",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
}

func TestPersonalize(t *testing.T) {
	r, err := NewRenderer(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := r.Render(hostileEdition())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		rec      digest.Personal
		greeting string
		wantErr  bool
	}{
		{"named", digest.Personal{Name: "Zoë <O'Hara>", UnsubscribeURL: "https://d.example/u/1", ViewURL: "https://d.example/v"}, "Hi Zoë <O'Hara>,", false},
		{"no name", digest.Personal{UnsubscribeURL: "https://d.example/u/2", ViewURL: "https://d.example/v"}, "Hi there,", false},
		{"header junk in a name", digest.Personal{Name: "Ana\r\nBcc: x", UnsubscribeURL: "https://d.example/u/3", ViewURL: "https://d.example/v"}, "Hi AnaBcc: x,", false},
		{"javascript link", digest.Personal{UnsubscribeURL: "javascript:alert(1)", ViewURL: "https://d.example/v"}, "", true},
		{"relative link", digest.Personal{UnsubscribeURL: "/u/4", ViewURL: "https://d.example/v"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := rendered.Personalize(tt.rec)
			if tt.wantErr {
				if err == nil {
					t.Fatal("unsafe link accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, html.EscapeString(tt.greeting)) || !strings.Contains(m.Text, tt.greeting) {
				t.Errorf("greeting %q missing", tt.greeting)
			}
			if !strings.Contains(m.HTML, `href="`+tt.rec.UnsubscribeURL+`"`) || !strings.Contains(m.Text, tt.rec.UnsubscribeURL) {
				t.Errorf("unsubscribe link %q missing", tt.rec.UnsubscribeURL)
			}
			if strings.Contains(m.HTML+m.Text, "zznd") {
				t.Error("a marker was left in the email")
			}
		})
	}
}

func TestNewRendererReportsEveryMissingSetting(t *testing.T) {
	_, err := NewRenderer(Config{SiteURL: "ftp://x"})
	if err == nil || !strings.Contains(err.Error(), "product name, site URL (http or https), postal address") {
		t.Errorf("error %v, want every missing setting named", err)
	}
}

// A rendered edition stored as JSON and read back personalizes to the very
// email the original does.
func TestRenderedJSONRoundTrip(t *testing.T) {
	r, err := NewRenderer(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := r.Render(hostileEdition())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(rendered)
	if err != nil {
		t.Fatal(err)
	}
	var back Rendered
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	want, err := rendered.Personalize(testRecipient())
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Personalize(testRecipient())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("the stored edition personalizes differently:\nsubject %q vs %q\nhtml equal %v, text equal %v",
			got.Subject, want.Subject, got.HTML == want.HTML, got.Text == want.Text)
	}
	if err := json.Unmarshal([]byte(`{"subject":"x"}`), &back); err == nil {
		t.Error("a stored edition with no parts was accepted")
	}
}
