package bitops

import "encoding/binary"

// ErrBitOpNot is BITOP NOT's reply to other than one source key.
const ErrBitOpNot = "ERR BITOP NOT must be called with a single source key."

// Op is a BITOP operation.
type Op uint8

// The BITOP operations.
const (
	OpAnd Op = iota
	OpOr
	OpXor
	OpNot
)

// ParseBitOp parses BITOP op destkey srckey... before any key is looked
// up: the operation (a syntax error if unknown) and, for NOT, the single
// source key.
func ParseBitOp(argv [][]byte) (Op, string) {
	var op Op
	switch name := argv[1]; {
	case keyword(name, "and"):
		op = OpAnd
	case keyword(name, "or"):
		op = OpOr
	case keyword(name, "xor"):
		op = OpXor
	case keyword(name, "not"):
		op = OpNot
	default:
		return 0, ErrSyntax
	}
	if op == OpNot && len(argv) != 4 {
		return 0, ErrBitOpNot
	}
	return op, ""
}

// BitOp computes BITOP over the source strings, in argument order, once
// the node has looked each up (nil for a missing key, which counts as an
// empty string; a key of another type is WRONGTYPE and stops the command
// at that key). Shorter strings are zero-padded to the longest, whose
// length is the result's and the reply. An empty result means Redis
// deletes the destination key instead of storing it (and, if one was
// deleted, signals it and fires "del"); otherwise the node stores it with
// setKey and fires "set".
func BitOp(op Op, srcs [][]byte) []byte {
	maxlen := 0
	for _, s := range srcs {
		maxlen = max(maxlen, len(s))
	}
	if maxlen == 0 {
		return nil
	}
	res := make([]byte, maxlen)
	copy(res, srcs[0])
	if op == OpNot {
		not(res)
		return res
	}
	for _, s := range srcs[1:] {
		if op == OpAnd {
			// Past its end a source is zeros, which clear the rest.
			clear(res[len(s):])
		}
		combine(op, res, s)
	}
	return res
}

// not inverts p, a word at a time.
func not(p []byte) {
	n := len(p) &^ 7
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(p[i:], ^binary.LittleEndian.Uint64(p[i:]))
	}
	for i := n; i < len(p); i++ {
		p[i] = ^p[i]
	}
}

// combine applies AND, OR or XOR of src to the first len(src) bytes of
// dst, a word at a time.
func combine(op Op, dst, src []byte) {
	n := len(src) &^ 7
	dst = dst[:len(src)]
	switch op {
	case OpAnd:
		for i := 0; i < n; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(dst[i:])&binary.LittleEndian.Uint64(src[i:]))
		}
		for i := n; i < len(src); i++ {
			dst[i] &= src[i]
		}
	case OpOr:
		for i := 0; i < n; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(dst[i:])|binary.LittleEndian.Uint64(src[i:]))
		}
		for i := n; i < len(src); i++ {
			dst[i] |= src[i]
		}
	case OpXor:
		for i := 0; i < n; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(dst[i:])^binary.LittleEndian.Uint64(src[i:]))
		}
		for i := n; i < len(src); i++ {
			dst[i] ^= src[i]
		}
	}
}
