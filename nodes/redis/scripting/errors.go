package scripting

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Errors travel through Lua as Redis 7.0 makes them travel: redis.call and
// the redis library raise tables {err="CODE message"}; anything else a
// script raises is wrapped by the error handler into {err="ERR " .. msg};
// the handler adds the source and line of the innermost Lua frame, and the
// final reply is "-<err> script: <sha>, on <source>:<line>.".

// errorTable builds the Lua error table of luaPushErrorBuff: msg is either
// "-CODE text" (the code is split off at the first space, or is ERR when
// there is none) or plain text, which gets the code ERR.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	code := "ERR"
	if strings.HasPrefix(msg, "-") {
		if sp := strings.IndexByte(msg, ' '); sp < 0 {
			msg = msg[1:]
		} else {
			code, msg = msg[1:sp], msg[sp+1:]
		}
	}
	msg = strings.Trim(msg, "\r\n")
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(code+" "+msg))
	return t
}

// raise raises the error table of msg, as luaPushError + luaError do.
func raise(L *lua.LState, msg string) {
	L.Error(errorTable(L, msg), 0)
}

// errHandler is __redis__err__handler: it makes the error a table and
// records where it happened.
func (e *Engine) errHandler(L *lua.LState) int {
	v := L.Get(1)
	t, isTable := v.(*lua.LTable)
	if !isTable {
		t = L.CreateTable(0, 3)
		t.RawSetString("err", lua.LString("ERR "+translate(luaToString(v))))
	}
	if e.budget.killed {
		// luaMaskCountHook's error, raised in place of the instruction
		// the kill interrupted.
		t = L.CreateTable(0, 3)
		t.RawSetString("err", lua.LString("ERR Script killed by user with SCRIPT KILL..."))
	} else if e.budget.exceeded {
		t = L.CreateTable(0, 3)
		t.RawSetString("err", lua.LString("ERR Script killed by redsim after "+
			strconv.FormatInt(e.MaxSteps, 10)+" Lua instructions (MaxSteps: a script that cannot time out, run with busy-reply-threshold 0, from the master or from the AOF, is cut there)"))
	}
	if src, line, ok := luaFrame(L, 1); ok {
		t.RawSetString("source", lua.LString(src))
		t.RawSetString("line", lua.LNumber(line))
	}
	L.Push(t)
	return 1
}

// luaFrame finds the innermost Lua function from stack level up, skipping
// Go functions (Redis's handler skips the one C function that raised).
func luaFrame(L *lua.LState, level int) (source string, line int, ok bool) {
	for ; ; level++ {
		dbg, found := L.GetStack(level)
		if !found {
			return "", 0, false
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			return "", 0, false
		}
		if dbg.What == "G" {
			continue
		}
		src := dbg.Source
		for _, name := range chunkNames {
			if src == name {
				src = "@" + name
			}
		}
		return src, dbg.CurrentLine, true
	}
}

// where is luaL_where: "source:line: " of the function at level, or ""
// when it is a Go function.
func where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

// failureText is the error reply, without its '-', of a run that raised;
// name is the SHA1 of a script or the name of a function (Redis's
// funcname).
func (e *Engine) failureText(name string, err error) string {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return "ERR Error running script (call to " + e.callName(name) + "): " + err.Error()
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		// The handler itself could not run: the error was a stack overflow,
		// and calling the handler overflowed again. Redis's deeper stack
		// lets its handler run; rebuild its reply from the position the
		// message carries.
		msg := "execution failure"
		if s, isStr := ae.Object.(lua.LString); isStr {
			msg = translate(string(s))
			if prefix, _ := splitPosition(msg); prefix != "" {
				src, line, _ := strings.Cut(strings.TrimSuffix(prefix, ": "), ":")
				return "ERR " + msg + " script: " + name + ", on @" + src + ":" + line + "."
			}
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		return "ERR Error running script " + name + ", " + msg
	}
	var b strings.Builder
	switch m := t.RawGetString("err").(type) {
	case lua.LString:
		b.WriteString(string(m))
	case lua.LNumber:
		b.WriteString(formatNumber14(float64(m)))
	default:
		// Redis 7.0.15 crashes here (NULL message); 7.2 replies this.
		b.WriteString("ERR unknown error")
	}
	src, okSrc := t.RawGetString("source").(lua.LString)
	line := t.RawGetString("line")
	if okSrc && line != lua.LNil {
		b.WriteString(" script: ")
		b.WriteString(name)
		b.WriteString(", on ")
		b.WriteString(string(src))
		b.WriteString(":")
		b.WriteString(luaToString(line))
		b.WriteString(".")
	}
	return b.String()
}

