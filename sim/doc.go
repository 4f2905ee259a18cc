// Package sim is the world of a Redsim run: one discrete-event loop on one
// goroutine, the seed's PRNG streams, hosts with their clocks and disks,
// processes with their lifecycle and timers, the trace and its hash, and the Env
// through which a node reaches all of it.
//
// Invariants:
//   - Events run one at a time in (true time, sequence) order; an event
//     scheduled for the past runs at the current time, after those already due.
//   - An event aimed at a process runs only while that incarnation is alive:
//     it is dropped once the process crashed or stopped, and held in the
//     process's backlog while it is paused, to run in order on resume.
//   - Every random draw comes from a stream named for its user and derived from
//     (seed, name), so adding a stream never changes the draws of another.
//     The streams sim makes are proc/<process>/<incarnation> (the node's Rand),
//     disk/<host>/fsync/<process>/<incarnation> (that incarnation's fsync
//     latencies) and disk/<host>/torn/<file> (what a crash keeps of that file),
//     so no draw is shared between processes, between files, or between a
//     host's fsyncs and its crashes.
//   - Every event the trace sees is hashed, whatever the level that is kept or
//     printed, so the hash proves that two runs were the same.
package sim
