package scripting

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// Loading a library: Redis compiles its code as "@user_function" and runs
// it once with a global environment that holds only the redis table of
// the load API (register_function, log, the LOG_* levels and the version),
// so library code can register functions and nothing else: reading any
// other global ("string", "redis.call") is the sandbox's "nonexistent
// global variable" error, writing one the readonly-table error. The
// functions it registers keep that code's environment, which reads the
// full sandbox once loading is over (but never KEYS or ARGV: a function
// gets its keys and arguments as its two parameters).

// badNameMsg is Redis's error for a bad library or function name (it says
// "Library" for both).
const badNameMsg = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

// validName is functionsVerifyName: [a-zA-Z0-9_]+.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '_') {
			return false
		}
	}
	return true
}

func equalFoldASCII(a, b string) bool {
	return foldName([]byte(a)) == foldName([]byte(b))
}

// initLoadEnv builds the globals of library code and the load API.
func (f *Functions) initLoadEnv() {
	e := f.e
	L, sb := e.L, e.sb
	rt := L.NewTable()
	num := func(k string, n int) { rt.RawSetString(k, lua.LNumber(n)) }
	num("LOG_DEBUG", LogDebug)
	num("LOG_NOTICE", LogNotice)
	num("LOG_VERBOSE", LogVerbose)
	num("LOG_WARNING", LogWarning)
	rt.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
	num("REDIS_VERSION_NUM", redisVersionNum)
	rt.RawSetString("log", L.NewFunction(e.redisLog))
	rt.RawSetString("register_function", L.NewFunction(e.registerFunction))
	rt.Metatable = errorMetatable(L)
	api := L.NewTable()
	api.RawSetString("redis", sb.protect(rt))
	api.Metatable = errorMetatable(L)
	f.loadAPI = sb.protect(api)

	f.fenvMeta = L.NewTable()
	f.fenvMeta.RawSetString("__index", sb.gproxy)
	f.fenvMeta.RawSetString("__newindex", L.NewFunction(readonlyWrite))
	f.fenv = L.NewTable()
	f.fenv.Metatable = f.fenvMeta
	sb.backing[f.fenv] = L.NewTable() // readonly to rawset and setmetatable
}

// errorMetatable is luaSetErrorMetatable's: reading a missing key fails.
func errorMetatable(L *lua.LState) *lua.LTable {
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(missingGlobal))
	return mt
}

// libraryMetadata is what the shebang line says.
type libraryMetadata struct {
	engine string
	name   string
	body   []byte // the code after the shebang line, its newline included
}

// parseLibraryMetadata is functionExtractLibMetaData: "#!<engine>
// name=<name>", split as sdssplitargs splits (quotes allowed), read as a
// C string (a NUL byte ends it).
func parseLibraryMetadata(code []byte) (libraryMetadata, error) {
	var md libraryMetadata
	if !bytes.HasPrefix(code, []byte("#!")) {
		return md, errors.New("ERR Missing library metadata")
	}
	end := bytes.IndexAny(code, "\n\x00")
	if end < 0 || code[end] == 0 {
		return md, errors.New("ERR Invalid library metadata")
	}
	args, ok := resp.SplitArgs(code[:end])
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = string(a)
	}
	if !ok || len(parts) == 0 {
		return md, errors.New("ERR Invalid library metadata")
	}
	if len(parts[0]) > 2 {
		md.engine = parts[0][2:]
	}
	hasName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && equalFoldASCII(p[:5], "name=") {
			if hasName {
				return md, errors.New("ERR Invalid metadata value, name argument was given multiple times")
			}
			md.name, hasName = p[5:], true
			continue
		}
		return md, errors.New("ERR Invalid metadata value given: " + cString(p))
	}
	if !hasName {
		return md, errors.New("ERR Library name was not given")
	}
	md.body = code[end:]
	return md, nil
}

// equalFoldC is strcasecmp(a, b) == 0: a up to its first NUL byte, as
// Redis compares an argument or a Lua string with an option's name.
func equalFoldC(a, b string) bool { return equalFoldASCII(cString(a), b) }

// cString is how "%s" prints an sds: up to its first NUL byte.
func cString(s string) string {
	if i := bytes.IndexByte([]byte(s), 0); i >= 0 {
		return s[:i]
	}
	return s
}

// runLoad compiles the library's code and runs it so that it registers
// its functions into l (luaEngineCreate).
func (f *Functions) runLoad(l *Library, body []byte, timeout bool) (err error) {
	e := f.e
	L := e.L
	fn, msg := e.compileChunk(body, functionChunkName, f.fenv)
	if fn == nil {
		return errors.New("ERR Error compiling function: " + msg)
	}
	f.loads++
	f.fenvMeta.RawSetString("__index", f.loadAPI)
	e.loading = l
	e.ctx = &Context{Log: f.Log}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ERR Error registering functions: internal error: %v", r)
		}
		f.fenvMeta.RawSetString("__index", e.sb.gproxy)
		e.loading = nil
		e.ctx = nil
		L.RemoveContext()
		L.SetTop(0)
	}()
	e.budget.reset(0)
	if timeout && f.MaxLoadSteps > 0 {
		e.budget.reset(f.MaxLoadSteps)
		L.SetContext(e.budget)
	}
	L.SetTop(0)
	L.Push(fn)
	if perr := L.PCall(0, 0, nil); perr != nil {
		if e.budget.exceeded {
			return errors.New("ERR Error registering functions: ERR FUNCTION LOAD timeout")
		}
		return errors.New("ERR Error registering functions: " + loadErrorText(perr))
	}
	return nil
}

