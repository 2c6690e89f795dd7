package digest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
)

// ArchiveStore keeps the web archive of editions: it reads like the
// article store and writes whole objects. The folder and S3 adapters
// implement it.
type ArchiveStore interface {
	Open(ctx context.Context, key string) (Object, error)
	Put(ctx context.Context, key string, body []byte, contentType string) error
}

// ArchiveURL is the web address of a day's edition under the archive's base
// address.
func ArchiveURL(base string, d Date) string {
	return strings.TrimRight(base, "/") + "/" + d.String() + "/"
}

// ArchiveEditionKey is where the archive keeps a day's edition as JSON.
func ArchiveEditionKey(d Date) string { return "archive/" + d.String() + "/edition.json" }

// archived is one edition in the archive's list.
type archived struct {
	Date    Date   `json:"date"`
	Subject string `json:"subject"`
	Stories int    `json:"stories"`
}

const archiveList = "archive/editions.json"

// Publish puts an edition in the web archive: archive/YYYY-MM-DD/index.html
// (the browser version, page), archive/YYYY-MM-DD/edition.json, and
// archive/index.html listing every edition, newest first. Publishing a day
// again replaces it.
func Publish(ctx context.Context, store ArchiveStore, e Edition, page []byte) error {
	dir := "archive/" + e.Date.String() + "/"
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	if err := store.Put(ctx, dir+"index.html", page, "text/html; charset=utf-8"); err != nil {
		return fmt.Errorf("publish %s: %w", dir, err)
	}
	if err := store.Put(ctx, ArchiveEditionKey(e.Date), data, "application/json"); err != nil {
		return fmt.Errorf("publish %s: %w", dir, err)
	}

	list, err := readArchiveList(ctx, store)
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(a archived) bool { return a.Date == e.Date })
	list = append(list, archived{Date: e.Date, Subject: e.Subject, Stories: len(e.Stories)})
	slices.SortFunc(list, func(a, b archived) int { return cmp.Compare(b.Date.String(), a.Date.String()) })
	listData, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	var index bytes.Buffer
	if err := archiveIndex.Execute(&index, list); err != nil {
		return err
	}
	if err := store.Put(ctx, archiveList, listData, "application/json"); err != nil {
		return fmt.Errorf("publish the archive's list: %w", err)
	}
	if err := store.Put(ctx, "archive/index.html", index.Bytes(), "text/html; charset=utf-8"); err != nil {
		return fmt.Errorf("publish the archive's index: %w", err)
	}
	return nil
}

func readArchiveList(ctx context.Context, store ArchiveStore) ([]archived, error) {
	obj, err := store.Open(ctx, archiveList)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", archiveList, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", archiveList, err)
	}
	var list []archived
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("read %s: %w", archiveList, err)
	}
	return list, nil
}

// archiveIndex lists the editions; html/template escapes every subject.
var archiveIndex = template.Must(template.New("archive").Funcs(template.FuncMap{
	"long": func(d Date) string {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Past editions</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1f2328; background: #ffffff; }
a { color: #0b57d0; }
.meta { color: #4d5560; font-size: 0.9rem; }
@media (prefers-color-scheme: dark) { body { color: #e6edf3; background: #0d1117; } a { color: #7cb4ff; } .meta { color: #a3adb8; } }
</style>
</head>
<body>
<h1>Past editions</h1>
<ul>
{{- range . }}
<li><a href="{{ .Date }}/">{{ long .Date }}</a><br><span>{{ .Subject }}</span> <span class="meta">· {{ .Stories }} stories</span></li>
{{- end }}
</ul>
</body>
</html>
`))
