package bitops

import (
	"encoding/binary"
	"math/bits"
)

// ErrBitPosBit is BITPOS's reply to an integer bit other than 0 or 1.
const ErrBitPosBit = "ERR The bit argument must be 1 or 0."

// BitCount is BITCOUNT key [start end [BYTE|BIT]] after lookupKeyRead: val
// is the string (exists false for a missing key, which replies 0 without
// looking at the other arguments). It returns the reply or an error text.
// Ranges are inclusive, in bytes or (BIT) bits, negative indexes count from
// the end, and both negative with start > end is 0 before the unit is even
// read, as in Redis.
func BitCount(argv [][]byte, val []byte, exists bool) (int64, string) {
	if !exists {
		return 0, ""
	}
	var start, end int64
	var firstMask, lastMask byte
	switch len(argv) {
	case 4, 5:
		totlen := int64(len(val))
		var e string
		if start, e = parseInt(argv[2]); e != "" {
			return 0, e
		}
		if end, e = parseInt(argv[3]); e != "" {
			return 0, e
		}
		if start < 0 && end < 0 && start > end {
			return 0, ""
		}
		isbit := false
		if len(argv) == 5 {
			switch {
			case keyword(argv[4], "bit"):
				isbit = true
			case keyword(argv[4], "byte"):
			default:
				return 0, ErrSyntax
			}
		}
		start, end, firstMask, lastMask = clampRange(start, end, totlen, isbit)
	case 2:
		start, end = 0, int64(len(val))-1
	default:
		return 0, ErrSyntax
	}
	if start > end {
		return 0, ""
	}
	count := popcount(val[start : end+1])
	// Bits of the edge bytes outside a BIT range were counted; take them
	// off again.
	count -= int64(bits.OnesCount8(val[start]&firstMask) + bits.OnesCount8(val[end]&lastMask))
	return count, ""
}

// clampRange turns a BITCOUNT or BITPOS range into byte indexes within a
// string of totlen bytes, as both commands do: negative indexes from the
// end, then clamped. For a BIT range that is not empty it also returns the
// masks of the bits of the first and last bytes that lie outside it.
// An empty range comes back with start > end.
func clampRange(start, end, totlen int64, isbit bool) (int64, int64, byte, byte) {
	if isbit {
		totlen <<= 3
	}
	if start < 0 {
		start += totlen
	}
	if end < 0 {
		end += totlen
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= totlen {
		end = totlen - 1
	}
	var firstMask, lastMask byte
	if isbit && start <= end {
		firstMask = ^byte(1<<(8-start&7) - 1)
		lastMask = byte(1<<(7-end&7) - 1)
		start >>= 3
		end >>= 3
	}
	return start, end, firstMask, lastMask
}

// popcount is redisPopcount: the number of set bits in p.
func popcount(p []byte) int64 {
	var n int
	for len(p) >= 32 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(p)) +
			bits.OnesCount64(binary.LittleEndian.Uint64(p[8:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(p[16:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(p[24:]))
		p = p[32:]
	}
	for len(p) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	for _, c := range p {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// ParseBitPosBit parses BITPOS's bit argument (argv[2]), which Redis reads
// before looking the key up.
func ParseBitPosBit(argv [][]byte) (int, string) {
	bit, e := parseInt(argv[2])
	if e != "" {
		return 0, e
	}
	if bit != 0 && bit != 1 {
		return 0, ErrBitPosBit
	}
	return int(bit), ""
}

// BitPos is BITPOS key bit [start [end [BYTE|BIT]]] after lookupKeyRead,
// with bit from ParseBitPosBit: the position of the first bit equal to bit
// in the range, or -1. A missing key is an endless run of zeros (0 for a
// clear bit, -1 for a set one) whatever the other arguments; an existing
// empty string replies -1 for both. Without an explicit end the string is
// taken as zero-padded on the right, so a search for a clear bit in a run
// of ones answers the position just past it; with an end given it answers
// -1 instead.
func BitPos(argv [][]byte, bit int, val []byte, exists bool) (int64, string) {
	if !exists {
		if bit == 1 {
			return -1, ""
		}
		return 0, ""
	}
	var start, end int64
	var firstMask, lastMask byte
	endGiven := false
	switch len(argv) {
	case 4, 5, 6:
		totlen := int64(len(val))
		var e string
		if start, e = parseInt(argv[3]); e != "" {
			return 0, e
		}
		isbit := false
		if len(argv) == 6 {
			switch {
			case keyword(argv[5], "bit"):
				isbit = true
			case keyword(argv[5], "byte"):
			default:
				return 0, ErrSyntax
			}
		}
		if len(argv) >= 5 {
			if end, e = parseInt(argv[4]); e != "" {
				return 0, e
			}
			endGiven = true
		} else {
			// Redis also has a BIT case here, unreachable: the unit comes
			// only after an end.
			end = totlen - 1
		}
		start, end, firstMask, lastMask = clampRange(start, end, totlen, isbit)
	case 3:
		start, end = 0, int64(len(val))-1
	default:
		return 0, ErrSyntax
	}
	if start > end {
		return -1, ""
	}
	pos, start, bytes := bitposRange(val, bit, start, end, firstMask, lastMask)
	if endGiven && bit == 0 && pos == bytes<<3 {
		return -1, ""
	}
	if pos != -1 {
		pos += start << 3
	}
	return pos, ""
}

// bitposRange is the search part of bitposCommand, for the non-empty byte
// range [start, end] whose first and last bytes lose the bits in firstMask
// and lastMask. It returns redisBitpos's answer relative to the byte where
// the deciding search began, that byte, and the number of bytes that search
// covered (which BitPos needs to tell "not found" from "past the range").
func bitposRange(p []byte, bit int, start, end int64, firstMask, lastMask byte) (pos, from, n int64) {
	n = end - start + 1
	if firstMask != 0 {
		c := p[start] | firstMask
		if bit == 1 {
			c = p[start] &^ firstMask
		}
		if lastMask != 0 && n == 1 {
			if bit == 1 {
				c &^= lastMask
			} else {
				c |= lastMask
			}
		}
		pos = bitpos([]byte{c}, bit)
		if n == 1 || (pos != -1 && pos != 8) {
			return pos, start, n
		}
		start++
		n--
	}
	cur := n
	if lastMask != 0 {
		cur--
	}
	if cur > 0 {
		pos = bitpos(p[start:start+cur], bit)
		if n == cur || (pos != -1 && pos != cur<<3) {
			return pos, start, n
		}
		start += cur
		n -= cur
	}
	c := p[end] | lastMask
	if bit == 1 {
		c = p[end] &^ lastMask
	}
	return bitpos([]byte{c}, bit), start, n
}

// bitpos is redisBitpos: the index of the first bit equal to bit in p; if
// there is none, -1 when looking for a set bit and len(p)*8 when looking
// for a clear one (the string is taken as zero-padded on the right).
func bitpos(p []byte, bit int) int64 {
	skip := uint64(0)
	if bit == 0 {
		skip = ^uint64(0)
	}
	var i int
	for i+8 <= len(p) && binary.BigEndian.Uint64(p[i:]) == skip {
		i += 8
	}
	for ; i < len(p); i++ {
		c := p[i]
		if bit == 0 {
			c = ^c
		}
		if c != 0 {
			return int64(i)<<3 + int64(bits.LeadingZeros8(c))
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(p)) << 3
}
