package http_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/csv"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

const list = "daily.newsdigest.example"

func setup(t *testing.T) (*httptest.Server, *digest.Tokens, *csv.Store) {
	t.Helper()
	tokens, err := digest.NewTokens([]byte(strings.Repeat("u", 32)))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := csv.New(filepath.Join(t.TempDir(), "subscribers.csv"), nil, logger)
	if _, err := store.Import(context.Background(), []digest.Subscriber{{Email: "ana@example.com", Name: "Ana", Status: digest.StatusActive}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(digesthttp.NewUnsubscribe(tokens, list, "The Newsdigest Daily", store, nil, logger))
	t.Cleanup(srv.Close)
	return srv, tokens, store
}

func isActive(t *testing.T, store *csv.Store, email string) bool {
	t.Helper()
	found := false
	store.Active(context.Background(), 100, func(b []digest.Subscriber) error {
		for _, s := range b {
			found = found || s.Key() == email
		}
		return nil
	})
	return found
}

// noRedirects makes redirects visible to the test instead of followed.
var noRedirects = &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestGetOnlyAsks(t *testing.T) {
	srv, tokens, store := setup(t)
	link := tokens.UnsubscribeURL(srv.URL+"/unsubscribe", list, "ana@example.com")
	for range 3 { // link scanners open a link more than once
		resp, err := noRedirects.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `name="List-Unsubscribe" value="One-Click"`) {
			t.Fatalf("GET: %d\n%s", resp.StatusCode, body)
		}
	}
	if !isActive(t, store, "ana@example.com") {
		t.Error("a GET unsubscribed the reader")
	}
}

func TestOneClickPost(t *testing.T) {
	srv, tokens, store := setup(t)
	link := tokens.UnsubscribeURL(srv.URL+"/unsubscribe", list, "ana@example.com")
	for range 2 { // idempotent: the second POST answers the same
		resp, err := noRedirects.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || !strings.Contains(string(body), "You are unsubscribed") {
			t.Errorf("POST: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if isActive(t, store, "ana@example.com") {
		t.Error("the reader is still active")
	}
}

func TestBadLinksAreRefusedAlike(t *testing.T) {
	srv, tokens, store := setup(t)
	good, _ := url.Parse(tokens.UnsubscribeURL(srv.URL+"/unsubscribe", list, "ana@example.com"))
	q := good.Query()
	other, _ := digest.NewTokens([]byte(strings.Repeat("x", 32)))
	variants := map[string]string{
		"forged":          other.UnsubscribeURL(srv.URL+"/unsubscribe", list, "ana@example.com"),
		"truncated token": srv.URL + "/unsubscribe?l=" + url.QueryEscape(list) + "&a=" + q.Get("a") + "&t=" + q.Get("t")[:10],
		"other list":      tokens.UnsubscribeURL(srv.URL+"/unsubscribe", "weekly.newsdigest.example", "ana@example.com"),
		"no token":        srv.URL + "/unsubscribe",
	}
	var bodies []string
	for name, link := range variants {
		resp, err := noRedirects.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		bodies = append(bodies, string(body))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Error("bad links get different answers, which tells why")
		}
	}
	if !isActive(t, store, "ana@example.com") {
		t.Error("a bad link unsubscribed the reader")
	}
	resp, err := noRedirects.Post(good.String(), "application/x-www-form-urlencoded", strings.NewReader("something=else"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !isActive(t, store, "ana@example.com") {
		t.Error("a POST without List-Unsubscribe=One-Click unsubscribed")
	}
}
