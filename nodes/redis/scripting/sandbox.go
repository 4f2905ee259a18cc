package scripting

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// The sandbox gives scripts the global environment of Redis 7.0's EVAL:
// the names below and nothing else, every one of them readonly.
//
// Redis patches Lua with readonly tables; gopher-lua has none, so each
// protected table is an empty proxy whose metatable reads through to the
// real ("backing") table and refuses writes. The functions that could see
// past a proxy (next, pairs, rawget, rawset, setmetatable, getmetatable)
// are replaced by versions that know the proxies. Tables are filled in
// sorted key order: gopher-lua iterates a table in insertion order, so
// pairs() over a library is the same in every run and every process.

// Names of the base library Redis keeps (a sorted list: insertion order is
// iteration order). Those in baseOverrides are replaced.
var baseNames = []string{
	"assert", "collectgarbage", "error", "gcinfo", "getmetatable", "ipairs",
	"load", "loadstring", "next", "pairs", "pcall", "rawequal", "rawget",
	"rawset", "select", "setmetatable", "tonumber", "tostring", "type",
	"unpack", "xpcall",
}

// The functions of each library Redis 7.0 exposes, sorted.
var libNames = []struct {
	name  string
	funcs []string
}{
	{"coroutine", []string{"create", "resume", "running", "status", "wrap", "yield"}},
	{"math", []string{"abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "cosh", "deg", "exp",
		"floor", "fmod", "frexp", "huge", "ldexp", "log", "log10", "max", "min", "mod", "modf",
		"pi", "pow", "rad", "random", "randomseed", "sin", "sinh", "sqrt", "tan", "tanh"}},
	{"string", []string{"byte", "char", "dump", "find", "format", "gfind", "gmatch", "gsub",
		"len", "lower", "match", "rep", "reverse", "sub", "upper"}},
	{"table", []string{"concat", "foreach", "foreachi", "getn", "insert", "maxn", "remove",
		"setn", "sort"}},
}

// gcKB is what collectgarbage("count") and gcinfo() report: a constant, as
// the real figure depends on the Go heap.
const gcKB = 32

const readonlyMsg = "Attempt to modify a readonly table"

type sandbox struct {
	e       *Engine
	L       *lua.LState
	globals *lua.LTable // backing table of _G
	gproxy  *lua.LTable // _G as scripts see it
	gmeta   *lua.LTable // readonly view of _G's metatable, for getmetatable
	strmeta *lua.LTable // readonly view of the string metatable
	backing map[*lua.LTable]*lua.LTable
	cjson   *cjsonLib // the settings of the cjson global

	// originals of replaced base functions
	origSetmetatable *lua.LFunction
	origTostring     *lua.LFunction
	origFormat       *lua.LFunction
	origMatch        *lua.LFunction

	errHandler *lua.LFunction
	addrs      map[lua.LValue]int // tostring ids of tables and functions this run
}

