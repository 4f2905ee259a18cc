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
//   - Every random draw for a directed link (a segment's latency, the fresh
//     latency of held segments at a heal) comes from that link's own stream,
//     net/link/<from>-><to> by host name, so traffic, partitions, clogs and
//     resets on one link never change the latencies of another. The network
//     has no stream of its own: dial timeouts are the dialer's timers and
//     refusals follow from the listeners, so neither draws.
//   - Every delivery to a node is an event of the receiving process, so a
//     paused process's input waits and a dead incarnation's is dropped.
//   - A delivery is a read: every data segment that has arrived by then, in
//     one OnData, as a read(2) returns what TCP has received in order. Writes
//     that arrive apart are read apart; writes that become readable in the
//     same instant (one held behind another, traffic released by a heal) are
//     read together.
package network
