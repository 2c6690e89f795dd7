package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/synth"
)

func setupGenCorpus(fs *flag.FlagSet, out, _ io.Writer) func(context.Context, []string) error {
	dir := fs.String("out", "", "folder to write the day into (as DIR/YYYY/MM/DD/)")
	date := fs.String("date", "2026-11-25", "the day, YYYY-MM-DD")
	n := fs.Int("articles", 1000, "how many articles")
	seed := fs.Uint64("seed", 1, "random seed: the same seed writes the same files")
	dup := fs.Float64("duplicates", 0.33, "share of articles in groups of 2 to 4 outlets reporting one event")
	return func(_ context.Context, args []string) error {
		if len(args) > 0 || *dir == "" {
			return fmt.Errorf("%w: --out is required", errUsage)
		}
		day, err := digest.ParseDate(*date)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		files := synth.Generate(synth.Options{
			Articles: *n, Seed: *seed, DuplicateShare: *dup,
			Date: time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, time.UTC),
		})
		folder := filepath.Join(*dir, filepath.FromSlash(day.Path()))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return err
		}
		events := map[int][]string{}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(folder, f.Name), f.Data, 0o644); err != nil {
				return err
			}
			events[f.Event] = append(events[f.Event], f.Name)
		}
		// The known duplicate groups, beside (not inside) the day's folder.
		var groups [][]string
		for _, names := range events {
			if len(names) > 1 {
				groups = append(groups, names)
			}
		}
		truth, err := json.MarshalIndent(map[string]any{"date": day.String(), "groups": groups}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, "groups-"+day.String()+".json"), truth, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %d articles (%d duplicate groups) to %s\n", len(files), len(groups), folder)
		return nil
	}
}
