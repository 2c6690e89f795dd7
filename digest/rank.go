package digest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The weights of a story's score. Coverage leads: an event several outlets
// chose to report matters more than any one outlet's ordering of its own
// front page, which comes next; recency breaks near-ties.
const (
	weightCoverage = 3.0 // per doubling of the outlets that reported it
	weightRank     = 1.5 // an outlet's top story, falling with its rank
	weightRecency  = 1.0 // a report from the last hours of the day
)

// scoreParts is a story's score and what it is made of.
type scoreParts struct {
	outlets    []string
	coverage   float64
	bestRank   int // -1 when no article carries a rank
	rankSource string
	rank       float64
	latest     time.Time
	recency    float64
	total      float64
}

// scoreStory scores a story for the edition of day d.
func scoreStory(s *Story, d Date) scoreParts {
	p := scoreParts{bestRank: -1}
	seen := map[string]bool{}
	for _, a := range s.articles {
		if !seen[a.Source] {
			seen[a.Source] = true
			p.outlets = append(p.outlets, a.Source)
		}
		if a.Rank != nil && (p.bestRank < 0 || *a.Rank < p.bestRank) {
			p.bestRank, p.rankSource = *a.Rank, a.Source
		}
		if a.Published.After(p.latest) {
			p.latest = a.Published
		}
	}
	slices.Sort(p.outlets)
	p.coverage = weightCoverage * math.Log2(1+float64(len(p.outlets)))
	if p.bestRank >= 0 {
		p.rank = weightRank / (1 + float64(p.bestRank))
	}
	// Age from the end of the edition's day; a story without a time is
	// neither fresh nor stale.
	p.recency = weightRecency * 0.5
	if !p.latest.IsZero() {
		end := time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, time.UTC)
		age := end.Sub(p.latest).Hours()
		p.recency = weightRecency * min(1, max(0, 1-age/36))
	}
	p.total = math.Round((p.coverage+p.rank+p.recency)*100) / 100
	return p
}

// whyChosen says in words why a story is in the edition and in its place.
func whyChosen(s *Story, i int, chosen []*Story) string {
	var b strings.Builder
	p := s.parts
	if s.Pinned {
		b.WriteString("Pinned by the editor. ")
	}
	if len(p.outlets) > 1 {
		fmt.Fprintf(&b, "Reported by %d outlets (%s)", len(p.outlets), strings.Join(p.outlets, ", "))
	} else {
		fmt.Fprintf(&b, "Reported by %s only", p.outlets[0])
	}
	switch {
	case p.bestRank == 0:
		fmt.Fprintf(&b, "; the top story at %s", p.rankSource)
	case p.bestRank > 0:
		fmt.Fprintf(&b, "; %s story at %s", ordinal(p.bestRank+1), p.rankSource)
	}
	if !p.latest.IsZero() {
		fmt.Fprintf(&b, "; latest report %s UTC", p.latest.UTC().Format("15:04"))
	}
	b.WriteString(". ")
	switch {
	case s.Pinned:
		fmt.Fprintf(&b, "%s by the editor's order (score %.2f).", capitalizeFirst(ordinal(i+1)), s.Score)
	case i == 0:
		fmt.Fprintf(&b, "1st: the day's highest score (%.2f).", s.Score)
	case chosen[i-1].Pinned:
		fmt.Fprintf(&b, "%s: the highest score (%.2f) after the editor's pinned stories.", capitalizeFirst(ordinal(i+1)), s.Score)
	default:
		fmt.Fprintf(&b, "%s: score %.2f, after “%s” (%.2f).", capitalizeFirst(ordinal(i+1)), s.Score, chosen[i-1].Title, chosen[i-1].Score)
	}
	if s.heldBack {
		fmt.Fprintf(&b, " In although %s already fills half the edition: the day had too few other stories.", s.Section)
	}
	return b.String()
}

// maxOwnRelated bounds how many of a story's own related headlines it keeps.
const maxOwnRelated = 5

