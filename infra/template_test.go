// Package infra holds what deploys and runs newsdigest outside the code:
// the event files shared by these tests and `sam local invoke`, the local
// environment of infra/env.json, and the scripts of the local stand-ins.
// Its tests hold template.yaml, the Makefile and those files to the
// functions' code.
package infra

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/intrinsics"
	"go.yaml.in/yaml/v3"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/digest/awslambda"
)

const (
	templateFile = "../template.yaml"
	envFile      = "env.json"
	eventsDir    = "events"
)

// localUnsubscribeKey is the HMAC key the local SSM stand-in serves under
// env.json's UNSUBSCRIBE_KEY_PARAMETER; the unsubscribe event files carry
// links signed with it. It is no secret: production's key lives only in
// the SecureString parameter the template names.
const localUnsubscribeKey = "newsdigest-local-unsubscribe-key-not-secret-000000"

// function is one Lambda function of the template: its main package, the
// configuration its main package reads from the environment, and the
// event files (in infra/events) that invoke it.
type function struct {
	id     string // LogicalId in template.yaml
	dir    string // functions/<dir>
	config any
	events []string
	// check decodes an event file into the aws-lambda-go type the
	// function's handler takes and checks what AWS always sets in it.
	check func(data []byte) error
}

var functions = []function{
	{"DigestFunction", "digest", awslambda.DigestConfig{},
		[]string{"schedule.json", "schedule-rerun.json"}, checkEventBridgeEvent},
	{"SendFunction", "send", awslambda.SendConfig{},
		[]string{"send-batch.json"}, checkSQSEvent},
	{"PreviewFunction", "preview", awslambda.PreviewConfig{},
		[]string{"preview-get.json", "preview-post.json"}, checkFunctionURLRequest},
	{"UnsubscribeFunction", "unsubscribe", awslambda.UnsubscribeConfig{},
		[]string{"unsubscribe-post.json", "unsubscribe-get.json"}, checkFunctionURLRequest},
	{"FeedbackFunction", "feedback", awslambda.FeedbackConfig{},
		[]string{"feedback-bounce-permanent.json", "feedback-bounce-transient.json", "feedback-complaint.json", "feedback-delivery.json"}, checkSNSEvent},
}

// localEndpoints are the variables the template declares for every
// function (empty in AWS) only so that infra/env.json can point the SDK at
// the local stand-ins: sam local invoke overrides declared variables only.
var localEndpoints = []string{
	"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS",
	"AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_SESV2",
}

// localCredentials are in env.json for runs outside SAM (the built
// bootstrap under aws-lambda-rie); sam local invoke takes them, and the
// region, from the caller instead: Lambda reserves these names.
var localCredentials = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}

// goMemLimit is the one variable the template sets for Go's runtime rather
// than for the handlers.
const goMemLimit = "GOMEMLIMIT"

// starOnlyActions are the actions AWS only authorizes on Resource "*":
// they act on no resource type, so IAM has no ARN to name. Nothing else in
// a function's policy may name "*".
var starOnlyActions = map[string]string{
	"ses:GetAccount": "reads the account's sending quota; the action has no resource type",
}

// parameterOverrides stand in for the template's parameters without a
// default, so that values built from them can be checked.
var parameterOverrides = map[string]any{
	"SenderEmail":     "digest@news.example.com",
	"SesIdentity":     "news.example.com",
	"SiteUrl":         "https://news.example.com",
	"ArchiveUrl":      "https://news.example.com/archive",
	"PostalAddress":   "Newsdigest, 1 Quay Street, Port Alder PA1 1AA, United Kingdom",
	"ListId":          "daily.news.example.com",
	"EditorAddresses": "editor@news.example.com",
}

// openTemplate parses template.yaml with goformation, which resolves Ref
// to parameter defaults (and the overrides above), evaluates Fn::If on
// them, and leaves Fn::GetAtt and Ref to resources empty.
func openTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	tmpl, err := goformation.OpenWithOptions(templateFile, &intrinsics.ProcessorOptions{ParameterOverrides: parameterOverrides})
	if err != nil {
		t.Fatalf("goformation: %v", err)
	}
	return tmpl
}

// rawTemplate is template.yaml as plain values with every intrinsic
// function kept, unresolved, in its long form ({"Fn::Sub": ...},
// {"Ref": ...}): for what goformation resolves away (both branches of an
// Fn::If, the literal "*" in a policy) or does not know (SAM's ScheduleV2
// events, an SQS mapping's ScalingConfig).
func rawTemplate(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", templateFile, err)
	}
	v, err := plain(&doc)
	if err != nil {
		t.Fatalf("%s: %v", templateFile, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: not a mapping", templateFile)
	}
	return m
}

