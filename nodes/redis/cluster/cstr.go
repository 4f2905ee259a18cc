package cluster

import "math"

// The C library's number and word readers, with the leniency
// clusterLoadConfig inherits from them.

// cStr is s up to its first NUL byte, what a C string function sees of a
// word that sdssplitargs unquoted into one holding a NUL.
func cStr(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

// cSpace is isspace in the C locale.
func cSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// strtoNum reads an optional sign and decimal digits after leading blanks,
// stopping at the first other byte; overflow is reported and v is then
// the maximum.
func strtoNum(s string) (neg bool, v uint64, overflow bool) {
	s = cStr(s)
	i := 0
	for i < len(s) && cSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
			v = math.MaxUint64
			continue
		}
		if !overflow {
			v = v*10 + d
		}
	}
	return neg, v, overflow
}

// strtoull is strtoull(s, NULL, 10): a negative number wraps around, an
// overflow gives the maximum, no digits give 0.
func strtoull(s string) uint64 {
	neg, v, overflow := strtoNum(s)
	if overflow {
		return math.MaxUint64
	}
	if neg {
		return -v
	}
	return v
}

// strtoll is strtol(s, NULL, 10) on a 64-bit long: clamped on overflow.
func strtoll(s string) int64 {
	neg, v, _ := strtoNum(s)
	if neg {
		if v > 1<<63 {
			return math.MinInt64
		}
		return -int64(v)
	}
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// atoi is glibc's atoi: strtol cut to a 32-bit int.
func atoi(s string) int32 { return int32(strtoll(s)) }
