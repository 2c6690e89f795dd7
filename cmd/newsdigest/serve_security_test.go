package main

// The local preview shows editions before they are sent. With a token
// (--token or NEWSDIGEST_PREVIEW_TOKEN) every request needs it; without
// one it listens on loopback only, and answers only requests addressed to
// loopback by name.

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const secPreviewToken = "preview-token-0123456789abcdef"

func TestPreviewTokenIsRequired(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the preview") })
	h := requireToken(secPreviewToken, ok)
	tests := []struct {
		name   string
		header string // Authorization
		target string
		want   int
	}{
		{"the token", "Bearer " + secPreviewToken, "/", http.StatusOK},
		{"the scheme in lower case", "bearer " + secPreviewToken, "/?date=2026-11-26&format=json", http.StatusOK},
		{"the token as Basic's password", "Basic " + basic("editor", secPreviewToken), "/", http.StatusOK},
		{"no Authorization", "", "/", http.StatusUnauthorized},
		{"the token in the query", "", "/?token=" + secPreviewToken + "&access_token=" + secPreviewToken, http.StatusUnauthorized},
		{"an empty bearer token", "Bearer ", "/", http.StatusUnauthorized},
		{"Bearer alone", "Bearer", "/", http.StatusUnauthorized},
		{"a wrong token", "Bearer preview-token-0123456789abcdeX", "/", http.StatusUnauthorized},
		{"the token but its last character", "Bearer " + secPreviewToken[:len(secPreviewToken)-1], "/", http.StatusUnauthorized},
		{"the token and one more character", "Bearer " + secPreviewToken + "0", "/", http.StatusUnauthorized},
		{"the token twice", "Bearer " + secPreviewToken + secPreviewToken, "/", http.StatusUnauthorized},
		{"the token in another case", "Bearer " + strings.ToUpper(secPreviewToken), "/", http.StatusUnauthorized},
		{"the token as Basic's user name", "Basic " + basic(secPreviewToken, ""), "/", http.StatusUnauthorized},
		{"the token as the scheme", secPreviewToken, "/", http.StatusUnauthorized},
		{"another scheme", "Token " + secPreviewToken, "/", http.StatusUnauthorized},
		{"the token with a NUL after it", "Bearer " + secPreviewToken + "\x00", "/", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusOK {
				if rec.Body.String() != "the preview" {
					t.Errorf("body %q", rec.Body)
				}
				return
			}
			challenges := rec.Header().Values("WWW-Authenticate")
			if len(challenges) == 0 || !strings.HasPrefix(challenges[0], "Bearer ") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge first", challenges)
			}
			if strings.Contains(rec.Body.String(), "the preview") || strings.Contains(rec.Body.String(), secPreviewToken) {
				t.Errorf("the refusal shows %q", rec.Body)
			}
		})
	}
	// Other methods are refused alike.
	for _, method := range []string{http.MethodPost, http.MethodHead, http.MethodOptions} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/", strings.NewReader("date=2026-11-26")))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without the token: status %d", method, rec.Code)
		}
	}
}

