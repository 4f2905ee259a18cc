package hll

// The sparse encoding is a run-length code over the registers, in order:
//
//	ZERO  00xxxxxx           1 to 64 registers at 0
//	XZERO 01xxxxxx yyyyyyyy  1 to 16384 registers at 0 (14-bit length - 1)
//	VAL   1vvvvvxx           1 to 4 registers at 1 to 32
//
// A valid body covers exactly Registers registers.

const (
	sparseValMax     = 32   // HLL_SPARSE_VAL_MAX_VALUE
	sparseValMaxLen  = 4    // HLL_SPARSE_VAL_MAX_LEN
	sparseZeroMaxLen = 64   // HLL_SPARSE_ZERO_MAX_LEN
	xzeroBit         = 0x40 // HLL_SPARSE_XZERO_BIT
	valBit           = 0x80 // HLL_SPARSE_VAL_BIT
	opMask           = 0xc0 // the two bits that tell the opcodes apart
	zeroLenMask      = 0x3f // ZERO's length and XZERO's high bits
	valLenMask       = 0x03 // VAL's length
	valValueMask     = 0x1f // VAL's value, after shifting by 2
)

func isZero(b byte) bool  { return b&opMask == 0 }
func isXZero(b byte) bool { return b&opMask == xzeroBit }
func isVal(b byte) bool   { return b&valBit != 0 }

func zeroLen(b byte) int    { return int(b&zeroLenMask) + 1 }
func valLen(b byte) int     { return int(b&valLenMask) + 1 }
func valValue(b byte) uint8 { return (b>>2)&valValueMask + 1 }

// xzeroLen reads the XZERO opcode at h[p]. An opcode cut short by the end
// of the value takes its low byte from the sds terminator: zero.
func xzeroLen(h []byte, p int) int {
	lo := 0
	if p+1 < len(h) {
		lo = int(h[p+1])
	}
	return (int(h[p]&zeroLenMask)<<8 | lo) + 1
}

// valOp is HLL_SPARSE_VAL_SET: v in 1..32, n in 1..4.
func valOp(v uint8, n int) byte { return byte(int(v-1)<<2|(n-1)) | valBit }

// putXZero is HLL_SPARSE_XZERO_SET: n in 1..16384.
func putXZero(dst []byte, n int) {
	l := n - 1
	dst[0] = byte(l>>8) | xzeroBit
	dst[1] = byte(l)
}

// putZeros appends the opcode that Redis uses for a zero run of n when it
// splits one: ZERO up to 64, XZERO beyond.
func putZeros(seq []byte, n int) []byte {
	if n > sparseZeroMaxLen {
		var x [2]byte
		putXZero(x[:], n)
		return append(seq, x[0], x[1])
	}
	return append(seq, byte(n-1))
}

// sparseRuns walks a sparse value's opcodes as hllSparseRegHisto,
// hllMerge and hllSparseToDense do, calling val for each VAL run (first
// register, length, value), and returns the number of zero registers. ok
// is false when the runs do not cover exactly Registers registers; an
// opcode that would run past the last register stops the walk (the
// CVE-2025-32023 bound) and val has then been called for the runs before.
func sparseRuns(h []byte, val func(first, n int, v uint8)) (zeros int, ok bool) {
	idx := 0
	for p := hdrSize; p < len(h); {
		b := h[p]
		var n int
		switch {
		case isZero(b):
			n = zeroLen(b)
			p++
		case isXZero(b):
			n = xzeroLen(h, p)
			p += 2
		default:
			n = valLen(b)
			p++
		}
		if idx+n > Registers {
			return zeros, false
		}
		if isVal(b) {
			val(idx, n, valValue(b))
		} else {
			zeros += n
		}
		idx += n
	}
	return zeros, idx == Registers
}

// sparseHisto is hllSparseRegHisto.
func sparseHisto(h []byte, histo *[64]int) bool {
	zeros, ok := sparseRuns(h, func(_, n int, v uint8) { histo[v] += n })
	histo[0] += zeros
	return ok
}

// sparseToDense is hllSparseToDense: the dense value with the same
// header bytes (magic, unused bytes, cached cardinality), or false for an
// invalid body, in which case h is left as it was.
func sparseToDense(h []byte) ([]byte, bool) {
	if h[4] == encDense {
		return h, true
	}
	d := make([]byte, denseSize)
	copy(d, h[:hdrSize])
	d[4] = encDense
	regs := d[hdrSize:]
	_, ok := sparseRuns(h, func(first, n int, v uint8) {
		for i := first; i < first+n; i++ {
			densePut(regs, i, v)
		}
	})
	if !ok {
		return h, false
	}
	return d, true
}

