package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	digestfs "github.com/newsdigest/newsdigest/digest/fs"
	"github.com/newsdigest/newsdigest/digest/hermes"
	"github.com/newsdigest/newsdigest/digest/smtp"
)

// The embedded defaults of a local send: the example list into an outbox
// folder, with a ledger beside it.
const (
	defaultSubscribers    = "examples/subscribers.csv"
	defaultVia            = "outbox:out/outbox"
	defaultLedger         = "out/ledger"
	defaultFrom           = "The Newsdigest Daily <digest@newsdigest.example>"
	defaultListID         = "daily.newsdigest.example"
	defaultUnsubscribeURL = "https://newsdigest.example/unsubscribe"
	defaultKeyFile        = "out/unsubscribe.key"
	unsubscribeKeyEnv     = "NEWSDIGEST_UNSUBSCRIBE_KEY"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func setupSend(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	date := fs.String("date", "", "the edition's day, YYYY-MM-DD (default today, UTC)")
	subscribers := fs.String("subscribers", defaultSubscribers, "the list: a CSV or JSON Lines file, s3://bucket/key, or dynamodb://TABLE")
	via := fs.String("via", defaultVia, "how to send: outbox:DIR, smtp://host:port or ses")
	ledgerDir := fs.String("ledger", defaultLedger, "the send ledger: a folder or dynamodb://TABLE")
	from := fs.String("from", defaultFrom, "the sender, as Name <address>")
	listID := fs.String("list-id", defaultListID, "the List-Id, also what unsubscribe links are signed for")
	unsubscribeURL := fs.String("unsubscribe-url", defaultUnsubscribeURL, "the one-click unsubscribe endpoint")
	keyFile := fs.String("key-file", defaultKeyFile, "the unsubscribe signing key when "+unsubscribeKeyEnv+" is unset (made if missing)")
	dryRun := fs.Bool("dry-run", false, "build every message without sending or recording anything")
	var testTo stringList
	fs.Var(&testTo, "test-to", "send only to this address, unrecorded (repeatable): a test send")
	var dc digest.DeliveryConfig
	fs.Float64Var(&dc.Rate, "rate", 0, "messages a second at most (0: the SES account's rate for ses, else no limit)")
	fs.IntVar(&dc.Concurrency, "senders", 8, "messages in flight at once")
	rc := addReaderFlags(fs)
	bc := addBuildFlags(fs)
	ec := addEmailFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		day, err := parseDateFlag(*date)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		sender, err := mail.ParseAddress(*from)
		if err != nil {
			return fmt.Errorf("%w: --from %q: %v", errUsage, *from, err)
		}
		dc.From = digest.Address{Name: sender.Name, Email: sender.Address}
		dc.ListID, dc.ListName = *listID, ec.ProductName
		dc.UnsubscribeURL = *unsubscribeURL
		dc.DryRun = *dryRun
		logger := newLogger(errOut)

		key, err := unsubscribeKey(*keyFile)
		if err != nil {
			return err
		}
		tokens, err := digest.NewTokens(key)
		if err != nil {
			return err
		}
		renderer, err := hermes.NewRenderer(*ec)
		if err != nil {
			return err
		}
		store, err := openStore(ctx, *src)
		if err != nil {
			return err
		}
		edition, err := digest.BuildDay(ctx, digest.NewReader(*rc, store, logger), digest.NewBuilder(*bc, logger), day)
		if err != nil {
			return err
		}
		rendered, err := renderer.Render(edition)
		if err != nil {
			return err
		}
		transport, err := openSender(ctx, *via, &dc, logger)
		if err != nil {
			return err
		}
		var ledger digest.Ledger
		if len(testTo) == 0 && !*dryRun {
			if ledger, err = openLedger(ctx, *ledgerDir); err != nil {
				return err
			}
		}
		d, err := digest.NewDeliverer(dc, transport, ledger, tokens, logger)
		if err != nil {
			return err
		}
		issue := digest.Issue{Edition: day.String(), Copy: rendered, ViewURL: digest.ArchiveURL(bc.ArchiveBaseURL, day)}
		if len(testTo) > 0 {
			// A test send is its own edition in no ledger: an editor may
			// send it as often as they like.
			issue.Edition = "test-" + day.String()
		}

		bar := newProgressBar(errOut)
		var report digest.Report
		deliver := func(batch []digest.Subscriber) error {
			r, err := d.Deliver(ctx, issue, batch, bar.batch())
			report.Add(r)
			if err != nil {
				return err
			}
			if r.Stopped != "" {
				return errStopped
			}
			return nil
		}
		if len(testTo) > 0 {
			var batch []digest.Subscriber
			for _, a := range testTo {
				batch = append(batch, digest.Subscriber{Email: a, Status: digest.StatusActive})
			}
			err = deliver(batch)
		} else {
			var list digest.SubscriberLists
			if list, err = openSubscribers(ctx, *subscribers, logger); err != nil {
				return err
			}
			err = list.Active(ctx, 1000, deliver)
		}
		bar.finish()
		printReport(out, report)
		if err != nil && !errors.Is(err, errStopped) {
			return err
		}
		if len(report.Deferred) > 0 || len(report.Unrecorded) > 0 {
			return fmt.Errorf("%d not sent yet (run again to send them), %d sent but unrecorded", len(report.Deferred), len(report.Unrecorded))
		}
		return nil
	}
}

