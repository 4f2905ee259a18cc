package scripting

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// The bit library is LuaBitOp 1.0.2 as Redis 7.0 bundles it: 32-bit
// operations on Lua numbers, whose results are signed 32-bit integers.

// newBitLib builds the bit table, its keys in sorted order.
func newBitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fn := func(k string, f lua.LGFunction) { t.RawSetString(k, L.NewFunction(f)) }
	fn("arshift", bitShift("arshift", func(b, n uint32) uint32 { return uint32(int32(b) >> n) }))
	fn("band", bitOp("band", func(a, b uint32) uint32 { return a & b }))
	fn("bnot", func(L *lua.LState) int { return bitRet(L, ^bitArg(L, 1, "bnot")) })
	fn("bor", bitOp("bor", func(a, b uint32) uint32 { return a | b }))
	fn("bswap", func(L *lua.LState) int { return bitRet(L, bits.ReverseBytes32(bitArg(L, 1, "bswap"))) })
	fn("bxor", bitOp("bxor", func(a, b uint32) uint32 { return a ^ b }))
	fn("lshift", bitShift("lshift", func(b, n uint32) uint32 { return b << n }))
	fn("rol", bitShift("rol", func(b, n uint32) uint32 { return bits.RotateLeft32(b, int(n)) }))
	fn("ror", bitShift("ror", func(b, n uint32) uint32 { return bits.RotateLeft32(b, -int(n)) }))
	fn("rshift", bitShift("rshift", func(b, n uint32) uint32 { return b >> n }))
	fn("tobit", func(L *lua.LState) int { return bitRet(L, bitArg(L, 1, "tobit")) })
	fn("tohex", bitTohex)
	return t
}

// bitArg is LuaBitOp's barg for Lua 5.1: lua_tonumber of the argument,
// brought to 32 bits by adding 2^52+2^51 and keeping the low word of the
// double (rounding to nearest even, modulo 2^32); an argument that is not
// a number and gives 0 is an error.
func bitArg(L *lua.LState, i int, fname string) uint32 {
	var f float64
	isNum := false
	switch v := L.Get(i).(type) {
	case lua.LNumber:
		f, isNum = float64(v), true
	case lua.LString:
		if n, err := parseLuaNumber(string(v)); err == nil {
			f, isNum = n, true
		}
	}
	b := uint32(math.Float64bits(f + 6755399441055744.0))
	if b == 0 && !isNum {
		typeError(L, i, fname, "number")
	}
	return b
}

func bitRet(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(int32(b)))
	return 1
}

// bitOp is band, bor and bxor: the first argument, then the others from
// the last one down, as LuaBitOp reads them.
func bitOp(fname string, op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, fname)
		for i := L.GetTop(); i > 1; i-- {
			b = op(b, bitArg(L, i, fname))
		}
		return bitRet(L, b)
	}
}

func bitShift(fname string, op func(b, n uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, fname)
		n := bitArg(L, 2, fname) & 31
		return bitRet(L, op(b, n))
	}
}

// bitTohex is bit.tohex(x [, n]): the low n hex digits of x (8 by default,
// at most 8), upper case when n is negative.
func bitTohex(L *lua.LState) int {
	b := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n == math.MinInt32 {
		n = 8 // what redis 7.0.15 replies (LuaBitOp itself would overflow)
	}
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
