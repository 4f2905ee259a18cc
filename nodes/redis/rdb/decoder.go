package rdb

import (
	"encoding/binary"
	"math"
)

// decoder reads the fields of records from data[off:limit]. Every read is
// bounds-checked against limit, the EOF marker of a file whose length and
// checksum already held: a field running past it was written wrong, so it is
// ErrFormat, never a panic and never a truncation.
type decoder struct {
	data  []byte
	off   int
	limit int
	// rec is the offset of the record being read and what names it ("list
	// key"); both only go into error messages, built only on error.
	rec  int
	what string
}

// begin starts a record at the current offset.
func (d *decoder) begin(what string) {
	d.rec = d.off
	d.what = what
}

// uvarint reads a varint, the field of the record named field.
func (d *decoder) uvarint(field string) (uint64, error) {
	v, n := binary.Uvarint(d.data[d.off:d.limit])
	switch {
	case n == 0:
		return 0, d.overrun(field)
	case n < 0:
		return 0, errorf(ErrFormat, d.off, "the %s's %s (record at offset %d) does not fit 64 bits", d.what, field, d.rec)
	}
	d.off += n
	return v, nil
}

// str reads a length-prefixed string, aliasing data with its capacity capped.
func (d *decoder) str(field string) ([]byte, error) {
	at := d.off
	n, err := d.uvarint(field)
	if err != nil {
		return nil, err
	}
	if n > uint64(d.limit-d.off) {
		return nil, errorf(ErrFormat, at, "the %s's %s (record at offset %d) is %d bytes long; %d bytes are left before the EOF marker at offset %d",
			d.what, field, d.rec, n, d.limit-d.off, d.limit)
	}
	s := d.data[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return s, nil
}

// score reads a zset score.
func (d *decoder) score() (float64, error) {
	if d.limit-d.off < 8 {
		return 0, d.overrun("score")
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.data[d.off:]))
	if f != f {
		return 0, errorf(ErrFormat, d.off, "a NaN score in the %s at offset %d", d.what, d.rec)
	}
	d.off += 8
	return f, nil
}

func (d *decoder) overrun(field string) error {
	return errorf(ErrFormat, d.off, "the %s's %s (record at offset %d) runs past the EOF marker at offset %d", d.what, field, d.rec, d.limit)
}
