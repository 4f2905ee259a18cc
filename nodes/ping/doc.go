// Package ping is the toy node of the kernel's own tests: it echoes lines to
// anyone who dials it, and dials a random peer to send numbered pings, timing
// each out on its monotonic clock and reconnecting elsewhere on failure. It logs
// every answered ping to its disk and fsyncs in batches.
//
// It checks two invariants and counts their violations in Stats: pongs on a
// connection come back in the order their pings were sent (the network is
// FIFO), and after a restart the log it reads back is well formed and holds at
// least every entry whose fsync succeeded (the disk keeps durable data).
package ping
