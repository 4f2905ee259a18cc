package rnum

import (
	"math/big"
	"math/bits"
)

// The scanner below follows glibc's strtod/strtold grammar in the C locale,
// because every Redis float input goes through one of them and the accepted
// prefix decides both errors and values: optional C-isspace, optional sign,
// then "inf"/"infinity", "nan"/"nan(chars)", a hex float "0x..." with an
// optional binary exponent, or a decimal with an optional exponent. An
// exponent marker without digits is not consumed, and "0x" without hex digits
// consumes only the "0".

const (
	kindNone uint8 = iota // no conversion: strtod leaves endptr at the start
	kindFinite
	kindInf
	kindNaN
)

type numScan struct {
	end  int // bytes consumed; 0 when kind == kindNone
	kind uint8
	neg  bool
	hex  bool
	mant []byte // digits with at most one '.', without any "0x"
	exp  int64  // explicit exponent, saturated to +-expSat
}

// expSat bounds parsed exponents: anything beyond it already overflows or
// underflows every format here, and saturating avoids int overflow.
const expSat = 1 << 40

func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func hasPrefixFold(b []byte, i int, word string) bool {
	if len(b)-i < len(word) {
		return false
	}
	for j := 0; j < len(word); j++ {
		if lower(b[i+j]) != word[j] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	c = lower(c)
	return isDigit(c) || (c >= 'a' && c <= 'f')
}

func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func scanNumber(b []byte) numScan {
	var s numScan
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		s.neg = b[i] == '-'
		i++
	}
	switch {
	case hasPrefixFold(b, i, "inf"):
		i += 3
		if hasPrefixFold(b, i, "inity") {
			i += 5
		}
		s.kind, s.end = kindInf, i
		return s
	case hasPrefixFold(b, i, "nan"):
		i += 3
		if at(b, i) == '(' {
			j := i + 1
			for j < len(b) && (isDigit(b[j]) || isHexLetterOrUnderscore(b[j])) {
				j++
			}
			if at(b, j) == ')' {
				i = j + 1
			}
		}
		s.kind, s.end = kindNaN, i
		return s
	}
	if at(b, i) == '0' && lower(at(b, i+1)) == 'x' {
		j := i + 2
		if isHexDigit(at(b, j)) || (at(b, j) == '.' && isHexDigit(at(b, j+1))) {
			s.hex = true
			start := j
			j = scanMantissa(b, j, isHexDigit)
			s.mant = b[start:j]
			j, s.exp = scanExponent(b, j, 'p')
			s.kind, s.end = kindFinite, j
			return s
		}
		// Only the "0" is a number; endptr is left at the 'x'.
		s.kind, s.end = kindFinite, i+1
		s.mant = b[i : i+1]
		return s
	}
	if !(isDigit(at(b, i)) || (at(b, i) == '.' && isDigit(at(b, i+1)))) {
		return numScan{}
	}
	start := i
	i = scanMantissa(b, i, isDigit)
	s.mant = b[start:i]
	i, s.exp = scanExponent(b, i, 'e')
	s.kind, s.end = kindFinite, i
	return s
}

func isHexLetterOrUnderscore(c byte) bool {
	c = lower(c)
	return (c >= 'a' && c <= 'z') || c == '_'
}

func scanMantissa(b []byte, i int, digit func(byte) bool) int {
	for i < len(b) && digit(b[i]) {
		i++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && digit(b[i]) {
			i++
		}
	}
	return i
}

// scanExponent consumes marker[sign]digits only when at least one digit
// follows, as glibc backs up to the marker otherwise.
func scanExponent(b []byte, i int, marker byte) (int, int64) {
	if lower(at(b, i)) != marker {
		return i, 0
	}
	j := i + 1
	neg := false
	if c := at(b, j); c == '+' || c == '-' {
		neg = c == '-'
		j++
	}
	if !isDigit(at(b, j)) {
		return i, 0
	}
	var e int64
	for j < len(b) && isDigit(b[j]) {
		if e < expSat {
			e = e*10 + int64(b[j]-'0')
		}
		j++
	}
	if e > expSat {
		e = expSat
	}
	if neg {
		e = -e
	}
	return j, e
}

// binFormat describes an IEEE-style binary format with gradual underflow.
// Values are kept as mant*2^exp with mant < 2^mantBits and exp >= minExp.
type binFormat struct {
	mantBits  uint
	minExp    int   // exponent of the smallest subnormal unit
	maxExp    int   // exponent at which a full mantissa is the largest finite
	decTiny   int64 // leading decimal exponent at or below which values round to zero
	decHuge   int64 // leading decimal exponent at or above which values overflow
	maxDigits int   // significant digits kept exactly; more than any midpoint needs
}

