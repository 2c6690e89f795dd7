// Package rie runs a Lambda function's bootstrap under the AWS Lambda
// Runtime Interface Emulator, the way `sam local invoke` runs it in its
// container, so that a test drives the built binary through the real
// Runtime API: the event, the answer, the error and the logs take the
// paths they take in Lambda. The emulator is the pinned one that
// `make tools` installs into .tools/bin.
//
// What the emulator (aws-lambda-rie, internal/lambda/rie) does, read from
// its source and checked against it:
//   - It starts the runtime lazily, on the first invoke, and again on the
//     invoke after a crash.
//   - A handler's error comes back as 200 with the payload
//     {"errorMessage","errorType"}: its response writer drops headers, so
//     there is never an X-Amz-Function-Error header. A runtime that
//     crashes or exits answers 502 with the same shape of payload; a
//     timeout answers 200 with the plain text "Task timed out after N.00
//     seconds".
//   - After each invoke that did not crash it prints
//     "REPORT RequestId: ID\t...Duration: X ms\t..." to its stdout. The
//     first REPORT also carries an "Init Duration", but that times only
//     the call that starts the init, not the init itself; the real one is
//     rapid's log line "INIT REPORT(durationMs: X)", from the runtime's
//     start to its first request for an event, which is what this package
//     reports as the init duration.
package rie

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/localproc"
	"github.com/newsdigest/newsdigest/internal/procstat"
)

const (
	// startTimeout bounds how long the emulator may take to listen.
	startTimeout = 10 * time.Second
	// stopTimeout is how long the emulator may take to exit after
	// SIGTERM before it is killed: it gives the runtime 2 s itself.
	stopTimeout = 5 * time.Second
	// buildTimeout bounds one go build, on a cold build cache too.
	buildTimeout = 5 * time.Minute
	// reportTimeout bounds the wait for the REPORT line once the answer
	// is in: the emulator prints it before it answers, so it is only
	// waiting for the output to be copied.
	reportTimeout = 5 * time.Second
	// invokeMargin is added to twice the function's timeout (its init
	// and its invoke each get that long) to bound an invoke whose
	// context has no deadline.
	invokeMargin = 10 * time.Second

	invokePath = "/2015-03-31/functions/function/invocations"
)

// builds holds one build per package for the whole test process, so that
// the tests of a package share the binary. A failed build is kept too:
// every test that needs it fails with the same output.
var builds struct {
	sync.Mutex
	byPkg map[string]func() (string, error)
}

// Build compiles the main package pkg, a path relative to the module root
// such as "./functions/digest", into a bootstrap for this machine, as the
// template builds it for Lambda: without cgo and without the RPC mode
// (-tags lambda.norpc). It returns the binary's path.
//
// The binary goes to .tools/rie/<pkg>/bootstrap under the module root, not
// into a test's temporary folder, which would be removed after the first
// test that asked for it, nor into a fresh temporary folder, which nothing
// would ever remove. Each build is written elsewhere and then renamed into
// place, so that test processes of several packages building the same
// function at once each see a whole binary.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	root, err := localproc.ModuleRoot()
	if err != nil {
		t.Fatalf("rie: %v", err)
	}
	rel := filepath.Clean(filepath.FromSlash(pkg))
	if !filepath.IsLocal(rel) {
		t.Fatalf("rie: %q is not a package path inside the module", pkg)
	}
	builds.Lock()
	if builds.byPkg == nil {
		builds.byPkg = make(map[string]func() (string, error))
	}
	build, ok := builds.byPkg[rel]
	if !ok {
		build = sync.OnceValues(func() (string, error) { return buildBootstrap(root, rel) })
		builds.byPkg[rel] = build
	}
	builds.Unlock()
	// Outside the lock, so that builds of different packages overlap.
	bin, err := build()
	if err != nil {
		t.Fatalf("rie: %v", err)
	}
	return bin
}

