package redis

import (
	"slices"
	"strings"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/rnum"
)

var connectionCommands = []cmdSpec{
	{"ping", -1, flagPubSub, pingCommand, noKeys},
	{"echo", 2, flagStale, echoCommand, noKeys},
	{"select", 2, flagStale, selectCommand, noKeys},
	{"auth", -2, flagNoAuth | flagNoScript | flagStale, authCommand, noKeys},
	{"hello", -1, flagNoAuth | flagNoScript | flagStale, helloCommand, noKeys},
	{"reset", 1, flagNoAuth | flagNoScript | flagPubSub | flagStale, resetCommand, noKeys},
	{"client", -2, flagNoScript, nil, noKeys},
	{"client|id", 2, flagNoScript | flagStale, func(c *client, _ [][]byte) { c.w.WriteInt(c.id) }, noKeys},
	{"client|setname", 3, flagNoScript | flagStale, clientSetNameCommand, noKeys},
	{"client|getname", 2, flagNoScript | flagStale, clientGetNameCommand, noKeys},
	{"client|list", -2, fadm | flagStale, clientListCommand, noKeys},
	{"client|info", 2, flagNoScript | flagStale, func(c *client, _ [][]byte) { c.w.WriteVerbatimString(c.info()+"\n", "txt") }, noKeys},
	{"client|kill", -3, fadm | flagStale, clientKillCommand, noKeys},
}

func pingCommand(c *client, args [][]byte) {
	if len(args) > 2 {
		c.w.WriteError("ERR wrong number of arguments for 'ping' command")
		return
	}
	if c.resp == 2 && c.subscribed() {
		c.w.WriteArrayLen(2)
		c.w.WriteBulkString("pong")
		if len(args) == 2 {
			c.w.WriteBulk(args[1])
		} else {
			c.w.WriteBulkString("")
		}
		return
	}
	if len(args) == 2 {
		c.w.WriteBulk(args[1])
		return
	}
	c.w.WriteSimpleString("PONG")
}

func echoCommand(c *client, args [][]byte) { c.w.WriteBulk(args[1]) }

func selectCommand(c *client, args [][]byte) {
	// getIntFromObjectOrReply: a long long out of the int range has an
	// error of its own.
	n, ok := c.intArg(args[1], "")
	if !ok {
		return
	}
	if c.s.clusterEnabled() && n != 0 {
		c.w.WriteError("ERR SELECT is not allowed in cluster mode")
		return
	}
	if n < 0 || n >= len(c.s.dbs) {
		c.w.WriteError("ERR DB index is out of range")
		return
	}
	c.db = c.s.dbs[n]
	c.w.WriteOK()
}

func authCommand(c *client, args [][]byte) {
	u, reply := c.s.acl.Auth(args, c.aclClient(acl.ContextToplevel))
	if u != nil {
		c.user = u
		c.setAuthed()
	} else {
		c.s.env.Logf("AUTH failed for client id=%d", c.id)
	}
	reply.Write(c.w)
}

func (c *client) setAuthed() {
	c.authed = true
	c.r.SetAuthRequired(false)
}

func helloCommand(c *client, args [][]byte) {
	ver := int64(c.resp)
	i := 1
	if len(args) >= 2 {
		v, ok := rnum.ParseInt(args[1])
		if !ok {
			c.w.WriteError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.w.WriteError("NOPROTO unsupported protocol version")
			return
		}
		ver, i = v, 2
	}
	for ; i < len(args); i++ {
		more := len(args) - i - 1
		switch opt := lowerC(args[i]); {
		case opt == "auth" && more >= 2:
			u, ok := c.s.acl.Authenticate(args[i+1], args[i+2], c.aclClient(acl.ContextToplevel), args[0])
			if !ok {
				c.w.WriteError(acl.ErrWrongPass)
				return
			}
			c.user = u
			c.setAuthed()
			i += 2
		case opt == "setname" && more >= 1:
			// clientSetNameOrReply: the name is set here, so it stays
			// when a later option or the NOAUTH check fails.
			if msg := validClientName(args[i+1]); msg != "" {
				c.w.WriteError(msg)
				return
			}
			c.name = string(args[i+1])
			i++
		default:
			c.w.WriteError("ERR Syntax error in HELLO option '" + cstr(args[i], 128) + "'")
			return
		}
	}
	if !c.authed {
		c.w.WriteError(acl.ErrHelloNoAuth)
		return
	}
	c.resp = int(ver)
	c.w.SetProto(c.resp)
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
	c.w.WriteBulkString(c.s.redisMode())
	c.w.WriteBulkString("role")
	c.w.WriteBulkString(c.s.role())
	c.w.WriteBulkString("modules")
	c.w.WriteArrayLen(0)
}