func newSandbox(e *Engine) *sandbox {
	L := e.L
	sb := &sandbox{e: e, L: L, backing: make(map[*lua.LTable]*lua.LTable)}
	for _, open := range []lua.LGFunction{lua.OpenBase, lua.OpenTable, lua.OpenString, lua.OpenMath, lua.OpenCoroutine} {
		L.Push(L.NewFunction(open))
		L.Call(0, 0)
	}
	src := L.Get(lua.GlobalsIndex).(*lua.LTable)
	sb.origSetmetatable = src.RawGetString("setmetatable").(*lua.LFunction)
	sb.origTostring = src.RawGetString("tostring").(*lua.LFunction)

	overrides := map[string]lua.LGFunction{
		"collectgarbage": sb.collectgarbage,
		"error":          sb.error,
		"gcinfo":         func(L *lua.LState) int { L.Push(lua.LNumber(gcKB)); return 1 },
		"getmetatable":   sb.getmetatable,
		"next":           sb.next,
		"pairs":          sb.pairs,
		"pcall":          sb.pcall,
		"rawget":         sb.rawget,
		"rawset":         sb.rawset,
		"setmetatable":   sb.setmetatable,
		"tostring":       sb.tostring,
	}
	libOverrides := map[string]lua.LGFunction{
		"math.random":     e.mathRandom,
		"math.randomseed": e.mathRandomseed,
		"string.format":   sb.format,
		"string.match":    sb.match,
		"table.foreach":   tableForeach,
		"table.foreachi":  tableForeachi,
		"table.setn":      tableSetn,
	}

	// Tables are made at the size they end at (their maps do not grow on
	// the way); a table's pairs order is its insertion order whatever its
	// size. _G holds the base functions, the libraries and the 10 globals
	// set below and in beginRun: _VERSION, redis, bit, cjson, cmsgpack,
	// struct, __redis__err__handler, _G, KEYS and ARGV.
	g := L.CreateTable(0, len(baseNames)+len(libNames)+10)
	sb.globals = g
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	for _, name := range baseNames {
		if fn, ok := overrides[name]; ok {
			g.RawSetString(name, L.NewFunction(fn))
			continue
		}
		g.RawSetString(name, src.RawGetString(name))
	}
	for _, lib := range libNames {
		from := src.RawGetString(lib.name).(*lua.LTable)
		if lib.name == "string" {
			sb.origFormat = from.RawGetString("format").(*lua.LFunction)
			sb.origMatch = from.RawGetString("match").(*lua.LFunction)
		}
		t := L.CreateTable(0, len(lib.funcs))
		for _, f := range lib.funcs {
			if fn := libOverrides[lib.name+"."+f]; fn != nil {
				t.RawSetString(f, L.NewFunction(fn))
				continue
			}
			v := from.RawGetString(f)
			switch lib.name + "." + f {
			case "string.gfind":
				v = from.RawGetString("gmatch")
			case "math.mod":
				v = from.RawGetString("fmod")
			}
			t.RawSetString(f, v)
		}
		if lib.name == "string" {
			// ("x"):upper() must find the sandbox's string table.
			if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
				mt.RawSetString("__index", t)
				sb.strmeta = sb.protect(mt)
			}
		}
		g.RawSetString(lib.name, sb.protect(t))
	}
	g.RawSetString("redis", sb.protect(newRedisLib(e)))
	g.RawSetString("bit", sb.protect(newBitLib(L)))
	cjsonTable, cjson := newCJSON(sb, L.NewUserData())
	sb.cjson = cjson
	g.RawSetString("cjson", sb.protect(cjsonTable))
	g.RawSetString("cmsgpack", sb.protect(newCMsgpackLib(sb)))
	g.RawSetString("struct", sb.protect(newStructLib(L)))
	sb.errHandler = L.NewFunction(e.errHandler)
	if e.mode == modeEval {
		// EVAL's error handler is a global (functions keep theirs in the
		// registry, out of reach).
		g.RawSetString("__redis__err__handler", sb.errHandler)
	}

	// _G: reads of a missing name fail, writes fail, and _G._G is _G.
	gmt := L.CreateTable(0, 1)
	gmt.RawSetString("__index", L.NewFunction(missingGlobal))
	g.Metatable = gmt
	sb.gproxy = sb.protect(g)
	sb.gmeta = sb.protect(gmt)
	g.RawSetString("_G", sb.gproxy)

	L.Env = sb.gproxy
	L.G.Global = g
	return sb
}

// protect returns a readonly proxy of t.
func (sb *sandbox) protect(t *lua.LTable) *lua.LTable {
	L := sb.L
	mt := L.CreateTable(0, 2)
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(readonlyWrite))
	p := L.NewTable()
	p.Metatable = mt
	sb.backing[p] = t
	return p
}

// beginRun resets the per-run globals: fresh KEYS and ARGV tables (in
// eval mode; functions get theirs as arguments).
func (sb *sandbox) beginRun(keys, argv [][]byte) {
	if sb.e.mode == modeEval {
		sb.globals.RawSetString("KEYS", sb.stringArray(keys))
		sb.globals.RawSetString("ARGV", sb.stringArray(argv))
	}
	sb.addrs = nil
	sb.cjson.reset()
}

