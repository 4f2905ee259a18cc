package rdbfile

import "math"

// Intsets (src/intset.c): encoding (the width in bytes, 2, 4 or 8) and
// length as uint32 little-endian, then the values ascending, each in that
// width, little-endian. Redis widens an intset when a member needs it and
// never narrows it, so the width is not always the smallest that fits.

// intsetMinWidth is the smallest width that holds every value of vs.
func intsetMinWidth(vs []int64) int {
	w := 2
	for _, v := range vs {
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			return 8
		case v < math.MinInt16 || v > math.MaxInt16:
			w = 4
		}
	}
	return w
}

// appendIntset appends the intset of the ascending values vs at width w.
func appendIntset(dst []byte, vs []int64, w int) []byte {
	dst = append(dst, byte(w), 0, 0, 0)
	n := uint32(len(vs))
	dst = append(dst, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	for _, v := range vs {
		u := uint64(v)
		for i := range w {
			dst = append(dst, byte(u>>(8*i)))
		}
	}
	return dst
}

// decodeIntset validates is as intsetValidateIntegrity(deep=1) does and
// returns its values and width, or a description of the problem.
func decodeIntset(is []byte) ([]int64, int, string) {
	if len(is) < 8 {
		return nil, 0, "intset shorter than its 8-byte header"
	}
	w := int(uint32(is[0]) | uint32(is[1])<<8 | uint32(is[2])<<16 | uint32(is[3])<<24)
	if w != 2 && w != 4 && w != 8 {
		return nil, 0, "intset encoding is not 2, 4 or 8"
	}
	n := uint64(uint32(is[4]) | uint32(is[5])<<8 | uint32(is[6])<<16 | uint32(is[7])<<24)
	if 8+n*uint64(w) != uint64(len(is)) {
		return nil, 0, "intset length does not match its size"
	}
	if n == 0 {
		return nil, 0, "empty intset"
	}
	vs := make([]int64, n)
	for i := range vs {
		var u uint64
		p := 8 + i*w
		for k := w - 1; k >= 0; k-- {
			u = u<<8 | uint64(is[p+k])
		}
		vs[i] = signExtend(u, uint(8*w))
		if i > 0 && vs[i] <= vs[i-1] {
			return nil, 0, "intset values out of order or duplicated"
		}
	}
	return vs, w, ""
}
