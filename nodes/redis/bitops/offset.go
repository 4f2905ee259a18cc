package bitops

import (
	"bytes"

	"github.com/redsim/redsim/nodes/rnum"
)

// Error replies shared by several commands, as Redis 7.0.15 writes them.
const (
	// ErrSyntax is shared.syntaxerr.
	ErrSyntax = "ERR syntax error"
	// ErrNotInt is getLongLongFromObjectOrReply's reply without a message
	// of its own: ranges, BITPOS's bit, BITFIELD values, MINMATCHLEN.
	ErrNotInt = "ERR value is not an integer or out of range"
	// ErrBitOffset is getBitOffsetFromArgument's reply: not an integer,
	// negative, or past proto-max-bulk-len bytes.
	ErrBitOffset = "ERR bit offset is not an integer or out of range"
	// ErrBitValue is SETBIT's reply to a value other than 0 or 1.
	ErrBitValue = "ERR bit is not an integer or out of range"
)

// DefaultMaxBulkLen is proto-max-bulk-len's default, 512 MB: the limit
// that bit offsets are checked against.
const DefaultMaxBulkLen = 512 << 20

// ParseOffset parses a SETBIT or GETBIT bit offset as
// getBitOffsetFromArgument does: a strict decimal integer (string2ll), not
// negative, whose byte (offset/8) is below maxBulkLen, the node's
// proto-max-bulk-len. Redis skips the size check for the clients it must
// obey (its master, AOF loading); the node passes math.MaxInt64 for them,
// and then owns the consequence that a huge offset allocates a huge string.
func ParseOffset(arg []byte, maxBulkLen int64) (uint64, string) {
	return parseOffset(arg, maxBulkLen, 0)
}

// parseOffset is getBitOffsetFromArgument. With bits > 0 (BITFIELD) an
// offset written "#n" means n*bits; the multiplication wraps as C's does on
// x86-64, so "#4611686018427387904" for a u4 is offset 0.
func parseOffset(arg []byte, maxBulkLen int64, bits int) (uint64, string) {
	usehash := bits > 0 && len(arg) > 0 && arg[0] == '#'
	if usehash {
		arg = arg[1:]
	}
	off, ok := rnum.ParseInt(arg)
	if !ok {
		return 0, ErrBitOffset
	}
	if usehash {
		off *= int64(bits)
	}
	if off < 0 || off>>3 >= maxBulkLen {
		return 0, ErrBitOffset
	}
	return uint64(off), ""
}

// parseInt is getLongLongFromObjectOrReply with no message of its own.
func parseInt(arg []byte) (int64, string) {
	v, ok := rnum.ParseInt(arg)
	if !ok {
		return 0, ErrNotInt
	}
	return v, ""
}

// keyword reports whether arg equals the lower-case keyword kw as Redis's
// strcasecmp sees them: as C strings, so arg ends at its first NUL byte and
// "get\x00anything" is "get".
func keyword(arg []byte, kw string) bool {
	if i := bytes.IndexByte(arg, 0); i >= 0 {
		arg = arg[:i]
	}
	if len(arg) != len(kw) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}
