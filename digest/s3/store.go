// Package s3 keeps articles in an Amazon S3 bucket under
// PREFIX/YYYY/MM/DD/, the production article store.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/newsdigest/newsdigest/digest"
)

var (
	_ digest.ArticleStore = (*Store)(nil)
	_ digest.ArchiveStore = (*Store)(nil)
)

// API is the part of the S3 client the store uses.
type API interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Store reads articles from s3://bucket/prefix. Keys are relative to the
// prefix, as in the folder store.
type Store struct {
	client API
	bucket string
	prefix string // "" or ending in "/"
}

// New returns a store for s3://bucket/prefix.
func New(client API, bucket, prefix string) *Store {
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{client: client, bucket: bucket, prefix: prefix}
}

// List pages through the day's objects; S3 returns them in key order.
// Objects in sub-folders of the day are left out, as the folder store does.
func (s *Store) List(ctx context.Context, day digest.Date) ([]digest.ObjectInfo, error) {
	dayPrefix := s.prefix + day.Path() + "/"
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(dayPrefix),
		Delimiter: aws.String("/"),
	})
	var out []digest.ObjectInfo
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.bucket, dayPrefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue // a folder marker
			}
			out = append(out, digest.ObjectInfo{Key: strings.TrimPrefix(key, s.prefix), Size: aws.ToInt64(obj.Size)})
		}
	}
	return out, nil
}

// Open gets one object; its "url" metadata is the article's address.
func (s *Store) Open(ctx context.Context, key string) (digest.Object, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if noKey := new(types.NoSuchKey); errors.As(err, &noKey) {
		return digest.Object{}, fmt.Errorf("get s3://%s/%s%s: %w: %w", s.bucket, s.prefix, key, digest.ErrNotFound, err)
	}
	if err != nil {
		return digest.Object{}, fmt.Errorf("get s3://%s/%s%s: %w", s.bucket, s.prefix, key, err)
	}
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	return digest.Object{Body: out.Body, Size: size, URL: out.Metadata["url"]}, nil
}

// PutIfAbsent writes the object unless the key holds one already
// (If-None-Match: *), and reports whether it wrote: of two writers, the
// first wins and both know.
func (s *Store) PutIfAbsent(ctx context.Context, key string, body []byte, contentType string) (bool, error) {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(s.prefix + key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String(contentType),
		IfNoneMatch: aws.String("*"),
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "PreconditionFailed" || apiErr.ErrorCode() == "ConditionalRequestConflict") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("put s3://%s/%s%s: %w", s.bucket, s.prefix, key, err)
	}
	return true, nil
}

// Put writes one object.
func (s *Store) Put(ctx context.Context, key string, body []byte, contentType string) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(s.prefix + key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String(contentType),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s%s: %w", s.bucket, s.prefix, key, err)
	}
	return nil
}
