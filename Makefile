# The two commands of the README:
#   go run ./cmd/migrate run --rules ioutil --dry-run -C testdata/example
#   make test
GO ?= go

.PHONY: build test lint fuzz bench bench-real bench-cache example

## build: the migrate and migrate-vet binaries in bin/
build:
	$(GO) build -o bin/migrate ./cmd/migrate
	$(GO) build -o bin/migrate-vet ./cmd/migrate-vet

## test: lint, then every test (golden cases, end-to-end scripts, backup crash tests)
test: lint
	$(GO) test -count=1 -timeout 25m ./...

## lint: gofmt, go.mod tidy, go vet and staticcheck (pinned in go.mod as a tool)
lint:
	@files=$$(gofmt -l $$(git ls-files '*.go' | grep -v '/testdata/' | grep -v '^testdata/')); \
	if [ -n "$$files" ]; then echo "gofmt -l lists:"; echo "$$files"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## fuzz: run every fuzz target (func FuzzXxx) for FUZZTIME each; make test runs their seed corpora
FUZZTIME ?= 30s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) sh scripts/fuzz.sh

## bench: a dry run against go vet ./... on a large generated module
bench:
	bash scripts/bench.sh

## bench-cache: a repeated migrate check against the first and the import scan alone, with the load average
bench-cache:
	bash scripts/bench-cache.sh

## bench-real: the performance cases on public snapshots (go-git, cortex), as ratios; see the script for fetching them
bench-real:
	bash scripts/bench-real.sh

## example: the dry run on the bundled example project
example:
	$(GO) run ./cmd/migrate run --rules ioutil --dry-run -C testdata/example
