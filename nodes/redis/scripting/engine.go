package scripting

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// Context is what the server gives the engine for one run of a script.
type Context struct {
	// Call runs one command as the server would for a script's redis.call /
	// redis.pcall and returns its complete RESP2 reply bytes. The server does
	// the command-level checks (unknown command, arity, commands not allowed in
	// scripts, wrong type...) and returns their error replies; the engine turns
	// replies into Lua values and raises errors for redis.call.
	Call func(args [][]byte) []byte
	// Seed seeds math.random for this run, as redisSrand48 does. Real Redis
	// 7.0 reseeds with 0 before every EVAL, so a server that wants Redis's
	// exact random sequence passes 0.
	Seed int64
	// Log receives redis.log(level, msg) lines (may be nil); level is one of
	// the LOG_* constants.
	Log func(level int, msg string)

	// CallProto, when set, is used in place of Call and runs the command
	// with the script's client speaking RESP version proto: 2, or 3 after
	// the script called redis.setresp(3). It returns the complete reply in
	// that protocol (maps, sets, doubles, booleans... in RESP3), which the
	// engine converts to Lua as Redis does. When it is nil,
	// redis.setresp(3) raises an error, as the engine cannot get RESP3
	// replies from Call.
	CallProto func(args [][]byte, proto int) []byte
	// SetRepl receives the flags of each redis.set_repl call (a
	// combination of ReplAOF and ReplReplica; ReplAll at the start of every
	// run): the commands a script calls afterwards are to be propagated to
	// the AOF and to replicas only as the flags say. May be nil.
	SetRepl func(flags int)
	// ACLCheckCmd answers redis.acl_check_cmd(command, args...): known
	// reports whether the command exists (when false the script gets
	// "Invalid command passed to redis.acl_check_cmd()"), allowed whether
	// the calling client's user may run it with these arguments. When nil
	// every command is taken as known and allowed (the default user).
	ACLCheckCmd func(args [][]byte) (allowed, known bool)
	// Interrupt, when set, is Redis's count hook (luaMaskCountHook): it is
	// called after every HookSteps Lua instructions of the run, where
	// Redis calls scriptInterrupt, which serves other clients once the
	// script has run longer than busy-reply-threshold. It reports whether
	// the script is to be killed (SCRIPT KILL or FUNCTION KILL): the run
	// then raises "Script killed by user with SCRIPT KILL..." and raises it
	// again at every instruction after, so that a pcall cannot catch it
	// for good.
	Interrupt func() (kill bool)
}

// HookSteps is how many Lua instructions run between two calls of
// Context.Interrupt: the count of Redis's lua_sethook(LUA_MASKCOUNT).
const HookSteps = 100_000

// The replication flags of redis.set_repl, as redis.REPL_* gives them
// (Redis's PROPAGATE_AOF and PROPAGATE_REPL).
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// The levels of redis.log, as redis.LOG_* exposes them.
const (
	LogDebug   = 0
	LogVerbose = 1
	LogNotice  = 2
	LogWarning = 3
)

// DefaultMaxSteps is the default step budget of one run: about a second or
// two of gopher-lua, so of the order of Redis's lua-time-limit of 5 s.
const DefaultMaxSteps = 200_000_000

// engineMode says which of Redis's two Lua states an Engine is.
type engineMode int

const (
	// modeEval is EVAL's state: KEYS and ARGV globals, the debugger's
	// redis.breakpoint and redis.debug, chunks named user_script.
	modeEval engineMode = iota
	// modeFunction is the functions engine's state: keys and arguments
	// passed to the function, chunks named user_function.
	modeFunction
)

// A script is one cached, compiled script.
type script struct {
	sha   string // lowercase hex SHA1 of the body
	fn    *lua.LFunction
	flags Flags
}

// An Engine compiles, caches and runs scripts. It is not safe for concurrent
// use; the node runs on one goroutine.
type Engine struct {
	// MaxSteps is how many Lua VM instructions one run without an
	// Interrupt may execute before it is stopped with an error; 0 or less
	// means no limit. A run with an Interrupt has no limit. Instructions run
	// inside coroutines are not counted.
	MaxSteps int64

	L       *lua.LState
	scripts map[string]*script // by lowercase sha; looked up, never iterated
	sb      *sandbox
	mode    engineMode

	// Per-run state, reset by run.
	ctx    *Context
	rand   lrand48
	budget *stepBudget
	rr     *resp.ReplyReader
	resp   int // the script client's protocol, 2 or 3 (redis.setresp)

	// loading is the library being loaded (function mode only): set while
	// its code runs, so that redis.register_function knows where to add.
	loading *Library

	// The cache's memory figures since the Lua state was made
	// (eval_memory.go).
	scriptsMem  int64
	scriptSlots int
	compiled    int64
}

// New returns an Engine with an empty script cache and a fresh Lua state.
func New() *Engine { return newEngine(modeEval) }

func newEngine(mode engineMode) *Engine {
	e := &Engine{MaxSteps: DefaultMaxSteps, rr: resp.NewReplyReader(), budget: newStepBudget(), mode: mode, resp: 2}
	e.init()
	return e
}

// init empties the cache and builds a fresh Lua state.
func (e *Engine) init() {
	e.scripts = make(map[string]*script)
	e.scriptsMem, e.scriptSlots, e.compiled = 0, 0, 0
	e.L = lua.NewState(lua.Options{
		SkipOpenLibs:    true,
		CallStackSize:   callStackSize,
		RegistrySize:    1024,
		RegistryMaxSize: registryMaxSize,
	})
	e.sb = newSandbox(e)
}

