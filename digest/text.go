package digest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseText reads the scraper's plain-text format: line 1 the headline, then
// blank-line separated blocks — the standfirst, the outlet's name, the body
// paragraphs and, last, the outlet's related-headlines module run together
// on one line. Damaged files (a missing standfirst or outlet line, wrapped
// paragraphs) are read as well as their shape allows.
func parseText(text string) (Article, error) {
	blocks := splitBlocks(text)
	if len(blocks) == 0 {
		return Article{}, errors.New("empty file")
	}
	a := Article{Title: blocks[0][0]}
	var rest []string
	if len(blocks[0]) > 1 {
		rest = append(rest, strings.Join(blocks[0][1:], " "))
	}
	for _, b := range blocks[1:] {
		rest = append(rest, strings.Join(b, " "))
	}

	switch {
	case len(rest) >= 2 && isOutletLine(rest[1]):
		a.Dek, a.Source, rest = rest[0], rest[1], rest[2:]
	case len(rest) >= 1 && isOutletLine(rest[0]):
		a.Source, rest = rest[0], rest[1:]
		a.Warnings = append(a.Warnings, "no standfirst before the outlet's name")
	case len(rest) >= 2:
		a.Dek, rest = rest[0], rest[1:]
		a.Warnings = append(a.Warnings, "no outlet name line")
	}
	if n := len(rest); n >= 2 && isRelatedRun(rest[n-1]) {
		a.RelatedRun, rest = rest[n-1], rest[:n-1]
		if words := wordCount(a.RelatedRun); words > maxRelatedRunWords {
			a.RelatedRun = ""
			a.Warnings = append(a.Warnings, fmt.Sprintf("related headlines line of %d words dropped: over the %d an outlet's module has", words, maxRelatedRunWords))
		}
	}
	a.Paragraphs = rest
	return a, nil
}

// maxRelatedRunWords bounds a related-headlines line: a module lists a few
// headlines, and splitting one costs memory by the word.
const maxRelatedRunWords = 2000

// splitBlocks splits text into blank-line separated blocks of trimmed lines.
func splitBlocks(text string) [][]string {
	var blocks [][]string
	var cur []string
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if cur != nil {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		blocks = append(blocks, cur)
	}
	return blocks
}

// isOutletLine tells an outlet's name ("Duvar English", "The Meridian
// Times") from a standfirst or a paragraph: short, capitalized, no sentence
// punctuation.
func isOutletLine(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 6 || utf8.RuneCountInString(s) > 60 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	return !strings.ContainsRune(".!?,;:\"”’'", last)
}

// sentenceBreak finds a full stop inside a line that ends a lowercase word
// and is followed by a capitalized word: a sentence break, where "U.S. Navy",
// "Dr. Ruiz" or "Acme Corp. shares" are not. Question and exclamation marks
// do not count, since headlines can end with them.
var sentenceBreak = regexp.MustCompile(`(?:^|\s)\p{Ll}{3,}\.["”’)]?\s+["“‘]?\p{Lu}`)

// boilerplate starts closing lines that are neither prose nor headlines.
var boilerplate = []string{"reporting by", "additional reporting", "editing by", "writing by",
	"copyright", "©", "all rights reserved", "follow us", "read more", "sign up", "subscribe",
	"correction", "clarification", "update:", "editor's note", "editor’s note"}

// isRelatedRun reports whether an article's last block is the outlet's
// related-headlines module rather than a closing paragraph. Prose ends with
// sentence punctuation and has sentence breaks inside; a run of headlines
// has neither, since headlines carry no full stop.
func isRelatedRun(s string) bool {
	if len(strings.Fields(s)) < 4 {
		return false
	}
	lower := strings.ToLower(s)
	for _, p := range boilerplate {
		if strings.HasPrefix(lower, p) {
			return false
		}
	}
	trimmed := strings.TrimRight(s, "\"”’')]")
	if last, _ := utf8.DecodeLastRuneInString(trimmed); strings.ContainsRune(".…:;,", last) {
		return false
	}
	return !sentenceBreak.MatchString(s)
}
