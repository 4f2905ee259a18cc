// Package scenarios runs worlds: a scenario is a deployment, a workload, a
// schedule of faults and operator actions, and checks, run for a duration
// from one seed. It holds the runner (Execute, producing a Result whose
// verdicts are checker.Result and whose Replay is the command that runs the
// same world again), the typed parameters users set with --set, the
// registry, and the helpers scenarios share (Deploy, Linearizable,
// Liveness...).
//
// Its subpackages hold the rest: deploy (what runs where, as data, and the
// one builder that creates it), nemesis (faults and operator actions as
// data), file (scenario files: a TOML subset with file:line:field errors),
// builtin (the catalogue), sweep (many seeds in parallel) and study
// (parameter grids).
//
// Invariants: everything a run changes in its world after setup is a
// nemesis action in r.Schedule (so --faults and the report show it, and
// removing it removes it from the run, and Options.PlanOnly gives the
// schedule without running the world); actions at time zero are initial
// conditions applied before any process runs; parameters are parsed once,
// before the world is built. Scenarios is the only package, with its
// subpackages, that imports both the network and the nodes.
package scenarios
