# The two commands of the README:
#   go run ./cmd/migrate run --rules ioutil --dry-run -C testdata/example
#   make test
GO ?= go

.PHONY: build test lint bench example fuzz fuzz-rewrite

# FUZZTIME bounds each fuzz target's run.
FUZZTIME ?= 2m

## build: the migrate binary in bin/
build:
	$(GO) build -o bin/migrate ./cmd/migrate

## test: lint, then every test (golden cases, end-to-end scripts, backup crash tests)
test: lint
	$(GO) test -count=1 ./...

## lint: gofmt, go vet and staticcheck (pinned in go.mod as a tool)
lint:
	@files=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/testdata/' | grep -v '^testdata/')); \
	if [ -n "$$files" ]; then echo "gofmt -l lists:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## fuzz: every fuzz target, each for FUZZTIME (make test runs their seeds)
fuzz: fuzz-rewrite

## fuzz-rewrite: the rewriter on generated Go files that use io/ioutil
fuzz-rewrite:
	$(GO) test ./rewrite -run '^$$' -fuzz '^FuzzRewrite$$' -fuzztime $(FUZZTIME)

## bench: a dry run against go vet ./... on a large generated module
bench:
	bash scripts/bench.sh

## example: the dry run on the bundled example project
example:
	$(GO) run ./cmd/migrate run --rules ioutil --dry-run -C testdata/example
