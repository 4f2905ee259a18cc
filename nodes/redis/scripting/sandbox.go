package scripting

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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
	origResume       *lua.LFunction

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
	sb.origResume = src.RawGetString("coroutine").(*lua.LTable).RawGetString("resume").(*lua.LFunction)

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
		"tonumber":       baseTonumber,
	}
	libOverrides := map[string]lua.LGFunction{
		"math.random":      e.mathRandom,
		"math.randomseed":  e.mathRandomseed,
		"string.format":    sb.format,
		"string.char":      strChar,
		"coroutine.resume": sb.coroutineResume,
		"string.find":      sb.strFind,
		"string.match":     sb.strMatch,
		"string.gmatch":    sb.strGmatch,
		"string.gfind":     sb.strGmatch,
		"string.gsub":      sb.strGsub,
		"string.lower":     strLower,
		"string.upper":     strUpper,
		"table.foreach":    tableForeach,
		"table.foreachi":   tableForeachi,
		"table.setn":       tableSetn,
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
		v := src.RawGetString(name)
		if at, ok := intArgs[name]; ok {
			v = L.NewFunction(coerceInts(v.(*lua.LFunction), 0, at...))
		}
		g.RawSetString(name, v)
	}
	for _, lib := range libNames {
		from := src.RawGetString(lib.name).(*lua.LTable)
		if lib.name == "string" {
			sb.origFormat = from.RawGetString("format").(*lua.LFunction)
		}
		t := L.CreateTable(0, len(lib.funcs))
		for _, f := range lib.funcs {
			if fn := libOverrides[lib.name+"."+f]; fn != nil {
				t.RawSetString(f, L.NewFunction(fn))
				continue
			}
			v := from.RawGetString(f)
			if at, ok := intArgs[lib.name+"."+f]; ok {
				minTop := 0
				if lib.name+"."+f == "table.insert" {
					minTop = 3
				}
				v = L.NewFunction(coerceInts(v.(*lua.LFunction), minTop, at...))
			}
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
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		// luaL_checktype: gopher-lua's sets the metatable of any type.
		typeError(L, 1, "setmetatable", "table")
	}
	if _, isProxy := sb.backing[t]; isProxy {
		L.Error(lua.LString(readonlyMsg), 0)
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
		if v == sb.cjson.null {
			// cjson.null is Lua's NULL light userdata, which %p prints so.
			return "userdata: (nil)", true
		}
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

// format is Lua 5.1's string.format (str_format): each item's flags,
// width and precision (two digits at most) are handed to C's sprintf,
// whose text is kept up to its first NUL byte; %d and %i take the number
// cast to a long, %o %u %x %X to an unsigned long, %c to an int; %s takes
// a string or a number, whole when it has no precision and 100 bytes or
// more; %q quotes as Lua reads it back. gopher-lua's passed the items to
// Go's fmt, which spells and pads some of them its own way and formats a
// missing or mistyped argument instead of failing.
func (sb *sandbox) format(L *lua.LState) int {
	f := checkLString(L, 1, "format")
	top := L.GetTop()
	arg := 1
	var b []byte
	for i := 0; i < len(f); {
		if f[i] != '%' {
			b = append(b, f[i])
			i++
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			b = append(b, '%')
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "format", "no value")
		}
		spec, conv, next := scanFormat(L, f, i)
		i = next
		switch conv {
		case 'c':
			item := cPad(spec, string([]byte{byte(toInt64(checkNumber(L, arg, "format")))}))
			b = append(b, cString(item)...)
		case 'd', 'i':
			n := toInt64(checkNumber(L, arg, "format"))
			mag := uint64(n)
			if n < 0 {
				mag = -mag
			}
			b = append(b, printfInt(spec, conv, n < 0, mag)...)
		case 'o', 'u', 'x', 'X':
			b = append(b, printfInt(spec, conv, false, toUint64(checkNumber(L, arg, "format")))...)
		case 'e', 'E', 'f', 'g', 'G':
			b = append(b, cFloat(spec, conv, checkNumber(L, arg, "format"))...)
		case 'q':
			b = appendQuoted(b, checkLString(L, arg, "format"))
		case 's':
			str := checkLString(L, arg, "format")
			if !spec.hasPrec && len(str) >= 100 {
				b = append(b, str...)
				continue
			}
			str = cString(str)
			if spec.hasPrec && len(str) > spec.prec {
				str = str[:spec.prec]
			}
			b = append(b, cString(cPad(spec, str))...)
		case 0:
			// The format ends in its %: lua_pushfstring's %c of a NUL
			// prints nothing.
			luaError(L, "invalid option '%%' to 'format'")
		default:
			luaError(L, "invalid option '%%%c' to 'format'", conv)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// cSpec is one format item's flags, width and precision.
type cSpec struct {
	flags   string
	width   int
	prec    int
	hasPrec bool
}

// scanFormat is scanformat: flags (at most five), a width and a
// precision of at most two digits each; it returns the item and its
// conversion character (0 at the end of the format) and where the format
// goes on.
func scanFormat(L *lua.LState, f string, i int) (cSpec, byte, int) {
	var sp cSpec
	start := i
	for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
		i++
	}
	if i-start >= len("-+ #0")+1 {
		luaError(L, "invalid format (repeated flags)")
	}
	sp.flags = f[start:i]
	digits := func() int {
		n := 0
		for k := 0; k < 2 && i < len(f) && isDigit(f[i]); k++ {
			n = n*10 + int(f[i]-'0')
			i++
		}
		return n
	}
	sp.width = digits()
	if i < len(f) && f[i] == '.' {
		i++
		sp.hasPrec = true
		sp.prec = digits()
	}
	if i < len(f) && isDigit(f[i]) {
		luaError(L, "invalid format (width or precision too long)")
	}
	if i >= len(f) {
		return sp, 0, i
	}
	return sp, f[i], i + 1
}

// printfInt is sprintf's integer conversions: d and i signed (neg and the
// magnitude), o u x X unsigned. The precision is the least number of
// digits (none for a 0 of precision 0), # gives octal a leading 0 and
// non-zero hexadecimal its 0x, and the 0 flag pads between the sign or
// prefix and the digits when there is no precision.
func printfInt(sp cSpec, conv byte, neg bool, mag uint64) string {
	base := 10
	switch conv {
	case 'o':
		base = 8
	case 'x', 'X':
		base = 16
	}
	digits := strconv.FormatUint(mag, base)
	if conv == 'X' {
		digits = strings.ToUpper(digits)
	}
	if sp.hasPrec {
		if sp.prec == 0 && mag == 0 {
			digits = ""
		} else if len(digits) < sp.prec {
			digits = strings.Repeat("0", sp.prec-len(digits)) + digits
		}
	}
	alt := strings.IndexByte(sp.flags, '#') >= 0
	prefix := ""
	switch conv {
	case 'd', 'i':
		switch {
		case neg:
			prefix = "-"
		case strings.IndexByte(sp.flags, '+') >= 0:
			prefix = "+"
		case strings.IndexByte(sp.flags, ' ') >= 0:
			prefix = " "
		}
	case 'o':
		if alt && !strings.HasPrefix(digits, "0") {
			digits = "0" + digits
		}
	case 'x', 'X':
		if alt && mag != 0 {
			prefix = "0" + string(conv)
		}
	}
	if n := len(prefix) + len(digits); n < sp.width && strings.IndexByte(sp.flags, '-') < 0 && strings.IndexByte(sp.flags, '0') >= 0 && !sp.hasPrec {
		digits = strings.Repeat("0", sp.width-n) + digits
	}
	return cPad(sp, prefix+digits)
}

// goVerb is the item as a Go format with verb, for the floating-point
// conversions of finite numbers, where Go's fmt pads, signs and rounds
// as glibc's printf does.
func (sp cSpec) goVerb(verb byte) string {
	s := "%" + sp.flags
	if sp.width > 0 {
		s += strconv.Itoa(sp.width)
	}
	if sp.hasPrec {
		s += "." + strconv.Itoa(sp.prec)
	}
	return s + string(verb)
}

// cPad pads s to the item's width with spaces, on the left unless the
// item has the - flag; widths count bytes, as C's do.
func cPad(sp cSpec, s string) string {
	if len(s) >= sp.width {
		return s
	}
	pad := strings.Repeat(" ", sp.width-len(s))
	if strings.IndexByte(sp.flags, '-') >= 0 {
		return s + pad
	}
	return pad + s
}

// cFloat is sprintf's %e %E %f %g %G of glibc: precision 6 by default,
// and infinities and NaN spelled inf and nan (capitalised for %E and
// %G), signed as numbers are and padded with spaces.
func cFloat(sp cSpec, conv byte, f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		s := "inf"
		if math.IsNaN(f) {
			s = "nan"
		}
		switch {
		case math.Signbit(f):
			s = "-" + s
		case strings.IndexByte(sp.flags, '+') >= 0:
			s = "+" + s
		case strings.IndexByte(sp.flags, ' ') >= 0:
			s = " " + s
		}
		if conv == 'E' || conv == 'G' {
			s = strings.ToUpper(s)
		}
		return cPad(sp, s)
	}
	if !sp.hasPrec {
		sp.hasPrec, sp.prec = true, 6
	}
	return fmt.Sprintf(sp.goVerb(conv), f)
}

// appendQuoted is addquoted: s in double quotes, with the quote, the
// backslash and the newline escaped by a backslash, CR as \r and NUL as
// \000.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, `\r`...)
		case 0:
			b = append(b, `\000`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
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

// baseTonumber is Lua 5.1's tonumber: in base 10 a number, or a string as
// luaO_str2d reads it (gopher-lua's took Go's syntax: no exponent without
// a point, no hexadecimal sign, no inf or nan); in another base strtoul's
// digits, then nothing but spaces.
func baseTonumber(L *lua.LState) int {
	base := 10
	if L.Get(2) != lua.LNil {
		base = int(toInt64(checkNumber(L, 2, "tonumber")))
	}
	if base == 10 {
		if L.GetTop() < 1 {
			argError(L, 1, "tonumber", "value expected")
		}
		if f, ok := toNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	s := checkLString(L, 1, "tonumber")
	if base < 2 || base > 36 {
		argError(L, 2, "tonumber", "base out of range")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if v, n := strtoul(s, base); n > 0 && strings.TrimLeft(s[n:], " \t\n\v\f\r") == "" {
		L.Push(lua.LNumber(float64(v)))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

// strChar is Lua 5.1's string.char: each argument, cast to an int, must
// be a byte value (gopher-lua's kept its low byte).
func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := int32(toInt64(checkNumber(L, i, "char")))
		if c < 0 || c > 255 {
			argError(L, i, "char", "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// coroutineResume is coroutine.resume with Lua 5.1's refusal of a dead
// coroutine ("cannot resume dead coroutine"; gopher-lua says "can not
// resume a dead thread").
func (sb *sandbox) coroutineResume(L *lua.LState) int {
	co := L.CheckThread(1)
	if L.Status(co) == "dead" {
		L.Push(lua.LFalse)
		L.Push(lua.LString("cannot resume dead coroutine"))
		return 2
	}
	top := L.GetTop()
	L.Push(sb.origResume)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}
