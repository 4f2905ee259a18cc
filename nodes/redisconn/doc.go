// Package redisconn is the one outbound Redis connection of Redsim's node
// code: what a client, a Redlock client, a replica or a Sentinel opens to a
// Redis server. It dials through the Env with a timeout, runs an optional
// handshake (HELLO, AUTH, CLIENT SETNAME, SELECT), pipelines commands and
// matches each reply, parsed by resp.ReplyReader in RESP2 or RESP3, to the
// oldest command still awaiting one.
//
// A Conn is event-driven like the node that owns it: Do writes a command and
// returns; the command's Waiter is told its outcome later, on the process's
// turn, exactly once: the reply (an error reply is a resp.Value, not a Go
// error), or an *Error that says why no reply will come and whether the
// command was sent, so that the owner can record ok, fail or info.
//
// Invariants:
//   - Replies are matched to commands in the order the commands were
//     written. A command that timed out (Options.Timeout) keeps its place:
//     its late reply is read and dropped, so no later command ever takes it.
//   - Every command issued is answered exactly once: by its reply, by
//     ErrTimeout, or by the end of its connection (a dial failure, a close
//     or reset by the peer, a malformed reply, an unexpected reply, Close,
//     Abort or Hijack), in the order the commands were issued.
//   - A stream that cannot be trusted (a malformed reply, a reply nobody
//     asked for, more than Options.MaxPending unanswered commands) is reset,
//     never resynchronised.
//   - RESP3 push messages are never replies: they go to Options.OnPush.
//   - The Conn keeps one connection at a time. A lost connection is dialled
//     again by the next Do, or, with Options.Reconnect, after a jittered
//     exponential backoff drawn from the incarnation's own env.Rand().
//   - Like every node package it is deterministic and single-goroutine, and
//     its steady state (Do, reply, callback) allocates nothing.
//
// Hijack hands the raw connection, and the bytes received but not yet
// parsed, to another handler: a replica does so after PSYNC, when the
// master's replies end and its replication stream begins.
package redisconn
