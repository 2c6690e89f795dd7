// Package faultproxy puts a reverse proxy on loopback in front of an HTTP
// endpoint for a test, and answers a chosen share of the requests with a
// fault instead of forwarding them: an error in the shape of the service's
// protocol (SES v2's REST-JSON, S3's REST-XML, SQS's JSON protocol), a
// server error, or a reset connection. A predicate may limit the faults to
// some requests (only SendEmail, only ListObjectsV2, only GetObject). The
// choice is drawn from a seeded generator, so a run with the same seed and
// the same order of matching requests faults the same ones.
package faultproxy

import (
	"encoding/json"
	"encoding/xml"
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
	// Header holds the answer's other headers: x-amzn-query-error, where
	// SQS's JSON protocol gives the error's query code, or a Content-Type
	// (application/json unless set here).
	Header http.Header
	Body   string
	Reset  bool
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

// S3Error is an S3 error answer in its REST-XML shape: the status, and
// <Error><Code>…</Code><Message>…</Message></Error> as the body, from
// which the SDK reads the error's code.
func S3Error(status int, code, message string) Fault {
	body, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}{Code: code, Message: message, RequestID: "faultproxy"})
	return Fault{Status: status, Header: http.Header{"Content-Type": {"application/xml"}}, Body: xml.Header + string(body)}
}

// SlowDown is what S3 answers a request above what a prefix takes.
func SlowDown() Fault {
	return S3Error(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

// S3InternalError is a 500 from S3.
func S3InternalError() Fault {
	return S3Error(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

// SQSError is an SQS error answer in its JSON protocol's shape: the
// status, {"__type": "com.amazonaws.sqs#<code>", "message": …} as the
// body, and the code of SQS's older query protocol in x-amzn-query-error,
// which the SDK reports as the error's code; the header's second part
// blames the sender for a 4xx, the service for a 5xx.
func SQSError(status int, code, message string) Fault {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{"com.amazonaws.sqs#" + code, message})
	blame := "Sender"
	if status >= 500 {
		blame = "Receiver"
	}
	return Fault{Status: status, Body: string(body), Header: http.Header{
		"Content-Type":       {"application/x-amz-json-1.0"},
		"X-Amzn-Query-Error": {code + ";" + blame},
	}}
}

// SQSThrottle is what SQS answers a request over the account's limits.
func SQSThrottle() Fault {
	return SQSError(http.StatusForbidden, "RequestThrottled", "Request is throttled.")
}

// SQSInternalError is a 500 from SQS.
func SQSInternalError() Fault {
	return SQSError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

// SESSend matches SES v2's SendEmail (POST /v2/email/outbound-emails), the
// call the sending rate and the daily quota count.
func SESSend(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/outbound-emails")
}

// S3List matches S3's ListObjectsV2: a GET with list-type=2.
func S3List(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2"
}

// S3GetObject matches S3's GetObject in path style (/bucket/key), as the
// clients of local S3 servers address it: a GET of a key that is not a
// listing.
func S3GetObject(r *http.Request) bool {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return r.Method == http.MethodGet && bucket != "" && key != "" && !r.URL.Query().Has("list-type")
}

// SQSAction matches the SQS JSON-protocol requests of one action, such as
// "SendMessageBatch", by their X-Amz-Target.
func SQSAction(action string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Header.Get("X-Amz-Target") == "AmazonSQS."+action }
}

// Config says which requests fault.
type Config struct {
	// Seed seeds the generator that picks the faulted requests.
	Seed uint64
	// Match, when set, limits Rate and QuotaAfter to the requests it
	// accepts (SESSend, S3List, SQSAction("SendMessageBatch"), or any
	// test's own); the others are forwarded untouched and draw nothing
	// from the generator. It is called from the proxy's goroutines.
	Match func(*http.Request) bool
	// Rate is the share of matching requests, 0 to 1, answered with a
	// fault.
	Rate float64
	// Faults are drawn from with equal chance for each faulted request
	// (default: Throttle only).
	Faults []Fault
	// QuotaAfter, when above 0, forwards that many matching requests and
	// answers every later one with DailyQuota, as a spent daily quota
	// does, until ResetQuota.
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
	// quotaUsed counts the matching requests forwarded against QuotaAfter.
	quotaUsed int
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
		if p.cfg.MaxRate > 0 && SESSend(r) && !p.take() {
			inject(t, w, Throttle())
			return
		}
		fault, ok := p.decide(p.cfg.Match == nil || p.cfg.Match(r))
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

// decide picks the request's fate and counts it; a request the config's
// Match refused is forwarded.
func (p *Proxy) decide(matched bool) (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !matched {
		p.forwarded++
		return Fault{}, false
	}
	// Drawn for every matching request, faulted or not, so that the
	// sequence of choices depends on the seed alone.
	roll, pick := p.rng.Float64(), p.rng.IntN(len(p.cfg.Faults))
	switch {
	case roll < p.cfg.Rate:
		p.faulted++
		return p.cfg.Faults[pick], true
	case p.cfg.QuotaAfter > 0 && p.quotaUsed >= p.cfg.QuotaAfter:
		p.faulted++
		return DailyQuota(), true
	}
	p.forwarded++
	p.quotaUsed++
	return Fault{}, false
}

// ResetQuota starts a new day for QuotaAfter: that many matching requests
// go through again before the quota is spent.
func (p *Proxy) ResetQuota() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.quotaUsed = 0
}

// inject writes the fault, or resets the connection.
func inject(t testing.TB, w http.ResponseWriter, f Fault) {
	if !f.Reset {
		w.Header().Set("Content-Type", "application/json")
		for k, v := range f.Header {
			w.Header()[http.CanonicalHeaderKey(k)] = v
		}
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
