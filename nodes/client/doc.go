// Package client is the simulated Redis client of Redsim's workloads: a
// process that runs one Workload in a closed loop against a Redis node and
// records every operation, as the client saw it, into a history.History.
//
// A client holds one connection (a pool of one, a redisconn.Conn that holds
// a request until the dial completes) and has at most one operation in
// flight: it sends the next request only after the previous one
// completed, so the history holds no concurrent operations of one process.
// Before each operation it asks Options.Target where to send it, so an
// operator or a Sentinel can steer it to a new master; a changed target
// closes the old connection and dials the new one.
//
// Invariants:
//   - Invoke and Complete are true virtual time, read from Options.Now; the
//     Env's clocks are the host's and may be skewed, so they serve only the
//     client's own timers (timeouts, think time, backoff).
//   - An operation's Node is the host of the target it was invoked for, even
//     when the dial then failed and nothing left the client.
//   - Outcomes follow what the client can know. Ok: a reply that is not an
//     error. Fail (certainly not applied): an error reply (READONLY,
//     NOREPLICAS, MISCONF, WRONGTYPE, ...), or a dial that was refused or
//     timed out, since nothing was sent. Info (unknown): a timeout after the
//     request was sent, a connection closed or reset after it was sent, a
//     reply of an unexpected shape, a client stopped or crashed with the
//     operation in flight.
//   - After a timeout the connection is closed, so that a late reply can
//     never be matched to the next request, and the next dial waits a
//     jittered, exponentially growing backoff.
//   - Values written are unique per client and per run: the client passes
//     its workload Process*1e9+seq, where seq counts the client's
//     operations across its incarnations (a restarted client does not reuse
//     a value).
//   - All randomness comes from the incarnation's env.Rand().
package client
