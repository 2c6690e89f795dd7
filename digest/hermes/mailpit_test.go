package hermes_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	hermeslib "github.com/matcornic/hermes/v2"
	"golang.org/x/net/html"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	"github.com/newsdigest/newsdigest/digest/smtp"
	"github.com/newsdigest/newsdigest/internal/mailpit"
)

// The edition, and the sender's name, site and address, are browser_test.go's:
// exampleEdition and its constants, `newsdigest build --date 2026-11-26`
// with cmd/newsdigest's defaults.

// Gmail clips a message whose HTML passes 102 KB, hiding the rest (and
// the unsubscribe link) behind "View entire message".
const gmailClip = 102 * 1024

// minSupported is the html-check share of clients, in percent, that must
// support what the theme uses.
const minSupported = 95

// envelope wraps one rendered copy for Ana.
func envelope(subject, htmlPart, textPart, unsubscribe, messageID string) digest.Mail {
	return digest.Mail{
		From:               digest.Address{Name: productName, Email: "daily@newsdigest.example"},
		To:                 digest.Address{Name: "Ana Lima", Email: "ana@reader.example"},
		Subject:            subject,
		HTML:               htmlPart,
		Text:               textPart,
		ListID:             "daily.newsdigest.example",
		ListName:           productName,
		ListUnsubscribeURL: unsubscribe,
		MessageID:          messageID,
	}
}

// stockHermes renders the same edition with hermes' own default theme,
// the stories as table rows, for comparison.
func stockHermes(t *testing.T, e digest.Edition, unsubscribe string) (htmlPart, textPart string) {
	t.Helper()
	h := hermeslib.Hermes{
		Theme:   new(hermeslib.Default),
		Product: hermeslib.Product{Name: productName, Link: siteURL, Copyright: postalAddress},
	}
	var rows [][]hermeslib.Entry
	for _, s := range e.Stories {
		rows = append(rows, []hermeslib.Entry{{Key: "Story", Value: s.Title}, {Key: "Outlet", Value: s.Source}, {Key: "Lead", Value: s.Lead}})
	}
	email := hermeslib.Email{Body: hermeslib.Body{
		Name:   "Ana",
		Intros: []string{e.Intro},
		Table:  hermeslib.Table{Data: rows},
		Outros: []string{"Unsubscribe: " + unsubscribe},
	}}
	htmlPart, err := h.GenerateHTML(email)
	if err != nil {
		t.Fatal(err)
	}
	textPart, err = h.GeneratePlainText(email)
	if err != nil {
		t.Fatal(err)
	}
	return htmlPart, textPart
}