// sparseSet is hllSparseSet: it raises register index to count in the
// sparse value h and returns the value (grown, shrunk or promoted to
// dense) and 1 if the register changed, 0 if not, -1 if h is invalid where
// the update needed it. Promotion happens when count exceeds 32 or the
// update would make the value longer than sparseMaxBytes.
func sparseSet(h []byte, index int, count uint8, sparseMaxBytes int) ([]byte, int) {
	if count > sparseValMax {
		return promote(h, index, count)
	}

	// Step 1: find the opcode that covers index.
	end := len(h)
	p, prev := hdrSize, -1
	first, span := 0, 0
	for p < end {
		oplen := 1
		b := h[p]
		if isZero(b) {
			span = zeroLen(b)
		} else if isVal(b) {
			span = valLen(b)
		} else {
			span = xzeroLen(h, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return h, -1
	}
	b := h[p]
	oplen := 1
	if isXZero(b) {
		oplen = 2
	}
	hasNext := p+oplen < end

	// Step 2: the cases that rewrite one byte in place.
	if isVal(b) {
		if valValue(b) >= count {
			return h, 0
		}
		if valLen(b) == 1 {
			h[p] = valOp(count, 1)
			return sparseCompact(h, prev), 1
		}
	}
	if isZero(b) && zeroLen(b) == 1 {
		h[p] = valOp(count, 1)
		return sparseCompact(h, prev), 1
	}

	// Otherwise split the opcode into up to three: the run before index,
	// index itself, the run after.
	var buf [5]byte
	seq := buf[:0]
	last := first + span - 1
	if !isVal(b) {
		if index != first {
			seq = putZeros(seq, index-first)
		}
		seq = append(seq, valOp(count, 1))
		if index != last {
			seq = putZeros(seq, last-index)
		}
	} else {
		cur := valValue(b)
		if index != first {
			seq = append(seq, valOp(cur, index-first))
		}
		seq = append(seq, valOp(count, 1))
		if index != last {
			seq = append(seq, valOp(cur, last-index))
		}
	}

	// Step 3: put the sequence in place of the opcode.
	delta := len(seq) - oplen
	if delta > 0 && len(h)+delta > sparseMaxBytes {
		return promote(h, index, count)
	}
	newLen := len(h) + delta
	if hasNext {
		if delta > 0 {
			h = append(h, seq[:delta]...) // room; overwritten below
		}
		copy(h[p+len(seq):], h[p+oplen:end])
		copy(h[p:], seq)
		h = h[:newLen]
	} else {
		// The opcode was the last one. When it was an XZERO cut short by
		// the end of the value, Redis writes the sequence's last byte over
		// the sds terminator, where it is not part of the value.
		h = append(h[:p], seq...)[:newLen]
	}
	return sparseCompact(h, prev), 1
}

// sparseCompact is step 4 of hllSparseSet and its epilogue: starting at
// the opcode before the updated one, it merges adjacent VAL opcodes of
// equal value while the run fits one opcode, looking at no more than five
// opcodes, then marks the cached cardinality stale.
func sparseCompact(h []byte, prev int) []byte {
	p := prev
	if p < 0 {
		p = hdrSize
	}
	for scan := 5; p < len(h) && scan > 0; scan-- {
		b := h[p]
		if isXZero(b) {
			p += 2
			continue
		}
		if isZero(b) {
			p++
			continue
		}
		if p+1 < len(h) && isVal(h[p+1]) {
			if v := valValue(b); v == valValue(h[p+1]) {
				if n := valLen(b) + valLen(h[p+1]); n <= sparseValMaxLen {
					h[p+1] = valOp(v, n)
					copy(h[p:], h[p+1:])
					h = h[:len(h)-1]
					continue // try the merged opcode with the next one
				}
			}
		}
		p++
	}
	invalidate(h)
	return h
}

// promote is hllSparseSet's promote label: convert to dense, then set the
// register, which is then certain to change. -1 if h is invalid.
func promote(h []byte, index int, count uint8) ([]byte, int) {
	d, ok := sparseToDense(h)
	if !ok {
		return h, -1
	}
	denseSet(d[hdrSize:], index, count)
	return d, 1
}
