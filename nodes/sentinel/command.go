package sentinel

import (
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/redis/glob"
)

// cmdSpec is one entry of the command table a sentinel keeps (the commands
// flagged SENTINEL in Redis 7.0.15's src/commands/*.json).
type cmdSpec struct {
	name   string
	arity  int
	noAuth bool
	// pubsubOK: allowed in the RESP2 pub/sub context.
	pubsubOK bool
	run      func(s *Sentinel, c *client, argv []string)
	sub      []cmdSpec
}

var commandTable []cmdSpec

func init() {
	commandTable = []cmdSpec{
		{name: "ping", arity: -1, pubsubOK: true, run: (*Sentinel).pingCommand},
		{name: "info", arity: -1, run: (*Sentinel).infoCommand},
		{name: "role", arity: 1, run: (*Sentinel).roleCommand},
		{name: "subscribe", arity: -2, pubsubOK: true, run: (*Sentinel).subscribeCommand},
		{name: "unsubscribe", arity: -1, pubsubOK: true, run: (*Sentinel).unsubscribeCommand},
		{name: "psubscribe", arity: -2, pubsubOK: true, run: (*Sentinel).psubscribeCommand},
		{name: "punsubscribe", arity: -1, pubsubOK: true, run: (*Sentinel).punsubscribeCommand},
		{name: "publish", arity: 3, run: (*Sentinel).publishCommand},
		{name: "auth", arity: -2, noAuth: true, run: (*Sentinel).authCommand},
		{name: "acl", arity: -2, sub: []cmdSpec{
			{name: "cat", arity: -2, run: (*Sentinel).aclCommand},
			{name: "deluser", arity: -3, run: (*Sentinel).aclCommand},
			{name: "dryrun", arity: -4, run: (*Sentinel).aclCommand},
			{name: "genpass", arity: -2, run: (*Sentinel).aclCommand},
			{name: "getuser", arity: 3, run: (*Sentinel).aclCommand},
			{name: "help", arity: 2, run: (*Sentinel).aclCommand},
			{name: "list", arity: 2, run: (*Sentinel).aclCommand},
			{name: "load", arity: 2, run: (*Sentinel).aclCommand},
			{name: "log", arity: -2, run: (*Sentinel).aclCommand},
			{name: "save", arity: 2, run: (*Sentinel).aclCommand},
			{name: "setuser", arity: -3, run: (*Sentinel).aclCommand},
			{name: "users", arity: 2, run: (*Sentinel).aclCommand},
			{name: "whoami", arity: 2, run: (*Sentinel).aclCommand},
		}},
		{name: "hello", arity: -1, noAuth: true, run: (*Sentinel).helloCommand},
		{name: "shutdown", arity: -1, run: (*Sentinel).shutdownCommand},
		{name: "client", arity: -2, sub: []cmdSpec{
			{name: "id", arity: 2, run: (*Sentinel).clientIDCommand},
			{name: "getname", arity: 2, run: (*Sentinel).clientGetNameCommand},
			{name: "setname", arity: 3, run: (*Sentinel).clientSetNameCommand},
			{name: "list", arity: -2, run: (*Sentinel).clientListCommand},
			{name: "info", arity: 2, run: (*Sentinel).clientInfoCommand},
			{name: "kill", arity: -3, run: (*Sentinel).clientKillCommand},
			{name: "reply", arity: 3, run: (*Sentinel).clientReplyCommand},
			{name: "no-evict", arity: 3, run: (*Sentinel).clientNoEvictCommand},
			{name: "getredir", arity: 2, run: (*Sentinel).clientGetRedirCommand},
			{name: "tracking", arity: -3, run: (*Sentinel).clientTrackingCommand},
			{name: "caching", arity: 3, run: (*Sentinel).clientCachingCommand},
			{name: "help", arity: 2, run: (*Sentinel).clientHelpCommand},
			{name: "unblock", arity: -3, run: (*Sentinel).clientUnblockCommand},
			{name: "pause", arity: -3, run: (*Sentinel).clientPauseCommand},
			{name: "unpause", arity: 2, run: (*Sentinel).clientUnpauseCommand},
			{name: "trackinginfo", arity: 2, run: (*Sentinel).clientTrackingInfoCommand},
		}},
		{name: "command", arity: -1, run: (*Sentinel).commandCommand, sub: []cmdSpec{
			{name: "count", arity: 2, run: (*Sentinel).commandCountCommand},
			{name: "docs", arity: -2, run: (*Sentinel).commandDocsCommand},
			{name: "getkeys", arity: -4, run: (*Sentinel).commandGetKeysCommand},
			{name: "getkeysandflags", arity: -4, run: (*Sentinel).commandGetKeysCommand},
			{name: "help", arity: 2, run: (*Sentinel).commandHelpCommand},
			{name: "info", arity: -2, run: (*Sentinel).commandInfoCommand},
			{name: "list", arity: -2, run: (*Sentinel).commandListCommand},
		}},
		{name: "sentinel", arity: -2, sub: []cmdSpec{
			{name: "ckquorum", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "config", arity: -3, run: (*Sentinel).sentinelCommand},
			{name: "debug", arity: -2, run: (*Sentinel).sentinelCommand},
			{name: "failover", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "flushconfig", arity: 2, run: (*Sentinel).sentinelCommand},
			{name: "get-master-addr-by-name", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "help", arity: 2, run: (*Sentinel).sentinelCommand},
			{name: "info-cache", arity: -3, run: (*Sentinel).sentinelCommand},
			{name: "is-master-down-by-addr", arity: 6, run: (*Sentinel).sentinelCommand},
			{name: "master", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "masters", arity: 2, run: (*Sentinel).sentinelCommand},
			{name: "monitor", arity: 6, run: (*Sentinel).sentinelCommand},
			{name: "myid", arity: 2, run: (*Sentinel).sentinelCommand},
			{name: "pending-scripts", arity: 2, run: (*Sentinel).sentinelCommand},
			{name: "remove", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "replicas", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "reset", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "sentinels", arity: 3, run: (*Sentinel).sentinelCommand},
			{name: "set", arity: -5, run: (*Sentinel).sentinelSetCommand},
			{name: "simulate-failure", arity: -3, run: (*Sentinel).sentinelCommand},
			{name: "slaves", arity: 3, run: (*Sentinel).sentinelCommand},
		}},
	}
	aclTable = buildACLTable()
}

