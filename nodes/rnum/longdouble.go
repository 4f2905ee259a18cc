package rnum

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

const (
	ldFinite uint8 = iota
	ldInf
	ldNaN
)

// maxLongDoubleChars mirrors MAX_LONG_DOUBLE_CHARS (5*1024): string2ld
// copies into a buffer of that size and refuses inputs that do not fit with
// their terminator.
const maxLongDoubleChars = 5 * 1024

// LongDouble is an x87 80-bit extended precision value (64-bit mantissa,
// gradual underflow below 2^-16382), the type Redis uses on x86-64 for
// INCRBYFLOAT and HINCRBYFLOAT. Emulating it instead of using float64 is what
// makes "INCRBYFLOAT k 0.1" answer "0.1": in float64 the same steps print
// "0.10000000000000001". The zero value is +0.
type LongDouble struct {
	mant uint64 // value = mant * 2^exp; mant >= 2^63 unless subnormal or zero
	exp  int32
	neg  bool
	kind uint8
}

func fromBin(v binValue, neg bool) LongDouble {
	if v.inf {
		return LongDouble{neg: neg, kind: ldInf}
	}
	return LongDouble{mant: v.mant, exp: int32(v.exp), neg: neg}
}

// ParseLongDouble reports the value of b as Redis's string2ld accepts it for
// INCRBYFLOAT and HINCRBYFLOAT (both the stored value and the increment): the
// whole of b must be a strtold number, 1 to 5119 bytes, without leading
// whitespace; "inf" and hex floats are accepted; NaN, overflow beyond the
// long double range and nonzero values that underflow to zero are rejected.
// The range is far wider than float64: "1e400" is accepted.
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return LongDouble{}, false
	}
	s := scanNumber(b)
	if s.end != len(b) {
		return LongDouble{}, false
	}
	switch s.kind {
	case kindInf:
		return LongDouble{neg: s.neg, kind: ldInf}, true
	case kindFinite:
		v, zeroed := convert(fmt80, s)
		if zeroed || v.inf {
			return LongDouble{}, false
		}
		return fromBin(v, s.neg), true
	}
	return LongDouble{}, false
}

// LongDoubleFromInt64 converts exactly, as the C cast from long does when
// Redis reads an integer-encoded string.
func LongDoubleFromInt64(i int64) LongDouble {
	neg := i < 0
	u := uint64(i)
	if neg {
		u = -u
	}
	return fromBin(roundPack(fmt80, 0, u, false, 0), neg)
}

// LongDoubleFromFloat64 converts exactly; every float64 is representable.
func LongDoubleFromFloat64(f float64) LongDouble {
	switch {
	case math.IsInf(f, 0):
		return LongDouble{neg: f < 0, kind: ldInf}
	case f != f:
		return LongDouble{kind: ldNaN}
	}
	u := math.Float64bits(f)
	neg := u>>63 == 1
	e := int(u >> 52 & 0x7ff)
	m := u & (1<<52 - 1)
	if e == 0 {
		e = 1 // subnormal: same scale as the smallest normal
	} else {
		m |= 1 << 52
	}
	return fromBin(roundPack(fmt80, 0, m, false, e-1075), neg)
}

// IsFinite reports whether x is neither infinite nor NaN; INCRBYFLOAT refuses
// to store a result that is not ("increment would produce NaN or Infinity").
func (x LongDouble) IsFinite() bool { return x.kind == ldFinite }

// IsNaN reports whether x is NaN (only reachable as inf + -inf).
func (x LongDouble) IsNaN() bool { return x.kind == ldNaN }

// Float64 rounds x to the nearest float64 (ties to even), overflowing to
// infinity like a C cast under the default rounding mode.
func (x LongDouble) Float64() float64 {
	switch x.kind {
	case ldInf:
		return math.Inf(sign(x.neg))
	case ldNaN:
		return math.NaN()
	}
	return roundPack(fmt64, 0, x.mant, false, int(x.exp)).float64(x.neg)
}

// Add returns x+y rounded to nearest-even in extended precision, as the x87
// FPU computes "value += incr" in incrbyfloatCommand.
func (x LongDouble) Add(y LongDouble) LongDouble {
	switch {
	case x.kind == ldNaN || y.kind == ldNaN:
		return LongDouble{kind: ldNaN}
	case x.kind == ldInf:
		if y.kind == ldInf && y.neg != x.neg {
			return LongDouble{kind: ldNaN}
		}
		return x
	case y.kind == ldInf:
		return y
	case x.mant == 0:
		if y.mant == 0 {
			// Only -0 + -0 stays negative under round-to-nearest.
			return LongDouble{exp: int32(fmt80.minExp), neg: x.neg && y.neg}
		}
		return y
	case y.mant == 0:
		return x
	}
	a, b := x, y
	if b.exp > a.exp || (b.exp == a.exp && b.mant > a.mant) {
		a, b = b, a
	}
	// Put a's mantissa in the high word of a 128-bit frame; b is aligned
	// below it, and whatever falls off the frame only matters as sticky.
	d := uint(a.exp - b.exp)
	ahi := a.mant
	var bhi, blo uint64
	sticky := false
	switch {
	case d <= 64:
		bhi, blo = b.mant>>d, b.mant<<(64-d)
	case d < 128:
		blo = b.mant >> (d - 64)
		sticky = b.mant<<(128-d) != 0
	default:
		sticky = true
	}
	fe := int(a.exp) - 64
	var hi, lo uint64
	if a.neg == b.neg {
		var c uint64
		lo, c = bits.Add64(0, blo, 0)
		hi, c = bits.Add64(ahi, bhi, c)
		if c != 0 {
			sticky = sticky || lo&1 == 1
			lo = lo>>1 | hi<<63
			hi = hi>>1 | 1<<63
			fe++
		}
	} else {
		var br uint64
		lo, br = bits.Sub64(0, blo, 0)
		hi, _ = bits.Sub64(ahi, bhi, br)
		if sticky {
			// A-(B+eps) = (A-B-1) + (1-eps): borrow a unit and keep the
			// remainder as sticky; the frame is wide enough that the
			// unit is far below the rounding position.
			lo, br = bits.Sub64(lo, 1, 0)
			hi -= br
		} else if hi == 0 && lo == 0 {
			return LongDouble{exp: int32(fmt80.minExp)}
		}
	}
	return fromBin(roundPack(fmt80, hi, lo, sticky, fe), a.neg)
}

