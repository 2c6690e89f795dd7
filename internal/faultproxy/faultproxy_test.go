package faultproxy

import (
	"net/http"
	"net/http/httptest"
	"slices"
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

func TestMatchLimitsFaults(t *testing.T) {
	var upstream atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { upstream.Add(1) }))
	t.Cleanup(srv.Close)
	p := Start(t, srv.URL, Config{Rate: 1, Match: SESSend})
	call := func(method, path string) int {
		req, err := http.NewRequest(method, p.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call(http.MethodGet, "/v2/email/account"); code != http.StatusOK {
		t.Errorf("GetAccount answered %d, want it forwarded", code)
	}
	if code := call(http.MethodPost, "/v2/email/outbound-emails"); code != http.StatusTooManyRequests {
		t.Errorf("SendEmail answered %d, want the fault", code)
	}
	if p.Forwarded() != 1 || p.Faulted() != 1 || upstream.Load() != 1 {
		t.Errorf("forwarded %d, faulted %d, upstream saw %d; want 1 each", p.Forwarded(), p.Faulted(), upstream.Load())
	}

	// The quota counts the matching requests only, and a new day resets it.
	p = Start(t, srv.URL, Config{QuotaAfter: 2, Match: SESSend})
	var got []int
	for _, send := range []bool{false, true, false, true, true, false} {
		if send {
			got = append(got, call(http.MethodPost, "/v2/email/outbound-emails"))
		} else {
			got = append(got, call(http.MethodGet, "/v2/email/account"))
		}
	}
	if want := []int{200, 200, 200, 200, 400, 200}; !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v: two sends, then the quota; GetAccount never counted", got, want)
	}
	p.ResetQuota()
	if code := call(http.MethodPost, "/v2/email/outbound-emails"); code != http.StatusOK {
		t.Errorf("after ResetQuota a send answered %d", code)
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		method, target string
		header         string
		list, get, ses bool
		batch          bool
	}{
		{method: "GET", target: "/bucket?list-type=2&prefix=articles%2F", list: true},
		{method: "GET", target: "/bucket/articles/2026/11/26/000_a.txt", get: true},
		{method: "GET", target: "/bucket/?location"},
		{method: "PUT", target: "/bucket/issues/2026-11-26.json"},
		{method: "POST", target: "/v2/email/outbound-emails", ses: true},
		{method: "POST", target: "/", header: "AmazonSQS.SendMessageBatch", batch: true},
		{method: "POST", target: "/", header: "AmazonSQS.SendMessage"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		if tt.header != "" {
			r.Header.Set("X-Amz-Target", tt.header)
		}
		if S3List(r) != tt.list || S3GetObject(r) != tt.get || SESSend(r) != tt.ses || SQSAction("SendMessageBatch")(r) != tt.batch {
			t.Errorf("%s %s %s: list %v get %v send %v batch %v", tt.method, tt.target, tt.header,
				S3List(r), S3GetObject(r), SESSend(r), SQSAction("SendMessageBatch")(r))
		}
	}
}
