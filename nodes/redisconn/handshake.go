package redisconn

import (
	"strconv"

	"github.com/redsim/redsim/nodes/resp"
)

// hsWaiter runs the handshake: the commands every new connection starts
// with, as go-redis's initConn sends them, pipelined in one write.
type hsWaiter struct {
	c     *Conn
	names []string // of the handshake's commands, in order
	enc   []byte   // their encoding
	// hello is HELLO's reply on the current connection (the server's
	// version, role, protocol...), when Protocol is 3.
	hello resp.Value
}

func (h *hsWaiter) init(c *Conn) {
	h.c = c
	o := &c.o
	if o.Protocol == 3 {
		args := []string{"HELLO", "3"}
		if o.Password != "" {
			args = append(args, "AUTH", username(o.Username), o.Password)
		}
		if o.ClientName != "" {
			args = append(args, "SETNAME", o.ClientName)
		}
		h.add("HELLO", args...)
	} else {
		switch {
		case o.Password != "" && o.Username != "":
			h.add("AUTH", "AUTH", o.Username, o.Password)
		case o.Password != "":
			h.add("AUTH", "AUTH", o.Password)
		}
		if o.ClientName != "" {
			h.add("CLIENT SETNAME", "CLIENT", "SETNAME", o.ClientName)
		}
	}
	if o.DB != 0 {
		h.add("SELECT", "SELECT", strconv.Itoa(o.DB))
	}
	if o.ReadOnly {
		h.add("READONLY", "READONLY")
	}
}

func username(u string) string {
	if u == "" {
		return "default"
	}
	return u
}

func (h *hsWaiter) add(name string, args ...string) {
	h.names = append(h.names, name)
	h.enc = resp.AppendCommandStrings(h.enc, args...)
}

// handshake writes the handshake on l, if there is one.
func (c *Conn) handshake(l *link) {
	h := &c.hs
	if len(h.names) == 0 {
		return
	}
	h.hello = resp.Value{}
	l.hsLeft = len(h.names)
	l.conn.Write(h.enc)
	for range h.names {
		c.push(h, l.gen, true)
	}
}

// Reply implements Waiter for the handshake's commands; tag is the
// generation of the connection that sent them.
func (h *hsWaiter) Reply(gen int, v resp.Value, err error) {
	c := h.c
	l := c.cur
	if l == nil || l.gen != gen {
		return // the connection ended; its own cause was reported
	}
	name := h.names[len(h.names)-l.hsLeft]
	switch {
	case err != nil: // only a timeout leaves the connection up
		c.fault(&HandshakeError{Command: name, Err: Cause(err)}, closeConn)
		return
	case v.IsError():
		c.fault(&HandshakeError{Command: name, Reply: v.Clone()}, closeConn)
		return
	case name == "HELLO":
		h.hello = v.Clone() // kept for the connection's life: ReuseReplies lends v
	}
	l.hsLeft--
	if l.hsLeft == 0 && l.open {
		c.ready(l)
	}
}

// Hello is the server's reply to HELLO 3 on the current connection (a map:
// server, version, proto, id, mode, role, modules), or the zero Value.
func (c *Conn) Hello() resp.Value {
	if c.cur == nil {
		return resp.Value{}
	}
	return c.hs.hello
}
