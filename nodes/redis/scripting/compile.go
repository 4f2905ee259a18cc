package scripting

import (
	"bytes"
	"errors"
	"strconv"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// chunkName is the name scripts are compiled under: Redis 7.0 loads them as
// "@user_script", so messages say "user_script:1:" and the error handler's
// source is "@user_script".
const chunkName = "user_script"

// compile compiles a script body into a function of the sandbox. The error
// is Redis's reply text; gopher-lua's parser only says "syntax error", which
// is rendered as Lua's most common message, "unexpected symbol near 'tok'".
func (e *Engine) compile(body []byte) (*lua.LFunction, error) {
	chunk, err := parse.Parse(bytes.NewReader(body), chunkName)
	if err != nil {
		return nil, errors.New("ERR Error compiling script (new function): " + syntaxMessage(err, body))
	}
	proto, err := lua.Compile(chunk, chunkName)
	if err != nil {
		return nil, errors.New("ERR Error compiling script (new function): " + chunkName + ":0: " + err.Error())
	}
	fn := e.L.NewFunctionFromProto(proto)
	fn.Env = e.sb.gproxy
	return fn, nil
}

// syntaxMessage renders a gopher-lua parse error the way luac does:
// "user_script:<line>: <message> near '<token>'".
func syntaxMessage(err error, body []byte) string {
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
