package digest

import (
	"cmp"
	"slices"
)

// ClusterConfig tunes same-event detection.
type ClusterConfig struct {
	// Bands and Rows shape the locality-sensitive hashing: Bands × Rows
	// MinHash values per article; two articles become candidates when all
	// Rows values of any band agree.
	Bands, Rows int
	// SalientTerms is how many of an article's heaviest terms its MinHash
	// signature is taken over.
	SalientTerms int
	// MinSimilarity is the TF-IDF cosine from which two candidates are the
	// same event; LinkSimilarity is the mean cosine two groups need across
	// their members to merge, which stops a chain of look-alikes from
	// gluing different events together.
	MinSimilarity, LinkSimilarity float64
}

// DefaultClusterConfig is tuned on half the labelled set
// (testdata/events/events_b.json) and the example corpus, and measured on
// the other half (BENCHMARKS.md). One row per band: reports of one event in
// different words share few salient terms, so any one shared MinHash value
// makes a candidate; maxBucket keeps that from going quadratic.
func DefaultClusterConfig() ClusterConfig {
	return ClusterConfig{Bands: 32, Rows: 1, SalientTerms: 24, MinSimilarity: 0.26, LinkSimilarity: 0.15}
}

// ClusterStats tells how much work the clustering did.
type ClusterStats struct {
	Articles   int `json:"articles"`
	Candidates int `json:"candidate_pairs"`
	Merged     int `json:"merged_pairs"`
}

// cluster groups the articles (by their vectors and rare names) that report
// the same event. It is near-linear: MinHash signatures over each article's
// salient terms, banded into buckets, give candidate pairs, and only
// candidates are compared in full: two rare names in common, then the
// TF-IDF cosine.
func cluster(vecs []vector, names [][]int32, cfg ClusterConfig) ([][]int, ClusterStats) {
	stats := ClusterStats{Articles: len(vecs)}
	type pair struct {
		a, b int32
		sim  float64
	}
	var pairs []pair
	for _, c := range candidatePairs(vecs, cfg) {
		stats.Candidates++
		if !sharesName(names[c[0]], names[c[1]]) {
			continue
		}
		if sim := cosine(vecs[c[0]], vecs[c[1]]); sim >= cfg.MinSimilarity {
			pairs = append(pairs, pair{c[0], c[1], sim})
		}
	}

	// Strongest links first, as agglomerative clustering does.
	slices.SortFunc(pairs, func(p, q pair) int {
		if c := cmp.Compare(q.sim, p.sim); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	groups := newUnionFind(len(vecs))
	for _, p := range pairs {
		ra, rb := groups.find(int(p.a)), groups.find(int(p.b))
		if ra == rb || meanLink(vecs, groups.members[ra], groups.members[rb]) < cfg.LinkSimilarity {
			continue
		}
		groups.union(ra, rb)
		stats.Merged++
	}
	return groups.groups(), stats
}

// maxBucket bounds the articles one LSH bucket may pair up, which keeps
// the candidates near-linear in the day's size.
const maxBucket = 64

// candidatePairs are the pairs of articles whose MinHash signatures, over
// their salient terms, agree in all rows of at least one band: the pairs
// worth comparing in full. Each pair comes once, lower index first.
func candidatePairs(vecs []vector, cfg ClusterConfig) [][2]int32 {
	hashes := cfg.Bands * cfg.Rows
	seeds := make([]uint64, hashes)
	for i := range seeds {
		seeds[i] = splitmix64(uint64(i) + 0x9e3779b97f4a7c15)
	}
	buckets := map[uint64][]int32{}
	sig := make([]uint64, hashes)
	for doc, vec := range vecs {
		terms := salient(vec, cfg.SalientTerms)
		if len(terms) == 0 {
			continue
		}
		for h, seed := range seeds {
			lowest := ^uint64(0)
			for _, t := range terms {
				lowest = min(lowest, splitmix64(uint64(t)^seed))
			}
			sig[h] = lowest
		}
		for b := range cfg.Bands {
			key := uint64(b) * 0x100000001b3
			for _, v := range sig[b*cfg.Rows : (b+1)*cfg.Rows] {
				key = splitmix64(key ^ v)
			}
			buckets[key] = append(buckets[key], int32(doc))
		}
	}
	// Pairs packed in one word each, sorted and compacted: a pair found in
	// several bands comes once, with no map holding every pair. Counted
	// first, so that the pairs take one allocation of their size.
	n := 0
	for _, members := range buckets {
		if len(members) <= maxBucket {
			n += len(members) * (len(members) - 1) / 2
		}
	}
	packed := make([]uint64, 0, n)
	for _, members := range buckets {
		if len(members) > maxBucket {
			continue // a term shared by too many articles names no one event
		}
		for x := range members {
			for y := x + 1; y < len(members); y++ {
				packed = append(packed, uint64(members[x])<<32|uint64(members[y]))
			}
		}
	}
	clear(buckets)
	slices.Sort(packed)
	packed = slices.Compact(packed)
	out := make([][2]int32, len(packed))
	for i, p := range packed {
		out[i] = [2]int32{int32(p >> 32), int32(uint32(p))}
	}
	return out
}

// meanLink is the mean cosine between two groups' members, over at most 16
// of each: enough to see whether they tell one event.
func meanLink(vecs []vector, a, b []int) float64 {
	a, b = a[:min(len(a), 16)], b[:min(len(b), 16)]
	var sum float64
	for _, i := range a {
		for _, j := range b {
			sum += cosine(vecs[i], vecs[j])
		}
	}
	return sum / float64(len(a)*len(b))
}

// unionFind keeps disjoint groups with their members.
type unionFind struct {
	parent  []int
	members [][]int
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int, n), members: make([][]int, n)}
	for i := range n {
		u.parent[i] = i
		u.members[i] = []int{i}
	}
	return u
}

