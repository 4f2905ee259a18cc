package redis

import (
	"errors"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/rnum"
)

// Busy scripts, as Redis 7.0 runs them. A script (EVAL, FCALL, or one
// inside EXEC) that runs longer than busy-reply-threshold (lua-time-limit)
// times out: from then on, every HookSteps Lua instructions, the node
// serves the other clients (processEventsWhileBlocked) and answers them
// -BUSY, except for the few commands flagged allow-busy (SCRIPT KILL,
// FUNCTION KILL, FUNCTION STATS, SHUTDOWN NOSAVE, AUTH, HELLO, MULTI...).
// SCRIPT KILL stops a script that has not written yet; one that has is
// UNKILLABLE, and so is one the master sent.
//
// How long a script runs is a model: Config.LuaInstructionCost of virtual
// time per Lua VM instruction. Until it has run busy-reply-threshold, a
// script takes no virtual time, as before; after that the node is held
// (input, timers and replies wait, as during DEBUG SLEEP) for the time of
// each HookSteps instructions, and serves the waiting input in between.
//
// To do this the script must stop in the middle of its Lua code and go on
// later. A command that can run a script is therefore run on a coroutine
// (iter.Pull): the Lua VM yields from inside its count hook, the event
// loop goes on, and a timer of the node resumes it. Control passes from
// one to the other synchronously, so the world still has one thread of
// control and stays deterministic. A command run from the master's stream
// or from the AOF runs without one: its script never times out.

// busyParams are busy-reply-threshold and its alias lua-time-limit, in
// ms from 0 to LONG_MAX.
var busyParams = []param{busyThresholdParam("busy-reply-threshold"), busyThresholdParam("lua-time-limit")}

func busyThresholdParam(name string) param {
	return param{name: name,
		get: func(c *Config) string { return strconv.FormatInt(durationMs(c.BusyReplyThreshold), 10) },
		set: func(s *Server, v string) string {
			n, ok := rnum.ParseInt([]byte(v)) // numericParseString: string2ll
			if !ok {
				return "argument couldn't be parsed into an integer"
			}
			if n < 0 {
				return "argument must be between 0 and 9223372036854775807 inclusive"
			}
			s.cfg.BusyReplyThreshold = time.Duration(min(n, int64(1<<63-1)/int64(time.Millisecond))) * time.Millisecond
			return ""
		}}
}

// DefaultLuaInstructionCost is the virtual time one Lua VM instruction
// takes. Redis 7.0.15 on this project's reference machine runs a bare
// `while i<n do i=i+1 end` at 2.6 ns per instruction, table appends at
// 36 ns and string calls at 52 ns; 10 ns is between the two.
const DefaultLuaInstructionCost = 10 * time.Nanosecond

// The -BUSY replies (shared.slowevalerr and shared.slowscripterr): the
// first while EVAL's script runs, the second while a function does.
const (
	errBusyEval     = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)

// errAbandoned unwinds the coroutine of a script whose node went down
// while it was suspended; runLong recovers it.
var errAbandoned = errors.New("redis: script abandoned: the node went down")

// scriptRun is Redis's scriptRunCtx: the script or function now running.
type scriptRun struct {
	caller *client
	eval   bool   // EVAL mode (SCRIPT KILL), not a function (FUNCTION KILL)
	name   string // the function's name, or the script's SHA1
	argv   [][]byte
	start  time.Duration // Mono at its start
	steps  int64         // Lua instructions so far, counted by the hook
	// timedOut is SCRIPT_TIMEDOUT: it has run past busy-reply-threshold
	// and the node serves others between its hooks.
	timedOut bool
	killed   bool // SCRIPT_KILLED
}

// coroutine runs the node's script-running commands, one at a time, on a
// goroutine of its own that only ever runs while the node's caller waits
// (iter.Pull): a command can suspend itself in the middle and be resumed
// later. It holds nothing of the node between commands, so that a node that is
// dropped without Discard (a test's world) can still be collected; the
// cleanup then ends the coroutine.
type coroutine struct {
	// c and args are the command to run next.
	c     *client
	args  [][]byte
	yield func(suspended bool) bool
	next  func() (suspended bool, ok bool)
	stop  func()
}

