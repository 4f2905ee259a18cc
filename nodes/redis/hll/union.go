package hll

// Union is the "raw" HLL that PFCOUNT of several keys and PFMERGE build
// (HLL_RAW, one byte per register): the register-wise maximum of the
// values merged into it. The zero Union is empty and ready to use; it is
// 16 KiB, so keep one rather than copying it.
type Union struct {
	regs [Registers]uint8
	// dense records that a dense value was merged, which makes PFMERGE
	// convert its destination to dense.
	dense bool
}

// Reset empties u for reuse.
func (u *Union) Reset() { *u = Union{} }

// Merge is isHLLObjectOrReply followed by hllMerge for one existing key:
// ErrWrongType or ErrInvalid stop the command with that reply.
func (u *Union) Merge(h []byte) error {
	if err := Check(h); err != nil {
		return err
	}
	if h[4] == encDense {
		u.dense = true
		denseMax(&u.regs, h[hdrSize:])
		return nil
	}
	_, ok := sparseRuns(h, func(first, n int, v uint8) {
		for i := first; i < first+n; i++ {
			if v > u.regs[i] {
				u.regs[i] = v
			}
		}
	})
	if !ok {
		return ErrInvalid
	}
	return nil
}

// Count is the reply of PFCOUNT with several keys: the estimate for the
// union, as a signed integer (see Count).
func (u *Union) Count() int64 {
	// hllRawRegHisto, with four histograms as in denseHisto.
	var h [4][64]int32
	for i := 0; i < len(u.regs); i += 4 {
		h[0][u.regs[i]&63]++
		h[1][u.regs[i+1]&63]++
		h[2][u.regs[i+2]&63]++
		h[3][u.regs[i+3]&63]++
	}
	var histo [64]int
	for v := range histo {
		histo[v] = int(h[0][v] + h[1][v] + h[2][v] + h[3][v])
	}
	return int64(estimate(&histo))
}

// Store is the end of PFMERGE: it writes the union into the destination's
// value dest (nil when the key does not exist, which creates it as
// New does) and returns the value to store. The destination must have been
// merged into u already, as PFMERGE's first source. It becomes dense if
// any merged value was dense; otherwise it stays sparse unless the
// registers make hllSparseSet promote it (a value over 32 or
// sparseMaxBytes exceeded). The cached cardinality is marked stale.
func (u *Union) Store(dest []byte, sparseMaxBytes int) ([]byte, error) {
	h := dest
	if h == nil {
		h = New()
	} else if err := Check(h); err != nil {
		return h, err // not reached when dest was merged first
	}
	if u.dense && h[4] == encSparse {
		d, ok := sparseToDense(h)
		if !ok {
			return h, ErrInvalid
		}
		h = d
	}
	for j, v := range u.regs {
		if v == 0 {
			continue
		}
		if h[4] == encDense {
			denseSet(h[hdrSize:], j, v)
		} else {
			// Redis ignores a failure here: the register stays as it was.
			h, _ = sparseSet(h, j, v, sparseMaxBytes)
		}
	}
	invalidate(h)
	return h, nil
}
