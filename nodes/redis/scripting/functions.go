package scripting

import (
	"errors"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// Functions is Redis 7.0's functions engine (src/functions.c and
// function_lua.c): the libraries FUNCTION LOAD creates, each from code
// with a "#!lua name=<lib>" shebang, the functions they register, and a
// Lua state of their own, separate from EVAL's, as Redis keeps one. A
// function runs through the same Context, seed and step budget as a
// script (Call).
//
// Names follow Redis's dictionaries: library names are case-sensitive,
// function names case-insensitive across libraries (FCALL myfunc finds
// MyFunc) but case-sensitive inside one library. Where Redis walks a
// dictionary in its hash order, which a random seed picks at every start
// (FUNCTION LIST, FUNCTION DUMP, which collision an error names), the
// engine uses the order of names, so that runs are reproducible.
type Functions struct {
	// MaxLoadSteps bounds the Lua instructions the code of one FUNCTION
	// LOAD may run, as Redis's 500 ms load timeout does ("FUNCTION LOAD
	// timeout"); 0 or less means no bound. Loads with NoTimeout and
	// restores are not bounded, as in Redis.
	MaxLoadSteps int64
	// Log receives the redis.log lines of library code at load time (may
	// be nil); a function's lines at run time go to its Context's Log.
	Log func(level int, msg string)

	e   *Engine
	cur *libCtx

	fenv     *lua.LTable // the globals of library code: reads go through fenvMeta
	fenvMeta *lua.LTable
	loadAPI  *lua.LTable // what library code sees while it loads
	loads    int64       // libraries compiled so far, for VMMemory
}

// DefaultMaxLoadSteps is of the order of what gopher-lua runs in Redis's
// 500 ms FUNCTION LOAD timeout.
const DefaultMaxLoadSteps = 50_000_000

// luaEngineName is the one engine Redis 7.0 has, as FUNCTION LIST and
// FUNCTION STATS name it.
const luaEngineName = "LUA"

// A Library is one loaded library.
type Library struct {
	// Name is the library's name, from its shebang.
	Name string
	// Code is the code FUNCTION LOAD was given, shebang included.
	Code []byte
	// funcs are its functions in the order of their names.
	funcs []*Function
}

// Functions returns the library's functions in the order of their names.
// The slice is the library's own: do not modify it.
func (l *Library) Functions() []*Function { return l.funcs }

func (l *Library) function(name string) *Function {
	for _, fn := range l.funcs {
		if fn.Name == name {
			return fn
		}
	}
	return nil
}

// A Function is one function of a library. Its fields are read-only.
type Function struct {
	// Name is the name it was registered under.
	Name string
	// Description is the description given to redis.register_function;
	// HasDescription says whether there was one (FUNCTION LIST shows a
	// null otherwise).
	Description    string
	HasDescription bool
	// Flags are its flags (FlagNoWrites, FlagAllowOOM, FlagAllowStale,
	// FlagNoCluster, FlagAllowCrossSlotKeys; never FlagShebang, which
	// only marks scripts out of EVAL's compatibility mode).
	Flags Flags
	// Library is the library it belongs to.
	Library *Library

	fn *lua.LFunction
}

// libCtx is functionsLibCtx: a set of libraries and the function index.
type libCtx struct {
	libs  map[string]*Library  // by exact name; iterated only through sortedLibs
	funcs map[string]*Function // by ASCII-lowercased name; never iterated
	// nFuncs is the functions_count of FUNCTION STATS: the sum of the
	// libraries' sizes, which counts functions whose names differ only in
	// case, though FCALL reaches only the first of them.
	nFuncs int
	// slots is the size of Redis's function dictionary: it grows with the
	// functions and only FUNCTION FLUSH empties it (memory figures).
	slots int
	// cache is Redis's cache_memory: the allocations of the libraries and
	// functions, in jemalloc's size classes.
	cache int64
}

func newLibCtx() *libCtx {
	return &libCtx{libs: make(map[string]*Library), funcs: make(map[string]*Function)}
}

// NewFunctions returns a functions engine with no libraries.
func NewFunctions() *Functions {
	f := &Functions{MaxLoadSteps: DefaultMaxLoadSteps, e: newEngine(modeFunction), cur: newLibCtx()}
	f.initLoadEnv()
	return f
}

// foldName is the key of a function name: Redis compares them with
// strcasecmp.
func foldName(name []byte) string {
	b := make([]byte, len(name))
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b)
}

func (c *libCtx) sortedLibs() []*Library {
	libs := make([]*Library, 0, len(c.libs))
	for _, l := range c.libs { //redsim:ordered sorted by name below
		libs = append(libs, l)
	}
	sort.Slice(libs, func(i, j int) bool { return libs[i].Name < libs[j].Name })
	return libs
}

// link adds a library and its functions (libraryLink). A function whose
// name another one already holds (only possible for two names of one
// library that differ in case) stays out of the index, as dictAdd fails.
func (c *libCtx) link(l *Library) {
	for _, fn := range l.funcs {
		k := foldName([]byte(fn.Name))
		if _, dup := c.funcs[k]; !dup {
			c.funcs[k] = fn
			c.slots = dictSlotsAfterAdd(c.slots, len(c.funcs))
		}
		c.cache += functionMallocSize(fn)
	}
	c.libs[l.Name] = l
	c.cache += libraryMallocSize(l)
	c.nFuncs += len(l.funcs)
}