func basic(user, password string) string {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// syncBuffer is a bytes.Buffer the server's goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingOn = regexp.MustCompile(`on (http://\S+/) `)

// startServe runs `newsdigest serve` with args until the test ends and
// returns its address, or "" and the exit code if it stopped.
func startServe(t *testing.T, args ...string) (string, int, string) {
	t.Helper()
	chdirRoot(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.After(30 * time.Second)
	for {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			return m[1], 0, errOut.String()
		}
		select {
		case code := <-done:
			done <- code
			return "", code, errOut.String()
		case <-deadline:
			t.Fatalf("serve did not start: %s %s", out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestServeNeedsATokenBeyondLoopback(t *testing.T) {
	tests := []struct {
		name, addr, token, env string
		// starts: it serves; else it stops with an error saying wantErr.
		starts  bool
		wantErr string
	}{
		{"loopback without a token (make preview)", "127.0.0.1:0", "", "", true, ""},
		{"localhost without a token", "localhost:0", "", "", true, ""},
		{"every address without a token", "0.0.0.0:0", "", "", false, "without a token"},
		{"every address, by port alone, without a token", ":0", "", "", false, "without a token"},
		{"every address with --token", "0.0.0.0:0", secPreviewToken, "", true, ""},
		{"every address with the environment's token", "0.0.0.0:0", "", secPreviewToken, true, ""},
		{"a token too short", "127.0.0.1:0", "short", "", false, "at least 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(previewTokenEnv, tt.env)
			args := []string{"--addr", tt.addr}
			if tt.token != "" {
				args = append(args, "--token", tt.token)
			}
			base, code, stderr := startServe(t, args...)
			if !tt.starts {
				if base != "" || code != 1 || !strings.Contains(stderr, tt.wantErr) {
					t.Errorf("serve on %s: address %q, exit %d, stderr %q; want exit 1 saying %q", tt.addr, base, code, stderr, tt.wantErr)
				}
				return
			}
			if base == "" {
				t.Fatalf("serve on %s stopped: exit %d, %s", tt.addr, code, stderr)
			}
			// Reach it on loopback, whatever it listens on.
			url := regexp.MustCompile(`//[^/]*:`).ReplaceAllString(base, "//127.0.0.1:") + "?date=2026-11-26&format=json"
			get := func(auth string) int {
				req, err := http.NewRequest(http.MethodGet, url, nil)
				if err != nil {
					t.Fatal(err)
				}
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			token := tt.token + tt.env
			if token == "" {
				if got := get(""); got != http.StatusOK {
					t.Errorf("without a token configured: status %d, want 200", got)
				}
				return
			}
			if got := get(""); got != http.StatusUnauthorized {
				t.Errorf("no token: status %d, want 401", got)
			}
			if got := get("Bearer " + token + "x"); got != http.StatusUnauthorized {
				t.Errorf("a wrong token: status %d, want 401", got)
			}
			if got := get("Bearer " + token); got != http.StatusOK {
				t.Errorf("the token: status %d, want 200", got)
			}
		})
	}
}

// TestServeWithoutATokenAnswersLoopbackNamesOnly: a page elsewhere that
// points its own host name at 127.0.0.1 (DNS rebinding) gets nothing.
func TestServeWithoutATokenAnswersLoopbackNamesOnly(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the preview") })
	h := loopbackOnly(ok)
	for host, want := range map[string]int{
		"127.0.0.1:8080": http.StatusOK, "localhost:8080": http.StatusOK, "LOCALHOST": http.StatusOK, "[::1]:8080": http.StatusOK,
		"127.0.0.2:8080": http.StatusOK, "evil.example:8080": http.StatusMisdirectedRequest, "evil.example": http.StatusMisdirectedRequest,
		"localhost.evil.example": http.StatusMisdirectedRequest, "192.168.1.10:8080": http.StatusMisdirectedRequest,
		"127.0.0.1.nip.io:8080": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %q: status %d, want %d", host, rec.Code, want)
		}
	}
}

// TestPreviewTokenComparedInConstantTime reads serve.go: the token is
// compared with subtle.ConstantTimeCompare, never with == or the like. A
// timing measurement would be too noisy to pass or fail reliably.
func TestPreviewTokenComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "serve.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && (d.Name.Name == "requireToken" || d.Name.Name == "presentedToken") {
			if d.Name.Name == "requireToken" {
				fn = d
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BinaryExpr:
					if n.Op == token.EQL || n.Op == token.NEQ {
						if id, ok := n.X.(*ast.Ident); ok && (id.Name == "token" || id.Name == "given" || id.Name == "rest" || id.Name == "password") {
							t.Errorf("%s: the token compared with %s", fset.Position(n.Pos()), n.Op)
						}
					}
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.Ident); ok && (x.Name == "bytes" || x.Name == "strings") && (n.Sel.Name == "Equal" || n.Sel.Name == "Compare" || n.Sel.Name == "HasPrefix") {
						t.Errorf("%s: %s.%s near the token", fset.Position(n.Pos()), x.Name, n.Sel.Name)
					}
				}
				return true
			})
		}
	}
	if fn == nil {
		t.Fatal("serve.go has no requireToken")
	}
	constant := false
	ast.Inspect(fn, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "subtle" && sel.Sel.Name == "ConstantTimeCompare" {
				constant = true
			}
		}
		return true
	})
	if !constant {
		t.Error("requireToken does not compare with subtle.ConstantTimeCompare")
	}
}
