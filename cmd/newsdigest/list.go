package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

func setupList(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	date := fs.String("date", "", "the day to list, YYYY-MM-DD (default today, UTC)")
	asJSON := fs.Bool("json", false, "print the day as one JSON object instead of a table")
	rc := addReaderFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		day, err := parseDateFlag(*date)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		store, err := openStore(ctx, *src)
		if err != nil {
			return err
		}
		d, err := digest.NewReader(*rc, store, newLogger(errOut)).ReadDay(ctx, day)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(d)
		}
		return printDayTable(out, *src, d)
	}
}

func parseDateFlag(s string) (digest.Date, error) {
	if s == "" {
		return digest.DateOf(time.Now().UTC()), nil
	}
	return digest.ParseDate(s)
}

// printDayTable prints one row per article and then the skipped files.
func printDayTable(w io.Writer, src string, d digest.Day) error {
	fmt.Fprintf(w, "%s — %d articles from %s", d.Date, len(d.Articles), src)
	if len(d.Skipped) > 0 {
		fmt.Fprintf(w, ", %d skipped", len(d.Skipped))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tFORMAT\tOUTLET\tSECTION\tRELATED\tTITLE")
	for _, a := range d.Articles {
		rank := "-"
		if a.Rank != nil {
			rank = fmt.Sprint(*a.Rank)
		}
		inCorpus := 0
		for _, r := range a.Related {
			if r.ID != "" {
				inCorpus++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d (%d here)\t%s\n", rank, a.Format, orDash(a.Source),
			orDash(a.Section), len(a.Related), inCorpus, shorten(a.Title, 72))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(d.Skipped) > 0 {
		fmt.Fprintln(w, "\nSkipped:")
		for _, s := range d.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", s.Key, s.Error)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}
