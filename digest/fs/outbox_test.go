package fs_test

import (
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/fs"
)

func TestOutboxWritesReadableMessages(t *testing.T) {
	dir := t.TempDir()
	out, err := fs.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := digest.Mail{
		From: digest.Address{Name: "The Newsdigest Daily", Email: "digest@newsdigest.example"}, To: digest.Address{Name: "Zoë", Email: "Zoe@Example.com"},
		Subject: "Nov 26: news", HTML: "<p>Hi</p>", Text: "Hi", ListID: "daily.newsdigest.example",
		ListUnsubscribeURL: "https://newsdigest.example/unsubscribe?t=1",
	}
	id, err := out.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Send(context.Background(), digest.Mail{From: m.From, To: digest.Address{Email: "bad\r\nBcc: x@example.com"}, Subject: "x", HTML: "x", Text: "x"}); err == nil {
		t.Error("a message with a header injection was written")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 || !strings.HasPrefix(filepath.Base(files[0]), "zoe@example.com--") {
		t.Fatalf("outbox holds %v", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Message-Id") != id || msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("headers %v, id %q", msg.Header, id)
	}
}