// related gives a story its links: its articles' own related headlines that
// resolve to an address (unresolved ones are dropped: an email holds
// links), then the day's most similar stories not in the edition. Nothing
// already in the edition is linked again.
func (b *Builder) related(s *Story, rest []*Story, inEdition map[string]bool, byArticle map[string]*Story) []Related {
	out := []Related{}
	seen := map[string]bool{}
	add := func(title, url, id string) {
		if url == "" || seen[url] || (id != "" && seen[id]) {
			return
		}
		seen[url] = true
		if id != "" {
			seen[id] = true
		}
		out = append(out, Related{Title: title, URL: url, ID: id})
	}
	for _, a := range s.articles {
		for _, r := range a.Related {
			if len(out) >= maxOwnRelated {
				break
			}
			if r.ID != "" && inEdition[r.ID] {
				continue
			}
			url := r.URL
			if other := byArticle[r.ID]; url == "" && other != nil {
				url = other.URL
			}
			add(r.Title, url, r.ID)
		}
	}

	type scored struct {
		story *Story
		sim   float64
	}
	var similar []scored
	for _, r := range rest {
		if r.dropped || seen[r.ID] {
			continue
		}
		if sim := cosine(s.vec, r.vec); sim >= minRelatedSimilarity {
			similar = append(similar, scored{r, sim})
		}
	}
	slices.SortStableFunc(similar, func(x, y scored) int {
		switch {
		case x.sim > y.sim:
			return -1
		case x.sim < y.sim:
			return 1
		}
		return 0
	})
	for _, sim := range similar[:min(len(similar), b.cfg.SimilarStories)] {
		add(sim.story.Title, sim.story.URL, sim.story.ID)
	}
	return out
}

// minRelatedSimilarity is the TF-IDF cosine from which another story is
// related enough to link.
const minRelatedSimilarity = 0.08

// maxSubjectRunes keeps a subject line whole in most inboxes.
const maxSubjectRunes = 78

// subjectLine is "Nov 26: <top story> — and 9 more", at most 78 characters,
// the top story's title shortened at a word if need be. It never holds a
// line break or control character: it becomes an email header.
func subjectLine(d Date, stories []Story) string {
	date := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("Jan 2")
	if len(stories) == 0 {
		return date + ": no stories today"
	}
	prefix := date + ": "
	suffix := ""
	if n := len(stories) - 1; n > 0 {
		suffix = fmt.Sprintf(" — and %d more", n)
	}
	title := headerSafe(stories[0].Title)
	room := maxSubjectRunes - utf8.RuneCountInString(prefix+suffix)
	return prefix + shortenAtWord(title, room) + suffix
}

// maxPreheaderRunes is about what inboxes show after the subject.
const maxPreheaderRunes = 140

// preheader is the inbox preview text: the top story's first sentence,
// shortened to leave room for the next two stories' titles.
func preheader(stories []Story) string {
	if len(stories) == 0 {
		return ""
	}
	first := stories[0].Lead
	if sentences := SplitSentences(first); len(sentences) > 0 {
		first = sentences[0]
	}
	also := ""
	if len(stories) > 1 {
		var titles []string
		for _, s := range stories[1:min(len(stories), 3)] {
			titles = append(titles, s.Title)
		}
		also = " Also: " + strings.Join(titles, "; ")
	}
	room := max(maxPreheaderRunes/2, maxPreheaderRunes-utf8.RuneCountInString(also))
	return shortenAtWord(headerSafe(shortenAtWord(first, room)+also), maxPreheaderRunes)
}

// defaultIntro is the intro when the editor wrote none.
func defaultIntro(e Edition) string {
	shared := 0
	for _, s := range e.Stories {
		if len(s.Also) > 0 {
			shared++
		}
	}
	intro := fmt.Sprintf("Today's %d stories, chosen from %d articles by %d outlets.", len(e.Stories), e.Stats.Articles, e.Stats.Outlets)
	if shared > 0 {
		intro += fmt.Sprintf(" %d of them were reported by more than one outlet: each comes once, with the others listed under it.", shared)
	}
	return intro
}

// headerSafe folds white space and drops control characters.
func headerSafe(s string) string {
	return oneLine(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

// shortenAtWord cuts s to at most n runes at a word boundary, ending in "…".
func shortenAtWord(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:max(0, n-1)]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:—–-") + "…"
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

func capitalizeFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[size:]
}
