package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
)

func setupServe(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	rc := addReaderFlags(fs)
	bc := addBuildFlags(fs)
	ec := addEmailFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		preview, err := newPreview(ctx, *src, *rc, *bc, *ec, newLogger(errOut))
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "preview of %s on http://%s/ (Ctrl-C stops it)\n", *src, ln.Addr())
		return serveHTTP(ctx, ln, preview)
	}
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
