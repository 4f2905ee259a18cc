package sentinel

import (
	"strconv"
	"strings"

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
			{name: "getredir", arity: 2, run: func(_ *Sentinel, c *client, _ []string) { c.w.WriteInt(-1) }},
			{name: "help", arity: 2, run: (*Sentinel).clientHelpCommand},
		}},
		{name: "command", arity: -2, sub: []cmdSpec{
			{name: "count", arity: 2, run: (*Sentinel).commandCountCommand},
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
	s.stats.commands++
	cmd := lookup(commandTable, argv[0])
	if cmd == nil {
		var b strings.Builder
		for i := 1; i < len(argv) && b.Len() < 128; i++ {
			a := argv[i]
			if n := 128 - b.Len(); len(a) > n {
				a = a[:n]
			}
			b.WriteString("'" + a + "' ")
		}
		name := argv[0]
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
			a := argv[1]
			if len(a) > 128 {
				a = a[:128]
			}
			c.errorReply(sanitize("unknown subcommand '" + a + "'. Try " + strings.ToUpper(argv[0]) + " HELP."))
			return
		}
		fullname = cmd.name + "|" + sub.name
		cmd = sub
	}
	if !arityOK(cmd.arity, len(argv)) {
		c.errorReply("wrong number of arguments for '" + fullname + "' command")
		return
	}
	if !c.authed && !cmd.noAuth {
		c.s.stats.errors++
		c.w.WriteError("NOAUTH Authentication required.")
		return
	}
	if c.w.Proto() == 2 && c.subCount() > 0 && !cmd.pubsubOK {
		c.errorReply("Can't execute '" + fullname + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	c.lastCmd = fullname
	mark := c.w.Len()
	cmd.run(s, c, argv)
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

// clientReplyCommand is CLIENT REPLY ON|OFF|SKIP.
func (s *Sentinel) clientReplyCommand(c *client, argv []string) {
	switch strings.ToLower(argv[2]) {
	case "on":
		c.replyOff, c.replySkip, c.replySkipNext = false, false, false
		c.w.WriteOK()
	case "off":
		c.replyOff = true
	case "skip":
		if !c.replyOff {
			c.replySkipNext = true
		}
	default:
		c.errorReply("syntax error")
	}
}

func (s *Sentinel) clientNoEvictCommand(c *client, argv []string) {
	switch strings.ToLower(argv[2]) {
	case "on", "off":
		c.w.WriteOK()
	default:
		c.errorReply("syntax error")
	}
}

var clientHelp = []string{
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
}

func (s *Sentinel) clientHelpCommand(c *client, _ []string) { writeHelp(c, "CLIENT", clientHelp) }

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

// The real command table of redis-sentinel 7.0.15 holds 15 commands;
// this sentinel serves the ones in commandTable (ACL is not there).
const sentinelCommandCount = 15

func (s *Sentinel) commandCountCommand(c *client, _ []string) { c.w.WriteInt(sentinelCommandCount) }

// commandListCommand is COMMAND LIST [FILTERBY PATTERN p | MODULE m].
func (s *Sentinel) commandListCommand(c *client, argv []string) {
	pattern, module := "", false
	switch {
	case len(argv) == 2:
	case len(argv) == 5 && equalFold(argv[2], "filterby") && equalFold(argv[3], "pattern"):
		pattern = argv[4]
	case len(argv) == 5 && equalFold(argv[2], "filterby") && equalFold(argv[3], "module"):
		module = true
	default:
		c.errorReply("syntax error")
		return
	}
	var names []string
	for _, cmd := range commandTable {
		names = append(names, cmd.name)
		for _, sub := range cmd.sub {
			names = append(names, cmd.name+"|"+sub.name)
		}
	}
	var out []string
	for _, n := range names {
		if module || (pattern != "" && !glob.Match([]byte(pattern), []byte(n), true)) {
			continue
		}
		out = append(out, n)
	}
	c.w.WriteArrayLen(len(out))
	for _, n := range out {
		c.w.WriteBulkString(n)
	}
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

func (s *Sentinel) authCommand(c *client, argv []string) {
	if len(argv) > 3 {
		c.errorReply("syntax error")
		return
	}
	if s.requirePass == "" && len(argv) == 2 {
		c.errorReply("AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	user, pass := "default", argv[len(argv)-1]
	if len(argv) == 3 {
		user = argv[1]
	}
	if user == "default" && (s.requirePass == "" || pass == s.requirePass) {
		c.authed = true
		c.w.WriteOK()
		return
	}
	c.s.stats.errors++
	c.w.WriteError("WRONGPASS invalid username-password pair or user is disabled.")
}

func (s *Sentinel) helloCommand(c *client, argv []string) {
	ver := int64(c.w.Proto())
	next := 1
	if len(argv) >= 2 {
		v, err := strconv.ParseInt(argv[1], 10, 64)
		if err != nil {
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
	name, authed := "", false
	for j := next; j < len(argv); j++ {
		more := len(argv) - j - 1
		switch {
		case equalFold(argv[j], "AUTH") && more >= 2:
			if argv[j+1] != "default" || (s.requirePass != "" && argv[j+2] != s.requirePass) {
				c.s.stats.errors++
				c.w.WriteError("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			authed = true
			j += 2
		case equalFold(argv[j], "SETNAME") && more >= 1:
			if validName(argv[j+1]) != "" {
				c.errorReply(validName(argv[j+1]))
				return
			}
			name = argv[j+1]
			j++
		default:
			c.errorReply("Syntax error in HELLO option '" + argv[j] + "'")
			return
		}
	}
	if authed {
		c.authed = true
	}
	if !c.authed {
		c.s.stats.errors++
		c.w.WriteError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != "" {
		c.name = name
	}
	c.w.SetProto(int(ver))
	c.w.WriteMapLen(7)
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
	c.w.WriteBulkString("role")
	c.w.WriteBulkString("master")
	c.w.WriteBulkString("modules")
	c.w.WriteArrayLen(0)
}

// validName is validateClientName's error, or "".
func validName(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return "Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
}

func (s *Sentinel) shutdownCommand(c *client, argv []string) {
	for _, a := range argv[1:] {
		switch strings.ToLower(a) {
		case "nosave", "save", "now", "force":
		case "abort":
			c.errorReply("No shutdown in progress.")
			return
		default:
			c.errorReply("syntax error")
			return
		}
	}
	s.env.Logf("User requested shutdown...")
	s.env.Logf("Sentinel is now ready to exit, bye bye...")
	s.stopped = true
	s.env.Cancel(s.cron)
	s.env.Exit()
}

func (s *Sentinel) clientIDCommand(c *client, _ []string) { c.w.WriteInt(c.id) }

func (s *Sentinel) clientGetNameCommand(c *client, _ []string) {
	if c.name == "" {
		c.w.WriteNull()
		return
	}
	c.w.WriteBulkString(c.name)
}

func (s *Sentinel) clientSetNameCommand(c *client, argv []string) {
	if e := validName(argv[2]); e != "" {
		c.errorReply(e)
		return
	}
	c.name = argv[2]
	c.w.WriteOK()
}

// clientListCommand is CLIENT LIST [TYPE type | ID id...].
func (s *Sentinel) clientListCommand(c *client, argv []string) {
	typ := ""
	var ids []int64
	switch {
	case len(argv) == 2:
	case len(argv) == 4 && equalFold(argv[2], "type"):
		typ = strings.ToLower(argv[3])
		if typ != "normal" && typ != "pubsub" && typ != "master" && typ != "replica" && typ != "slave" {
			c.errorReply("Unknown client type '" + argv[3] + "'")
			return
		}
	case len(argv) > 3 && equalFold(argv[2], "id"):
		for _, a := range argv[3:] {
			n, ok := getLL(a)
			if !ok || n <= 0 {
				c.errorReply("Invalid client ID")
				return
			}
			ids = append(ids, n)
		}
	default:
		c.errorReply("syntax error")
		return
	}
	now := s.mstime()
	var b strings.Builder
	for _, x := range s.clients {
		if typ != "" && typ != x.typ() {
			continue
		}
		if ids != nil && !containsID(ids, x.id) {
			continue
		}
		b.WriteString(x.info(now))
		b.WriteByte('\n')
	}
	c.w.WriteVerbatimString(b.String(), "txt")
}

func (s *Sentinel) clientInfoCommand(c *client, _ []string) {
	c.w.WriteVerbatimString(c.info(s.mstime())+"\n", "txt")
}

// clientKillCommand is CLIENT KILL addr, or the ID / TYPE / ADDR / LADDR
// / SKIPME filters.
func (s *Sentinel) clientKillCommand(c *client, argv []string) {
	if len(argv) == 3 {
		for _, x := range s.clients {
			if x.addr() == argv[2] {
				s.kill(c, x)
				c.w.WriteOK()
				return
			}
		}
		c.errorReply("No such client")
		return
	}
	var id int64
	var typ, addr, laddr string
	skipme := true
	if len(argv)%2 != 0 {
		c.errorReply("syntax error")
		return
	}
	for i := 2; i+1 < len(argv); i += 2 {
		v := argv[i+1]
		switch strings.ToLower(argv[i]) {
		case "id":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				c.errorReply("client-id should be greater than 0")
				return
			}
			id = n
		case "type":
			typ = strings.ToLower(v)
			if typ != "normal" && typ != "pubsub" && typ != "master" && typ != "replica" && typ != "slave" {
				c.errorReply("Unknown client type '" + v + "'")
				return
			}
		case "addr":
			addr = v
		case "laddr":
			laddr = v
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				skipme = true
			case "no":
				skipme = false
			default:
				c.errorReply("syntax error")
				return
			}
		default:
			c.errorReply("syntax error")
			return
		}
	}
	killed := int64(0)
	for _, x := range append([]*client(nil), s.clients...) {
		if id != 0 && x.id != id || addr != "" && x.addr() != addr || laddr != "" && x.conn.LocalAddr() != laddr {
			continue
		}
		if typ != "" && typ != x.typ() {
			continue
		}
		if x == c && skipme {
			continue
		}
		s.kill(c, x)
		killed++
	}
	c.w.WriteInt(killed)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// typ is getClientType's name: a sentinel's clients are normal or pubsub.
func (c *client) typ() string {
	if c.subCount() > 0 {
		return "pubsub"
	}
	return "normal"
}

func (s *Sentinel) kill(caller, x *client) {
	if x == caller {
		x.closeAfterReply = true
		return
	}
	x.conn.Close()
	s.freeClient(x)
}

var sentinelHelp = []string{
	"CKQUORUM <master-name>",
	"    Check if the current Sentinel configuration is able to reach the quorum",
	"    needed to failover a master and the majority needed to authorize the",
	"    failover.",
	"CONFIG SET <param> <value>",
	"    Set a global Sentinel configuration parameter.",
	"CONFIG GET <param>",
	"    Get global Sentinel configuration parameter.",
	"DEBUG [<param> <value> ...]",
	"    Show a list of configurable time parameters and their values (milliseconds).",
	"    Or update current configurable parameters values (one or more).",
	"GET-MASTER-ADDR-BY-NAME <master-name>",
	"    Return the ip and port number of the master with that name.",
	"FAILOVER <master-name>",
	"    Manually failover a master node without asking for agreement from other",
	"    Sentinels",
	"FLUSHCONFIG",
	"    Force Sentinel to rewrite its configuration on disk, including the current",
	"    Sentinel state.",
	"INFO-CACHE <master-name>",
	"    Return last cached INFO output from masters and all its replicas.",
	"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
	"    Check if the master specified by ip:port is down from current Sentinel's",
	"    point of view.",
	"MASTER <master-name>",
	"    Show the state and info of the specified master.",
	"MASTERS",
	"    Show a list of monitored masters and their state.",
	"MONITOR <name> <ip> <port> <quorum>",
	"    Start monitoring a new master with the specified name, ip, port and quorum.",
	"MYID",
	"    Return the ID of the Sentinel instance.",
	"PENDING-SCRIPTS",
	"    Get pending scripts information.",
	"REMOVE <master-name>",
	"    Remove master from Sentinel's monitor list.",
	"REPLICAS <master-name>",
	"    Show a list of replicas for this master and their state.",
	"RESET <pattern>",
	"    Reset masters for specific master name matching this pattern.",
	"SENTINELS <master-name>",
	"    Show a list of Sentinel instances for this master and their state.",
	"SET <master-name> <option> <value> [<option> <value> ...]",
	"    Set configuration parameters for certain masters.",
	"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
	"    Simulate a Sentinel crash.",
}

// parseLong is getLongFromObjectOrReply's check; msg "" is Redis's default.
func parseLong(c *client, v, msg string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || len(v) == 0 || v[0] == '+' || (len(v) > 1 && v[0] == '0') || (len(v) > 2 && v[0] == '-' && v[1] == '0') {
		if msg == "" {
			msg = "value is not an integer or out of range"
		}
		c.errorReply(msg)
		return 0, false
	}
	return n, true
}

// getLL is getLongLongFromObject without a reply.
func getLL(v string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v[0] == '+' || (len(v) > 1 && v[0] == '0') || (len(v) > 2 && v[0] == '-' && v[1] == '0') {
		return 0, false
	}
	return n, true
}

// flushAndReply is sentinelFlushConfigAndReply: the reply comes once the
// file is durable.
func (s *Sentinel) flushAndReply(c *client) {
	s.flushConfig(func(ok bool) {
		if c.closed {
			return
		}
		if ok {
			c.w.WriteOK()
		} else {
			c.errorReply("Failed to save config file. Check server logs.")
		}
	})
}

func (s *Sentinel) masterOrReply(c *client, name string) *instance {
	m := s.masterByName(name)
	if m == nil {
		c.errorReply("No such master with that name")
	}
	return m
}

// sentinelCommand is sentinelCommand, after the table's arity checks.
func (s *Sentinel) sentinelCommand(c *client, argv []string) {
	w := c.w
	switch strings.ToLower(argv[1]) {
	case "help":
		writeHelp(c, "SENTINEL", sentinelHelp)
	case "masters":
		s.replyInstances(c, s.masters)
	case "master":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstance(c, m)
		}
	case "slaves", "replicas":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstances(c, m.slaves)
		}
	case "sentinels":
		if m := s.masterOrReply(c, argv[2]); m != nil {
			s.replyInstances(c, m.sentinels)
		}
	case "myid":
		w.WriteBulkString(s.myid)
	case "is-master-down-by-addr":
		port, ok := parseLong(c, argv[3], "")
		if !ok {
			return
		}
		reqEpoch, ok := parseLong(c, argv[4], "")
		if !ok {
			return
		}
		ri := getByAddrAndRunID(s.masters, argv[2], int(port), "")
		isdown := !s.tilt && ri != nil && ri.flags&sriSDown != 0 && ri.flags&sriMaster != 0
		leader, leaderEpoch := "", uint64(0)
		if ri != nil && ri.flags&sriMaster != 0 && !equalFold(argv[5], "*") {
			leader, leaderEpoch = s.voteLeader(ri, uint64(reqEpoch), argv[5])
		}
		w.WriteArrayLen(3)
		if isdown {
			w.WriteInt(1)
		} else {
			w.WriteInt(0)
		}
		if leader == "" {
			leader = "*"
		}
		w.WriteBulkString(leader)
		w.WriteInt(int64(leaderEpoch))
	case "reset":
		n := 0
		for _, m := range append([]*instance(nil), s.masters...) {
			if glob.Match([]byte(argv[2]), []byte(m.name), false) {
				s.resetMaster(m, false, true)
				n++
			}
		}
		w.WriteInt(int64(n))
	case "get-master-addr-by-name":
		m := s.masterByName(argv[2])
		if m == nil {
			w.WriteNullArray()
			return
		}
		a := currentMasterAddr(m)
		w.WriteArrayLen(2)
		w.WriteBulkString(a.host)
		w.WriteBulkInt(int64(a.port))
	case "failover":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		if m.flags&sriFailoverInProg != 0 {
			c.errorReply("-INPROG Failover already in progress")
			return
		}
		if s.selectSlave(m) == nil {
			c.errorReply("-NOGOODSLAVE No suitable replica to promote")
			return
		}
		s.env.Logf("Executing user requested FAILOVER of '%s'", m.name)
		s.startFailover(m)
		m.flags |= sriForceFailover
		w.WriteOK()
	case "pending-scripts":
		w.WriteArrayLen(0)
	case "monitor":
		quorum, ok := parseLong(c, argv[5], "Invalid quorum")
		if !ok {
			return
		}
		port, ok := parseLong(c, argv[4], "Invalid port")
		if !ok {
			return
		}
		if quorum <= 0 {
			c.errorReply("Quorum must be 1 or greater.")
			return
		}
		if !validHost(argv[3]) {
			c.errorReply("Invalid IP address or hostname specified")
			return
		}
		m, e := s.createInstance(argv[2], sriMaster, argv[3], int(port), int(quorum), nil)
		if m == nil {
			c.errorReply(createErrorText(e, sriMaster))
			return
		}
		s.flushAndReply(c)
		s.event(llWarning, "+monitor", m, "%@ quorum %d", m.quorum)
	case "flushconfig":
		s.flushAndReply(c)
	case "remove":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		s.event(llWarning, "-monitor", m, "%@")
		i, _ := searchName(s.masters, m.name)
		s.masters = removeAt(s.masters, i)
		s.release(m)
		s.flushAndReply(c)
	case "ckquorum":
		m := s.masterOrReply(c, argv[2])
		if m == nil {
			return
		}
		usable, noQuorum, noAuth := s.quorumReachable(m)
		if !noQuorum && !noAuth {
			w.WriteSimpleString("OK " + strconv.Itoa(usable) + " usable Sentinels. Quorum and failover authorization can be reached")
			return
		}
		e := "NOQUORUM " + strconv.Itoa(usable) + " usable Sentinels. "
		if noQuorum {
			e += "Not enough available Sentinels to reach the specified quorum for this master"
		}
		if noAuth {
			if noQuorum {
				e += ". "
			}
			e += "Not enough available Sentinels to reach the majority and authorize a failover"
		}
		c.errorReply("-" + e)
	case "config":
		switch {
		case equalFold(argv[2], "set") && len(argv) == 5:
			s.configSetCommand(c, argv)
		case equalFold(argv[2], "get") && len(argv) == 4:
			s.configGetCommand(c, argv[3])
		default:
			c.errorReply("Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.")
		}
	case "info-cache":
		s.infoCacheCommand(c, argv)
	case "simulate-failure":
		s.simFailure = 0
		for _, a := range argv[2:] {
			switch strings.ToLower(a) {
			case "crash-after-election":
				s.simFailure |= simCrashAfterElection
				s.env.Logf("Failure simulation: this Sentinel will crash after being successfully elected as failover leader")
			case "crash-after-promotion":
				s.simFailure |= simCrashAfterPromotion
				s.env.Logf("Failure simulation: this Sentinel will crash after promoting the selected replica to master")
			case "help":
				w.WriteArrayLen(2)
				w.WriteBulkString("crash-after-election")
				w.WriteBulkString("crash-after-promotion")
				return
			default:
				c.errorReply("Unknown failure simulation specified")
				return
			}
		}
		w.WriteOK()
	case "debug":
		if len(argv) == 2 {
			s.debugInfo(c)
		} else {
			s.debugSet(c, argv)
		}
	}
}

// validHost is anetResolve with ANET_IP_ONLY, for a network whose hosts
// are named: an address is any non-empty name without spaces.
func validHost(h string) bool {
	return h != "" && !strings.ContainsAny(h, " \t\r\n")
}

// quorumReachable is sentinelIsQuorumReachable.
func (s *Sentinel) quorumReachable(m *instance) (usable int, noQuorum, noAuth bool) {
	usable = 1
	voters := len(m.sentinels) + 1
	for _, ri := range m.sentinels {
		if ri.flags&(sriSDown|sriODown) == 0 {
			usable++
		}
	}
	return usable, usable < m.quorum, usable < voters/2+1
}

func (s *Sentinel) configSetCommand(c *client, argv []string) {
	opt, val := argv[3], argv[4]
	dropConns := false
	badfmt := func() {
		c.errorReply("Invalid value '" + val + "' to SENTINEL CONFIG SET '" + opt + "'")
	}
	switch strings.ToLower(opt) {
	case "resolve-hostnames":
		v := yesno(val)
		if v < 0 {
			badfmt()
			return
		}
		s.resolveHostnames = v == 1
	case "announce-hostnames":
		v := yesno(val)
		if v < 0 {
			badfmt()
			return
		}
		s.announceHostnames = v == 1
	case "announce-ip":
		s.announceIP = val
	case "announce-port":
		n, ok := getLL(val)
		if !ok || n < 0 || n > 65535 {
			badfmt()
			return
		}
		s.announcePort = int(n)
	case "sentinel-user":
		s.sentinelUser = val
		dropConns = true
	case "sentinel-pass":
		s.sentinelPass = val
		dropConns = true
	default:
		c.errorReply("Invalid argument '" + opt + "' to SENTINEL CONFIG SET")
		return
	}
	s.flushAndReply(c)
	if dropConns {
		for _, m := range s.masters {
			for _, si := range m.sentinels {
				if !si.link.disconnected {
					s.closePC(si.link)
					s.closeCC(si.link)
				}
			}
		}
	}
}

func (s *Sentinel) configGetCommand(c *client, pattern string) {
	type kv struct{ k, v string }
	all := []kv{
		{"resolve-hostnames", yesNo(s.resolveHostnames)},
		{"announce-hostnames", yesNo(s.announceHostnames)},
		{"announce-ip", s.announceIP},
		{"announce-port", strconv.Itoa(s.announcePort)},
		{"sentinel-user", s.sentinelUser},
		{"sentinel-pass", s.sentinelPass},
	}
	var out []kv
	for _, x := range all {
		if glob.Match([]byte(pattern), []byte(x.k), true) {
			out = append(out, x)
		}
	}
	c.w.WriteMapLen(len(out))
	for _, x := range out {
		c.w.WriteBulkString(x.k)
		c.w.WriteBulkString(x.v)
	}
}

func (s *Sentinel) infoCacheCommand(c *client, argv []string) {
	now := s.mstime()
	list := s.masters
	if len(argv) > 2 {
		list = nil
		for _, name := range argv[2:] {
			if m := s.masterByName(name); m != nil && findByName(list, m.name) == nil {
				list = insertSorted(list, m)
			}
		}
	}
	w := c.w
	w.WriteArrayLen(len(list) * 2)
	for _, m := range list {
		w.WriteBulkString(m.name)
		w.WriteArrayLen(len(m.slaves) + 1)
		one := func(refresh int64, ri *instance) {
			w.WriteArrayLen(2)
			if m.infoRefresh != 0 {
				w.WriteInt(now - refresh)
			} else {
				w.WriteInt(0)
			}
			if ri.hasInfo {
				w.WriteBulkString(ri.info)
			} else {
				w.WriteNull()
			}
		}
		one(m.infoRefresh, m)
		for _, sl := range m.slaves {
			one(sl.infoRefresh, sl)
		}
	}
}

// debugParams are SENTINEL DEBUG's parameters, in its listing's order.
func (s *Sentinel) debugParams() []struct {
	name string
	v    *int64
} {
	return []struct {
		name string
		v    *int64
	}{
		{"info-period", &s.infoPeriod}, {"ping-period", &s.pingPeriod}, {"ask-period", &s.askPeriod},
		{"publish-period", &s.publishPeriod}, {"default-down-after", &s.defaultDownAfter},
		{"default-failover-timeout", &s.defaultFailoverTimeout}, {"tilt-trigger", &s.tiltTrigger},
		{"tilt-period", &s.tiltPeriod}, {"slave-reconf-timeout", &s.slaveReconfTimeout},
		{"min-link-reconnect-period", &s.minLinkReconnect}, {"election-timeout", &s.electionTimeout},
		{"script-max-runtime", &s.scriptMaxRuntime}, {"script-retry-delay", &s.scriptRetryDelay},
	}
}

func (s *Sentinel) debugInfo(c *client) {
	ps := s.debugParams()
	c.w.WriteMapLen(len(ps))
	for _, p := range ps {
		c.w.WriteBulkString(strings.ToUpper(p.name))
		c.w.WriteBulkInt(*p.v)
	}
}

func (s *Sentinel) debugSet(c *client, argv []string) {
	ps := s.debugParams()
	for j := 2; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		var target *int64
		for _, p := range ps {
			if equalFold(p.name, opt) {
				target = p.v
			}
		}
		if target == nil || more <= 0 {
			c.errorReply("Unknown option or number of arguments for SENTINEL DEBUG '" + opt + "'")
			return
		}
		j++
		n, ok := getLL(argv[j])
		if !ok || n <= 0 {
			c.errorReply("Invalid argument '" + argv[j] + "' for SENTINEL DEBUG '" + opt + "'")
			return
		}
		*target = n
	}
	c.w.WriteOK()
}

// sentinelSetCommand is sentinelSetCommand.
func (s *Sentinel) sentinelSetCommand(c *client, argv []string) {
	m := s.masterOrReply(c, argv[2])
	if m == nil {
		return
	}
	changes := 0
	for j := 3; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		old := j
		redacted := false
		badfmt := func(at int) {
			c.errorReply("Invalid argument '" + argv[at] + "' for SENTINEL SET '" + opt + "'")
			if changes > 0 {
				s.flushConfig(nil)
			}
		}
		seterr := func(msg string) {
			c.errorReply(msg)
			if changes > 0 {
				s.flushConfig(nil)
			}
		}
		lower := strings.ToLower(opt)
		switch {
		case lower == "down-after-milliseconds" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.downAfter = n
			propagateDownAfter(m)
		case lower == "failover-timeout" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.failoverTimeout = n
		case lower == "parallel-syncs" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.parallelSyncs = int(n)
		case (lower == "notification-script" || lower == "client-reconfig-script") && more > 0:
			j++
			if s.denyScriptsReconfig {
				seterr("Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration")
				return
			}
			if argv[j] != "" {
				if lower == "notification-script" {
					seterr("Notification script seems non existing or non executable")
				} else {
					seterr("Client reconfiguration script seems non existing or non executable")
				}
				return
			}
		case lower == "auth-pass" && more > 0:
			j++
			m.authPass = argv[j]
			s.dropInstanceConnections(m)
			redacted = true
		case lower == "auth-user" && more > 0:
			j++
			m.authUser = argv[j]
			s.dropInstanceConnections(m)
		case lower == "quorum" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n <= 0 {
				badfmt(j)
				return
			}
			m.quorum = int(n)
		case lower == "rename-command" && more > 1:
			from, to := argv[j+1], argv[j+2]
			j += 2
			if from == "" || to == "" {
				if to != "" {
					badfmt(j - 1)
				} else {
					badfmt(j)
				}
				return
			}
			for i, r := range m.renamed {
				if equalFold(r.from, from) {
					m.renamed = append(m.renamed[:i], m.renamed[i+1:]...)
					break
				}
			}
			if !equalFold(from, to) {
				m.renamed = append(m.renamed, renaming{from: from, to: to})
			}
		case lower == "master-reboot-down-after-period" && more > 0:
			j++
			n, ok := getLL(argv[j])
			if !ok || n < 0 {
				badfmt(j)
				return
			}
			m.rebootDownAfter = n
		default:
			seterr("Unknown option or number of arguments for SENTINEL SET '" + opt + "'")
			return
		}
		changes++
		switch j - old + 1 {
		case 2:
			v := argv[old+1]
			if redacted {
				v = "******"
			}
			s.event(llWarning, "+set", m, "%@ %s %s", argv[old], v)
		case 3:
			s.event(llWarning, "+set", m, "%@ %s %s %s", argv[old], argv[old+1], argv[old+2])
		default:
			s.event(llWarning, "+set", m, "%@ %s", argv[old])
		}
	}
	if changes > 0 {
		s.flushAndReply(c)
	}
}

// dropInstanceConnections is dropInstanceConnections.
func (s *Sentinel) dropInstanceConnections(m *instance) {
	s.closeCC(m.link)
	s.closePC(m.link)
	for _, sl := range m.slaves {
		s.closeCC(sl.link)
		s.closePC(sl.link)
	}
}
