// Package golden holds the golden-hash test of the built-in scenarios: the
// check that a seed gives the same run not only twice in one process (the
// determinism tests of package scenarios do that) but in every process, on
// every machine and under every Go release.
//
// testdata/hashes.txt records, for a few seeds of every scenario that
// `simulate list` shows, the status word (PASS, FAIL or UNKNOWN) and the
// trace hash of `simulate run NAME --seed N`, one run a line:
//
//	# comment
//	scenario seed status hash
//
// TestGolden builds cmd/simulate once with the go command that runs the
// test, starts one fresh process per recorded run (in parallel, up to
// -parallel at a time) and compares its closing line with the record. A
// fresh process draws fresh map-iteration and maphash seeds and lays out its
// memory anew, and a later Go release may change the runtime, the standard
// library's algorithms or the compiler; a run that depends on any of them
// (ranging over a map, hashing a pointer, reading the environment) gives a
// different hash here even when two runs inside one process agree. To
// shake such dependencies out, every other run gets GOMAXPROCS=1 and an
// environment variable of a varying length, and each runs in an empty
// working directory of its own.
//
// A different hash or status for a recorded seed means either that the
// simulator's behaviour changed on purpose — then regenerate the file with
//
//	go test ./internal/golden -update
//
// and say in the commit message why the hashes changed — or that the
// simulator is not deterministic across processes or Go versions, which is
// a bug: `simulate run NAME --seed N --check-determinism` compares two runs
// in one process, and diffing the --trace output of two processes finds the
// first event at which they part. A built-in scenario without recorded runs
// fails the test too, so that a new scenario gets its golden hashes with the
// commit that adds it; -update records them.
//
// -update runs seeds 1, 2 and 18446744073709551557 (the top of the uint64
// range) of every built-in scenario, plus any other seed already recorded for
// it, each in two processes, refuses to record a run whose two processes
// disagree, and rewrites the file sorted by scenario and seed. The header
// names the Go release that recorded the hashes, for information only: the
// hashes must not depend on it. Under -short the test runs only the first
// recorded seed of each scenario; -update ignores -short.
package golden
