package rnum

import (
	"math"
	"strconv"
)

func (v binValue) float64(neg bool) float64 {
	var u uint64
	switch {
	case v.inf:
		u = 0x7ff << 52
	case v.mant >= 1<<52:
		u = uint64(v.exp+1075)<<52 | v.mant&(1<<52-1)
	default:
		u = v.mant // subnormal or zero: exp is -1074
	}
	if neg {
		u |= 1 << 63
	}
	return math.Float64frombits(u)
}

// ParseFloatPrefix behaves like glibc strtod on b in the C locale: it skips
// leading C whitespace, converts the longest valid prefix and returns the
// value and the number of bytes consumed (0 when nothing converts, in which
// case v is 0). rangeErr is set exactly when strtod would set ERANGE and
// return +-HUGE_VAL or zero, the only ERANGE outcomes Redis rejects; inputs
// that merely become subnormal are not flagged. Because Redis hands strtod
// NUL-terminated buffers, a NUL byte in b simply ends the conversion.
func ParseFloatPrefix(b []byte) (v float64, n int, rangeErr bool) {
	s := scanNumber(b)
	switch s.kind {
	case kindNone:
		return 0, 0, false
	case kindInf:
		return math.Inf(sign(s.neg)), s.end, false
	case kindNaN:
		return math.NaN(), s.end, false
	}
	bv, zeroed := convert(fmt64, s)
	return bv.float64(s.neg), s.end, zeroed || bv.inf
}

func sign(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

// ParseFloat reports the value of b as Redis's string2d accepts it for ZADD
// and ZINCRBY scores (and every other getDoubleFromObject caller): the whole
// of b must be a strtod number with no leading whitespace; "inf", "+inf",
// "-Infinity" and hex floats are accepted; NaN, overflow to infinity and
// nonzero values that underflow to zero are rejected. -0 is returned as
// negative zero, as Redis stores it.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, rangeErr := ParseFloatPrefix(b)
	if n != len(b) || rangeErr || v != v {
		return 0, false
	}
	return v, true
}

// AppendScore appends d as Redis 7.0's addReplyDouble prints it: "inf" and
// "-inf" for infinities, otherwise printf's "%.17g" (so 0.1 is
// "0.10000000000000001", 1e20 is "1e+20", -0 is "-0"). This is the format of
// ZSCORE, ZMSCORE, ZINCRBY, ZADD INCR and WITHSCORES replies in 7.0; Redis
// 7.2 replaced it with a shortest round-trip form, which the simulated 7.0.15
// node must not use. NaN, which Redis never stores, is printed as "nan".
func AppendScore(dst []byte, d float64) []byte {
	switch {
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	case d != d:
		return append(dst, "nan"...)
	}
	// Go's 'g' with precision 17 matches C's "%.17g": exact decimal
	// expansion, round-half-even, the same %e switch-over rule, trailing
	// zeros removed and a two-digit minimum exponent.
	return strconv.AppendFloat(dst, d, 'g', 17, 64)
}

// FormatScore is AppendScore into a new string.
func FormatScore(d float64) string {
	var buf [32]byte
	return string(AppendScore(buf[:0], d))
}