// Limits of the Lua state. Lua 5.1 fails with "stack overflow" at about
// 200 nested C calls or some thousands of Lua calls; these are of that order
// and keep a runaway recursion small in memory.
const (
	callStackSize   = 4000
	registryMaxSize = 1 << 20
)

// sha1hex returns the lowercase hex SHA1 of b, as Redis's sha1hex.
func sha1hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Load compiles body and caches it, as SCRIPT LOAD does, returning its SHA1.
// A script already cached is not compiled again. The error's text is Redis's
// error reply without the leading '-', e.g. "ERR Error compiling script (new
// function): user_script:1: ...".
func (e *Engine) Load(body []byte) (sha string, err error) {
	s, err := e.load(body)
	if err != nil {
		return "", err
	}
	return s.sha, nil
}

func (e *Engine) load(body []byte) (*script, error) {
	sha := sha1hex(body)
	if s, ok := e.scripts[sha]; ok {
		return s, nil
	}
	flags, skip, err := parseShebang(body)
	if err != nil {
		return nil, err
	}
	// The shebang line is skipped but its newline kept, so that line numbers
	// stay the user's (as Redis does).
	fn, err := e.compile(body[skip:])
	if err != nil {
		return nil, err
	}
	s := &script{sha: sha, fn: fn, flags: flags}
	e.scripts[sha] = s
	e.addScriptMemory(len(body))
	return s, nil
}

// Exists reports whether the script of this SHA1 is cached (SCRIPT EXISTS);
// the SHA1 is compared case-insensitively.
func (e *Engine) Exists(sha string) bool {
	_, ok := e.scripts[strings.ToLower(sha)]
	return ok
}

// ScriptFlags returns the shebang flags of a cached script ("#!lua
// flags=no-writes,..."), and whether the script is cached and has a shebang.
// Without a shebang Redis runs the script in EVAL compatibility mode, where
// flags do not apply.
func (e *Engine) ScriptFlags(sha string) (Flags, bool) {
	s, ok := e.scripts[strings.ToLower(sha)]
	if !ok || s.flags&FlagShebang == 0 {
		return 0, false
	}
	return s.flags, true
}

// Flush empties the script cache (SCRIPT FLUSH). Like Redis, which builds a
// new Lua state, it also forgets anything a script managed to leave behind.
func (e *Engine) Flush() {
	e.L.Close()
	e.init()
}

// Len returns the number of cached scripts (INFO number_of_cached_scripts).
func (e *Engine) Len() int { return len(e.scripts) }

// Eval caches body as Load does, then runs it with keys and argv (EVAL) and
// writes its one reply, or the compile error, to w.
func (e *Engine) Eval(body []byte, keys, argv [][]byte, ctx Context, w *resp.Writer) {
	s, err := e.load(body)
	if err != nil {
		w.WriteError(err.Error())
		return
	}
	e.run(s, keys, argv, &ctx, w)
}

// EvalSHA runs the cached script of this SHA1 (EVALSHA), or replies NOSCRIPT.
func (e *Engine) EvalSHA(sha string, keys, argv [][]byte, ctx Context, w *resp.Writer) {
	s, ok := e.scripts[strings.ToLower(sha)]
	if !ok {
		w.WriteError("NOSCRIPT No matching script. Please use EVAL.")
		return
	}
	e.run(s, keys, argv, &ctx, w)
}

// run runs one cached script and writes its reply.
func (e *Engine) run(s *script, keys, argv [][]byte, ctx *Context, w *resp.Writer) {
	e.invoke(s.fn, s.sha, keys, argv, ctx, w)
}

// callName is how internal errors name the function of a run: "f_<sha>"
// for a script, the function's own name for a function.
func (e *Engine) callName(name string) string {
	if e.mode == modeEval {
		return "f_" + name
	}
	return name
}

// invoke runs fn and writes its reply: in eval mode with KEYS and ARGV as
// globals, in function mode with (keys, args) as its two arguments. name is
// the script's SHA1 or the function's name, for error replies.
func (e *Engine) invoke(fn *lua.LFunction, name string, keys, argv [][]byte, ctx *Context, w *resp.Writer) {
	mark := w.Len()
	L := e.L
	defer func() {
		// gopher-lua turns panics inside the VM into errors, but a bug in
		// the glue must not take the node down either.
		if r := recover(); r != nil {
			w.Truncate(mark)
			w.WriteError(fmt.Sprintf("ERR Error running script (call to %s): internal error: %v", e.callName(name), r))
		}
		L.RemoveContext()
		L.SetTop(0)
		e.ctx = nil
		e.resp = 2
	}()

	e.ctx = ctx
	e.resp = 2
	e.rand.seed(int32(ctx.Seed))
	e.sb.beginRun(keys, argv)
	if ctx.SetRepl != nil {
		ctx.SetRepl(ReplAll)
	}
	if ctx.Interrupt != nil {
		// The server lets time pass at every hook: the run ends when the
		// script does or is killed, however long that takes.
		e.budget.reset(0)
	} else {
		e.budget.reset(e.MaxSteps)
	}
	e.budget.interrupt = ctx.Interrupt
	if e.MaxSteps > 0 || ctx.Interrupt != nil {
		L.SetContext(e.budget)
	}
	L.SetTop(0)
	L.Push(fn)
	nargs := 0
	if e.mode == modeFunction {
		L.Push(e.sb.stringArray(keys))
		L.Push(e.sb.stringArray(argv))
		nargs = 2
	}
	err := L.PCall(nargs, 1, e.sb.errHandler)
	if err != nil {
		w.WriteError(e.failureText(name, err))
		return
	}
	e.writeReply(w, L.Get(-1))
}
