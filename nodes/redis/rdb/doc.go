// Package rdb is the snapshot file format of the simulated Redis node: what
// SAVE and BGSAVE write, what a restart loads, and what a master streams to
// a replica in a full resynchronization. It is Redsim's own format, not
// Redis's RDB: versioned, checksummed, compact (varint lengths, no padding)
// and fast to write and read (one pass each way, no copies of values on
// read).
//
// A file is a magic string, a version, metadata (aux fields), then per
// database a SELECTDB record followed by its keys, each key with its type,
// optional absolute expiry time in milliseconds, and its elements; an EOF
// marker and a CRC-64 of everything before it end the file. format.go gives
// the exact layout.
//
// Invariants: a Reader never panics, whatever the input, and never sizes an
// allocation by a count before checking it against the bytes left; it checks the magic, version and
// checksum before returning a single entry, so a damaged file is refused as a
// whole rather than half-loaded; every error names the byte offset and wraps
// exactly one of ErrTruncated, ErrChecksum, ErrFormat or ErrVersion. A Writer
// is trusted code's tool: it panics on misuse (a missing element, a score for
// a list), since that is a bug in the node, and what it writes a Reader
// reads back identically.
package rdb
