package scripting

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// formatNumber14 is Lua 5.1's number-to-string conversion, printf("%.14g").
func formatNumber14(f float64) string { return formatG(f, 14) }

// formatNumber17 is how redis.call turns a number argument into a string,
// printf("%.17g"), so that no precision is lost.
func formatNumber17(f float64) string { return formatG(f, 17) }

// formatG is C's printf("%.<prec>g") on glibc: Go's 'g' format has the same
// rules for precision and exponent, but spells infinities and NaN its own
// way. glibc prints the sign of NaN, and the NaN of 0/0 on x86 is negative.
func formatG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// toInt64 is the C cast (long long)f that Redis applies to a Lua number it
// returns: truncation toward zero, and on x86-64 the "integer indefinite"
// value, LLONG_MIN, for NaN and anything out of range.
func toInt64(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}

// parseLuaNumber is luaO_str2d, behind lua_isnumber and lua_tonumber on a
// string: glibc's strtod on the string up to its first NUL byte (spaces,
// a sign, decimal with an exponent, hexadecimal with an optional binary
// exponent, inf, infinity and nan), then nothing but spaces. Out of range
// is an infinity, as strtod's HUGE_VAL.
func parseLuaNumber(s string) (float64, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	n, f := strtod(s[i:])
	if n == 0 {
		return 0, errNotNumber
	}
	rest := s[i+n:]
	if rest != "" && (rest[0] == 'x' || rest[0] == 'X') {
		// luaO_str2d retries with strtoul base 16, which stops at this
		// same x: strtod has read every hexadecimal number there is.
		return 0, errNotNumber
	}
	for _, c := range []byte(rest) {
		if !isSpace(c) {
			return 0, errNotNumber
		}
	}
	return f, nil
}

var errNotNumber = errors.New("not a number")

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// strtoul is C's strtoul on s up to its first NUL: spaces, a sign (a
// minus negates the unsigned result), 0x for base 16, then the digits of
// base; ULONG_MAX when the digits overflow. n is 0 when there is no digit.
func strtoul(s string, base int) (v uint64, n int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && digitValue(s[i+2]) < 16 {
		i += 2
	}
	first := i
	overflow := false
	for i < len(s) {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if !overflow {
			hi, lo := bits.Mul64(v, uint64(base))
			lo, carry := bits.Add64(lo, uint64(d), 0)
			if hi != 0 || carry != 0 {
				overflow = true
			}
			v = lo
		}
		i++
	}
	if i == first {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		v = -v
	}
	return v, i
}

// digitValue is a digit's value in bases up to 36 (99 for a non-digit).
func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return 99
}
