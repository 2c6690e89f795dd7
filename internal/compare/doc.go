// Package compare puts the project's approaches side by side with the
// approach a peer would take, on the same input in one benchmark run:
//
//   - the email: a full hermes render for every recipient, the reader's
//     name and links in the template (hermes.Renderer.RenderFor), against rendering the
//     edition once and splicing each reader's values in
//     (hermes.Rendered.Personalize);
//   - same-event clustering: digest's clusterer, driven through
//     digest.Builder, against SimHash near-duplicate detection with
//     github.com/mfonda/simhash (SimHashClusters), scored on the labelled
//     events of digest/testdata/events and timed on a synthetic day;
//   - leads and summaries: digest.Lead and digest.Summarize against the
//     excerpts a newsletter would take without them, the first N words
//     (FirstWords) and the first sentences (FirstSentences).
//
// `go test -run '^$' -bench . ./internal/compare` prints the table; the
// tests check that each comparison compares like with like. BENCHMARKS.md
// ("Side by side with peer approaches") reports and reads the figures.
package compare
