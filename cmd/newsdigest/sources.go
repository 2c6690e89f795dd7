package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
)

// defaultArticles is the example corpus, the embedded default source.
const defaultArticles = "examples/articles"

func addArticlesFlag(fs *flag.FlagSet) *string {
	return fs.String("articles", defaultArticles, "where articles are: a folder or s3://bucket/prefix")
}

func addReaderFlags(fs *flag.FlagSet) *digest.ReaderConfig {
	var rc digest.ReaderConfig
	fs.Int64Var(&rc.MaxBytes, "max-bytes", digest.DefaultMaxBytes, "skip article files larger than this many bytes")
	fs.Int64Var(&rc.MaxDayBytes, "max-day-bytes", 0, "leave a day's largest files out, reported, when its files list more than this many bytes (0: no cap)")
	fs.IntVar(&rc.Concurrency, "concurrency", 16, "article files read at once")
	fs.IntVar(&rc.Lookback, "lookback", 3, "earlier days whose titles resolve related headlines")
	return &rc
}

// openStore opens a folder, or an S3 bucket for an s3:// source. The S3
// client takes the usual AWS configuration from the environment, including
// AWS_ENDPOINT_URL_S3 for an S3-compatible server such as gofakes3.
func openStore(ctx context.Context, src string) (digest.ArticleStore, error) {
	if bucket, prefix, ok := parseS3(src); ok {
		return newS3Store(ctx, bucket, prefix)
	}
	store, err := digestfs.New(src)
	if err != nil {
		return nil, fmt.Errorf("articles: %w", err)
	}
	return store, nil
}

// openArchive opens the web archive: a folder, made if need be, or an S3
// bucket.
func openArchive(ctx context.Context, dest string) (digest.ArchiveStore, error) {
	if bucket, prefix, ok := parseS3(dest); ok {
		return newS3Store(ctx, bucket, prefix)
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	store, err := digestfs.New(dest)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return store, nil
}

// parseS3 splits s3://bucket/prefix.
func parseS3(src string) (bucket, prefix string, ok bool) {
	rest, ok := strings.CutPrefix(src, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, prefix, true
}

func newS3Store(ctx context.Context, bucket, prefix string) (*digests3.Store, error) {
	if bucket == "" {
		return nil, fmt.Errorf("s3://%s: no bucket name", prefix)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Local S3 servers answer on one host, not bucket.host.
		o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return digests3.New(client, bucket, prefix), nil
}

// newLogger logs warnings and errors to w; NEWSDIGEST_LOG=debug|info asks
// for more.
func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	_ = level.UnmarshalText([]byte(os.Getenv("NEWSDIGEST_LOG")))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