// error is Lua 5.1's error(): string and number messages get the position
// of the function at level (1 by default) prepended.
func (sb *sandbox) error(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	switch v.(type) {
	case lua.LString, lua.LNumber:
		msg := luaToString(v)
		if level > 0 {
			msg = where(L, level) + msg
		}
		L.Error(lua.LString(msg), 0)
	}
	L.Error(v, 0)
	return 0
}

// pcall is Redis's luaRedisPcall: like pcall, but an error table raised by
// the redis library comes back as its err string.
func (sb *sandbox) pcall(L *lua.LState) int {
	L.CheckAny(1)
	top := L.GetTop()
	L.Insert(lua.LTrue, 1)
	err := L.PCall(top-1, lua.MultRet, nil)
	if err == nil {
		return L.GetTop()
	}
	var obj lua.LValue = lua.LString(err.Error())
	if ae, ok := err.(*lua.ApiError); ok {
		obj = ae.Object
	}
	switch o := obj.(type) {
	case *lua.LTable:
		if s, ok := o.RawGetString("err").(lua.LString); ok {
			obj = s
		}
	case lua.LString:
		obj = lua.LString(translate(string(o)))
	}
	L.SetTop(0)
	L.Push(lua.LFalse)
	L.Push(obj)
	return 2
}

// luaToString is lua_tostring for error messages: strings as they are,
// numbers by "%.14g", anything else by its type.
func luaToString(v lua.LValue) string {
	switch t := v.(type) {
	case lua.LString:
		return string(t)
	case lua.LNumber:
		return formatNumber14(float64(t))
	case *lua.LNilType:
		return "nil"
	case lua.LBool:
		if t {
			return "true"
		}
		return "false"
	}
	return v.Type().String()
}

// translate rewrites gopher-lua's runtime error messages into Lua 5.1's,
// keeping the position prefix. Lua 5.1 also names the variable involved
// ("attempt to call field 'x' (a nil value)"); gopher-lua does not know it,
// so those messages come out in the shorter form Lua uses for temporaries.
func translate(msg string) string {
	prefix, body := splitPosition(msg)
	switch {
	case strings.HasPrefix(body, "cannot perform ") && strings.Contains(body, " operation between "):
		// "cannot perform add operation between nil and number"
		rest := strings.TrimPrefix(body, "cannot perform ")
		op, types, _ := strings.Cut(rest, " operation between ")
		a, b, _ := strings.Cut(types, " and ")
		if op == "concat" {
			bad := a
			if a == "string" || a == "number" {
				bad = b
			}
			return prefix + "attempt to concatenate a " + bad + " value"
		}
		bad := a
		if a == "number" {
			bad = b
		}
		return prefix + "attempt to perform arithmetic on a " + bad + " value"
	case body == "attempt to call a non-function object":
		return prefix + "attempt to call a nil value"
	case strings.HasPrefix(body, "attempt to index a non-table object("):
		// "attempt to index a non-table object(nil) with key 'y'"
		rest := strings.TrimPrefix(body, "attempt to index a non-table object(")
		typ, _, _ := strings.Cut(rest, ")")
		return prefix + "attempt to index a " + typ + " value"
	case body == "__len undefined":
		return prefix + "attempt to get length of a nil value"
	case strings.HasPrefix(body, "bad argument #"):
		// "bad argument #1 to floor (number expected, got string)"
		num, rest, ok := strings.Cut(body[len("bad argument #"):], " to ")
		if !ok {
			return msg
		}
		fn, tail, ok := strings.Cut(rest, " ")
		if !ok || strings.HasPrefix(fn, "'") {
			return msg
		}
		return prefix + "bad argument #" + num + " to '" + fn + "' " + tail
	}
	return msg
}

// splitPosition splits "user_script:3: text" into "user_script:3: " and
// "text" (and the same for "user_function").
func splitPosition(msg string) (prefix, body string) {
	for _, name := range chunkNames {
		if !strings.HasPrefix(msg, name+":") {
			continue
		}
		rest := msg[len(name)+1:]
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || !strings.HasPrefix(rest[i:], ": ") {
			return "", msg
		}
		n := len(name) + 1 + i + 2
		return msg[:n], msg[n:]
	}
	return "", msg
}
