// Package resp is the RESP codec of Redsim's Redis node and of the simulated
// programs that talk to it (clients, replicas, sentinels). It must behave like
// Redis 7 byte for byte on the wire, so its server half is a port of the
// request parsing in Redis's src/networking.c, down to the quirks.
//
// The package has four parts, one per file:
//
//   - Reader (reader.go) is the server-side request parser, Redis's query
//     buffer with processInputBuffer, processInlineBuffer and
//     processMultibulkBuffer. Bytes are handed to it with Feed as they
//     arrive, in any split, and complete commands are pulled with Next.
//     Inline commands are split by splitArgs (inline.go), a port of
//     sdssplitargs. A malformed request yields a *ProtocolError whose text
//     is exactly the one Redis sends ("-ERR Protocol error: ...") before it
//     closes the connection.
//   - Writer (writer.go) appends replies to a reusable buffer, in RESP2 or
//     RESP3 as the connection's protocol version (HELLO) says, the way
//     Redis's addReply* functions do (double.go formats doubles like
//     addReplyDouble).
//   - ReplyReader (reply.go) is the client-side parser: it turns any RESP2 or
//     RESP3 reply into a Value. Error replies are Values; a malformed stream
//     is a Go error. With SetReuse a Value is lent until the next Next or
//     Feed (its strings in the reader's buffer, its elements in an arena),
//     for consumers that decode each reply at once; Clone makes one to keep.
//   - AppendCommand and AppendValue (encode.go) encode requests as multibulk
//     and re-encode Values.
//
// # Chunking matters, as it does in Redis
//
// Redis checks its size limits (the 64 KiB of PROTO_INLINE_MAX_SIZE for an
// inline request or a length line still lacking its terminator) against what
// the query buffer holds after each read(2), so whether a long inline request
// is served or refused depends on how the bytes were split into reads. The
// Reader checks at each Next against what has been fed so far, so a node that
// feeds it the chunks that Redis's readQueryFromClient would have read
// (IOBufLen bytes at a time, or NextReadSize) sees the same outcome as Redis.
//
// # Rules
//
// The package is deterministic and single-goroutine (no goroutines,
// channels, sync, clocks, randomness or map iteration), uses no reflection,
// and keeps its hot paths free of allocation and of fmt: buffers are reused
// and numbers are formatted with strconv.
package resp
