package bitops

import (
	"bytes"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/nodes/rnum"
)

// BITFIELD's own error replies.
const (
	ErrBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	ErrOverflowType = "ERR Invalid OVERFLOW type specified"
	ErrBitfieldRO   = "ERR BITFIELD_RO only supports the GET subcommand"
)

type fieldOpcode uint8

const (
	fieldGet fieldOpcode = iota
	fieldSet
	fieldIncrBy
)

// fieldOp is struct bitfieldOp: one GET, SET or INCRBY.
type fieldOp struct {
	offset   uint64
	value    int64 // SET's value or INCRBY's increment
	opcode   fieldOpcode
	overflow Overflow // the policy in force where the op was written
	bits     uint8
	signed   bool
}

// Bitfield is a parsed BITFIELD or BITFIELD_RO: its operations in order.
type Bitfield struct {
	ops []fieldOp
	// writes is set when some op is a SET or an INCRBY; highest is then
	// the last bit any of them touches.
	writes  bool
	highest uint64
}

// ParseBitfield parses BITFIELD key [GET type offset] [SET type offset
// value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
// before the key is looked up, reporting the first error in argument
// order: an unknown or short sub-command is a syntax error, a type is i1
// to i64 or u1 to u63, an offset is a bit offset or #n for n times the
// type's width, checked against maxBulkLen as ParseOffset. readOnly is
// BITFIELD_RO, which refuses SET and INCRBY once everything has parsed.
func ParseBitfield(argv [][]byte, maxBulkLen int64, readOnly bool) (Bitfield, string) {
	var b Bitfield
	ow := OverflowWrap
	for j := 2; j < len(argv); j++ {
		remargs := len(argv) - j - 1
		sub := argv[j]
		var opcode fieldOpcode
		switch {
		case keyword(sub, "get") && remargs >= 2:
			opcode = fieldGet
		case keyword(sub, "set") && remargs >= 3:
			opcode = fieldSet
		case keyword(sub, "incrby") && remargs >= 3:
			opcode = fieldIncrBy
		case keyword(sub, "overflow") && remargs >= 1:
			j++
			switch name := argv[j]; {
			case keyword(name, "wrap"):
				ow = OverflowWrap
			case keyword(name, "sat"):
				ow = OverflowSat
			case keyword(name, "fail"):
				ow = OverflowFail
			default:
				return Bitfield{}, ErrOverflowType
			}
			continue
		default:
			return Bitfield{}, ErrSyntax
		}
		signed, bits, e := parseFieldType(argv[j+1])
		if e != "" {
			return Bitfield{}, e
		}
		off, e := parseOffset(argv[j+2], maxBulkLen, int(bits))
		if e != "" {
			return Bitfield{}, e
		}
		var v int64
		if opcode != fieldGet {
			b.writes = true
			b.highest = max(b.highest, off+uint64(bits)-1)
			if v, e = parseInt(argv[j+3]); e != "" {
				return Bitfield{}, e
			}
		}
		if b.ops == nil {
			b.ops = make([]fieldOp, 0, (len(argv)-j+2)/3)
		}
		b.ops = append(b.ops, fieldOp{offset: off, value: v, opcode: opcode, overflow: ow, bits: bits, signed: signed})
		j += 3
		if opcode == fieldGet {
			j--
		}
	}
	if b.writes && readOnly {
		return Bitfield{}, ErrBitfieldRO
	}
	return b, ""
}

// parseFieldType is getBitfieldTypeFromArgument: 'i' or 'u' then the
// width, read as a C string (strlen), so that "u8\x00junk" is u8.
func parseFieldType(arg []byte) (signed bool, bits uint8, e string) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, ErrBitfieldType
	}
	signed = arg[0] == 'i'
	digits := arg[1:]
	if i := bytes.IndexByte(digits, 0); i >= 0 {
		digits = digits[:i]
	}
	n, ok := rnum.ParseInt(digits)
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, ErrBitfieldType
	}
	return signed, uint8(n), ""
}

// Writes reports whether some operation is a SET or an INCRBY. Redis then
// looks the key up with lookupKeyWrite and creates or grows the string
// before running any operation; otherwise it uses lookupKeyRead and a
// missing key reads as zeros. Either way a key of another type is
// WRONGTYPE, replied instead of calling Apply.
func (b Bitfield) Writes() bool { return b.writes }