// unlink removes a library and its functions (libraryUnlink). Redis
// 7.0.15 asserts, and crashes, when a library holds two names that differ
// only in case; the engine removes what it indexed.
func (c *libCtx) unlink(l *Library) {
	for _, fn := range l.funcs {
		k := foldName([]byte(fn.Name))
		if c.funcs[k] == fn {
			delete(c.funcs, k)
		}
		c.cache -= functionMallocSize(fn)
	}
	delete(c.libs, l.Name)
	c.cache -= libraryMallocSize(l)
	c.nFuncs -= len(l.funcs)
}

// LoadOptions are FUNCTION LOAD's options.
type LoadOptions struct {
	// Replace is the REPLACE argument: a library of the same name is
	// replaced instead of being an error.
	Replace bool
	// NoTimeout lifts MaxLoadSteps, as Redis does for code that comes from
	// its master or its AOF.
	NoTimeout bool
}

// Load loads a library (FUNCTION LOAD) and returns its name. The error's
// text is Redis's error reply without its '-', e.g. "ERR Library 'mylib'
// already exists". On error nothing changes.
func (f *Functions) Load(code []byte, opts LoadOptions) (string, error) {
	l, err := f.create(f.cur, code, opts.Replace, !opts.NoTimeout)
	if err != nil {
		return "", err
	}
	return l.Name, nil
}

// create is functionsCreateWithLibraryCtx: parse the shebang, run the code
// to register the functions, check the names, link the library into c.
func (f *Functions) create(c *libCtx, code []byte, replace, timeout bool) (*Library, error) {
	md, err := parseLibraryMetadata(code)
	if err != nil {
		return nil, err
	}
	if !validName(md.name) {
		return nil, errors.New("ERR " + badNameMsg)
	}
	if !equalFoldASCII(md.engine, luaEngineName) {
		return nil, errors.New("ERR Engine '" + md.engine + "' not found")
	}
	old := c.libs[md.name]
	if old != nil && !replace {
		return nil, errors.New("ERR Library '" + md.name + "' already exists")
	}
	if old != nil {
		c.unlink(old)
	}
	l := &Library{Name: md.name, Code: append([]byte(nil), code...)}
	fail := func(err error) (*Library, error) {
		if old != nil {
			c.link(old)
		}
		return nil, err
	}
	if err := f.runLoad(l, md.body, timeout); err != nil {
		return fail(err)
	}
	if len(l.funcs) == 0 {
		return fail(errors.New("ERR No functions registered"))
	}
	for _, fn := range l.funcs {
		if _, taken := c.funcs[foldName([]byte(fn.Name))]; taken {
			return fail(errors.New("ERR Function " + fn.Name + " already exists"))
		}
	}
	c.link(l)
	return l, nil
}

// Delete removes a library (FUNCTION DELETE); the name is compared
// exactly.
func (f *Functions) Delete(name []byte) error {
	l := f.cur.libs[string(name)]
	if l == nil {
		return errors.New("ERR Library not found")
	}
	f.cur.unlink(l)
	return nil
}

// Flush removes every library (FUNCTION FLUSH, SYNC or ASYNC alike). The
// Lua state stays, as Redis keeps it.
func (f *Functions) Flush() { f.cur = newLibCtx() }

// Libraries returns the libraries in the order of their names.
func (f *Functions) Libraries() []*Library { return f.cur.sortedLibs() }

// Library returns the library of this exact name, or nil.
func (f *Functions) Library(name string) *Library { return f.cur.libs[name] }

// Find returns the function FCALL name would run (the name compared
// case-insensitively), or nil, for which FCALL replies "ERR Function not
// found". The server checks the number of keys and the function's flags
// (FCALL_RO and no-writes, read-only replicas, allow-stale, allow-oom,
// no-cluster) between Find and Call, as fcallCommandGeneric and
// scriptPrepareForRun do.
func (f *Functions) Find(name []byte) *Function { return f.cur.funcs[foldName(name)] }

// Call runs a function found by Find with keys and args (its two
// arguments) and writes its one reply to w, whose protocol is the caller's.
// It is EvalSHA for functions: same Context, seed, budget and reply rules;
// an error reply names the function ("script: myfunc, on
// @user_function:3.").
func (f *Functions) Call(fn *Function, keys, args [][]byte, ctx Context, w *resp.Writer) {
	f.e.invoke(fn.fn, fn.Name, keys, args, &ctx, w)
}

// SetMaxSteps sets the step budget of function runs (Engine.MaxSteps).
func (f *Functions) SetMaxSteps(n int64) { f.e.MaxSteps = n }

// NumFunctions is the number of functions FCALL can reach (INFO's
// number_of_functions).
func (f *Functions) NumFunctions() int { return len(f.cur.funcs) }

// NumLibraries is the number of libraries.
func (f *Functions) NumLibraries() int { return len(f.cur.libs) }
