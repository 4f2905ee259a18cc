package bitops

import "github.com/redsim/redsim/nodes/rnum"

// SetBitArgs is a parsed SETBIT: the bit to write and its new value.
type SetBitArgs struct {
	Offset uint64
	On     bool
}

// SetBitResult is what SETBIT did.
type SetBitResult struct {
	// Value is the string to store under the key: val grown with zero
	// bytes to reach the offset (in place when it had room) and with the
	// bit written.
	Value []byte
	// Old is the reply, the bit's previous value (0 for a new key).
	Old int64
	// Modified is Redis's condition for signalModifiedKey, the "setbit"
	// keyspace event and server.dirty++: the key was created, the string
	// grew, or the bit flipped. Setting a bit to its value in a string
	// long enough changes nothing.
	Modified bool
}

// ParseSetBit parses SETBIT key offset value (argv as the node passes it)
// before the key is looked up: the offset as ParseOffset, then the value,
// which must be the integer 0 or 1.
func ParseSetBit(argv [][]byte, maxBulkLen int64) (SetBitArgs, string) {
	off, e := ParseOffset(argv[2], maxBulkLen)
	if e != "" {
		return SetBitArgs{}, e
	}
	on, ok := rnum.ParseInt(argv[3])
	if !ok || on&^1 != 0 {
		return SetBitArgs{}, ErrBitValue
	}
	return SetBitArgs{Offset: off, On: on == 1}, ""
}

// SetBit runs a parsed SETBIT on the string val found by lookupKeyWrite;
// exists is false when there was no key (val is then ignored and a new
// string is made).
func SetBit(val []byte, exists bool, a SetBitArgs) SetBitResult {
	val, dirty := growForBit(val, exists, a.Offset)
	byteIdx := a.Offset >> 3
	shift := 7 - a.Offset&7
	old := int64(val[byteIdx]>>shift) & 1
	on := int64(0)
	if a.On {
		on = 1
	}
	modified := dirty || old != on
	if modified {
		val[byteIdx] = val[byteIdx]&^(1<<shift) | byte(on)<<shift
	}
	return SetBitResult{Value: val, Old: old, Modified: modified}
}

// growForBit is lookupStringForBitCommand after its lookup: it makes the
// string long enough to address bit maxbit, creating it for a missing key,
// and reports whether the key was created or the string grew.
func growForBit(val []byte, exists bool, maxbit uint64) ([]byte, bool) {
	need := int(maxbit>>3) + 1
	if !exists {
		return make([]byte, need), true
	}
	if len(val) >= need {
		return val, false
	}
	// append of a make is compiled into a zeroing grow, with no temporary.
	return append(val, make([]byte, need-len(val))...), true
}

// ParseGetBit parses GETBIT key offset before the key is looked up.
func ParseGetBit(argv [][]byte, maxBulkLen int64) (uint64, string) {
	return ParseOffset(argv[2], maxBulkLen)
}

// GetBit is GETBIT's reply for the string val (nil for a missing key):
// bits past the end are 0.
func GetBit(val []byte, offset uint64) int64 {
	byteIdx := offset >> 3
	if byteIdx >= uint64(len(val)) {
		return 0
	}
	return int64(val[byteIdx]>>(7-offset&7)) & 1
}
