// Package rdbfile is Redis 7.0.15's own RDB file format, version 10, as
// src/rdb.c writes and loads it: the snapshot SAVE and BGSAVE write, the
// payload of a full resynchronization, and the value serialization of
// DUMP and RESTORE. It is independent of the node: values come in and go
// out as Value (elements plus the object encoding that decides their RDB
// type), streams as Stream, and the caller supplies aux fields and
// settings.
//
// # File layout
//
//	"REDIS0010"
//	AUX (0xFA) key value            redis-ver, redis-bits, ctime, used-mem,
//	                                [repl-stream-db, repl-id, repl-offset,] aof-base
//	FUNCTION2 (0xF5) code           one per function library
//	per non-empty database:
//	  SELECTDB (0xFE) len(db)
//	  RESIZEDB (0xFB) len(keys) len(keys with a TTL)
//	  per key: [EXPIRETIME_MS (0xFC) int64 LE] [IDLE (0xF8) len] [FREQ (0xF9) byte]
//	           type key value
//	EOF (0xFF)
//	CRC-64 (Jones, reflected, as src/crc64.c) of all the above, LE; 0 = unchecked
//
// A length (len) is 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits,
// big-endian), 0x80 + 4 bytes or 0x81 + 8 bytes big-endian. A string is a
// length and bytes, or 11xxxxxx: INT8/16/32 (little-endian; for canonical
// integers of up to 11 bytes that fit 32 bits) or LZF (0xC3, compressed
// length, original length, data; for strings over 20 bytes that shrink by
// 4 or more, when rdbcompression is on).
//
// Values by type (the writer picks the type from Value.Type and
// Value.Encoding, as rdbSaveObjectType does):
//
//	string            0   a string
//	list              18  QUICKLIST_2: len(nodes), per node container (1 plain,
//	                      2 packed) and a string (a listpack, or the plain item;
//	                      a node list-compress-depth keeps compressed is an LZF blob)
//	set               11  INTSET: a string holding the intset
//	                  2   SET: len, members
//	zset              17  ZSET_LISTPACK: a string holding member, score, ...
//	                  5   ZSET_2: len, then member and binary double LE, greatest first
//	hash              16  HASH_LISTPACK: a string holding field, value, ...
//	                  4   HASH: len, field, value, ...
//	stream            19  STREAM_LISTPACKS_2: len(nodes), per node its 16-byte
//	                      big-endian master ID and its listpack; length, last ID,
//	                      first ID, max deleted ID, entries-added; groups (name,
//	                      last ID, entries-read, PEL with delivery time and count,
//	                      consumers with seen-time and their PEL's IDs)
//
// Listpacks and intsets are byte for byte Redis's (listpack.go, intset.go
// and stream.go give their layouts), so real Redis accepts them with
// sanitize-dump-payload yes and redis-check-rdb's deep checks, and a
// value written here from Redis's elements and layout is Redis's own
// bytes: the differential tests read a real server's dump.rdb, write it
// back and compare byte for byte, and re-encode every DUMP payload to the
// same bytes.
//
// The reader also takes everything else 7.0 loads: versions 1 to 10,
// LIST, ZSET with ascii doubles, HASH_ZIPMAP, LIST_ZIPLIST, ZSET_ZIPLIST,
// HASH_ZIPLIST, LIST_QUICKLIST, STREAM_LISTPACKS (entries-read estimated
// as Redis estimates it), EXPIRETIME in seconds, IDLE and FREQ, and the
// 7.0 release candidates' FUNCTION records. Module values and MODULE_AUX
// are refused with ErrUnsupported, as a Redis without the module refuses
// them.
//
// # DUMP payloads
//
// A payload is the type byte and the value as above, then the RDB version
// (2 bytes LE) and the CRC-64 of everything before it (8 bytes LE).
// VerifyDump refuses a payload shorter than 10 bytes, of a version above
// 10, or with a wrong CRC (ErrDumpFooter: RESTORE's "DUMP payload version
// or checksum are wrong"); DecodeDump's other errors are "Bad data
// format".
//
// # Lists and quicklist nodes
//
// Redis writes a list's quicklist nodes as they are. A reader reports
// them in Value.ListNodes; a writer given no nodes splits the items as
// RPUSHes of them would under list-max-listpack-size (Options.ListFill),
// and compresses the nodes list-compress-depth leaves interior. A list
// Redis built otherwise (LPUSH, LINSERT, LTRIM, a load from an older
// format) may have other nodes: the file differs in layout only, which
// neither DEBUG DIGEST nor any command shows.
//
// # Invariants
//
// The reader never panics, whatever its input, and never sizes an
// allocation from a count the bytes left cannot back (an element takes at
// least a byte; an LZF string expands at most 88 times). Its errors are
// *Error values carrying the byte offset of the item at fault and one of
// ErrTruncated, ErrChecksum, ErrFormat, ErrVersion, ErrUnsupported,
// ErrEmptyKey or ErrDumpFooter. It checks what Redis checks with
// sanitize-dump-payload yes (listpack, ziplist, zipmap, intset and stream
// listpack integrity, duplicates, PELs without consumers) on every load;
// an empty collection in a file is skipped and counted, as 7.0 does. The
// checksum is verified at EOF, as Redis does: ReadAll returns nothing of
// a file that fails it. Strings and elements it returns may alias its
// input.
//
// The writer is deterministic: the same values and options give the same
// bytes (the LZF compressor starts each string from an empty hash table,
// where Redis's starts from stack garbage it checks, so in rare cases
// Redis's compressed bytes differ from these while both decompress alike).
// A value it cannot write (an empty collection, a NaN score, a non-integer
// intset member) is an error from Writer.Key that leaves the file as it
// was; calls out of order panic.
package rdbfile
