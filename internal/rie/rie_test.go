package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// echoResponse is what testdata/echo answers.
type echoResponse struct {
	Event json.RawMessage `json:"event"`
	Env   string          `json:"env"`
}

func TestEchoUnderEmulator(t *testing.T) {
	// The emulator must not hand the host's credentials to the function.
	t.Setenv("AWS_ACCESS_KEY_ID", "host-key-that-must-not-leak")
	f := Start(t, Build(t, "./internal/rie/testdata/echo"), []string{
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"ECHO_GREETING=hello from the test",
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	event := []byte(`{"env": "ECHO_GREETING", "nested": {"n": [1, 2.5, null]}, "text": "héllo\n"}`)
	res, err := f.Invoke(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("echo failed: %v\npayload: %s", res.Err, res.Payload)
	}
	// A Go runtime holds a few megabytes, far from the gigabytes of the
	// memory setting the emulator's REPORT repeats.
	if u, err := f.Usage(); err != nil || u.PeakRSS < 1<<20 || u.PeakRSS > 512<<20 || u.CPU > time.Minute {
		t.Errorf("usage %+v, %v; want a few MB", u, err)
	}
	var got echoResponse
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	if g, w := compact(t, got.Event), compact(t, event); g != w {
		t.Errorf("echoed event = %s, want %s", g, w)
	}
	if got.Env != "hello from the test" {
		t.Errorf("ECHO_GREETING in the function = %q, want %q", got.Env, "hello from the test")
	}
	// The first invoke starts the runtime, so it reports the init, and
	// the function keeps that figure.
	if res.InitDuration == 0 {
		t.Errorf("first invoke: no init duration in\n%s", f.Logs())
	}
	if d, ok := f.InitDuration(); !ok || d != res.InitDuration {
		t.Errorf("InitDuration() = %v, %v; want %v, true", d, ok, res.InitDuration)
	}
	if res.Duration == 0 {
		t.Errorf("first invoke: no duration in\n%s", f.Logs())
	}
	if line, ok := logLine(t, f.Logs(), res.RequestID); !ok {
		t.Errorf("no JSON log line with requestId %s in\n%s", res.RequestID, f.Logs())
	} else if line["message"] != "echo" || line["level"] != "INFO" {
		t.Errorf("log line = %v, want message echo at level INFO", line)
	}

	res, err = f.Invoke(ctx, []byte(`{"env": "AWS_ACCESS_KEY_ID"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil {
		t.Fatalf("echo failed: %v", res.Err)
	}
	got = echoResponse{}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	if got.Env != "" {
		t.Errorf("AWS_ACCESS_KEY_ID in the function = %q, want it empty", got.Env)
	}
	if res.InitDuration != 0 {
		t.Errorf("second invoke: init duration %v, want none: the runtime was warm", res.InitDuration)
	}

	res, err = f.Invoke(ctx, []byte(`{"fail": true}`))
	if err != nil {
		t.Fatal(err)
	}
	want := FunctionError{Type: "errorString", Message: "failing as asked"}
	if res.Err == nil || *res.Err != want {
		t.Errorf("failing invoke: error %v, want %v; payload %s", res.Err, &want, res.Payload)
	}
	if _, ok := logLine(t, f.Logs(), res.RequestID); !ok {
		t.Errorf("no JSON log line with requestId %s in\n%s", res.RequestID, f.Logs())
	}
}

// TestKill: a runtime killed mid-invoke fails that invoke as a crash
// does, and the next invoke starts a new runtime.
func TestKill(t *testing.T) {
	f := Start(t, Build(t, "./internal/rie/testdata/echo"), []string{"AWS_LAMBDA_LOG_FORMAT=JSON"})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := f.Kill(); err == nil {
		t.Error("Kill before the first invoke: no error, want one: there is no runtime yet")
	}
	type answer struct {
		res Result
		err error
	}
	done := make(chan answer, 1)
	start := time.Now()
	go func() {
		res, err := f.Invoke(ctx, []byte(`{"sleep_ms": 20000}`))
		done <- answer{res, err}
	}()
	// The handler logs before it sleeps: then the invoke is in flight.
	if _, err := f.logs.waitLine(ctx, 0, `"message":"echo"`); err != nil {
		t.Fatalf("the invoke never reached the handler: %v\n%s", err, f.Logs())
	}
	if err := f.Kill(); err != nil {
		t.Fatal(err)
	}
	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	if a.res.Err == nil || time.Since(start) > 15*time.Second {
		t.Errorf("the killed invoke answered %s after %s, want an error at once", a.res.Payload, time.Since(start).Round(time.Millisecond))
	}
	res, err := f.Invoke(ctx, []byte(`{"env": "AWS_LAMBDA_FUNCTION_NAME"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Err != nil || res.InitDuration == 0 {
		t.Errorf("the invoke after the kill: error %v, init %v; want a cold start that succeeds", res.Err, res.InitDuration)
	}
}

// The answers below are the emulator's own, as it sent them for a Go
// function that returned an error, panicked, exited and timed out.
func TestFunctionError(t *testing.T) {
	for _, tc := range []struct {
		name, header, payload string
		want                  *FunctionError
	}{
		{"success", "", `{"event": {}}`, nil},
		{"success that is not an object", "", `"ok"`, nil},
		{"success with error keys among others", "", `{"errorType": "a", "errorMessage": "b", "x": 1, "y": 2}`, nil},
		{"returned error", "", `{"errorMessage":"failing as asked","errorType":"errorString"}`,
			&FunctionError{Type: "errorString", Message: "failing as asked"}},
		{"panic", "Unhandled", `{"errorMessage":"handler boom","errorType":"string","stackTrace":[{"path":"main.go","line":21,"label":"main.func1"}]}`,
			&FunctionError{Type: "string", Message: "handler boom"}},
		{"runtime exit", "Unhandled", `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 02a4 Error: Runtime exited with error: exit status 3"}`,
			&FunctionError{Type: "Runtime.ExitError", Message: "RequestId: 02a4 Error: Runtime exited with error: exit status 3"}},
		{"timeout", "", `Task timed out after 1.00 seconds`,
			&FunctionError{Message: "Task timed out after 1.00 seconds"}},
		{"header only", "Unhandled", `boom`, &FunctionError{Type: "Unhandled", Message: "boom"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := functionError(tc.header, []byte(tc.payload))
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("functionError(%q, %s) = %v, want %v", tc.header, tc.payload, got, tc.want)
			}
		})
	}
}

// compact is a JSON document without its insignificant space.
func compact(t *testing.T, doc []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return b.String()
}

// logLine finds the JSON log line lambdacontext's logger wrote for a
// request.
func logLine(t *testing.T, logs, requestID string) (map[string]any, bool) {
	t.Helper()
	for line := range strings.Lines(logs) {
		var fields map[string]any
		if json.Unmarshal([]byte(line), &fields) == nil && fields["requestId"] == requestID {
			return fields, true
		}
	}
	return nil, false
}
