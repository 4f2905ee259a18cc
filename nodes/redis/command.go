package redis

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/redis/scripting"
)

// cmdFlags are Redis's command flags that change how a command is run.
type cmdFlags uint32

const (
	flagWrite    cmdFlags = 1 << iota // changes the dataset
	flagReadonly                      // reads the dataset
	flagDenyOOM                       // refused when out of memory
	flagAdmin                         // administrative
	flagPubSub                        // allowed in the RESP2 subscribed context
	flagNoScript                      // not allowed from scripts
	flagNoAuth                        // allowed before authentication
	flagBlocking                      // may block the client
	flagNoMulti                       // not allowed inside MULTI
	flagStale                         // allowed on a replica whose link is down with replica-serve-stale-data no
	flagLoading                       // allowed while the dataset loads (CMD_LOADING)
)

// command is an entry of the command table.
type command struct {
	name  string // full lowercase name: "get", "config|get"
	arity int    // > 0 exact argc, < 0 at least -arity
	flags cmdFlags
	proc  func(c *client, args [][]byte)
	keys  cmdKeys
	subs  map[string]*command
	// meta is what Redis 7.0.15 says of the command (commandmeta.go),
	// looked up once.
	meta *cmdMeta
	// fast and skipSlowlog are hasMetaFlag("fast") and
	// hasMetaFlag("skip_slowlog"), which every call asks.
	fast, skipSlowlog bool
	// INFO commandstats and latencystats (cmdstats.go): calls, time in
	// µs, rejected and failed calls, and the latency histogram.
	calls, usec, rejected, failed int64
	hist                          *latencyHist
	// acl is this command's entry in the ACL table (aclRequest).
	acl cmdACL
}

// cmdSpec is a command as the per-family tables list it. Every entry says
// where its keys are, noKeys included, so that a new command cannot forget.
type cmdSpec struct {
	name  string
	arity int
	flags cmdFlags
	proc  func(c *client, args [][]byte)
	keys  cmdKeys
}

const (
	fw   = flagWrite | flagDenyOOM
	fwn  = flagWrite // writes that free memory (DEL...)
	fr   = flagReadonly
	fps  = flagPubSub | flagNoScript
	fadm = flagAdmin | flagNoScript
)

// CommandTable is the node's command table: the commands it implements,
// with their arity, flags and where their keys are, as Redis 7.0.15's
// command table has them. Container commands ("config", "client"...) hold
// their subcommands. A node builds its own; the methods only read it.
type CommandTable struct {
	cmds map[string]*command
	// byShape indexes cmds by nameShape, so that lookup finds a command
	// from its bytes, in any case, without a map's string hashing.
	byShape [shapeBuckets][]namedCommand
}

// namedCommand is an entry of CommandTable.byShape: a key of cmds with its
// command.
type namedCommand struct {
	name string
	cmd  *command
}

// shapeBuckets is the size of CommandTable.byShape, a power of two.
const shapeBuckets = 512

// nameShape is a command name's bucket in CommandTable.byShape: its
// length with its first and last bytes, case-folded. name is not empty.
func nameShape(name []byte) int {
	return (len(name)*67 + int(lowerASCII(name[0]))*7 + int(lowerASCII(name[len(name)-1]))) & (shapeBuckets - 1)
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return b
}

// find is findCommand(t.cmds, name), which it calls only for names the
// index does not have.
func (t *CommandTable) find(name []byte) *command {
	if len(name) == 0 || len(name) > maxFoldedName {
		return findCommand(t.cmds, name)
	}
next:
	for _, e := range t.byShape[nameShape(name)] {
		if len(e.name) != len(name) {
			continue
		}
		for i, b := range name {
			if lowerASCII(b) != e.name[i] {
				continue next
			}
		}
		return e.cmd
	}
	// Not indexed: unknown, or added to cmds after the table was built
	// (tests add commands so).
	return findCommand(t.cmds, name)
}

// NewCommandTable returns a command table of a node's own: a copy of one
// built once per process, with its own statistics (INFO commandstats,
// latencystats) and its own maps, which tests may add commands to.
func NewCommandTable() *CommandTable { return commandTemplate.clone() }

// commandTemplate is the table every node's is copied from, built when the
// package starts. Nothing changes it: nodes change their copies, so the
// worlds of a sweep's jobs read it side by side.
var commandTemplate = buildCommandTable()

