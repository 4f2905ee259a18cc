package scripting

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/redsim/redsim/nodes/resp"
)

// maxReplyDepth bounds the nesting of a returned table, where Redis runs out
// of Lua stack (lua_checkstack) and writes "reached lua stack limit" in
// place of the deeper values; a table that contains itself ends there.
const maxReplyDepth = 4000

// writeReply writes a script's return value as luaReplyToRedisReply does.
func (e *Engine) writeReply(w *resp.Writer, v lua.LValue) {
	e.writeValue(w, v, 0)
}

func (e *Engine) writeValue(w *resp.Writer, v lua.LValue, depth int) {
	if depth > maxReplyDepth {
		w.WriteError("ERR reached lua stack limit")
		return
	}
	switch t := v.(type) {
	case lua.LString:
		w.WriteBulkString(string(t))
	case lua.LBool:
		// Under RESP2 (the script client's default) true is 1 and false
		// the caller's null; after setresp(3) a boolean, which a RESP2
		// caller sees as 1 or 0.
		switch {
		case e.resp == 3:
			w.WriteBool(bool(t))
		case bool(t):
			w.WriteInt(1)
		default:
			w.WriteNull()
		}
	case lua.LNumber:
		w.WriteInt(toInt64(float64(t)))
	case *lua.LTable:
		e.writeTable(w, t, depth)
	default:
		w.WriteNull()
	}
}

// writeTable writes a table: an error, a status, a RESP3 type given by its
// one field, or an array of its elements 1..n up to the first nil. Fields
// are read raw, as Redis does.
func (e *Engine) writeTable(w *resp.Writer, t *lua.LTable, depth int) {
	t = e.sb.raw(t)
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		w.WriteError(string(s))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.WriteSimpleString(mapCRLF(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.WriteDouble(float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.WriteBigNum(mapCRLF(string(s)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, okF := vt.RawGetString("format").(lua.LString)
		text, okT := vt.RawGetString("string").(lua.LString)
		if okF && okT {
			w.WriteVerbatimString(string(text), string(format))
			return
		}
	}
	if mt, ok := t.RawGetString("map").(*lua.LTable); ok {
		mt = e.sb.raw(mt)
		mark := w.DeferLen()
		n := 0
		for k, v := mt.Next(lua.LNil); k != lua.LNil; k, v = mt.Next(k) {
			e.writeValue(w, k, depth+1)
			e.writeValue(w, v, depth+1)
			n++
		}
		w.SetDeferredMapLen(mark, n)
		return
	}
	if st, ok := t.RawGetString("set").(*lua.LTable); ok {
		st = e.sb.raw(st)
		mark := w.DeferLen()
		n := 0
		for k, _ := st.Next(lua.LNil); k != lua.LNil; k, _ = st.Next(k) {
			e.writeValue(w, k, depth+1)
			n++
		}
		w.SetDeferredSetLen(mark, n)
		return
	}
	mark := w.DeferLen()
	n := 0
	for {
		v := t.RawGetInt(n + 1)
		if v == lua.LNil {
			break
		}
		e.writeValue(w, v, depth+1)
		n++
	}
	w.SetDeferredArrayLen(mark, n)
}

// mapCRLF replaces \r and \n by spaces (sdsmapchars), keeping a status or
// big number reply on one line.
func mapCRLF(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] == '\r' || b[j] == '\n' {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}
