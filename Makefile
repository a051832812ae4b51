# rehearse — see README.md. Every target is idempotent.
GO       ?= go
BIN      ?= bin/rehearse
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build demo test test-full images bench lint fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/rehearse

demo: build
	./scripts/setup.sh
	./scripts/demo.sh

test: build
	./scripts/setup.sh
	./scripts/test.sh

# The full run (.ci/run): the default run plus the corpus-scale sweeps and
# every documented command (docs/testing.md).
test-full: build
	./scripts/setup.sh
	REHEARSE_LONG=1 ./scripts/test.sh

images:
	./scripts/images.sh

bench: build
	./scripts/bench.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Every fuzz target of the module under go's fuzzer, FUZZTIME each
# (FUZZTIME=5m for longer): the statement splitter, the snapshot loader and
# checker, the statements restore builds. Seeds and any failure found are
# kept in each package's testdata/fuzz.
FUZZTIME ?= 30s
fuzz:
	@set -e; grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sort | \
	while IFS=: read -r file fn; do \
	  f=$${fn#func }; pkg=./$$(dirname $${file#./}); \
	  echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

clean:
	rm -rf bin out
