package main

import (
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendToTheOutbox runs the local path end to end: import the example
// list, send the edition into an outbox, send again (nothing goes out),
// test-send to an editor, dry-run.
func TestSendToTheOutbox(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "subscribers.csv")
	outbox := filepath.Join(dir, "outbox")
	flags := []string{"--date", "2026-11-26", "--subscribers", list, "--via", "outbox:" + outbox,
		"--ledger", filepath.Join(dir, "ledger"), "--key-file", filepath.Join(dir, "key")}

	code, out, errOut := runCLI(t, "subscribers", "import", "examples/subscribers.csv", "--into", list)
	if code != 0 || !strings.Contains(out, "6 added") || !strings.Contains(errOut, "subscribers.csv:9: \"not-an-address\" is not an email address") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, append([]string{"send"}, flags...)...)
	if code != 0 || !strings.Contains(out, "2026-11-26: 5 sent, 0 already sent, 0 failed") {
		t.Fatalf("send: exit %d\n%s\n%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 5 {
		t.Fatalf("%d messages in the outbox, want 5 (one per active reader)", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Message-Id"} {
		if msg.Header.Get(h) == "" {
			t.Errorf("a sent message lacks %s", h)
		}
	}

	code, out, _ = runCLI(t, append([]string{"send"}, flags...)...)
	if code != 0 || !strings.Contains(out, "0 sent, 5 already sent") {
		t.Errorf("second send: exit %d\n%s", code, out)
	}
	if files, _ := filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) != 5 {
		t.Errorf("the second send wrote %d more messages", len(files)-5)
	}

	code, out, _ = runCLI(t, append([]string{"send", "--test-to", "editor@example.com"}, flags...)...)
	if code != 0 || !strings.Contains(out, "test-2026-11-26: 1 sent") {
		t.Errorf("test send: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, append([]string{"send", "--dry-run"}, flags...)...)
	if code != 0 || !strings.Contains(out, "dry run, 5 messages built, none sent") {
		t.Errorf("dry run: exit %d\n%s", code, out)
	}
}
