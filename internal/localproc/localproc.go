// Package localproc holds what the launchers of the local stand-ins
// (aws-lambda-rie, Mailpit, the npm servers) share: finding the module's
// root, where the project's scripts install the tools, choosing free
// loopback ports, and collecting a process's output while tests read it.
package localproc

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// ModuleRoot is the nearest folder above the working directory with a
// go.mod: tests run in their package's folder, the command line from the
// repository's root.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// FreePorts returns n distinct free loopback addresses, holding each open
// until all are chosen so that none is returned twice. Another process
// may take one before the caller's process binds it, which then shows as
// that process exiting before it listened.
func FreePorts(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs
}

// Output collects a process's output, which the process writes while a
// test or an error message may read it.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