func newCoroutine() *coroutine {
	co := &coroutine{}
	co.next, co.stop = iter.Pull(func(yield func(bool) bool) {
		co.yield = yield
		for {
			c, args := co.c, co.args
			co.c, co.args = nil, nil
			c.processCommand(args)
			if c.paused == nil {
				c.afterCommand()
			}
			if !yield(false) {
				return
			}
		}
	})
	return co
}

// run runs c's command args until it ends (false) or suspends itself
// (true).
func (co *coroutine) run(c *client, args [][]byte) bool {
	co.c, co.args = c, args
	return co.resume()
}

// resume runs the suspended command until it ends or suspends itself
// again.
func (co *coroutine) resume() bool {
	suspended, _ := co.next()
	return suspended
}

// suspend, called by the command, hands control back to run's or
// resume's caller. It reports false when the coroutine is being stopped
// instead: the command must then unwind.
func (co *coroutine) suspend() bool { return co.yield(true) }

// longCommand is a command suspended on the coroutine in its script's
// count hook.
type longCommand struct {
	c *client
	// input is what c sent meanwhile: its reader still holds the
	// command's arguments, so it takes no more until the command ends.
	input []byte
}

// mayRunScript reports whether args is a command that runs a script for a
// client, and so runs on the coroutine: EVAL, EVALSHA, their _RO forms,
// FCALL, FCALL_RO, and an EXEC that holds one of them.
func (s *Server) mayRunScript(c *client, args [][]byte) bool {
	if s.cfg.BusyReplyThreshold <= 0 || c.isFake || c.isMaster || s.onCoroutine || len(args) == 0 {
		return false
	}
	// Every command passes here: only EVAL*, FCALL* and EXEC are looked
	// up (processCommand looks the command up again).
	if n := args[0]; len(n) < 4 || len(n) > 10 || (n[0]|0x20 != 'e' && n[0]|0x20 != 'f') {
		return false
	}
	cmd := s.lookup(args)
	if cmd == nil {
		return false
	}
	if isScriptRun(cmd.name) {
		return true
	}
	if cmd.name == "exec" && c.multi {
		for _, q := range c.queue {
			if q := s.lookup(q); q != nil && isScriptRun(q.name) {
				return true
			}
		}
	}
	return false
}

// isScriptRun reports whether the command of this full name runs a
// script or function.
func isScriptRun(name string) bool {
	switch name {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return true
	}
	return false
}

// runLong runs one command of c's input on the coroutine, as processInput
// runs any: it reports false when the command finished, true when its
// script timed out and the command goes on later.
func (c *client) runLong(args [][]byte) bool {
	s := c.s
	if s.co == nil {
		s.co = newCoroutine()
		s.interrupt = s.scriptInterrupt
		runtime.AddCleanup(s, func(stop func()) { stop() }, s.co.stop)
	}
	s.onCoroutine = true
	suspended := s.co.run(c, args)
	if !suspended {
		s.onCoroutine = false
		return false
	}
	// The script has run all its instructions so far in no time; the
	// node is held for them, then serves the others for the first time.
	s.long = &longCommand{c: c}
	s.sleeping = true
	s.env.After(time.Duration(s.script.steps)*s.cfg.LuaInstructionCost, s.scriptHook)
	return true
}

// scriptHook is processEventsWhileBlocked between two stretches of a
// timed-out script: the clients' waiting input is served, in id order
// (the script's caller excepted, and the master's stream, which waits for
// the script's end), and the replies go out; then the script goes on.
func (s *Server) scriptHook() {
	l := s.long
	if l == nil || s.stopped || s.shut.finishing {
		return
	}
	s.sleeping = false
	s.updateCachedTime() // processEventsWhileBlocked
	for _, c := range slices.Clone(s.clients) {
		if c != l.c && !c.closed {
			c.stampRead() // a blocked client's socket is read too
		}
		if c != l.c && !c.closed && c.blocked == nil {
			c.processInput()
			if s.stopped || s.shut.finishing { // SHUTDOWN NOSAVE
				s.afterEvent()
				return
			}
		}
	}
	s.clusterEventsWhileBlocked()
	if s.stopped || s.shut.finishing {
		return
	}
	s.flushReplies()
	s.sleeping = true
	s.continueScript()
}