// TestEmailInMailpit sends the example edition through SMTP to Mailpit and
// has Mailpit judge it as a mail client would: which clients support the
// HTML and CSS it uses, and whether its links are well formed.
func TestEmailInMailpit(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	e := exampleEdition(t)
	renderer, err := hermes.NewRenderer(hermes.Config{ProductName: productName, SiteURL: siteURL, PostalAddress: postalAddress})
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := renderer.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	rec := digest.Personal{
		Name:           "Ana",
		UnsubscribeURL: siteURL + "/unsubscribe?t=Zm9vYmFy&l=daily",
		ViewURL:        digest.ArchiveURL(archiveURL, e.Date),
	}
	msg, err := rendered.Personalize(rec)
	if err != nil {
		t.Fatal(err)
	}
	stockHTML, stockText := stockHermes(t, e, rec.UnsubscribeURL)

	mp := mailpit.Start(t)
	sender, err := smtp.New(smtp.Config{Addr: mp.SMTPAddr, Timeout: 10 * time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ours := envelope(msg.Subject, msg.HTML, msg.Text, rec.UnsubscribeURL, "<2026-11-26.ana.ours@newsdigest.example>")
	stock := envelope(msg.Subject, stockHTML, stockText, rec.UnsubscribeURL, "<2026-11-26.ana.stock@newsdigest.example>")
	for _, m := range []digest.Mail{ours, stock} {
		if _, err := sender.Send(ctx, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	ids := map[string]string{}
	for _, s := range mp.Messages(t) {
		ids["<"+s.MessageID+">"] = s.ID
	}
	oursID, stockID := ids[ours.MessageID], ids[stock.MessageID]
	if oursID == "" || stockID == "" {
		t.Fatalf("Mailpit caught %v, want both %s and %s", ids, ours.MessageID, stock.MessageID)
	}

	got := mp.Message(t, oursID)
	// The parts come back as they travelled: every line break a CRLF.
	if want := strings.ReplaceAll(msg.HTML, "\n", "\r\n"); got.Subject != e.Subject || got.HTML != want {
		t.Errorf("Mailpit shows subject %q and %d bytes of HTML, want %q and the %d bytes sent", got.Subject, len(got.HTML), e.Subject, len(want))
	}
	if lu := got.ListUnsubscribe; lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" || !slices.Equal(lu.Links, []string{rec.UnsubscribeURL}) {
		t.Errorf("Mailpit reads List-Unsubscribe as %+v, want %s with one-click", lu, rec.UnsubscribeURL)
	}

	t.Run("html-check", func(t *testing.T) {
		check := mp.HTMLCheck(t, oursID)
		logCheck(t, "newsdigest theme", check)
		logCheck(t, "hermes default theme (for comparison)", mp.HTMLCheck(t, stockID))
		if check.Total.Supported < minSupported {
			t.Errorf("%.2f%% of clients support what the HTML uses, want at least %d%% (warnings logged above)", check.Total.Supported, minSupported)
		}
	})

	// Mailpit's link-check cannot help here: with follow=false as with
	// true it sends a HEAD request to every link (server/apiv1/other.go,
	// internal/linkcheck/status.go), and no test may reach the internet.
	// The links are checked for form instead, in the HTML Mailpit decoded.
	t.Run("links", func(t *testing.T) {
		links, ids := htmlLinks(t, got.HTML)
		if len(links) == 0 {
			t.Fatal("the HTML has no links")
		}
		for _, l := range links {
			if err := checkLink(l, ids); err != nil {
				t.Errorf("<%s %s=%q>: %v", l.tag, l.attr, l.value, err)
			}
		}
		for _, want := range []string{rec.UnsubscribeURL, rec.ViewURL, siteURL} {
			if !slices.ContainsFunc(links, func(l link) bool { return l.value == want }) {
				t.Errorf("the HTML does not link to %s", want)
			}
		}
		refs := regexp.MustCompile(`(?m)^\[\d+\] (\S+)\r?$`).FindAllStringSubmatch(got.Text, -1)
		if len(refs) == 0 {
			t.Error("the text part numbers no links")
		}
		for _, r := range refs {
			if err := checkLink(link{tag: "text", attr: "ref", value: r[1]}, ids); err != nil {
				t.Errorf("text part link %q: %v", r[1], err)
			}
		}
		t.Logf("%d links in the HTML and %d in the text part are well formed", len(links), len(refs))
	})

	t.Run("size", func(t *testing.T) {
		stockGot := mp.Message(t, stockID)
		t.Logf("newsdigest theme: HTML %d bytes (%.1f KB), whole message %d bytes; hermes default: HTML %d bytes (%.1f KB)",
			len(got.HTML), float64(len(got.HTML))/1024, got.Size, len(stockGot.HTML), float64(len(stockGot.HTML))/1024)
		if len(got.HTML) >= gmailClip {
			t.Errorf("HTML is %d bytes: Gmail clips from %d", len(got.HTML), gmailClip)
		}
	})
}

// logCheck logs html-check's totals and every feature some client lacks.
// Mailpit's total is 100% less the worst feature's partial share and the
// worst feature's unsupported share, each weighed by the feature's uses
// over the document's nodes; each warning shows its two weights, the
// points it would cost if it were the worst.
func logCheck(t *testing.T, theme string, c mailpit.HTMLCheck) {
	t.Helper()
	t.Logf("%s: supported %.2f%%, partial %.2f%%, unsupported %.2f%% (%d tests, %d nodes)",
		theme, c.Total.Supported, c.Total.Partial, c.Total.Unsupported, c.Total.Tests, c.Total.Nodes)
	for _, w := range c.Warnings {
		if w.Score.Found == 0 || c.Total.Nodes == 0 {
			continue
		}
		share := float64(w.Score.Found) / float64(c.Total.Nodes)
		t.Logf("  %s [%s] used %d×: partial %.0f%%, unsupported %.0f%% of clients, weighing %.2f and %.2f points; no: %s; partial: %s",
			w.Title, w.Slug, w.Score.Found, w.Score.Partial, w.Score.Unsupported, w.Score.Partial*share, w.Score.Unsupported*share,
			clients(w.Results, "no"), clients(w.Results, "partial"))
	}
}

// clients names the clients with the given support, in order.
func clients(results []mailpit.HTMLResult, support string) string {
	var names []string
	for _, r := range results {
		if r.Support == support {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// link is one address in the HTML: where it stands and its value.
type link struct{ tag, attr, value string }

// htmlLinks returns the addresses the links checker would visit (a[href],
// link[href], img[src]) and the document's element ids.
func htmlLinks(t *testing.T, page string) ([]link, map[string]bool) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var links []link
	ids := map[string]bool{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "id":
				ids[a.Val] = true
			case a.Key == "href" && (n.Data == "a" || n.Data == "link"), a.Key == "src" && n.Data == "img":
				links = append(links, link{n.Data, a.Key, a.Val})
			}
		}
	}
	return links, ids
}

// checkLink accepts an absolute http(s) address with a host and nothing
// a client would have to guess about, a mailto: address, or a fragment
// that names an element of the document.
func checkLink(l link, ids map[string]bool) error {
	v := l.value
	if v == "" {
		return fmt.Errorf("empty")
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' }) {
		return fmt.Errorf("holds a space, control character, quote or bracket")
	}
	if frag, ok := strings.CutPrefix(v, "#"); ok {
		if !ids[frag] {
			return fmt.Errorf("no element has id %q", frag)
		}
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" || u.Hostname() == "" {
			return fmt.Errorf("no host")
		}
		if strings.Contains(u.Host, "..") || strings.HasPrefix(u.Host, ".") {
			return fmt.Errorf("malformed host %q", u.Host)
		}
	case "mailto":
		if u.Opaque == "" {
			return fmt.Errorf("mailto: without an address")
		}
	default:
		return fmt.Errorf("scheme %q, want http(s) or mailto", u.Scheme)
	}
	return nil
}
