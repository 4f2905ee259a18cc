package rdbfile

import "strconv"

// Listpacks (src/listpack.c), byte for byte: a 6-byte header (total bytes
// as uint32 LE, element count as uint16 LE, 65535 when 65535 or more),
// the elements, and the 0xFF terminator. Each element is an encoding
// byte (and length bytes), its data, and a back-length: the size of
// encoding plus data in 1 to 5 bytes, 7 bits per byte, written so that it
// reads right to left.
//
//	0xxxxxxx                      7-bit unsigned integer
//	10LLLLLL <L bytes>            string of up to 63 bytes
//	110xxxxx yyyyyyyy             13-bit signed integer
//	1110LLLL LLLLLLLL <L bytes>   string of up to 4095 bytes
//	11110000 <4-byte LE len> ...  string of up to 2^32-1 bytes
//	11110001 <2 bytes LE>         16-bit signed integer
//	11110010 <3 bytes LE>         24-bit signed integer
//	11110011 <4 bytes LE>         32-bit signed integer
//	11110100 <8 bytes LE>         64-bit signed integer
//	11111111                      end of listpack
//
// A string that is the canonical decimal form of an int64 is stored as
// that integer (lpEncodeGetType), in the smallest integer encoding.

const (
	lpHdrSize       = 6
	lpEOF           = 0xff
	lpNumeleUnknown = 0xffff
)

