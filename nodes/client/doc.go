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
//     operation in flight; and an error that comes after a write was
//     applied: raised inside a script (" script: " in it, Redis rolls no
//     script back), or from WAIT after its pipeline's SADD.
//   - The client sends an operation once: unlike go-redis's Client and
//     FailoverClient (MaxRetries 3), it does not send it again after a
//     refusal (which go-redis retries for LOADING, READONLY, ...), nor
//     after a timeout (which could apply an INCR twice while the history
//     shows it once).
//   - After a timeout the connection is closed, so that a late reply can
//     never be matched to the next request, and the next dial waits a
//     jittered, exponentially growing backoff.
//   - Values written are unique per client and per run: the client passes
//     its workload Process*1e9+seq, where seq counts the client's
//     operations across its incarnations (a restarted client does not reuse
//     a value).
//   - All randomness comes from the incarnation's env.Rand().
//
// With Options.Cluster the client is a Redis Cluster client that behaves
// as go-redis v9's ClusterClient does (cluster.go, clusterop.go): it loads
// the slot map with CLUSTER SLOTS, keeps one connection per node, and
// sends each operation to the master of its first key's slot (a replica
// for reads, with ReadOnly or RouteRandomly), following MOVED and ASK and
// retrying TRYAGAIN, CLUSTERDOWN, LOADING, READONLY, MASTERDOWN and
// NOREPLICAS. Its
// invariants, beside the ones above:
//   - Still at most one operation in flight per process: a redirection or
//     a retry is the same operation, sent again only after the previous
//     attempt was answered; each attempt's commands carry its number in
//     their tags, so no reply of an earlier attempt is ever taken for a
//     later one's.
//   - An operation's Node is the host that answered its last attempt
//     (History.Redirect), or the one its last attempt was sent to when
//     none answered.
//   - An operation is sent again only when the previous attempt was
//     certainly not applied: an error reply (MOVED, ASK, TRYAGAIN,
//     CLUSTERDOWN, ...), or a dial or connection that failed before the
//     request left; at most MaxRedirects times. A MOVED or ASK goes again
//     at once, anything else after go-redis's retry backoff. When the
//     retries run out the last error reply makes the operation Fail. A
//     timeout or a lost connection after the request left ends it as Info
//     at once (go-redis would send it again, which could apply an INCR
//     twice while the history shows it once).
//   - After ASK, ASKING goes first in the same pipeline, before MULTI for
//     a transaction (Redis keeps the ASKING flag through MULTI ... EXEC).
//   - Discovery (CLUSTER SLOTS) records nothing. The first operation waits
//     for the first map; later reloads run beside the operations, one at a
//     time: when the map is older than ClusterStateMaxAge, and after MOVED,
//     ASK or READONLY, at most once per ClusterReloadHold. A MOVED also
//     sets the slot's master until the next map.
//   - Redis Cluster refuses a multi-key operation across slots, so Program
//     refuses, in cluster mode, a workload whose transactions or scripts
//     could span slots: ForCluster gives them hash tags ({t2}t7), and
//     spreads every key space over at least as many keys as asked.
package client
