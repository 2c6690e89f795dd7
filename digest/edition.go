package digest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Edition is one day's digest: the stories chosen, in order, and an account
// of every other article of the day.
type Edition struct {
	Date      Date    `json:"date"`
	Subject   string  `json:"subject"`
	Preheader string  `json:"preheader"`
	Intro     string  `json:"intro"`
	Stories   []Story `json:"stories"`
	// RunnersUp are the day's other stories, best first.
	RunnersUp []Story `json:"runners_up"`
	// Skipped are the files, editorial file included, that could not be used.
	Skipped []Skipped `json:"skipped"`
	// Notes tell the editor what the edition made of their input.
	Notes []string     `json:"notes,omitempty"`
	Stats EditionStats `json:"stats"`
}

// EditionStats counts what went into an edition.
type EditionStats struct {
	Articles int          `json:"articles"`
	Outlets  int          `json:"outlets"`
	Stories  int          `json:"stories"`
	Cluster  ClusterStats `json:"cluster"`
}

// Story is one event as the edition tells it: led by its best article, with
// the other outlets' reports in Also.
type Story struct {
	ID        string    `json:"id"`
	Anchor    string    `json:"anchor"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Section   string    `json:"section"`
	Published time.Time `json:"published,omitzero"`
	Lead      string    `json:"lead,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Score     float64   `json:"score"`
	Pinned    bool      `json:"pinned,omitempty"`
	Why       string    `json:"why"`
	Related   []Related `json:"related"`
	Also      []Also    `json:"also"`

	articles []*Article // the lead article first
	vec      vector
	parts    scoreParts
	dropped  bool
	// heldBack: passed over to keep its section to half the edition.
	heldBack bool
}

// Also is another outlet's report of a story's event.
type Also struct {
	Source string `json:"source"`
	Title  string `json:"title"`
	URL    string `json:"url,omitempty"`
	ID     string `json:"id"`
}

// BuildConfig tunes how an edition is made.
type BuildConfig struct {
	// MaxStories is how many stories an edition holds (default 10); the
	// editorial file may change it for a day.
	MaxStories int
	// LeadWords bounds a story's lead (default 60).
	LeadWords int
	// Summarize adds an extractive summary of each story's article.
	Summarize bool
	// SimilarStories is how many of the day's other stories join a story's
	// related links (default 3).
	SimilarStories int
	// ArchiveBaseURL is where editions are published on the web
	// (https://…/archive); a story without an address of its own links to
	// its anchor there.
	ArchiveBaseURL string
	// PreferSources names outlets whose article should lead a story.
	PreferSources []string
	Cluster       ClusterConfig
}

// Builder makes editions.
type Builder struct {
	cfg    BuildConfig
	logger *slog.Logger
}

// NewBuilder returns a Builder; zero config fields take their defaults.
func NewBuilder(cfg BuildConfig, logger *slog.Logger) *Builder {
	if cfg.MaxStories <= 0 {
		cfg.MaxStories = 10
	}
	if cfg.LeadWords <= 0 {
		cfg.LeadWords = 60
	}
	if cfg.SimilarStories == 0 {
		cfg.SimilarStories = 3
	}
	if cfg.Cluster == (ClusterConfig{}) {
		cfg.Cluster = DefaultClusterConfig()
	}
	cfg.ArchiveBaseURL = strings.TrimRight(cfg.ArchiveBaseURL, "/")
	return &Builder{cfg: cfg, logger: logger}
}

// ArchiveURL is the web address of a day's edition.
func (b *Builder) ArchiveURL(d Date) string { return ArchiveURL(b.cfg.ArchiveBaseURL, d) }

