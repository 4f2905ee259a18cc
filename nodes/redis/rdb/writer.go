package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Writer appends a snapshot to a byte slice. Call Aux for each metadata
// field, then SelectDB and Key with its elements for each key, then Finish.
// The writer panics on misuse, which is a bug in its caller: an Aux after a
// key, a Key before the previous key's elements are all written, the wrong
// number of elements, a Score anywhere but after a zset member, a NaN score.
type Writer struct {
	buf []byte
	// start is where the file begins in buf (after the caller's dst), and
	// lengthAt where its length field is, patched by Finish.
	start    int
	lengthAt int
	// t is the type of the open key; left counts its elements still to
	// write (hash: fields and values; zset: members and scores).
	t    Type
	left int
	// wantScore is true after a zset member, until its score.
	wantScore bool
	// keys is true once a key or SELECTDB is written: aux fields come first.
	keys     bool
	finished bool
}

// NewWriter starts a file at the end of dst (which may be nil, or a reused
// buffer with capacity to spare) by appending the magic and version.
func NewWriter(dst []byte) *Writer {
	w := &Writer{buf: dst, start: len(dst)}
	w.buf = append(w.buf, magic...)
	w.buf = binary.AppendUvarint(w.buf, Version)
	w.lengthAt = len(w.buf)
	w.buf = append(w.buf, make([]byte, lengthLen+hcrcLen)...)
	return w
}

// Aux records a metadata field, such as redis-ver, ctime, repl-id or
// repl-offset. Aux fields precede every SelectDB and Key.
func (w *Writer) Aux(key, value string) {
	w.check("Aux")
	if w.keys {
		panic("rdb: Aux after SelectDB or Key; aux fields come first")
	}
	w.buf = append(w.buf, opAux)
	w.buf = appendStr(w.buf, key)
	w.buf = appendStr(w.buf, value)
}

// SelectDB makes the keys that follow belong to database db (0 until the
// first SelectDB).
func (w *Writer) SelectDB(db int) {
	w.check("SelectDB")
	if db < 0 || db > math.MaxInt32 {
		panic(fmt.Sprintf("rdb: SelectDB(%d): db out of range", db))
	}
	w.keys = true
	w.buf = append(w.buf, opSelectDB)
	w.buf = binary.AppendUvarint(w.buf, uint64(db))
}

// Key starts a key of type t. expireAtMs is its absolute expiry time in
// Unix milliseconds, or negative for a key without TTL. n is its length as
// Redis counts it (1 for a string; LLEN, SCARD, HLEN, ZCARD otherwise, at
// least 1 as Redis stores no empty collection), and the elements follow:
// one Elem for a string; n Elems for a list or set; n pairs Elem(field),
// Elem(value) for a hash; n pairs Elem(member), Score(score) for a zset.
func (w *Writer) Key(t Type, key []byte, expireAtMs int64, n int) {
	w.check("Key")
	switch {
	case t > TypeHash && t != TypeStream:
		panic(fmt.Sprintf("rdb: Key(%q): unknown type %d", key, byte(t)))
	case (t == TypeString || t == TypeStream) && n != 1:
		panic(fmt.Sprintf("rdb: Key(%q): a string has n=1, not %d", key, n))
	case n < 1:
		panic(fmt.Sprintf("rdb: Key(%q): an empty %v (n=%d)", key, t, n))
	}
	w.keys = true
	op := byte(t)
	if expireAtMs >= 0 {
		op |= ttlFlag
	}
	w.buf = append(w.buf, op)
	if expireAtMs >= 0 {
		w.buf = binary.AppendUvarint(w.buf, uint64(expireAtMs))
	}
	w.buf = appendBytes(w.buf, key)
	if t != TypeString && t != TypeStream {
		w.buf = binary.AppendUvarint(w.buf, uint64(n))
	}
	w.t = t
	w.left = n
	if t == TypeHash || t == TypeZSet {
		w.left = 2 * n
	}
}

// Elem writes the next element of the open key: the string's value, a list
// item (head to tail), a set member, a hash field or value (alternately), or
// a zset member (then its Score).
func (w *Writer) Elem(b []byte) {
	if w.left == 0 || w.wantScore {
		panic(fmt.Sprintf("rdb: Elem(%q) with no element due (%d left, score due %v)", b, w.left, w.wantScore))
	}
	w.buf = appendBytes(w.buf, b)
	w.left--
	w.wantScore = w.t == TypeZSet
}

// Score writes the score of the zset member just written.
func (w *Writer) Score(f float64) {
	if !w.wantScore {
		panic("rdb: Score must follow the Elem of a zset member")
	}
	if f != f {
		panic("rdb: Score(NaN): Redis never stores a NaN score")
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
	w.left--
	w.wantScore = false
}

// Finish writes the EOF marker and the checksum and returns dst with the
// whole file appended. The Writer is done with.
func (w *Writer) Finish() []byte {
	w.check("Finish")
	w.finished = true
	w.buf = append(w.buf, opEOF)
	total := len(w.buf) + 8 - w.start
	binary.LittleEndian.PutUint64(w.buf[w.lengthAt:], uint64(total))
	hcrc := headerChecksum(w.buf[w.start : w.lengthAt+lengthLen])
	binary.LittleEndian.PutUint32(w.buf[w.lengthAt+lengthLen:], hcrc)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, checksum(w.buf[w.start:]))
	return w.buf
}

// check panics if the writer cannot take a new record.
func (w *Writer) check(call string) {
	if w.finished {
		panic("rdb: " + call + " after Finish")
	}
	if w.left != 0 {
		panic(fmt.Sprintf("rdb: %s while the %v key still wants %d elements", call, w.t, w.left))
	}
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
