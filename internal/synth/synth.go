// Package synth generates synthetic article files for tests, benchmarks and
// load tests: a day of news from invented outlets, in the four formats the
// scrapers deliver, the same bytes for the same seed. Every person, place,
// company and outlet in it is invented.
//
// The package does not import digest, so that digest's own tests can use it.
package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// File is one generated article file.
type File struct {
	// Name is NNNNNN_<hash>.<ext>, NNNNNN the file's place in the day: names
	// are unique and sort in generation order.
	Name string
	Data []byte
	// URL is the article's address for a text file, which cannot carry it:
	// the scraper stores it as the S3 object's "url" metadata. Empty for the
	// other formats, which hold their own.
	URL string
	// Event numbers the news event the article reports. Articles with the
	// same Event are one story told by different outlets.
	Event int
}

// Options says what to generate.
type Options struct {
	// Articles is how many files to generate; up to a million, names keep
	// the six-digit rank that digest reads.
	Articles int
	Seed     uint64
	// DuplicateShare is the share of the articles, 0 to 1, that come in
	// groups of 2 to 4 from different outlets reporting the same event: the
	// same names and numbers, reworded.
	DuplicateShare float64
	// Date is the day the articles are published; zero means 2026-11-25.
	Date time.Time
}

// Day generates n article files for one day, without duplicate groups.
func Day(n int, seed uint64) []File {
	return Generate(Options{Articles: n, Seed: seed})
}

// pcgStream is the second PCG seed word: any constant would do, as long as
// it never changes.
const pcgStream = 0x6e65777364696765

// Generate generates the files opts asks for: about 55% text, 15% each JSON,
// HTML and Markdown, 3 to 8 KB each.
func Generate(opts Options) []File {
	if opts.Articles <= 0 {
		return nil
	}
	date := opts.Date
	if date.IsZero() {
		date = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	}
	g := &generator{
		rng:  rand.New(rand.NewPCG(opts.Seed, pcgStream)),
		v:    newVocab(),
		date: time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC),
	}
	stories := g.plan(opts.Articles, opts.DuplicateShare)
	byOutlet := make([][]int, len(g.v.outlets))
	for i, s := range stories {
		byOutlet[s.outlet.id] = append(byOutlet[s.outlet.id], i)
	}
	files := make([]File, len(stories))
	for i := range stories {
		files[i] = g.file(i, stories, byOutlet[stories[i].outlet.id])
	}
	return files
}

type format int

const (
	formatText format = iota
	formatJSON
	formatHTML
	formatMarkdown
	numFormats
)

func (f format) ext() string {
	switch f {
	case formatJSON:
		return ".json"
	case formatHTML:
		return ".html"
	case formatMarkdown:
		return ".md"
	}
	return ".txt"
}

// percent is the format's share of a day's files.
func (f format) percent() int {
	if f == formatText {
		return 55
	}
	return 15
}

type generator struct {
	rng  *rand.Rand
	v    *vocab
	date time.Time
}

// event is one piece of news: a topic and the names and numbers that fill
// its templates, shared by every article that reports it.
type event struct {
	id       int
	topic    *topic
	fill     *strings.Replacer
	headings []int     // headline templates in the order the articles use them
	outlets  []*outlet // outlets that already report the event
}

// story is one planned article.
type story struct {
	ev        *event
	member    int // which of the event's articles this is
	format    format
	outlet    *outlet
	swaps     uint64 // the synonym swaps this article's wording uses
	title     string
	url       string
	published time.Time
}

// link is a related headline and its address.
type link struct{ title, url string }

// plan decides every article: its event, format, outlet, title and address.
func (g *generator) plan(n int, duplicateShare float64) []story {
	var stories []story
	events := 0
	addEvent := func(size int) {
		ev := g.newEvent(events)
		events++
		for m := range size {
			stories = append(stories, story{ev: ev, member: m})
		}
	}
	dup := int(math.Round(float64(n) * min(max(duplicateShare, 0), 1)))
	for left := dup; left >= 2; {
		size := min(2+g.rng.IntN(3), left)
		if left-size == 1 {
			// Never leave one article over, as it cannot be a group.
			if size == 4 {
				size--
			} else {
				size++
			}
		}
		addEvent(size)
		left -= size
	}
	for len(stories) < n {
		addEvent(1)
	}
	// Spread each group's articles over the day.
	g.rng.Shuffle(len(stories), func(i, j int) { stories[i], stories[j] = stories[j], stories[i] })

	formats := make([]format, 0, n)
	for f := range numFormats {
		count := n * f.percent() / 100
		if f == numFormats-1 {
			count = n - len(formats)
		}
		formats = append(formats, slices.Repeat([]format{f}, count)...)
	}
	g.rng.Shuffle(n, func(i, j int) { formats[i], formats[j] = formats[j], formats[i] })

	for i := range stories {
		s := &stories[i]
		s.format = formats[i]
		s.outlet = g.pickOutlet(s.format, s.ev)
		s.swaps = g.rng.Uint64()
		s.title = g.headline(s.ev, s.member, s.outlet, s.swaps)
		s.url = s.outlet.articleURL(g.date, s.title)
		s.published = g.date.Add(time.Duration(6*60+g.rng.IntN(17*60)) * time.Minute)
	}
	return stories
}

