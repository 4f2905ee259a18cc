package scripting

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// Redis's version as redis.REDIS_VERSION and REDIS_VERSION_NUM give it.
const (
	redisVersion    = "7.0.15"
	redisVersionNum = 0x07000f
)

// The replication flags of redis.set_repl (PROPAGATE_AOF, PROPAGATE_REPL).
const (
	replNone    = 0
	replAOF     = 1
	replReplica = 2
	replAll     = replAOF | replReplica
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
	num("REPL_ALL", replAll)
	num("REPL_AOF", replAOF)
	num("REPL_NONE", replNone)
	num("REPL_REPLICA", replReplica)
	num("REPL_SLAVE", replReplica)
	fn("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 })
	fn("call", func(L *lua.LState) int { return e.redisCall(L, true) })
	fn("debug", func(L *lua.LState) int { return 0 })
	fn("error_reply", redisErrorReply)
	fn("log", e.redisLog)
	fn("pcall", func(L *lua.LState) int { return e.redisCall(L, false) })
	fn("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	fn("set_repl", redisSetRepl)
	fn("setresp", redisSetResp)
	fn("sha1hex", redisSha1hex)
	fn("status_reply", redisStatusReply)
	return t
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
	argc := L.GetTop()
	if argc == 0 {
		return fail("Please specify at least one argument for this redis lib call")
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
			return fail("Lua redis lib command arguments must be strings or integers")
		}
	}
	if e.ctx == nil || e.ctx.Call == nil {
		return fail("redsim: no command executor in this scripting Context")
	}
	reply := e.ctx.Call(args)

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

// redisSetRepl is redis.set_repl: the flags are checked; Redis 7.0 always
// replicates scripts by effects, and which effects reach the AOF and the
// replicas is the server's business, so the engine keeps nothing.
func redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "redis.set_repl() requires two arguments.")
	}
	n, _ := L.Get(1).(lua.LNumber)
	flags := toInt64(float64(n))
	if flags&^replAll != 0 {
		raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}

// redisSetResp is redis.setresp: only RESP2 is supported, since
// Context.Call returns RESP2 replies.
func redisSetResp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "redis.setresp() requires one argument.")
	}
	n, _ := L.Get(1).(lua.LNumber)
	switch toInt64(float64(n)) {
	case 2:
		return 0
	case 3:
		raise(L, "redsim does not support RESP3 in scripts (redis.setresp(3)).")
	}
	raise(L, "RESP version must be 2 or 3.")
	return 0
}

// replyToLua converts a command's reply into a Lua value, as
// redisProtocolToLuaType does for RESP2 (and, for completeness, RESP3).
func (e *Engine) replyToLua(L *lua.LState, v resp.Value) lua.LValue {
	if v.IsNull {
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
	case resp.KindArray, resp.KindSet, resp.KindPush:
		t := L.CreateTable(len(v.Elems), 0)
		for i := range v.Elems {
			t.RawSetInt(i+1, e.replyToLua(L, v.Elems[i]))
		}
		return t
	case resp.KindMap:
		// RESP2 scripts see maps as flat arrays, as RESP2 clients do.
		t := L.CreateTable(len(v.Elems), 0)
		for i := range v.Elems {
			t.RawSetInt(i+1, e.replyToLua(L, v.Elems[i]))
		}
		return t
	case resp.KindBool:
		if v.Int != 0 {
			return lua.LNumber(1)
		}
		return lua.LFalse
	case resp.KindDouble, resp.KindBigNum:
		if len(v.Str) > 0 {
			return lua.LString(v.Str)
		}
		return lua.LString(formatNumber17(v.Float))
	case resp.KindVerbatim:
		_, text := v.VerbatimText()
		return lua.LString(text)
	}
	return lua.LFalse
}
