package redis

import (
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/rnum"
)

// scriptState is the EVAL state: the engine with its script cache, and the
// fake client that runs the commands a script calls.
type scriptState struct {
	engine   *scripting.Engine
	sclient  *client
	inScript bool
	// scriptRepl is what redis.set_repl last chose for the running
	// script's writes (scripting.ReplAll outside scripts).
	scriptRepl int
	// scriptCaller is the client running the current script (the ACL
	// log's client-info for a denied redis.call).
	scriptCaller *client
	// funcs is the FUNCTION libraries (nil until first used).
	funcs *scripting.Functions
	// readOnly is SCRIPT_READ_ONLY: the running script came through
	// EVAL_RO or EVALSHA_RO, or its shebang says no-writes.
	readOnly bool
	// scriptAllowOOM is SCRIPT_ALLOW_OOM (the shebang's or function's
	// allow-oom flag); scriptWrote is SCRIPT_WRITE_DIRTY: the running
	// script has called a write command.
	scriptAllowOOM, scriptWrote bool
	// scriptCrossSlot is SCRIPT_ALLOW_CROSS_SLOT: the running script may
	// touch keys of several slots in cluster mode (an EVAL script without
	// a shebang, or the allow-cross-slot-keys flag).
	scriptCrossSlot bool
	// script is the script or function running now (scriptRunCtx).
	script scriptRun
	// co runs the commands that run scripts (runLong); onCoroutine is set
	// while one does, long while it is suspended.
	co          *coroutine
	onCoroutine bool
	long        *longCommand
	// interrupt is s.scriptInterrupt, made once: a method value made for
	// every script would cost an allocation.
	interrupt func() bool
	// abandoned is set when the node went down with a script suspended:
	// the script unwinds without touching anything.
	abandoned bool
	// panicked is the CommandPanic of a command that a script called:
	// the Lua VM turns a Go panic into a script error, so the node panics
	// again with it once the script has returned.
	panicked *CommandPanic
}