func lookup(table []cmdSpec, name string) *cmdSpec {
	for i := range table {
		if equalFold(table[i].name, name) {
			return &table[i]
		}
	}
	return nil
}

func arityOK(arity, argc int) bool {
	return (arity > 0 && argc == arity) || (arity < 0 && argc >= -arity)
}

// errorReply is addReplyError: "-ERR " unless the text names its own code.
func (c *client) errorReply(msg string) {
	c.s.stats.errors++
	if strings.HasPrefix(msg, "-") {
		c.w.WriteError(msg[1:])
		return
	}
	c.w.WriteError("ERR " + msg)
}

// call is processCommand and call for a sentinel's command table.
func (s *Sentinel) call(c *client, args [][]byte) {
	argv := make([]string, len(args))
	for i, a := range args {
		argv[i] = string(a)
	}
	// resetClient: CLIENT CACHING's flag lasts through CLIENT commands
	// alone (those that resolve to a CLIENT subcommand), and is kept for
	// a command that waits out a pause.
	resolved := ""
	defer func() {
		if !strings.HasPrefix(resolved, "client|") && c.postponed == nil {
			c.tracking.caching = false
		}
	}()
	// processCommand sets lastcmd at the lookup, before any check, to
	// NULL when it finds no command or subcommand.
	c.lastCmd = "NULL"
	cmd := lookup(commandTable, argv[0])
	if cmd == nil {
		var b strings.Builder
		for i := 1; i < len(argv) && b.Len() < 128; i++ {
			a := cstring(argv[i]) // %.*s stops at a NUL
			if n := 128 - b.Len(); len(a) > n {
				a = a[:n]
			}
			b.WriteString("'" + a + "' ")
		}
		name := cstring(argv[0])
		if len(name) > 128 {
			name = name[:128]
		}
		c.errorReply(sanitize("unknown command '" + name + "', with args beginning with: " + b.String()))
		return
	}
	fullname := cmd.name
	if cmd.sub != nil && len(argv) >= 2 {
		sub := lookup(cmd.sub, argv[1])
		if sub == nil {
			a := cstring(argv[1])
			if len(a) > 128 {
				a = a[:128]
			}
			c.errorReply(sanitize("unknown subcommand '" + a + "'. Try " + strings.ToUpper(cstring(argv[0])) + " HELP."))
			return
		}
		fullname = cmd.name + "|" + sub.name
		cmd = sub
	}
	resolved = fullname
	c.lastCmd = fullname
	if !arityOK(cmd.arity, len(argv)) {
		c.errorReply("wrong number of arguments for '" + fullname + "' command")
		return
	}
	if s.acl.AuthRequired() && !c.authed && !cmd.noAuth {
		c.s.stats.errors++
		c.w.WriteError("NOAUTH Authentication required.")
		return
	}
	if v := c.checkACL(fullname, args); !v.OK() {
		c.errorReply("-" + v.Error(fullname))
		return
	}
	if c.w.Proto() == 2 && c.subCount() > 0 && !cmd.pubsubOK {
		c.errorReply("Can't execute '" + fullname + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if s.pauseType == pauseAll || (s.pauseType == pauseWrite && cmd.name == "publish") {
		s.postpone(c, args) // PUBLISH is a sentinel's one may-replicate command
		return
	}
	mark := c.w.Len()
	s.updateCachedTime() // call()
	s.current, c.curQbuf, c.curArgv = c, c.r.Buffered(), 0
	if raw := c.r.RawOf(args); raw != nil {
		c.curQbuf += len(raw)
	} else {
		c.curQbuf += len(strings.Join(argv, " ")) + 2 // an inline command and its \r\n
	}
	for _, a := range args {
		c.curArgv += len(a)
	}
	cmd.run(s, c, argv)
	s.current = nil
	s.stats.commands++ // call() counts a command once it has run
	switch {
	case c.replyOff:
		c.w.Truncate(mark)
	case c.replySkip:
		c.w.Truncate(mark)
		c.replySkip = false
	case c.replySkipNext:
		c.replySkipNext, c.replySkip = false, true
	}
}

// writeHelp is addReplyHelp.
func writeHelp(c *client, cmd string, lines []string) {
	c.w.WriteArrayLen(len(lines) + 3)
	c.w.WriteSimpleString(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.w.WriteSimpleString(l)
	}
	c.w.WriteSimpleString("HELP")
	c.w.WriteSimpleString("    Prints this help.")
}

// commandCountCommand is COMMAND COUNT: the top-level commands (15, as
// in redis-sentinel 7.0.15).
func (s *Sentinel) commandCountCommand(c *client, _ []string) { c.w.WriteInt(int64(len(commandTable))) }

// commandListCommand is COMMAND LIST [FILTERBY PATTERN p | MODULE m |
// ACLCAT c]: an empty pattern matches nothing, as stringmatchlen does.
func (s *Sentinel) commandListCommand(c *client, argv []string) {
	keep := func(string) bool { return true }
	switch {
	case len(argv) == 2:
	case len(argv) == 5 && strcaseEq(argv[2], "filterby") && strcaseEq(argv[3], "pattern"):
		keep = func(n string) bool { return glob.Match([]byte(argv[4]), []byte(n), true) }
	case len(argv) == 5 && strcaseEq(argv[2], "filterby") && strcaseEq(argv[3], "module"):
		keep = func(string) bool { return false } // no modules
	case len(argv) == 5 && strcaseEq(argv[2], "filterby") && strcaseEq(argv[3], "aclcat"):
		cat := lowerC(argv[4])
		_, known := acl.CategoryByName(cat)
		keep = func(n string) bool { return known && hasCategory(n, "@"+cat) }
	default:
		c.errorReply("syntax error")
		return
	}
	var out []string
	for _, cmd := range commandTable {
		if keep(cmd.name) {
			out = append(out, cmd.name)
		}
		for _, sub := range cmd.sub {
			if n := cmd.name + "|" + sub.name; keep(n) {
				out = append(out, n)
			}
		}
	}
	c.w.WriteArrayLen(len(out))
	for _, n := range out {
		c.w.WriteBulkString(n)
	}
}

// hasCategory says whether redis-sentinel puts the command with full name
// in the ACL category cat ("@admin").
func hasCategory(full, cat string) bool {
	if v := metaInfo[full]; len(v.Elems) > 6 {
		for _, c := range v.Elems[6].Elems {
			if string(c.Str) == cat {
				return true
			}
		}
	}
	return false
}

func sanitize(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

func (s *Sentinel) pingCommand(c *client, argv []string) {
	if len(argv) > 2 {
		c.errorReply("wrong number of arguments for 'ping' command")
		return
	}
	if c.w.Proto() == 2 && c.subCount() > 0 {
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("pong")
		if len(argv) == 1 {
			c.w.WriteBulkString("")
		} else {
			c.w.WriteBulkString(argv[1])
		}
		return
	}
	if len(argv) == 1 {
		c.w.WriteSimpleString("PONG")
	} else {
		c.w.WriteBulkString(argv[1])
	}
}

func (s *Sentinel) roleCommand(c *client, _ []string) {
	c.w.WriteArrayLen(2)
	c.w.WriteBulkString("sentinel")
	c.w.WriteArrayLen(len(s.masters))
	for _, m := range s.masters {
		c.w.WriteBulkString(m.name)
	}
}

func (s *Sentinel) subscribeCommand(c *client, argv []string) {
	for _, ch := range argv[1:] {
		s.subscribe(c, ch)
	}
}

func (s *Sentinel) unsubscribeCommand(c *client, argv []string) {
	if len(argv) == 1 {
		s.unsubscribeAll(c, true)
		return
	}
	for _, ch := range argv[1:] {
		s.unsubscribe(c, ch, true)
	}
}

func (s *Sentinel) psubscribeCommand(c *client, argv []string) {
	for _, p := range argv[1:] {
		s.psubscribe(c, p)
	}
}

func (s *Sentinel) punsubscribeCommand(c *client, argv []string) {
	if len(argv) == 1 {
		s.punsubscribeAll(c, true)
		return
	}
	for _, p := range argv[1:] {
		s.punsubscribe(c, p, true)
	}
}

// publishCommand is sentinelPublishCommand: only hello messages, which
// other sentinels send here directly.
func (s *Sentinel) publishCommand(c *client, argv []string) {
	if argv[1] != helloChannel {
		c.errorReply("Only HELLO messages are accepted by Sentinel instances.")
		return
	}
	s.processHello(argv[2])
	c.w.WriteInt(1)
}

// authCommand is AUTH [username] password, against the ACL users.
func (s *Sentinel) authCommand(c *client, argv []string) {
	u, rep := s.acl.Auth(toBytes(argv), c.aclClient())
	if u != nil {
		c.user, c.authed = u, true
		c.r.SetAuthRequired(false)
	} else {
		s.stats.errors++
	}
	rep.Write(c.w)
}

func toBytes(argv []string) [][]byte {
	out := make([][]byte, len(argv))
	for i, a := range argv {
		out[i] = []byte(a)
	}
	return out
}

// helloCommand is HELLO [protover [AUTH username password] [SETNAME
// clientname]]. As in helloCommand, each option takes effect as it is
// read: an AUTH or a SETNAME before a bad option, or before the NOAUTH
// refusal, stays done.
func (s *Sentinel) helloCommand(c *client, argv []string) {
	ver := int64(c.w.Proto())
	next := 1
	if len(argv) >= 2 {
		v, ok := getLL(argv[1]) // string2ll: no "+1", "01" or "-0"
		if !ok {
			c.errorReply("Protocol version is not an integer or out of range")
			return
		}
		next = 2
		if v < 2 || v > 3 {
			c.s.stats.errors++
			c.w.WriteError("NOPROTO unsupported protocol version")
			return
		}
		ver = v
	}
	for j := next; j < len(argv); j++ {
		more := len(argv) - j - 1
		switch {
		case strcaseEq(argv[j], "AUTH") && more >= 2:
			u, ok := s.acl.Authenticate([]byte(argv[j+1]), []byte(argv[j+2]), c.aclClient(), []byte(argv[0]))
			if !ok {
				c.s.stats.errors++
				c.w.WriteError("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			c.user, c.authed = u, true
			c.r.SetAuthRequired(false)
			j += 2
		case strcaseEq(argv[j], "SETNAME") && more >= 1:
			if msg := validName(argv[j+1]); msg != "" {
				c.errorReply(msg)
				return
			}
			c.name = argv[j+1]
			j++
		default:
			c.errorReply("Syntax error in HELLO option '" + cstring(argv[j]) + "'")
			return
		}
	}
	if !c.authed {
		c.s.stats.errors++
		c.w.WriteError(acl.ErrHelloNoAuth)
		return
	}
	c.w.SetProto(int(ver))
	c.w.WriteMapLen(6) // helloCommand leaves out "role" in sentinel mode
	c.w.WriteBulkString("server")
	c.w.WriteBulkString("redis")
	c.w.WriteBulkString("version")
	c.w.WriteBulkString(Version)
	c.w.WriteBulkString("proto")
	c.w.WriteInt(ver)
	c.w.WriteBulkString("id")
	c.w.WriteInt(c.id)
	c.w.WriteBulkString("mode")
	c.w.WriteBulkString("sentinel")
	c.w.WriteBulkString("modules")
	c.w.WriteArrayLen(0)
}

// shutdownCommand is shutdownCommand: every option is read before any
// is acted on, and ABORT with another option, or SAVE with NOSAVE, is a
// syntax error.
func (s *Sentinel) shutdownCommand(c *client, argv []string) {
	var abort, save, nosave, other bool
	for _, a := range argv[1:] {
		switch lowerC(a) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now", "force":
			other = true
		case "abort":
			abort = true
		default:
			c.errorReply("syntax error")
			return
		}
	}
	if (abort && (save || nosave || other)) || (save && nosave) {
		c.errorReply("syntax error")
		return
	}
	if abort {
		c.errorReply("No shutdown in progress.")
		return
	}
	s.env.Logf("User requested shutdown...")
	s.env.Logf("Sentinel is now ready to exit, bye bye...")
	s.stopped = true
	s.env.Cancel(s.cron)
	s.env.Exit()
}