// parseInt is string2ll / lpStringToInt64: the value of s if s is the
// canonical decimal form of an int64 (no '+', no leading zeros, no "-0",
// at most 20 bytes).
func parseInt(s []byte) (int64, bool) {
	n := len(s)
	if n == 0 || n >= 21 {
		return 0, false
	}
	if n == 1 && s[0] == '0' {
		return 0, true
	}
	i, neg := 0, false
	if s[0] == '-' {
		neg = true
		i++
		if i == n {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > 1<<64-1-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// lpBacklenSize is lpEncodeBacklen's size for an element of l bytes.
func lpBacklenSize(l uint64) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

func lpAppendBacklen(dst []byte, l uint64) []byte {
	switch lpBacklenSize(l) {
	case 1:
		return append(dst, byte(l))
	case 2:
		return append(dst, byte(l>>7), byte(l&127)|128)
	case 3:
		return append(dst, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case 4:
		return append(dst, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
	return append(dst, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
}

// lpIntEncodedSize is the size of v's integer encoding.
func lpIntEncodedSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

// lpAppendInt appends the element holding integer v (lpAppendInteger).
func lpAppendInt(dst []byte, v int64) []byte {
	n := lpIntEncodedSize(v)
	switch n {
	case 1:
		dst = append(dst, byte(v))
	case 2:
		u := uint64(v) & (1<<13 - 1)
		dst = append(dst, byte(u>>8)|0xc0, byte(u))
	case 3:
		u := uint64(v)
		dst = append(dst, 0xf1, byte(u), byte(u>>8))
	case 4:
		u := uint64(v)
		dst = append(dst, 0xf2, byte(u), byte(u>>8), byte(u>>16))
	case 5:
		u := uint64(v)
		dst = append(dst, 0xf3, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	default:
		u := uint64(v)
		dst = append(dst, 0xf4, byte(u), byte(u>>8), byte(u>>16), byte(u>>24),
			byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
	}
	return lpAppendBacklen(dst, uint64(n))
}

// lpAppendStr appends the element holding s (lpAppend): an integer when
// s is a canonical int64, else a string.
func lpAppendStr(dst []byte, s []byte) []byte {
	if v, ok := parseInt(s); ok {
		return lpAppendInt(dst, v)
	}
	n := uint64(len(s))
	var enc uint64
	switch {
	case n < 64:
		dst = append(dst, byte(n)|0x80)
		enc = 1 + n
	case n < 4096:
		dst = append(dst, byte(n>>8)|0xe0, byte(n))
		enc = 2 + n
	default:
		dst = append(dst, 0xf0, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		enc = 5 + n
	}
	dst = append(dst, s...)
	return lpAppendBacklen(dst, enc)
}

// lpElemSize is the bytes lpAppendStr adds for s.
func lpElemSize(s []byte) int {
	if v, ok := parseInt(s); ok {
		n := lpIntEncodedSize(v)
		return n + 1
	}
	n := uint64(len(s))
	var enc uint64
	switch {
	case n < 64:
		enc = 1 + n
	case n < 4096:
		enc = 2 + n
	default:
		enc = 5 + n
	}
	return int(enc) + lpBacklenSize(enc)
}

// lpBegin appends a listpack header to be completed by lpEnd, and returns
// the buffer and the listpack's start.
func lpBegin(dst []byte) ([]byte, int) {
	return append(dst, 0, 0, 0, 0, 0, 0), len(dst)
}

// lpEnd appends the terminator and fills in the header of the listpack of
// n elements that starts at start.
func lpEnd(dst []byte, start, n int) []byte {
	dst = append(dst, lpEOF)
	total := uint32(len(dst) - start)
	dst[start] = byte(total)
	dst[start+1] = byte(total >> 8)
	dst[start+2] = byte(total >> 16)
	dst[start+3] = byte(total >> 24)
	if n >= lpNumeleUnknown {
		n = lpNumeleUnknown
	}
	dst[start+4] = byte(n)
	dst[start+5] = byte(n >> 8)
	return dst
}

// lpElem is one decoded listpack element: a string (s non-nil, or empty
// with isInt false) or an integer.
type lpElem struct {
	s     []byte
	v     int64
	isInt bool
}

// bytes returns the element as Redis returns it to commands: integers in
// decimal, appended to arena (which it returns, grown).
func (e lpElem) bytes(arena []byte) ([]byte, []byte) {
	if !e.isInt {
		return e.s, arena
	}
	start := len(arena)
	arena = strconv.AppendInt(arena, e.v, 10)
	return arena[start:len(arena):len(arena)], arena
}

// lpDecode validates lp as lpValidateIntegrity(lp, len(lp), deep=1) does
// and returns its elements; strings alias lp. It returns a description of
// the first problem instead when lp is not a valid listpack.
func lpDecode(lp []byte) ([]lpElem, string) { return lpDecodeInto(lp, nil) }

// lpDecodeInto is lpDecode appending to buf[:0], to reuse its memory.
func lpDecodeInto(lp []byte, buf []lpElem) ([]lpElem, string) {
	size := len(lp)
	if size < lpHdrSize+1 {
		return nil, "listpack shorter than its header"
	}
	total := int(uint32(lp[0]) | uint32(lp[1])<<8 | uint32(lp[2])<<16 | uint32(lp[3])<<24)
	if total != size {
		return nil, "listpack header says " + strconv.Itoa(total) + " bytes, blob has " + strconv.Itoa(size)
	}
	if lp[size-1] != lpEOF {
		return nil, "listpack does not end with 0xff"
	}
	numele := int(lp[4]) | int(lp[5])<<8
	elems := buf[:0]
	if capHint := min(numele, size/2); cap(elems) < capHint {
		elems = make([]lpElem, 0, capHint)
	}
	p := lpHdrSize
	last := size - 1 // the terminator's offset
	for p < last {
		e, next, ok := lpDecodeAt(lp, p, last)
		if !ok {
			return nil, "listpack element " + strconv.Itoa(len(elems)) + " at +" + strconv.Itoa(p) + " is invalid"
		}
		elems = append(elems, e)
		p = next
	}
	if p != last {
		return nil, "listpack elements overrun its terminator"
	}
	if numele != lpNumeleUnknown && numele != len(elems) {
		return nil, "listpack header counts " + strconv.Itoa(numele) + " elements, it holds " + strconv.Itoa(len(elems))
	}
	return elems, ""
}

// lpDecodeAt decodes the element at p (lpValidateNext then lpGet); last is
// the terminator's offset, which no element may reach.
func lpDecodeAt(lp []byte, p, last int) (lpElem, int, bool) {
	b := lp[p]
	var hdr, dataLen int
	var e lpElem
	switch {
	case b&0x80 == 0:
		e = lpElem{v: int64(b & 0x7f), isInt: true}
		hdr = 1
	case b&0xc0 == 0x80:
		hdr, dataLen = 1, int(b&0x3f)
	case b&0xe0 == 0xc0:
		hdr, dataLen = 1, 1
	case b&0xf0 == 0xe0:
		if p+1 >= last {
			return e, 0, false
		}
		hdr, dataLen = 2, int(b&0xf)<<8|int(lp[p+1])
	case b == 0xf0:
		if p+4 >= last {
			return e, 0, false
		}
		hdr = 5
		l := uint64(lp[p+1]) | uint64(lp[p+2])<<8 | uint64(lp[p+3])<<16 | uint64(lp[p+4])<<24
		if l > uint64(last) {
			return e, 0, false
		}
		dataLen = int(l)
	case b == 0xf1:
		hdr, dataLen = 1, 2
	case b == 0xf2:
		hdr, dataLen = 1, 3
	case b == 0xf3:
		hdr, dataLen = 1, 4
	case b == 0xf4:
		hdr, dataLen = 1, 8
	default:
		return e, 0, false
	}
	encLen := hdr + dataLen
	bl := lpBacklenSize(uint64(encLen))
	end := p + encLen + bl
	if end > last {
		return e, 0, false
	}
	// The back-length, read right to left, must give encLen.
	var val uint64
	shift := uint(0)
	for q := end - 1; ; q-- {
		if q < 0 {
			return e, 0, false
		}
		val |= uint64(lp[q]&127) << shift
		if lp[q]&128 == 0 {
			break
		}
		shift += 7
		if shift > 28 {
			return e, 0, false
		}
	}
	if val != uint64(encLen) {
		return e, 0, false
	}
	d := lp[p+hdr : p+encLen]
	switch {
	case b&0x80 == 0:
	case b&0xc0 == 0x80, b&0xf0 == 0xe0, b == 0xf0:
		e.s = d[:len(d):len(d)]
	case b&0xe0 == 0xc0:
		u := uint64(b&0x1f)<<8 | uint64(d[0])
		e = lpElem{v: signExtend(u, 13), isInt: true}
	default:
		var u uint64
		for i := len(d) - 1; i >= 0; i-- {
			u = u<<8 | uint64(d[i])
		}
		e = lpElem{v: signExtend(u, uint(len(d)*8)), isInt: true}
	}
	return e, end, true
}

func signExtend(u uint64, bits uint) int64 {
	if bits >= 64 {
		return int64(u)
	}
	if u&(1<<(bits-1)) != 0 {
		return int64(u) - int64(1)<<bits
	}
	return int64(u)
}
