// Package checker judges what the clients of a run saw. Each checker reads
// plain data from package history (operations, lock holds, resource writes)
// or digests of final datasets, and returns a Result: a verdict, a one-line
// summary, the evidence that shows an anomaly, and named metrics.
//
// The checkers:
//   - Linearizable: porcupine over a Model, one key at a time. Info
//     operations may take effect at any time after their invocation
//     (porcupine sees them return at +infinity); Fail operations never
//     happened and are left out. For a register (Model.RegisterReadWrite),
//     an Info write whose value no read returned is left out too, and one
//     whose value only it writes returns at the first read of it: either
//     keeps the verdict (infowrites.go proves it) and spares the search.
//   - SetWrites: lost, phantom, duplicated and wrongly failed elements of
//     set and list-append workloads against each node's final reads, only
//     those begun after an element was acknowledged counting as evidence
//     of its loss; replicas that disagree on an element once its attempts
//     completed; and a list's order against real time and across reads.
//   - ListAppend: Elle's list-append analysis of transactions: each key's
//     order of appends inferred from its reads, the reads no order
//     explains, appends acknowledged and lost, and the shortest cycles of
//     dependencies (ww, wr, rw, and with real time rt) among committed
//     transactions, named by the weakest anomaly they show.
//   - MutualExclusion, ResourceSafety and LockLiveness: the safety and
//     liveness of Redlock in true time; a fenced resource orders holders
//     by token.
//   - Convergence: equal dataset digests per shard after the final heal.
//   - Liveness: ok operations resume within a bound after faults stop.
//
// A Model is open, in porcupine's shape: a struct of pure functions (Init,
// Step, Equal, Hash, Describe*) over one key's state, with the operation
// kinds it covers. Register, CASRegister and Counter are built in and
// ParseModel knows them by name; a user checks a list, a lock or a queue by
// writing a Model, without changing this package. Whatever the model, Step
// sees canonical values and only Ok or Info outcomes, and every call of it
// counts against the key's budget. An incomplete Model (the zero one
// included) is Unknown, never a pass.
//
// Invariants: a checker never imports a node package (its models state the
// intended behaviour independently); the same input gives the same Result,
// byte for byte once encoded, on any machine: no checker reads a clock, and a
// linearizability search is bounded by a budget of model steps per key, not
// by time. A key whose search spends its budget is Unknown, never Ok, and
// so is a set key no final read showed, or an acknowledged element whose
// fate on some node no final read begun after the acknowledgement showed.
package checker