// pickOutlet picks an outlet of the format that does not report the event
// yet; every format has as many outlets as a group can have articles.
func (g *generator) pickOutlet(f format, ev *event) *outlet {
	var free []*outlet
	for _, i := range g.v.byFormat[f] {
		if o := &g.v.outlets[i]; !slices.Contains(ev.outlets, o) {
			free = append(free, o)
		}
	}
	o := free[g.rng.IntN(len(free))]
	ev.outlets = append(ev.outlets, o)
	return o
}

// newEvent picks a topic and invents the names and numbers of one event.
func (g *generator) newEvent(id int) *event {
	v := g.v
	t := &v.topics[g.rng.IntN(len(v.topics))]
	pick := func(list []string) string { return list[g.rng.IntN(len(list))] }
	person, surname := pick(v.first), g.coin(v.surnameEnds)
	person2, surname2 := pick(v.first), g.coin(v.surnameEnds)
	for surname2 == surname {
		surname2 = g.coin(v.surnameEnds)
	}
	place, place2 := g.coin(v.placeEnds), g.coin(v.placeEnds)
	for place2 == place {
		place2 = g.coin(v.placeEnds)
	}
	kinds := t.orgKinds
	if len(kinds) == 0 {
		kinds = v.orgKinds
	}
	fill := strings.NewReplacer(
		"{person}", person+" "+surname, "{surname}", surname,
		"{person2}", person2+" "+surname2, "{surname2}", surname2,
		"{org}", g.coin(v.orgEnds)+" "+pick(kinds),
		"{place}", place,
		"{team}", place+" "+pick(v.teamKinds), "{team2}", place2+" "+pick(v.teamKinds),
		"{n}", thousands(120+g.rng.IntN(9680)),
		"{small}", strconv.Itoa(3+g.rng.IntN(17)),
		"{few}", strconv.Itoa(2+g.rng.IntN(4)),
		"{pct}", strconv.Itoa(2+g.rng.IntN(39)),
		"{money}", strconv.Itoa(2+g.rng.IntN(479)),
		"{speed}", strconv.Itoa(90+g.rng.IntN(71)),
		"{year}", strconv.Itoa(g.date.Year()+1+g.rng.IntN(5)),
		"{day}", time.Weekday(g.rng.IntN(7)).String(),
		"{month}", time.Month(1+g.rng.IntN(12)).String(),
	)
	return &event{id: id, topic: t, fill: fill, headings: g.rng.Perm(len(t.headlines))}
}

// coin invents a proper name from a start, one or two middles and an
// ending: hundreds of thousands of names of each kind, so that two events
// of a day seldom share a name by chance, as in real news, where the day's
// stories name different people and places.
func (g *generator) coin(endings []string) string {
	v := g.v
	name := v.nameStarts[g.rng.IntN(len(v.nameStarts))] + v.nameMiddles[g.rng.IntN(len(v.nameMiddles))]
	if g.rng.IntN(2) == 0 {
		name += v.nameMiddles[g.rng.IntN(len(v.nameMiddles))]
	}
	return name + endings[g.rng.IntN(len(endings))]
}

// headline is the title of the event's member-th article: each article of
// a group uses another template, and its own synonyms.
func (g *generator) headline(ev *event, member int, o *outlet, swaps uint64) string {
	tmpl := ev.topic.headlines[ev.headings[member%len(ev.headings)]]
	title := g.v.swap(ev.fill.Replace(tmpl), swaps)
	if o.titleCase {
		title = g.v.titleCase(title)
	}
	return title
}

// file renders the i-th story.
func (g *generator) file(i int, stories []story, peers []int) File {
	s := &stories[i]
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\n%s", i, s.title))
	id := hex.EncodeToString(sum[:8])
	t := s.ev.topic
	// The standfirst goes with the headline template, so that the articles
	// of a group differ in both.
	a := article{
		id:        id,
		title:     s.title,
		dek:       g.reword(s, t.deks[s.ev.headings[s.member%len(s.ev.headings)]%len(t.deks)]),
		source:    s.outlet.name,
		url:       s.url,
		published: s.published,
		section:   t.section,
	}
	switch s.format {
	case formatText:
		a.related = g.related(i, stories, peers, 4+g.rng.IntN(3))
	case formatHTML:
		a.related = g.related(i, stories, peers, 3+g.rng.IntN(2))
	}
	// Size the body so that the whole file lands on its target size: the
	// file rendered with empty paragraphs is the overhead.
	paragraphs := 4 + g.rng.IntN(7)
	target := 3300 + g.rng.IntN(4300)
	a.paragraphs = make([]string, paragraphs)
	overhead := len(a.render(s.format))
	a.paragraphs = g.body(s, paragraphs, target-overhead)

	f := File{Name: fmt.Sprintf("%06d_%s%s", i, id, s.format.ext()), Data: a.render(s.format), Event: s.ev.id}
	if s.format == formatText {
		f.URL = s.url
	}
	return f
}

