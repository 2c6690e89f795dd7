package digest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"unicode/utf16"
)

// hostileFile is one bad article file of the hostile day. Compressed
// objects are not accepted anywhere: no store or reader looks at
// Content-Encoding or decompresses a body, so a gzip bomb arrives as the
// few hundred kilobytes it is on disk and is refused as binary, and the
// read itself is capped at ReaderConfig.MaxBytes+1 bytes whatever the
// store says about the size.
type hostileFile struct {
	name     string // file name in the day's folder
	category string
	data     []byte
	// reason, when set, is a part of the reason the file must be skipped
	// for. Empty, the file is damaged but readable, and must come out as a
	// clean article.
	reason string
}

const hostileSeed = 20261125

// prose is an invented article's body, the text that readable hostile
// files carry so that they are articles at all.
var prose = []string{
	"Harbour officials in Quayford said on Tuesday that the new tidal gate would be finished by the spring, two years later than first promised.",
	"The gate, which cost 41 million to build, is meant to protect 3,200 homes on the lower estuary from the surges that flooded the town in 2019.",
	"\"We are confident that the last section will be in place before the equinox tides,\" said the project's engineer, Marta Velloso.",
	"Residents' groups have asked the council to publish the full report on the delays, which it has so far declined to do.",
}

func proseText() string { return strings.Join(prose, "\n\n") }

// textArticle is the scraper's plain-text format.
func textArticle(title string) []byte {
	return []byte(title + "\n\nA standfirst about the Quayford tidal gate and its delays.\n\nQuayford Herald\n\n" + proseText() + "\n")
}

// jsonArticle marshals an article object with the given fields over a
// readable default.
func jsonArticle(fields map[string]any) []byte {
	obj := map[string]any{
		"title":      "Quayford tidal gate delayed again",
		"source":     "Quayford Herald",
		"url":        "https://quayford.example/news/tidal-gate",
		"published":  "2026-11-25T07:00:00Z",
		"section":    "uk",
		"paragraphs": prose,
	}
	for k, v := range fields {
		if v == nil {
			delete(obj, k)
			continue
		}
		obj[k] = v
	}
	data, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return data
}

// mdArticle is Markdown with the given front matter lines.
func mdArticle(frontMatter string) []byte {
	return []byte("---\n" + frontMatter + "\n---\n\n" + proseText() + "\n")
}

// htmlArticle is a page with the given head and an article body.
func htmlArticle(head, body string) []byte {
	if body == "" {
		for _, p := range prose {
			body += "<p>" + p + "</p>\n"
		}
		body = "<article>" + body + "</article>"
	}
	return []byte("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">" + head + "</head><body>" + body + "</body></html>\n")
}

func gzipped(src io.Reader) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := io.Copy(zw, src); err != nil {
		panic(err)
	}
	zw.Close()
	return buf.Bytes()
}

func utf16Bytes(s string, bigEndian bool) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// headlines makes n distinct invented headlines.
func headlines(n int) []string {
	subjects := []string{"Council", "Harbour board", "Rail operator", "Water company", "University", "Hospital trust", "Bus company", "Museum"}
	verbs := []string{"approves", "delays", "rejects", "reviews", "funds", "cancels", "expands", "closes"}
	objects := []string{"tidal gate", "night buses", "library plan", "bridge repair", "school meals", "rent cap", "ferry link", "cycle lanes"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %s %s in %s", subjects[i%8], verbs[(i/8)%8], objects[(i/64)%8], placeName(i))
	}
	return out
}

func placeName(i int) string {
	syllables := []string{"Quay", "ford", "Mar", "ton", "Ash", "by", "Wel", "mere", "Stow", "dale"}
	return syllables[i%10] + strings.ToLower(syllables[(i/10)%10]) + strings.ToLower(syllables[(i/100)%10])
}

