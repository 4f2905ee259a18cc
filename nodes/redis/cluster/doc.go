// Package cluster holds the parts of Redis Cluster (src/cluster.c and
// cluster.h at Redis 7.0.15) that are pure data: the key-to-slot function,
// the cluster bus wire format and the nodes.conf text format. It depends on
// the standard library and on nodes/resp's sdssplitargs alone, and keeps no
// state, so the node, the differential tests and any tool can share it.
//
// KeyHashSlot is keyHashSlot: CRC16/XMODEM of the key or of its hash tag,
// modulo 16384.
//
// Msg is one bus message (clusterMsg). Marshal writes the bytes Redis
// writes, field for field at the offsets cluster.h asserts, with the totlen
// each clusterSend* function computes; FrameLen and Parse read a stream the
// way clusterReadHandler and clusterProcessPacket do and refuse what they
// refuse, saying whether Redis would drop the packet or close the link and
// what it would log. Parse copies what it keeps.
//
// Config is a nodes.conf and NodeLine a line of it or of CLUSTER NODES.
// Format writes what clusterGenNodesDescription and clusterSaveConfig
// write; ParseConfig reads as clusterLoadConfig reads, as strict and as
// lenient: what Redis refuses comes back as a *ConfigError carrying Redis's
// log text, so that the node can log it and refuse to start, and what Redis
// accepts (a last line cut inside a slot range included) parses. ParseConfig
// returns the lines as written; merging duplicate IDs, creating placeholder
// masters, giving replicas configEpoch 0 and raising currentEpoch to the
// largest configEpoch are loading, which the node does.
//
// What the package deliberately leaves out is behaviour: which nodes a
// PING gossips about, failure reports, elections, epochs, the slot table
// and when nodes.conf is saved belong to the node's cluster state machine,
// which runs on the simulator's Env. Nothing here reads a clock, draws a
// random number or iterates a map.
//
// Two details of the wire format are not network byte order: a MODULE
// message's module ID is copied in the sender's host order (little-endian
// here), and the bytes after the NUL of an address field travel as they lie
// in memory (zeros from Redis). Every other integer is big-endian.
package cluster