// reword fills a template with the story's event and applies its swaps.
func (g *generator) reword(s *story, tmpl string) string {
	return g.v.swap(s.ev.fill.Replace(tmpl), s.swaps)
}

// body writes n paragraphs of about budget bytes in all: the event's lead
// first, its other facts in an order of the article's own, and general
// sentences in between.
func (g *generator) body(s *story, n, budget int) []string {
	facts := s.ev.topic.facts
	order := append([]int{0}, g.rng.Perm(len(facts)-1)...)
	for i := 1; i < len(order); i++ {
		order[i]++
	}
	next := 0
	used := 0
	seen := map[string]bool{}
	paragraphs := make([]string, n)
	var b strings.Builder
	for p := range n {
		b.Reset()
		// Paragraph p ends once the body reaches its share of the budget,
		// so the body overshoots by one sentence at most.
		limit := budget * (p + 1) / n
		for b.Len() == 0 || used < limit {
			var sentence string
			if next < len(order) && (next == 0 || g.rng.IntN(5) < 3) {
				sentence = g.reword(s, facts[order[next]])
				next++
			} else {
				// A few tries find a sentence the article has not used yet.
				for range 8 {
					if sentence = g.reword(s, g.filler()); !seen[sentence] {
						break
					}
				}
				seen[sentence] = true
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
				used++
			}
			b.WriteString(sentence)
			used += len(sentence)
		}
		paragraphs[p] = b.String()
	}
	return paragraphs
}

// filler makes a sentence template that fits any story: reactions, quotes,
// open questions, background.
func (g *generator) filler() string {
	v := g.v
	pick := func(list []string) string { return list[g.rng.IntN(len(list))] }
	switch r := g.rng.IntN(20); {
	case r < 12:
		subject, opener := pick(v.subjects), pick(v.openers)
		if opener != "" {
			subject = opener + " " + lowerFirst(subject)
		}
		tail := pick(v.tails)
		if tail != "" && tail[0] != ',' {
			tail = " " + tail
		}
		return subject + " " + pick(v.verbs) + " " + pick(v.objects) + tail + "."
	case r < 15:
		return fmt.Sprintf(pick(v.quoteForms), pick(v.quotes))
	case r < 17:
		return "It was not immediately clear " + pick(v.unknowns) + "."
	}
	return pick(v.statements)
}

// related picks count related headlines for the outlet's module: mostly
// the outlet's other stories of the day, some older stories.
func (g *generator) related(self int, stories []story, peers []int, count int) []link {
	o := stories[self].outlet
	var out []link
	for len(out) < count {
		var l link
		if p := peers[g.rng.IntN(len(peers))]; p != self && g.rng.IntN(3) < 2 {
			l = link{stories[p].title, stories[p].url}
		} else {
			ev := g.newEvent(-1)
			title := g.headline(ev, 0, o, g.rng.Uint64())
			l = link{title, o.articleURL(g.date.AddDate(0, 0, -1-g.rng.IntN(7)), title)}
		}
		if !slices.ContainsFunc(out, func(x link) bool { return x.title == l.title }) {
			out = append(out, l)
		}
	}
	return out
}

// article is what a file says, whatever its format.
type article struct {
	id, title, dek, source, url, section string
	published                            time.Time
	paragraphs                           []string
	related                              []link
}

func (a *article) render(f format) []byte {
	switch f {
	case formatJSON:
		return a.json()
	case formatHTML:
		return a.html()
	case formatMarkdown:
		return a.markdown()
	}
	return a.text()
}

// text is the scraper's plain-text format; the related headlines are run
// together on the last line, as the scraper flattens the outlet's module.
func (a *article) text() []byte {
	var b bytes.Buffer
	b.WriteString(a.title + "\n\n" + a.dek + "\n\n" + a.source + "\n\n")
	for _, p := range a.paragraphs {
		b.WriteString(p + "\n\n")
	}
	titles := make([]string, len(a.related))
	for i, r := range a.related {
		titles[i] = r.title
	}
	b.WriteString(strings.Join(titles, " ") + "\n")
	return b.Bytes()
}

func (a *article) json() []byte {
	v := struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Dek        string   `json:"dek"`
		Source     string   `json:"source"`
		URL        string   `json:"url"`
		Published  string   `json:"published"`
		Section    string   `json:"section"`
		Paragraphs []string `json:"paragraphs"`
	}{a.id, a.title, a.dek, a.source, a.url, a.published.Format(time.RFC3339), a.section, a.paragraphs}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("synth: encode JSON of strings: %v", err)) // cannot fail
	}
	return b.Bytes()
}

