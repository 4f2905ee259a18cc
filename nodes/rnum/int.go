package rnum

import "math"

// maxIntLen mirrors LONG_STR_SIZE (21): string2ll refuses strings of this
// length or longer before looking at them, so even "000...0" padded inputs
// are rejected by length first.
const maxIntLen = 21

// ParseInt reports the value of b if it is the canonical decimal spelling of
// an int64, as Redis's string2ll decides: no sign other than a leading '-',
// no whitespace, no leading zeros (so "-0" and "007" are rejected), at most
// 20 bytes, and within [math.MinInt64, math.MaxInt64]. Because of that
// strictness, formatting the result with strconv gives back b exactly, which
// is what lets Redis store such strings as integers.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n >= maxIntLen {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	v := uint64(b[i] - '0')
	for i++; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > math.MaxUint64-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		// Two's complement wrap makes 1<<63 come out as MinInt64.
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// Atoi is C's atoi on x86-64 glibc, which some of Redis's argument parsing
// still uses (genericGetKeys reads a key count with it): strtol's grammar
// (leading whitespace, an optional sign, then as many digits as there are;
// anything else ends the number, so "2abc" is 2 and "abc" is 0), saturated
// at the int64 range as strtol does, then truncated to a 32-bit C int, so
// "4294967297" comes out as 1.
func Atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || '\t' <= b[i] && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	// Below 1<<60 another digit cannot overflow v; at or above it, another
	// digit is past every int64's magnitude, so v saturates.
	var v uint64
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		if v < 1<<60 {
			v = v*10 + uint64(b[i]-'0')
		} else {
			v = math.MaxUint64
		}
	}
	var l int64
	switch {
	case neg && v >= 1<<63:
		l = math.MinInt64
	case neg:
		l = -int64(v)
	case v > math.MaxInt64:
		l = math.MaxInt64
	default:
		l = int64(v)
	}
	return int(int32(l))
}

// Strtoull is glibc's strtoull(s, &end, 10) for a caller that wants end at
// the end of s: leading C-locale blanks, an optional sign ('-' negates
// modulo 2^64, so "-1" is 18446744073709551615), then decimal digits. any
// reports whether a digit was read (with none strtoull converts nothing);
// ok is false without digits, on overflow (ERANGE) and with bytes left
// over.
func Strtoull(s []byte) (v uint64, any, ok bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, true, false // ERANGE
		}
		v = v*10 + d
	}
	if i == start {
		return 0, false, false
	}
	if i != len(s) {
		return 0, true, false
	}
	if neg {
		v = -v
	}
	return v, true, true
}