// errStopped ends the list's paging when a run stops (quota, sender down).
var errStopped = errors.New("the run stopped")

// openSender opens the transport named by --via.
func openSender(ctx context.Context, via string, dc *digest.DeliveryConfig, logger *slog.Logger) (digest.Sender, error) {
	switch {
	case strings.HasPrefix(via, "outbox:"):
		return digestfs.NewOutbox(strings.TrimPrefix(via, "outbox:"))
	case strings.HasPrefix(via, "smtp://"):
		return smtp.New(smtp.Config{Addr: strings.TrimPrefix(via, "smtp://"), Timeout: 30 * time.Second}, logger)
	case via == "ses":
		return openSES(ctx, dc, logger)
	}
	return nil, fmt.Errorf("%w: --via %q: want outbox:DIR, smtp://host:port or ses", errUsage, via)
}

// unsubscribeKey is the signing key: the environment's in production, or
// a local key file, made on first use.
func unsubscribeKey(file string) ([]byte, error) {
	if k := os.Getenv(unsubscribeKeyEnv); k != "" {
		return []byte(k), nil
	}
	key, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		key = []byte(rand.Text() + rand.Text())
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, key, 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	return key, err
}

// printReport is the summary at the end of a run.
func printReport(w io.Writer, r digest.Report) {
	if r.Built > 0 {
		fmt.Fprintf(w, "%s: dry run, %d messages built, none sent (%s)\n", r.Edition, r.Built, r.Elapsed.Round(time.Millisecond))
		return
	}
	fmt.Fprintf(w, "%s: %d sent, %d already sent, %d failed, %d left for the next run", r.Edition, r.Sent, r.AlreadySent, len(r.Failed), len(r.Deferred))
	if r.ClaimedElsewhere > 0 {
		fmt.Fprintf(w, ", %d being sent by another run", r.ClaimedElsewhere)
	}
	if r.Throttled > 0 {
		fmt.Fprintf(w, ", %d throttled answers retried", r.Throttled)
	}
	fmt.Fprintf(w, " (%s)\n", r.Elapsed.Round(time.Millisecond))
	if r.Stopped != "" {
		fmt.Fprintf(w, "stopped: %s\n", r.Stopped)
	}
	for _, p := range r.Failed {
		fmt.Fprintf(w, "  failed %s: %s\n", p.Email, p.Reason)
	}
	for _, p := range r.Unrecorded {
		fmt.Fprintf(w, "  sent but not recorded %s: %s\n", p.Email, p.Reason)
	}
}
