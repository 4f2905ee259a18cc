package resp

import "bytes"

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
