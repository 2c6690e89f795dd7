package hermes

import (
	"fmt"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
)

// tenStories is an edition of ten stories of realistic length.
func tenStories() digest.Edition {
	e := digest.Edition{Date: digest.Date{Year: 2026, Month: 11, Day: 26}, Subject: "Nov 26: A story — and 9 more",
		Preheader: "The first sentence of the top story.", Intro: "Good morning. Ten stories today, from six outlets."}
	for i := range 10 {
		s := digest.Story{
			Anchor: fmt.Sprintf("story-%d", i), Title: fmt.Sprintf("Council approves £%d m tram line after an eight-hour debate", 200+i),
			URL: fmt.Sprintf("https://news.example/story/%d", i), Source: "Civic Wire", Section: "local",
			Lead: "Port Alder council voted 31 to 18 on Tuesday night to build a £240 million tram line from the central station to the hospital, with nine stops and trams every six minutes at peak times. Work starts in spring 2027.",
		}
		for j := range 3 {
			s.Also = append(s.Also, digest.Also{Source: fmt.Sprintf("Outlet %d", j), Title: "Another report", URL: fmt.Sprintf("https://outlet%d.example/%d", j, i)})
			s.Related = append(s.Related, digest.Related{Title: "A related headline about the same council", URL: fmt.Sprintf("https://news.example/rel/%d/%d", i, j)})
		}
		e.Stories = append(e.Stories, s)
	}
	return e
}

// BenchmarkPersonalize is the cost of one recipient's copy: splicing three
// values into the edition rendered once.
func BenchmarkPersonalize(b *testing.B) {
	r, err := NewRenderer(testConfig())
	if err != nil {
		b.Fatal(err)
	}
	rendered, err := r.Render(tenStories())
	if err != nil {
		b.Fatal(err)
	}
	rec := testRecipient()
	for b.Loop() {
		if _, err := rendered.Personalize(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderPerRecipient is what personalizing saves: hermes and its
// CSS inlining run again for every recipient.
func BenchmarkRenderPerRecipient(b *testing.B) {
	r, err := NewRenderer(testConfig())
	if err != nil {
		b.Fatal(err)
	}
	e := tenStories()
	rec := testRecipient()
	for b.Loop() {
		rendered, err := r.Render(e)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rendered.Personalize(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTenStoryEditionFitsGmail: Gmail clips messages over 102 KB.
func TestTenStoryEditionFitsGmail(t *testing.T) {
	m := render(t, tenStories())
	t.Logf("10-story edition: HTML %d bytes, text %d bytes", len(m.HTML), len(m.Text))
	if len(m.HTML) >= 102*1024 {
		t.Errorf("HTML of %d bytes; Gmail clips above 102 KB", len(m.HTML))
	}
}

// BenchmarkBuildMessage is one recipient's whole message: the personal
// copy spliced, then encoded as MIME (both parts quoted-printable).
// `go test -run '^$' -bench BuildMessage -cpu 1 ./digest/hermes`
func BenchmarkBuildMessage(b *testing.B) {
	r, err := NewRenderer(testConfig())
	if err != nil {
		b.Fatal(err)
	}
	rendered, err := r.Render(tenStories())
	if err != nil {
		b.Fatal(err)
	}
	rec := testRecipient()
	for b.Loop() {
		c, err := rendered.Personalize(rec)
		if err != nil {
			b.Fatal(err)
		}
		m := digest.Mail{From: digest.Address{Name: "The Newsdigest Daily", Email: "digest@newsdigest.example"},
			To: digest.Address{Name: "Ana Ruiz", Email: "ana@example.com"}, Subject: c.Subject, HTML: c.HTML, Text: c.Text,
			ListID: "daily.newsdigest.example", ListUnsubscribeURL: rec.UnsubscribeURL}
		if _, err := m.MIME(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}
