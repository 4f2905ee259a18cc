// Package detlint is the static half of Redsim's determinism rules (docs/ARCHITECTURE.md
// section 1; the dynamic half compares trace hashes of two runs of one seed).
// Its Analyzer flags, in the packages under clock, sim, network and nodes, the
// constructs through which a run could depend on something other than its
// seed: goroutines, channels and select, sync and sync/atomic, wall-clock reads
// and waits of package time, the global math/rand source and crypto/rand,
// environment reads, and range over a map (or a maps.Keys/Values/All iterator)
// whose random order is not justified by a "//redsim:ordered <why>" comment on
// the loop's line or the line above. The real-time Env of `simulate serve`
// (sim/realenv and below) is exempt by name because it exists to touch the
// real world, and _test.go files are skipped because tests may drive a world
// from outside it (parallel seeds, timeouts); the loop that a test runs is
// still the checked, deterministic code. Every other package passes
// untouched, so the command runs on ./... and reports only the packages the
// rules bind.
package detlint
