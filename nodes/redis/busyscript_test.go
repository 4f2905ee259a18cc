package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
	"go.uber.org/goleak"
)

const (
	spinScript      = "local i=0 while true do i=i+1 end"
	spinWriteScript = "redis.call('set','w','1') local i=0 while true do i=i+1 end"
	busyEvalReply   = "-" + errBusyEval + "\r\n"
	// As expect's scripts write them.
	busyEvalLine = "-" + errBusyEval + `\r\n`
	busyFuncLine = "-" + errBusyFunction + `\r\n`
)

// busyWorld is a node whose scripts time out after 50 ms of virtual time
// (5 M Lua instructions at 10 ns).
func busyWorld(t *testing.T) *testWorld {
	t.Helper()
	cfg := DefaultConfig()
	cfg.BusyReplyThreshold = 50 * time.Millisecond
	return newTestWorld(t, cfg)
}

// TestBusyScriptKill: a script that has written nothing times out, the
// others get -BUSY but the allow-busy commands, SCRIPT KILL stops it and
// its caller gets the kill error; then the node serves as before.
func TestBusyScriptKill(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tw := busyWorld(t)
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	caller, other := tw.dial(), tw.dial()
	caller.send("EVAL", spinScript, "0")
	start := tw.w.Now()
	// Sent before the timeout, GET waits for it, then gets -BUSY.
	if got := other.do("GET", "x"); got != busyEvalReply {
		t.Fatalf("GET during the busy script: %q", got)
	}
	if waited := tw.w.Now().Sub(start); waited < 50*time.Millisecond {
		t.Errorf("the first -BUSY came after %v, before busy-reply-threshold", waited)
	}
	other.expect(`
		PING -> ` + busyEvalLine + `
		FUNCTION STATS -> ` + busyEvalLine + `
		FUNCTION KILL -> ` + busyEvalLine + `
		SHUTDOWN -> ` + busyEvalLine + `
		MULTI -> +OK\r\n
		SET x 1 -> ` + busyEvalLine + `
		EXEC -> -EXECABORT Transaction discarded because of: ` + errBusyEval + `\r\n
		SCRIPT KILL -> +OK\r\n
	`)
	got := caller.wait(1)
	if !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: ") || !strings.HasSuffix(got, ", on @user_script:1.\r\n") {
		t.Errorf("the killed script's reply: %q", got)
	}
	other.expect(`
		SCRIPT KILL -> -NOTBUSY No scripts in execution right now.\r\n
		SET x 1 -> +OK\r\n
	`)
	caller.expect(`GET x -> $1\r\n1\r\n`)
	if !tw.logged("Slow script detected: still in execution after 50 milliseconds. You can try killing the script using the SCRIPT KILL command.") {
		t.Error("no slow script line in the log")
	}
}

// TestBusyScriptUnkillable: a script that wrote cannot be killed; SHUTDOWN
// NOSAVE stops the node, and its suspended script with it.
func TestBusyScriptUnkillable(t *testing.T) {
	testBusyScriptUnkillable(t, false)
}

// TestBusyScriptUnkillableAOF: the same with the AOF on, whose fsync at
// shutdown takes disk time: the node, held for it as Redis's main thread
// is, serves no one meanwhile and the script does not go on.
func TestBusyScriptUnkillableAOF(t *testing.T) {
	testBusyScriptUnkillable(t, true)
}

func testBusyScriptUnkillable(t *testing.T, aof bool) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfg := DefaultConfig()
	cfg.BusyReplyThreshold = 50 * time.Millisecond
	cfg.AppendOnly = aof
	tw := newTestWorldDisk(t, cfg, sim.DiskConfig{FsyncLatency: sim.FixedDist(20 * time.Millisecond)})
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	caller, other, third := tw.dial(), tw.dial(), tw.dial()
	caller.send("EVAL", spinWriteScript, "0")
	tw.w.RunFor(60 * time.Millisecond)
	other.expect(`
		SCRIPT KILL -> -UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n
	`)
	other.send("SHUTDOWN", "NOSAVE")
	tw.w.RunFor(time.Millisecond)
	third.send("PING")
	tw.w.RunFor(40 * time.Millisecond)
	if tw.node.Node() != nil {
		t.Fatal("the node is still up after SHUTDOWN NOSAVE")
	}
	if !caller.closed || len(caller.replies) != 0 {
		t.Errorf("the caller: closed %v, replies %q", caller.closed, caller.replies)
	}
	if len(third.replies) != 0 {
		t.Errorf("a client was served during the shutdown: %q", third.replies)
	}
}

