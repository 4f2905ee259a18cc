package scripting

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct library is Roberto Ierusalimschy's lua-struct as Redis 7.0
// bundles it (deps/lua/src/lua_struct.c), with the sizes of x86-64 Linux:
// b/B 1, h/H 2, i/I 4 (or iN, up to 32), l/L and T 8, f 4, d 8, x one
// padding byte, cN a fixed string (c0: the whole string, or in unpack the
// size read just before), s a zero-terminated string; '<' '>' set the
// byte order (little-endian by default), '!N' the alignment (1 by default,
// '!' alone 8), spaces are ignored.
//
// The C code's corner cases are kept: integers are 64-bit, so iN beyond 8
// bytes packs zeros (not the sign) in the high bytes and unpacks only the
// low 8 bytes, with the sign mask x86's shift gives; doubles out of range
// convert to integers as x86-64 does; "string too short" names the
// argument after the string; struct.size accepts unknown letters as size
// 0; a negative offset to unpack wraps around, as size_t does.

type structHeader struct {
	little bool
	align  uint64
}

// structMaxAlign is MAXALIGN: the alignment of a double on x86-64.
const structMaxAlign = 8

func newStructLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("size", L.NewFunction(structSize))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	return t
}

// structFormat is a format string being read; like the C code it ends at
// the first NUL byte.
type structFormat struct {
	s     string
	i     int
	fname string
}

func newStructFormat(L *lua.LState, fname string) *structFormat {
	s := checkLString(L, 1, fname)
	if nul := strings.IndexByte(s, 0); nul >= 0 {
		s = s[:nul]
	}
	return &structFormat{s: s, fname: fname}
}

func (f *structFormat) more() bool { return f.i < len(f.s) }

func (f *structFormat) next() byte {
	c := f.s[f.i]
	f.i++
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// getnum reads a decimal number, or returns def when there is none.
func (f *structFormat) getnum(L *lua.LState, def int) int {
	if !f.more() || !isDigit(f.s[f.i]) {
		return def
	}
	a := 0
	for f.more() && isDigit(f.s[f.i]) {
		d := int(f.s[f.i] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		f.i++
	}
	return a
}

// optsize is the size of option opt (reading its number, if any).
func (f *structFormat) optsize(L *lua.LState, opt byte) uint64 {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'x':
		return 1
	case 'c':
		return uint64(f.getnum(L, 1))
	case 'i', 'I':
		sz := f.getnum(L, 4)
		if sz > 32 {
			L.RaiseError("integral size %d is larger than limit of %d", sz, 32)
		}
		return uint64(sz)
	}
	return 0
}

// gettoalign is the padding that aligns an item of this size at len.
func gettoalign(n uint64, h *structHeader, opt byte, size uint64) uint64 {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

// control handles the options that are not items.
func (f *structFormat) control(L *lua.LState, opt byte, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.little = false
	case '<':
		h.little = true
	case '!':
		a := f.getnum(L, structMaxAlign)
		if a <= 0 || a&(a-1) != 0 {
			L.RaiseError("alignment %d is not a power of 2", a)
		}
		h.align = uint64(a)
	default:
		argError(L, 1, f.fname, "invalid format option '"+string([]byte{opt})+"'")
	}
}

func isIntOption(opt byte) bool { return strings.IndexByte("bBhHlLTiI", opt) >= 0 }

// structPack is struct.pack(fmt, ...).
func structPack(L *lua.LState) int {
	f := newStructFormat(L, "pack")
	h := &structHeader{little: true, align: 1}
	arg := 2
	var buf []byte
	total := uint64(0)
	for f.more() {
		opt := f.next()
		size := f.optsize(L, opt)
		pad := gettoalign(total, h, opt, size)
		total += pad
		for ; pad > 0; pad-- {
			buf = append(buf, 0)
		}
		if arg == L.GetTop()+1 && opt != 'x' && (isIntOption(opt) || strings.IndexByte("fdcs", opt) >= 0) {
			// The C code pushes a nil after the arguments, which a
			// missing one then reads as.
			L.Push(lua.LNil)
		}
		switch {
		case isIntOption(opt):
			buf = putInteger(buf, checkNumber(L, arg, "pack"), h.little, int(size))
			arg++
		case opt == 'x':
			buf = append(buf, 0)
		case opt == 'f':
			bits := math.Float32bits(float32(checkNumber(L, arg, "pack")))
			arg++
			buf = appendUint(buf, uint64(bits), 4, h.little)
		case opt == 'd':
			bits := math.Float64bits(checkNumber(L, arg, "pack"))
			arg++
			buf = appendUint(buf, bits, 8, h.little)
		case opt == 'c' || opt == 's':
			s := checkLString(L, arg, "pack")
			arg++
			if size == 0 {
				size = uint64(len(s))
			}
			if uint64(len(s)) < size {
				argError(L, arg, "pack", "string too short")
			}
			buf = append(buf, s[:size]...)
			if opt == 's' {
				buf = append(buf, 0)
				size++
			}
		default:
			f.control(L, opt, h)
		}
		total += size
	}
	L.Push(lua.LString(buf))
	return 1
}

// putInteger is putinteger: the number as a 64-bit integer, written in
// size bytes (bytes past the eighth are zero).
func putInteger(buf []byte, n float64, little bool, size int) []byte {
	var v uint64
	if n < 0 {
		v = uint64(toInt64(n))
	} else {
		v = toUint64(n)
	}
	return appendUint(buf, v, size, little)
}

func appendUint(buf []byte, v uint64, size int, little bool) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, size)...)
	b := buf[start:]
	for i := 0; i < size; i++ {
		j := size - 1 - i
		if little {
			j = i
		}
		b[j] = byte(v)
		v >>= 8
	}
	return buf
}

