package scripting

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// Redis's version as redis.REDIS_VERSION and REDIS_VERSION_NUM give it.
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 0x07000f
)

// newRedisLib builds the redis table, its keys in sorted order.
func newRedisLib(e *Engine) *lua.LTable {
	L := e.L
	t := L.NewTable()
	num := func(k string, n int) { t.RawSetString(k, lua.LNumber(n)) }
	fn := func(k string, f lua.LGFunction) { t.RawSetString(k, L.NewFunction(f)) }
	num("LOG_DEBUG", LogDebug)
	num("LOG_NOTICE", LogNotice)
	num("LOG_VERBOSE", LogVerbose)
	num("LOG_WARNING", LogWarning)
	t.RawSetString("REDIS_VERSION", lua.LString(redisVersion))
	num("REDIS_VERSION_NUM", redisVersionNum)
	num("REPL_ALL", ReplAll)
	num("REPL_AOF", ReplAOF)
	num("REPL_NONE", ReplNone)
	num("REPL_REPLICA", ReplReplica)
	num("REPL_SLAVE", ReplReplica)
	fn("acl_check_cmd", e.redisACLCheckCmd)
	if e.mode == modeEval {
		// Outside a debugging session (redsim has no LDB), breakpoint
		// returns false and debug does nothing. The functions engine does
		// not have them, nor replicate_commands.
		fn("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 })
	}
	fn("call", func(L *lua.LState) int { return e.redisCall(L, true) })
	if e.mode == modeEval {
		fn("debug", func(L *lua.LState) int { return 0 })
	}
	fn("error_reply", redisErrorReply)
	fn("log", e.redisLog)
	fn("pcall", func(L *lua.LState) int { return e.redisCall(L, false) })
	if e.mode == modeEval {
		// Deprecated in 7.0: scripts are always replicated by effects.
		fn("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	}
	fn("set_repl", e.redisSetRepl)
	fn("setresp", e.redisSetResp)
	fn("sha1hex", redisSha1hex)
	fn("status_reply", redisStatusReply)
	return t
}

// luaArgs is luaArgsToRedisArgv: the arguments of redis.call and
// redis.acl_check_cmd as command arguments (numbers as "%.17g"), or the
// error message when there are none or one is not a string or a number.
func luaArgs(L *lua.LState) ([][]byte, string) {
	argc := L.GetTop()
	if argc == 0 {
		return nil, "Please specify at least one argument for this redis lib call"
	}
	// A fresh slice each time: the server may keep the arguments (to
	// propagate the command, to store a key).
	args := make([][]byte, 0, argc)
	for i := 1; i <= argc; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			args = append(args, []byte(v))
		case lua.LNumber:
			args = append(args, []byte(formatNumber17(float64(v))))
		default:
			return nil, "Lua redis lib command arguments must be strings or integers"
		}
	}
	return args, ""
}

// redisCall is redis.call (raise true) and redis.pcall (raise false): it
// checks and converts the arguments, has the server run the command and
// turns the reply into a Lua value.
func (e *Engine) redisCall(L *lua.LState, raiseErr bool) int {
	fail := func(msg string) int {
		if raiseErr {
			raise(L, msg)
		}
		L.Push(errorTable(L, msg))
		return 1
	}
	if e.ctx == nil {
		// A function stashed at FUNCTION LOAD and called outside a run;
		// Redis raises this one even from redis.pcall.
		raise(L, "redis.call/pcall can only be called inside a script invocation")
	}
	args, msg := luaArgs(L)
	if msg != "" {
		return fail(msg)
	}
	var reply []byte
	switch {
	case e.ctx.CallProto != nil:
		reply = e.ctx.CallProto(args, e.resp)
	case e.ctx.Call != nil:
		reply = e.ctx.Call(args)
	default:
		return fail("redsim: no command executor in this scripting Context")
	}

	e.rr.Reset()
	e.rr.Feed(reply)
	v, ok, err := e.rr.Next()
	if err != nil || !ok || e.rr.Buffered() != 0 {
		return fail("redsim: the server returned a malformed reply to a script command")
	}
	if raiseErr && v.IsError() {
		raise(L, "-"+string(v.Str))
	}
	L.Push(e.replyToLua(L, v))
	return 1
}

// redisErrorReply is redis.error_reply: a string becomes an error table,
// "-CODE text" or "text" as luaPushErrorBuff reads them.
func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errorTable(L, msg))
	return 1
}

// redisStatusReply is redis.status_reply.
func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errorTable(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

// redisSha1hex is redis.sha1hex; like lua_tolstring it hashes numbers as
// text and anything else that is not a string as the empty string.
func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "wrong number of arguments")
	}
	var b []byte
	switch v := L.Get(1).(type) {
	case lua.LString:
		b = []byte(v)
	case lua.LNumber:
		b = []byte(formatNumber14(float64(v)))
	}
	L.Push(lua.LString(sha1hex(b)))
	return 1
}

