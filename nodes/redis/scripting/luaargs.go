package scripting

import (
	lua "github.com/yuin/gopher-lua"
)

// Argument checks of Lua 5.1's C API (lauxlib), which the libraries Redis
// bundles (cmsgpack, struct) use. A string that reads as a number passes
// for a number, and a number passes for a string (as "%.14g"), as in Lua.

// luaStackLimit is LUAI_MAXCSTACK: how many values a C function may keep on
// its Lua stack; lua_checkstack fails beyond it, and the libraries turn
// that failure into a "stack overflow (...)" error.
const luaStackLimit = 8000

// toNumber is lua_tonumber: the number a value reads as, and whether it
// reads as one.
func toNumber(v lua.LValue) (float64, bool) {
	switch t := v.(type) {
	case lua.LNumber:
		return float64(t), true
	case lua.LString:
		if n, err := parseLuaNumber(string(t)); err == nil {
			return n, true
		}
	}
	return 0, false
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, fname, "number")
	}
	return f
}

// checkLString is luaL_checklstring.
func checkLString(L *lua.LState, n int, fname string) string {
	switch t := L.Get(n).(type) {
	case lua.LString:
		return string(t)
	case lua.LNumber:
		return formatNumber14(float64(t))
	}
	typeError(L, n, fname, "string")
	return ""
}

// checkInt64 is luaL_checkinteger: the number truncated to 64 bits as the
// C cast does on x86-64.
func checkInt64(L *lua.LState, n int, fname string) int64 {
	return toInt64(checkNumber(L, n, fname))
}

// optInt64 is luaL_optinteger.
func optInt64(L *lua.LState, n int, def int64, fname string) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInt64(L, n, fname)
}

// toUint64 is the C conversion of a double to an unsigned 64-bit integer
// as gcc compiles it for x86-64: values from 2^63 up go through a
// subtraction of 2^63 and a flipped top bit, and the out-of-range and NaN
// cases keep what cvttsd2si gives them (the "integer indefinite").
func toUint64(f float64) uint64 {
	const two63 = 1 << 63
	if f >= two63 {
		return uint64(toInt64(f-two63)) ^ (1 << 63)
	}
	return uint64(toInt64(f))
}