func resetCommand(c *client, args [][]byte) {
	c.discardTransaction()
	c.unwatchAll()
	c.unsubscribeAll(false)
	c.db = c.s.dbs[0]
	c.resp = 2
	c.w.SetProto(2)
	c.name = ""
	// clientSetDefaultAuth: back to the default user, authenticated only
	// when it needs no password.
	c.user = c.s.acl.Default()
	if !c.s.acl.AuthenticatedOnConnect() {
		c.authed = false
		c.r.SetAuthRequired(true)
	}
	c.w.WriteSimpleString("RESET")
}

func validClientName(name []byte) string {
	for _, b := range name {
		if b < '!' || b > '~' {
			return "ERR Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
}

func clientSetNameCommand(c *client, args [][]byte) {
	if msg := validClientName(args[2]); msg != "" {
		c.w.WriteError(msg)
		return
	}
	c.name = string(args[2])
	c.w.WriteOK()
}

func clientGetNameCommand(c *client, args [][]byte) {
	if c.name == "" {
		c.w.WriteNull()
		return
	}
	c.w.WriteBulkString(c.name)
}

func clientListCommand(c *client, args [][]byte) {
	var ids []int64
	switch {
	case len(args) == 2:
	case len(args) >= 4 && cEqualFold(args[2], "id"):
		for _, a := range args[3:] {
			id, ok := rnum.ParseInt(a)
			if !ok || id <= 0 {
				c.w.WriteError("ERR Invalid client ID")
				return
			}
			ids = append(ids, id)
		}
	case len(args) == 4 && cEqualFold(args[2], "type"):
		t := lowerC(args[3])
		if t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub" {
			c.w.WriteError("ERR Unknown client type '" + cstr(args[3], len(args[3])) + "'")
			return
		}
		if t != "normal" && t != "pubsub" {
			c.w.WriteVerbatimString("", "txt")
			return
		}
		var b strings.Builder
		for _, x := range c.s.clients {
			if x.subscribed() == (t == "pubsub") {
				b.WriteString(x.info() + "\n")
			}
		}
		c.w.WriteVerbatimString(b.String(), "txt")
		return
	default:
		c.w.WriteError(errSyntax)
		return
	}
	var b strings.Builder
	for _, x := range c.s.clients {
		if ids != nil && !containsID(ids, x.id) {
			continue
		}
		b.WriteString(x.info() + "\n")
	}
	c.w.WriteVerbatimString(b.String(), "txt")
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func clientKillCommand(c *client, args [][]byte) {
	if len(args) == 3 {
		for _, x := range c.s.killable() {
			if x.addr == string(args[2]) {
				c.w.WriteOK()
				x.closeAfterReply(c)
				return
			}
		}
		c.w.WriteError("ERR No such client")
		return
	}
	if len(args)%2 != 0 {
		c.w.WriteError(errSyntax)
		return
	}
	var id int64
	var addr, laddr, typ string
	skipme := true
	for i := 2; i < len(args); i += 2 {
		v := string(args[i+1])
		switch lowerC(args[i]) {
		case "id":
			n, ok := rnum.ParseInt(args[i+1])
			if !ok || n <= 0 {
				c.w.WriteError("ERR client-id should be greater than 0")
				return
			}
			id = n
		case "addr":
			addr = v
		case "laddr":
			laddr = v
		case "type":
			t := lowerC([]byte(v))
			if t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub" {
				c.w.WriteError("ERR Unknown client type '" + cstr(args[i+1], len(args[i+1])) + "'")
				return
			}
			if t == "slave" {
				t = "replica"
			}
			typ = t
		case "skipme":
			switch lowerC([]byte(v)) {
			case "yes":
				skipme = true
			case "no":
				skipme = false
			default:
				c.w.WriteError(errSyntax)
				return
			}
		case "user":
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	var victims []*client
	for _, x := range c.s.killable() {
		if (id != 0 && x.id != id) || (addr != "" && x.addr != addr) || (laddr != "" && x.laddr != laddr) || (typ != "" && x.typeName() != typ) {
			continue
		}
		if x == c && skipme {
			continue
		}
		victims = append(victims, x)
	}
	c.w.WriteInt(int64(len(victims)))
	for _, x := range victims {
		x.closeAfterReply(c)
	}
}

// killable are the clients CLIENT KILL chooses from: Redis's
// server.clients, which holds the master client too (the node keeps that
// one apart, so CLIENT LIST does not show it).
func (s *Server) killable() []*client {
	if s.master == nil || s.master.closed {
		return s.clients
	}
	return append(slices.Clone(s.clients), s.master)
}

// closeAfterReply kills x; killing the calling client waits for its reply.
func (x *client) closeAfterReply(caller *client) {
	if x == caller {
		x.closing = true
		return
	}
	x.kill()
}