// getInteger is getinteger: only the last 8 bytes read survive the
// shifts, and the sign mask of sizes past 8 is what x86's shift (count
// modulo 64) makes of it.
func getInteger(b string, little, signed bool) float64 {
	var l uint64
	size := len(b)
	for i := 0; i < size; i++ {
		j := i
		if little {
			j = size - 1 - i
		}
		l = l<<8 | uint64(b[j])
	}
	if !signed {
		return float64(l)
	}
	mask := ^uint64(0) << (uint(size*8-1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

// structUnpack is struct.unpack(fmt, data [, pos]): the values, then the
// position after them.
func structUnpack(L *lua.LState) int {
	f := newStructFormat(L, "unpack")
	data := checkLString(L, 2, "unpack")
	ld := uint64(len(data))
	pos := uint64(optInt64(L, 3, 1, "unpack"))
	if pos == 0 {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	pos--
	h := &structHeader{little: true, align: 1}
	top := L.GetTop()
	var out []lua.LValue
	tooShort := func(size uint64) {
		if !(size <= ld && pos <= ld-size) {
			argError(L, 2, "unpack", "data string too short")
		}
	}
	for f.more() {
		opt := f.next()
		size := f.optsize(L, opt)
		pos += gettoalign(pos, h, opt, size)
		tooShort(size)
		if top+len(out)+2 > luaStackLimit {
			L.RaiseError("stack overflow (too many results)")
		}
		switch {
		case isIntOption(opt):
			signed := opt >= 'a' && opt <= 'z'
			out = append(out, lua.LNumber(getInteger(data[pos:pos+size], h.little, signed)))
		case opt == 'x':
		case opt == 'f':
			bits := uint32(getInteger(data[pos:pos+4], h.little, false))
			out = append(out, lua.LNumber(math.Float32frombits(bits)))
		case opt == 'd':
			var b [8]byte
			copy(b[:], data[pos:pos+8])
			bits := binary.BigEndian.Uint64(b[:])
			if h.little {
				bits = binary.LittleEndian.Uint64(b[:])
			}
			out = append(out, lua.LNumber(math.Float64frombits(bits)))
		case opt == 'c':
			if size == 0 {
				var prev float64
				ok := false
				if len(out) > 0 {
					prev, ok = toNumber(out[len(out)-1])
				}
				if !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = toUint64(prev)
				out = out[:len(out)-1]
				tooShort(size)
			}
			out = append(out, lua.LString(data[pos:pos+size]))
		case opt == 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = uint64(e) + 1
			out = append(out, lua.LString(data[pos:pos+size-1]))
		default:
			f.control(L, opt, h)
		}
		pos += size
	}
	for _, v := range out {
		L.Push(v)
	}
	L.Push(lua.LNumber(int64(pos + 1)))
	return len(out) + 1
}

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// structSize is struct.size(fmt).
func structSize(L *lua.LState) int {
	f := newStructFormat(L, "size")
	h := &structHeader{little: true, align: 1}
	pos := uint64(0)
	for f.more() {
		opt := f.next()
		size := f.optsize(L, opt)
		pos += gettoalign(pos, h, opt, size)
		if opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(L, opt, h)
		}
		pos += size
	}
	L.Push(lua.LNumber(int64(pos)))
	return 1
}