// clone copies t: every command into one block, the maps anew, the index
// pointing at the copies. What a command shares with t (its meta, key specs,
// procs) nothing changes.
func (t *CommandTable) clone() *CommandTable {
	n := len(t.cmds)
	for _, cmd := range t.cmds { //redsim:ordered counts only
		n += len(cmd.subs)
	}
	block := make([]command, 0, n) // appends below never move it
	cmds := make(map[string]*command, len(t.cmds))
	for name, cmd := range t.cmds { //redsim:ordered fills maps; where a command sits in the block cannot show
		block = append(block, *cmd)
		c := &block[len(block)-1]
		if cmd.subs != nil {
			c.subs = make(map[string]*command, len(cmd.subs))
			for sub, sc := range cmd.subs { //redsim:ordered fills a map; as above
				block = append(block, *sc)
				c.subs[sub] = &block[len(block)-1]
			}
		}
		cmds[name] = c
	}
	ct := &CommandTable{cmds: cmds}
	indexed := 0
	for _, bucket := range t.byShape {
		indexed += len(bucket)
	}
	entries := make([]namedCommand, 0, indexed) // the buckets share it
	for i, bucket := range t.byShape {
		if len(bucket) == 0 {
			continue
		}
		start := len(entries)
		for _, e := range bucket {
			entries = append(entries, namedCommand{e.name, cmds[e.name]})
		}
		ct.byShape[i] = entries[start:len(entries):len(entries)]
	}
	return ct
}

// buildCommandTable builds the command table from the per-family lists.
func buildCommandTable() *CommandTable {
	t := map[string]*command{}
	add := func(specs ...cmdSpec) {
		for _, sp := range specs {
			if strings.ToLower(sp.name) != sp.name {
				panic("redis: command name " + sp.name + " is not lowercase; findCommand needs it so")
			}
			cmd := &command{name: sp.name, arity: sp.arity, flags: sp.flags, proc: sp.proc, keys: sp.keys, meta: commandMetas[sp.name]}
			cmd.fast, cmd.skipSlowlog = cmd.hasMetaFlag("fast"), cmd.hasMetaFlag("skip_slowlog")
			name, sub, isSub := strings.Cut(sp.name, "|")
			if !isSub {
				t[name] = cmd
				continue
			}
			parent := t[name]
			if parent.subs == nil {
				parent.subs = map[string]*command{}
			}
			parent.subs[sub] = cmd
		}
	}
	add(connectionCommands...)
	add(clientCommands...)
	add(serverCommands...)
	add(keyCommands...)
	add(stringCommands...)
	add(listCommands...)
	add(hashCommands...)
	add(setCommands...)
	add(zsetCommands...)
	add(multiCommands...)
	add(pubsubCommands...)
	add(shardPubsubCommands...)
	add(scriptingCommands...)
	add(persistenceCommands...)
	add(dumpCommands...)
	add(replicationCommands...)
	add(objectCommands...)
	add(zsetOpCommands...)
	add(sortCommands...)
	add(lolwutCommands...)
	add(bitopsCommands...)
	add(hllCommands...)
	add(streamCommands...)
	add(geoCommands...)
	add(functionCommands...)
	add(aclCommands...)
	add(failoverCommands...)
	add(migrateCommands...)
	add(clusterCommands...)
	add(clusterSubcommands...)
	add(quitCommands...)
	add(slowlogCommands...)
	add(latencyCommands...)
	add(monitorCommands...)
	add(moduleCommands...)
	add(memoryCommands...)
	applyMetaFlags(t)
	ct := &CommandTable{cmds: t}
	names := make([]string, 0, len(t))
	for name := range t { //redsim:ordered sorted below
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name != "" && len(name) <= maxFoldedName {
			i := nameShape([]byte(name))
			ct.byShape[i] = append(ct.byShape[i], namedCommand{name, t[name]})
		}
	}
	return ct
}

// lookup finds the command for args, descending into subcommands; it
// returns nil for an unknown command or subcommand.
func (t *CommandTable) lookup(args [][]byte) *command {
	cmd := t.find(args[0])
	if cmd == nil || cmd.subs == nil || len(args) == 1 {
		return cmd
	}
	return findCommand(cmd.subs, args[1])
}

// lookup finds the command for args in the node's table.
func (s *Server) lookup(args [][]byte) *command { return s.commands.lookup(args) }

// Names returns the full names of the commands in the table, subcommands
// as "config|get" after their container, in byte order.
func (t *CommandTable) Names() []string {
	var names []string
	for name, cmd := range t.cmds { //redsim:ordered sorted below
		names = append(names, name)
		for sub := range cmd.subs { //redsim:ordered sorted below
			names = append(names, name+"|"+sub)
		}
	}
	slices.Sort(names)
	return names
}

