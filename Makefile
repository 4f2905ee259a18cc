# Redsim's build. `make test` is the command CI runs (through .ci/run).
GO ?= go
PKGS := ./...
DETERMINISTIC := ./clock/... ./sim/... ./network/... ./nodes/...

.PHONY: build test lint bench ci fuzz

build:
	$(GO) build -o bin/simulate ./cmd/simulate

# All tests, including the 300-seed determinism test, the golden hashes and
# the fuzz seed corpora. -timeout bounds a hung package well inside CI's
# budget. The real-time timers of serve are run 1,000 times: timers due
# together must fire in order every time, and a rare misorder is a bug.
TEST_TIMEOUT ?= 12m
test:
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)
	$(GO) test -count=1000 -timeout 5m -run '^TestTimers' ./sim/realenv

# gofmt, go vet and the determinism check of docs/ARCHITECTURE.md section 1.
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
