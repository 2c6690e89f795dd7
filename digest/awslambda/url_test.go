package awslambda

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestURLHandler(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Query", r.URL.Query().Get("date"))
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Type", r.Header.Get("Content-Type"))
		w.Header().Add("Set-Cookie", "a=1")
		if r.URL.Query().Get("binary") != "" {
			w.Header().Set("Content-Type", "image/png")
		} else {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(http.StatusTeapot)
		w.Write(body)
	})
	tests := []struct {
		name       string
		req        events.LambdaFunctionURLRequest
		wantStatus int
		wantBody   string
		wantB64    bool
		wantHeader map[string]string
	}{
		{"GET with a query", events.LambdaFunctionURLRequest{RawPath: "/x", RawQueryString: "date=2026-11-26",
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET"}}},
			http.StatusTeapot, "", false, map[string]string{"X-Method": "GET", "X-Query": "2026-11-26", "X-Path": "/x"}},
		{"base64 POST body", events.LambdaFunctionURLRequest{Body: base64.StdEncoding.EncodeToString([]byte("List-Unsubscribe=One-Click")), IsBase64Encoded: true,
			Headers:        map[string]string{"content-type": "application/x-www-form-urlencoded"},
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST"}}},
			http.StatusTeapot, "List-Unsubscribe=One-Click", false, map[string]string{"X-Method": "POST", "X-Path": "/", "X-Type": "application/x-www-form-urlencoded"}},
		{"binary answer", events.LambdaFunctionURLRequest{RawQueryString: "binary=1", Body: "\x89PNG"},
			http.StatusTeapot, base64.StdEncoding.EncodeToString([]byte("\x89PNG")), true, map[string]string{"X-Method": "GET"}},
		{"broken base64 body", events.LambdaFunctionURLRequest{Body: "%%%", IsBase64Encoded: true},
			http.StatusBadRequest, "Bad request.", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewURLHandler(echo).Handle(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.StatusCode != tt.wantStatus || got.Body != tt.wantBody || got.IsBase64Encoded != tt.wantB64 {
				t.Errorf("status %d body %q base64 %v; want %d %q %v", got.StatusCode, got.Body, got.IsBase64Encoded, tt.wantStatus, tt.wantBody, tt.wantB64)
			}
			for k, v := range tt.wantHeader {
				if got.Headers[k] != v {
					t.Errorf("header %s = %q, want %q", k, got.Headers[k], v)
				}
			}
			if tt.wantStatus == http.StatusTeapot && (len(got.Cookies) != 1 || got.Cookies[0] != "a=1") {
				t.Errorf("cookies %q, want [a=1]", got.Cookies)
			}
		})
	}
}
