package resp

import (
	"math"
	"strconv"
)

// appendDouble17 appends d formatted like C's printf("%.17g", d) with glibc,
// which Redis 7.0's addReplyDouble uses: 17 significant digits, trailing
// zeros dropped, exponent form when the exponent is < -4 or >= 17 (with at
// least two exponent digits), "inf", "-inf", "nan" and "-nan".
//
// Go's 'g' format with precision 17 follows the same rules as C's %g, so
// strconv does the work; only the non-finite spellings differ.
func appendDouble17(dst []byte, d float64) []byte {
	switch {
	case math.IsNaN(d):
		if math.Signbit(d) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	case math.IsInf(d, 1):
		return append(dst, "inf"...)
	case math.IsInf(d, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, d, 'g', 17, 64)
}