var (
	fmt64 = binFormat{mantBits: 53, minExp: -1074, maxExp: 971, decTiny: -325, decHuge: 309, maxDigits: 800}
	fmt80 = binFormat{mantBits: 64, minExp: -16445, maxExp: 16320, decTiny: -4952, decHuge: 4933, maxDigits: 12000}
)

// binValue is a rounded finite value, or an overflow.
type binValue struct {
	mant uint64
	exp  int
	inf  bool
}

func bitLen128(hi, lo uint64) int {
	if hi != 0 {
		return 64 + bits.Len64(hi)
	}
	return bits.Len64(lo)
}

// shr128 shifts (hi:lo) right by s and reports the first dropped bit and
// whether any lower dropped bit was set: exactly what round-half-even needs.
func shr128(hi, lo uint64, s uint) (rhi, rlo uint64, half, rest bool) {
	switch {
	case s == 0:
		return hi, lo, false, false
	case s < 64:
		half = lo>>(s-1)&1 == 1
		rest = lo&(1<<(s-1)-1) != 0
		return hi >> s, hi<<(64-s) | lo>>s, half, rest
	case s == 64:
		return 0, hi, lo>>63 == 1, lo<<1 != 0
	case s < 128:
		t := s - 64
		half = hi>>(t-1)&1 == 1
		rest = lo != 0 || hi&(1<<(t-1)-1) != 0
		return 0, hi >> t, half, rest
	case s == 128:
		return 0, 0, hi>>63 == 1, hi<<1 != 0 || lo != 0
	default:
		return 0, 0, false, hi != 0 || lo != 0
	}
}

// roundPack rounds (hi:lo + sticky*epsilon) * 2^exp to format f with
// round-half-even, the only rounding mode Redis ever runs under. A set
// sticky bit requires at least mantBits+1 significant bits in (hi:lo) so
// that it can only act below the rounding bit.
func roundPack(f binFormat, hi, lo uint64, sticky bool, exp int) binValue {
	bl := bitLen128(hi, lo)
	if bl == 0 {
		return binValue{exp: f.minExp}
	}
	e := exp + bl - int(f.mantBits)
	if e < f.minExp {
		e = f.minExp
	}
	var mant uint64
	if shift := e - exp; shift <= 0 {
		mant = lo << uint(-shift)
	} else {
		_, m, half, rest := shr128(hi, lo, uint(shift))
		mant = m
		if half && (rest || sticky || mant&1 == 1) {
			mant++
			if mant == 0 || (f.mantBits < 64 && mant == 1<<f.mantBits) {
				mant = 1 << (f.mantBits - 1)
				e++
			}
		}
	}
	if mant == 0 {
		return binValue{exp: f.minExp}
	}
	if e > f.maxExp {
		return binValue{inf: true}
	}
	return binValue{mant: mant, exp: e}
}

// pow10u64[i] = 10^i for i <= 19.
var pow10u64 = [20]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// pow5u64[i] = 5^i for i <= 27, all below 2^63.
var pow5u64 = func() (p [28]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 5
	}
	return p
}()

// decimalToBinary converts the scanned decimal mantissa (digits with at most
// one '.') times 10^exp10 to format f, exactly rounded. zeroed reports a
// nonzero input that rounded to zero, which strtod flags with ERANGE.
func decimalToBinary(f binFormat, mant []byte, exp10 int64) (v binValue, zeroed bool) {
	// Locate the significant digits without copying: value = S * 10^E.
	total, frac := 0, 0
	first, last := -1, -1
	seenPoint := false
	for _, c := range mant {
		if c == '.' {
			seenPoint = true
			continue
		}
		if seenPoint {
			frac++
		}
		if c != '0' {
			if first < 0 {
				first = total
			}
			last = total
		}
		total++
	}
	if first < 0 {
		return binValue{exp: f.minExp}, false
	}
	nd := last - first + 1
	e10 := exp10 - int64(frac) + int64(total-1-last)
	lead := int64(nd-1) + e10
	if lead <= f.decTiny {
		return binValue{exp: f.minExp}, true
	}
	if lead >= f.decHuge {
		return binValue{inf: true}, false
	}
	if nd <= 19 {
		var s uint64
		k := 0
		for _, c := range mant {
			if c == '.' {
				continue
			}
			if k >= first && k <= last {
				s = s*10 + uint64(c-'0')
			}
			k++
		}
		if e10 >= 0 && e10 <= 19 {
			hi, lo := bits.Mul64(s, pow10u64[e10])
			return roundPack(f, hi, lo, false, 0), false
		}
		if e10 < 0 && e10 >= -27 {
			// s/10^k = s/5^k * 2^-k; dividing the normalised s*2^64 by
			// 5^k < 2^63 leaves a quotient above 2^64, enough for rounding.
			k := uint(-e10)
			z := uint(bits.LeadingZeros64(s))
			n := s << z
			q1, r1 := bits.Div64(0, n, pow5u64[k])
			q0, r0 := bits.Div64(r1, 0, pow5u64[k])
			v = roundPack(f, q1, q0, r0 != 0, -64-int(z)-int(k))
			return v, v.mant == 0 && !v.inf
		}
	}
	v = decimalToBinaryBig(f, mant, first, last, e10)
	return v, v.mant == 0 && !v.inf
}

