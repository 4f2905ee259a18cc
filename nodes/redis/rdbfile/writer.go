package rdbfile

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Writer appends an RDB file, as Redis 7.0's rdbSaveRio writes one, to a
// byte slice:
//
//	w := NewWriter(nil, DefaultOptions())
//	w.InfoAux(info)              // or Aux for each field
//	w.Function(code)             // each function library
//	w.SelectDB(db, keys, expires) // each non-empty database, in order
//	w.Key(key, &value, meta)     // its keys
//	data := w.Finish()
//
// A value that cannot be written (an empty collection, a NaN score, an
// intset member that is not an integer) makes Key return an error wrapping
// nothing of this package's Err* values, and leaves the file as it was.
// Calls out of order (a key before SelectDB, anything after Finish) panic:
// they are bugs in the caller.
type Writer struct {
	buf      []byte
	start    int
	enc      encoder
	db       bool
	finished bool
}

// NewWriter starts a file at the end of dst (nil, or a buffer to reuse)
// with the header "REDIS0010".
func NewWriter(dst []byte, opts Options) *Writer {
	w := &Writer{buf: dst, start: len(dst), enc: encoder{opts: opts}}
	w.buf = append(w.buf, "REDIS0010"...)
	return w
}

// Info holds the aux fields rdbSaveInfoAuxFields writes.
type Info struct {
	// RedisVer is redis-ver, "7.0.15".
	RedisVer string
	// Bits is redis-bits, 64.
	Bits int
	// CTime is ctime, the Unix time in seconds of the save.
	CTime int64
	// UsedMem is used-mem, the server's memory use in bytes.
	UsedMem int64
	// Repl, when non-nil, adds repl-stream-db, repl-id and repl-offset, as
	// Redis does when it has replication info to save (a master, or a
	// replica with a master), and always in a full resync's payload.
	Repl *ReplInfo
	// AOFBase is aof-base: 1 in the RDB base of a multi-part AOF.
	AOFBase bool
}

// ReplInfo is the replication state saved with a snapshot.
type ReplInfo struct {
	// StreamDB is the db the replication stream last selected
	// (repl-stream-db); -1 when none.
	StreamDB int
	// ID and Offset are the replication ID and offset (server.replid,
	// master_repl_offset).
	ID     string
	Offset int64
}

// InfoAux writes 7.0's aux fields in its order: redis-ver, redis-bits,
// ctime, used-mem, [repl-stream-db, repl-id, repl-offset,] aof-base.
func (w *Writer) InfoAux(info Info) {
	w.Aux("redis-ver", info.RedisVer)
	w.Aux("redis-bits", strconv.Itoa(info.Bits))
	w.Aux("ctime", strconv.FormatInt(info.CTime, 10))
	w.Aux("used-mem", strconv.FormatInt(info.UsedMem, 10))
	if info.Repl != nil {
		w.Aux("repl-stream-db", strconv.Itoa(info.Repl.StreamDB))
		w.Aux("repl-id", info.Repl.ID)
		w.Aux("repl-offset", strconv.FormatInt(info.Repl.Offset, 10))
	}
	aof := "0"
	if info.AOFBase {
		aof = "1"
	}
	w.Aux("aof-base", aof)
}

// Aux writes one aux field (RDB_OPCODE_AUX), its key and value saved as
// strings are (an integer-looking value is integer-encoded).
func (w *Writer) Aux(key, value string) {
	w.check("Aux")
	w.buf = append(w.buf, opAux)
	w.buf = w.enc.appendString(w.buf, []byte(key))
	w.buf = w.enc.appendString(w.buf, []byte(value))
}

// Function writes a function library (RDB_OPCODE_FUNCTION2): its code,
// the whole FUNCTION LOAD payload including the "#!lua name=..." line.
// Redis writes the libraries after the aux fields, before the databases.
func (w *Writer) Function(code []byte) {
	w.check("Function")
	w.buf = append(w.buf, opFunction2)
	w.buf = w.enc.appendString(w.buf, code)
}

// SelectDB starts database db (SELECTDB) with its size hints (RESIZEDB):
// its number of keys and of keys with a TTL. Redis writes no record for
// an empty database.
func (w *Writer) SelectDB(db int, keys, expires uint64) {
	w.check("SelectDB")
	if db < 0 {
		panic(fmt.Sprintf("rdbfile: SelectDB(%d)", db))
	}
	w.db = true
	w.buf = append(w.buf, opSelectDB)
	w.buf = appendLen(w.buf, uint64(db))
	w.buf = append(w.buf, opResizeDB)
	w.buf = appendLen(w.buf, keys)
	w.buf = appendLen(w.buf, expires)
}

// KeyMeta is what precedes a key's type in the file.
type KeyMeta struct {
	// ExpireAtMs is the absolute expiry time in Unix ms, or -1 for none.
	ExpireAtMs int64
	// Idle is the LRU idle time in seconds, written (IDLE) when Redis's
	// maxmemory-policy is an LRU one; -1 for none.
	Idle int64
	// Freq is the LFU counter, written (FREQ) under an LFU policy; -1 for
	// none.
	Freq int
}

// NoMeta is a key without TTL, idle time or frequency.
var NoMeta = KeyMeta{ExpireAtMs: -1, Idle: -1, Freq: -1}

// Key writes a key (rdbSaveKeyValuePair): EXPIRETIME_MS when it has a
// TTL, IDLE or FREQ when given, the type, the key and the value.
func (w *Writer) Key(key []byte, v *Value, meta KeyMeta) error {
	w.check("Key")
	if !w.db {
		panic("rdbfile: Key before SelectDB")
	}
	mark := len(w.buf)
	if meta.ExpireAtMs != -1 {
		w.buf = append(w.buf, opExpireTimeM)
		w.buf = appendMillis(w.buf, meta.ExpireAtMs)
	}
	if meta.Idle >= 0 {
		w.buf = append(w.buf, opIdle)
		w.buf = appendLen(w.buf, uint64(meta.Idle))
	}
	if meta.Freq >= 0 {
		w.buf = append(w.buf, opFreq, byte(meta.Freq))
	}
	t, err := w.enc.rdbType(v)
	if err == nil {
		w.buf = append(w.buf, t)
		w.buf = w.enc.appendString(w.buf, key)
		w.buf, err = w.enc.appendValue(w.buf, v, t)
	}
	if err != nil {
		w.buf = w.buf[:mark]
		return fmt.Errorf("key %q: %w", key, err)
	}
	return nil
}

// Len is the number of bytes written so far.
func (w *Writer) Len() int { return len(w.buf) - w.start }

// Finish writes EOF and the CRC-64 of the file (zero when the checksum
// option is off) and returns dst with the file appended.
func (w *Writer) Finish() []byte {
	w.check("Finish")
	w.finished = true
	w.buf = append(w.buf, opEOF)
	var crc uint64
	if w.enc.opts.Checksum {
		crc = CRC64(0, w.buf[w.start:])
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, crc)
	return w.buf
}

func (w *Writer) check(call string) {
	if w.finished {
		panic("rdbfile: " + call + " after Finish")
	}
}