func (u *unionFind) find(i int) int {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

// union merges the groups of two roots, the smaller into the larger.
func (u *unionFind) union(a, b int) {
	if len(u.members[a]) < len(u.members[b]) {
		a, b = b, a
	}
	u.parent[b] = a
	u.members[a] = append(u.members[a], u.members[b]...)
	u.members[b] = nil
}

// groups lists every group, members in index order, groups by first member.
func (u *unionFind) groups() [][]int {
	var out [][]int
	for i := range u.parent {
		if u.find(i) == i {
			m := slices.Clone(u.members[i])
			slices.Sort(m)
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// splitmix64 is a fast, well-mixed 64-bit hash step.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// clusterParagraphs is how much of an article's body goes into its vector:
// the opening, where every report of an event states the facts.
const clusterParagraphs = 8

// articleVectors weighs every article's title, standfirst and opening
// paragraphs against the whole day, and lists the rare names and numbers
// each mentions (term ids, sorted).
func articleVectors(articles []Article) ([]vector, [][]int32) {
	vocab := newVocabulary()
	docs := make([]docTerms, len(articles))
	for i := range articles {
		a := &articles[i]
		docs[i] = vocab.add(a.Title, a.Dek, a.Paragraphs[:min(len(a.Paragraphs), clusterParagraphs)])
	}
	// A name names an event only when few of the day's articles use it: a
	// common first name, an "Ltd" or a small number says nothing.
	rare := int32(max(8, len(docs)/100))
	vecs := make([]vector, len(docs))
	names := make([][]int32, len(docs))
	for i, d := range docs {
		vecs[i] = vocab.vector(d)
		for _, t := range d {
			if t.entity && vocab.df[t.term] <= rare {
				names[i] = append(names[i], t.term)
			}
		}
	}
	return vecs, names
}

// sharesName reports whether two sorted lists of rare names and numbers
// share at least two: two reports of one event name people, places, bodies
// or figures in common, while two events told in the same words (two banks'
// data breaches, two storms) or two stories that meet in one town need not.
func sharesName(a, b []int32) bool {
	return sharedCount(a, b) >= minSharedNames
}

// minSharedNames is how many rare names two reports of one event share at
// the least.
const minSharedNames = 2
