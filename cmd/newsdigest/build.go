package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/hermes"
)

// The embedded defaults for a local run: an invented sender, so that the
// example edition renders as a complete email.
const (
	defaultArchiveURL    = "https://newsdigest.example/archive"
	defaultProductName   = "The Newsdigest Daily"
	defaultSiteURL       = "https://newsdigest.example"
	defaultPostalAddress = "Newsdigest, 1 Quay Street, Port Alder PA1 1AA, United Kingdom"
)

func addBuildFlags(fs *flag.FlagSet) *digest.BuildConfig {
	var bc digest.BuildConfig
	fs.IntVar(&bc.MaxStories, "max-stories", 10, "stories in the edition (the editorial file may change it)")
	fs.IntVar(&bc.LeadWords, "lead-words", 60, "longest lead, in words")
	fs.BoolVar(&bc.Summarize, "summarize", false, "add an extractive summary of each story")
	fs.StringVar(&bc.ArchiveBaseURL, "archive-url", defaultArchiveURL, "web address of the edition archive; stories without an address link there")
	return &bc
}

func addEmailFlags(fs *flag.FlagSet) *hermes.Config {
	ec := emailDefaults()
	fs.StringVar(&ec.ProductName, "product", ec.ProductName, "the newsletter's name, in the masthead")
	fs.StringVar(&ec.SiteURL, "site-url", ec.SiteURL, "the newsletter's web site")
	fs.StringVar(&ec.PostalAddress, "postal-address", ec.PostalAddress, "the sender's postal address, in the footer")
	return &ec
}

// emailDefaults is the embedded sender of local runs.
func emailDefaults() hermes.Config {
	return hermes.Config{ProductName: defaultProductName, SiteURL: defaultSiteURL, PostalAddress: defaultPostalAddress}
}

func setupBuild(fs *flag.FlagSet, out, errOut io.Writer) func(context.Context, []string) error {
	src := addArticlesFlag(fs)
	date := fs.String("date", "", "the edition's day, YYYY-MM-DD (default today, UTC)")
	format := fs.String("format", "json", "output: json, html (the email) or text (its plain-text part)")
	outFile := fs.String("out", "", "write to this file instead of standard output")
	outDir := fs.String("out-dir", "", "write edition.json, digest.html and digest.txt into this folder")
	archive := fs.String("archive", "", "also publish the edition to this web archive: a folder or s3://bucket/prefix")
	rc := addReaderFlags(fs)
	bc := addBuildFlags(fs)
	ec := addEmailFlags(fs)
	return func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, args[0])
		}
		if *format != "json" && *format != "html" && *format != "text" {
			return fmt.Errorf("%w: --format %q: want json, html or text", errUsage, *format)
		}
		day, err := parseDateFlag(*date)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
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
		edition, err := digest.BuildDay(ctx, digest.NewReader(*rc, store, logger), digest.NewBuilder(*bc, logger), day)
		if err != nil {
			return err
		}
		page, err := webCopy(renderer, edition, *bc, ec.SiteURL)
		if err != nil {
			return err
		}
		if *archive != "" {
			dest, err := openArchive(ctx, *archive)
			if err != nil {
				return err
			}
			if err := digest.Publish(ctx, dest, edition, []byte(page.HTML)); err != nil {
				return err
			}
		}
		if *outDir != "" {
			return writeAll(*outDir, edition, page)
		}
		return writeOutput(out, *outFile, func(w io.Writer) error {
			switch *format {
			case "html":
				_, err = io.WriteString(w, page.HTML)
			case "text":
				_, err = io.WriteString(w, page.Text)
			default:
				err = writeJSON(w, edition)
			}
			return err
		})
	}
}

// writeAll writes the edition's three forms into a folder.
func writeAll(dir string, e digest.Edition, page digest.Copy) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"edition.json", func(w io.Writer) error { return writeJSON(w, e) }},
		{"digest.html", func(w io.Writer) error { _, err := io.WriteString(w, page.HTML); return err }},
		{"digest.txt", func(w io.Writer) error { _, err := io.WriteString(w, page.Text); return err }},
	}
	for _, f := range files {
		if err := writeOutput(nil, filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

// writeOutput writes to the named file, or to out when there is none.
func writeOutput(out io.Writer, name string, write func(io.Writer) error) error {
	if name == "" {
		return write(out)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// webCopy is the edition as everyone may see it, in the web archive.
func webCopy(r *hermes.Renderer, e digest.Edition, bc digest.BuildConfig, siteURL string) (digest.Copy, error) {
	rendered, err := r.Render(e)
	if err != nil {
		return digest.Copy{}, err
	}
	return rendered.Personalize(digest.WebPersonal(siteURL, bc.ArchiveBaseURL, e.Date))
}

func writeJSON(w io.Writer, e digest.Edition) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(e)
}
