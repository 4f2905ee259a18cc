// Package stream is the stream data type of the simulated Redis 7.0.15
// node, a port of src/t_stream.c: entries in listpack nodes, consumer
// groups with their pending entries lists, and the commands XADD, XRANGE,
// XREVRANGE, XLEN, XDEL, XTRIM, XREAD, XREADGROUP, XGROUP, XACK, XPENDING,
// XCLAIM, XAUTOCLAIM, XINFO and XSETID, down to the order of their error
// checks and the exact texts of their errors.
//
// # Division of labour with the node
//
// The package does no I/O and reads no clock: the wall-clock time Redis
// gets from mstime() is a parameter (nowMs), and the settings it reads
// from the server (stream-node-max-bytes, stream-node-max-entries) come in
// a Config. The node does the key lookup, the WRONGTYPE check, blocking
// and writing replies, in the order Redis does them relative to argument
// parsing:
//
//	XADD        ParseXAdd, lookup, XAdd         (missing key: creates, or null with NOMKSTREAM)
//	XTRIM       ParseXTrim, lookup, XTrim
//	XRANGE      ParseXRange, lookup, XRange     (XREVRANGE likewise)
//	XREAD       ParseXRead, Resolve(lookup), XRead; ServeBlocked when a blocked key is ready
//	XGROUP      ParseXGroup, lookup of argv[2] if len(argv) >= 4, XGroup
//	XPENDING    ParseXPending, lookup, XPending
//	XAUTOCLAIM  ParseXAutoClaim, lookup, XAutoClaim
//	XSETID      ParseXSetID, lookup, XSetID
//	XLEN, XDEL, XACK, XCLAIM   lookup, then XLen, XDel, XAck, XClaim
//	XINFO       lookup of argv[2] (none for HELP), XInfo
//
// The functions take the stream at the key, nil when it is missing (each
// documents that reply), and the argv as the command table passed it
// (they also refuse too few arguments rather than panic). They return a
// Result: a Reply that writes itself to the node's resp.Writer through
// ReplyWriter, a stream the node must store when the command created the
// key, and the Effects the node applies: dirty counter, signalModifiedKey,
// keyspace events, signalKeyAsReady and the commands to propagate. The
// model node in oracle_test.go is a complete reference wiring.
//
// What is propagated is always the Effects' list, never the command's own
// argv: 7.0 propagates XADD with the ID it used and "= <reached>" after an
// approximate trim, XTRIM likewise, XREADGROUP as one XCLAIM per delivered
// entry (plus XGROUP SETID after NOACK reads, XGROUP CREATECONSUMER for a
// consumer that NOACK reads created), XCLAIM and XAUTOCLAIM as XCLAIM ...
// FORCE JUSTID LASTID.
//
// Snapshots and full resynchronizations carry a stream as AppendBinary's
// encoding, which keeps the node layout as Redis's RDB keeps listpacks;
// Decode reads it back, Clone copies a stream (COPY).
//
// # Nodes and trimming
//
// Redis stores a stream in a radix tree of listpacks, each holding at most
// stream-node-max-entries entries (deleted ones included) and starting a
// new node when the tail listpack's size plus the new entry's field and
// value lengths reaches stream-node-max-bytes. The package keeps the same
// nodes, computing each listpack's exact size from listpack.c's encodings
// (integers in 1 to 9 bytes, strings that are canonical integers stored as
// integers, back-lengths, the master entry and the deleted flag counts),
// so node boundaries, and therefore what MAXLEN ~ and MINID ~ (which
// remove whole nodes only) leave, match Redis, as do XINFO STREAM's
// radix-tree-keys and radix-tree-nodes.
//
// # Invariants
//
// Live entries' IDs increase strictly across nodes and never exceed the
// last ID; deleted entries keep their place in their node, and since
// XSETID may lower the last ID below them, a node can hold entries out of
// order, which the iterator handles as Redis's does. A node disappears
// when XDEL deletes its last live entry, while an exact trim may leave one
// whose entries are all flagged deleted, as in Redis.
// Every pending entry is in its group's PEL and in exactly one consumer's.
// Groups, consumers and PELs are iterated in key order (names bytewise,
// IDs numerically), never in Go map order, so everything the package
// returns is deterministic.
package stream
