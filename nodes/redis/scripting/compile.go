package scripting

import (
	"bytes"
	"errors"
	"strconv"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// The names code is compiled under: Redis 7.0 loads scripts as
// "@user_script" and function libraries as "@user_function", so messages
// say "user_script:1:" and the error handler's source is "@user_script".
const (
	chunkName         = "user_script"
	functionChunkName = "user_function"
)

// chunkNames are both, for the code that reads positions back.
var chunkNames = []string{chunkName, functionChunkName}

// compile compiles a script body into a function of the sandbox. The error
// is Redis's reply text; gopher-lua's parser only says "syntax error", which
// is rendered as Lua's most common message, "unexpected symbol near 'tok'".
func (e *Engine) compile(body []byte) (*lua.LFunction, error) {
	fn, msg := e.compileChunk(body, chunkName, e.sb.gproxy)
	if fn == nil {
		return nil, errors.New("ERR Error compiling script (new function): " + msg)
	}
	return fn, nil
}

// compileChunk compiles body under the chunk name, with env as its
// globals; on failure it returns luac's message ("chunk:line: ...").
func (e *Engine) compileChunk(body []byte, name string, env *lua.LTable) (*lua.LFunction, string) {
	chunk, err := parse.Parse(bytes.NewReader(body), name)
	if err != nil {
		return nil, syntaxMessage(err, body, name)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, name + ":0: " + err.Error()
	}
	// gopher-lua gives a main chunk Lua 5.0's implicit arg table (it marks
	// it VarArgNeedsArg) but no local to name it by, so every call built a
	// table nothing could reach. Lua 5.1 makes no arg table for a main
	// chunk (only for nested vararg functions that do not use ..., which
	// keep theirs): in a script, arg is a global, as in Redis.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	fn := e.L.NewFunctionFromProto(proto)
	fn.Env = env
	return fn, ""
}

// syntaxMessage renders a gopher-lua parse error the way luac does:
// "user_script:<line>: <message> near '<token>'".
func syntaxMessage(err error, body []byte, chunkName string) string {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return chunkName + ":1: " + err.Error()
	}
	msg := pe.Message
	if msg == "syntax error" {
		msg = "unexpected symbol"
	}
	line, tok := pe.Pos.Line, pe.Token
	if line == parse.EOF {
		line = bytes.Count(body, []byte{'\n'}) + 1
		tok = "<eof>"
	}
	return chunkName + ":" + strconv.Itoa(line) + ": " + msg + " near '" + tok + "'"
}