// command finds a command by its full lowercase name ("get", "config|get").
func (t *CommandTable) command(name string) *command {
	name, sub, isSub := strings.Cut(name, "|")
	cmd := t.cmds[name]
	if !isSub || cmd == nil {
		return cmd
	}
	return cmd.subs[sub]
}

// KeyRange returns the legacy key range of the command with the full
// lowercase name ("get", "config|get"), as COMMAND INFO reports it; ok is
// false when the table has no such command.
func (t *CommandTable) KeyRange(name string) (r KeyRange, ok bool) {
	cmd := t.command(name)
	if cmd == nil {
		return KeyRange{}, false
	}
	return cmd.keys.legacyRange(), true
}

// The errors of KeyPositions; their texts are COMMAND GETKEYS's error
// replies.
var (
	// ErrKeysUnknownCommand: the table has no such command or subcommand.
	ErrKeysUnknownCommand = errors.New("ERR Invalid command specified")
	// ErrKeysNone: the command never has keys (PING, PUBLISH, CONFIG GET).
	ErrKeysNone = errors.New("ERR The command has no key arguments")
	// ErrKeysArity: argv has the wrong number of arguments for the command.
	ErrKeysArity = errors.New("ERR Invalid number of arguments specified for command")
	// ErrKeysInvalid: no keys could be found in argv, and the command needs
	// some; the command itself would reply with an error.
	ErrKeysInvalid = errors.New("ERR Invalid arguments specified for command")
)

// KeyPositions returns the positions in argv of the keys of the command
// argv, what Redis's COMMAND GETKEYS replies with: argv[0] names the
// command (a container's subcommand is argv[1]), and the positions count
// from it. It fails as COMMAND GETKEYS does: the command is unknown, has no
// keys, argv has the wrong number of arguments, or no keys can be found in
// it (a key count that is not a positive integer or runs past the end) and
// the command needs some. EVAL with 0 keys gives an empty list and no
// error.
func (t *CommandTable) KeyPositions(argv [][]byte) ([]int, error) {
	if len(argv) == 0 {
		return nil, ErrKeysUnknownCommand
	}
	cmd := t.lookup(argv)
	switch {
	case cmd == nil:
		return nil, ErrKeysUnknownCommand
	case !cmd.keys.hasKeys():
		return nil, ErrKeysNone
	case (cmd.arity > 0 && cmd.arity != len(argv)) || len(argv) < -cmd.arity:
		return nil, ErrKeysArity
	}
	pos := cmd.keys.positions(argv)
	if len(pos) == 0 {
		if cmd.keys.optional {
			return []int{}, nil
		}
		return nil, ErrKeysInvalid
	}
	return pos, nil
}

// findCommand looks name up case-insensitively without allocating: names
// are short, so a lowercased copy fits a stack buffer. The table's names
// are lowercase (NewCommandTable checks), so one lookup serves: of name
// itself when it has no capital, else of its lowercased copy.
func findCommand(table map[string]*command, name []byte) *command {
	var buf [maxFoldedName]byte
	if len(name) > len(buf) {
		return table[string(name)] // longer than any command name
	}
	for i, b := range name {
		if 'A' <= b && b <= 'Z' {
			copy(buf[:], name[:i])
			for j := i; j < len(name); j++ {
				b := name[j]
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				buf[j] = b
			}
			return table[string(buf[:len(name)])]
		}
	}
	return table[string(name)]
}

// maxFoldedName is the longest name findCommand case-folds.
const maxFoldedName = 32

// cstr is a C string's view of b: Redis prints arguments with %s, which
// stops at the first NUL.
func cstr(b []byte, max int) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

// reject replies with an error and, inside MULTI, marks the transaction
// to abort (rejectCommand + flagTransaction).
//
// A rejected EXEC discards the transaction and answers EXECABORT with the
// reason (execCommandAbort): the error's code, which Redis's texts of its
// ERR rejections leave out.
func (c *client) reject(msg string) {
	if c.multi {
		c.dirtyExec = true
	}
	if c.rejecting == "exec" {
		c.discardTransaction()
		msg = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
	}
	c.w.WriteError(msg)
	c.s.countRejected(c, msg)
	if c.rejecting == "exec" {
		c.s.feedMonitors(c, c.s.procArgs) // execCommandAbort
	}
}

