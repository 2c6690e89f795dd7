# newsdigest — the two set-up commands are `make demo` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
TOOLS := $(CURDIR)/.tools/bin

# The example corpus's last day; `make demo DATE=2026-11-24` shows another.
DATE ?= 2026-11-26
# How long each fuzz target runs in `make test`; `make fuzz FUZZTIME=5m` digs deeper.
FUZZTIME ?= 4s
FUZZ_TARGETS := FuzzParseText FuzzParseJSON FuzzParseHTML FuzzParseMarkdown FuzzSplitRelated \
	FuzzParseEditorial FuzzSplitSentences FuzzLead FuzzQuotedPrintable

.PHONY: demo preview test unit fuzz lint build bench clean eval tools

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

## test: install the tools, lint, every test with the race detector, each fuzz target briefly
test: tools lint unit fuzz

## tools: staticcheck and Mailpit (pinned, into .tools/bin) and Debian's chromium
tools:
	./infra/install-tools.sh

unit: tools
	$(GO) test -race -count=1 ./...

fuzz:
	for target in $(FUZZ_TARGETS); do \
		$(GO) test ./digest -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s; \
	done

## lint: gofmt, go vet and a pinned staticcheck
lint: tools
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...

## build: the command line into bin/
build:
	$(GO) build -o bin/ ./cmd/...

## bench: every benchmark; figures go to BENCHMARKS.md
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

clean:
	rm -rf bin out .tools

## eval: ROUGE of leads and summaries against the BBC development set, when present
EVAL_DIR ?= ../shared/eval/bbc-dev
eval:
	@if [ -d "$(EVAL_DIR)" ]; then \
		$(GO) run ./cmd/newsdigest eval-summaries $(EVAL_DIR); \
	else \
		echo "eval: $(EVAL_DIR) not found, skipping (it is measured locally, never shipped)"; \
	fi
