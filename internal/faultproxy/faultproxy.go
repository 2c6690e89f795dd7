// Package faultproxy puts a reverse proxy on loopback in front of an HTTP
// endpoint for a test, and answers a chosen share of the requests with a
// fault instead of forwarding them: an SES v2 error, a server error, or a
// reset connection. The choice is drawn from a seeded generator, so a run
// with the same seed and the same order of requests faults the same ones.
package faultproxy

import (
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is one injected answer: an HTTP error response, or, with Reset, a
// connection closed with a TCP reset before any response.
type Fault struct {
	Status int
	// ErrorType is sent as x-amzn-ErrorType, where the SES v2 (REST-JSON)
	// protocol names the error.
	ErrorType string
	Body      string
	Reset     bool
}

// APIError is an SES v2 error answer: the status, the error's name in
// x-amzn-ErrorType, and {"message": …} as the service's JSON body.
func APIError(status int, errorType, message string) Fault {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	return Fault{Status: status, ErrorType: errorType, Body: string(body)}
}

// Throttle is what SES v2 answers a send above the account's maximum
// sending rate.
func Throttle() Fault {
	return APIError(http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")
}

// DailyQuota is what SES v2 answers a send once the day's quota is spent.
func DailyQuota() Fault {
	return APIError(http.StatusBadRequest, "LimitExceededException", "Daily message quota exceeded.")
}

// Rejected is SES v2's MessageRejected, here for an unverified sender in
// the sandbox, the commonest cause.
func Rejected() Fault {
	return APIError(http.StatusBadRequest, "MessageRejected",
		"Email address is not verified. The following identities failed the check in region US-EAST-1: daily@newsdigest.example")
}

// Unavailable is a 503 from the service's front end.
func Unavailable() Fault {
	return APIError(http.StatusServiceUnavailable, "ServiceUnavailable", "Service Unavailable")
}

// InternalError is a 500 from the service.
func InternalError() Fault {
	return APIError(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
}

// Reset closes the connection with a TCP reset instead of answering.
func Reset() Fault { return Fault{Reset: true} }

// Config says which requests fault.
type Config struct {
	// Seed seeds the generator that picks the faulted requests.
	Seed uint64
	// Rate is the share of requests, 0 to 1, answered with a fault.
	Rate float64
	// Faults are drawn from with equal chance for each faulted request
	// (default: Throttle only).
	Faults []Fault
	// QuotaAfter, when above 0, forwards that many requests and answers
	// every later one with DailyQuota, as a spent daily quota does.
	QuotaAfter int
	// MaxRate, when above 0, is the account's sending rate the proxy
	// enforces as SES does: sends (SendEmail calls) beyond it, in a bucket
	// that holds one second's worth, are answered with Throttle.
	MaxRate float64
}

// Proxy is a running fault proxy.
type Proxy struct {
	// URL is the proxy's root, http://127.0.0.1:port.
	URL string

	cfg       Config
	mu        sync.Mutex
	rng       *rand.Rand
	forwarded int
	faulted   int
	// throttled counts the sends refused by MaxRate.
	throttled int
	// tokens and refilled are the MaxRate bucket.
	tokens   float64
	refilled time.Time
	// gate holds requests while the proxy is paused: each request holds
	// it shared, Pause exclusively.
	gate     sync.RWMutex
	pausedAt time.Time
	paused   time.Duration
}

// Start runs a proxy in front of upstream (a URL such as
// http://127.0.0.1:8005) and stops it when the test ends.
func Start(t testing.TB, upstream string, cfg Config) *Proxy {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil || target.Scheme == "" || target.Host == "" {
		t.Fatalf("faultproxy: upstream %q is not an absolute URL", upstream)
	}
	if len(cfg.Faults) == 0 {
		cfg.Faults = []Fault{Throttle()}
	}
	p := &Proxy{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed))}
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   64,
	}
	t.Cleanup(transport.CloseIdleConnections)
	forward := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// The client signed the request for the host it called; keep
			// it, so that the upstream sees the request as it was signed.
			r.Out.Host = r.In.Host
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t.Logf("faultproxy: %s %s: %v", r.Method, r.URL.Path, err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.gate.RLock()
		defer p.gate.RUnlock()
		if p.cfg.MaxRate > 0 && isSend(r) && !p.take() {
			inject(t, w, Throttle())
			return
		}
		fault, ok := p.decide()
		if !ok {
			forward.ServeHTTP(w, r)
			return
		}
		inject(t, w, fault)
	}))
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// isSend tells SES v2's SendEmail (POST /v2/email/outbound-emails), the
// call the sending rate counts, from the others.
func isSend(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/outbound-emails")
}

// take spends a token of the rate's bucket, if there is one.
func (p *Proxy) take() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.refilled.IsZero() {
		p.tokens, p.refilled = p.cfg.MaxRate, now
	}
	p.tokens = min(p.cfg.MaxRate, p.tokens+now.Sub(p.refilled).Seconds()*p.cfg.MaxRate)
	p.refilled = now
	if p.tokens < 1 {
		p.throttled++
		return false
	}
	p.tokens--
	return true
}

// Throttled is how many sends MaxRate refused.
func (p *Proxy) Throttled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}

// Pause holds every new request until Resume, once the requests in
// flight have been answered: a test reads and clears the upstream's state
// in between, with nothing arriving meanwhile.
func (p *Proxy) Pause() {
	p.gate.Lock()
	p.mu.Lock()
	p.pausedAt = time.Now()
	p.mu.Unlock()
}

// Resume lets held and new requests through again. The rate's bucket
// does not fill while paused, so that no burst follows a pause.
func (p *Proxy) Resume() {
	p.mu.Lock()
	now := time.Now()
	p.paused += now.Sub(p.pausedAt)
	if !p.refilled.IsZero() {
		p.refilled = now
	}
	p.mu.Unlock()
	p.gate.Unlock()
}

// Paused is how long the proxy has held traffic in all.
func (p *Proxy) Paused() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// decide picks the request's fate and counts it.
func (p *Proxy) decide() (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Drawn for every request, faulted or not, so that the sequence of
	// choices depends on the seed alone.
	roll, pick := p.rng.Float64(), p.rng.IntN(len(p.cfg.Faults))
	switch {
	case roll < p.cfg.Rate:
		p.faulted++
		return p.cfg.Faults[pick], true
	case p.cfg.QuotaAfter > 0 && p.forwarded >= p.cfg.QuotaAfter:
		p.faulted++
		return DailyQuota(), true
	}
	p.forwarded++
	return Fault{}, false
}

// inject writes the fault, or resets the connection.
func inject(t testing.TB, w http.ResponseWriter, f Fault) {
	if !f.Reset {
		w.Header().Set("Content-Type", "application/json")
		if f.ErrorType != "" {
			w.Header().Set("x-amzn-ErrorType", f.ErrorType)
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("faultproxy: reset: %v", err)
		return
	}
	// A zero linger makes Close send RST, not FIN: the client sees
	// "connection reset by peer", as when a load balancer drops it.
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// Forwarded is how many requests went to the upstream.
func (p *Proxy) Forwarded() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forwarded
}

// Faulted is how many requests were answered with a fault.
func (p *Proxy) Faulted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faulted
}