// AppendLongDouble appends x as ld2string(LD_STR_HUMAN) prints it, which is
// the stored value and reply of INCRBYFLOAT and HINCRBYFLOAT: "%.17Lf" (exact
// binary value rounded half-even to 17 decimals, never an exponent), then
// trailing zeros and a bare '.' trimmed, and "-0" turned into "0".
// Infinities print as "inf"/"-inf"; NaN as glibc would, "nan"/"-nan".
func AppendLongDouble(dst []byte, x LongDouble) []byte {
	switch x.kind {
	case ldInf:
		if x.neg {
			return append(dst, "-inf"...)
		}
		return append(dst, "inf"...)
	case ldNaN:
		if x.neg {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	start := len(dst)
	if x.neg {
		dst = append(dst, '-')
	}
	e := int(x.exp)
	if x.mant == 0 {
		dst = append(dst, '0')
	} else if e >= 0 {
		// An integer: the 17 zero decimals are all trimmed.
		if e == 0 {
			dst = strconv.AppendUint(dst, x.mant, 10)
		} else {
			dst = new(big.Int).Lsh(new(big.Int).SetUint64(x.mant), uint(e)).Append(dst, 10)
		}
	} else {
		const scale = 1e17
		var ip, fp uint64
		// mant*10^17 < 2^121, so from 2^-122 down everything rounds to 0.
		if k := uint(-e); k < 122 {
			hi, lo := bits.Mul64(x.mant, scale)
			qhi, qlo, half, rest := shr128(hi, lo, k)
			if half && (rest || qlo&1 == 1) {
				var c uint64
				qlo, c = bits.Add64(qlo, 1, 0)
				qhi += c
			}
			// x < 2^64 here, so the integer part fits and qhi < 10^17.
			ip, fp = bits.Div64(qhi, qlo, scale)
		}
		dst = strconv.AppendUint(dst, ip, 10)
		if fp != 0 {
			var buf [17]byte
			for i := len(buf) - 1; i >= 0; i-- {
				buf[i] = byte('0' + fp%10)
				fp /= 10
			}
			n := len(buf)
			for buf[n-1] == '0' {
				n--
			}
			dst = append(dst, '.')
			dst = append(dst, buf[:n]...)
		}
	}
	if len(dst)-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// FormatLongDouble is AppendLongDouble into a new string.
func FormatLongDouble(x LongDouble) string {
	var buf [40]byte
	return string(AppendLongDouble(buf[:0], x))
}

// FormatFloat formats f the way INCRBYFLOAT would print a long double that
// holds exactly f ("%.17Lf", trimmed). Callers emulating INCRBYFLOAT should
// keep the LongDouble instead: converting through float64 first loses the
// extra precision ("0.1" parsed as a float64 prints "0.10000000000000001").
func FormatFloat(f float64) string {
	return FormatLongDouble(LongDoubleFromFloat64(f))
}

// CeilMul1000 is (long long)ceill(x * 1000.0) on x86-64, the milliseconds
// of a timeout given in seconds (getTimeoutFromObjectOrReply): the product
// rounded to the long double's 64-bit mantissa, its ceiling, and the
// conversion, which gives LLONG_MIN for anything outside the long long's
// range (infinities and NaN too). Rounding to a float64 first would move
// a product near 2^63 past it: 9223372036854775 seconds is
// 9223372036854775000 ms, in range, while float64 makes it 2^63.
func CeilMul1000(x LongDouble) int64 {
	if x.kind != ldFinite {
		return math.MinInt64
	}
	a := new(big.Float).SetPrec(64).SetUint64(x.mant)
	a.SetMantExp(a, int(x.exp))
	if x.neg {
		a.Neg(a)
	}
	p := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven)
	p.Mul(a, new(big.Float).SetPrec(64).SetInt64(1000))
	i, acc := p.Int(nil) // toward zero
	if acc == big.Below {
		i.Add(i, big.NewInt(1)) // a positive non-integer: up to its ceiling
	}
	if !i.IsInt64() {
		return math.MinInt64
	}
	return i.Int64()
}
