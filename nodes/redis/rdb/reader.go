package rdb

import (
	"encoding/binary"
	"math"
)

// Entry is one key of a snapshot.
type Entry struct {
	// DB is the database the key belongs to.
	DB int
	// Type is the value's type.
	Type Type
	// Key is the key's name.
	Key []byte
	// ExpireAtMs is the absolute expiry time in Unix milliseconds, or -1
	// for a key without TTL.
	ExpireAtMs int64
	// Elems holds the value: one element for a string; the items of a list
	// head to tail; the members of a set or zset; a hash's fields and values
	// alternating (so twice HLEN elements).
	Elems [][]byte
	// Scores holds a zset's scores, Scores[i] for Elems[i]; nil otherwise.
	Scores []float64
}

// AuxField is one metadata field of a snapshot.
type AuxField struct {
	Key, Value string
}

// Reader reads a snapshot held in memory. Key and the elements of each
// Entry alias the data given to NewReader (capped, so appending to one
// copies); the caller copies them if it will modify the data.
type Reader struct {
	d decoder
	// end is the offset of the EOF marker.
	end int
	db  int
	aux []AuxField
	// err is sticky: after an error Next keeps returning it.
	err error
	// slab hands out the Elems of small keys, to allocate once per many
	// keys rather than once per key; handed-out parts are never reused.
	slab [][]byte
}

// slabLen is how many element slots one slab holds.
const slabLen = 512

// NewReader checks data's magic, version, length, header checksum and
// checksum, reads its aux fields, and returns a Reader positioned on the
// first key. It refuses a damaged file as a whole, before any key is read.
func NewReader(data []byte) (*Reader, error) {
	n := min(len(data), len(magic))
	if string(data[:n]) != magic[:n] {
		return nil, errorf(ErrFormat, 0, "not a Redsim snapshot: starts with %q, want %q", data[:n], magic)
	}
	if len(data) < len(magic) {
		return nil, errorf(ErrTruncated, len(data), "the file ends inside the magic %q", magic)
	}
	v, vn := binary.Uvarint(data[len(magic):])
	switch {
	case vn == 0:
		return nil, errorf(ErrTruncated, len(data), "the file ends inside the version")
	case vn < 0:
		return nil, errorf(ErrFormat, len(magic), "the version does not fit 64 bits")
	case v != Version:
		return nil, errorf(ErrVersion, len(magic), "version %d; this build reads version %d", v, Version)
	}
	lengthAt := len(magic) + vn
	bodyAt := lengthAt + lengthLen + hcrcLen
	if len(data) < bodyAt {
		return nil, errorf(ErrTruncated, len(data), "the file ends inside the %d-byte header", bodyAt)
	}
	want := binary.LittleEndian.Uint32(data[lengthAt+lengthLen:])
	if got := headerChecksum(data[:lengthAt+lengthLen]); got != want {
		return nil, errorf(ErrChecksum, lengthAt, "the header's CRC-32 is wrong: expected %08x got %08x", want, got)
	}
	length := binary.LittleEndian.Uint64(data[lengthAt:])
	switch {
	case length < uint64(bodyAt+trailerLen):
		return nil, errorf(ErrFormat, lengthAt, "the header gives a length of %d bytes, less than an empty file's %d", length, bodyAt+trailerLen)
	case uint64(len(data)) < length:
		return nil, errorf(ErrTruncated, len(data), "the file ends after %d bytes; its header says %d", len(data), length)
	case uint64(len(data)) > length:
		return nil, errorf(ErrFormat, int(length), "%d bytes follow the end of the file, which its header puts at %d", uint64(len(data))-length, length)
	}
	end := len(data) - trailerLen
	want64 := binary.LittleEndian.Uint64(data[end+1:])
	if got := checksum(data[:end+1]); got != want64 {
		return nil, errorf(ErrChecksum, end+1, "expected %016x got %016x (stored in the file vs computed over its bytes)", want64, got)
	}
	if data[end] != opEOF {
		return nil, errorf(ErrFormat, end, "byte 0x%02x where the EOF marker 0xff belongs", data[end])
	}
	r := &Reader{d: decoder{data: data, off: bodyAt, limit: end}, end: end}
	for r.d.off < end && data[r.d.off] == opAux {
		r.d.begin("aux field")
		r.d.off++
		k, err := r.d.str("key")
		if err != nil {
			return nil, err
		}
		v, err := r.d.str("value")
		if err != nil {
			return nil, err
		}
		r.aux = append(r.aux, AuxField{Key: string(k), Value: string(v)})
	}
	return r, nil
}

