package scripting

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library is lua-cmsgpack 0.4.0 as Redis 7.0 bundles it
// (deps/lua/src/lua_cmsgpack.c), rule for rule:
//
//   - a number that a 64-bit integer holds exactly is packed as the
//     smallest integer format, any other number as a float 32 when a float
//     holds it exactly (1.5, inf) and as a float 64 otherwise (0.1, NaN);
//   - a table whose keys are exactly 1..n is an array, any other table a
//     map (an empty table is an empty array); tables nested 16 deep are
//     packed as nil, which is how the library survives cycles;
//   - booleans are booleans, strings are raw strings (str 8/16/32), and
//     everything else (functions, cjson.null...) is nil;
//   - unpacking knows no bin, ext or fixext types ("Bad data format");
//     unsigned 64-bit values above 2^63-1 come back negative, as
//     lua_pushinteger wraps them; a nil map key fails with "table index is
//     nil", as lua_settable does;
//   - unpacking keeps every value on the Lua stack, so more than 7999
//     values, or nesting about 4000 deep, fail with Lua's "stack overflow
//     (...)" errors at the same counts as in Redis.
//
// One difference: a map is packed in the order pairs() visits its keys,
// which in gopher-lua is insertion order and in Lua 5.1 the hash order.

const (
	msgpackMaxNesting  = 16
	msgpackName        = "cmsgpack"
	msgpackVersion     = "lua-cmsgpack 0.4.0"
	msgpackCopyright   = "Copyright (C) 2012, Salvatore Sanfilippo"
	msgpackDescription = "MessagePack C implementation for Lua"
)

// newCMsgpackLib builds the cmsgpack table, its keys in sorted order.
func newCMsgpackLib(sb *sandbox) *lua.LTable {
	L := sb.L
	t := L.NewTable()
	t.RawSetString("_COPYRIGHT", lua.LString(msgpackCopyright))
	t.RawSetString("_DESCRIPTION", lua.LString(msgpackDescription))
	t.RawSetString("_NAME", lua.LString(msgpackName))
	t.RawSetString("_VERSION", lua.LString(msgpackVersion))
	t.RawSetString("pack", L.NewFunction(sb.msgpackPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 0, 0, "unpack")
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := checkInt64(L, 2, "unpack_limit")
		offset := optInt64(L, 3, 0, "unpack_limit")
		L.SetTop(1)
		return msgpackUnpack(L, limit, offset, "unpack_limit")
	}))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		offset := optInt64(L, 2, 0, "unpack_one")
		L.SetTop(1)
		return msgpackUnpack(L, 1, offset, "unpack_one")
	}))
	return t
}

// msgpackPack is cmsgpack.pack(...): every argument packed, one after the
// other.
func (sb *sandbox) msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	if 2*n > luaStackLimit {
		argError(L, 0, "pack", "Too many arguments for MessagePack pack.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = sb.msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func (sb *sandbox) msgpackEncode(buf []byte, v lua.LValue, level int) []byte {
	switch t := v.(type) {
	case lua.LString:
		return msgpackBytes(buf, string(t))
	case lua.LBool:
		if t {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		return msgpackNumber(buf, float64(t))
	case *lua.LTable:
		if level == msgpackMaxNesting {
			return append(buf, 0xc0)
		}
		return sb.msgpackTable(buf, sb.raw(t), level)
	}
	return append(buf, 0xc0)
}

func msgpackBytes(buf []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		buf = append(buf, 0xa0|byte(n))
	case n <= 0xff:
		buf = append(buf, 0xd9, byte(n))
	case n <= 0xffff:
		buf = append(buf, 0xda)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, 0xdb)
		buf = binary.BigEndian.AppendUint32(buf, uint32(n))
	}
	return append(buf, s...)
}

func msgpackNumber(buf []byte, f float64) []byte {
	if !math.IsInf(f, 0) && float64(toInt64(f)) == f {
		return msgpackInt(buf, toInt64(f))
	}
	if f32 := float32(f); float64(f32) == f {
		buf = append(buf, 0xca)
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(f32))
	}
	buf = append(buf, 0xcb)
	return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
}