func buildBootstrap(root, rel string) (string, error) {
	dir := filepath.Join(root, ".tools", "rie", rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	pkg := "./" + filepath.ToSlash(rel)
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(tmp, "bootstrap"), pkg)
	cmd.Dir = root
	// The host's platform even if the environment names another, since
	// the binary runs here.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	bin := filepath.Join(dir, "bootstrap")
	if err := os.Rename(filepath.Join(tmp, "bootstrap"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// Function is a bootstrap running under the emulator.
type Function struct {
	url       string
	client    *http.Client
	logs      *logBuffer
	invokeCap time.Duration // bounds an invoke whose context has no deadline
	// turn lets one invoke in at a time: the emulator refuses a second
	// one while the first runs, and the logs of each invoke then stay
	// together.
	turn chan struct{}

	// emulator is the emulator's process id; the runtime is its child.
	emulator  int
	bootstrap string

	mu           sync.Mutex
	initDuration time.Duration
	initReported bool
}

// Result is the emulator's answer to one invoke.
type Result struct {
	// RequestID is the invoke's request ID, which the function sees in
	// its context and logs with.
	RequestID string
	// Payload is the body of the answer as the emulator sent it.
	Payload []byte
	// Err is the function's error, or nil if it succeeded.
	Err *FunctionError
	// Duration is the emulator's REPORT duration. On an invoke that
	// started the runtime it includes InitDuration, unlike Lambda's.
	// It is zero when the runtime crashed, which the emulator does not
	// report.
	Duration time.Duration
	// InitDuration is the runtime's init, non-zero only on an invoke
	// that started it: the first, or the first after a crash.
	InitDuration time.Duration
}

// FunctionError is a function's failure as the emulator answers it.
type FunctionError struct {
	// Type is the payload's errorType, such as "errorString" for an
	// errors.New or "Runtime.ExitError" for a runtime that exited; empty
	// for a timeout, which the emulator answers with plain text.
	Type    string
	Message string
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return e.Message
	}
	return e.Type + ": " + e.Message
}

// Start runs the bootstrap under the emulator on free loopback ports,
// waits until the emulator listens, and stops it when the test ends,
// logging its output if the test failed. The runtime itself starts on the
// first invoke, as in Lambda.
//
// The function's environment is env and, unless env sets them,
// AWS_LAMBDA_FUNCTION_NAME (the bootstrap's folder name), AWS_REGION and
// AWS_DEFAULT_REGION (us-east-1), AWS_LAMBDA_FUNCTION_TIMEOUT (30 s, for
// slow test machines; pass the template's to test against it),
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE (128, SAM's default) and TZ (UTC, as in
// Lambda). Nothing is inherited from the test's environment: no host
// credentials, and no HOME through which the SDK would find ~/.aws. The
// emulator adds AWS_LAMBDA_RUNTIME_API and the other variables of the
// Runtime API, and empty AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN unless env sets them. The function's working folder is
// the bootstrap's, as /var/task is in Lambda.
func Start(t testing.TB, bootstrap string, env []string) *Function {
	t.Helper()
	root, err := localproc.ModuleRoot()
	if err != nil {
		t.Fatalf("rie: %v", err)
	}
	emulator := filepath.Join(root, ".tools", "bin", "aws-lambda-rie")
	if _, err := os.Stat(emulator); err != nil {
		t.Fatalf("rie: %v: run make tools", err)
	}
	bootstrap, err = filepath.Abs(bootstrap)
	if err != nil {
		t.Fatalf("rie: %v", err)
	}
	env = functionEnv(filepath.Base(filepath.Dir(bootstrap)), env)
	timeout, err := functionTimeout(env)
	if err != nil {
		t.Fatalf("rie: %v", err)
	}
	addrs := localproc.FreePorts(t, 2)
	transport := &http.Transport{Proxy: nil} // loopback never goes through a proxy
	f := &Function{
		url:       "http://" + addrs[0] + invokePath,
		client:    &http.Client{Transport: transport},
		logs:      newLogBuffer(),
		invokeCap: 2*timeout + invokeMargin,
		turn:      make(chan struct{}, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, emulator,
		"--runtime-interface-emulator-address", addrs[0],
		// Its default, 127.0.0.1:9001, would clash between emulators.
		"--runtime-api-address", addrs[1],
		// At info it prints INIT REPORT, which gives the init duration;
		// the flag overrides a LOG_LEVEL in env.
		"--log-level", "info",
		bootstrap,
	)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env // never nil, which would pass on the test's environment
	// One writer for both: they share a pipe, so the emulator's lines and
	// the function's, which it passes to its own stdout, stay in order.
	cmd.Stdout, cmd.Stderr = f.logs, f.logs
	// SIGTERM lets the emulator stop the runtime, which it runs in a
	// process group of its own that a kill of the emulator would not
	// reach. An aws-lambda-go bootstrap left behind all the same exits
	// by itself when its Runtime API goes away.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("rie: %v", err)
	}
	f.emulator, f.bootstrap = cmd.Process.Pid, bootstrap
	done := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
			t.Errorf("rie: the emulator exited during the test: %v", waitErr)
		default:
		}
		cancel()
		<-done
		transport.CloseIdleConnections()
		if t.Failed() {
			t.Logf("rie: output of the emulator and the function:\n%s", f.Logs())
		}
	})
	if err := waitListening(addrs[0], done); err != nil {
		t.Fatalf("rie: %v", err)
	}
	return f
}

