package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

// previewTokenEnv holds the preview's token when --token is not given:
// the environment, unlike the command line, is not shown to every user
// of the machine.
const previewTokenEnv = "NEWSDIGEST_PREVIEW_TOKEN"

// minPreviewToken is the shortest token accepted, in bytes.
const minPreviewToken = 16

func setupServe(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on; beyond loopback only with a token")
	token := fs.String("token", "", "require `TOKEN` on every request, as Authorization: Bearer TOKEN or, from a browser, as the password it asks for (default $"+previewTokenEnv+")")
	rc := addReaderFlags(fs)
	bc := addBuildFlags(fs)
	ec := addEmailFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		secret := *token
		if secret == "" {
			secret = os.Getenv(previewTokenEnv)
		}
		if secret != "" && len(secret) < minPreviewToken {
			return fmt.Errorf("the preview token is %d characters long; use at least %d (openssl rand -base64 32)", len(secret), minPreviewToken)
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		if secret == "" && !isLoopback(ln.Addr()) {
			ln.Close()
			return fmt.Errorf("refusing to serve the preview on %s without a token: it shows editions before they are sent to anyone who can reach it; "+
				"listen on 127.0.0.1, or set --token or %s", ln.Addr(), previewTokenEnv)
		}
		preview, err := newPreview(ctx, *src, *rc, *bc, *ec, newLogger(errOut))
		if err != nil {
			ln.Close()
			return err
		}
		var h http.Handler
		if secret != "" {
			h = requireToken(secret, preview)
		} else {
			h = loopbackOnly(preview)
		}
		fmt.Fprintf(out, "preview of %s on http://%s/ (Ctrl-C stops it)\n", *src, ln.Addr())
		return serveHTTP(ctx, ln, h)
	}
}

// isLoopback reports whether the listener's address is reachable from
// this machine only.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// requireToken serves only requests that carry the token: as a bearer
// token, or as the password of Basic authentication, which is what a
// browser can be asked for. Anything else is answered 401 with the
// challenges. Both sides are hashed before they are compared in constant
// time, so that neither the token's length nor how much of it a guess got
// right shows in the time taken.
func requireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if given, ok := presentedToken(r); ok {
			got := sha256.Sum256([]byte(given))
			if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
				next.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsdigest preview"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="newsdigest preview", charset="UTF-8"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.Error(w, "This preview needs its token: send Authorization: Bearer TOKEN.", http.StatusUnauthorized)
	})
}

// presentedToken is the token a request carries, if any.
func presentedToken(r *http.Request) (string, bool) {
	scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest), true
	}
	if _, password, ok := r.BasicAuth(); ok {
		return password, true
	}
	return "", false
}

// loopbackOnly serves a preview without a token, on loopback, only to
// requests addressed to this machine by name: a web page whose host name
// an attacker points at 127.0.0.1 (DNS rebinding) would otherwise read
// the preview through the editor's browser.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			http.Error(w, "This preview answers requests to 127.0.0.1 or localhost only.", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveHTTP serves handler on ln until ctx is done, then shuts the server
// down, giving the requests in flight 5 seconds to finish.
func serveHTTP(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return errors.Join(err, srv.Close())
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newPreview wires the preview handler to the article store, the edition
// builder and the email renderer, as the command line configures them.
func newPreview(ctx context.Context, src string, rc digest.ReaderConfig, bc digest.BuildConfig, ec hermes.Config, logger *slog.Logger) (http.Handler, error) {
	renderer, err := hermes.NewRenderer(ec)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, src)
	if err != nil {
		return nil, err
	}
	reader, builder := digest.NewReader(rc, store, logger), digest.NewBuilder(bc, logger)
	return digesthttp.NewPreview(
		func(ctx context.Context, day digest.Date) (digest.Edition, error) {
			return digest.BuildDay(ctx, reader, builder, day)
		},
		func(e digest.Edition) (string, string, error) {
			m, err := webCopy(renderer, e, bc, ec.SiteURL)
			return m.HTML, m.Text, err
		},
		func() digest.Date { return digest.DateOf(time.Now().UTC()) },
		logger,
	), nil
}
