package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/newsdigest/newsdigest/digest"
)

// TestListFromS3 lists an s3:// source with the endpoint taken from
// AWS_ENDPOINT_URL_S3, as a developer points the CLI at a local S3 server.
func TestListFromS3(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	ctx := context.Background()
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "eu-west-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("news")}); err != nil {
		t.Fatal(err)
	}
	day := "../../examples/articles/2026/11/26"
	entries, err := os.ReadDir(day)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(day, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("news"), Key: aws.String("feeds/2026/11/26/" + e.Name()),
			Body: bytes.NewReader(data), Metadata: map[string]string{"url": "https://news.example/" + e.Name()},
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	code, out, errOut := runCLI(t, "list", "--articles", "s3://news/feeds", "--date", "2026-11-26", "--lookback", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got digest.Day
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Articles) != len(entries) {
		t.Fatalf("%d articles from S3, want %d", len(got.Articles), len(entries))
	}
	for _, a := range got.Articles {
		// Text files have no address of their own: the object metadata gives it.
		if a.Format == digest.FormatText && a.URL != "https://news.example/"+filepath.Base(a.Key) {
			t.Errorf("%s: url %q, want the object's metadata", a.Key, a.URL)
		}
	}
}
