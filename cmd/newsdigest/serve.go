package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
		renderer, err := hermes.NewRenderer(*ec)
		if err != nil {
			return err
		}
		store, err := openStore(ctx, *src)
		if err != nil {
			return err
		}
		logger := newLogger(errOut)
		reader, builder := digest.NewReader(*rc, store, logger), digest.NewBuilder(*bc, logger)
		preview := digesthttp.NewPreview(
			func(ctx context.Context, day digest.Date) (digest.Edition, error) {
				return buildEdition(ctx, reader, builder, day)
			},
			func(e digest.Edition) (string, string, error) {
				m, err := webCopy(renderer, e, *bc, ec.SiteURL)
				return m.HTML, m.Text, err
			},
			func() digest.Date { return digest.DateOf(time.Now().UTC()) },
			logger,
		)
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: preview, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shutdown)
		}()
		fmt.Fprintf(out, "preview of %s on http://%s/ (Ctrl-C stops it)\n", *src, ln.Addr())
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
