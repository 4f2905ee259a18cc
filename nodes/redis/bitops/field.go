package bitops

import "encoding/binary"

// Overflow is a BITFIELD overflow policy, set by OVERFLOW for the
// sub-commands after it.
type Overflow uint8

// The overflow policies, BFOVERFLOW_*. WRAP is the default.
const (
	OverflowWrap Overflow = iota
	OverflowSat
	OverflowFail
)

// window loads the nine bytes of p from byte i on, zero-padded past its
// end: enough to hold any field of up to 64 bits that starts in byte i.
func window(p []byte, i uint64) (w [9]byte) {
	if i < uint64(len(p)) {
		copy(w[:], p[i:])
	}
	return w
}

// getUnsigned is getUnsignedBitfield over a zero-padded p: the bits-wide
// field at bit offset, bit 0 being the most significant bit of p[0].
func getUnsigned(p []byte, offset uint64, bits uint) uint64 {
	w := window(p, offset>>3)
	shift := uint(offset & 7)
	v := binary.BigEndian.Uint64(w[:8])<<shift | uint64(w[8])>>(8-shift)
	return v >> (64 - bits)
}

// getSigned is getSignedBitfield: the field sign-extended from its top bit.
func getSigned(p []byte, offset uint64, bits uint) int64 {
	v := getUnsigned(p, offset, bits)
	if bits < 64 && v&(1<<(bits-1)) != 0 {
		v |= ^uint64(0) << bits
	}
	return int64(v)
}

// setField is setUnsignedBitfield: it writes the low bits of value into
// the field at bit offset, which must lie within p.
func setField(p []byte, offset uint64, bits uint, value uint64) {
	i := offset >> 3
	w := window(p, i)
	shift := uint(offset & 7)
	hi := binary.BigEndian.Uint64(w[:8])
	lo := w[8]
	value &= ones(bits)
	// The field's first n1 bits lie in hi, after shift bits; the other n2
	// (at most 7, and only when shift > 0) start lo.
	n1 := min(bits, 64-shift)
	n2 := bits - n1
	at := 64 - shift - n1
	hi = hi&^(ones(n1)<<at) | (value>>n2)<<at
	if n2 > 0 {
		lo = lo&^byte(ones(n2)<<(8-n2)) | byte(value&ones(n2))<<(8-n2)
	}
	binary.BigEndian.PutUint64(w[:8], hi)
	w[8] = lo
	n := (shift + bits + 7) / 8 // the bytes the field touches
	copy(p[i:i+uint64(n)], w[:n])
}

// ones is a mask of the n low bits, n up to 64.
func ones(n uint) uint64 { return 1<<n - 1 }

// checkUnsignedOverflow is checkUnsignedBitfieldOverflow: whether value
// plus incr leaves the range of a bits-wide unsigned field (1 above, -1
// below, 0 within) and the value the policy stores instead: the result
// wrapped, or the bound for SAT (nothing is stored for FAIL). A value
// already out of range (a SET) counts as above, whatever its sign.
func checkUnsignedOverflow(value uint64, incr int64, bits uint, ow Overflow) (uint64, int) {
	maxv := ones(bits)
	maxincr := int64(maxv - value)
	minincr := -int64(value)
	if value > maxv || (incr > 0 && incr > maxincr) {
		switch ow {
		case OverflowWrap:
			return (value + uint64(incr)) & maxv, 1
		case OverflowSat:
			return maxv, 1
		}
		return 0, 1
	}
	if incr < 0 && incr < minincr {
		switch ow {
		case OverflowWrap:
			return (value + uint64(incr)) & maxv, 1
		case OverflowSat:
			return 0, -1
		}
		return 0, -1
	}
	return 0, 0
}

// checkSignedOverflow is checkSignedBitfieldOverflow, with its arithmetic
// wrapping as on x86-64: maxincr is computed modulo 2^64, so a SET of a
// value far below the field's range (below max-2^63+1, which for an i63
// is anything under -2^62) takes the first branch, and SAT stores the
// maximum, not the minimum.
func checkSignedOverflow(value, incr int64, bits uint, ow Overflow) (int64, int) {
	maxv := int64(ones(bits - 1))
	minv := -maxv - 1
	maxincr := int64(uint64(maxv) - uint64(value))
	minincr := minv - value
	if value > maxv || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
		switch ow {
		case OverflowWrap:
			return wrapSigned(value, incr, bits), 1
		case OverflowSat:
			return maxv, 1
		}
		return 0, 1
	}
	if value < minv || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
		switch ow {
		case OverflowWrap:
			return wrapSigned(value, incr, bits), 1
		case OverflowSat:
			return minv, -1
		}
		return 0, -1
	}
	return 0, 0
}

// wrapSigned adds as unsigned and sign-extends from the field's top bit.
func wrapSigned(value, incr int64, bits uint) int64 {
	c := uint64(value) + uint64(incr)
	if bits < 64 {
		mask := ^uint64(0) << bits
		if c&(1<<(bits-1)) != 0 {
			c |= mask
		} else {
			c &^= mask
		}
	}
	return int64(c)
}
