// Package sweep runs one scenario over many seeds: the engine behind
// `simulate sweep`.
//
// Every seed is an independent world built and run by scenarios.Execute on a
// goroutine of its own; parallelism exists only between worlds, never inside
// one (docs/ARCHITECTURE.md section 1), so a seed's hash does not depend on Config.Jobs.
// Results are handed to the caller in the order of Config.Seeds, from the
// goroutine that called Run, so a sweep's output is the same with one job or
// many, apart from wall times.
//
// A seed list is parsed by ParseSeeds ("1-100", "1,5,9", "1-10,42") and cut
// into shards by Shard, so that N machines (a CI matrix, a Kubernetes Indexed
// Job) each run a disjoint part and together run every seed exactly once.
package sweep
