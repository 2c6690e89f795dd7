// Command newsdigest is the command line for editors and developers: it
// reads articles from a folder or S3 and (as the product grows) builds,
// previews and sends editions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"unicode"
	"unicode/utf8"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: its flags are defined by setup, which returns
// the function that runs it.
type command struct {
	name    string
	args    string
	summary string
	setup   func(fs *flag.FlagSet, out, errOut io.Writer) func(ctx context.Context, args []string) error
}

var commands = []command{
	{"parse", "FILE...", "read article files and print each as one JSON object", setupParse},
	{"list", "[flags]", "list a day's articles from a folder or S3 as a table or JSON", setupList},
	{"eval-summaries", "DIR [--words N]", "score leads and summaries against reference summaries with ROUGE", setupEvalSummaries},
	{"build", "[flags]", "build a day's edition: stories clustered, ranked and explained", setupBuild},
	{"send", "[flags]", "send a day's edition to the list: outbox, SMTP or SES, each reader at most once", setupSend},
	{"subscribers", "import FILE|s3://bucket/key [--into FILE|dynamodb://TABLE]", "import a CSV or JSON Lines list, idempotently", setupSubscribers},
	{"serve", "[flags]", "serve the editor's preview: any day's email, text and JSON side by side", setupServe},
	{"gen-corpus", "--out DIR [flags]", "write a synthetic day of articles with known duplicate groups", setupGenCorpus},
	{"stack", "[flags]", "run the local stand-ins of infra/env.json (S3, DynamoDB, SES, SQS, SSM), seeded with the examples", setupStack},
}

// errUsage reports a mistake in the command line; its usage text is printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(errOut)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		fs.SetOutput(errOut)
		exec := c.setup(fs, out, errOut)
		fs.Usage = func() {
			fmt.Fprintf(errOut, "Usage: newsdigest %s %s\n\n%s.\n", c.name, c.args, capitalize(c.summary))
			if hasFlags(fs) {
				fmt.Fprintln(errOut, "\nFlags:")
				fs.PrintDefaults()
			}
		}
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		err := exec(ctx, fs.Args())
		switch {
		case errors.Is(err, errUsage):
			fmt.Fprintf(errOut, "newsdigest %s: %v\n", c.name, err)
			fs.Usage()
			return 2
		case err != nil:
			fmt.Fprintf(errOut, "newsdigest %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(errOut, "newsdigest: unknown command %q\n\n", args[0])
	printUsage(errOut)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: newsdigest COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'newsdigest COMMAND --help' for a command's flags.")
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}