// Build makes the day's edition: it folds the reports of each event into
// one story, scores and orders the stories, applies the editor's input,
// and writes each chosen story's lead, related links and reason.
func (b *Builder) Build(day Day, ed Editorial) Edition {
	start := time.Now()
	e := Edition{Date: day.Date, Stories: []Story{}, RunnersUp: []Story{}, Skipped: append([]Skipped{}, day.Skipped...)}
	e.Stats.Articles = len(day.Articles)
	maxStories := cmp.Or(ed.MaxStories, b.cfg.MaxStories)
	prefer := append(slices.Clone(ed.PreferSources), b.cfg.PreferSources...)

	vecs, names := articleVectors(day.Articles)
	groups, stats := cluster(vecs, names, b.cfg.Cluster)
	e.Stats.Cluster = stats
	stories := make([]*Story, len(groups))
	outlets := map[string]bool{}
	for i, g := range groups {
		stories[i] = newStory(day.Articles, vecs, g, prefer)
		for _, a := range stories[i].articles {
			outlets[a.Source] = true
		}
	}
	e.Stats.Outlets = len(outlets)
	inferSections(stories)
	for _, s := range stories {
		s.parts = scoreStory(s, day.Date)
		s.Score = s.parts.total
	}
	slices.SortStableFunc(stories, func(a, c *Story) int {
		return cmp.Or(cmp.Compare(c.Score, a.Score), strings.Compare(a.Title, c.Title))
	})

	chosen, rest, notes := b.choose(stories, ed, maxStories)
	e.Notes = notes
	e.Stats.Stories = len(chosen)
	inEdition := map[string]bool{}
	for _, s := range chosen {
		for _, a := range s.articles {
			inEdition[a.ID] = true
		}
	}
	byArticle := map[string]*Story{}
	for _, s := range stories {
		for _, a := range s.articles {
			byArticle[a.ID] = s
		}
	}
	for _, s := range rest {
		b.finishRunnerUp(s, day.Date)
	}
	for i, s := range chosen {
		b.finish(s, day.Date)
		s.Why = whyChosen(s, i, chosen)
		s.Related = b.related(s, rest, inEdition, byArticle)
		e.Stories = append(e.Stories, *s)
	}
	e.RunnersUp = slices.Grow(e.RunnersUp, len(rest)) // a Story is large, and most of the day's are here
	for _, s := range rest {
		e.RunnersUp = append(e.RunnersUp, *s)
	}

	e.Subject = cmp.Or(ed.Subject, subjectLine(day.Date, e.Stories))
	e.Preheader = preheader(e.Stories)
	e.Intro = cmp.Or(ed.Intro, defaultIntro(e))
	b.logger.Info("built edition", "date", day.Date.String(), "articles", e.Stats.Articles,
		"stories", len(stories), "chosen", len(chosen), "elapsed", time.Since(start))
	return e
}

// newStory makes a story of one group of articles, led by the best of them.
func newStory(articles []Article, vecs []vector, group []int, prefer []string) *Story {
	s := &Story{}
	for _, i := range group {
		s.articles = append(s.articles, &articles[i])
	}
	if len(s.articles) > 1 {
		complete := map[*Article]int{}
		for _, a := range s.articles {
			complete[a] = completeness(a)
		}
		slices.SortStableFunc(s.articles, func(a, c *Article) int { return compareLeads(a, c, complete, prefer) })
	}
	lead := s.articles[0]
	for _, i := range group {
		if &articles[i] == lead {
			s.vec = vecs[i]
		}
	}
	s.ID, s.Title, s.URL, s.Source, s.Section, s.Published = lead.ID, lead.Title, lead.URL, lead.Source, lead.Section, lead.Published
	s.Anchor = "story-" + lead.ID
	for _, a := range s.articles[1:] {
		s.Also = append(s.Also, Also{Source: a.Source, Title: a.Title, URL: a.URL, ID: a.ID})
	}
	if s.Also == nil {
		s.Also = []Also{}
	}
	return s
}

