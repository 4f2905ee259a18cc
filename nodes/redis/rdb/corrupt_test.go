package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// bodyAt is where records start in a file of this version.
const bodyAt = len(magic) + 1 + lengthLen + hcrcLen

// seal wraps body (records without the EOF marker) into a file with a
// correct header, length and checksum, so that the record parser itself is
// what a test or the fuzzer exercises.
func seal(body []byte) []byte {
	w := NewWriter(make([]byte, 0, bodyAt+len(body)+trailerLen))
	w.buf = append(w.buf, body...)
	return w.Finish()
}

func sampleFile() []byte {
	aux, es := sample()
	return write(nil, aux, es)
}

// TestEveryTruncation cuts a valid file at every length and wants
// ErrTruncated naming the offset where the bytes stop.
func TestEveryTruncation(t *testing.T) {
	data := sampleFile()
	for n := range len(data) {
		_, _, err := readAll(data[:n])
		var e *Error
		if !errors.Is(err, ErrTruncated) || !errors.As(err, &e) || e.Offset != n {
			t.Fatalf("cut at %d of %d: err = %v, want ErrTruncated at offset %d", n, len(data), err, n)
		}
	}
	if _, _, err := readAll(data); err != nil {
		t.Fatalf("the whole file: %v", err)
	}
}

// TestEveryFlippedByte damages each byte of a valid file in turn: the magic
// gives ErrFormat, the version ErrVersion, anything else ErrChecksum.
func TestEveryFlippedByte(t *testing.T) {
	data := sampleFile()
	for i := range data {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), data...)
			bad[i] ^= mask
			_, _, err := readAll(bad)
			want := ErrChecksum
			switch {
			case i < len(magic):
				want = ErrFormat
			case i == len(magic):
				want = ErrVersion
			}
			if !errors.Is(err, want) {
				t.Fatalf("byte %d ^ 0x%02x: err = %v, want %v", i, mask, err, want)
			}
		}
	}
}

func TestChecksumMessage(t *testing.T) {
	data := sampleFile()
	data[bodyAt+3] ^= 1
	_, err := NewReader(data)
	stored := binary.LittleEndian.Uint64(data[len(data)-8:])
	computed := checksum(data[:len(data)-8])
	want := fmt.Sprintf("rdb: wrong checksum at offset %d: expected %016x got %016x (stored in the file vs computed over its bytes)", len(data)-8, stored, computed)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant   %s", err, want)
	}
}

func TestHeaderErrors(t *testing.T) {
	valid := sampleFile()
	version2 := append([]byte(magic), 2)
	for _, c := range []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"redis's own rdb", []byte("REDIS0010\xfa\x09redis-ver"), ErrFormat, `not a Redsim snapshot: starts with "REDIS001", want "REDSIMDB"`},
		{"empty", nil, ErrTruncated, "the file ends inside the magic"},
		{"newer version", version2, ErrVersion, "version 2; this build reads version 1"},
		{"version overflow", append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), ErrFormat, "does not fit 64 bits"},
		{"trailing bytes", append(append([]byte(nil), valid...), 0), ErrFormat, "1 bytes follow the end of the file"},
	} {
		_, err := NewReader(c.data)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %v saying %q", c.name, err, c.kind, c.msg)
		}
	}
}

// TestMalformedBodies feeds records that a correct checksum cannot excuse.
func TestMalformedBodies(t *testing.T) {
	uv := func(v uint64) []byte { return binary.AppendUvarint(nil, v) }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	key := []byte{1, 'k'}
	nan := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN()))
	for _, c := range []struct {
		name string
		body []byte
		msg  string
	}{
		{"huge count", cat([]byte{byte(TypeList)}, key, uv(1<<60)), "claims 1152921504606846976 elements; the 0 bytes left hold at most 0"},
		{"count past the bytes", cat([]byte{byte(TypeZSet)}, key, uv(2), []byte{1, 'm'}, make([]byte, 8)), "claims 2 elements; the 10 bytes left hold at most 1"},
		{"string too long", cat([]byte{byte(TypeString)}, key, uv(1<<40)), "is 1099511627776 bytes long; 0 bytes are left"},
		{"unknown record", []byte{0x42}, "unknown record type 0x42"},
		{"aux after a key", cat([]byte{opSelectDB, 0, opAux}, []byte{0, 0}), "aux field after the first key"},
		{"early eof", []byte{opEOF, opSelectDB, 0}, "EOF marker before the end"},
		{"nan score", cat([]byte{byte(TypeZSet)}, key, uv(1), []byte{1, 'm'}, nan), "NaN score"},
		{"empty set", cat([]byte{byte(TypeSet)}, key, uv(0)), "is empty"},
		{"db out of range", cat([]byte{opSelectDB}, uv(1<<40)), "SELECTDB 1099511627776 is out of range"},
		{"expiry out of range", cat([]byte{byte(TypeString) | ttlFlag}, uv(1<<63), key, []byte{1, 'v'}), "past the int64 range"},
		{"record cut by the eof marker", cat([]byte{byte(TypeHash)}, key, uv(1), []byte{1, 'f'}), "runs past the EOF marker"},
		{"varint overflow", cat([]byte{opSelectDB}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), "does not fit 64 bits"},
	} {
		r, err := NewReader(seal(c.body))
		if err != nil {
			t.Errorf("%s: NewReader: %v", c.name, err)
			continue
		}
		_, _, err = r.Next()
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want ErrFormat saying %q", c.name, err, c.msg)
		}
		if _, ok, again := r.Next(); ok || again != err {
			t.Errorf("%s: the error is not sticky: then ok=%v err=%v", c.name, ok, again)
		}
	}
}

// TestHugeCountDoesNotAllocate: a count of 2^60 in a tiny file must be
// refused before anything is sized by it.
func TestHugeCountDoesNotAllocate(t *testing.T) {
	data := seal(append([]byte{byte(TypeList), 1, 'k'}, binary.AppendUvarint(nil, 1<<60)...))
	allocs := testing.AllocsPerRun(10, func() {
		r, _ := NewReader(data)
		r.Next()
	})
	if allocs > 10 {
		t.Fatalf("refusing a huge count took %.0f allocations", allocs)
	}
}