// Usage is the use of the machine, processor time and peak memory, of the
// function's runtime process so far: what a Lambda function's memory
// setting must cover, which the emulator's REPORT only repeats. It is an
// error before the first invoke has started the runtime. Linux only.
func (f *Function) Usage() (procstat.Usage, error) {
	pid, err := f.runtimePID()
	if err != nil {
		return procstat.Usage{}, err
	}
	return procstat.Read(pid)
}

// Kill ends the function's runtime process with SIGKILL, at once and
// whatever it is doing, as Lambda ends a function that runs out of time
// or memory, or as a crash does: nothing of the function runs after it.
// The invoke in flight, if any, answers with the emulator's error for a
// runtime that exited (Result.Err), and the next invoke starts the runtime
// afresh, a cold start. It is an error when no runtime runs. Linux only.
func (f *Function) Kill() error {
	pid, err := f.runtimePID()
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("rie: kill the runtime %d: %w", pid, err)
	}
	return nil
}

// runtimePID finds the runtime: the process running the bootstrap whose
// parent is this function's emulator.
func (f *Function) runtimePID() (int, error) {
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	for _, dir := range procs {
		// A bootstrap rebuilt in place meanwhile (by another test process)
		// leaves the running one " (deleted)".
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err != nil || strings.TrimSuffix(exe, " (deleted)") != f.bootstrap {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		if parent, err := procstat.Parent(pid); err == nil && parent == f.emulator {
			return pid, nil
		}
	}
	return 0, errors.New("rie: no runtime process of this emulator: not invoked yet, or exited")
}

// WaitLogs waits until the output holds s, or ctx is done: a runtime
// that exits may answer before its last lines have reached the output.
func (f *Function) WaitLogs(ctx context.Context, s string) bool {
	_, err := f.logs.waitLine(ctx, 0, s)
	return err == nil
}

// Logs returns what the emulator and the function have printed so far.
func (f *Function) Logs() string {
	return f.logs.String()
}

// InitDuration returns the init duration of the first invoke that
// reported one: the cold start, unless that invoke crashed the runtime.
func (f *Function) InitDuration() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.initDuration, f.initReported
}

// Invoke sends the event and waits for the function's answer, at most
// until ctx is done or, if ctx has no deadline, twice the function's
// timeout and a margin. Invokes run one at a time. It returns an error
// only if the invoke did not get through the emulator; a function's own
// failure is Result.Err. An invoke abandoned on ctx leaves the emulator
// busy until the function finishes, so the next may be refused.
func (f *Function) Invoke(ctx context.Context, event []byte) (Result, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.invokeCap)
		defer cancel()
	}
	select {
	case f.turn <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("rie: waiting for the previous invoke: %w", ctx.Err())
	}
	defer func() { <-f.turn }()

	// Our own request ID marks this invoke's lines in the logs.
	res := Result{RequestID: rand.Text()}
	mark := f.logs.Len()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		return Result{}, fmt.Errorf("rie: %w", err)
	}
	req.Header.Set("X-Amzn-RequestId", res.RequestID)
	resp, err := f.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("rie: invoke: %w", err)
	}
	defer resp.Body.Close()
	res.Payload, err = io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("rie: invoke: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		res.Err = functionError(resp.Header.Get("X-Amz-Function-Error"), res.Payload)
	case http.StatusBadGateway:
		// The runtime crashed or exited; the emulator prints no REPORT.
		res.Err = functionError("Unhandled", res.Payload)
		return res, nil
	default:
		return Result{}, fmt.Errorf("rie: invoke: the emulator answered %s: %s", resp.Status, res.Payload)
	}

	waitCtx, cancel := context.WithTimeout(ctx, reportTimeout)
	defer cancel()
	out, err := f.logs.waitLine(waitCtx, mark, "REPORT RequestId: "+res.RequestID+"\t")
	if err != nil {
		return Result{}, fmt.Errorf("rie: no REPORT line for request %s: %w", res.RequestID, err)
	}
	if res.Duration, res.InitDuration, err = parseReport(out); err != nil {
		return Result{}, fmt.Errorf("rie: request %s: %w", res.RequestID, err)
	}
	if res.InitDuration > 0 {
		f.mu.Lock()
		if !f.initReported {
			f.initDuration, f.initReported = res.InitDuration, true
		}
		f.mu.Unlock()
	}
	return res, nil
}

