// Package checker judges what the clients of a run saw. Each checker reads
// plain data from package history (operations, lock holds, resource writes)
// or digests of final datasets, and returns a Result: a verdict, a one-line
// summary, the evidence that shows an anomaly, and named metrics.
//
// The checkers:
//   - Linearizable: porcupine over the register, cas-register and counter
//     models, one key at a time. Info operations may take effect at any time
//     after their invocation (porcupine sees them return at +infinity); Fail
//     operations never happened and are left out.
//   - SetWrites: lost, phantom and wrongly failed elements of set and
//     list-append workloads against each node's final read.
//   - MutualExclusion, ResourceSafety and LockLiveness: the safety and
//     liveness of Redlock in true time.
//   - Convergence: equal dataset digests per shard after the final heal.
//   - Liveness: ok operations resume within a bound after faults stop.
//
// Invariants: a checker never imports a node package (its models state the
// intended behaviour independently); the same input gives the same Result,
// byte for byte once encoded, on any machine: no checker reads a clock, and a
// linearizability search is bounded by a budget of model steps per key, not
// by time. A key whose search spends its budget is Unknown, never Ok.
package checker
