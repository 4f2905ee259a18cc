package scripting

import (
	"math"
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

// parseLuaNumber is lua_isnumber/lua_tonumber on a string: decimal or
// hexadecimal, surrounded by optional spaces.
func parseLuaNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(h, 16, 64)
		return float64(n), err
	}
	return strconv.ParseFloat(s, 64)
}