// plain turns a YAML node into maps, slices and scalars, writing a short
// intrinsic function tag (!Sub x) as its long form ({"Fn::Sub": x}).
func plain(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.AliasNode:
		return plain(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			val, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := plain(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			resource, attribute, _ := strings.Cut(s, ".")
			v = []any{resource, attribute}
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

// resource is the raw template's resource, failing the test when it is
// missing or of another type.
func resource(t *testing.T, raw map[string]any, id, typ string) map[string]any {
	t.Helper()
	r, _ := dig(raw, "Resources", id).(map[string]any)
	if r == nil {
		t.Fatalf("template.yaml has no resource %s", id)
	}
	if got := r["Type"]; got != typ {
		t.Fatalf("%s is a %v, want %s", id, got, typ)
	}
	return r
}

// dig follows keys through nested maps; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func function1(t *testing.T, tmpl *cloudformation.Template, id string) *serverless.Function {
	t.Helper()
	f, err := tmpl.GetServerlessFunctionWithName(id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func globals(t *testing.T, tmpl *cloudformation.Template) serverless.Function {
	t.Helper()
	g, err := tmpl.GetServerlessGlobalFunction()
	if err != nil {
		t.Fatalf("template.yaml Globals: %v", err)
	}
	// The fields the tests read, as the function's own properties.
	f := serverless.Function{Environment: g.Environment, Runtime: g.Runtime, Handler: g.Handler, Timeout: g.Timeout, MemorySize: g.MemorySize}
	if g.Architectures != nil {
		f.Architectures = *g.Architectures
	}
	return f
}

// effective is a function's property as SAM deploys it: its own, else the
// Globals' one.
func effective[T any](own, global *T) *T {
	if own != nil {
		return own
	}
	return global
}

// environment is a function's environment as SAM deploys it: the Globals'
// variables, overridden by the function's own.
func environment(f *serverless.Function, g serverless.Function) map[string]string {
	env := map[string]string{}
	for _, e := range []*serverless.Function_FunctionEnvironment{g.Environment, f.Environment} {
		if e != nil {
			for k, v := range e.Variables {
				env[k] = v
			}
		}
	}
	return env
}

func readEnvJSON(t *testing.T) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("%s: %v", envFile, err)
	}
	return env
}

func TestFunctions(t *testing.T) {
	tmpl := openTemplate(t)
	g := globals(t, tmpl)
	all := tmpl.GetAllServerlessFunctionResources()
	if len(all) != len(functions) {
		var ids []string
		for id := range all {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		t.Errorf("template.yaml has functions %v; the tests know %d", ids, len(functions))
	}
	for _, fn := range functions {
		t.Run(fn.id, func(t *testing.T) {
			f := function1(t, tmpl, fn.id)
			if got := deref(effective(f.Runtime, g.Runtime)); got != "provided.al2023" {
				t.Errorf("Runtime %q, want provided.al2023", got)
			}
			arch := f.Architectures
			if arch == nil {
				arch = g.Architectures
			}
			if !slices.Equal(arch, []string{"arm64"}) {
				t.Errorf("Architectures %v, want [arm64]", arch)
			}
			if got := deref(effective(f.Handler, g.Handler)); got != "bootstrap" {
				t.Errorf("Handler %q, want bootstrap", got)
			}
			if f.CodeUri == nil || deref(f.CodeUri.String) != "." {
				t.Errorf("CodeUri is not .: SAM runs the Makefile in CodeUri")
			}
			if got := f.AWSCloudFormationMetadata["BuildMethod"]; got != "makefile" {
				t.Errorf("Metadata.BuildMethod %v, want makefile", got)
			}
			checkBuildTarget(t, fn)
			checkMainPackage(t, fn)
			if len(fn.events) == 0 {
				t.Errorf("no event file in infra/events invokes %s", fn.id)
			}
			for _, name := range fn.events {
				data, err := os.ReadFile(filepath.Join(eventsDir, name))
				if err != nil {
					t.Error(err)
					continue
				}
				if err := fn.check(data); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
}

// checkBuildTarget asks make what `make build-<LogicalId>` runs when SAM
// calls it, without running it.
func checkBuildTarget(t *testing.T, fn function) {
	t.Helper()
	artifacts := "/sam/artifacts/" + fn.id
	cmd := exec.Command("make", "-n", "--no-print-directory", "-C", "..", "build-"+fn.id)
	cmd.Env = append(withoutMakeVars(os.Environ()), "ARTIFACTS_DIR="+artifacts)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("make -n build-%s: %v\n%s", fn.id, err, out)
		return
	}
	recipe := strings.TrimSpace(string(out))
	fields := strings.Fields(recipe)
	want := []struct{ name, flag, value string }{
		{"the Lambda runtime's OS", "GOOS=linux", ""},
		{"Graviton", "GOARCH=arm64", ""},
		{"a static binary", "CGO_ENABLED=0", ""},
		{"no RPC mode (provided.al2023)", "-tags", "lambda.norpc"},
		{"the binary where SAM collects it", "-o", artifacts + "/bootstrap"},
	}
	for _, w := range want {
		i := slices.Index(fields, w.flag)
		switch {
		case i < 0:
			t.Errorf("build-%s: no %s (%s) in %q", fn.id, w.flag, w.name, recipe)
		case w.value != "" && (i+1 >= len(fields) || fields[i+1] != w.value):
			t.Errorf("build-%s: %s not followed by %s (%s) in %q", fn.id, w.flag, w.value, w.name, recipe)
		}
	}
	if !slices.Contains(fields, "build") {
		t.Errorf("build-%s: no go build in %q", fn.id, recipe)
	}
	if pkg := "./functions/" + fn.dir; len(fields) == 0 || fields[len(fields)-1] != pkg {
		t.Errorf("build-%s does not build %s: %q", fn.id, pkg, recipe)
	}
}

// withoutMakeVars drops the variables an enclosing make (make test) passes
// down, so that the make the test runs reads only the Makefile.
func withoutMakeVars(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL" || name == "ARTIFACTS_DIR"
	})
}

// checkMainPackage reads functions/<name>/main.go from disk: the test
// cannot import a main package.
func checkMainPackage(t *testing.T, fn function) {
	t.Helper()
	path := filepath.Join("..", "functions", fn.dir, "main.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.PackageClauseOnly)
	if err != nil {
		t.Errorf("%s: %v", fn.id, err)
		return
	}
	if f.Name.Name != "main" {
		t.Errorf("%s: package %s, want main", path, f.Name.Name)
	}
}

func checkEventBridgeEvent(data []byte) error {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return err
	}
	if ev.Version != "0" || ev.ID == "" || ev.DetailType == "" || ev.Source == "" || ev.AccountID == "" || ev.Region == "" || ev.Time.IsZero() {
		return fmt.Errorf("an EventBridge event without its envelope: %+v", ev)
	}
	var req awslambda.RunRequest
	if err := json.Unmarshal(ev.Detail, &req); err != nil {
		return fmt.Errorf("detail: %w", err)
	}
	if req.Date != "" {
		if _, err := digest.ParseDate(req.Date); err != nil {
			return fmt.Errorf("detail.date: %w", err)
		}
	}
	return nil
}

func checkSQSEvent(data []byte) error {
	var ev events.SQSEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return err
	}
	if len(ev.Records) == 0 {
		return errors.New("no records")
	}
	for i, r := range ev.Records {
		sum := md5.Sum([]byte(r.Body))
		if got := hex.EncodeToString(sum[:]); r.Md5OfBody != got {
			return fmt.Errorf("record %d: md5OfBody %s, the body's is %s", i, r.Md5OfBody, got)
		}
		if r.EventSource != "aws:sqs" || r.MessageId == "" || r.ReceiptHandle == "" || r.AWSRegion == "" {
			return fmt.Errorf("record %d: not shaped as SQS sends it: %+v", i, r)
		}
		if !strings.HasSuffix(r.EventSourceARN, ":newsdigest-send") {
			return fmt.Errorf("record %d: eventSourceARN %s, want the newsdigest-send queue", i, r.EventSourceARN)
		}
		if _, err := strconv.Atoi(r.Attributes["ApproximateReceiveCount"]); err != nil {
			return fmt.Errorf("record %d: ApproximateReceiveCount: %w", i, err)
		}
		var b digest.Batch
		dec := json.NewDecoder(strings.NewReader(r.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil {
			return fmt.Errorf("record %d: body: %w", i, err)
		}
		if b.Edition == "" || b.Seq < 1 || len(b.Readers) == 0 || len(b.Readers) > digest.MaxBatchReaders {
			return fmt.Errorf("record %d: not a batch of 1 to %d readers: %+v", i, digest.MaxBatchReaders, b)
		}
	}
	return nil
}

func checkFunctionURLRequest(data []byte) error {
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return err
	}
	ctx := req.RequestContext
	if req.Version != "2.0" || ctx.HTTP.Method == "" || ctx.HTTP.Path != req.RawPath || ctx.DomainName == "" || ctx.RequestID == "" || ctx.TimeEpoch == 0 {
		return fmt.Errorf("not a Function URL request (payload 2.0): %+v", req)
	}
	if req.Headers["host"] != ctx.DomainName {
		return fmt.Errorf("host header %q, domain %q", req.Headers["host"], ctx.DomainName)
	}
	q, err := url.ParseQuery(req.RawQueryString)
	if err != nil {
		return fmt.Errorf("rawQueryString: %w", err)
	}
	got := map[string]string{}
	for k, v := range q {
		got[k] = strings.Join(v, ",")
	}
	if len(got) != len(req.QueryStringParameters) || (len(got) > 0 && !reflect.DeepEqual(got, req.QueryStringParameters)) {
		return fmt.Errorf("queryStringParameters %v, rawQueryString says %v", req.QueryStringParameters, got)
	}
	if req.Body != "" {
		// Function URLs pass text/* and application/json bodies as they
		// are and base64-encode every other (a form among them).
		ct := req.Headers["content-type"]
		text := strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/json")
		if req.IsBase64Encoded == text {
			return fmt.Errorf("content-type %q with isBase64Encoded %v", ct, req.IsBase64Encoded)
		}
		body := []byte(req.Body)
		if req.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
				return fmt.Errorf("body: %w", err)
			}
		}
		if n := req.Headers["content-length"]; n != strconv.Itoa(len(body)) {
			return fmt.Errorf("content-length %s for a %d-byte body", n, len(body))
		}
	}
	return nil
}

func checkSNSEvent(data []byte) error {
	var ev events.SNSEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return err
	}
	if len(ev.Records) == 0 {
		return errors.New("no records")
	}
	for i, r := range ev.Records {
		if r.EventSource != "aws:sns" || r.SNS.Type != "Notification" || r.SNS.TopicArn == "" || !json.Valid([]byte(r.SNS.Message)) {
			return fmt.Errorf("record %d: not an SNS notification carrying JSON: %+v", i, r)
		}
	}
	return nil
}

// TestGoMemoryLimits holds each function's GOMEMLIMIT to 80–90% of its
// memory: below it, so that Go's collector works harder as the heap nears
// the function's memory instead of letting it double past it, and near it,
// so that the limit costs no collections a function has room to skip.
func TestGoMemoryLimits(t *testing.T) {
	tmpl := openTemplate(t)
	g := globals(t, tmpl)
	for _, fn := range functions {
		t.Run(fn.id, func(t *testing.T) {
			f := function1(t, tmpl, fn.id)
			memory := effective(f.MemorySize, g.MemorySize)
			if memory == nil {
				t.Fatal("no MemorySize")
			}
			limit := environment(f, g)[goMemLimit]
			mib, ok := strings.CutSuffix(limit, "MiB")
			n, err := strconv.Atoi(mib)
			if !ok || err != nil {
				t.Fatalf("%s = %q, want a whole number of MiB", goMemLimit, limit)
			}
			// MemorySize is in MB (10^6 bytes).
			if share := float64(n<<20) / (float64(*memory) * 1e6); share < 0.8 || share > 0.9 {
				t.Errorf("%s = %s with MemorySize %d MB: %.0f%% of it, want 80–90%%", goMemLimit, limit, *memory, 100*share)
			}
		})
	}
}

func TestEnvironment(t *testing.T) {
	tmpl := openTemplate(t)
	g := globals(t, tmpl)
	local := readEnvJSON(t)
	for _, fn := range functions {
		t.Run(fn.id, func(t *testing.T) {
			reads := awslambda.EnvVars(fn.config)
			if len(reads) == 0 {
				t.Fatalf("%T reads no variables", fn.config)
			}
			deployed := environment(function1(t, tmpl, fn.id), g)
			for _, name := range reads {
				if _, ok := deployed[name]; !ok {
					t.Errorf("%T reads %s; template.yaml does not set it", fn.config, name)
				}
				if _, ok := local[fn.id][name]; !ok {
					t.Errorf("%T reads %s; infra/env.json does not set it", fn.config, name)
				}
			}
			for name := range deployed {
				if !slices.Contains(reads, name) && !slices.Contains(localEndpoints, name) && name != goMemLimit {
					t.Errorf("template.yaml sets %s, which %T does not read", name, fn.config)
				}
			}
			for _, name := range localEndpoints {
				if v, ok := deployed[name]; !ok || v != "" {
					t.Errorf("template.yaml: %s = %q (declared %v), want declared and empty", name, v, ok)
				}
				if !strings.HasPrefix(local[fn.id][name], "http://127.0.0.1:") {
					t.Errorf("infra/env.json: %s = %q, want a stand-in on 127.0.0.1", name, local[fn.id][name])
				}
			}
			// sam local invoke applies only the variables the template
			// declares; anything else in env.json would be silently dead.
			for name := range local[fn.id] {
				if _, ok := deployed[name]; !ok && !slices.Contains(localCredentials, name) {
					t.Errorf("infra/env.json sets %s, which template.yaml does not declare", name)
				}
			}
			// The From header is "Name <address>", built from the bare
			// address the IAM condition names.
			if from, ok := deployed["FROM_ADDRESS"]; ok {
				addr, err := mail.ParseAddress(from)
				if err != nil || addr.Name == "" || addr.Address != parameterOverrides["SenderEmail"] {
					t.Errorf("FROM_ADDRESS %q: %v %+v, want \"ProductName <SenderEmail>\"", from, err, addr)
				}
			}
		})
	}
	for id := range local {
		if !slices.ContainsFunc(functions, func(fn function) bool { return fn.id == id }) {
			t.Errorf("infra/env.json has %s, which is no function", id)
		}
	}
}

// statement is one IAM statement of a function's Policies.
type statement struct {
	sid       string
	actions   []string
	resources []any
	raw       map[string]any
}

// functionStatements lists every statement of a function's Policies, both
// branches of an Fn::If included.
func functionStatements(t *testing.T, raw map[string]any, id string) []statement {
	t.Helper()
	props, _ := dig(resource(t, raw, id, "AWS::Serverless::Function"), "Properties").(map[string]any)
	policies, ok := props["Policies"].([]any)
	if !ok {
		t.Fatalf("%s: Policies is not a list of policy documents", id)
	}
	var out []statement
	for i, p := range policies {
		stmts, ok := dig(p, "Statement").([]any)
		if !ok {
			t.Errorf("%s: Policies[%d] is not a policy document with statements (a managed policy or a SAM policy template hides its statements from this test): %v", id, i, p)
			continue
		}
		for _, s := range stmts {
			for _, branch := range ifBranches(s) {
				m, ok := branch.(map[string]any)
				if !ok {
					t.Errorf("%s: statement %v is not a mapping", id, branch)
					continue
				}
				st := statement{raw: m}
				st.sid, _ = m["Sid"].(string)
				for _, a := range asList(m["Action"]) {
					s, ok := a.(string)
					if !ok {
						t.Errorf("%s %s: action %v is not a string", id, st.sid, a)
					}
					st.actions = append(st.actions, s)
				}
				st.resources = asList(m["Resource"])
				out = append(out, st)
			}
		}
	}
	return out
}

// ifBranches is a value's possible values: both of an Fn::If (recursively),
// AWS::NoValue left out.
func ifBranches(v any) []any {
	args, ok := dig(v, "Fn::If").([]any)
	if !ok || len(args) != 3 {
		return []any{v}
	}
	var out []any
	for _, b := range args[1:] {
		if ref, _ := dig(b, "Ref").(string); ref == "AWS::NoValue" {
			continue
		}
		out = append(out, ifBranches(b)...)
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func TestIAM(t *testing.T) {
	raw := rawTemplate(t)
	for _, fn := range functions {
		t.Run(fn.id, func(t *testing.T) {
			props, _ := dig(raw, "Resources", fn.id, "Properties").(map[string]any)
			// Permissions come only from Policies: an own Role would escape
			// this test, and SAM's pull event types (SQS, Kinesis,
			// DynamoDB) attach AWS managed policies that name every
			// resource ("*").
			if _, ok := props["Role"]; ok {
				t.Errorf("%s has a Role; its permissions belong in Policies", fn.id)
			}
			events, _ := props["Events"].(map[string]any)
			for name, ev := range events {
				if typ, _ := dig(ev, "Type").(string); slices.Contains([]string{"SQS", "Kinesis", "DynamoDB", "MQ", "MSK", "DocumentDB"}, typ) {
					t.Errorf("event %s is SAM's %s type, which attaches a managed policy on Resource \"*\"", name, typ)
				}
			}
			stmts := functionStatements(t, raw, fn.id)
			if len(stmts) == 0 {
				t.Fatalf("%s has no policy statements", fn.id)
			}
			for _, st := range stmts {
				for _, key := range []string{"NotAction", "NotResource"} {
					if _, ok := st.raw[key]; ok {
						t.Errorf("%s %s: %s grants by exclusion", fn.id, st.sid, key)
					}
				}
				if st.raw["Effect"] != "Allow" {
					t.Errorf("%s %s: Effect %v", fn.id, st.sid, st.raw["Effect"])
				}
				if len(st.actions) == 0 || len(st.resources) == 0 {
					t.Errorf("%s %s: no actions or no resources", fn.id, st.sid)
				}
				for _, a := range st.actions {
					if service, name, ok := strings.Cut(a, ":"); !ok || service == "" || name == "" || strings.ContainsAny(a, "*?") {
						t.Errorf("%s %s: action %q is a wildcard or not service:Action", fn.id, st.sid, a)
					}
				}
				for _, r := range st.resources {
					if s, ok := r.(string); !ok || !strings.Contains(s, "*") {
						continue
					}
					if r != "*" {
						continue // an ARN pattern: a prefix of one bucket's keys
					}
					for _, a := range st.actions {
						if _, ok := starOnlyActions[a]; !ok {
							t.Errorf("%s %s: %s on Resource \"*\"; only %v need it", fn.id, st.sid, a, keys(starOnlyActions))
						}
					}
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func TestSendQueue(t *testing.T) {
	tmpl := openTemplate(t)
	raw := rawTemplate(t)
	g := globals(t, tmpl)
	send := function1(t, tmpl, "SendFunction")
	timeout := deref(effective(send.Timeout, g.Timeout))
	if timeout == 0 {
		t.Fatal("SendFunction has no Timeout")
	}
	queue, err := tmpl.GetSQSQueueWithName("SendQueue")
	if err != nil {
		t.Fatal(err)
	}
	if got := deref(queue.VisibilityTimeout); got < 6*timeout {
		t.Errorf("SendQueue VisibilityTimeout %d s, want at least 6 × SendFunction's Timeout %d s = %d s", got, timeout, 6*timeout)
	}
	if got := dig(raw, "Resources", "SendQueue", "Properties", "RedrivePolicy", "deadLetterTargetArn"); !reflect.DeepEqual(got, map[string]any{"Fn::GetAtt": []any{"SendDeadLetterQueue", "Arn"}}) {
		t.Errorf("SendQueue RedrivePolicy target %v, want SendDeadLetterQueue", got)
	}

	// The mapping that feeds the send function from the queue.
	var mappings []map[string]any
	for id, r := range dig(raw, "Resources").(map[string]any) {
		if dig(r, "Type") == "AWS::Lambda::EventSourceMapping" && reflect.DeepEqual(dig(r, "Properties", "FunctionName"), map[string]any{"Ref": "SendFunction"}) {
			mapping := resource(t, raw, id, "AWS::Lambda::EventSourceMapping")["Properties"].(map[string]any)
			mappings = append(mappings, mapping)
		}
	}
	if len(mappings) != 1 {
		t.Fatalf("%d event source mappings invoke SendFunction, want 1", len(mappings))
	}
	m := mappings[0]
	concurrency := map[string]any{"Ref": "SendConcurrency"}
	tests := []struct {
		name      string
		got, want any
	}{
		{"EventSourceArn", m["EventSourceArn"], map[string]any{"Fn::GetAtt": []any{"SendQueue", "Arn"}}},
		{"FunctionResponseTypes", m["FunctionResponseTypes"], []any{"ReportBatchItemFailures"}},
		{"ScalingConfig.MaximumConcurrency", dig(m, "ScalingConfig", "MaximumConcurrency"), concurrency},
		{"SendFunction ReservedConcurrentExecutions", dig(raw, "Resources", "SendFunction", "Properties", "ReservedConcurrentExecutions"), concurrency},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if n, ok := m["BatchSize"].(int); !ok || n < 1 || n > 10 {
		t.Errorf("BatchSize %v, want 1 to 10 batches an invocation", m["BatchSize"])
	}
	if p := tmpl.Parameters["SendConcurrency"]; p.MinValue == nil || *p.MinValue < 2 {
		t.Errorf("SendConcurrency MinValue %v, want at least 2 (SQS's least MaximumConcurrency)", p.MinValue)
	}

	// What the mapping does with the function's role, on this queue only.
	queueArn := map[string]any{"Fn::GetAtt": []any{"SendQueue", "Arn"}}
	for _, action := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"} {
		if !slices.ContainsFunc(functionStatements(t, raw, "SendFunction"), func(st statement) bool {
			return slices.Contains(st.actions, action) && reflect.DeepEqual(st.resources, []any{queueArn})
		}) {
			t.Errorf("SendFunction may not %s on SendQueue (alone)", action)
		}
	}
}

func TestSchedule(t *testing.T) {
	raw := rawTemplate(t)
	evs, _ := dig(raw, "Resources", "DigestFunction", "Properties", "Events").(map[string]any)
	var props map[string]any
	for _, ev := range evs {
		if dig(ev, "Type") == "ScheduleV2" {
			props, _ = dig(ev, "Properties").(map[string]any)
		}
	}
	if props == nil {
		t.Fatal("DigestFunction has no ScheduleV2 event")
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"ScheduleExpression", props["ScheduleExpression"], map[string]any{"Ref": "Schedule"}},
		{"ScheduleExpressionTimezone", props["ScheduleExpressionTimezone"], map[string]any{"Ref": "TimeZone"}},
		{"DeadLetterConfig.Arn", dig(props, "DeadLetterConfig", "Arn"), map[string]any{"Fn::GetAtt": []any{"DigestDeadLetterQueue", "Arn"}}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if n, ok := dig(props, "RetryPolicy", "MaximumRetryAttempts").(int); !ok || n < 1 {
		t.Errorf("RetryPolicy.MaximumRetryAttempts %v, want retries", dig(props, "RetryPolicy", "MaximumRetryAttempts"))
	}

	// The Input, filled as Scheduler and CloudFormation fill it with
	// schedule.json's values, is schedule.json.
	input, ok := dig(props, "Input", "Fn::Sub").(string)
	if !ok {
		t.Fatalf("Input %v, want a !Sub string", props["Input"])
	}
	data, err := os.ReadFile(filepath.Join(eventsDir, "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	filled := strings.NewReplacer(
		"${AWS::AccountId}", want["account"].(string),
		"${AWS::Region}", want["region"].(string),
		"<aws.scheduler.execution-id>", want["id"].(string),
		"<aws.scheduler.scheduled-time>", want["time"].(string),
		"<aws.scheduler.schedule-arn>", want["resources"].([]any)[0].(string),
	).Replace(input)
	if rest := regexp.MustCompile(`\$\{[^}]*\}|<aws\.[^>]*>`).FindAllString(filled, -1); rest != nil {
		t.Errorf("Input has placeholders this test does not fill: %v", rest)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(filled), &got); err != nil {
		t.Fatalf("Input is not JSON once filled: %v\n%s", err, filled)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the schedule's Input fills to\n%v\nschedule.json is\n%v", got, want)
	}

	// An operator's re-run is the same envelope, naming the day and
	// forcing a second dispatch.
	data, err = os.ReadFile(filepath.Join(eventsDir, "schedule-rerun.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rerun map[string]any
	if err := json.Unmarshal(data, &rerun); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(rerun), keys(want)) {
		t.Errorf("schedule-rerun.json has keys %v, schedule.json %v", keys(rerun), keys(want))
	}
	if d := rerun["detail"]; !reflect.DeepEqual(d, map[string]any{"date": "2026-11-25", "force": true}) {
		t.Errorf("schedule-rerun.json detail %v", d)
	}
}

func TestFunctionURLs(t *testing.T) {
	tmpl := openTemplate(t)
	raw := rawTemplate(t)
	tests := []struct {
		id, authType, output string
	}{
		{"PreviewFunction", "AWS_IAM", "PreviewUrl"},
		{"UnsubscribeFunction", "NONE", "UnsubscribeUrl"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f := function1(t, tmpl, tt.id)
			if f.FunctionUrlConfig == nil || f.FunctionUrlConfig.AuthType != tt.authType {
				t.Errorf("FunctionUrlConfig %+v, want AuthType %s", f.FunctionUrlConfig, tt.authType)
			}
			// SAM names the AWS::Lambda::Url "<LogicalId>Url".
			want := map[string]any{"Fn::GetAtt": []any{tt.id + "Url", "FunctionUrl"}}
			if got := dig(raw, "Outputs", tt.output, "Value"); !reflect.DeepEqual(got, want) {
				t.Errorf("output %s = %v, want %v", tt.output, got, want)
			}
		})
	}
	for _, id := range []string{"SendFunction", "PreviewFunction"} {
		want := map[string]any{"Fn::GetAtt": []any{"UnsubscribeFunctionUrl", "FunctionUrl"}}
		if got := dig(raw, "Resources", id, "Properties", "Environment", "Variables", "UNSUBSCRIBE_URL"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s UNSUBSCRIBE_URL = %v, want %v", id, got, want)
		}
	}

	// The unsubscribe events carry a link signed with the local key for
	// the local list, as the send function writes it.
	local := readEnvJSON(t)
	tokens, err := digest.NewTokens([]byte(localUnsubscribeKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"unsubscribe-post.json", "unsubscribe-get.json"} {
		data, err := os.ReadFile(filepath.Join(eventsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		var req events.LambdaFunctionURLRequest
		if err := json.Unmarshal(data, &req); err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(req.RawQueryString)
		if err != nil {
			t.Fatal(err)
		}
		list, email, err := tokens.CheckUnsubscribe(q)
		if err != nil || list != local["UnsubscribeFunction"]["LIST_ID"] || email != "zoe.okafor@example.com" {
			t.Errorf("%s: link for %q on %q (%v), want zoe.okafor@example.com on env.json's LIST_ID %q", name, email, list, err, local["UnsubscribeFunction"]["LIST_ID"])
		}
		if req.RequestContext.Authorizer != nil {
			t.Errorf("%s: an authorizer on a NONE URL", name)
		}
	}
	data, err := os.ReadFile(filepath.Join(eventsDir, "unsubscribe-post.json"))
	if err != nil {
		t.Fatal(err)
	}
	var post events.LambdaFunctionURLRequest
	if err := json.Unmarshal(data, &post); err != nil {
		t.Fatal(err)
	}
	if body, _ := base64.StdEncoding.DecodeString(post.Body); post.RequestContext.HTTP.Method != "POST" || !bytes.Equal(body, []byte("List-Unsubscribe=One-Click")) {
		t.Errorf("unsubscribe-post.json: %s %q, want RFC 8058's POST List-Unsubscribe=One-Click", post.RequestContext.HTTP.Method, body)
	}
}

// TestPreviewURLNeedsIAM: the editors' preview shows editions before they
// are sent and mails test copies, so its Function URL takes only SigV4
// requests of principals the account allows. Nothing in the template may
// open it: no AuthType NONE, no resource-policy statement for everyone,
// no API Gateway event beside the URL.
func TestPreviewURLNeedsIAM(t *testing.T) {
	raw := rawTemplate(t)
	preview := resource(t, raw, "PreviewFunction", "AWS::Serverless::Function")
	if got := dig(preview, "Properties", "FunctionUrlConfig", "AuthType"); got != "AWS_IAM" {
		t.Errorf("PreviewFunction FunctionUrlConfig.AuthType %v, want AWS_IAM", got)
	}
	events, _ := dig(preview, "Properties", "Events").(map[string]any)
	for name, ev := range events {
		if typ, _ := dig(ev, "Type").(string); typ == "Api" || typ == "HttpApi" {
			t.Errorf("PreviewFunction event %s is an %s: an endpoint beside the IAM URL", name, typ)
		}
	}
	// mentions reports whether v names the resource anywhere (Ref,
	// GetAtt, Sub), so that a permission on it by any spelling is found.
	var mentions func(v any, id string) bool
	mentions = func(v any, id string) bool {
		switch v := v.(type) {
		case string:
			return strings.Contains(v, id)
		case []any:
			return slices.ContainsFunc(v, func(x any) bool { return mentions(x, id) })
		case map[string]any:
			for k, x := range v {
				if strings.Contains(k, id) || mentions(x, id) {
					return true
				}
			}
		}
		return false
	}
	everyone := func(principal any) bool {
		if principal == "*" {
			return true
		}
		for _, p := range asList(dig(principal, "AWS")) {
			if p == "*" {
				return true
			}
		}
		return false
	}
	resources, _ := raw["Resources"].(map[string]any)
	for id, r := range resources {
		props, _ := dig(r, "Properties").(map[string]any)
		switch dig(r, "Type") {
		case "AWS::Lambda::Permission":
			if !mentions(props["FunctionName"], "PreviewFunction") {
				continue
			}
			action, _ := props["Action"].(string)
			if everyone(props["Principal"]) || props["FunctionUrlAuthType"] == "NONE" {
				t.Errorf("%s lets everyone %s the preview (Principal %v, FunctionUrlAuthType %v)", id, action, props["Principal"], props["FunctionUrlAuthType"])
			}
		case "AWS::Lambda::Url":
			if mentions(props["TargetFunctionArn"], "PreviewFunction") && props["AuthType"] != "AWS_IAM" {
				t.Errorf("%s: a Function URL of the preview with AuthType %v", id, props["AuthType"])
			}
		case "AWS::Serverless::Function":
			for _, st := range functionStatements(t, raw, id) {
				for _, a := range st.actions {
					if strings.HasPrefix(a, "lambda:InvokeFunction") && slices.ContainsFunc(st.resources, func(r any) bool { return mentions(r, "PreviewFunction") }) {
						t.Errorf("%s %s: %s on the preview", id, st.sid, a)
					}
				}
			}
		}
	}
}

// adapterNames reads the DynamoDB adapter's key and expiry attribute names
// from its source (digest/dynamodb/tables.go), where they are unexported.
func adapterNames(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join("..", "digest", "dynamodb", "tables.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range spec.Names {
			if i < len(spec.Values) {
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					names[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	for _, c := range []string{"subscriberKey", "ledgerKey", "ledgerTTL"} {
		if names[c] == "" {
			t.Fatalf("%s: no string constant %s", path, c)
		}
	}
	return names
}

func TestTables(t *testing.T) {
	tmpl := openTemplate(t)
	names := adapterNames(t)
	tables := tmpl.GetAllDynamoDBTableResources()
	subscribers, ledger := tables["SubscribersTable"], tables["LedgerTable"]
	if subscribers == nil || ledger == nil {
		t.Fatalf("template.yaml lacks SubscribersTable or LedgerTable")
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"SubscribersTable key", keySchema(subscribers.KeySchema), []string{names["subscriberKey"], "HASH"}},
		{"LedgerTable key", keySchema(ledger.KeySchema), []string{names["ledgerKey"], "HASH"}},
		{"SubscribersTable billing", deref(subscribers.BillingMode), "PAY_PER_REQUEST"},
		{"LedgerTable billing", deref(ledger.BillingMode), "PAY_PER_REQUEST"},
		{"SubscribersTable point-in-time recovery", subscribers.PointInTimeRecoverySpecification != nil && deref(subscribers.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled), true},
		{"SubscribersTable encryption", subscribers.SSESpecification != nil && subscribers.SSESpecification.SSEEnabled, true},
		{"SubscribersTable DeletionPolicy", string(subscribers.AWSCloudFormationDeletionPolicy), "Retain"},
		{"LedgerTable TTL enabled", ledger.TimeToLiveSpecification != nil && ledger.TimeToLiveSpecification.Enabled, true},
		{"LedgerTable TTL attribute", deref(ttlAttribute(ledger.TimeToLiveSpecification)), names["ledgerTTL"]},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// keySchema flattens a key schema to name, type, name, type...
func keySchema(ks []dynamodb.Table_KeySchema) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.AttributeName, k.KeyType)
	}
	return out
}

func ttlAttribute(ttl *dynamodb.Table_TimeToLiveSpecification) *string {
	if ttl == nil {
		return nil
	}
	return ttl.AttributeName
}

func TestParameters(t *testing.T) {
	tmpl := openTemplate(t)
	// No parameter holds a secret: the HMAC key stays in Parameter Store,
	// and the template only names it.
	for name, p := range tmpl.Parameters {
		if deref(p.NoEcho) {
			t.Errorf("parameter %s is NoEcho: a secret passing through CloudFormation", name)
		}
	}
	p, ok := tmpl.Parameters["UnsubscribeKeyParameter"]
	if !ok {
		t.Fatal("no UnsubscribeKeyParameter parameter")
	}
	if p.Type != "String" || p.AllowedPattern == nil {
		t.Fatalf("UnsubscribeKeyParameter: type %s, pattern %v; want a String constrained to a parameter path", p.Type, p.AllowedPattern)
	}
	pattern, err := regexp.Compile(*p.AllowedPattern)
	if err != nil {
		t.Fatal(err)
	}
	local := readEnvJSON(t)
	tests := []struct {
		value string
		want  bool
	}{
		{fmt.Sprint(p.Default), true},
		{local["SendFunction"]["UNSUBSCRIBE_KEY_PARAMETER"], true},
		{"/newsdigest/prod/unsubscribe-key", true},
		{localUnsubscribeKey, false}, // a key, not a name
		{"newsdigest-unsubscribe-key", false},
		{"/newsdigest/", false},
	}
	for _, tt := range tests {
		if got := pattern.MatchString(tt.value); got != tt.want {
			t.Errorf("UnsubscribeKeyParameter accepts %q: %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestOutputs(t *testing.T) {
	tmpl := openTemplate(t)
	for _, name := range []string{"PreviewUrl", "UnsubscribeUrl", "ContentBucket", "SendQueueUrl", "SendDeadLetterQueueUrl", "SubscribersTableName", "LedgerTableName"} {
		if _, ok := tmpl.Outputs[name]; !ok {
			t.Errorf("no output %s", name)
		}
	}
}
