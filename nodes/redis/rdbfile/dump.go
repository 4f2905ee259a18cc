package rdbfile

import (
	"encoding/binary"
	"errors"
)

// DUMP payloads (cluster.c createDumpPayload, verifyDumpPayload): the
// value's RDB type byte and serialization, then a footer of the RDB
// version as 2 bytes little-endian and the CRC-64 of everything before
// it as 8 bytes little-endian.

// ErrDumpFooter is the Kind of VerifyDump's errors: a payload shorter
// than its footer, of a version newer than 10, or whose CRC-64 is wrong.
// RESTORE replies "ERR DUMP payload version or checksum are wrong" to
// them, and "ERR Bad data format" to DecodeDump's other errors.
var ErrDumpFooter = errors.New("DUMP payload version or checksum are wrong")

// Dump appends v's DUMP payload to dst, serialized under opts
// (Compression and the list settings; a payload always has its CRC-64).
func Dump(dst []byte, v *Value, opts Options) ([]byte, error) {
	e := encoder{opts: opts}
	start := len(dst)
	out, err := e.appendObject(dst, v)
	if err != nil {
		return dst, err
	}
	out = append(out, byte(Version), byte(Version>>8))
	return binary.LittleEndian.AppendUint64(out, CRC64(0, out[start:])), nil
}

// VerifyDump checks a payload's footer as verifyDumpPayload does and
// returns its RDB version. skipChecksum is DEBUG SET-SKIP-CHECKSUM-VALIDATION.
func VerifyDump(p []byte, skipChecksum bool) (int, error) {
	if len(p) < 10 {
		return 0, errorf(ErrDumpFooter, 0, "a payload of %d bytes has no room for its 10-byte footer", len(p))
	}
	footer := len(p) - 10
	ver := int(p[footer]) | int(p[footer+1])<<8
	if ver > Version {
		return ver, errorf(ErrDumpFooter, footer, "payload RDB version %d is newer than %d", ver, Version)
	}
	if skipChecksum {
		return ver, nil
	}
	stored := binary.LittleEndian.Uint64(p[footer+2:])
	if got := CRC64(0, p[:footer+2]); got != stored {
		return ver, errorf(ErrDumpFooter, footer+2, "payload CRC-64 is %016x, its bytes give %016x", stored, got)
	}
	return ver, nil
}

// DecodeDump verifies a payload and decodes its value as RESTORE does
// (rdbLoadObjectType then rdbLoadObject over the whole payload, footer
// included, with the integrity checks of sanitize-dump-payload yes). An
// empty collection is refused with ErrEmptyKey.
func DecodeDump(p []byte, skipChecksum bool) (*Value, error) {
	if _, err := VerifyDump(p, skipChecksum); err != nil {
		return nil, err
	}
	return DecodeValue(p)
}

// DecodeValue decodes a type byte and a value, as they follow a key in a
// file and begin a DUMP payload; bytes after the value are ignored.
func DecodeValue(p []byte) (*Value, error) {
	d := decoder{data: p, end: len(p)}
	t, err := d.byte("the value type")
	if err != nil {
		return nil, err
	}
	if !isObjectType(t) {
		return nil, errorf(ErrFormat, 0, "%d is not an object type", t)
	}
	return d.object(t)
}

// EncodeValue appends v's type byte and serialization, the part of a
// DUMP payload before its footer.
func EncodeValue(dst []byte, v *Value, opts Options) ([]byte, error) {
	e := encoder{opts: opts}
	return e.appendObject(dst, v)
}

// ReadString reads the string that begins at p[off] as
// rdbGenericLoadStringObject reads it (a length, an encoded integer or
// LZF data) and returns it with the offset after it. Reading may run to
// the end of p, as rio reads a DUMP payload footer and all.
func ReadString(p []byte, off int) (s []byte, next int, err error) {
	d := decoder{data: p, off: off, end: len(p), mark: off}
	s, _, err = d.str("the string")
	return s, d.off, err
}

// ReadLength reads the length that begins at p[off] as rdbLoadLen with no
// encoding flag does (a string encoding's number is taken as a length)
// and returns it with the offset after it.
func ReadLength(p []byte, off int) (n uint64, next int, err error) {
	d := decoder{data: p, off: off, end: len(p), mark: off}
	n, _, err = d.length("the length")
	return n, d.off, err
}

// The opcodes of a function library: FUNCTION2, and the FUNCTION of
// 7.0's release candidates (name, engine, description, code).
const (
	OpFunction2 = opFunction2
	OpFunction  = opFunction
)
