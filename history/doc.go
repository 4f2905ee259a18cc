// Package history is the vocabulary that clients, checkers and reports share:
// operations as a client saw them, the History that records them during a run,
// the lock-holding intervals and resource writes of Redlock workloads, and the
// JSON Lines form of a history (history.jsonl).
//
// It sits below both the clients (nodes/...) and the checker, so that neither
// has to import the other; it imports only the standard library and clock.
//
// Invariants:
//   - Times are true virtual time (clock.Time), never a host's clock reading:
//     Invoke is when the client sent the request, Complete when it saw the
//     reply or gave up.
//   - An operation's Outcome is Ok (the reply says it happened), Fail (it
//     certainly did not happen) or Info (unknown: a timeout, a reset after the
//     request was sent). Operations still pending when a run ends become Info.
//   - A History is append-only and is used from the single goroutine of the
//     world that records it.
//   - A History keeps its operations as compact records without pointers
//     (store.go), so that a long run's history costs the garbage collector
//     nothing to scan; Ops, Op, Select and a stream's sink decode them, and
//     give back every field exactly as it was recorded.
package history
