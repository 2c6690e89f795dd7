# newsdigest — the two set-up commands are `make demo` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
TOOLS := $(CURDIR)/.tools/bin

# The example corpus's last day; `make demo DATE=2026-11-24` shows another.
DATE ?= 2026-11-26
# How long each fuzz target runs in `make test`; `make fuzz FUZZTIME=5m` digs deeper.
FUZZTIME ?= 4s
# One for every parser and for every file or message read from outside:
# articles (by extension and sniffed), the editorial file, the subscriber
# file, the unsubscribe link and the SNS message.
FUZZ_TARGETS := FuzzParseText FuzzParseJSON FuzzParseHTML FuzzParseMarkdown FuzzParseSniffed FuzzSplitRelated \
	FuzzParseEditorial FuzzParseSubscribersCSV FuzzParseSubscribersJSONLines FuzzCheckUnsubscribe \
	FuzzUnsubscribeRoundTrip FuzzFeedback FuzzSplitSentences FuzzLead FuzzQuotedPrintable
# make soak runs every fuzz target of digest, these and the equivalence
# checks of optimized code alike, for SOAK_FUZZTIME each.
SOAK_FUZZTIME ?= 2m
SOAK_FUZZ_TARGETS := $(shell grep -ho '^func Fuzz[A-Za-z0-9_]*' digest/*_test.go | cut -c6- | sort)

.PHONY: demo preview stack test unit fuzz soak soak-fuzz lint build bench bench-load clean eval tools help package deploy

## demo: the example day's articles, then its edition into out/: JSON, the email, the web archive, one email per reader
demo:
	$(GO) run ./cmd/newsdigest list --articles examples/articles --date $(DATE)
	$(GO) run ./cmd/newsdigest build --articles examples/articles --date $(DATE) --archive out --out-dir out
	$(GO) run ./cmd/newsdigest subscribers import examples/subscribers.csv --into out/subscribers.csv
	$(GO) run ./cmd/newsdigest send --articles examples/articles --date $(DATE) --subscribers out/subscribers.csv --via outbox:out/outbox --ledger out/ledger
	@echo
	@echo "The $(DATE) edition is in out/:"
	@echo "  out/edition.json                  the edition: stories, reasons, runners-up"
	@echo "  out/digest.html, out/digest.txt   the email's two parts"
	@echo "  out/archive/index.html            the web archive ($(DATE)/index.html is the browser version)"
	@echo "  out/outbox/*.eml                  one email per reader of examples/subscribers.csv"
	@echo "make preview shows any day in the browser; make demo again sends nothing twice (out/ledger)."

## preview: the editor's preview of the examples on http://127.0.0.1:8080/
preview:
	$(GO) run ./cmd/newsdigest serve --articles examples/articles --addr 127.0.0.1:8080

## stack: the local stand-ins of infra/env.json on loopback, seeded with the examples, for make invoke-*; Ctrl-C stops them
stack: tools
	$(GO) run ./cmd/newsdigest stack

## test: install the tools, lint, every test with the race detector, each fuzz target briefly
test: tools lint unit fuzz

## tools: staticcheck and Mailpit (pinned, into .tools/bin) and Debian's chromium
tools:
	./infra/install-tools.sh

unit: tools
	$(GO) test -race -count=1 ./...

fuzz:
	GO=$(GO) infra/fuzz.sh $(FUZZTIME) 2s $(FUZZ_TARGETS)

## soak: the long runs: every fuzz target for SOAK_FUZZTIME (2m) each, about 40 minutes; other long runs join as prerequisites of soak
soak: soak-fuzz

soak-fuzz:
	GO=$(GO) infra/fuzz.sh $(SOAK_FUZZTIME) 30s $(SOAK_FUZZ_TARGETS)

## lint: gofmt, go vet and a pinned staticcheck
lint: tools
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...

## build: the command line into bin/
build:
	$(GO) build -o bin/ ./cmd/...

## bench-load: the load harness at BENCHMARKS.md's sizes: 10,000 articles, a 100,000-reader fan-out, sending at 50/s and 100/s for a minute each, a 1,000,000-reader dry run (about 10 minutes)
bench-load: tools
	$(GO) test -count=1 -v -timeout 60m -run TestLoad ./internal/loadtest -args \
		-load.articles 10000 -load.list 100000 -load.rates 50,100 -load.phase-seconds 60 -load.dry-run 1000000

## soak-faults: the fault scenarios of internal/faults at larger sizes: a day of 5,000 articles through S3 faults, 1,000 readers through a flaky SES, kills at several points of a batch (a few minutes); part of make soak
.PHONY: soak-faults
soak: soak-faults
soak-faults: tools
	$(GO) test -count=1 -v -timeout 30m -run TestFaults ./internal/faults -args -faults.long

## bench: every benchmark; figures go to BENCHMARKS.md
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

clean:
	rm -rf bin out .tools dist

## eval: ROUGE of leads and summaries against the BBC development set, when present
EVAL_DIR ?= ../shared/eval/bbc-dev
eval:
	@if [ -d "$(EVAL_DIR)" ]; then \
		$(GO) run ./cmd/newsdigest eval-summaries $(EVAL_DIR); \
	else \
		echo "eval: $(EVAL_DIR) not found, skipping (it is measured locally, never shipped)"; \
	fi

## help: the targets and what they do
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## //'

# ------------------------------------------------------------------ Lambda
# The five functions of template.yaml: each LogicalId builds the main
# package of the same name under functions/.
LAMBDA_BUILDS := build-DigestFunction build-SendFunction build-PreviewFunction \
	build-UnsubscribeFunction build-FeedbackFunction
build-DigestFunction:      FUNCTION := digest
build-SendFunction:        FUNCTION := send
build-PreviewFunction:     FUNCTION := preview
build-UnsubscribeFunction: FUNCTION := unsubscribe
build-FeedbackFunction:    FUNCTION := feedback
.PHONY: $(LAMBDA_BUILDS)

# sam build runs `make build-<LogicalId>` with ARTIFACTS_DIR set to the
# function's build folder; run by hand, the binary goes to dist/<name>/.
ARTIFACTS_DIR ?= $(CURDIR)/dist/$(FUNCTION)

## build-<LogicalId>: one function's bootstrap for Lambda (linux/arm64, no cgo, no RPC mode) into ARTIFACTS_DIR, by default dist/<name>/; sam build calls these
$(LAMBDA_BUILDS):
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(FUNCTION)

# Each zip holds the executable bootstrap at its root, as Lambda wants it.
# zip(1) when installed, else Python's zipfile, which keeps the file mode
# too; without either there is no zip to make.
## package: all five functions into dist/<name>/bootstrap and dist/<name>.zip, without SAM
package:
	for target in $(LAMBDA_BUILDS); do $(MAKE) --no-print-directory $$target; done
	for name in digest send preview unsubscribe feedback; do \
		rm -f dist/$$name.zip; \
		if command -v zip >/dev/null 2>&1; then \
			(cd dist/$$name && zip -q -X ../$$name.zip bootstrap); \
		elif command -v python3 >/dev/null 2>&1; then \
			(cd dist/$$name && python3 -m zipfile -c ../$$name.zip bootstrap); \
		else \
			echo "package: neither zip nor python3 is installed"; exit 1; \
		fi; \
		echo "dist/$$name.zip"; \
	done

# sam local invoke: each function built by SAM (in the source tree, not a
# copy of it), then run in SAM's container with an event file from
# infra/events and the local stand-ins of infra/env.json, reached on
# 127.0.0.1 through the host network. The credentials are the stand-ins'
# dummies; SAM hands the container the caller's credentials and region,
# whatever infra/env.json says. EVENT=<file in infra/events> picks another
# event, e.g. make invoke-preview EVENT=preview-post.json.
LAMBDA_INVOKES := invoke-digest invoke-send invoke-preview invoke-unsubscribe invoke-feedback
invoke-digest:      FUNCTION_ID := DigestFunction
invoke-digest:      EVENT ?= schedule.json
invoke-send:        FUNCTION_ID := SendFunction
invoke-send:        EVENT ?= send-batch.json
invoke-preview:     FUNCTION_ID := PreviewFunction
invoke-preview:     EVENT ?= preview-get.json
invoke-unsubscribe: FUNCTION_ID := UnsubscribeFunction
invoke-unsubscribe: EVENT ?= unsubscribe-post.json
invoke-feedback:    FUNCTION_ID := FeedbackFunction
invoke-feedback:    EVENT ?= feedback-bounce-permanent.json
.PHONY: $(LAMBDA_INVOKES)

## invoke-digest|send|preview|unsubscribe|feedback: one function under sam local invoke with its event file (EVENT=...), with make stack running in another terminal; needs the SAM CLI and Docker
$(LAMBDA_INVOKES):
	sam build --build-in-source $(FUNCTION_ID)
	AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN= \
		sam local invoke $(FUNCTION_ID) --region eu-west-1 -e infra/events/$(EVENT) \
		--env-vars infra/env.json --docker-network host

## deploy: sam build and sam deploy (--guided the first time, which writes samconfig.toml); needs the SAM CLI and AWS credentials
deploy:
	sam build --build-in-source
	if [[ -f samconfig.toml ]]; then sam deploy; else sam deploy --guided; fi
