package awslambda

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	digesthttp "github.com/newsdigest/newsdigest/digest/http"
	"github.com/newsdigest/newsdigest/digest/ses"
)

// NewPreview is the editors' preview behind its Function URL: any day's
// edition as HTML, text or JSON, and test sends to the editors' own
// addresses, recorded in no ledger.
func NewPreview(ctx context.Context, cfg PreviewConfig, c Clients, logger *slog.Logger) (*URLHandler, error) {
	ed, err := newEditions(cfg.EditionConfig, false, c.S3, logger)
	if err != nil {
		return nil, err
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("FROM_ADDRESS %q: %w", cfg.From, err)
	}
	for _, e := range cfg.Editors {
		if _, err := mail.ParseAddress(e); err != nil {
			return nil, fmt.Errorf("EDITOR_ADDRESSES: %q: %w", e, err)
		}
	}
	tokens, err := unsubscribeTokens(ctx, c.SSM, cfg.KeyParameter)
	if err != nil {
		return nil, err
	}
	sender, err := ses.New(ses.Config{ConfigurationSet: cfg.ConfigurationSet}, c.SES, logger)
	if err != nil {
		return nil, err
	}
	tester, err := digest.NewDeliverer(digest.DeliveryConfig{
		From: digest.Address{Name: from.Name, Email: from.Address}, ListID: cfg.ListID, ListName: cfg.ProductName,
		UnsubscribeURL: cfg.UnsubscribeURL, Rate: 1,
	}, sender, nil, tokens, logger)
	if err != nil {
		return nil, err
	}
	render := func(e digest.Edition) (string, string, error) {
		rendered, err := ed.renderer.Render(e)
		if err != nil {
			return "", "", err
		}
		page, err := ed.webCopy(rendered, e.Date)
		return page.HTML, page.Text, err
	}
	testSend := func(ctx context.Context, day digest.Date, to []string) (digest.Report, error) {
		e, err := ed.build(ctx, day)
		if err != nil {
			return digest.Report{}, err
		}
		rendered, err := ed.renderer.Render(e)
		if err != nil {
			return digest.Report{}, err
		}
		readers := make([]digest.Subscriber, len(to))
		for i, a := range to {
			readers[i] = digest.Subscriber{Email: a, Status: digest.StatusActive}
		}
		// A test is its own edition in no ledger: an editor may send it
		// as often as they like, and it never stands in for the real one.
		issue := digest.Issue{Edition: "test-" + day.String(), Copy: rendered, ViewURL: digest.ArchiveURL(cfg.ArchiveURL, day)}
		return tester.Deliver(ctx, issue, readers, nil)
	}
	today := func() digest.Date { return ed.today(time.Now()) }
	var h http.Handler = digesthttp.NewPreview(ed.build, render, today, logger).WithTestSend(cfg.Editors, testSend)
	return NewURLHandler(h), nil
}
