package rdbfile

import (
	"errors"
	"fmt"
)

// Every error of a Reader and of the DUMP payload functions wraps exactly
// one of these; test with errors.Is.
var (
	// ErrTruncated: the input ends early (a crash during a save, a short
	// transfer). Redis reports it as a short read.
	ErrTruncated = errors.New("rdb: truncated")
	// ErrChecksum: the file is complete but its CRC-64 is not the one
	// stored (Redis: "Wrong RDB checksum").
	ErrChecksum = errors.New("rdb: wrong checksum")
	// ErrFormat: the bytes are not valid RDB: an unknown opcode or type,
	// a listpack or intset that fails the integrity checks Redis makes with
	// sanitize-dump-payload yes, a duplicate member, an empty collection
	// where Redis refuses one.
	ErrFormat = errors.New("rdb: malformed")
	// ErrVersion: a header or DUMP payload of an RDB version this reader
	// does not accept (newer than 10, or not a version at all).
	ErrVersion = errors.New("rdb: unsupported version")
	// ErrUnsupported: valid RDB that only a server with modules loads:
	// module values and MODULE_AUX records. Redis without the module
	// refuses them too.
	ErrUnsupported = errors.New("rdb: unsupported content")
	// ErrEmptyKey: a collection that holds no element. A Reader skips such
	// keys, as Redis 7.0 does when loading a file (and counts them); a
	// DUMP payload holding one is refused with it ("Bad data format").
	ErrEmptyKey = errors.New("rdb: empty key")
)

// Error is the error type of this package: what went wrong and where.
type Error struct {
	// Offset is the byte offset, in the file or payload given to the
	// reader, of the record or field at fault.
	Offset int
	// Kind is one of the Err* values above.
	Kind error
	// Detail says what was found and what was expected.
	Detail string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v at offset %d: %s", e.Kind, e.Offset, e.Detail)
}

// Unwrap returns Kind, for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, off int, format string, args ...any) *Error {
	return &Error{Offset: off, Kind: kind, Detail: fmt.Sprintf(format, args...)}
}