// compareLeads orders the reports of one event, the best lead first: an
// editor's preferred outlet, then the report with an address readers can
// follow, then the most complete (standfirst, body up to 400 words), then
// the earliest, then the outlet's own rank.
func compareLeads(a, c *Article, complete map[*Article]int, prefer []string) int {
	pa, pc := slices.Index(prefer, a.Source), slices.Index(prefer, c.Source)
	if pa < 0 {
		pa = len(prefer)
	}
	if pc < 0 {
		pc = len(prefer)
	}
	return cmp.Or(
		cmp.Compare(pa, pc),
		cmp.Compare(boolRank(a.URL != ""), boolRank(c.URL != "")),
		cmp.Compare(complete[c], complete[a]),
		compareTimes(a.Published, c.Published),
		cmp.Compare(rankOf(a), rankOf(c)),
		strings.Compare(a.ID, c.ID),
	)
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// completeness scores how fully an article tells its story.
func completeness(a *Article) int {
	words := 0
	for _, p := range a.Paragraphs {
		words += wordCount(p)
	}
	score := min(words, 400)
	if a.Dek != "" {
		score += 50
	}
	return score
}

// compareTimes puts earlier times first and unknown times last.
func compareTimes(a, c time.Time) int {
	switch {
	case a.IsZero() && c.IsZero():
		return 0
	case a.IsZero():
		return 1
	case c.IsZero():
		return -1
	}
	return a.Compare(c)
}

// rankOf is the outlet's own rank of an article; unranked articles come
// after ranked ones.
func rankOf(a *Article) int {
	if a.Rank == nil {
		return 1 << 20
	}
	return *a.Rank
}

// inferSections gives a section to stories whose articles have none (the
// text format carries none): the section of the day's sectioned stories
// they are most like, over their salient terms, or "news".
func inferSections(stories []*Story) {
	const terms = 24
	centroids := map[string]map[int32]float64{}
	missing := false
	for _, s := range stories {
		for _, a := range s.articles {
			if s.Section == "" && a.Section != "" {
				s.Section = a.Section
			}
		}
		if s.Section == "" {
			missing = true
		}
	}
	if !missing {
		return
	}
	for _, s := range stories {
		if s.Section == "" {
			continue
		}
		c := centroids[s.Section]
		if c == nil {
			c = map[int32]float64{}
			centroids[s.Section] = c
		}
		for _, t := range salient(s.vec, terms) {
			c[t]++
		}
	}
	sections := slices.Sorted(maps.Keys(centroids))
	norms := map[string]float64{}
	for _, name := range sections {
		for _, w := range centroids[name] {
			norms[name] += w * w
		}
		norms[name] = math.Sqrt(norms[name])
	}
	for _, s := range stories {
		if s.Section != "" {
			continue
		}
		best, bestSim := "news", 0.05
		own := salient(s.vec, terms)
		for _, name := range sections {
			var dot float64
			for _, t := range own {
				dot += centroids[name][t]
			}
			if sim := dot / (norms[name] * math.Sqrt(float64(len(own)))); sim > bestSim {
				best, bestSim = name, sim
			}
		}
		s.Section = best
	}
}

// choose picks the edition's stories: the editor's pins first, then the
// best-scored, keeping any one section to half the edition while other
// sections have stories to give. Dropped stories and the rest are the
// runners-up.
func (b *Builder) choose(stories []*Story, ed Editorial, maxStories int) (chosen, rest []*Story, notes []string) {
	matches := func(s *Story, ref string) bool {
		for _, a := range s.articles {
			if ref == a.ID || ref == a.Key || (a.URL != "" && ref == a.URL) {
				return true
			}
		}
		return false
	}
	taken := map[*Story]bool{}
	for _, ref := range ed.Drop {
		found := false
		for _, s := range stories {
			if matches(s, ref) {
				taken[s], found = true, true
				s.dropped = true
				s.Why = "Dropped by the editor."
			}
		}
		if !found {
			notes = append(notes, fmt.Sprintf("drop %q: no article of the day has that id, key or URL", ref))
		}
	}
	for _, ref := range ed.Pin {
		found := false
		for _, s := range stories {
			if matches(s, ref) && !taken[s] {
				s.Pinned, taken[s], found = true, true, true
				chosen = append(chosen, s)
			}
		}
		if !found {
			notes = append(notes, fmt.Sprintf("pin %q: no article of the day has that id, key or URL", ref))
		}
	}
	if len(chosen) > maxStories {
		notes = append(notes, fmt.Sprintf("%d stories pinned, more than the %d an edition holds: all are in", len(chosen), maxStories))
	}

	perSection := map[string]int{}
	for _, s := range chosen {
		perSection[s.Section]++
	}
	limit := max(1, maxStories/2)
	var heldBack []*Story
	for _, s := range stories {
		if taken[s] || len(chosen) >= maxStories {
			continue
		}
		if perSection[s.Section] >= limit {
			heldBack = append(heldBack, s)
			continue
		}
		chosen = append(chosen, s)
		taken[s] = true
		perSection[s.Section]++
	}
	// A day with nothing else: the held-back stories fill the edition.
	for _, s := range heldBack {
		s.heldBack = true
		if len(chosen) < maxStories {
			chosen = append(chosen, s)
			taken[s] = true
		}
	}
	lowest := 0.0
	if len(chosen) > 0 {
		lowest = chosen[len(chosen)-1].Score
	}
	for _, s := range stories {
		switch {
		case s.dropped:
		case taken[s]:
			continue
		case s.heldBack:
			s.Why = fmt.Sprintf("Score %.2f, left out to keep %s to half the edition.", s.Score, s.Section)
		default:
			s.Why = fmt.Sprintf("Score %.2f, below the %d stories chosen (the last scored %.2f).", s.Score, len(chosen), lowest)
		}
		rest = append(rest, s)
	}
	return chosen, rest, notes
}

func (b *Builder) finish(s *Story, d Date) {
	lead := s.articles[0]
	s.Lead = Lead(lead, LeadOptions{MaxWords: b.cfg.LeadWords}).Text
	if b.cfg.Summarize {
		s.Summary = Summarize(lead, b.cfg.LeadWords*2)
	}
	if s.URL == "" {
		s.URL = b.ArchiveURL(d) + "#" + s.Anchor
	}
}

func (b *Builder) finishRunnerUp(s *Story, d Date) {
	if s.URL == "" {
		s.URL = b.ArchiveURL(d) + "#" + s.Anchor
	}
	s.Related = []Related{}
}

// wordCount counts the words of one-line text without splitting it.
func wordCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, " ") + 1
}

