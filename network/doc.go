// Package network is the world's TCP-like network: listeners on host:port
// addresses, connections with in-order byte delivery, per-link latency, and the
// faults of docs/ARCHITECTURE.md section 4.
//
// Invariants:
//   - Each direction of a connection is a pipe: a FIFO of segments (SYN,
//     data, FIN, RST) whose arrival times never decrease, whatever the latency
//     draws, so bytes arrive in the order they were written.
//   - A cut link (partition or clog) loses nothing: segments wait, as TCP
//     retransmits them, and arrive in order after the heal unless a side
//     closes or resets the connection first.
//   - Every delivery to a node is an event of the receiving process, so a
//     paused process's input waits and a dead incarnation's is dropped.
package network