var scriptingCommands = []cmdSpec{
	{"eval", -3, flagNoScript | flagStale, func(c *client, a [][]byte) { evalGeneric(c, a, false, false) }, scriptKeys},
	{"evalsha", -3, flagNoScript | flagStale, func(c *client, a [][]byte) { evalGeneric(c, a, true, false) }, scriptKeys},
	{"eval_ro", -3, fr | flagNoScript | flagStale, func(c *client, a [][]byte) { evalGeneric(c, a, false, true) }, scriptKeys},
	{"evalsha_ro", -3, fr | flagNoScript | flagStale, func(c *client, a [][]byte) { evalGeneric(c, a, true, true) }, scriptKeys},
	{"script", -2, flagNoScript, nil, noKeys},
	{"script|load", 3, flagNoScript | flagStale, scriptLoadCommand, noKeys},
	{"script|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], scriptHelp) }, noKeys},
	{"script|debug", 3, flagNoScript, scriptDebugCommand, noKeys},
	{"script|exists", -3, flagNoScript, scriptExistsCommand, noKeys},
	{"script|flush", -2, flagNoScript, scriptFlushCommand, noKeys},
	{"script|kill", 2, flagNoScript, func(c *client, _ [][]byte) { scriptKill(c, true) }, noKeys},
}

func (s *Server) scriptCount() int {
	if s.engine == nil {
		return 0
	}
	return s.engine.Len()
}

func (s *Server) scriptEngine() *scripting.Engine {
	if s.engine == nil {
		s.engine = scripting.New()
	}
	return s.engine
}

// evalGeneric is evalGenericCommand; ro is EVAL_RO's and EVALSHA_RO's
// read-only mode, in which redis.call of a write fails.
func evalGeneric(c *client, args [][]byte, bySHA, ro bool) {
	s := c.s
	if bySHA && len(args[1]) != 40 {
		// evalShaCommand: no SHA1 has another length, so NOSCRIPT comes
		// before numkeys is read.
		c.w.WriteError("NOSCRIPT No matching script. Please use EVAL.")
		return
	}
	n, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if n < 0 {
		c.w.WriteError("ERR Number of keys can't be negative")
		return
	}
	if n > int64(len(args)-3) {
		c.w.WriteError("ERR Number of keys can't be greater than number of args")
		return
	}
	keys, argv := args[3:3+n], args[3+n:]
	e := s.scriptEngine()
	var sha string
	if bySHA {
		sha = strings.ToLower(string(args[1]))
	} else {
		var err error
		if sha, err = e.Load(args[1]); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	}
	flags, known := e.ScriptFlags(sha)
	if known && !c.prepareScript(flags, ro) {
		return
	}
	if known && flags&scripting.FlagShebang != 0 && flags&scripting.FlagNoWrites != 0 {
		ro = true
	}
	// A script without a shebang (compatibility mode) may cross slots.
	s.scriptCrossSlot = !known || flags&scripting.FlagAllowCrossSlotKeys != 0
	s.runScript(c, ro, true, sha, func(ctx scripting.Context) { e.EvalSHA(sha, keys, argv, ctx, c.w) })
}

// runScript runs a script or function for c with the script client: the
// context its redis.call uses, the read-only mode, and the MULTI/EXEC
// that wraps what it propagates. eval and name say what runs: EVAL's
// script and its SHA1, or a function and its name.
func (s *Server) runScript(c *client, ro, eval bool, name string, run func(ctx scripting.Context)) {
	sc := s.sclient
	if sc == nil {
		sc = s.fakeClient()
		sc.deniedBlocking = true
		s.sclient = sc
	}
	sc.db = c.db
	sc.user = c.user // the script runs as its caller
	s.scriptCaller = c
	sc.resp = 2
	sc.w.SetProto(2)
	ctx := scripting.Context{
		Call:      func(cargs [][]byte) []byte { return s.scriptCall(sc, cargs, 2) },
		CallProto: func(cargs [][]byte, proto int) []byte { return s.scriptCall(sc, cargs, proto) },
		SetRepl:   func(flags int) { s.scriptRepl = flags },
		ACLCheckCmd: func(cargs [][]byte) (allowed, known bool) {
			cmd := s.lookup(cargs)
			if cmd == nil || cmd.proc == nil {
				return false, false
			}
			if sc.user == nil {
				return true, true
			}
			req := s.aclRequest(cmd, cargs)
			return sc.user.Check(&req).OK(), true
		},
		Seed: s.rng.Int64(),
		Log:  func(level int, msg string) { s.env.Logf("script: %s", msg) },
	}
	if s.onCoroutine {
		ctx.Interrupt = s.interrupt
	}
	s.script = scriptRun{caller: c, eval: eval, name: name, argv: c.argv, start: s.env.Mono()}
	s.inScript, s.readOnly = true, ro
	s.execDepth++
	c.w.SetProto(c.resp)
	run(ctx)
	if s.abandoned {
		panic(errAbandoned) // the node is gone: nothing more to do
	}
	s.script = scriptRun{}
	s.execDepth--
	s.inScript, s.readOnly = false, false
	s.scriptAllowOOM, s.scriptWrote, s.scriptCrossSlot = false, false, false
	s.scriptRepl = scripting.ReplAll
	s.scriptCaller = nil
	if p := s.panicked; p != nil {
		s.panicked = nil
		panic(p)
	}
	if s.execDepth == 0 {
		s.closeTxn()
	}
	// SELECT inside a script does not change the caller's db.
	c.noProp = true // the script's effects were propagated, not EVAL
}

// prepareScript is scriptPrepareForRun's checks before a script with
// flags runs for c; ro is EVAL_RO's, EVALSHA_RO's or FCALL_RO's. A script
// without a shebang (EVAL compatibility mode) is only refused on a stale
// replica. It replies and reports false when the script may not run.
func (c *client) prepareScript(flags scripting.Flags, ro bool) bool {
	s := c.s
	stale := s.isReplica() && s.linkState != linkConnected && !s.cfg.ReplicaServeStaleData
	obey := c.mustObey()
	if flags&scripting.FlagShebang == 0 {
		if stale {
			c.w.WriteError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
			return false
		}
		return true
	}
	if flags&scripting.FlagNoCluster != 0 && s.clusterEnabled() {
		c.w.WriteError("ERR Can not run script on cluster, 'no-cluster' flag is set.")
		return false
	}
	if stale && flags&scripting.FlagAllowStale == 0 {
		c.w.WriteError("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.")
		return false
	}
	if flags&scripting.FlagNoWrites == 0 {
		if s.isReplica() && s.cfg.ReplicaReadOnly && !obey {
			c.w.WriteError("READONLY Can not run script with write flag on readonly replica")
			return false
		}
		if msg := s.writeDenied(); msg != "" && !obey {
			if strings.Contains(msg, "AOF") {
				c.w.WriteError("MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: " + s.aofWriteErr)
			} else {
				c.w.WriteError("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.")
			}
			return false
		}
		if ro {
			c.w.WriteError("ERR Can not execute a script with write flag using *_ro command.")
			return false
		}
		if !s.isReplica() && s.tooFewGoodReplicas() {
			c.w.WriteError("NOREPLICAS Not enough good replicas to write.")
			return false
		}
	}
	if s.preCommandOOM && s.cfg.MaxMemory != 0 && flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) == 0 {
		c.w.WriteError("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
		return false
	}
	s.scriptAllowOOM = flags&scripting.FlagAllowOOM != 0
	return true
}

// scriptCall runs one redis.call / redis.pcall and returns its RESP2 reply:
// the checks are scriptCall's in Redis 7.0, with its error texts.
func (s *Server) scriptCall(sc *client, args [][]byte, proto int) []byte {
	sc.w.Reset()
	sc.resp = proto
	sc.w.SetProto(proto)
	if len(args) == 0 {
		sc.w.WriteError("ERR Please specify at least one argument for this redis lib call")
		return sc.w.Bytes()
	}
	cmd := s.lookup(args)
	if cmd == nil || (cmd.subs != nil && cmd.proc == nil) {
		sc.w.WriteError("ERR Unknown Redis command called from script")
		return sc.w.Bytes()
	}
	if (cmd.arity > 0 && cmd.arity != len(args)) || len(args) < -cmd.arity {
		sc.w.WriteError("ERR Wrong number of args calling Redis command from script")
		return sc.w.Bytes()
	}
	if cmd.flags&flagNoScript != 0 && !s.allowDeniedInScripts {
		sc.w.WriteError("ERR This Redis command is not allowed from script")
		return sc.w.Bytes()
	}
	if v := sc.checkACL(cmd, args, acl.ContextLua); !v.OK() {
		sc.w.WriteError("ERR The user executing the script " + scriptDenial(v.Reason))
		return sc.w.Bytes()
	}
	if s.readOnly && (cmd.flags&flagWrite != 0 || cmd.name == "publish") {
		// scriptVerifyWriteCommandAllow: PUBLISH is CMD_MAY_REPLICATE.
		sc.w.WriteError("ERR Write commands are not allowed from read-only scripts.")
		return sc.w.Bytes()
	}
	if cmd.flags&flagWrite != 0 {
		if s.isReplica() && s.cfg.ReplicaReadOnly && !s.applying {
			sc.w.WriteError("READONLY You can't write against a read only replica.")
			return sc.w.Bytes()
		}
		if msg := s.writeDenied(); msg != "" {
			sc.w.WriteError(msg)
			return sc.w.Bytes()
		}
		if s.tooFewGoodReplicas() && !s.isReplica() {
			sc.w.WriteError("NOREPLICAS Not enough good replicas to write.")
			return sc.w.Bytes()
		}
	}
	if s.scriptOOM(cmd) {
		sc.w.WriteError(errOOM)
		return sc.w.Bytes()
	}
	if cmd.flags&flagWrite != 0 {
		s.scriptWrote = true // SCRIPT_WRITE_DIRTY
	}
	if msg := s.scriptClusterState(sc, cmd, args); msg != "" {
		sc.w.WriteError(msg)
		return sc.w.Bytes()
	}
	sc.lastCmd = cmd.name
	sc.rejecting = cmd.name
	defer func() {
		if r := recover(); r != nil {
			if p, ok := r.(*CommandPanic); ok && s.panicked == nil {
				s.panicked = p
			}
			panic(r)
		}
	}()
	s.call(sc, cmd, args)
	return sc.w.Bytes()
}

func scriptLoadCommand(c *client, args [][]byte) {
	sha, err := c.s.scriptEngine().Load(args[2])
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.w.WriteBulkString(sha)
}

func scriptExistsCommand(c *client, args [][]byte) {
	c.w.WriteArrayLen(len(args) - 2)
	for _, sha := range args[2:] {
		// The cache is a dict of C strings (dictStrCaseHash): the SHA1
		// is looked up to its first NUL byte.
		if c.s.scriptEngine().Exists(cStr(string(sha))) {
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
	}
}

func scriptFlushCommand(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.WriteError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	if len(args) == 3 {
		m := lowerC(args[2])
		if m != "sync" && m != "async" {
			c.w.WriteError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
			return
		}
	}
	c.s.scriptEngine().Flush()
	c.w.WriteOK()
}

// scriptDenial is getAclErrorMessage: why a script's redis.call was denied.
func scriptDenial(r acl.Reason) string {
	switch r {
	case acl.DeniedCommand:
		return "can't run this command or subcommand"
	case acl.DeniedKey:
		return "can't access at least one of the keys mentioned in the command"
	case acl.DeniedChannel:
		return "can't publish to the channel mentioned in the command"
	}
	return "lacking the permissions for the command"
}

// scriptHelp is SCRIPT HELP's text after its first line.
var scriptHelp = []string{
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
}

// scriptDebugCommand is SCRIPT DEBUG YES|SYNC|NO. The Lua debugger (LDB),
// an interactive session on the client's connection, is not simulated:
// NO is accepted as Redis accepts it, and YES and SYNC, which would start
// a debugging session at the next EVAL, are refused with an error that
// says so rather than running the script undebugged.
func scriptDebugCommand(c *client, args [][]byte) {
	if c.multi {
		c.w.WriteError("ERR SCRIPT DEBUG must be called outside MULTI")
		return
	}
	switch {
	case cEqualFold(args[2], "no"):
		c.w.WriteOK()
	case cEqualFold(args[2], "yes"), cEqualFold(args[2], "sync"):
		c.w.WriteError("ERR SCRIPT DEBUG YES and SYNC start the Lua debugger, which this simulated node does not have")
	default:
		c.w.WriteError("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}