// loadErrorText is luaExtractErrorInformation's message for an error that
// no handler dressed: "ERR <text>" for a string or a number, the err field
// of a table, and "(null)" (what glibc prints for a NULL %s) otherwise.
func loadErrorText(err error) string {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR " + err.Error()
	}
	switch v := ae.Object.(type) {
	case lua.LString:
		return "ERR " + translate(string(v))
	case lua.LNumber:
		return "ERR " + formatNumber14(float64(v))
	case *lua.LTable:
		switch m := v.RawGetString("err").(type) {
		case lua.LString:
			return string(m)
		case lua.LNumber:
			return formatNumber14(float64(m))
		}
	}
	return "(null)"
}

// registerFunction is redis.register_function, in its positional form
// (name, callback) and its named one ({function_name=, callback=, flags=,
// description=}).
func (e *Engine) registerFunction(L *lua.LState) int {
	l := e.loading
	if l == nil {
		raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	var fn *Function
	var msg string
	switch L.GetTop() {
	case 1:
		fn, msg = e.namedRegisterArgs(L)
	case 2:
		fn, msg = positionalRegisterArgs(L)
	default:
		msg = "wrong number of arguments to redis.register_function"
	}
	if msg != "" {
		raise(L, msg)
	}
	if !validName(fn.Name) {
		raise(L, badNameMsg)
	}
	if l.function(fn.Name) != nil {
		raise(L, "Function already exists in the library")
	}
	fn.Library = l
	i := sort.Search(len(l.funcs), func(i int) bool { return l.funcs[i].Name >= fn.Name })
	l.funcs = append(l.funcs, nil)
	copy(l.funcs[i+1:], l.funcs[i:])
	l.funcs[i] = fn
	return 0
}

// luaString is luaGetStringSds: strings, and numbers as "%.14g".
func luaString(v lua.LValue) (string, bool) {
	switch t := v.(type) {
	case lua.LString:
		return string(t), true
	case lua.LNumber:
		return formatNumber14(float64(t)), true
	}
	return "", false
}

func positionalRegisterArgs(L *lua.LState) (*Function, string) {
	name, ok := luaString(L.Get(1))
	if !ok {
		return nil, "first argument to redis.register_function must be a string"
	}
	cb, ok := L.Get(2).(*lua.LFunction)
	if !ok {
		return nil, "second argument to redis.register_function must be a function"
	}
	return &Function{Name: name, fn: cb}, ""
}

func (e *Engine) namedRegisterArgs(L *lua.LState) (*Function, string) {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		return nil, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."
	}
	fn := &Function{}
	hasName := false
	t = e.sb.raw(t)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		key, ok := luaString(k)
		if !ok {
			return nil, "named argument key given to redis.register_function is not a string"
		}
		switch {
		case equalFoldC(key, "function_name"):
			if fn.Name, ok = luaString(v); !ok {
				return nil, "function_name argument given to redis.register_function must be a string"
			}
			hasName = true
		case equalFoldC(key, "description"):
			if fn.Description, ok = luaString(v); !ok {
				return nil, "description argument given to redis.register_function must be a string"
			}
			fn.HasDescription = true
		case equalFoldC(key, "callback"):
			if fn.fn, ok = v.(*lua.LFunction); !ok {
				return nil, "callback argument given to redis.register_function must be a function"
			}
		case equalFoldC(key, "flags"):
			ft, ok := v.(*lua.LTable)
			if !ok {
				return nil, "flags argument to redis.register_function must be a table representing function flags"
			}
			if fn.Flags, ok = functionFlags(e.sb.raw(ft)); !ok {
				return nil, "unknown flag given"
			}
		default:
			return nil, "unknown argument given to redis.register_function"
		}
	}
	if !hasName {
		return nil, "redis.register_function must get a function name argument"
	}
	if fn.fn == nil {
		return nil, "redis.register_function must get a callback argument"
	}
	return fn, ""
}

// functionFlags reads the flags t[1], t[2]... up to the first nil, their
// names compared case-insensitively.
func functionFlags(t *lua.LTable) (Flags, bool) {
	var flags Flags
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return flags, true
		}
		name, ok := luaString(v)
		if !ok {
			return 0, false
		}
		found := false
		for _, f := range flagNames {
			if equalFoldASCII(f.name, name) {
				flags |= f.flag
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
}
