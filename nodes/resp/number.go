package resp

import "bytes"

// longStrSize is Redis's LONG_STR_SIZE: string2ll refuses inputs this long
// or longer.
const longStrSize = 21

// string2ll parses b exactly like Redis's string2ll (util.c): an optional
// '-', then digits with no leading zero (except "0" itself), nothing else,
// fewer than 21 bytes and within int64. "+1", "-0", "01", " 1" and "" are
// all refused.
func string2ll(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n >= longStrSize {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	v := uint64(b[i] - '0')
	i++
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0))/10 {
			return 0, false
		}
		v *= 10
		if v > ^uint64(0)-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true // -(1<<63) wraps to MinInt64, as intended
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// cIndexByte is strchr(s, c) on a Redis sds holding b: the index of the
// first c in b, or -1 when there is none or a NUL byte comes first (strchr
// stops at the NUL that C strings end with). Redis looks for line ends with
// strchr, so a NUL before the terminator hides it.
func cIndexByte(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if i < 0 {
		return -1
	}
	if bytes.IndexByte(b[:i], 0) >= 0 {
		return -1
	}
	return i
}
