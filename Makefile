# rehearse — see README.md. Every target is idempotent.
GO       ?= go
BIN      ?= bin/rehearse
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build demo test test-quick images bench lint fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/rehearse

demo: build
	./scripts/setup.sh
	./scripts/demo.sh

test: build
	./scripts/setup.sh
	./scripts/test.sh

# The short subset (first server only, two scenarios): for a quick loop.
test-quick: build
	./scripts/setup.sh
	REHEARSE_QUICK=1 ./scripts/test.sh

images:
	./scripts/images.sh

bench: build
	./scripts/bench.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The statement splitter under go's fuzzer (FUZZTIME=5m for longer); the seed
# corpus and any failure found are kept in rehearse/sqlsplit/testdata/fuzz.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzSplit$$' -fuzztime $(FUZZTIME) ./rehearse/sqlsplit/

clean:
	rm -rf bin out
