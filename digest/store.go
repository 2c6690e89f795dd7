package digest

import (
	"context"
	"errors"
	"io"
)

// ArticleStore lists a day's article files and opens one. The folder and S3
// adapters implement it.
type ArticleStore interface {
	// List returns every object under the day's folder (PREFIX/YYYY/MM/DD/),
	// in key order. A day with no objects is an empty list, not an error.
	List(ctx context.Context, day Date) ([]ObjectInfo, error)
	// Open opens one listed object for reading.
	Open(ctx context.Context, key string) (Object, error)
}

// ObjectInfo is one listed object.
type ObjectInfo struct {
	Key  string
	Size int64
}

// Object is an opened object: its body and what the store knows about it.
type Object struct {
	Body io.ReadCloser
	// Size is the object's length in bytes, or -1 when the store cannot tell.
	Size int64
	// URL is the article's public address when the store records one (the S3
	// object metadata "url"), else empty.
	URL string
}

// ErrTooLarge is reported for a file over the size cap.
var ErrTooLarge = errors.New("file too large")

// ErrDayTooLarge is reported for a file a day over its byte budget leaves
// out (ReaderConfig.MaxDayBytes).
var ErrDayTooLarge = errors.New("left out unread, the day is too large")