// decimalToBinaryBig is the exact fallback: big integers for S*10^E or
// S/10^-E. Inputs longer than f.maxDigits significant digits are cut and the
// rest folded into a trailing 1, which keeps the value strictly between the
// same two neighbouring midpoints.
func decimalToBinaryBig(f binFormat, mant []byte, first, last int, e10 int64) binValue {
	nd := last - first + 1
	keep := nd
	sticky := false
	if keep > f.maxDigits {
		keep = f.maxDigits
	}
	digits := make([]byte, 0, keep+1)
	k := 0
	for _, c := range mant {
		if c == '.' {
			continue
		}
		if k >= first && k <= last {
			if len(digits) < keep {
				digits = append(digits, c)
			} else if c != '0' {
				sticky = true
			}
		}
		k++
	}
	e10 += int64(nd - keep)
	if sticky {
		digits = append(digits, '1')
		e10--
	}
	s, _ := new(big.Int).SetString(string(digits), 10)
	if e10 >= 0 {
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(e10), nil)
		s.Mul(s, p)
		return roundBig(f, s, false, 0)
	}
	d := new(big.Int).Exp(big.NewInt(10), big.NewInt(-e10), nil)
	shift := int(f.mantBits) + 2 + d.BitLen() - s.BitLen()
	if shift < 0 {
		shift = 0
	}
	s.Lsh(s, uint(shift))
	q, r := new(big.Int).QuoRem(s, d, new(big.Int))
	return roundBig(f, q, r.Sign() != 0, -shift)
}

// roundBig rounds a non-negative big integer (plus sticky) times 2^exp.
func roundBig(f binFormat, x *big.Int, sticky bool, exp int) binValue {
	bl := x.BitLen()
	if bl > 128 {
		drop := uint(bl - 128)
		if x.TrailingZeroBits() < drop {
			sticky = true
		}
		x = new(big.Int).Rsh(x, drop)
		exp += int(drop)
	}
	var hi, lo uint64
	w := x.Bits()
	if bits.UintSize == 64 {
		if len(w) > 0 {
			lo = uint64(w[0])
		}
		if len(w) > 1 {
			hi = uint64(w[1])
		}
	} else {
		t := new(big.Int).Rsh(x, 64)
		hi = t.Uint64()
		lo = new(big.Int).Sub(x, t.Lsh(t, 64)).Uint64()
	}
	return roundPack(f, hi, lo, sticky, exp)
}

// hexToBinary converts a scanned hex mantissa times 2^exp2. The first 32
// significant hex digits fill 128 bits; later nonzero digits only matter as
// a sticky bit, which is safe because 128 > mantBits+1.
func hexToBinary(f binFormat, mant []byte, exp2 int64) (v binValue, zeroed bool) {
	var hi, lo uint64
	n := 0 // significant hex digits taken
	sticky := false
	adj := int64(0)
	seenPoint := false
	for _, c := range mant {
		if c == '.' {
			seenPoint = true
			continue
		}
		d := hexVal(c)
		if n == 0 && d == 0 {
			if seenPoint {
				adj -= 4
			}
			continue
		}
		if n < 32 {
			hi = hi<<4 | lo>>60
			lo = lo<<4 | uint64(d)
			n++
			if seenPoint {
				adj -= 4
			}
		} else {
			if d != 0 {
				sticky = true
			}
			if !seenPoint {
				adj += 4
			}
		}
	}
	if n == 0 {
		return binValue{exp: f.minExp}, false
	}
	e := exp2 + adj
	// Bound the exponent before it reaches int arithmetic in roundPack.
	if e > int64(f.maxExp)+256 {
		return binValue{inf: true}, false
	}
	if e < int64(f.minExp)-256 {
		return binValue{exp: f.minExp}, true
	}
	v = roundPack(f, hi, lo, sticky, int(e))
	return v, v.mant == 0 && !v.inf
}

func hexVal(c byte) byte {
	c = lower(c)
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

// convert turns a finite scan into a value of format f.
func convert(f binFormat, s numScan) (v binValue, zeroed bool) {
	if s.hex {
		return hexToBinary(f, s.mant, s.exp)
	}
	return decimalToBinary(f, s.mant, s.exp)
}
