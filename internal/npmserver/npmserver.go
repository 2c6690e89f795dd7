// Package npmserver runs one of the Node.js servers that `make tools`
// installs from npm into infra/npm (dynalite, aws-ses-v2-local) as a child
// process on a loopback address, waits until it answers, and stops it. The
// packages that wrap each server (internal/dynalite, internal/seslocal)
// share it.
package npmserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/internal/localproc"
	"github.com/newsdigest/newsdigest/internal/procstat"
)

// stopTimeout bounds how long a server may take to exit once asked;
// pollInterval is the pause between two readiness probes.
const (
	stopTimeout  = 5 * time.Second
	pollInterval = 25 * time.Millisecond
)

// Config describes a server to run.
type Config struct {
	// Name is the package's executable in infra/npm/node_modules/.bin;
	// it names the server in errors.
	Name string
	// Args follow the --host and --port flags of the address, which
	// dynalite and aws-ses-v2-local both take.
	Args []string
	// Env is the server's environment; nil is this process's.
	Env []string
	// ReadyPath is the path that answers 200 OK once the server is ready,
	// and ReadyPrefix what that answer's body must begin with ("" for
	// anything).
	ReadyPath   string
	ReadyPrefix string
	// StartTimeout bounds how long the server may take to be ready.
	StartTimeout time.Duration
}

// Process is a running server.
type Process struct {
	// URL is its address, http://host:port.
	URL string

	name    string
	pid     int
	cancel  context.CancelFunc
	done    chan struct{} // closed when the process has exited
	waitErr error         // the process's exit, once done is closed
	out     *localproc.Output
}

// Start runs the server on addr (host:port, such as 127.0.0.1:4567) and
// waits until it is ready. An address in use is an error at once: the
// server already answering there would otherwise pass for this one.
func Start(cfg Config, addr string) (*Process, error) {
	fail := func(err error) (*Process, error) { return nil, fmt.Errorf("%s: %w", cfg.Name, err) }
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fail(err)
	}
	if err := checkFree(addr); err != nil {
		return fail(err)
	}
	root, err := localproc.ModuleRoot()
	if err != nil {
		return fail(err)
	}
	script := filepath.Join(root, "infra", "npm", "node_modules", ".bin", cfg.Name)
	if _, err := os.Stat(script); err != nil {
		return fail(fmt.Errorf("%w: run make tools", err))
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fail(fmt.Errorf("%w: install Node.js", err))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, append([]string{script, "--host", host, "--port", port}, cfg.Args...)...)
	p := &Process{
		URL:    "http://" + addr,
		name:   cfg.Name,
		cancel: cancel,
		done:   make(chan struct{}),
		out:    &localproc.Output{},
	}
	cmd.Env = cfg.Env
	detach(cmd)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		return fail(err)
	}
	p.pid = cmd.Process.Pid
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(cfg); err != nil {
		cancel()
		<-p.done
		return nil, fmt.Errorf("%s on %s: %w\n%s", cfg.Name, addr, err, p.out.String())
	}
	return p, nil
}

// Usage is the server's use of the machine so far: a load test weighs
// the stand-ins' share of it against the product's. Linux only.
func (p *Process) Usage() (procstat.Usage, error) {
	return procstat.Read(p.pid)
}

// Close stops the server. It reports an error if the server had already
// exited on its own, which would have failed the requests sent to it.
func (p *Process) Close() error {
	select {
	case <-p.done:
		p.cancel()
		return fmt.Errorf("%s exited while in use: %v\n%s", p.name, p.waitErr, p.out.String())
	default:
	}
	p.cancel()
	<-p.done
	return nil
}

// waitReady polls the server until it answers as ready, exits, or the
// start timeout passes.
func (p *Process) waitReady(cfg Config) error {
	deadline := time.Now().Add(cfg.StartTimeout)
	probe := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready: %v", p.waitErr)
		default:
		}
		if resp, err := probe.Get(p.URL + cfg.ReadyPath); err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(body), cfg.ReadyPrefix) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", cfg.StartTimeout)
		}
		time.Sleep(pollInterval)
	}
}

// FreeAddr returns a loopback address that was free a moment ago. It is
// free again when the server binds it right after, barring a rare race
// with another process, which Start then reports as the address in use or
// the server exiting before it was ready.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// checkFree reports whether nothing listens on addr now.
func checkFree(addr string) error {
	if _, port, _ := net.SplitHostPort(addr); port == "0" {
		return fmt.Errorf("address %s: want a fixed port, not 0", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}
