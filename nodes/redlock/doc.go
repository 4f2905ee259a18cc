// Package redlock is the Redlock workload of Redsim: a lock client that
// follows the algorithm of redis.io's distributed-locks page (and of
// antirez's reference implementation, redlock-rb), the resource it guards,
// fenced or not, and the token source that fenced clients draw from, as
// Martin Kleppmann proposes in "How to do distributed locking" (2016).
//
// A lock client loops: acquire the lock on N independent masters (SET key
// value NX PX ttl on all of them at once, a quorum of N/2+1 within the
// validity), fetch a fencing token when fenced, work for a drawn time, check
// that the lock is still valid, pause if the scenario injects a
// stop-the-world pause there, write to the resource, release the lock with
// the compare-and-delete script, think, and start again.
//
// Invariants:
//   - Every acquire, extend and release attempt is one operation in the
//     History, invoked and completed in true time.
//   - Every successful acquisition appends one history.Hold: from the true
//     time the quorum completed until the earlier of the release's
//     invocation and the end of the validity the client computed on its
//     monotonic clock, converted to true time through its host's clock
//     (Options.MonoToTrue). The Hold is what the client believed, not what
//     the masters did: the checkers compare the two.
//   - A resource records only the writes it accepted, in true time.
//   - Each server is reached through one redisconn.Conn, kept across
//     rounds: requests are pipelined, and a reply that comes after its
//     round ended is read and dropped, never taken by a later request.
//   - Like every node, the package is deterministic: no goroutines, no
//     wall-clock reads, every draw from the process's own stream.
package redlock