func msgpackInt(buf []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 127:
		return append(buf, byte(n))
	case n >= 0 && n <= 0xff:
		return append(buf, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	case n >= -32:
		return append(buf, byte(int8(n)))
	case n >= -128:
		return append(buf, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

func msgpackArrayHeader(buf []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(buf, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(buf, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(buf, b32), uint32(n))
}

func (sb *sandbox) msgpackTable(buf []byte, t *lua.LTable, level int) []byte {
	if n, ok := msgpackArrayLen(t); ok {
		buf = msgpackArrayHeader(buf, n, 0x90, 0xdc, 0xdd)
		for i := 1; i <= n; i++ {
			buf = sb.msgpackEncode(buf, t.RawGetInt(i), level+1)
		}
		return buf
	}
	n := 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n++
	}
	buf = msgpackArrayHeader(buf, n, 0x80, 0xde, 0xdf)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		buf = sb.msgpackEncode(buf, k, level+1)
		buf = sb.msgpackEncode(buf, v, level+1)
	}
	return buf
}

// msgpackArrayLen is table_is_an_array: every key a positive number that
// a C int holds exactly, and as many keys as the largest one.
func msgpackArrayLen(t *lua.LTable) (int, bool) {
	count, max := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n <= 0 || n > math.MaxInt32 || math.Trunc(float64(n)) != float64(n) {
			return 0, false
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	}
	return count, max == count
}

// Decoding errors kept in the cursor, as mp_cur's err.
const (
	mpOK = iota
	mpEOF
	mpBadFormat
)

type msgpackDecoder struct {
	L     *lua.LState
	s     string
	pos   int
	err   int
	slots int // values on the Lua stack of the C function, as Redis counts them
}

// msgpackUnpack is mp_unpack_full: limit 0 and offset 0 decode the whole
// string and return the values alone; otherwise at most limit values from
// offset, preceded by the offset of the next value (-1 at the end).
func msgpackUnpack(L *lua.LState, limit, offset int64, fname string) int {
	s := checkLString(L, 1, fname)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", int32(offset), int32(len(s)))
	}
	if offset > int64(len(s)) {
		L.RaiseError("Start offset %d greater than input length %d.", int32(offset), int32(len(s)))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	d := &msgpackDecoder{L: L, s: s, pos: int(offset), slots: L.GetTop()}
	var out []lua.LValue
	for cnt := int64(0); d.pos < len(s) && cnt < limit; cnt++ {
		v := d.value()
		switch d.err {
		case mpEOF:
			L.RaiseError("Missing bytes in input.")
		case mpBadFormat:
			L.RaiseError("Bad data format in input.")
		}
		out = append(out, v)
	}
	if !decodeAll {
		next := int64(d.pos)
		if d.pos >= len(s) {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if decodeAll {
		return len(out)
	}
	return len(out) + 1
}

// need reports whether n more bytes are there, and records EOF if not.
func (d *msgpackDecoder) need(n int) bool {
	if len(d.s)-d.pos < n {
		d.err = mpEOF
		return false
	}
	return true
}

func (d *msgpackDecoder) checkStack(msg string) {
	if d.slots+1 > luaStackLimit {
		d.L.RaiseError("stack overflow (%s)", msg)
	}
}

// value decodes one value; it counts the value as pushed (d.slots) when it
// succeeds.
func (d *msgpackDecoder) value() lua.LValue {
	if !d.need(1) {
		return lua.LNil
	}
	d.checkStack("too many return values at once; use unpack_one or unpack_limit instead.")
	v := d.decode()
	if d.err == mpOK {
		d.slots++
	}
	return v
}

func (d *msgpackDecoder) u8(i int) uint64 { return uint64(d.s[d.pos+i]) }

func (d *msgpackDecoder) be(n int) uint64 {
	var x uint64
	for i := 1; i <= n; i++ {
		x = x<<8 | d.u8(i)
	}
	return x
}

func (d *msgpackDecoder) decode() lua.LValue {
	c := d.s[d.pos]
	fixed := func(n int, v func() lua.LValue) lua.LValue {
		if !d.need(n) {
			return lua.LNil
		}
		r := v()
		d.pos += n
		return r
	}
	switch c {
	case 0xcc:
		return fixed(2, func() lua.LValue { return lua.LNumber(d.u8(1)) })
	case 0xd0:
		return fixed(2, func() lua.LValue { return lua.LNumber(int8(d.u8(1))) })
	case 0xcd:
		return fixed(3, func() lua.LValue { return lua.LNumber(d.be(2)) })
	case 0xd1:
		return fixed(3, func() lua.LValue { return lua.LNumber(int16(d.be(2))) })
	case 0xce:
		return fixed(5, func() lua.LValue { return lua.LNumber(d.be(4)) })
	case 0xd2:
		return fixed(5, func() lua.LValue { return lua.LNumber(int32(d.be(4))) })
	case 0xcf, 0xd3:
		// lua_pushinteger takes a signed 64-bit integer either way.
		return fixed(9, func() lua.LValue { return lua.LNumber(int64(d.be(8))) })
	case 0xc0:
		d.pos++
		return lua.LNil
	case 0xc3:
		d.pos++
		return lua.LTrue
	case 0xc2:
		d.pos++
		return lua.LFalse
	case 0xca:
		return fixed(5, func() lua.LValue { return lua.LNumber(math.Float32frombits(uint32(d.be(4)))) })
	case 0xcb:
		return fixed(9, func() lua.LValue { return lua.LNumber(math.Float64frombits(d.be(8))) })
	case 0xd9, 0xda, 0xdb:
		hdr := 1 << (c - 0xd9) // 1, 2 or 4 length bytes
		if !d.need(1 + hdr) {
			return lua.LNil
		}
		n := d.be(hdr)
		if uint64(len(d.s)-d.pos-1-hdr) < n {
			d.err = mpEOF
			return lua.LNil
		}
		start := d.pos + 1 + hdr
		d.pos = start + int(n)
		return lua.LString(d.s[start:d.pos])
	case 0xdc, 0xdd, 0xde, 0xdf:
		hdr := 2
		if c == 0xdd || c == 0xdf {
			hdr = 4
		}
		if !d.need(1 + hdr) {
			return lua.LNil
		}
		n := d.be(hdr)
		d.pos += 1 + hdr
		if c == 0xdc || c == 0xdd {
			return d.array(n)
		}
		return d.hash(n)
	}
	switch {
	case c&0x80 == 0:
		d.pos++
		return lua.LNumber(c)
	case c&0xe0 == 0xe0:
		d.pos++
		return lua.LNumber(int8(c))
	case c&0xe0 == 0xa0:
		n := int(c & 0x1f)
		if !d.need(1 + n) {
			return lua.LNil
		}
		start := d.pos + 1
		d.pos = start + n
		return lua.LString(d.s[start:d.pos])
	case c&0xf0 == 0x90:
		d.pos++
		return d.array(uint64(c & 0xf))
	case c&0xf0 == 0x80:
		d.pos++
		return d.hash(uint64(c & 0xf))
	}
	d.err = mpBadFormat
	return lua.LNil
}

func (d *msgpackDecoder) array(n uint64) lua.LValue {
	t := d.L.NewTable()
	d.slots++ // the table
	d.checkStack("in function mp_decode_to_lua_array")
	for i := uint64(1); i <= n; i++ {
		d.slots++ // the index
		v := d.value()
		if d.err != mpOK {
			return lua.LNil
		}
		t.RawSetInt(int(i), v)
		d.slots -= 2
	}
	d.slots--
	return t
}

func (d *msgpackDecoder) hash(n uint64) lua.LValue {
	t := d.L.NewTable()
	d.slots++
	for ; n > 0; n-- {
		k := d.value()
		if d.err != mpOK {
			return lua.LNil
		}
		v := d.value()
		if d.err != mpOK {
			return lua.LNil
		}
		switch kn := k.(type) {
		case *lua.LNilType:
			d.L.Error(lua.LString("table index is nil"), 0)
		case lua.LNumber:
			if math.IsNaN(float64(kn)) {
				d.L.Error(lua.LString("table index is NaN"), 0)
			}
		}
		t.RawSet(k, v)
		d.slots -= 2
	}
	d.slots--
	return t
}
