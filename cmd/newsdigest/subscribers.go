package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/newsdigest/newsdigest/digest"
)

// defaultSubscriberStore is the local subscriber "table".
const defaultSubscriberStore = "out/subscribers.csv"

func setupSubscribers(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	into := fs.String("into", defaultSubscriberStore, "the list to import into: a CSV file or dynamodb://TABLE")
	return func(ctx context.Context, args []string) error {
		if len(args) < 2 || args[0] != "import" {
			return fmt.Errorf("%w: want: subscribers import FILE|s3://bucket/key", errUsage)
		}
		// Flags may follow the file, as the usage line shows them.
		if err := fs.Parse(args[2:]); err != nil || fs.NArg() > 0 {
			return fmt.Errorf("%w: unexpected arguments %q", errUsage, args[2:])
		}
		src := args[1]
		subs, bad, err := readSubscriberFile(ctx, src)
		if err != nil {
			return err
		}
		reportBadRows(errOut, src, bad)
		store, err := openImportTarget(ctx, *into, newLogger(errOut))
		if err != nil {
			return err
		}
		report, err := store.Import(ctx, subs)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s into %s: %d added, %d updated, %d unchanged, %d kept suppressed, %d rows refused\n",
			src, *into, report.Added, report.Updated, report.Unchanged, report.KeptSuppressed, len(bad))
		if len(subs) == 0 && len(bad) > 0 {
			return fmt.Errorf("no row of %s could be used", src)
		}
		return nil
	}
}

// reportBadRows prints the rows of a list file that were refused, each as
// file:line: reason.
func reportBadRows(w io.Writer, src string, bad []digest.RowError) {
	for _, b := range bad {
		fmt.Fprintf(w, "%s:%d: %s\n", src, b.Line, b.Error)
	}
}
