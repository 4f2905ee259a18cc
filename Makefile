# Redsim's build. `make test` is the command CI runs (through .ci/run).
GO ?= go
PKGS := ./...
DETERMINISTIC := ./clock/... ./sim/... ./network/... ./nodes/...

.PHONY: build test lint bench ci fuzz

build:
	$(GO) build -o bin/simulate ./cmd/simulate

# All tests, including the 300-seed determinism test and the fuzz seed corpora.
test:
	$(GO) test -count=1 $(PKGS)

# gofmt, go vet and the determinism check of DESIGN.md section 1.
lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run ./cmd/detlint $(DETERMINISTIC)

# Benchmarks of every layer; BENCHMARKS.md records the figures.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Fuzz the RESP reader for a minute.
fuzz:
	$(GO) test ./nodes/resp -run '^$$' -fuzz FuzzReader -fuzztime 60s

ci: lint test
