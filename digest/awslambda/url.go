package awslambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// URLHandler serves an http.Handler behind a Lambda Function URL, in the
// buffered invoke mode: the preview and unsubscribe pages are small, and
// the buffered mode is what `sam local` and the runtime emulator speak.
type URLHandler struct {
	handler http.Handler
}

// NewURLHandler wraps the handler.
func NewURLHandler(h http.Handler) *URLHandler { return &URLHandler{handler: h} }

// maxURLBody bounds a request body: Function URLs take at most 6 MB, and
// no page of ours needs more than a small form.
const maxURLBody = 1 << 20

// Handle turns the Function URL request into an HTTP request, serves it
// and turns the answer back.
func (u *URLHandler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	r, err := httpRequest(ctx, req)
	if err != nil {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest, Body: "Bad request.",
			Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}}, nil
	}
	rec := httptest.NewRecorder()
	u.handler.ServeHTTP(rec, r)
	return urlResponse(rec.Result().StatusCode, rec.Header(), rec.Body.Bytes()), nil
}

func httpRequest(ctx context.Context, req events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	}
	if len(body) > maxURLBody {
		return nil, fmt.Errorf("body of %d bytes", len(body))
	}
	path := req.RawPath
	if path == "" {
		path = "/"
	}
	target := "https://" + req.RequestContext.DomainName + path
	if req.RawQueryString != "" {
		target += "?" + req.RawQueryString
	}
	method := req.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range req.Headers {
		r.Header.Set(k, v)
	}
	for _, c := range req.Cookies {
		r.Header.Add("Cookie", c)
	}
	r.RemoteAddr = req.RequestContext.HTTP.SourceIP
	r.RequestURI = r.URL.RequestURI()
	return r, nil
}

func urlResponse(status int, h http.Header, body []byte) events.LambdaFunctionURLResponse {
	resp := events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{}}
	for k, v := range h {
		if k == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, v...)
			continue
		}
		resp.Headers[k] = strings.Join(v, ", ")
	}
	if textual(h.Get("Content-Type")) && utf8.Valid(body) {
		resp.Body = string(body)
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return resp
}

func textual(contentType string) bool {
	return contentType == "" || strings.HasPrefix(contentType, "text/") ||
		strings.HasPrefix(contentType, "application/json") || strings.Contains(contentType, "+xml")
}