// FieldReply is one element of BITFIELD's reply: an integer, or a nil for
// a SET or INCRBY that OVERFLOW FAIL refused.
type FieldReply struct {
	Value int64
	Nil   bool
}

// BitfieldResult is what BITFIELD did.
type BitfieldResult struct {
	// Replies holds one element per GET, SET and INCRBY, in order.
	Replies []FieldReply
	// Value is the string after the command. When Writes, the node stores
	// it under the key, even if every write failed: Redis creates a
	// missing key and zero-pads the string to the highest bit any SET or
	// INCRBY addresses before running them. Otherwise it is val unchanged.
	Value []byte
	// Changes is what Redis adds to server.dirty; when it is not zero
	// Redis also signals the key modified and fires "setbit". An
	// operation counts when it wrote and either the string was created or
	// grew, or the field's value changed.
	Changes int
}

// Apply runs the parsed operations on the string val at the key (exists
// false for a missing key), after the lookup that Writes calls for.
func (b Bitfield) Apply(val []byte, exists bool) BitfieldResult {
	dirty := false
	if b.writes {
		val, dirty = growForBit(val, exists, b.highest)
	}
	res := BitfieldResult{Replies: make([]FieldReply, len(b.ops))}
	for k, op := range b.ops {
		bits := uint(op.bits)
		if op.opcode == fieldGet {
			if op.signed {
				res.Replies[k].Value = getSigned(val, op.offset, bits)
			} else {
				res.Replies[k].Value = int64(getUnsigned(val, op.offset, bits))
			}
			continue
		}
		var written, changed bool
		if op.signed {
			written, changed = applySigned(val, op, &res.Replies[k])
		} else {
			written, changed = applyUnsigned(val, op, &res.Replies[k])
		}
		if written && (dirty || changed) {
			res.Changes++
		}
	}
	res.Value = val
	return res
}

// applySigned runs a SET or INCRBY on a signed field, setting its reply,
// and reports whether it wrote and whether the field's value changed.
func applySigned(p []byte, op fieldOp, r *FieldReply) (written, changed bool) {
	bits := uint(op.bits)
	oldv := getSigned(p, op.offset, bits)
	var newv, ret int64
	var overflow int
	if op.opcode == fieldIncrBy {
		var wrapped int64
		wrapped, overflow = checkSignedOverflow(oldv, op.value, bits, op.overflow)
		newv = oldv + op.value
		if overflow != 0 {
			newv = wrapped
		}
		ret = newv
	} else {
		var wrapped int64
		newv = op.value
		wrapped, overflow = checkSignedOverflow(newv, 0, bits, op.overflow)
		if overflow != 0 {
			newv = wrapped
		}
		ret = oldv
	}
	if overflow != 0 && op.overflow == OverflowFail {
		r.Nil = true
		return false, false
	}
	r.Value = ret
	setField(p, op.offset, bits, uint64(newv))
	return true, oldv != newv
}

// applyUnsigned is applySigned for an unsigned field.
func applyUnsigned(p []byte, op fieldOp, r *FieldReply) (written, changed bool) {
	bits := uint(op.bits)
	oldv := getUnsigned(p, op.offset, bits)
	var newv, ret uint64
	var overflow int
	if op.opcode == fieldIncrBy {
		var wrapped uint64
		newv = oldv + uint64(op.value)
		wrapped, overflow = checkUnsignedOverflow(oldv, op.value, bits, op.overflow)
		if overflow != 0 {
			newv = wrapped
		}
		ret = newv
	} else {
		var wrapped uint64
		newv = uint64(op.value)
		wrapped, overflow = checkUnsignedOverflow(newv, 0, bits, op.overflow)
		if overflow != 0 {
			newv = wrapped
		}
		ret = oldv
	}
	if overflow != 0 && op.overflow == OverflowFail {
		r.Nil = true
		return false, false
	}
	r.Value = int64(ret)
	setField(p, op.offset, bits, newv)
	return true, oldv != newv
}

// WriteReply writes BITFIELD's reply: an array of integers and nulls.
func (r BitfieldResult) WriteReply(w *resp.Writer) {
	w.WriteArrayLen(len(r.Replies))
	for _, f := range r.Replies {
		if f.Nil {
			w.WriteNull()
		} else {
			w.WriteInt(f.Value)
		}
	}
}