// TestBusyScriptCrash: a crash in the middle of a busy script leaves no
// coroutine behind, and the node restarts without the script's write.
func TestBusyScriptCrash(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tw := busyWorld(t)
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	caller := tw.dial()
	caller.send("EVAL", spinWriteScript, "0")
	tw.w.RunFor(60 * time.Millisecond)
	if tw.server().long == nil {
		t.Fatal("the script is not suspended")
	}
	tw.crashAndRestart()
	tw.dial().expect(`GET w -> $-1\r\n`)
}

// TestBusyScriptEnds: a long script that ends by itself answers its caller
// after the virtual time its instructions take; meanwhile the others got
// -BUSY, and the caller's pipelined command runs after it.
func TestBusyScriptEnds(t *testing.T) {
	tw := busyWorld(t)
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	caller, other := tw.dial(), tw.dial()
	// About 3 instructions an iteration: 30 M instructions, 300 ms.
	start := tw.w.Now()
	caller.send("EVAL", "local i=0 while i<10000000 do i=i+1 end redis.call('set','n',i) return i", "0")
	caller.send("GET", "n")
	tw.w.RunFor(100 * time.Millisecond)
	other.expect(`INCR n -> ` + busyEvalLine)
	if got := caller.wait(1); got != ":10000000\r\n" {
		t.Fatalf("EVAL: %q", got)
	}
	took := tw.w.Now().Sub(start)
	if took < 250*time.Millisecond || took > 400*time.Millisecond {
		t.Errorf("the script took %v of virtual time, want about 300 ms", took)
	}
	if got := caller.wait(2); got != "$8\r\n10000000\r\n" {
		t.Errorf("GET after the script: %q", got)
	}
	other.expect(`INCR n -> :10000001\r\n`)
}

// TestBusyFunctionKill: a busy function shows in FUNCTION STATS, is killed
// by FUNCTION KILL but not by SCRIPT KILL, and the -BUSY reply names
// FUNCTION KILL.
func TestBusyFunctionKill(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tw := busyWorld(t)
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	caller, other := tw.dial(), tw.dial()
	if got := caller.do("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('spin', function() local i=0 while true do i=i+1 end end)"); got != "$3\r\nlib\r\n" {
		t.Fatalf("FUNCTION LOAD: %q", got)
	}
	caller.send("FCALL", "spin", "0")
	tw.w.RunFor(70 * time.Millisecond)
	other.expect(`
		GET x -> ` + busyFuncLine + `
		SCRIPT KILL -> ` + busyFuncLine + `
	`)
	stats := other.do("FUNCTION", "STATS")
	if !strings.HasPrefix(stats, "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:") {
		t.Errorf("FUNCTION STATS: %q", stats)
	}
	other.expect(`FUNCTION KILL -> +OK\r\n`)
	if got := caller.wait(2); got != "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n" {
		t.Errorf("the killed function's reply: %q", got)
	}
}

// TestBusyScriptDisabled: with busy-reply-threshold 0 a long script never
// times out and takes no virtual time.
func TestBusyScriptDisabled(t *testing.T) {
	tw := busyWorld(t)
	defer tw.w.Close() // before goleak looks: the node's coroutine ends
	c := tw.dial()
	c.expect(`
		CONFIG SET busy-reply-threshold 0 -> +OK\r\n
		EVAL "local i=0 while i<3000000 do i=i+1 end return i" 0 -> :3000000\r\n
	`)
	if tw.server().long != nil {
		t.Error("a script is suspended")
	}
}

// TestBusyScriptInExec: a script inside EXEC times out like any other; a
// transaction without one runs off the coroutine.
func TestBusyScriptInExec(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	tw := busyWorld(t)
	defer tw.w.Close()
	caller, other := tw.dial(), tw.dial()
	caller.expect(`
		MULTI -> +OK\r\n
		SET a 1 -> +QUEUED\r\n
		EXEC -> *1\r\n+OK\r\n
	`)
	if tw.server().co != nil {
		t.Error("a transaction without a script ran on the coroutine")
	}
	caller.expect(`
		MULTI -> +OK\r\n
		EVAL "local i=0 while true do i=i+1 end" 0 -> +QUEUED\r\n
		INCR a -> +QUEUED\r\n
	`)
	caller.send("EXEC")
	tw.w.RunFor(60 * time.Millisecond)
	other.expect(`
		GET a -> ` + busyEvalLine + `
		SCRIPT KILL -> +OK\r\n
	`)
	got := caller.wait(7)
	if !strings.HasPrefix(got, "*2\r\n-ERR Script killed by user with SCRIPT KILL...") || !strings.HasSuffix(got, ":2\r\n") {
		t.Errorf("EXEC: %q", got)
	}
}
