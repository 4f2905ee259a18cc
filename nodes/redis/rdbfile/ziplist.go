package rdbfile

import (
	"math"
	"strconv"
)

// Ziplists (src/ziplist.c), which Redis before 7.0 used for small lists,
// hashes and zsets, read only: a 10-byte header (total bytes, tail offset
// as uint32 LE, count as uint16 LE, 65535 when unknown), entries, 0xFF.
// An entry is the previous entry's size (1 byte below 254, else 0xFE and
// 4 bytes LE), an encoding and the data:
//
//	00LLLLLL            string of up to 63 bytes
//	01LLLLLL LLLLLLLL   string of up to 16383 bytes (length big-endian)
//	10xxxxxx <4 bytes>  string, length big-endian
//	11000000 int16   11010000 int32   11100000 int64
//	11110000 int24   11111110 int8    1111xxxx immediate xxxx-1 (0..12)

// decodeZiplist validates zl as ziplistValidateIntegrity(deep=1) does and
// returns its entries, or a description of the problem.
func decodeZiplist(zl []byte) ([]lpElem, string) {
	size := len(zl)
	if size < 11 {
		return nil, "ziplist shorter than its header"
	}
	if int(uint32(zl[0])|uint32(zl[1])<<8|uint32(zl[2])<<16|uint32(zl[3])<<24) != size {
		return nil, "ziplist header size does not match the blob"
	}
	if zl[size-1] != 0xff {
		return nil, "ziplist does not end with 0xff"
	}
	tail := int(uint32(zl[4]) | uint32(zl[5])<<8 | uint32(zl[6])<<16 | uint32(zl[7])<<24)
	if tail > size-1 {
		return nil, "ziplist tail offset beyond its end"
	}
	header := int(zl[8]) | int(zl[9])<<8
	last := size - 1
	var elems []lpElem
	p, prev, prevRaw := 10, -1, 0
	for zl[p] != 0xff {
		var prevLen, prevSize int
		if zl[p] < 254 {
			prevLen, prevSize = int(zl[p]), 1
		} else {
			if p+5 > last {
				return nil, "ziplist entry header overruns"
			}
			prevLen = int(uint32(zl[p+1]) | uint32(zl[p+2])<<8 | uint32(zl[p+3])<<16 | uint32(zl[p+4])<<24)
			prevSize = 5
		}
		q := p + prevSize
		if q > last {
			return nil, "ziplist entry header overruns"
		}
		enc := zl[q]
		var lenSize, dataLen int
		var e lpElem
		intLen := -1
		switch {
		case enc < 0x40:
			lenSize, dataLen = 1, int(enc&0x3f)
		case enc < 0x80:
			if q+1 > last {
				return nil, "ziplist entry header overruns"
			}
			lenSize, dataLen = 2, int(enc&0x3f)<<8|int(zl[q+1])
		case enc < 0xc0:
			if q+4 > last {
				return nil, "ziplist entry header overruns"
			}
			lenSize = 5
			l := uint64(zl[q+1])<<24 | uint64(zl[q+2])<<16 | uint64(zl[q+3])<<8 | uint64(zl[q+4])
			if l > uint64(size) {
				return nil, "ziplist string overruns"
			}
			dataLen = int(l)
		case enc == 0xc0:
			lenSize, intLen = 1, 2
		case enc == 0xd0:
			lenSize, intLen = 1, 4
		case enc == 0xe0:
			lenSize, intLen = 1, 8
		case enc == 0xf0:
			lenSize, intLen = 1, 3
		case enc == 0xfe:
			lenSize, intLen = 1, 1
		case enc >= 0xf1 && enc <= 0xfd:
			lenSize, intLen = 1, 0
			e = lpElem{v: int64(enc&0x0f) - 1, isInt: true}
		default:
			return nil, "ziplist entry has an invalid encoding"
		}
		if intLen >= 0 {
			dataLen = intLen
		}
		if q+lenSize > last {
			return nil, "ziplist entry header overruns"
		}
		end := q + lenSize + dataLen
		if end > last {
			return nil, "ziplist entry overruns the ziplist"
		}
		if p-prevLen < 10 {
			return nil, "ziplist prevlen reaches before the first entry"
		}
		if prevLen != prevRaw {
			return nil, "ziplist prevlen does not match the previous entry"
		}
		d := zl[q+lenSize : end]
		switch {
		case intLen < 0:
			e = lpElem{s: d[:len(d):len(d)]}
		case intLen > 0:
			var u uint64
			for i := len(d) - 1; i >= 0; i-- {
				u = u<<8 | uint64(d[i])
			}
			e = lpElem{v: signExtend(u, uint(8*intLen)), isInt: true}
		}
		elems = append(elems, e)
		prevRaw = end - p
		prev = p
		p = end
	}
	if p != size-1 {
		return nil, "ziplist entries overrun its end"
	}
	if prev >= 0 && prev != tail {
		return nil, "ziplist tail offset does not point at the last entry"
	}
	if header != 0xffff && header != len(elems) {
		return nil, "ziplist header counts " + strconv.Itoa(header) + " entries, it holds " + strconv.Itoa(len(elems))
	}
	return elems, ""
}