// html is a page as a crawler saves it: metadata in the head, navigation
// and footer around the article, the outlet's related-stories module.
func (a *article) html() []byte {
	e := html.EscapeString
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%[1]s | %[3]s</title>
<meta property="og:title" content="%[1]s">
<meta property="og:description" content="%[2]s">
<meta property="og:url" content="%[4]s">
<meta property="og:site_name" content="%[3]s">
<meta property="og:type" content="article">
<meta property="article:published_time" content="%[5]s">
<meta property="article:section" content="%[6]s">
<link rel="canonical" href="%[4]s">
<script>window.dataLayer=window.dataLayer||[];function track(){}</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/business">Business</a> <a href="/sport">Sport</a> <a href="/culture">Culture</a></nav></header>
<main>
<article>
<h1>%[1]s</h1>
<p class="dek">%[2]s</p>
`, e(a.title), e(a.dek), e(a.source), e(a.url), a.published.Format(time.RFC3339), e(upperFirst(a.section)))
	for _, p := range a.paragraphs {
		b.WriteString("<p>" + e(p) + "</p>\n")
	}
	b.WriteString("</article>\n<section class=\"related-stories\"><h2>Related</h2><ul>\n")
	for _, r := range a.related {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", e(r.url), e(r.title))
	}
	fmt.Fprintf(&b, "</ul></section>\n</main>\n<footer><p>© %d %s</p><a href=\"/privacy\">Privacy</a></footer>\n</body>\n</html>\n",
		a.published.Year(), e(a.source))
	return b.Bytes()
}

// markdown has a YAML front matter; the values are double-quoted, and
// strconv.Quote's escapes of printable text are valid YAML.
func (a *article) markdown() []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	for _, kv := range [][2]string{{"title", a.title}, {"dek", a.dek}, {"source", a.source}, {"url", a.url},
		{"published", a.published.Format(time.RFC3339)}, {"section", a.section}} {
		b.WriteString(kv[0] + ": " + strconv.Quote(kv[1]) + "\n")
	}
	b.WriteString("---\n")
	for _, p := range a.paragraphs {
		b.WriteString("\n" + p + "\n")
	}
	return b.Bytes()
}

// outlet is an invented publication; each delivers one format.
type outlet struct {
	id        int
	name      string
	domain    string
	format    format
	titleCase bool
}

func (o *outlet) articleURL(day time.Time, title string) string {
	return fmt.Sprintf("https://%s/%s/%s", o.domain, day.Format("2006/01/02"), slug(title))
}

// slug is the address form of a title: its first words, lowercase, in
// ASCII letters and digits.
func slug(title string) string {
	var words []string
	for w := range strings.FieldsSeq(strings.ToLower(title)) {
		w = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if w != "" && len(words) < 8 {
			words = append(words, w)
		}
	}
	return strings.Join(words, "-")
}

// thousands writes n with comma separators, as news copy does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// vocab is the generator's word lists and templates, read from the
// constants below.
type vocab struct {
	first                    []string
	nameStarts, nameMiddles  []string
	placeEnds, surnameEnds   []string
	orgEnds, orgKinds        []string
	teamKinds                []string
	topics                   []topic
	outlets                  []outlet
	byFormat                 [numFormats][]int
	swapFrom, swapTo         []string
	swapIndex                map[string]int
	minorWords               map[string]bool
	subjects, verbs, objects []string
	openers, tails           []string
	quotes, quoteForms       []string
	unknowns, statements     []string
}

// topic is a kind of news story with its templates. Placeholders: {person},
// {surname}, {person2}, {surname2}, {org}, {place}, {team}, {team2}, {n}
// (120 to 9,799), {small} (3 to 19), {few} (2 to 5), {pct}, {money}, {speed},
// {year}, {day}, {month}.
type topic struct {
	section   string
	orgKinds  []string
	headlines []string // sentence case, 6 to 14 words once filled
	deks      []string
	facts     []string // the first is the lead
}

func newVocab() *vocab {
	v := &vocab{
		first:       strings.Fields(firstNames),
		nameStarts:  strings.Fields(nameStarts),
		nameMiddles: strings.Fields(nameMiddles),
		placeEnds:   strings.Fields(placeEnds),
		surnameEnds: strings.Fields(surnameEnds),
		orgEnds:     strings.Fields(orgEnds),
		orgKinds:    strings.Fields(orgKinds),
		teamKinds:   strings.Fields(teamKinds),
		swapIndex:   map[string]int{},
		minorWords:  map[string]bool{},
		subjects:    lines(subjects),
		verbs:       lines(verbs),
		objects:     lines(objects),
		openers:     append([]string{""}, lines(openers)...),
		tails:       append([]string{""}, lines(tails)...),
		quotes:      lines(quotes),
		quoteForms:  lines(quoteForms),
		unknowns:    lines(unknowns),
		statements:  lines(statements),
	}
	for _, w := range strings.Fields(minorWords) {
		v.minorWords[w] = true
	}
	for _, l := range lines(swaps) {
		from, to, _ := strings.Cut(l, " ")
		v.swapIndex[from] = len(v.swapFrom)
		v.swapFrom = append(v.swapFrom, from)
		v.swapTo = append(v.swapTo, to)
	}
	for _, l := range lines(outlets) {
		f := strings.Split(l, "|")
		o := outlet{id: len(v.outlets), name: f[1], domain: f[2], titleCase: f[3] == "title"}
		for o.format < numFormats-1 && o.format.ext() != f[0] {
			o.format++
		}
		v.byFormat[o.format] = append(v.byFormat[o.format], o.id)
		v.outlets = append(v.outlets, o)
	}
	var t *topic
	for _, l := range lines(topics) {
		kind, text, _ := strings.Cut(l, " ")
		switch kind {
		case "==":
			v.topics = append(v.topics, topic{section: text})
			t = &v.topics[len(v.topics)-1]
		case "K":
			t.orgKinds = strings.Fields(text)
		case "H":
			t.headlines = append(t.headlines, text)
		case "D":
			t.deks = append(t.deks, text)
		case "F":
			t.facts = append(t.facts, text)
		}
	}
	return v
}

// lines returns the non-empty lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// swap replaces each word that has a synonym whose bit is set in mask,
// keeping the word's capital and punctuation.
func (v *vocab) swap(text string, mask uint64) string {
	words := strings.Split(text, " ")
	changed := false
	for i, w := range words {
		start := strings.IndexFunc(w, unicode.IsLetter)
		end := strings.LastIndexFunc(w, unicode.IsLetter) + 1
		if start < 0 {
			continue
		}
		core := w[start:end]
		k, ok := v.swapIndex[strings.ToLower(core)]
		if !ok || mask&(1<<k) == 0 {
			continue
		}
		to := v.swapTo[k]
		if unicode.IsUpper([]rune(core)[0]) {
			to = upperFirst(to)
		}
		words[i] = w[:start] + to + w[end:]
		changed = true
	}
	if !changed {
		return text
	}
	return strings.Join(words, " ")
}

// titleCase capitalizes a headline in AP style: every word but the short
// articles, conjunctions and prepositions, which keep lowercase unless they
// open the headline. Numbers, amounts and units stay as they are.
func (v *vocab) titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if i > 0 && v.minorWords[w] || strings.Contains(w, "/") {
			continue
		}
		words[i] = upperFirst(w)
	}
	return strings.Join(words, " ")
}

const minorWords = `a an the and but or for nor of in on at to by as up off per via`

const firstNames = `Ada Bram Cora Dafydd Elin Fergus Greta Hamish Ines Jonah Kit Lorna Magnus
	Nerys Orla Piers Quinn Rhona Silas Tamsin Ulric Vera Wynn Yusuf Zora Aled Bryony Cal Delphine
	Ewan Fenella Gideon Hattie Idris Juno Kester Lowri Marek Nell Otto`

// Name parts: a start, a middle and an ending coin a surname, a place or a
// company.
const nameStarts = `Ard Ash Bel Bir Brack Bram Cal Car Cor Dun Dray Elm Fal Fen Gor Grey Hal Haz
	Hes Holm Ing Ivy Kel Kes Kirk Lang Lum Mar Mer Mill Nor Nett Orm Pel Pen Quar Red Ros Sal
	Stan Thack Thorn Tol Ul Var Wen Wex Yar Yel`

const nameMiddles = `a e i o an ar el en er il in on or ow un ing ley ster ble`

const placeEnds = `moor ford bridge by wick ham field mouth stead ton holm haven gate mere combe
	side beck leigh worth bury`

const surnameEnds = `son ley well er ton ridge wood by man ing ell ham shaw croft ford thwaite`

const orgEnds = `a ex ix on ora ium yn is ica ara ent ia ova ant`

const orgKinds = `Foods Energy Logistics Mutual Systems Motors Textiles Digital Homes Water`

const teamKinds = `United Rovers Athletic Town City Wanderers Albion Harriers`

// outlets: extension|name|domain|headline style. Four per format, the most
// articles a duplicate group can have.
const outlets = `
	.txt|Harbour Ledger|harbourledger.example|sentence
	.txt|The Westerly Record|westerlyrecord.example|title
	.txt|Fenmoor Gazette|fenmoorgazette.example|sentence
	.txt|Kingsgate Echo|kingsgateecho.example|title
	.json|Pressline Wire|pressline.example|sentence
	.json|Tidewater Bulletin|tidewaterbulletin.example|sentence
	.json|Northwind News Agency|northwind.example|title
	.json|Daybreak Digest|daybreakdigest.example|sentence
	.html|Ridgeway Herald|ridgewayherald.example|sentence
	.html|Copperfield Sentinel|copperfieldsentinel.example|title
	.html|Greyhaven Observer|greyhavenobserver.example|sentence
	.html|The Lantern Post|lanternpost.example|title
	.md|Millrace Journal|millracejournal.example|sentence
	.md|Brookvale Review|brookvalereview.example|sentence
	.md|Hearthside Courier|hearthsidecourier.example|sentence
	.md|Lowland Chronicle|lowlandchronicle.example|title`

// swaps are the synonyms that reword one article against another: "from
// to", one word each, 64 at most (a story picks its swaps by the bits of a
// uint64).
const swaps = `
	company firm
	jobs posts
	plan proposal
	approve back
	approved backed
	residents locals
	began started
	workers staff
	closed shut
	closure shutdown
	warned cautioned
	scheme project
	approves endorses
	wins secures
	said stated
	rise increase
	fall drop
	shut closed
	praised applauded
	hit struck`

const subjects = `
	Residents
	Local businesses
	Analysts
	Opposition councillors
	Campaigners
	Union officials
	Economists
	Officials in {place}
	Critics of the plan
	Supporters of the scheme
	Community groups in {place}
	Industry figures
	Parents at the local school
	Shop owners on the high street`

const verbs = `
	raised concerns about
	asked questions about
	called for
	pointed to
	have focused on
	drew attention to
	warned about
	were divided over
	want clarity on
	have welcomed
	remain sceptical about`

const objects = `
	the cost of the work
	further delays
	a review of spending
	more detail on the timetable
	the impact on families in {place}
	the figures published on {day}
	the lack of consultation
	the long-term effects on the area
	how the money will be spent
	the role of {org}
	the pace of change
	the plans for {month}`

const openers = `
	Meanwhile,
	Elsewhere,
	At the same time,
	On {day},
	Earlier this year,
	Since then,`

const tails = `
	in recent weeks
	at a public meeting on {day}
	, according to people familiar with the discussions
	ahead of next month’s budget
	since the announcement
	over the past year`

const quotes = `
	We have been clear about this from the start
	This is a decision for the whole community
	Nobody wants to see this happen again
	The numbers speak for themselves
	We will keep pushing for answers
	People deserve to know what is going on
	It has been a difficult few months for everyone
	There is still a lot of work to do
	We are confident this is the right thing to do
	I do not think anyone saw this coming`

// quoteForms wrap a quote; %s is the quote.
const quoteForms = `
	“%s,” said {surname}.
	“%s,” {surname2} said.
	“%s,” said {person2}, who has followed the issue closely.`

const unknowns = `
	how the work would be paid for
	when a final decision would be made
	whether the decision could be challenged
	how many people would be affected
	what the next steps would be`

const statements = `
	A spokesperson for {org} declined to comment further.
	The figures were first reported by local media on {day}.
	About {n} people attended a meeting on the issue, organisers said.
	A full report is expected to be published in {month}.
	The matter will return to committee in {month}.
	Neither side expects the issue to be settled quickly.`

// topics: "== section", then "K" organisation kinds, "H" headlines, "D"
// standfirsts, "F" facts, the first of them the lead.
const topics = `
== local
H Councillors back £{money}m tram line for {place} after marathon debate
H {place} approves its first tram line in {small} decades
H Tram scheme for {place} wins approval with first passengers due in {year}
H Council vote clears the way for £{money}m {place} tram line
D The £{money} million line will link {place}’s central station with the hospital by {year}.
D Supporters say the scheme will take {n} car journeys a day off the roads.
F Councillors in {place} voted on {day} to approve a £{money} million tram line, the biggest transport project in the area for decades.
F The line will run from the central station to {place} General hospital, with {small} stops along the way.
F Council leader {person} said the scheme would pay for itself within {small} years.
F Opposition councillors warned that taxpayers would be left with the bill if forecasts of {n} journeys a day were not met.
F Work on the depot is due to start in {month}, with the first trams carrying passengers in {year}.
F {person2}, who leads the opposition group, called the vote “a gamble with money we do not have”.

== local
K Homes Estates Developments
H Residents fight plan for {small}-storey tower on {place} car park
H Tower block plan for {place} draws {n} objections
H Neighbours say {small}-storey {place} tower would block out light
H Developer {org} defends plan for {place} tower block
D {org} says the scheme would bring {n} homes to the town centre.
D Planners will decide in {month} whether the tower can go ahead.
F {org} has applied to build a {small}-storey tower with {n} flats on the car park in the centre of {place}.
F More than {n} people have signed a petition against the scheme, which goes before planners in {month}.
F Residents say the tower would overshadow their gardens and add to traffic on already busy streets.
F {person}, a director at {org}, said the company had cut the height of the building twice after consultation.
F The council’s own planning officers have recommended the application for approval.
F {person2}, who lives opposite the site, said neighbours had not been properly consulted.

== business
K Foods Textiles Motors Paper Packaging
H {org} to cut {n} jobs at {place} factory
H {org} confirms closure of {place} site with loss of {n} jobs
H Union condemns {org} plan to shed {n} jobs in {place}
H Hundreds of jobs at risk as {org} shuts {place} plant
D The company blamed rising energy costs and falling orders.
D Unions said workers had been given no warning of the decision.
F {org} said on {day} it would cut {n} jobs at its factory in {place} as it moves production abroad.
F The company blamed rising energy costs and a {pct}% fall in orders over the past year.
F The {place} site has made goods for the company for more than half a century.
F Union organiser {person2} said workers had learned of the decision from a text message.
F {person}, the chief executive of {org}, said the closure was “a painful but necessary step”.
F The company said it would offer redundancy terms above the legal minimum and help staff find new work.

== business
K Mutual Bank Insurance Savings
H {org} says hackers accessed data of {n} customers
H Regulator opens inquiry into {org} data breach
H {org} offers compensation to customers hit by data breach
H Hackers demand ransom from {org} after breach exposes account details
D Names, addresses and account numbers were taken, the company said.
D The regulator said it was working with the company to understand what happened.
F {org} said on {day} that hackers had accessed the names, addresses and account numbers of {n} customers.
F The company said no passwords or card details had been taken, and that accounts remained safe to use.
F The breach was discovered {small} days ago, when staff noticed unusual activity on a system used for marketing.
F {person}, the chief executive, apologised to customers and said the company had called in outside experts.
F The data regulator said it had opened an inquiry and could fine the company up to {pct}% of its annual turnover.
F Customers have been told to watch for emails and calls that appear to come from {org}.

== politics
H {person} wins {place} mayoral race by {n} votes
H {place} elects {person} as mayor after overnight count
H New {place} mayor {person} promises to freeze local taxes
H Turnout falls to {pct}% as {place} picks new mayor
D The former teacher beat {person2} after a recount in two wards.
D {person} takes office next week with a promise to freeze local taxes.
F {person} was elected mayor of {place} on {day}, beating {person2} by {n} votes after a recount in two wards.
F Turnout was {pct}%, down from the last election, which officials blamed on heavy rain.
F {surname}, a former teacher, campaigned on a promise to freeze local taxes and reopen closed libraries.
F {surname2} congratulated the winner but said the result showed the town was divided.
F The new mayor takes office next week and will set out a first budget in {month}.
F Election officials said {n} ballots had been rejected, most of them because they were not marked clearly.

== politics
H {place} council votes to ban disposable barbecues in parks
H Disposable barbecues banned from {place} beaches and parks
H {place} bans throwaway barbecues after summer of grass fires
H Fines of up to £{money} for barbecues in {place} parks
D The ban follows a summer in which firefighters were called to {n} grass fires.
D Anyone caught using one faces a fine of up to £{money}.
F Councillors in {place} voted on {day} to ban disposable barbecues from all parks and beaches in the area.
F The ban follows a dry summer in which firefighters were called to {n} grass fires, many of them started by barbecues.
F Anyone caught using a disposable barbecue will face a fine of up to £{money}.
F Councillor {person}, who proposed the ban, said the damage to parkland had become impossible to ignore.
F Some shopkeepers said the ban would hurt trade, and questioned how it would be enforced.
F The ban will come into force in {month}, after signs have been put up at every park entrance.

== tech
K Energy Power Cells Robotics
H Battery start-up {org} raises £{money}m for {place} pilot plant
H {org} secures £{money}m to build batteries in {place}
H Investors back {org} with £{money}m funding round
H {place} battery maker {org} plans {n} jobs after funding
D The company plans to open a pilot production line in {place} next year.
D The round was led by a group of pension funds and a government-backed bank.
F {org}, a start-up that makes sodium-ion batteries, said on {day} it had raised £{money} million from investors.
F The money will pay for a pilot production line in {place}, which the company says will create {n} jobs.
F Sodium-ion batteries use no lithium or cobalt, and the company says they are cheaper to make and safer to store.
F {person}, who founded the company {small} years ago, said the first batteries would leave the plant in {year}.
F The round was led by a group of pension funds, with a government-backed bank also taking part.
F Analysts said the batteries were better suited to storing power from wind farms than to cars.

== tech
K Pay Bank Savings Digital
H {org} app outage leaves customers locked out for {small} hours
H Customers unable to pay after {small}-hour {org} outage
H {org} blames software update for app failure
H Outage at {org} leaves {n} customers without access to accounts
D The company said a faulty software update was to blame.
D Customers were unable to make payments or check balances for much of the day.
F Customers of {org} were unable to log in to its app for {small} hours on {day} after a software update went wrong.
F The company said {n} customers had tried and failed to make payments during the outage.
F {person}, the chief technology officer, said the update had been rolled back and no money had been lost.
F The firm said it would refund any fees charged to customers who missed payments because of the problem.
F Complaints about the outage began shortly after seven in the morning, according to a website that tracks online services.
F It is the second serious outage at the company this year.

== science
H Scientists in {place} find enzyme that breaks down plastic
H Deep-sea enzyme could speed up plastic recycling, study says
H {place} researchers discover cold-loving enzyme that digests plastic
H Enzyme found on seabed breaks down plastic in {small} days
D The enzyme works at near-freezing temperatures, which could cut the cost of recycling.
D The team found the enzyme in bacteria living on the seabed {n} metres down.
F Researchers at the University of {place} have found an enzyme that breaks down a common plastic at near-freezing temperatures.
F The enzyme was found in bacteria collected from the seabed {n} metres below the surface.
F In laboratory tests it broke down {pct}% of a sample of plastic in {small} days.
F Professor {person}, who led the study, said the discovery could make recycling cheaper because plants would need less heating.
F The findings were published on {day} in a scientific journal.
F Other scientists cautioned that it could take years before the enzyme was used at industrial scale.

== science
H Record {n} swans counted on {place} reedbeds
H Wildlife survey finds {n} wintering swans at {place}
H Swan numbers at {place} reach highest level in {small} years
H Volunteers count record number of swans on {place} marshes
D Volunteers counted the birds over a single weekend.
D Conservationists credit the restoration of the reedbeds for the increase.
F Volunteers counted {n} swans on the reedbeds at {place} last weekend, the highest number since records began.
F The birds arrive each autumn from the far north and stay until early spring.
F {person}, who organised the count, said the numbers had risen every year since the reedbeds were restored.
F The restoration, which cost £{money} million, raised water levels across {n} hectares of marsh.
F Conservationists said the figures showed what could be done when land was managed for wildlife.
F The next count will take place in {month}.

== sport
H {team} name {person} as new head coach
H {person} takes charge at {team} on {few}-year deal
H {team} appoint former defender {person} as manager
H {person} returns to {team} as head coach
D The former defender has signed a {few}-year contract.
D {surname} replaces the coach sacked last month after a run of {few} straight defeats.
F {team} have appointed {person} as their new head coach on a {few}-year contract.
F {surname}, a former defender, made more than three hundred appearances for the club.
F The club sacked its previous coach last month after a run of {few} straight defeats.
F Chairman {person2} said {surname} had been the board’s first choice from the start.
F The first match in charge is at home to {team2} on {day}.
F Supporters’ groups welcomed the appointment, saying the club needed someone who understood it.

== sport
H {team} beat {team2} to reach cup final
H Late goal sends {team} past {team2} into final
H {team} edge {team2} in {few}-goal thriller
H {team2} knocked out of cup by {team}
D {person} scored the winner with {few} minutes left.
D {n} fans saw the match in heavy rain.
F {team} reached the cup final on {day} with a win over {team2} in front of {n} supporters.
F {person} scored the winning goal with {few} minutes left after a long ball over the defence.
F {team2} had the better of the first half and hit the post twice before the break.
F Manager {person2} said the team had deserved the win for its second-half performance.
F The final will be played in {month} at a ground yet to be confirmed.
F Police said the match passed off without trouble, with {few} arrests outside the ground.

== culture
H Old corn exchange in {place} reopens as theatre
H {place} theatre opens its doors after £{money}m restoration
H Restored {place} theatre to stage first show in {small} years
H Curtain rises again at {place} corn exchange after restoration
D The £{money} million restoration took {few} years.
D The first show will be a new play by a local writer.
F The old corn exchange in {place} reopened as a theatre on {day} after a restoration costing £{money} million.
F The building had stood empty for {small} years and was once on a list of the country’s most endangered buildings.
F The restoration was paid for by the council, a heritage fund and donations from more than {n} people.
F Director {person} said the theatre would stage {small} productions a year, with cheap tickets for under-25s.
F The opening night sold out within hours of tickets going on sale.
F {person2}, who led the campaign to save the building, said it was “a day many of us thought would never come”.

== culture
H Former nurse {person} wins book prize with debut novel
H Debut novel by {person} takes the {place} prize
H {person} wins £{money},000 fiction prize for first novel
H Judges hail {person} as {place} prize goes to first-time author
D The judges praised the novel as “tender, funny and unflinching”.
D The former nurse wrote the book at night after hospital shifts.
F {person}, a former nurse, won the {place} prize for fiction on {day} with a debut novel set in a hospital.
F The prize is worth £{money},000 and is one of the few open only to first-time authors.
F The chair of the judges, {person2}, described the book as “tender, funny and unflinching”.
F {surname} wrote the novel at night after hospital shifts over a period of {few} years.
F Sales of the book rose sharply after it made the shortlist in {month}.
F The other shortlisted books included a memoir, a thriller and {few} collections of short stories.

== world
H Storm-force winds shut {place} harbour as ferry rides out gale
H Gale strands ferry with {n} passengers off {place}
H {place} port closed to shipping as gusts reach {speed} km/h
H Ferry passengers spend night at sea as storm hits {place}
D Gusts of up to {speed} km/h were recorded on the coast.
D The ferry’s {n} passengers were kept on board overnight.
F The harbour at {place} was closed to all shipping on {day} as gusts of up to {speed} km/h swept the coast.
F A ferry carrying {n} passengers anchored outside the harbour and rode out the storm overnight.
F The coastguard said everyone on board was safe and the ship had enough food and water.
F Harbour master {person} said the port would reopen once the wind dropped below gale force.
F More than {n} homes lost power as trees brought down lines across the region.
F Forecasters said the storm would move away to the east by {day}.

== world
K Ports Shipping Terminals
H Truckers end {small}-day blockade at {place} port
H Lorry drivers lift blockade of {place} port after pay deal
H {place} port reopens as drivers accept {pct}% pay rise
H Deal ends lorry drivers’ blockade of {place} port
D Drivers accepted a {pct}% pay rise after {small} days of talks.
D Hundreds of ships had been waiting to load at the port.
F Lorry drivers ended a {small}-day blockade of the port at {place} on {day} after accepting a {pct}% pay rise.
F The blockade had left {n} containers stuck on the quayside and ships waiting offshore to load.
F {person2}, who speaks for the drivers, said they had won most of what they asked for.
F Port operator {org} said it hoped to clear the backlog within {few} weeks.
F Exporters said the dispute had cost them millions in lost sales.
F The government had been under pressure to step in as the blockade entered its second week.
`
