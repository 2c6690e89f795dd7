package faultproxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMaxRate(t *testing.T) {
	var upstream atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { upstream.Add(1) }))
	t.Cleanup(srv.Close)
	p := Start(t, srv.URL, Config{MaxRate: 20})
	send := func(path string) int {
		resp, err := http.Post(p.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var ok, throttled int
	for range 60 {
		switch send("/v2/email/outbound-emails") {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
		}
	}
	// A bucket of one second's worth: the first 20 go through at once,
	// and only what refills while the loop runs joins them.
	if ok < 20 || ok > 40 || ok+throttled != 60 || p.Throttled() != throttled {
		t.Errorf("%d through, %d throttled (proxy counted %d); want 20 or a few more through, the rest throttled", ok, throttled, p.Throttled())
	}
	if got := int(upstream.Load()); got != ok {
		t.Errorf("upstream saw %d sends, want %d", got, ok)
	}
	// Calls that are not sends are never throttled.
	if code := send("/v2/email/account"); code != http.StatusOK {
		t.Errorf("GetAccount-like call answered %d", code)
	}
	time.Sleep(300 * time.Millisecond)
	if code := send("/v2/email/outbound-emails"); code != http.StatusOK {
		t.Errorf("after the bucket refilled a little, a send answered %d", code)
	}
}

func TestPauseHoldsRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	p := Start(t, srv.URL, Config{})
	p.Pause()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(p.URL + "/")
		if err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-done:
		t.Fatal("a request went through a paused proxy")
	case <-time.After(100 * time.Millisecond):
	}
	p.Resume()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the held request never went through after Resume")
	}
	if p.Forwarded() != 1 {
		t.Errorf("forwarded %d, want 1", p.Forwarded())
	}
}
