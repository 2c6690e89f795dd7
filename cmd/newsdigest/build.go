package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/newsdigest/newsdigest/digest"
)

// defaultArchiveURL is where editions would be published; set
// --archive-url to the real address.
const defaultArchiveURL = "https://newsdigest.example/archive"

func setupBuild(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	date := fs.String("date", "", "the edition's day, YYYY-MM-DD (default today, UTC)")
	format := fs.String("format", "json", "output: json, html or text")
	outFile := fs.String("out", "", "write to this file instead of standard output")
	rc := addReaderFlags(fs)
	var bc digest.BuildConfig
	fs.IntVar(&bc.MaxStories, "max-stories", 10, "stories in the edition (the editorial file may change it)")
	fs.IntVar(&bc.LeadWords, "lead-words", 60, "longest lead, in words")
	fs.BoolVar(&bc.Summarize, "summarize", false, "add an extractive summary of each story")
	fs.StringVar(&bc.ArchiveBaseURL, "archive-url", defaultArchiveURL, "web address of the edition archive; stories without an address link there")
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		write, ok := map[string]func(io.Writer, digest.Edition) error{
			"json": writeJSON, "html": digest.WriteHTML, "text": digest.WriteText,
		}[*format]
		if !ok {
			return fmt.Errorf("%w: --format %q: want json, html or text", errUsage, *format)
		}
		day, err := parseDateFlag(*date)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		store, err := openStore(ctx, *src)
		if err != nil {
			return err
		}
		logger := newLogger(errOut)
		reader := digest.NewReader(*rc, store, logger)
		d, err := reader.ReadDay(ctx, day)
		if err != nil {
			return err
		}
		if len(d.Articles) == 0 {
			return fmt.Errorf("no articles for %s in %s", day, *src)
		}
		ed, err := reader.ReadEditorial(ctx, day)
		if err != nil {
			d.Skipped = append(d.Skipped, digest.Skipped{Key: digest.EditorialKey(day), Error: err.Error() + " (the edition was built without it)"})
		}
		edition := digest.NewBuilder(bc, logger).Build(d, ed)

		if *outFile == "" {
			return write(out, edition)
		}
		f, err := os.Create(*outFile)
		if err != nil {
			return err
		}
		if err := write(f, edition); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

func writeJSON(w io.Writer, e digest.Edition) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(e)
}