// continueScript resumes the suspended command until its script yields
// again or the command ends.
func (s *Server) continueScript() {
	l := s.long
	from := s.script.steps
	if s.co.resume() {
		s.env.After(time.Duration(s.script.steps-from)*s.cfg.LuaInstructionCost, s.scriptHook)
		return
	}
	s.long, s.onCoroutine = nil, false
	s.sleeping = false
	c := l.c
	if c.closedDuringScript {
		c.closing = true
	} else if len(l.input) > 0 {
		c.r.Feed(l.input)
	}
	c.markPending()
	s.resume() // c's own pipeline, the others' input, the late crons
}

// scriptInterrupt is scriptInterrupt, called by the Lua count hook: it
// reports whether the script is to be killed.
func (s *Server) scriptInterrupt() bool {
	r := &s.script
	r.steps += scripting.HookSteps
	if !r.timedOut {
		elapsed := time.Duration(r.steps) * s.cfg.LuaInstructionCost
		if elapsed < s.cfg.BusyReplyThreshold {
			return false
		}
		r.timedOut = true
		kill := "SCRIPT KILL"
		if !r.eval {
			kill = "FUNCTION KILL"
		}
		s.env.Logf("Slow script detected: still in execution after %d milliseconds. You can try killing the script using the %s command. Script name is: %s.", elapsed.Milliseconds(), kill, r.name)
	}
	if !s.co.suspend() {
		return true // the node is going down: unwind
	}
	if r.killed {
		s.env.Logf("Lua script killed by user with SCRIPT KILL.")
	}
	return r.killed
}

// busyError is the -BUSY reply while a timed-out script runs, or "".
func (s *Server) busyError() string {
	if s.long == nil || !s.script.timedOut {
		return ""
	}
	if s.script.eval {
		return errBusyEval
	}
	return errBusyFunction
}

// scriptKill is SCRIPT KILL (eval true) and FUNCTION KILL.
func scriptKill(c *client, eval bool) {
	s := c.s
	r := &s.script
	switch {
	case !s.inScript || s.long == nil:
		c.w.WriteError("NOTBUSY No scripts in execution right now.")
	case s.scriptWrote:
		c.w.WriteError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	case eval && !r.eval:
		c.w.WriteError(errBusyFunction)
	case !eval && r.eval:
		c.w.WriteError(errBusyEval)
	default:
		r.killed = true
		c.w.WriteOK()
	}
}

// writeRunningScript writes FUNCTION STATS's running_script: the running
// function's name, its caller's command and how long it has run.
func (s *Server) writeRunningScript(c *client) {
	if !s.inScript || s.long == nil {
		c.w.WriteNull()
		return
	}
	r := &s.script
	c.w.WriteMapLen(3)
	c.w.WriteBulkString("name")
	c.w.WriteBulkString(r.name)
	c.w.WriteBulkString("command")
	c.w.WriteArrayLen(len(r.argv))
	for _, a := range r.argv {
		c.w.WriteBulk(a)
	}
	c.w.WriteBulkString("duration_ms")
	c.w.WriteInt(int64((s.env.Mono() - r.start) / time.Millisecond))
}

// Discard is called when the node's incarnation ends (a crash, a kill,
// SHUTDOWN, the end of the world): a script suspended on its coroutine is
// unwound, so that the coroutine ends and nothing it holds leaks.
func (s *Server) Discard() {
	if s.co == nil {
		return
	}
	s.long = nil
	s.abandoned = true
	defer func() {
		if r := recover(); r != nil && r != errAbandoned {
			panic(r)
		}
	}()
	s.co.stop()
}