// hostileCorpus is the day's bad files, the same bytes on every run.
func hostileCorpus(maxBytes int) []hostileFile {
	r := rand.New(rand.NewPCG(hostileSeed, 1))
	var files []hostileFile
	add := func(category, name, reason string, data []byte) {
		files = append(files, hostileFile{
			name:     fmt.Sprintf("%03d_h%03d-%s", 100+len(files), len(files), name),
			category: category,
			data:     data,
			reason:   reason,
		})
	}
	long := func(unit string, runes int) string {
		return strings.Repeat(unit, runes/len([]rune(unit)))
	}
	nested := func(open, close string, depth int, inner string) string {
		return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
	}

	// Binary content and compressed objects: refused before parsing.
	add("binary", "nul-in-text.txt", "binary", append(textArticle("A headline with a NUL\x00 in it"), 0, 0, 0))
	add("binary", "png.html", "binary", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), randomBytes(r, 4096)...))
	add("binary", "elf.json", "binary", append([]byte("\x7fELF\x02\x01\x01\x00"), randomBytes(r, 8192)...))
	add("binary", "random.md", "binary", randomBytes(r, 16<<10))
	add("binary", "pdf.txt", "binary", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 44 >>\nstream\n\x00\x01\x02\x03endstream\n"))
	add("binary", "zip.json", "binary", append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), randomBytes(r, 2048)...))
	controls := make([]byte, 2000)
	for i := range controls {
		controls[i] = "\x01\x02\x03\x04\x05\x06\x0e\x0f\x10\x1b abcde"[i%16]
	}
	add("binary", "control-bytes.txt", "binary", controls)
	// Gzip bombs: 256 MiB of zeros and 64 MiB of one repeated article,
	// a few hundred kilobytes each, under every extension. A gzip file may
	// hold several members, which decompress one after the other: 16
	// copies of one member are a bomb 16 times its size, made at the cost
	// of one.
	bomb := bytes.Repeat(gzipped(io.LimitReader(zeroReader{}, 16<<20)), 16)
	add("gzip", "bomb.txt.gz", "binary", bomb)
	add("gzip", "bomb.json", "binary", bomb)
	add("gzip", "bomb.html", "binary", bomb)
	add("gzip", "article-bomb.md", "binary", bytes.Repeat(gzipped(io.LimitReader(repeatReader(mdArticle("title: Gzipped")), 4<<20)), 16))
	add("gzip", "article.txt", "binary", gzipped(bytes.NewReader(textArticle("A gzipped article, not decompressed"))))
	// UTF-16 without a byte-order mark has a NUL in every other byte;
	// UTF-32 with one decodes to NULs.
	add("encoding", "utf16le-no-bom.txt", "", utf16Bytes(string(textArticle("UTF-16 without a byte-order mark")), false))
	add("encoding", "utf16be-no-bom.md", "", utf16Bytes(string(mdArticle("title: UTF-16 big-endian without a mark")), true))
	add("encoding", "utf32le-bom.txt", "binary", append([]byte{0xFF, 0xFE, 0, 0}, []byte(strings.Join(strings.Split("Title\n\nBody", ""), "\x00\x00\x00"))...))

	// Empty files, whatever they pretend to be.
	add("empty", "zero-bytes.txt", "empty file", nil)
	add("empty", "bom-only.txt", "empty file", []byte{0xEF, 0xBB, 0xBF})
	add("empty", "utf16-bom-only.json", "empty file", []byte{0xFF, 0xFE})
	add("empty", "whitespace.md", "empty file", []byte("  \n\t\n   \n"))
	add("empty", "crlf-only.html", "empty file", bytes.Repeat([]byte("\r\n"), 1000))
	add("empty", "nbsp-only.txt", "empty file", []byte(strings.Repeat("\u00a0\u2003\u3000 \n", 50)))

	// Over the size cap: skipped unread from the listing's size.
	add("huge", "over-cap.txt", "file too large", append(textArticle("One byte over the cap"), bytes.Repeat([]byte("x"), maxBytes)...)[:maxBytes+1])
	add("huge", "50mb-string.json", "file too large",
		[]byte(`{"title":"A 50 MB string","body":"`+strings.Repeat("news ", 10<<20)+`"}`))
	add("huge", "3mib.html", "file too large", htmlArticle("<title>Huge</title>", "<article>"+strings.Repeat("<p>"+prose[0]+"</p>\n", (3<<20)/(len(prose[0])+8))+"</article>"))
	add("huge", "over-cap.md", "file too large", append(mdArticle("title: Huge Markdown"), bytes.Repeat([]byte("word "), maxBytes/5+1)...))

	// Titles no headline can have.
	add("long title", "10k-title.txt", "title is 10000 characters long", textArticle(long("a", 10000)))
	add("long title", "10k-title.json", "title is 10000 characters long", jsonArticle(map[string]any{"title": long("Breaking ", 10008)[:10000]}))
	add("long title", "10k-og-title.html", "title is 10000 characters long", htmlArticle(`<meta property="og:title" content="`+long("b", 10000)+`">`, ""))
	add("long title", "10k-title-tag.html", "title is", htmlArticle(`<title>`+long("c", 10000)+`</title>`, ""))
	add("long title", "10k-front-matter.md", "title is 10000 characters long", mdArticle("title: "+long("d", 10000)))
	add("long title", "10k-heading.md", "title is 10000 characters long", []byte("# "+long("e", 10000)+"\n\n"+proseText()))
	add("long title", "401-title.json", "title is 401 characters long", jsonArticle(map[string]any{"title": long("f", 401)}))
	add("long title", "10k-emoji-title.json", "title is 10000 characters long", jsonArticle(map[string]any{"title": long("📰", 10000)}))
	add("long title", "10k-title-crlf.json", "title is", jsonArticle(map[string]any{"title": long("Line\r\n", 10000)}))

	// Titles with nothing to read.
	add("no title", "whitespace-title.json", "no title", jsonArticle(map[string]any{"title": " \t\r\n\u00a0 "}))
	add("no title", "missing-title.json", "no title", jsonArticle(map[string]any{"title": nil}))
	add("no title", "no-heading.md", "no title", []byte(proseText()))
	add("no title", "markup-only-title.json", "no title", jsonArticle(map[string]any{"title": "<script></script><style></style>"}))
	add("no title", "emoji-title.json", "no letter or digit", jsonArticle(map[string]any{"title": "🔥🔥🔥 😱😱"}))
	add("no title", "punctuation-title.txt", "no letter or digit", textArticle("!!! ??? … *** ---"))
	add("no title", "zero-width-title.json", "no letter or digit", jsonArticle(map[string]any{"title": "\u200b\u200b\u2060\ufeff"}))
	add("no title", "empty-front-matter.md", "no title", []byte("---\n---\n\n- only\n- a list\n\n```\ncode\n```\n"))
	add("no title", "brace-first-line.txt", "no letter or digit", textArticle("{"))
	add("no title", "title-only.txt", "title only", []byte("Just a headline, nothing else\n"))
	add("no title", "empty-paragraphs.json", "title only", jsonArticle(map[string]any{"paragraphs": make([]string, 10000)}))
	add("no title", "markup-paragraphs.json", "title only", jsonArticle(map[string]any{"paragraphs": []string{"<br>", "<img src=x onerror=alert(1)>", " "}}))

	// JSON with the wrong types or broken syntax.
	add("json type", "title-number.json", `field "title": want a string, got number`, []byte(`{"title": 42, "body": "x"}`))
	add("json type", "paragraphs-string.json", `field "paragraphs": want an array, got string`, []byte(`{"title": "T", "paragraphs": "one"}`))
	add("json type", "paragraphs-numbers.json", `field "paragraphs`, []byte(`{"title": "T", "paragraphs": [1, 2, 3]}`))
	add("json type", "related-object.json", `field "related": want an array, got object`, []byte(`{"title": "T", "body": "x", "related": {"title": "R"}}`))
	add("json type", "related-title-number.json", `related`, []byte(`{"title": "T", "body": "x", "related": [{"title": 5}]}`))
	add("json type", "id-object.json", `want a string or a number, got an object`, []byte(`{"id": {"$oid": "1"}, "title": "T", "body": "x"}`))
	add("json type", "body-array.json", `field "body": want a string, got array`, []byte(`{"title": "T", "body": ["a", "b"]}`))
	add("json type", "source-bool.json", `field "source": want a string, got bool`, []byte(`{"title": "T", "body": "x", "source": true}`))
	add("json type", "published-number.json", `field "published": want a string, got number`, []byte(`{"title": "T", "body": "x", "published": 1764054000}`))
	add("json type", "top-array.json", "want one JSON object, got array", []byte(`[{"title": "T", "body": "x"}]`))
	add("json type", "top-string.json", "want one JSON object, got string", []byte(`"just a string"`))
	add("json type", "top-number.json", "want one JSON object, got number", []byte(`12345`))
	add("json type", "null.json", "no title", []byte(`null`))
	add("json syntax", "truncated.json", "invalid JSON at line", jsonArticle(nil)[:200])
	add("json syntax", "trailing-garbage.json", "invalid JSON", append(jsonArticle(nil), []byte(" {\"title\": \"second\"}")...))
	add("json syntax", "nan.json", "invalid JSON", []byte(`{"title": "T", "body": "x", "score": NaN}`))
	add("json syntax", "single-quotes.json", "invalid JSON", []byte(`{'title': 'T', 'body': 'x'}`))
	add("json syntax", "comments.json", "invalid JSON", []byte("{\n// a comment\n\"title\": \"T\", \"body\": \"x\"}"))
	add("json nesting", "nested-100k-extra.json", "exceeded max depth", []byte(`{"title": "T", "body": "x", "extra": `+nested("[", "]", 100_000, "")+`}`))
	add("json nesting", "nested-100k-related.json", "exceeded max depth", []byte(`{"title": "T", "body": "x", "related": `+nested(`[{"title":`, `}]`, 100_000, `"R"`)+`}`))
	add("json nesting", "nested-100k-objects.json", "exceeded max depth", []byte(nested(`{"a":`, `}`, 100_000, `1`)))

	// Markdown with malicious front matter.
	laughs := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, prev := 'b', 'a'; i <= 'i'; i, prev = i+1, i {
		laughs += fmt.Sprintf("%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev)
	}
	add("yaml", "billion-laughs.md", "front matter", mdArticle(laughs+"title: *i"))
	add("yaml", "billion-laughs-related.md", "front matter", mdArticle(laughs+"title: Laughs\nrelated: *i"))
	merge := "a: &a {x: 1, y: 2}\n"
	for i := 1; i <= 30; i++ {
		merge += fmt.Sprintf("k%d: &k%d {<<: [%s], z%d: 1}\n", i, i, strings.Repeat(fmt.Sprintf("*k%d,", i-1), 9)+fmt.Sprintf("*k%d", i-1), i)
	}
	add("yaml", "merge-key-bomb.md", "excessive aliasing", mdArticle(strings.Replace(merge, "*k0", "*a", -1)+"title: Merge\nrelated: [*k30]"))
	add("yaml", "nested-100k-flow.md", "front matter", mdArticle("title: Deep\nextra: "+nested("[", "]", 100_000, "")))
	add("yaml", "nested-1200-block.md", "front matter of 707.3 KiB, over the 64.0 KiB", mdArticle(func() string {
		var b strings.Builder
		b.WriteString("title: Deep blocks\nextra:\n")
		for i := 1; i <= 1_200; i++ {
			b.WriteString(strings.Repeat(" ", i) + "k:\n")
		}
		return b.String()
	}()))
	add("yaml", "never-closed.md", "never closed", []byte("---\ntitle: Open\n\n"+proseText()))
	add("yaml", "title-list.md", "front matter", mdArticle("title: [one, two]"))
	add("yaml", "title-map.md", "front matter", mdArticle("title: {a: b}"))
	add("yaml", "front-matter-list.md", "front matter", mdArticle("- title\n- dek"))
	add("yaml", "duplicate-key.md", "front matter", mdArticle("title: One\ntitle: Two"))
	add("yaml", "tab-indent.md", "front matter", mdArticle("title: T\nrelated:\n\t- x"))
	add("yaml", "python-tag.md", "front matter", mdArticle("title: !!python/object/apply:os.system [\"rm -rf /\"]"))
	add("yaml", "unknown-tag-related.md", "front matter", mdArticle("title: T\nrelated: !!set {a, b}"))
	add("yaml", "binary-nul-title.md", "no title", mdArticle("title: !!binary AAAAAA=="))

	// HTML that is deep, wide or empty.
	add("html", "nested-100k-div.html", "open stack of elements exceeds 512", htmlArticle("<title>A page nested 100,000 divs deep</title>", nested("<div>", "</div>", 100_000, "<p>"+prose[0]+"</p><p>"+prose[1]+"</p>")))
	add("html", "nested-100k-b.html", "open stack of elements exceeds 512", htmlArticle("<title>A page with 100,000 bold tags</title>", "<article><p>"+prose[0]+"</p><p>"+nested("<b>", "</b>", 100_000, prose[1])+"</p></article>"))
	add("html", "nested-20k-table.html", "open stack of elements exceeds 512", htmlArticle("<title>Tables in tables</title>", "<article><p>"+prose[0]+"</p>"+nested("<table><tr><td>", "</td></tr></table>", 20_000, "<p>"+prose[1]+"</p>")+"</article>"))
	add("html", "100k-elements.html", "documents too large: 110006 elements", htmlArticle("<title>A hundred thousand paragraphs</title>", "<article>"+strings.Repeat("<p>a</p>", 110_000)+"</article>"))
	add("html", "script-style-only.html", "no article text", htmlArticle("<title>Scripts only</title><style>body{}</style>", "<script>alert(1)</script><style>p{}</style><noscript></noscript>"))
	add("html", "empty-body.html", "no article text", []byte("<html><head><title>Nothing here</title></head><body></body></html>"))
	add("html", "no-title.html", "no title", []byte("<html><body><article><p>"+strings.Join(prose, "</p><p>")+"</p></article></body></html>"))
	add("html", "unclosed-comment.html", "no article text", []byte("<html><head><title>Comment</title></head><body><!-- "+strings.Repeat(prose[0], 1000)))

	// Readable, once cleaned: damage repaired, markup and unsafe
	// addresses dropped.
	add("utf-8", "latin1.txt", "", []byte("Caf\xe9 owner\x92s \x93fair rent\x94 plea\n\nA standfirst.\n\nQuayford Herald\n\n"+proseText()))
	add("utf-8", "overlong.json", "", []byte("{\"title\": \"Overlong \xc0\xaf and surrogate \xed\xa0\x80 bytes\", \"body\": \""+prose[0]+"\"}"))
	add("utf-8", "utf16-bom.txt", "", append([]byte{0xFF, 0xFE}, utf16Bytes(string(textArticle("UTF-16 with its byte-order mark")), false)...))
	add("utf-8", "bom-crlf.md", "", append([]byte{0xEF, 0xBB, 0xBF}, bytes.ReplaceAll(mdArticle("title: BOM and CRLF line ends"), []byte("\n"), []byte("\r\n"))...))
	add("utf-8", "cr-only.txt", "", bytes.ReplaceAll(textArticle("Old Mac line ends"), []byte("\n"), []byte("\r")))
	add("control", "json-control-escapes.json", "", jsonArticle(map[string]any{"title": "Bell\u0007 and NUL\u0000 in \u001b[31ma title\u007f", "dek": "Escape \u001b[2J sequences"}))
	add("control", "html-control-refs.html", "", htmlArticle(`<meta property="og:title" content="Control &#7;&#27;&#0; references &#x85;here">`, ""))
	add("control", "bidi-title.json", "", jsonArticle(map[string]any{"title": "Invoice \u202egnp.exe\u202c for the gate", "source": "Quay\u200bford \u2066Herald\u2069"}))
	add("control", "binary-tag-title.md", "", mdArticle("title: !!binary "+"SW52YWxpZCD/IGFuZCBOVUwAIGluIGEgdGl0bGU="))
	add("control", "vertical-tab.txt", "", textArticle("Vertical\vtab and form\ffeed"))
	add("crlf", "crlf-title.json", "", jsonArticle(map[string]any{"title": "Gate delayed\r\nBcc: everyone@example.com\r\n\r\n<h1>Hi</h1>"}))
	add("crlf", "crlf-title.md", "", mdArticle(`title: "Gate delayed\r\nSubject: spam"`))
	add("crlf", "crlf-og-title.html", "", htmlArticle(`<meta property="og:title" content="Gate&#13;&#10;Bcc: x@example.com">`, ""))
	add("crlf", "crlf-url.json", "", jsonArticle(map[string]any{"url": "https://quayford.example/a\r\nSet-Cookie: a=b", "image": "https://quayford.example/i.jpg\n"}))
	add("crlf", "crlf-url.md", "", mdArticle("title: CR LF in the address\nurl: \"https://quayford.example/a\\r\\nLocation: https://evil.example/\""))
	add("script", "script-title.txt", "", textArticle("Gate delayed <script>alert(document.cookie)</script> again"))
	add("script", "script-title.json", "", jsonArticle(map[string]any{"title": "<script>alert(1)</script>Gate delayed", "dek": "<img src=x onerror=alert(1)>Standfirst"}))
	add("script", "escaped-script-title.json", "", jsonArticle(map[string]any{"title": "Gate &lt;script&gt;alert(1)&lt;/script&gt; delayed"}))
	add("script", "nested-script-title.json", "", jsonArticle(map[string]any{"title": "Gate <scr<script>ipt>alert(1)</scr</script>ipt> <script<b>>alert(2)<</b>/script> delayed"}))
	add("script", "deep-nested-script-title.json", "", jsonArticle(map[string]any{"title": "Gate <script" + strings.Repeat("<a", 20) + strings.Repeat(">", 21) + "alert(3) delayed"}))
	add("script", "script-og-title.html", "", htmlArticle(`<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt;Gate delayed">`, ""))
	add("script", "script-heading.md", "", []byte("# Gate <script>alert(1)</script> delayed\n\n"+proseText()))
	add("script", "script-body.md", "", append(mdArticle("title: Script in the body\ndek: <script>alert(1)</script>"), "\n<script>alert(2)</script>\n\nText with <img src=x onerror=alert(3)> inline.\n"...))
	add("unsafe url", "javascript-og.html", "", htmlArticle(`<title>javascript: addresses</title><meta property="og:url" content="javascript:alert(1)"><meta property="og:image" content="data:text/html,<script>alert(1)</script>"><link rel="canonical" href="javascript:alert(2)">`,
		`<article><p>`+strings.Join(prose, "</p><p>")+`</p></article><aside class="related"><a href="javascript:alert(3)">A related story</a><a href="/relative">Relative</a><a href="https://quayford.example/ok">A safe related story</a></aside>`))
	add("unsafe url", "javascript.json", "", jsonArticle(map[string]any{"url": "javascript:alert(1)", "image": "data:image/png;base64,AAAA", "related": []any{map[string]string{"title": "Related", "url": "vbscript:msgbox"}, "A bare headline"}}))
	add("unsafe url", "javascript.md", "", mdArticle("title: javascript in front matter\nurl: javascript:alert(1)\nimage: //evil.example/x.png\nrelated:\n  - title: Rel\n    url: \"JaVaScRiPt:alert(1)\""))
	add("unsafe url", "links-in-body.md", "", []byte("# Links in the body\n\n[Click](javascript:alert(1)) to read <https://quayford.example/x>.\n\n"+proseText()))

	// Related headlines by the thousand.
	add("related", "5000-related.txt", "", []byte("Five thousand related headlines\n\nA standfirst.\n\nQuayford Herald\n\n"+proseText()+"\n\n"+strings.Join(headlines(5000), " ")+"\n"))
	add("related", "5000-related.json", "", jsonArticle(map[string]any{"title": "Five thousand related in JSON", "related": headlines(5000)}))
	add("related", "5000-related.md", "front matter of 242.2 KiB, over the 64.0 KiB", mdArticle("title: Five thousand related in Markdown\nrelated:\n  - "+strings.Join(headlines(5000), "\n  - ")))
	add("related", "5000-related.html", "", htmlArticle("<title>Five thousand related links</title>", "<article><p>"+strings.Join(prose, "</p><p>")+"</p></article><ul class=\"related\">"+func() string {
		var b strings.Builder
		for i, h := range headlines(5000) {
			fmt.Fprintf(&b, `<li><a href="https://quayford.example/r/%d">%s</a></li>`, i, h)
		}
		return b.String()
	}()+"</ul>"))
	add("related", "single-word-related.txt", "", []byte("One word over and over\n\nA standfirst.\n\nQuayford Herald\n\n"+proseText()+"\n\n"+strings.Repeat("Gate ", 20000)+"\n"))

	// Huge but under the cap: many paragraphs, one huge paragraph, one
	// huge word.
	add("big", "100k-paragraphs.txt", "100000 paragraphs, over the 5000", []byte("A hundred thousand paragraphs\n\nA standfirst.\n\nQuayford Herald\n\n"+strings.Repeat("Short.\n\n", 100_000)))
	add("big", "100k-paragraphs.md", "over 20000 lines", []byte("# A hundred thousand Markdown paragraphs\n\n"+strings.Repeat("p\n\n", 100_000)))
	add("big", "100k-paragraphs.json", "100000 paragraphs, over the 5000", jsonArticle(map[string]any{"title": "A hundred thousand JSON paragraphs", "paragraphs": slicesRepeat("Short.", 100_000)}))
	add("big", "giant-paragraph.json", "", func() []byte {
		head := []byte(`{"title": "One paragraph just under the cap", "body": "`)
		unit := prose[0] + " "
		body := strings.Repeat(unit, (maxBytes-len(head)-2)/len(unit))
		return append(append(head, body...), `"}`...)
	}())
	add("big", "giant-word.txt", "", []byte("A giant word\n\nA standfirst.\n\nQuayford Herald\n\n"+prose[0]+"\n\n"+strings.Repeat("x", maxBytes-4096)+"\n"))
	add("big", "at-cap.txt", "", func() []byte {
		b := textArticle("Exactly at the cap")
		return append(b, bytes.Repeat([]byte("Filler sentence for the cap. "), maxBytes)...)[:maxBytes]
	}())
	add("markdown", "nested-100k-quote.md", "nested 100000 deep", []byte("# Quotes in quotes\n\n"+proseText()+"\n\n"+strings.Repeat(">", 100_000)+" deep\n"))
	add("markdown", "50k-emphasis.md", "over 200 emphasis and link markers", []byte("# Emphasis everywhere\n\n"+proseText()+"\n\n"+strings.Repeat("*a_", 50_000)+"\n"))
	add("markdown", "100k-brackets.md", "over 200 emphasis and link markers", []byte("# Brackets\n\n"+proseText()+"\n\n"+strings.Repeat("[", 100_000)+"x"+strings.Repeat("](y)", 1000)+"\n"))
	add("markdown", "1000-nested-list.md", "indented 130 columns", []byte("# Lists in lists\n\n"+proseText()+"\n\n"+func() string {
		var b strings.Builder
		for i := range 1_000 {
			b.WriteString(strings.Repeat("  ", i) + "- item\n")
		}
		return b.String()
	}()))
	add("html", "billion-laughs.html", "", []byte(`<!DOCTYPE html [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><html><head><title>Entities &lol2; are not expanded</title></head><body><article><p>`+strings.Join(prose, "</p><p>")+`&lol2;</p></article></body></html>`))
	add("html", "huge-attributes.html", "", htmlArticle(`<title>Huge attributes</title><meta name="x" content="`+strings.Repeat("a", 1<<20)+`">`, ""))
	add("html", "10k-title-of-tags.json", "", jsonArticle(map[string]any{"title": strings.Repeat("<b>", 3333) + "Gate delayed"}))
	add("long title", "400-title.json", "", jsonArticle(map[string]any{"title": long("g", 400)}))

	// Ids that are not the file's: one taken from a good article of the
	// day, one reaching out of the folder.
	add("id", "stolen-id.json", "", jsonArticle(map[string]any{"id": "cccbbe643c4863b7", "title": "An article claiming another's id"}))
	add("id", "path-id.json", "", jsonArticle(map[string]any{"id": "../../etc/passwd", "title": "An id with a path in it"}))
	add("id", "path-id.md", "", mdArticle("id: \"<script>\"\ntitle: An id with markup"))

	// Markdown over the shape limits set for goldmark, and front matter
	// over its size.
	add("markdown", "21k-lines.md", "over 20000 lines", []byte("# Many lines\n\n"+strings.Repeat("a line of text\n", 21_000)))
	add("markdown", "1000-list-items.md", "", []byte("# A long list\n\n"+proseText()+"\n\n"+strings.Repeat("- [item](https://quayford.example/i) *one*\n", 1000)))
	add("yaml", "100k-front-matter.md", "front matter of 97.7 KiB, over the 64.0 KiB", mdArticle("title: Big header\nrelated:\n"+strings.Repeat("  - a related headline\n", 100_000/23)))

	// The heaviest files to parse that are under the cap: a DOM of 63,000
	// elements, hundreds of thousands of paragraphs, all refused only once
	// parsed. Without a budget, a day of them parses 16 or 32 at once.
	for i := range 6 {
		unit := fmt.Sprintf("<p a=b c=d e=f g=%d>%s</p>", i, prose[i%4][:10])
		add("memory", fmt.Sprintf("heavy-%d.html", i), "63488 paragraphs, over the 5000", htmlArticle(fmt.Sprintf("<title>Heavy page %d</title>", i),
			"<article>"+strings.Repeat(unit, (maxBytes-2048)/len(unit))+"</article>"))
	}
	for i := range 4 {
		add("memory", fmt.Sprintf("heavy-%d.json", i), "paragraphs, over the 5000", []byte(`{"title": "Heavy JSON", "paragraphs": [`+strings.Repeat(`"a",`, maxBytes/4-16)+`"a"]}`))
		add("memory", fmt.Sprintf("heavy-%d.txt", i), "paragraphs, over the 5000", []byte("Heavy text\n\n"+strings.Repeat("p\n\n", maxBytes/3-8)))
	}

	// Published times no one can read: a warning, not a reason.
	add("date", "bad-dates.json", "", jsonArticle(map[string]any{"published": "9999-99-99T99:99:99Z"}))
	add("date", "bad-dates.md", "", mdArticle("title: Dates\npublished: yesterday, probably\ndate: 0000-00-00"))
	return files
}

func slicesRepeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// repeatReader repeats data forever.
func repeatReader(data []byte) io.Reader {
	return &repeater{data: data}
}

type repeater struct {
	data []byte
	off  int
}

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}