// functionError reads a failure out of an answer: the payload's shape,
// the emulator's plain-text timeout, or else the error header, which the
// emulator itself never sends. The shape is SAM's test: an object with
// errorMessage and errorType and nothing but stackTrace and cause beside
// them, or one other key, where other runtimes put their extras. A
// successful payload of that shape reads as a failure, as in SAM.
func functionError(header string, payload []byte) *FunctionError {
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) == nil {
		extra := 0
		for k := range fields {
			switch k {
			case "errorType", "errorMessage", "stackTrace", "cause":
			default:
				extra++
			}
		}
		// An absent key is a nil RawMessage, which does not unmarshal.
		var e FunctionError
		if (extra == 0 || len(fields) == 3) &&
			json.Unmarshal(fields["errorType"], &e.Type) == nil &&
			json.Unmarshal(fields["errorMessage"], &e.Message) == nil {
			return &e
		}
	}
	if bytes.HasPrefix(payload, []byte("Task timed out after ")) {
		return &FunctionError{Message: string(payload)}
	}
	if header != "" {
		return &FunctionError{Type: header, Message: string(payload)}
	}
	return nil
}

// parseReport reads the durations out of one invoke's output, which ends
// with its REPORT line.
func parseReport(out string) (duration, initDuration time.Duration, err error) {
	report := out[strings.LastIndexByte(out, '\n')+1:]
	found := false
	for field := range strings.SplitSeq(report, "\t") {
		// "Billed Duration: " and "Init Duration: " end the same way,
		// hence the exact prefix.
		if v, ok := strings.CutPrefix(field, "Duration: "); ok {
			if duration, err = parseMillis(strings.TrimSuffix(v, " ms")); err != nil {
				return 0, 0, fmt.Errorf("REPORT %q: %w", report, err)
			}
			found = true
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("REPORT without a duration: %q", report)
	}
	const initReport = "INIT REPORT(durationMs: "
	if i := strings.Index(out, initReport); i >= 0 {
		v, _, _ := strings.Cut(out[i+len(initReport):], ")")
		if initDuration, err = parseMillis(v); err != nil {
			return 0, 0, fmt.Errorf("INIT REPORT: %w", err)
		}
	}
	return duration, initDuration, nil
}

func parseMillis(s string) (time.Duration, error) {
	ms, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// functionEnv is env after the defaults it does not set.
func functionEnv(name string, env []string) []string {
	defaults := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"TZ=UTC",
	}
	set := make(map[string]bool, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	var out []string
	for _, kv := range defaults {
		if k, _, _ := strings.Cut(kv, "="); !set[k] {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// functionTimeout is AWS_LAMBDA_FUNCTION_TIMEOUT, checked here because
// the emulator panics on an invoke if it is not a whole number of seconds.
func functionTimeout(env []string) (time.Duration, error) {
	var v string
	for _, kv := range env { // the last one wins, as in exec
		if s, ok := strings.CutPrefix(kv, "AWS_LAMBDA_FUNCTION_TIMEOUT="); ok {
			v = s
		}
	}
	secs, err := strconv.Atoi(v)
	if err != nil || secs <= 0 {
		return 0, fmt.Errorf("AWS_LAMBDA_FUNCTION_TIMEOUT=%q is not a whole number of seconds", v)
	}
	return time.Duration(secs) * time.Second, nil
}

// waitListening dials addr until it answers, the emulator exits, or
// startTimeout passes. It only dials: a request to the emulator would be
// an invoke.
func waitListening(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return errors.New("the emulator exited before it listened")
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the emulator did not listen on %s within %s", addr, startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logBuffer collects the emulator's output, which the process writes
// while tests read it, and wakes those waiting for a line.
type logBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	grew chan struct{} // closed, and replaced, by every write
}

func newLogBuffer() *logBuffer {
	return &logBuffer{grew: make(chan struct{})}
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.grew)
	b.grew = make(chan struct{})
	return n, err
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// waitLine waits until the output after offset from has a whole line
// containing s, and returns the output from there through that line,
// without its newline.
func (b *logBuffer) waitLine(ctx context.Context, from int, s string) (string, error) {
	for {
		b.mu.Lock()
		tail := b.buf.Bytes()[from:]
		if i := bytes.Index(tail, []byte(s)); i >= 0 {
			if j := bytes.IndexByte(tail[i:], '\n'); j >= 0 {
				out := string(tail[:i+j])
				b.mu.Unlock()
				return out, nil
			}
		}
		grew := b.grew
		b.mu.Unlock()
		select {
		case <-grew:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