// Aux returns the metadata fields in the order written.
func (r *Reader) Aux() []AuxField { return r.aux }

// AuxValue returns the value of the first aux field named key.
func (r *Reader) AuxValue(key string) (string, bool) {
	for _, a := range r.aux {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// Next returns the next key, or false at the end of the file. An error
// (ErrFormat: the checksum held, so the writer itself was wrong) is
// returned again by every later call.
func (r *Reader) Next() (Entry, bool, error) {
	if r.err != nil {
		return Entry{}, false, r.err
	}
	e, ok, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, ok, err
}

func (r *Reader) next() (Entry, bool, error) {
	d := &r.d
	for d.off < r.end {
		start := d.off
		op := d.data[start]
		switch {
		case op == opSelectDB:
			d.begin("SELECTDB")
			d.off++
			db, err := d.uvarint("db")
			if err != nil {
				return Entry{}, false, err
			}
			if db > math.MaxInt32 {
				return Entry{}, false, errorf(ErrFormat, start, "SELECTDB %d is out of range", db)
			}
			r.db = int(db)
		case op == opAux:
			return Entry{}, false, errorf(ErrFormat, start, "an aux field after the first key or SELECTDB")
		case op == opEOF:
			return Entry{}, false, errorf(ErrFormat, start, "an EOF marker before the end of the file at offset %d", r.end)
		case Type(op&^ttlFlag) <= TypeHash, Type(op&^ttlFlag) == TypeStream:
			return r.key(start)
		default:
			return Entry{}, false, errorf(ErrFormat, start, "unknown record type 0x%02x", op)
		}
	}
	return Entry{}, false, nil
}

// key decodes the key record at start.
func (r *Reader) key(start int) (Entry, bool, error) {
	d := &r.d
	op := d.data[start]
	e := Entry{DB: r.db, Type: Type(op &^ ttlFlag), ExpireAtMs: -1}
	d.begin(keyWhat(e.Type))
	d.off++
	if op&ttlFlag != 0 {
		ms, err := d.uvarint("expiry")
		if err != nil {
			return Entry{}, false, err
		}
		if ms > math.MaxInt64 {
			return Entry{}, false, errorf(ErrFormat, start, "the %s expires at %d ms, past the int64 range", d.what, ms)
		}
		e.ExpireAtMs = int64(ms)
	}
	var err error
	if e.Key, err = d.str("name"); err != nil {
		return Entry{}, false, err
	}
	n := uint64(1)
	if e.Type != TypeString && e.Type != TypeStream {
		countAt := d.off
		if n, err = d.uvarint("length"); err != nil {
			return Entry{}, false, err
		}
		// Bound the count by the bytes left before allocating for it.
		left := uint64(r.end - d.off)
		switch {
		case n == 0:
			return Entry{}, false, errorf(ErrFormat, countAt, "the %s %q is empty; Redis stores no empty collection", d.what, e.Key)
		case n > left/uint64(minElemBytes(e.Type)):
			return Entry{}, false, errorf(ErrFormat, countAt, "the %s %q claims %d elements; the %d bytes left hold at most %d",
				d.what, e.Key, n, left, left/uint64(minElemBytes(e.Type)))
		}
	}
	elems := int(n)
	if e.Type == TypeHash {
		elems *= 2
	}
	e.Elems = r.elems(elems)
	if e.Type == TypeZSet {
		e.Scores = make([]float64, n)
	}
	for i := range e.Elems {
		if e.Elems[i], err = d.str("element"); err != nil {
			return Entry{}, false, err
		}
		if e.Type == TypeZSet {
			if e.Scores[i], err = d.score(); err != nil {
				return Entry{}, false, err
			}
		}
	}
	return e, true, nil
}

// keyWhat names a key record by type, for error messages, without
// building a string per record.
func keyWhat(t Type) string {
	switch t {
	case TypeString:
		return "string key"
	case TypeList:
		return "list key"
	case TypeSet:
		return "set key"
	case TypeZSet:
		return "zset key"
	case TypeStream:
		return "stream key"
	}
	return "hash key"
}

// elems returns a slice of n element slots that no later call reuses.
func (r *Reader) elems(n int) [][]byte {
	if n > slabLen/8 {
		return make([][]byte, n)
	}
	if len(r.slab) < n {
		r.slab = make([][]byte, slabLen)
	}
	s := r.slab[:n:n]
	r.slab = r.slab[n:]
	return s
}
