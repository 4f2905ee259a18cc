package redis

import (
	"errors"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// A panic inside a command names the node, its host and the command, and
// keeps the original value and the stack of the place that panicked, so
// that a scenario's framework error says which command crashed which node.
func TestCommandPanicNamesNodeAndCommand(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	tw.server().commands.cmds["crash"] = &command{name: "crash", arity: -1, proc: crashingCommand}
	var got any
	var stack string
	func() {
		defer func() {
			got = recover()
			stack = string(debug.Stack())
		}()
		c.do("CRASH", "arg1", strings.Repeat("x", 100), "a b")
	}()
	p, ok := got.(*CommandPanic)
	if !ok {
		t.Fatalf("recovered %T %v, want a *CommandPanic", got, got)
	}
	if p.Host != "r1" || p.Node != "redis" {
		t.Errorf("panic names node %q on host %q, want redis on r1", p.Node, p.Host)
	}
	wantCmd := `CRASH arg1 ` + strings.Repeat("x", 64) + `...(100 bytes) "a b"`
	if p.Command != wantCmd {
		t.Errorf("Command = %q, want %q", p.Command, wantCmd)
	}
	var re runtime.Error
	if !errors.As(p, &re) || !strings.Contains(p.Error(), "index out of range") {
		t.Errorf("the original runtime error is lost: %v", p)
	}
	if !strings.Contains(p.Error(), "redis node redis on host r1 panicked running CRASH arg1") {
		t.Errorf("Error() = %q", p.Error())
	}
	for _, st := range []string{string(p.Stack), stack} {
		if !strings.Contains(st, "crashingCommand") {
			t.Errorf("the stack lost the frame that panicked:\n%s", st)
		}
	}
}

// A command that a script or a transaction runs is named itself, and the
// Lua VM does not swallow its panic.
func TestCommandPanicInsideScriptAndExec(t *testing.T) {
	for _, via := range [][][]string{
		{{"EVAL", "return redis.call('crash', 'x')", "0"}},
		{{"MULTI"}, {"CRASH", "x"}, {"EXEC"}},
	} {
		tw := newTestWorld(t, DefaultConfig())
		c := tw.dial()
		tw.server().commands.cmds["crash"] = &command{name: "crash", arity: -1, proc: crashingCommand}
		var got any
		func() {
			defer func() { got = recover() }()
			for _, cmd := range via {
				c.do(cmd...)
			}
		}()
		p, ok := got.(*CommandPanic)
		if !ok || p.Command != "crash x" && p.Command != "CRASH x" {
			t.Errorf("%q: recovered %v, want the CommandPanic of the crash command", via, got)
		}
	}
}

func crashingCommand(c *client, args [][]byte) {
	var none []int
	_ = none[len(args)]
}

// SETRANGE with an offset near the top of int64 replies with Redis's
// error instead of slicing past memory; the master's stream is obeyed.
func TestSetrangeHugeOffset(t *testing.T) {
	tw := newTestWorld(t, DefaultConfig())
	c := tw.dial()
	c.expect(`
		SETRANGE k 9223372036854775807 A -> -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
		SETRANGE k 536870911 AB -> -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
		SETRANGE k 536870911 "" -> :0\r\n
		SET k abc -> +OK\r\n
		SETRANGE k 9223372036854775807 "" -> :3\r\n
		SETRANGE k 9223372036854775807 A -> -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
		SETRANGE k 1 Z -> :3\r\n
		GET k -> $3\r\naZc\r\n
		CONFIG SET proto-max-bulk-len 1048576 -> +OK\r\n
		SETRANGE k 1048576 A -> -ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n
		APPEND k 9223372036854775807 -> :22\r\n
	`)
}

// The fuzzer's input for the SETRANGE crash decodes to that command.
func TestFuzzSeedSetrange(t *testing.T) {
	fz := newCommandFuzzer(NewCommandTable())
	got := fz.decode(fz.seeds()[0])
	want := []string{"SETRANGE", "k0", "9223372036854775807", "A"}
	if len(got) != 1 || !slices.Equal(got[0], want) {
		t.Errorf("the first seed decodes to %q, want %q", got, want)
	}
}