func (sb *sandbox) stringArray(a [][]byte) *lua.LTable {
	t := sb.L.CreateTable(len(a), 0)
	for i, b := range a {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// readonlyWrite is the __newindex of protected tables; like Redis's VM
// check it reports the position of the write.
func readonlyWrite(L *lua.LState) int {
	L.RaiseError(readonlyMsg)
	return 0
}

// missingGlobal is the __index of _G (luaProtectedTableError).
func missingGlobal(L *lua.LState) int {
	k := L.Get(2)
	if k.Type() != lua.LTString && k.Type() != lua.LTNumber {
		L.RaiseError("Second argument to luaProtectedTableError must be a string or number")
	}
	L.RaiseError("Script attempted to access nonexistent global variable '%s'", luaToString(k))
	return 0
}

// raw returns the table behind a proxy, or t itself.
func (sb *sandbox) raw(t *lua.LTable) *lua.LTable {
	if b, ok := sb.backing[t]; ok {
		return b
	}
	return t
}

func (sb *sandbox) next(L *lua.LState) int {
	t := sb.raw(L.CheckTable(1))
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

func (sb *sandbox) pairs(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(sb.globals.RawGetString("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

func (sb *sandbox) rawget(L *lua.LState) int {
	t := sb.raw(L.CheckTable(1))
	L.Push(t.RawGet(L.CheckAny(2)))
	return 1
}

func (sb *sandbox) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	k := L.CheckAny(2)
	v := L.CheckAny(3)
	if _, ok := sb.backing[t]; ok {
		L.Error(lua.LString(readonlyMsg), 0)
	}
	t.RawSet(k, v)
	L.SetTop(1)
	return 1
}

func (sb *sandbox) setmetatable(L *lua.LState) int {
	if t, ok := L.Get(1).(*lua.LTable); ok {
		if _, isProxy := sb.backing[t]; isProxy {
			L.Error(lua.LString(readonlyMsg), 0)
		}
	}
	top := L.GetTop()
	L.Push(sb.origSetmetatable)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, 1)
	return 1
}

func (sb *sandbox) getmetatable(L *lua.LState) int {
	v := L.CheckAny(1)
	switch t := v.(type) {
	case *lua.LTable:
		if t == sb.gproxy {
			L.Push(sb.gmeta)
			return 1
		}
		if _, isProxy := sb.backing[t]; isProxy {
			L.Push(lua.LNil)
			return 1
		}
	case lua.LString:
		if sb.strmeta != nil {
			L.Push(sb.strmeta)
			return 1
		}
	}
	mt := L.GetMetatable(v)
	if mtt, ok := mt.(*lua.LTable); ok {
		if p := mtt.RawGetString("__metatable"); p != lua.LNil {
			L.Push(p)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func (sb *sandbox) collectgarbage(L *lua.LState) int {
	switch L.OptString(1, "collect") {
	case "count":
		L.Push(lua.LNumber(gcKB))
	case "step":
		L.Push(lua.LFalse)
	default:
		L.Push(lua.LNumber(0))
	}
	return 1
}

// tostring formats numbers as Lua 5.1 does ("%.14g") and gives tables and
// functions addresses numbered by first appearance in the run, so that the
// text does not depend on the Go heap.
func (sb *sandbox) tostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if s, ok := sb.toStringValue(v); ok {
		L.Push(lua.LString(s))
		return 1
	}
	L.Push(sb.origTostring)
	L.Push(v)
	L.Call(1, 1)
	return 1
}

// toStringValue is tostring for the values whose gopher-lua text differs
// from Lua 5.1's; ok is false for the others.
func (sb *sandbox) toStringValue(v lua.LValue) (string, bool) {
	switch t := v.(type) {
	case lua.LNumber:
		return formatNumber14(float64(t)), true
	case *lua.LTable:
		if mt, ok := t.Metatable.(*lua.LTable); ok && mt.RawGetString("__tostring") != lua.LNil {
			return "", false
		}
		return "table: " + sb.addr(v), true
	case *lua.LFunction:
		if t.IsG {
			return "builtin: " + sb.addr(v), true
		}
		return "function: " + sb.addr(v), true
	case *lua.LState:
		return "thread: " + sb.addr(v), true
	case *lua.LUserData:
		return "userdata: " + sb.addr(v), true
	}
	return "", false
}

func (sb *sandbox) addr(v lua.LValue) string {
	if sb.addrs == nil {
		sb.addrs = make(map[lua.LValue]int)
	}
	id, ok := sb.addrs[v]
	if !ok {
		id = len(sb.addrs) + 1
		sb.addrs[v] = id
	}
	return "0x" + strconv.FormatInt(0x10000+int64(id)*0x40, 16)
}

// format is string.format with %s and %q arguments that are numbers,
// tables or functions turned into text first, by tostring's rules.
func (sb *sandbox) format(L *lua.LState) int {
	f := L.CheckString(1)
	top := L.GetTop()
	arg := 2
	for i := 0; i < len(f) && arg <= top; i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0' || f[i] == '.' || (f[i] >= '1' && f[i] <= '9')) {
			i++
		}
		if i < len(f) && (f[i] == 's' || f[i] == 'q') {
			if s, ok := sb.toStringValue(L.Get(arg)); ok {
				L.Replace(arg, lua.LString(s))
			}
		}
		arg++
	}
	L.Insert(sb.origFormat, 1)
	L.Call(top, 1)
	return 1
}

func tableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	fn := L.CheckFunction(2)
	k, v := t.Next(lua.LNil)
	for k != lua.LNil {
		L.Push(fn)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
		k, v = t.Next(k)
	}
	return 0
}

func tableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	fn := L.CheckFunction(2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(fn)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableSetn(L *lua.LState) int {
	L.CheckTable(1)
	L.RaiseError("'setn' is obsolete")
	return 0
}

// match is string.match as Lua 5.1's: no match is one nil. gopher-lua's
// returns no value at all, which tostring(string.match(s, p)) and
// table.insert(t, string.match(s, p)) tell apart.
func (sb *sandbox) match(L *lua.LState) int {
	if n := sb.origMatch.GFunction(L); n > 0 {
		return n
	}
	L.Push(lua.LNil)
	return 1
}
