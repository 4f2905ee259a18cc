package redisconn

import (
	"github.com/redsim/redsim/nodes/resp"
)

// hold keeps a command until the connection is ready.
func (c *Conn) hold(w Waiter, tag int, args [][]byte, reply bool) {
	if len(args) > 0 {
		c.heldBuf = resp.AppendCommand(c.heldBuf, args...)
	}
	c.held = append(c.held, entry{w: w, tag: tag, done: w == nil, await: len(args) == 0, noReply: !reply})
}

// flushHeld writes the held commands, in one write, and makes them pending.
func (c *Conn) flushHeld(l *link) {
	if len(c.held) == 0 {
		return
	}
	if len(c.heldBuf) > 0 {
		l.conn.Write(c.heldBuf)
	}
	for i := range c.held {
		if e := &c.held[i]; !e.noReply {
			c.push(e.w, e.tag, !e.await)
		}
	}
	clear(c.held)
	c.held, c.heldBuf = c.held[:0], c.heldBuf[:0]
}

// push records a command as awaiting its reply; wrote says that it was a
// command, not an Await.
func (c *Conn) push(w Waiter, tag int, wrote bool) {
	e := entry{w: w, tag: tag, done: w == nil}
	if c.o.Timeout > 0 && !e.done {
		e.deadline = c.env.Mono() + c.o.Timeout
	}
	c.pending = append(c.pending, e)
	if sw, ok := w.(SendWaiter); ok && wrote {
		sw.Sent(tag)
	}
	c.arm()
}

// dispatch hands a reply to the oldest pending command.
func (c *Conn) dispatch(v resp.Value) {
	if v.Kind == resp.KindPush {
		if c.o.OnPush != nil {
			c.o.OnPush(v)
		}
		return
	}
	if c.head == len(c.pending) {
		c.fault(&UnexpectedReplyError{Reply: v.Clone()}, abortConn)
		return
	}
	e := c.pending[c.head]
	c.pending[c.head] = entry{}
	c.head++
	switch {
	case c.head == len(c.pending):
		c.pending, c.head = c.pending[:0], 0
	case c.head >= 32 && 2*c.head >= len(c.pending):
		n := copy(c.pending, c.pending[c.head:])
		clear(c.pending[n:])
		c.pending, c.head = c.pending[:n], 0
	}
	if e.done {
		return
	}
	// If the timer was e's, it stays armed for e's deadline, which is no
	// later than any other pending command's: expire waits again for the
	// next one. Cancelling and setting a timer for every reply put two
	// events in the world's queue per command for one that is almost
	// never due.
	e.w.Reply(e.tag, v, nil)
}

// arm sets the timer for the oldest pending command still waited for.
func (c *Conn) arm() {
	if c.armed || c.expiring || c.o.Timeout <= 0 {
		return
	}
	if e := c.oldestWaited(); e != nil {
		c.timer = c.env.After(max(e.deadline-c.env.Mono(), 0), c.expireFn)
		c.armed, c.armedFor = true, e.deadline
	}
}

// oldestWaited is the oldest pending command whose Waiter still waits, or
// nil.
func (c *Conn) oldestWaited() *entry {
	for i := c.head; i < len(c.pending); i++ {
		if e := &c.pending[i]; !e.done {
			return e
		}
	}
	return nil
}

func (c *Conn) disarm() {
	if c.armed {
		c.armed = false
		c.env.Cancel(c.timer)
	}
}

// expire is the timer: the command it was armed for, and any other whose
// deadline has passed, time out. They keep their places, so that their
// late replies are dropped rather than taken by later commands.
func (c *Conn) expire() {
	c.armed = false
	if e := c.oldestWaited(); e != nil && e.deadline > c.armedFor {
		// The command the timer was armed for has had its reply; the
		// oldest one still waited for is due later.
		c.arm()
		return
	}
	c.expiring = true
	l := c.cur
	now := c.env.Mono()
	var err *Error
	for i, first := c.head, true; c.cur == l && i < len(c.pending); i++ {
		e := &c.pending[i]
		if e.done {
			continue
		}
		if !first && e.deadline > now {
			break
		}
		first = false
		e.done = true
		if err == nil {
			err = &Error{Addr: c.addr, Err: ErrTimeout, Sent: true, Opened: l != nil && l.open}
		}
		e.w.Reply(e.tag, resp.Value{}, err)
	}
	c.expiring = false
	c.arm()
}

// detachPending takes the pending commands off the Conn, returning nil
// when no Waiter among them still waits.
func (c *Conn) detachPending() []entry {
	p := c.pending[c.head:]
	if !anyWaiting(p) {
		clear(c.pending)
		c.pending, c.head = c.pending[:0], 0
		return nil
	}
	c.pending, c.head = nil, 0
	return p
}

// detachHeld is detachPending for the held commands.
func (c *Conn) detachHeld() []entry {
	h := c.held
	c.heldBuf = c.heldBuf[:0]
	if !anyWaiting(h) {
		clear(c.held)
		c.held = c.held[:0]
		return nil
	}
	c.held = nil
	return h
}

func anyWaiting(es []entry) bool {
	for i := range es {
		if !es[i].done {
			return true
		}
	}
	return false
}