// BuildDay reads the day's articles and its editorial file and builds the
// edition. A day without articles is an error wrapping ErrNoArticles; a
// broken editorial file is reported in the edition's skipped files and the
// edition built without it.
func BuildDay(ctx context.Context, reader *Reader, builder *Builder, day Date) (Edition, error) {
	d, err := reader.ReadDay(ctx, day)
	if err != nil {
		return Edition{}, err
	}
	if len(d.Articles) == 0 {
		return Edition{}, fmt.Errorf("%w for %s", ErrNoArticles, day)
	}
	ed, err := reader.ReadEditorial(ctx, day)
	var unread errRead
	switch {
	case errors.As(err, &unread):
		return Edition{}, fmt.Errorf("the editors' file for %s could not be read: %w", day, err)
	case err != nil:
		d.Skipped = append(d.Skipped, Skipped{Key: EditorialKey(day), Error: err.Error() + " (the edition was built without it)"})
	}
	return builder.Build(d, ed), nil
}

// WebPersonal are the values of the copy everyone may see, in the web
// archive: no one's name, the site's unsubscribe page, the archive's own
// address.
func WebPersonal(siteURL, archiveBaseURL string, day Date) Personal {
	return Personal{UnsubscribeURL: strings.TrimRight(siteURL, "/") + "/unsubscribe", ViewURL: ArchiveURL(archiveBaseURL, day)}
}
