package rdb

import (
	"errors"
	"fmt"
)

// Every error of a Reader wraps exactly one of these; test with errors.Is.
var (
	// ErrTruncated: the file ends early (a crash during a save, a short
	// transfer). The bytes present are consistent; some are missing.
	ErrTruncated = errors.New("rdb: truncated")
	// ErrChecksum: the file is complete but its bytes are not the ones
	// written (bit rot, a torn or misdirected write).
	ErrChecksum = errors.New("rdb: wrong checksum")
	// ErrFormat: the bytes are not a valid file of this format: wrong
	// magic, an unknown record, a count or length that does not fit.
	ErrFormat = errors.New("rdb: malformed")
	// ErrVersion: a valid header of a version this build cannot read.
	ErrVersion = errors.New("rdb: unsupported version")
)

// Error is the error type of a Reader: what went wrong and where.
type Error struct {
	// Offset is the byte offset in the file of the problem.
	Offset int
	// Kind is ErrTruncated, ErrChecksum, ErrFormat or ErrVersion.
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
