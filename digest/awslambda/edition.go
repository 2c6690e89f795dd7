package awslambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"
	// Lambda's provided.al2023 image has no time zone database; the
	// newsletter's day depends on one.
	_ "time/tzdata"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
)

// The content bucket's layout: the day's articles (and the editors' files
// beside them) under articles/, the web archive under archive/, and each
// day's rendered email under issues/, where the send functions read it.
const articlesPrefix = "articles/"

// issueKey is where a day's rendered email is kept.
func issueKey(day digest.Date) string { return "issues/" + day.String() + ".json" }

// editions makes a day's edition and its email, as both the digest and the
// preview functions do.
type editions struct {
	settings EditionConfig
	location *time.Location
	reader   *digest.Reader
	builder  *digest.Builder
	renderer *hermes.Renderer
}

// newEditions builds what makes editions; keepIndex keeps each day's
// lookback index in the bucket (the digest function may write there, the
// preview only reads).
func newEditions(s EditionConfig, keepIndex bool, client *s3.Client, logger *slog.Logger) (*editions, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("TIME_ZONE %q: %w", s.TimeZone, err)
	}
	renderer, err := hermes.NewRenderer(hermes.Config{ProductName: s.ProductName, SiteURL: s.SiteURL, PostalAddress: s.PostalAddress})
	if err != nil {
		return nil, err
	}
	store := digests3.New(client, s.Bucket, articlesPrefix)
	return &editions{
		settings: s,
		location: loc,
		reader:   digest.NewReader(digest.ReaderConfig{Concurrency: 32, Lookback: 3, KeepIndex: keepIndex, MaxDayBytes: int64(s.MaxDayMB) << 20}, store, logger),
		builder:  digest.NewBuilder(digest.BuildConfig{MaxStories: s.MaxStories, ArchiveBaseURL: s.ArchiveURL}, logger),
		renderer: renderer,
	}, nil
}

// today is the date in the newsletter's time zone.
func (e *editions) today(now time.Time) digest.Date { return digest.DateOf(now.In(e.location)) }

func (e *editions) build(ctx context.Context, day digest.Date) (digest.Edition, error) {
	return digest.BuildDay(ctx, e.reader, e.builder, day)
}

// webCopy is the edition as the archive shows it.
func (e *editions) webCopy(rendered *hermes.Rendered, day digest.Date) (digest.Copy, error) {
	return rendered.Personalize(digest.WebPersonal(e.settings.SiteURL, e.settings.ArchiveURL, day))
}

// storedIssue is a day's issue as the digest function keeps it: the
// edition, from which the archive is published, and its email rendered
// once, which the send functions personalize.
type storedIssue struct {
	Edition digest.Edition   `json:"edition"`
	Email   *hermes.Rendered `json:"email"`
}

// issueStore keeps issues: the first of two writers of a day's issue wins.
type issueStore interface {
	digest.ArchiveStore
	PutIfAbsent(ctx context.Context, key string, body []byte, contentType string) (bool, error)
}

// readIssue reads a day's kept issue; a day not built yet is an error
// wrapping digest.ErrNotFound.
func readIssue(ctx context.Context, store digest.ArchiveStore, day digest.Date) (storedIssue, error) {
	obj, err := store.Open(ctx, issueKey(day))
	if err != nil {
		return storedIssue{}, err
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		return storedIssue{}, fmt.Errorf("read %s: %w", issueKey(day), err)
	}
	var issue storedIssue
	if err := json.Unmarshal(data, &issue); err != nil {
		return storedIssue{}, fmt.Errorf("read %s: %w", issueKey(day), err)
	}
	if issue.Email == nil {
		return storedIssue{}, fmt.Errorf("read %s: no email", issueKey(day))
	}
	return issue, nil
}
