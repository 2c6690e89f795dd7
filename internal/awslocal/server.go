// Package awslocal serves, in memory, the parts of Amazon SQS and SSM
// Parameter Store that the digest uses, over the protocols the AWS SDK
// for Go v2 speaks to them today: awsJson1_0 for SQS and awsJson1_1 for
// SSM. No emulator installable here speaks SQS's JSON protocol, so tests
// (and a local stack) use this one: requests and answers, errors
// included, keep the shapes of the AWS API reference, so that the real
// SDK clients and their typed errors work against it unchanged.
//
// It checks no signature and keeps nothing on disk.
package awslocal

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// accountID owns every queue and parameter.
const accountID = "000000000000"

// defaultRegion names ARNs when a request does not say its region.
const defaultRegion = "us-east-1"

// maxRequestBytes bounds a request body: above anything a client may send
// (a batch of ten 1 MiB messages, JSON-escaped), so that every request
// the SDK sends reaches the service's own size checks.
const maxRequestBytes = 64 << 20

// shutdownTimeout bounds how long Serve waits for requests in flight once
// its context is done; long polls end at once.
const shutdownTimeout = 5 * time.Second

// Server serves SQS and SSM on one endpoint, telling them apart by the
// X-Amz-Target header ("AmazonSQS.SendMessage", "AmazonSSM.GetParameter"),
// as an AWS endpoint URL override for both services expects.
type Server struct {
	sqs *SQS
	ssm *SSM
}

// NewServer returns a server for the two services; either may be nil, and
// its requests are then answered as an unknown operation.
func NewServer(sqs *SQS, ssm *SSM) *Server {
	return &Server{sqs: sqs, ssm: ssm}
}

// ServeHTTP routes the request to the service its target names.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, sqsTargetPrefix) && s.sqs != nil:
		s.sqs.ServeHTTP(w, r)
	case strings.HasPrefix(target, ssmTargetPrefix) && s.ssm != nil:
		s.ssm.ServeHTTP(w, r)
	default:
		writeError(w, "application/x-amz-json-1.0", unknownOperation(target))
	}
}

// Serve answers on ln until ctx is done, then stops: long polls in flight
// return at once, other requests get shutdownTimeout to finish. Queue
// URLs name ln's address from then on.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.sqs != nil {
		s.sqs.setEndpoint("http://" + ln.Addr().String())
	}
	// Requests' contexts derive from base, so that stopping ends the long
	// polls instead of waiting up to 20 seconds for them.
	base, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("awslocal: %w", err)
	case <-ctx.Done():
	}
	stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("awslocal: shut down: %w", errors.Join(err, srv.Close()))
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("awslocal: %w", err)
	}
	return nil
}

// ListenAndServe listens on addr (for a local stack, 127.0.0.1:port) and
// serves until ctx is done, as Serve does.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("awslocal: %w", err)
	}
	return s.Serve(ctx, ln)
}

// apiError is an error answer: the HTTP status, the error's name as the
// body's __type, and, for SQS, the code of its older query protocol,
// which the x-amzn-query-error header carries and the SDK reports as the
// error's code.
type apiError struct {
	status    int
	typ       string
	queryCode string
	message   string
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

func unknownOperation(target string) *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		typ:     "com.amazon.coral.service#UnknownOperationException",
		message: fmt.Sprintf("awslocal does not serve the operation %q", target),
	}
}

func serializationError(err error) *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		typ:     "com.amazon.coral.service#SerializationException",
		message: err.Error(),
	}
}

// operation answers one request: the decoded answer, or an error that is
// an *apiError for an answer the API defines.
type operation func(r *http.Request, body []byte) (any, error)

// serve reads the request's body, runs op and writes its answer in the
// protocol's content type.
func serve(w http.ResponseWriter, r *http.Request, contentType string, op operation) {
	w.Header().Set("x-amzn-RequestId", newID())
	if r.Method != http.MethodPost {
		writeError(w, contentType, &apiError{
			status:  http.StatusMethodNotAllowed,
			typ:     "com.amazon.coral.service#UnknownOperationException",
			message: "the AWS JSON protocol takes POST only",
		})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, contentType, serializationError(err))
		return
	}
	out, err := op(r, body)
	if err != nil {
		var apiErr *apiError
		if !errors.As(err, &apiErr) {
			apiErr = &apiError{status: http.StatusInternalServerError, typ: "InternalFailure", message: err.Error()}
		}
		writeError(w, contentType, apiErr)
		return
	}
	payload, err := json.Marshal(out)
	if err != nil {
		writeError(w, contentType, &apiError{status: http.StatusInternalServerError, typ: "InternalFailure", message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(payload)
}

// decode reads a request body into in; an empty body is an empty request.
func decode(body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return serializationError(err)
	}
	return nil
}

func writeError(w http.ResponseWriter, contentType string, e *apiError) {
	// Every error with a query code here is the caller's fault, which the
	// header's second part says.
	if e.queryCode != "" {
		w.Header().Set("x-amzn-query-error", e.queryCode+";Sender")
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.typ, e.message})
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(e.status)
	w.Write(body)
}

// requestRegion is the region the request was signed for, read from the
// credential scope of its SigV4 Authorization header.
func requestRegion(r *http.Request) string {
	_, scope, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return defaultRegion
	}
	scope, _, _ = strings.Cut(scope, ",")
	// access-key/date/region/service/aws4_request
	if parts := strings.Split(scope, "/"); len(parts) == 5 && parts[2] != "" {
		return parts[2]
	}
	return defaultRegion
}

// newID returns a random UUID (version 4), the form of SQS message ids
// and AWS request ids.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