// decodeZipmap validates zm as zipmapValidateIntegrity(deep=1) does and
// returns its keys and values alternating, or a description of the
// problem. Zipmaps held the small hashes of Redis 2.4 and older.
func decodeZipmap(zm []byte) ([][]byte, string) {
	size := len(zm)
	if size < 2 {
		return nil, "zipmap shorter than 2 bytes"
	}
	if zm[size-1] != 0xff {
		return nil, "zipmap does not end with 0xff"
	}
	last := int64(size - 1)
	outOfRange := func(p int64) bool { return p < 2 || p > last }
	length := func(p int64) (int64, int64) {
		if zm[p] < 254 {
			return int64(zm[p]), 1
		}
		return int64(uint32(zm[p+1]) | uint32(zm[p+2])<<8 | uint32(zm[p+3])<<16 | uint32(zm[p+4])<<24), 5
	}
	var out [][]byte
	p := int64(1)
	for zm[p] != 0xff {
		s := int64(1)
		if zm[p] >= 254 {
			s = 5
		}
		if outOfRange(p + s) {
			return nil, "zipmap key length overruns"
		}
		l, _ := length(p)
		key := p + s
		p += s + l
		if outOfRange(p) {
			return nil, "zipmap key overruns"
		}
		s = 1
		if zm[p] >= 254 {
			s = 5
		}
		if outOfRange(p + s) {
			return nil, "zipmap value length overruns"
		}
		vl, _ := length(p)
		p += s
		free := int64(zm[p])
		p++
		val := p
		p += vl + free
		if outOfRange(p) {
			return nil, "zipmap value overruns"
		}
		out = append(out, zm[key:key+l:key+l], zm[val:val+vl:val+vl])
	}
	if len(out) == 0 {
		return nil, "empty zipmap"
	}
	if zm[0] != 254 && int(zm[0]) != len(out)/2 {
		return nil, "zipmap header count is wrong"
	}
	return out, ""
}

// strtod parses the longest prefix of s that C's strtod accepts (after
// leading whitespace) and reports whether there was one; a value out of
// range is ±Inf or 0, as strtod returns with ERANGE.
func strtod(s []byte) (float64, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	s = s[i:]
	// Find the longest prefix that looks like a number, then let
	// ParseFloat judge; shrink until it accepts.
	for n := min(len(s), 400); n > 0; n-- {
		v, err := strconv.ParseFloat(string(s[:n]), 64)
		if err == nil {
			return v, true
		}
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
	}
	return 0, false
}

// zzlStrtod is how Redis reads a zset score stored as a string in a
// listpack or ziplist: strtod of at most 127 bytes, 0 when nothing parses.
func zzlStrtod(s []byte) float64 {
	if len(s) > 127 {
		s = s[:127]
	}
	v, _ := strtod(s)
	if v != v {
		return math.NaN()
	}
	return v
}