// processCommand is processCommand: the checks a command passes before it
// runs, in Redis's order.
func (c *client) processCommand(args [][]byte) {
	s := c.s
	s.procArgs = args
	cmd := s.lookup(args)
	c.rejecting = ""
	if cmd != nil {
		c.rejecting = cmd.name
	}
	if cmd == nil {
		// c->cmd and c->lastcmd are NULL: CLIENT LIST shows cmd=NULL,
		// and resetClient clears ASKING and CLIENT CACHING.
		c.lastCmd = ""
		c.reject(unknownCommandError(s, args))
		return
	}
	c.lastCmd = cmd.name
	if (cmd.arity > 0 && cmd.arity != len(args)) || len(args) < -cmd.arity {
		c.reject("ERR wrong number of arguments for '" + cmd.name + "' command")
		return
	}
	if msg := protectedDenied(cmd); msg != "" {
		c.reject(msg)
		return
	}
	if !c.authed && cmd.flags&flagNoAuth == 0 {
		c.reject("NOAUTH Authentication required.")
		return
	}
	if c.multi && cmd.flags&flagNoMulti != 0 {
		c.reject("ERR Command not allowed inside a transaction")
		return
	}
	ctx := acl.ContextToplevel
	if c.multi {
		ctx = acl.ContextMulti
	}
	if v := c.checkACL(cmd, args, ctx); !v.OK() {
		c.reject(v.Error(cmd.name))
		return
	}
	c.slot = -1
	if s.cl != nil && c.clusterRedirect(cmd, args) {
		return
	}
	if c.oomRejects(cmd, args) {
		c.reject(errOOM)
		return
	}
	// is_write_command: EXEC counts as a write when it has one queued, so
	// that what changed since the queueing aborts it.
	isWrite := cmd.flags&flagWrite != 0 || (cmd.name == "exec" && c.queuedWrite())
	if isWrite || cmd.name == "ping" {
		if msg := s.writeDenied(); msg != "" {
			c.reject(msg)
			return
		}
	}
	// checkGoodReplicasStatus: a replica is always fine. Before the fix of
	// redis/redis#1434 it was not.
	if isWrite && s.tooFewGoodReplicas() && (!s.isReplica() || bugs.On(bugs.MinReplicasRejectsMasterStream)) {
		probeNoReplicas.Reach(s.env)
		c.reject("NOREPLICAS Not enough good replicas to write.")
		return
	}
	if s.isReplica() && s.cfg.ReplicaReadOnly && isWrite {
		c.reject("READONLY You can't write against a read only replica.")
		return
	}
	if c.resp == 2 && c.subscribed() && cmd.flags&flagPubSub == 0 && cmd.name != "ping" && cmd.name != "reset" && cmd.name != "quit" {
		c.reject("ERR Can't execute '" + cmd.name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if s.isReplica() && s.linkState != linkConnected && !s.cfg.ReplicaServeStaleData && cmd.flags&flagStale == 0 {
		c.reject("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
		return
	}
	if s.loading && c.deniedWhileLoading(cmd) {
		probeLoadingRefused.Reach(s.env)
		c.reject(errLoading)
		return
	}
	if msg := s.busyError(); msg != "" && !cmd.hasMetaFlag("allow_busy") {
		c.reject(msg)
		return
	}
	s.trackingLimit()
	if s.postpones(c, cmd) {
		c.postpone(args)
		return
	}
	if c.multi && !endsQueueing(cmd) {
		q := make([][]byte, len(args))
		for i, a := range args {
			q[i] = bytes.Clone(a)
		}
		c.queue = append(c.queue, q)
		c.w.WriteSimpleString("QUEUED")
		return
	}
	s.call(c, cmd, args)
	// Whatever the command was, a read too: WAIT then waits for the
	// replicas to reach the offset as it stands. A command rejected,
	// queued or postponed above leaves it, and so does serving the
	// client once it blocked (processCommand sets it, not call).
	c.woff = s.offset
}

// unknownCommandError is processCommand's reply to a command or
// subcommand that the table does not have.
func unknownCommandError(s *Server, args [][]byte) string {
	if parent := findCommand(s.commands.cmds, args[0]); parent != nil && parent.subs != nil && len(args) > 1 {
		return "ERR unknown subcommand '" + cstr(args[1], 128) + "'. Try " + strings.ToUpper(parent.name) + " HELP."
	}
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteString("'" + cstr(a, 128-b.Len()) + "' ")
	}
	return "ERR unknown command '" + cstr(args[0], 128) + "', with args beginning with: " + b.String()
}

// call runs cmd and propagates its effect to the AOF when it changed the
// dataset.
func (s *Server) call(c *client, cmd *command, args [][]byte) {
	if s.execDepth == 0 {
		s.updateCachedTime() // not for the commands of an EXEC or a script
	}
	dirty, off := s.dirty, s.offset
	c.argv, c.prop, c.noProp = args, nil, false
	// call nests (EXEC, scripts' fake client): the flag is the command's
	// own, restored after it as Redis restores CLIENT_FORCE_REPL.
	forceRepl := c.forceRepl
	c.forceRepl = false
	defer s.reraise(cmd, args)
	top := s.execDepth == 0 && !c.isFake
	if top {
		s.current, s.currentCmd, s.currentArgs = c, cmd, args
	}
	s.inCall++
	t := s.startCall(c, cmd, args)
	cmd.proc(c, args)
	if cmd.flags&flagWrite != 0 || s.dirty != dirty || s.offset != off {
		s.datasetChanged() // it may have changed a value in place (datasetversion.go)
	}
	s.endCall(c, cmd, args, t)
	s.inCall--
	s.trackingAfterCall(c, cmd, args)
	if top {
		s.current, s.currentCmd, s.currentArgs = nil, nil, nil
	}
	s.stats.commandsProcessed++
	// Only an increase propagates: SAVE and DEBUG RELOAD zero the counter
	// (call()'s "dirty < 0 means 0").
	if s.dirty > dirty && !c.noProp {
		p := c.prop
		if p == nil {
			p = args
			if s.execDepth == 0 && !s.inScript && c.r != nil {
				// The stream gets the bytes the client sent, when they are
				// args's encoding (replPropagate).
				s.propRaw = c.r.RawOf(args)
			}
		}
		s.propagate(c.db.id, p)
		s.propRaw = nil
	} else if c.forceRepl && !c.noProp {
		s.propagateTo(c.db.id, args, scripting.ReplReplica)
	}
	c.forceRepl = forceRepl
	c.argv, c.prop = nil, nil
}

// writeDenied is the MISCONF check: writes are refused while the last
// background save or AOF write failed.
func (s *Server) writeDenied() string {
	if s.cfg.StopWritesOnBgsaveError && len(s.cfg.Save) > 0 && !s.lastBgsaveOK {
		return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	}
	if s.cfg.AppendOnly && s.aofWriteErr != "" {
		return "MISCONF Errors writing to the AOF file: " + s.aofWriteErr
	}
	return ""
}

// CommandPanic is what a node panics with when one of its commands
// panicked: which node (as its Env names it), which command, and the
// original panic value and stack, so that the scenario runner's framework
// error says which command crashed which node. A command run by EXEC or a
// script panics with the CommandPanic of the command itself.
type CommandPanic struct {
	// Host and Node are the names of the node's host and process.
	Host, Node string
	// Command is the command line, its arguments quoted and truncated.
	Command string
	// Value is the original panic value.
	Value any
	// Stack is the stack of the goroutine where the command panicked.
	Stack []byte
}

func (p *CommandPanic) Error() string {
	return fmt.Sprintf("redis node %s on host %s panicked running %s: %v", p.Node, p.Host, p.Command, p.Value)
}

// Unwrap returns the original panic value when it is an error (a
// runtime.Error for an index out of range...).
func (p *CommandPanic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// reraise, deferred around a command, turns a panic inside it into a
// CommandPanic that names the node and the command; it panics again from
// the deferred call, so the original frames are still on the stack that
// an outer recover sees.
func (s *Server) reraise(cmd *command, args [][]byte) {
	r := recover()
	if r == nil {
		return
	}
	if cp, ok := r.(*CommandPanic); ok {
		panic(cp) // from a command inside EXEC or a script
	}
	if r == errAbandoned {
		panic(r)
	}
	panic(&CommandPanic{Host: s.env.Host(), Node: s.env.Name(), Command: commandLine(args), Value: r, Stack: debug.Stack()})
}

// commandLine renders argv for a panic message: at most 8 arguments of at
// most 64 bytes each, quoted where they are not plain words.
func commandLine(args [][]byte) string {
	const maxArgs, maxLen = 8, 64
	var b strings.Builder
	for i, a := range args {
		if i == maxArgs {
			b.WriteString(" ... (" + strconv.Itoa(len(args)-maxArgs) + " more)")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		cut := ""
		if len(a) > maxLen {
			a, cut = a[:maxLen], "...("+strconv.Itoa(len(a))+" bytes)"
		}
		if plainWord(a) {
			b.Write(a)
		} else {
			b.WriteString(strconv.Quote(string(a)))
		}
		b.WriteString(cut)
	}
	return b.String()
}

func plainWord(a []byte) bool {
	if len(a) == 0 {
		return false
	}
	for _, x := range a {
		if x <= ' ' || x > '~' || x == '"' || x == '\\' {
			return false
		}
	}
	return true
}