// redisLog is redis.log(level, ...): the arguments that are strings or
// numbers, joined by spaces.
func (e *Engine) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raise(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		if s, isStr := L.Get(1).(lua.LString); isStr {
			if n, err := parseLuaNumber(string(s)); err == nil {
				lv, ok = lua.LNumber(n), true
			}
		}
	}
	if !ok {
		raise(L, "First argument must be a number (log level).")
	}
	level := toInt64(float64(lv))
	if level < LogDebug || level > LogWarning {
		raise(L, "Invalid debug level.")
	}
	var b strings.Builder
	for i := 2; i <= argc; i++ {
		var s string
		switch v := L.Get(i).(type) {
		case lua.LString:
			s = string(v)
		case lua.LNumber:
			s = formatNumber14(float64(v))
		default:
			continue
		}
		if i != 2 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if e.ctx != nil && e.ctx.Log != nil {
		e.ctx.Log(int(level), b.String())
	}
	return 0
}

// redisSetRepl is redis.set_repl(flags): the flags are lua_tonumber of
// the argument cast to a C int (so a string that is not a number is
// REPL_NONE), checked, and handed to the server through Context.SetRepl.
func (e *Engine) redisSetRepl(L *lua.LState) int {
	if e.ctx == nil {
		raise(L, "redis.set_repl can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	n, _ := toNumber(L.Get(1))
	flags := cInt(n)
	if flags&^ReplAll != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	if e.ctx.SetRepl != nil {
		e.ctx.SetRepl(int(flags))
	}
	return 0
}

// cInt is the C cast (int)d on x86-64: truncation, and INT_MIN for NaN
// and anything out of range.
func cInt(d float64) int32 {
	if math.IsNaN(d) || d >= 1<<31 || d <= -(1<<31)-1 {
		return math.MinInt32
	}
	return int32(d)
}

// redisSetResp is redis.setresp(2|3): the protocol the script's client
// speaks from now on in this run, so the form in which command replies
// reach the script (and how booleans are returned).
func (e *Engine) redisSetResp(L *lua.LState) int {
	if e.ctx == nil {
		raise(L, "redis.setresp can only be called inside a script invocation")
	}
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	n, _ := toNumber(L.Get(1))
	switch cInt(n) {
	case 2:
		e.resp = 2
		return 0
	case 3:
		if e.ctx.CallProto == nil {
			raise(L, "redsim: redis.setresp(3) needs Context.CallProto, which this server does not provide.")
		}
		e.resp = 3
		return 0
	}
	raise(L, "RESP version must be 2 or 3.")
	return 0
}

// redisACLCheckCmd is redis.acl_check_cmd(command, args...): whether the
// calling user may run the command, through Context.ACLCheckCmd.
func (e *Engine) redisACLCheckCmd(L *lua.LState) int {
	if e.ctx == nil {
		raise(L, "redis.acl_check_cmd can only be called inside a script invocation")
	}
	args, msg := luaArgs(L)
	if msg != "" {
		raise(L, msg)
	}
	allowed, known := true, true
	if e.ctx.ACLCheckCmd != nil {
		allowed, known = e.ctx.ACLCheckCmd(args)
	}
	if !known {
		raise(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// replyToLua converts a command's reply into a Lua value, as
// redisProtocolToLuaType does: the conversion depends on the reply's type
// only, so RESP2 replies (after setresp(2)) and RESP3 ones (after
// setresp(3)) go through the same rules. RESP3 attributes are dropped.
func (e *Engine) replyToLua(L *lua.LState, v resp.Value) lua.LValue {
	if v.IsNull {
		if v.Kind == resp.KindNull {
			return lua.LNil
		}
		return lua.LFalse
	}
	switch v.Kind {
	case resp.KindInt:
		return lua.LNumber(v.Int)
	case resp.KindBulk:
		return lua.LString(v.Str)
	case resp.KindSimpleString:
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(v.Str))
		return t
	case resp.KindError, resp.KindBlobError:
		t := errorTable(L, "-"+string(v.Str))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t
	case resp.KindArray, resp.KindPush:
		t := L.CreateTable(len(v.Elems), 0)
		for i := range v.Elems {
			t.RawSetInt(i+1, e.replyToLua(L, v.Elems[i]))
		}
		return t
	case resp.KindMap:
		m := L.NewTable()
		for i := 0; i+1 < len(v.Elems); i += 2 {
			setField(L, m, e.replyToLua(L, v.Elems[i]), e.replyToLua(L, v.Elems[i+1]))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t
	case resp.KindSet:
		m := L.NewTable()
		for i := range v.Elems {
			setField(L, m, e.replyToLua(L, v.Elems[i]), lua.LTrue)
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("set", m)
		return t
	case resp.KindBool:
		return lua.LBool(v.Int != 0)
	case resp.KindDouble:
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(v.Float))
		return t
	case resp.KindBigNum:
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(v.Str))
		return t
	case resp.KindVerbatim:
		format, text := v.VerbatimText()
		vt := L.CreateTable(0, 2)
		vt.RawSetString("string", lua.LString(text))
		vt.RawSetString("format", lua.LString(format))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", vt)
		return t
	}
	return lua.LFalse
}

// setField is lua_settable on a fresh table: a nil or NaN key is Lua's
// error, raised where Redis's reply parser would raise it.
func setField(L *lua.LState, t *lua.LTable, k, v lua.LValue) {
	switch kn := k.(type) {
	case *lua.LNilType:
		L.Error(lua.LString("table index is nil"), 0)
	case lua.LNumber:
		if math.IsNaN(float64(kn)) {
			L.Error(lua.LString("table index is NaN"), 0)
		}
	}
	t.RawSet(k, v)
}
