package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/digest"
	digests3 "github.com/newsdigest/newsdigest/digest/s3"
	"github.com/newsdigest/newsdigest/internal/synth"
)

const bucket = "news"

// object is one object to put in the fake bucket.
type object struct {
	key  string
	data []byte
	url  string // the "url" metadata; none when empty
}

// fakeBucket starts an in-memory S3 server over HTTP, creates the bucket
// with the objects in it and returns a real S3 client for it.
func fakeBucket(tb testing.TB, objects []object) *s3.Client {
	tb.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	tb.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	ctx := tb.Context()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		tb.Fatalf("create bucket %s: %v", bucket, err)
	}
	if err := putAll(ctx, client, objects); err != nil {
		tb.Fatal(err)
	}
	return client
}

// putAll puts the objects 16 at a time, since a benchmark's 10,000 puts
// one after the other take long.
func putAll(ctx context.Context, client *s3.Client, objects []object) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan object)
	for range 16 {
		wg.Go(func() {
			for o := range next {
				in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key), Body: bytes.NewReader(o.data)}
				if o.url != "" {
					in.Metadata = map[string]string{"url": o.url}
				}
				if _, err := client.PutObject(ctx, in); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("put %s: %w", o.key, err))
					mu.Unlock()
				}
			}
		})
	}
	for _, o := range objects {
		next <- o
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// under places generated files under a folder, with their URLs as metadata.
func under(folder string, files []synth.File) []object {
	out := make([]object, len(files))
	for i, f := range files {
		out[i] = object{key: folder + f.Name, data: f.Data, url: f.URL}
	}
	return out
}

// countingClient counts the store's listing calls.
type countingClient struct {
	digests3.API
	lists atomic.Int64
}

func (c *countingClient) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	c.lists.Add(1)
	return c.API.ListObjectsV2(ctx, in, opts...)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testDay() digest.Date { return digest.Date{Year: 2026, Month: time.November, Day: 25} }

// busyDay is a bucket whose day 2026-11-25 holds more objects than one
// listing page (1,000), with neighbouring days, a folder marker and a
// sub-folder (left out, as the folder store leaves it out) around it. It
// returns the day's files.
func busyDay(tb testing.TB, extra ...object) (*s3.Client, []synth.File) {
	tb.Helper()
	files := synth.Day(1250, 1)
	objects := under("articles/2026/11/25/", files)
	objects = append(objects, under("articles/2026/11/24/", synth.Day(3, 2))...)
	objects = append(objects, under("articles/2026/11/26/", synth.Day(3, 3))...)
	objects = append(objects, object{key: "articles/2026/11/25/"})
	objects = append(objects, under("articles/2026/11/25/drafts/", synth.Day(2, 4))...)
	objects = append(objects, extra...)
	return fakeBucket(tb, objects), files
}

func TestListPaginates(t *testing.T) {
	client, files := busyDay(t)
	counting := &countingClient{API: client}
	store := digests3.New(counting, bucket, "articles/")

	got, err := store.List(t.Context(), testDay())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]digest.ObjectInfo, len(files))
	for i, f := range files {
		want[i] = digest.ObjectInfo{Key: "2026/11/25/" + f.Name, Size: int64(len(f.Data))}
	}
	slices.SortFunc(want, func(a, b digest.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	if len(got) != len(want) {
		t.Errorf("listed %d objects, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("object %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := counting.lists.Load(); got < 2 {
		t.Errorf("%d ListObjectsV2 calls, want 2 or more: the listing was not paged", got)
	}
}

func TestReadDay(t *testing.T) {
	const maxBytes = 16 << 10
	broken := []struct {
		name, key, reason string
		data              []byte
	}{
		{"binary", "2026/11/25/900000_binary.txt", "binary", []byte("\x00\x01\x02PNG\x00\x00\xff\xfe\x00")},
		{"empty", "2026/11/25/900001_empty.json", "empty", nil},
		{"too large", "2026/11/25/900002_large.txt", "too large", bytes.Repeat([]byte("A line of text.\n"), maxBytes/8)},
	}
	var extra []object
	for _, b := range broken {
		extra = append(extra, object{key: "articles/" + b.key, data: b.data})
	}
	client, files := busyDay(t, extra...)
	store := digests3.New(client, bucket, "articles")

	day, err := digest.NewReader(digest.ReaderConfig{Concurrency: 8, MaxBytes: maxBytes}, store, discardLogger()).ReadDay(t.Context(), testDay())
	if err != nil {
		t.Fatal(err)
	}

	byKey := map[string]digest.Article{}
	for _, a := range day.Articles {
		byKey[a.Key] = a
	}
	if got, want := len(day.Articles), len(files); got != want {
		t.Errorf("%d articles, want %d", got, want)
	}
	for _, f := range files {
		key := "2026/11/25/" + f.Name
		a, ok := byKey[key]
		switch {
		case !ok:
			t.Errorf("%s: not read", key)
		case path.Ext(key) == ".txt" && a.URL != f.URL:
			t.Errorf("%s: url %q, want the metadata's %q", key, a.URL, f.URL)
		case !strings.HasPrefix(a.URL, "https://"):
			t.Errorf("%s: url %q, want the one in the file", key, a.URL)
		}
	}

	skipped := map[string]string{}
	for _, s := range day.Skipped {
		skipped[s.Key] = s.Error
	}
	if got, want := len(day.Skipped), len(broken); got != want {
		t.Errorf("%d skipped, want %d: %+v", got, want, day.Skipped)
	}
	for _, b := range broken {
		t.Run(b.name, func(t *testing.T) {
			reason, ok := skipped[b.key]
			if !ok {
				t.Fatalf("%s not skipped", b.key)
			}
			if !strings.Contains(reason, b.reason) {
				t.Errorf("skipped for %q, want a reason saying %q", reason, b.reason)
			}
		})
	}
}

func TestOpenMissingKey(t *testing.T) {
	store := digests3.New(fakeBucket(t, nil), bucket, "articles")
	const key = "2026/11/25/000404_missing.txt"
	obj, err := store.Open(t.Context(), key)
	if err == nil {
		obj.Body.Close()
		t.Fatal("opened a missing key")
	}
	if !strings.Contains(err.Error(), key) {
		t.Errorf("error %q does not name the key %s", err, key)
	}
	if !errors.As(err, new(*types.NoSuchKey)) {
		t.Errorf("error %q is not S3's NoSuchKey", err)
	}
}

func TestPrefixes(t *testing.T) {
	files := synth.Day(4, 5)
	var objects []object
	for _, folder := range []string{"", "articles/", "data/articles/"} {
		objects = append(objects, under(folder+"2026/11/25/", files)...)
	}
	client := fakeBucket(t, objects)

	tests := []struct {
		name, prefix string
	}{
		{"no trailing slash", "articles"},
		{"trailing slash", "articles/"},
		{"leading slash", "/articles/"},
		{"nested", "data/articles"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := digests3.New(client, bucket, tt.prefix)
			listed, err := store.List(t.Context(), testDay())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(listed), len(files); got != want {
				t.Fatalf("listed %d objects, want %d: %+v", got, want, listed)
			}
			for i, f := range files {
				if got, want := listed[i].Key, "2026/11/25/"+f.Name; got != want {
					t.Errorf("key %d is %q, want %q", i, got, want)
				}
				checkOpen(t, store, listed[i].Key, f)
			}
		})
	}
}

// checkOpen opens a listed key and checks it is the file, with its URL.
func checkOpen(t *testing.T, store *digests3.Store, key string, f synth.File) {
	t.Helper()
	obj, err := store.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if !bytes.Equal(data, f.Data) {
		t.Errorf("%s: read %d bytes that differ from the %d put", key, len(data), len(f.Data))
	}
	if got, want := obj.Size, int64(len(f.Data)); got != want {
		t.Errorf("%s: size %d, want %d", key, got, want)
	}
	if got, want := obj.URL, f.URL; got != want {
		t.Errorf("%s: url %q, want %q", key, got, want)
	}
}

// Of two writers of one key, the first wins and both know: gofakes3 keeps
// If-None-Match as S3 does.
func TestPutIfAbsent(t *testing.T) {
	store := digests3.New(fakeBucket(t, nil), bucket, "")
	ctx := t.Context()
	for i, want := range []bool{true, false} {
		wrote, err := store.PutIfAbsent(ctx, "issues/2026-11-26.json", []byte(fmt.Sprintf(`{"writer":%d}`, i)), "application/json")
		if err != nil || wrote != want {
			t.Fatalf("writer %d: wrote %v, %v; want %v", i, wrote, err, want)
		}
	}
	obj, err := store.Open(ctx, "issues/2026-11-26.json")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	got, _ := io.ReadAll(obj.Body)
	if string(got) != `{"writer":0}` {
		t.Errorf("the key holds %s, want the first writer's", got)
	}
}
