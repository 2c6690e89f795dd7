package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/csv"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

// TestUnsubscribeRefusalsAreAlike: every link that does not check out —
// forged, truncated, bit-flipped, another reader's, another list's, made
// with another key — gets one answer, byte for byte (status, headers,
// page), for GET and for the one-click POST, and unsubscribes no one. An
// answer that differed by reason would let a forger tell which part is
// wrong.
func TestUnsubscribeRefusalsAreAlike(t *testing.T) {
	tokens, err := digest.NewTokens([]byte(strings.Repeat("u", 32)))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := csv.New(filepath.Join(t.TempDir(), "subscribers.csv"), nil, logger)
	if _, err := store.Import(context.Background(), []digest.Subscriber{
		{Email: "ana@example.com", Status: digest.StatusActive}, {Email: "bob@example.com", Status: digest.StatusActive}}); err != nil {
		t.Fatal(err)
	}
	h := digesthttp.NewUnsubscribe(tokens, list, "The Newsdigest Daily", store, nil, logger)
	other, _ := digest.NewTokens([]byte(strings.Repeat("x", 32)))

	good, _ := url.Parse(tokens.UnsubscribeURL("https://u.example/unsubscribe", list, "ana@example.com"))
	q := good.Query()
	mac, _ := base64.RawURLEncoding.DecodeString(q.Get("t"))
	link := func(l, a, t string) string {
		v := url.Values{}
		v.Set("l", l)
		v.Set("a", a)
		v.Set("t", t)
		return "/unsubscribe?" + v.Encode()
	}
	flip := func(i int) string {
		b := bytes.Clone(mac)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	bob := base64.RawURLEncoding.EncodeToString([]byte("bob@example.com"))
	bad := map[string]string{
		"forged with another key":     link(list, q.Get("a"), other.Sign(list, "ana@example.com")),
		"random token":                link(list, q.Get("a"), base64.RawURLEncoding.EncodeToString(make([]byte, sha256.Size))),
		"truncated token":             link(list, q.Get("a"), q.Get("t")[:10]),
		"first bit flipped":           link(list, q.Get("a"), flip(0)),
		"last bit flipped":            link(list, q.Get("a"), flip(len(mac)-1)),
		"ana's token for bob":         link(list, bob, q.Get("t")),
		"ana's token on another list": link("weekly.newsdigest.example", q.Get("a"), q.Get("t")),
		"a valid token for another list": link("weekly.newsdigest.example", q.Get("a"),
			tokens.Sign("weekly.newsdigest.example", "ana@example.com")),
		"no token":            "/unsubscribe",
		"not base64":          link(list, q.Get("a"), "!!!"),
		"address not base64":  link(list, "ana@example.com", q.Get("t")),
		"query twice, forged": link(list, q.Get("a"), other.Sign(list, "ana@example.com")) + "&" + good.RawQuery,
	}
	type answer struct {
		status int
		header http.Header
		body   string
	}
	serve := func(method, target string) answer {
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader("List-Unsubscribe=One-Click")
		}
		req := httptest.NewRequest(method, target, body)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return answer{rec.Code, rec.Header(), rec.Body.String()}
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		var first *answer
		var firstName string
		for name, target := range bad {
			got := serve(method, target)
			if got.status != http.StatusBadRequest {
				t.Errorf("%s %s: status %d, want 400", method, name, got.status)
			}
			if strings.Contains(got.body, "ana@example.com") || strings.Contains(got.body, "bob@example.com") {
				t.Errorf("%s %s: the refusal names an address", method, name)
			}
			if first == nil {
				first, firstName = &got, name
				continue
			}
			if got.status != first.status || got.body != first.body || !reflect.DeepEqual(got.header, first.header) {
				t.Errorf("%s: %q and %q get different answers, which tells a forger why", method, name, firstName)
			}
		}
	}
	for _, email := range []string{"ana@example.com", "bob@example.com"} {
		if !isActive(t, store, email) {
			t.Errorf("%s was unsubscribed by a bad link", email)
		}
	}
	// The good link still works, so the refusals are the tampering's.
	if got := serve(http.MethodPost, good.RequestURI()); got.status != http.StatusOK || isActive(t, store, "ana@example.com") {
		t.Errorf("the good link: status %d, ana active %v", got.status, isActive(t, store, "ana@example.com"))
	}
	if !isActive(t, store, "bob@example.com") {
		t.Error("ana's link unsubscribed bob")
	}
}
