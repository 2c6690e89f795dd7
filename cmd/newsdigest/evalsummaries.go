package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/rouge"
)

// setupEvalSummaries measures leads and summaries against reference
// summaries with ROUGE, next to two baselines, all at the same word budget:
// a longer text would score higher for its length alone.
func setupEvalSummaries(flags *flag.FlagSet, out, _ io.Writer) func(context.Context, []string) error {
	words := flags.Int("words", digest.DefaultLeadWords, "word budget of every system")
	return func(ctx context.Context, args []string) error {
		if len(args) == 0 {
			return fmt.Errorf("%w: no folder given", errUsage)
		}
		// Flags may follow the folder: "eval-summaries DIR --words 40". run
		// reports a mistake in them with the usage, so the flag package
		// must not as well.
		dir := args[0]
		usage, output := flags.Usage, flags.Output()
		flags.Usage = func() {}
		flags.SetOutput(io.Discard)
		err := flags.Parse(args[1:])
		flags.Usage = usage
		flags.SetOutput(output)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if flags.NArg() > 0 {
			return fmt.Errorf("%w: one folder only, got %q too", errUsage, flags.Args())
		}
		if *words <= 0 {
			return fmt.Errorf("%w: --words must be positive", errUsage)
		}
		e, err := evaluate(ctx, dir, *words)
		if err != nil {
			return err
		}
		return e.write(out)
	}
}

// evalSystem is one way of shortening an article to a word budget.
type evalSystem struct {
	name    string
	shorten func(a *digest.Article, words int) string
}

func evalSystems(words int) []evalSystem {
	return []evalSystem{
		{fmt.Sprintf("first-%d-words", words), firstWords},
		{"lead-3", leadThree},
		{"lead", func(a *digest.Article, n int) string { return digest.Lead(a, digest.LeadOptions{MaxWords: n}).Text }},
		{"summary", digest.Summarize},
	}
}

// firstWords is the body's first n words, wherever they end.
func firstWords(a *digest.Article, n int) string {
	words := strings.Fields(strings.Join(a.Paragraphs, " "))
	return strings.Join(words[:min(n, len(words))], " ")
}

// leadThree is the body's first three sentences, cut to n words.
func leadThree(a *digest.Article, n int) string {
	var sentences []string
	for _, p := range a.Paragraphs {
		sentences = append(sentences, digest.SplitSentences(p)...)
		if len(sentences) >= 3 {
			break
		}
	}
	words := strings.Fields(strings.Join(sentences[:min(3, len(sentences))], " "))
	return strings.Join(words[:min(n, len(words))], " ")
}

// evalTotals adds up one system's scores over a set of articles.
type evalTotals struct {
	r1, r2, rl float64
	words      int
	cut        int // texts that end mid-sentence
}

// evaluation holds the totals per category and system.
type evaluation struct {
	words      int
	systems    []evalSystem
	categories []string
	articles   map[string]int
	totals     map[string][]evalTotals // category → one per system
}

// evaluate scores every article of dir/articles/<category>/NAME.txt against
// dir/summaries/<category>/NAME.txt.
func evaluate(ctx context.Context, dir string, words int) (*evaluation, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "articles", "*", "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no articles in %s: want articles/<category>/NAME.txt", dir)
	}
	slices.Sort(paths)
	e := &evaluation{words: words, systems: evalSystems(words), articles: map[string]int{}, totals: map[string][]evalTotals{}}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		category := filepath.Base(filepath.Dir(path))
		a, err := readEvalArticle(path)
		if err != nil {
			return nil, err
		}
		refPath := filepath.Join(dir, "summaries", category, filepath.Base(path))
		ref, err := os.ReadFile(refPath)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no reference summary: %w", path, err)
		} else if err != nil {
			return nil, fmt.Errorf("reading the reference summary: %w", err)
		}
		if _, ok := e.totals[category]; !ok {
			e.categories = append(e.categories, category)
			e.totals[category] = make([]evalTotals, len(e.systems))
		}
		e.articles[category]++
		for i, sys := range e.systems {
			text := sys.shorten(&a, words)
			s := rouge.Compare(text, string(ref))
			t := &e.totals[category][i]
			t.r1 += s.R1.F1
			t.r2 += s.R2.F1
			t.rl += s.RL.F1
			t.words += len(strings.Fields(text))
			if endsMidSentence(text) {
				t.cut++
			}
		}
	}
	return e, nil
}

// endsMidSentence reports a text cut inside a sentence: one that ends
// without a full stop, question or exclamation mark, or with the ellipsis
// that marks a lead cut at a word.
func endsMidSentence(text string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text, `"'”’)`))
	return !strings.ContainsRune(".!?", last)
}

// readEvalArticle reads an evaluation article: the headline on line 1, a
// blank line, then blank-line separated paragraphs. It is not read with
// digest.Parse, whose text format expects a standfirst and an outlet line.
func readEvalArticle(path string) (digest.Article, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return digest.Article{}, fmt.Errorf("reading the article: %w", err)
	}
	text := strings.ReplaceAll(strings.ToValidUTF8(string(data), "\uFFFD"), "\r\n", "\n")
	title, body, _ := strings.Cut(strings.TrimSpace(text), "\n")
	a := digest.Article{Key: path, Title: strings.TrimSpace(title)}
	for p := range strings.SplitSeq(body, "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			a.Paragraphs = append(a.Paragraphs, p)
		}
	}
	if len(a.Paragraphs) == 0 {
		return digest.Article{}, fmt.Errorf("%s: no paragraphs after the headline", path)
	}
	return a, nil
}

// write prints the mean scores of every system, over all articles and per
// category.
func (e *evaluation) write(out io.Writer) error {
	all := make([]evalTotals, len(e.systems))
	n := 0
	for _, c := range e.categories {
		n += e.articles[c]
		for i, t := range e.totals[c] {
			all[i].r1 += t.r1
			all[i].r2 += t.r2
			all[i].rl += t.rl
			all[i].words += t.words
			all[i].cut += t.cut
		}
	}
	fmt.Fprintf(out, "%d articles, every system at most %d words; mean ROUGE F1 against the reference summaries\n\n", n, e.words)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "category\tarticles\tsystem\tROUGE-1\tROUGE-2\tROUGE-L\tmean words\tends mid-sentence")
	writeRows := func(category string, count int, totals []evalTotals) {
		label := fmt.Sprintf("%s\t%d", category, count)
		for i, t := range totals {
			f := float64(count)
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.1f\t%d\n", label, e.systems[i].name,
				t.r1/f, t.r2/f, t.rl/f, float64(t.words)/f, t.cut)
			label = "\t"
		}
	}
	writeRows("all", n, all)
	if len(e.categories) > 1 {
		for _, c := range e.categories {
			writeRows(c, e.articles[c], e.totals[c])
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	return nil
}
