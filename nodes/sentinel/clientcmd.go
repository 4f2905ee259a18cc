package sentinel

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
)

// clientReplyCommand is CLIENT REPLY ON|OFF|SKIP.
func (s *Sentinel) clientReplyCommand(c *client, argv []string) {
	switch lowerC(argv[2]) {
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
	switch lowerC(argv[2]) {
	case "on", "off":
		c.noEvict = lowerC(argv[2]) == "on"
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

// validName is validateClientName's error, or "".
func validName(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return "Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
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
	case len(argv) == 4 && strcaseEq(argv[2], "type"):
		typ = lowerC(argv[3])
		if typ != "normal" && typ != "pubsub" && typ != "master" && typ != "replica" && typ != "slave" {
			c.errorReply("Unknown client type '" + cstring(argv[3]) + "'")
			return
		}
	case len(argv) > 3 && strcaseEq(argv[2], "id"):
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
	var b strings.Builder
	for _, x := range s.clients {
		if typ != "" && typ != x.typ() {
			continue
		}
		if ids != nil && !containsID(ids, x.id) {
			continue
		}
		b.WriteString(x.info())
		b.WriteByte('\n')
	}
	c.w.WriteVerbatimString(b.String(), "txt")
}

func (s *Sentinel) clientInfoCommand(c *client, _ []string) {
	c.w.WriteVerbatimString(c.info()+"\n", "txt")
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
	var user *acl.User
	skipme := true
	if len(argv)%2 != 0 {
		c.errorReply("syntax error")
		return
	}
	for i := 2; i+1 < len(argv); i += 2 {
		v := argv[i+1]
		switch lowerC(argv[i]) {
		case "id":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				c.errorReply("client-id should be greater than 0")
				return
			}
			id = n
		case "type":
			typ = lowerC(v)
			if typ != "normal" && typ != "pubsub" && typ != "master" && typ != "replica" && typ != "slave" {
				c.errorReply("Unknown client type '" + cstring(v) + "'")
				return
			}
		case "addr":
			addr = v
		case "laddr":
			laddr = v
		case "user":
			if user = s.acl.User([]byte(v)); user == nil {
				c.errorReply("No such user '" + cstring(v) + "'")
				return
			}
		case "skipme":
			switch lowerC(v) {
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
		if typ != "" && typ != x.typ() || user != nil && x.user != user {
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

// clientUnblockCommand is CLIENT UNBLOCK id [TIMEOUT|ERROR]. A sentinel's
// only blocked clients are those a pause holds (BLOCKED_POSTPONE), which
// 7.0.15 does not expect here: with TIMEOUT, replyToBlockedClientTimedOut
// knows no such block and the sentinel panics; with ERROR the client is
// told so and unblocked, and its command, run again while the pause
// lasts, is postponed again, behind the others.
func (s *Sentinel) clientUnblockCommand(c *client, argv []string) {
	if len(argv) > 4 {
		c.errorReply("unknown subcommand or wrong number of arguments for '" + argv[1] + "'. Try CLIENT HELP.")
		return
	}
	// The reason is checked before the id, as clientCommand checks them.
	if len(argv) == 4 && !strcaseEq(argv[3], "timeout") && !strcaseEq(argv[3], "error") {
		c.errorReply("CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		return
	}
	id, ok := parseLong(c, argv[2], "")
	if !ok {
		return
	}
	x := s.clientByID(id)
	if x == nil || x.postponed == nil {
		c.w.WriteInt(0)
		return
	}
	if len(argv) < 4 || strcaseEq(argv[3], "timeout") {
		s.env.Logf("Guru Meditation: Unknown btype in replyToBlockedClientTimedOut(). #blocked.c:230")
		s.fail()
		return
	}
	x.errorReply("-UNBLOCKED client unblocked via CLIENT UNBLOCK") // counted, as addReplyError counts it
	for i, y := range s.postponed {
		if y == x {
			s.postponed = append(s.postponed[:i], s.postponed[i+1:]...)
			break
		}
	}
	s.postponed = append(s.postponed, x)
	c.w.WriteInt(1)
}

// clientPauseCommand is CLIENT PAUSE timeout [WRITE|ALL]: the mode is
// read before the timeout, as Redis reads them.
func (s *Sentinel) clientPauseCommand(c *client, argv []string) {
	if len(argv) > 4 {
		c.errorReply("unknown subcommand or wrong number of arguments for '" + argv[1] + "'. Try CLIENT HELP.")
		return
	}
	typ := pauseAll
	if len(argv) == 4 {
		switch lowerC(argv[3]) {
		case "write":
			typ = pauseWrite
		case "all":
		default:
			c.errorReply("CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	ms, ok := getLL(argv[2])
	if !ok {
		c.errorReply("timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.errorReply("timeout is negative")
		return
	}
	if ms > 0 {
		ms += s.mstime()
	}
	s.pauseClients(ms, typ)
	c.w.WriteOK()
}

// clientUnpauseCommand is CLIENT UNPAUSE (unpauseClients).
func (s *Sentinel) clientUnpauseCommand(c *client, _ []string) {
	s.asked = false
	s.updatePause()
	c.w.WriteOK()
}
