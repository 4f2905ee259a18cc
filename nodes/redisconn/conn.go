package redisconn

import (
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// A Waiter is told the outcome of the commands it issued.
type Waiter interface {
	// Reply runs once per command, with the tag given to Do: with the
	// reply and a nil error, or with a zero Value and an *Error that says
	// why no reply will come. It may call back into the Conn.
	Reply(tag int, v resp.Value, err error)
}

// A SendWaiter is a Waiter that is also told when its command is written:
// from then on the server may run it, which matters to an owner that must
// know after a crash whether its request left. Sent must not call back into
// the Conn.
type SendWaiter interface {
	Waiter
	Sent(tag int)
}

// Func is a Waiter made of a function; it ignores the tag.
type Func func(v resp.Value, err error)

// Reply implements Waiter.
func (f Func) Reply(_ int, v resp.Value, err error) { f(v, err) }

// Conn is one outbound Redis connection, dialled again when lost. It is
// driven from its process's turn only, like the node that owns it.
type Conn struct {
	env  sim.Env
	addr string
	o    Options

	cur *link // the connection in use; nil when there is none
	gen int   // dials so far
	rr  *resp.ReplyReader

	// pending[head:] are the written commands awaiting replies, oldest
	// first; held are those issued before the connection was ready (their
	// encodings end to end in heldBuf).
	pending []entry
	head    int
	held    []entry
	heldBuf []byte // the held commands' encodings, end to end
	buf     []byte

	// timer is armed, when armed, for armedFor: the deadline of the
	// oldest pending command whose Waiter waited when it was set. That
	// command may have had its reply since (see dispatch).
	timer    sim.Timer
	armed    bool
	armedFor time.Duration
	expiring bool
	expireFn func()

	// Reconnection: redial is set from a dial until Close, Abort or
	// Hijack; retrying while the backoff timer runs.
	redial   bool
	retrying bool
	retry    sim.Timer
	retryFn  func()
	failures int

	hs hsWaiter
}

// entry is one command issued.
type entry struct {
	w   Waiter
	tag int
	// deadline is on env.Mono, when Options.Timeout is set.
	deadline time.Duration
	// done: nobody waits for the reply any more (it timed out, or there
	// was no Waiter); the reply is read and dropped.
	done bool
	// await: a held Await, which writes nothing; noReply: a held Send,
	// which awaits nothing.
	await, noReply bool
}

// link is one connection's events; a link that is no longer its Conn's
// current one ignores them, unless it was hijacked.
type link struct {
	c      *Conn
	conn   sim.Conn
	gen    int
	open   bool
	ready  bool
	hsLeft int             // handshake replies still to come
	raw    sim.ConnHandler // the new owner, after Hijack
}

// New returns a Conn to addr ("host:port") for env's process. It does not
// dial: the first Do or Connect does. It panics on options that Validate
// refuses, as a caller's own validation should have caught them.
func New(env sim.Env, addr string, o Options) *Conn {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	c := &Conn{env: env, addr: addr, o: o, rr: resp.NewReplyReader()}
	c.rr.SetReuse(o.ReuseReplies)
	if o.MaxBulkLen > 0 {
		c.rr.SetMaxBulkLen(o.MaxBulkLen)
	}
	c.expireFn, c.retryFn = c.expire, c.retryNow
	c.hs.init(c)
	return c
}

// Addr is the server's "host:port".
func (c *Conn) Addr() string { return c.addr }

// Ready reports whether a connection is open and its handshake done.
func (c *Conn) Ready() bool { return c.cur != nil && c.cur.ready }

// Pending is the number of commands issued and not yet answered, timed-out
// ones included (their replies are still to be read).
func (c *Conn) Pending() int {
	n := len(c.pending) - c.head
	for i := range c.held {
		if !c.held[i].noReply {
			n++
		}
	}
	return n
}

// Connect dials now if there is no connection and no reconnection is
// waiting; with Options.Reconnect, the Conn then keeps a connection until
// Close, Abort or Hijack.
func (c *Conn) Connect() {
	if c.cur == nil && !c.retrying {
		c.dial()
	}
}

// Do issues the command args and tells w its outcome under tag; a nil w
// means nobody waits (the reply is read and dropped). It dials first if
// there is no connection. The command is written at once when the
// connection is ready (or Options.WriteWhileDialing), else held until it
// is. args are encoded before Do returns.
func (c *Conn) Do(w Waiter, tag int, args ...[]byte) { c.issue(w, tag, args, true) }

// Await registers w for the next reply under tag without writing a
// command, for a reply the server sends unasked: the payload that follows
// +FULLRESYNC, for one.
func (c *Conn) Await(w Waiter, tag int) { c.issue(w, tag, nil, true) }

// Send writes a command that gets no reply, so that none is awaited for
// it: REPLCONF ACK, or SUBSCRIBE under RESP3, whose confirmations are
// pushes (see Options.OnPush). It dials and holds like Do.
func (c *Conn) Send(args ...[]byte) { c.issue(nil, 0, args, false) }

func (c *Conn) issue(w Waiter, tag int, args [][]byte, reply bool) {
	if c.o.MaxPending > 0 && reply && c.Pending() >= c.o.MaxPending {
		c.fault(ErrTooManyPending, abortConn)
	}
	if c.cur == nil && !c.retrying {
		c.dial()
	}
	l := c.cur
	if l == nil || !(l.ready || c.o.WriteWhileDialing) {
		c.hold(w, tag, args, reply)
		return
	}
	if len(args) > 0 {
		c.buf = resp.AppendCommand(c.buf[:0], args...)
		l.conn.Write(c.buf)
	}
	if reply {
		c.push(w, tag, len(args) > 0)
	}
}

// Close closes the connection in order (pending output is still sent, then
// FIN) and tells every command awaiting a reply ErrClosed. The next Do
// dials again.
func (c *Conn) Close() { c.shut(ErrClosed, closeConn) }

// Abort resets the connection (unsent output is dropped) and tells every
// command awaiting a reply ErrAborted. The next Do dials again.
func (c *Conn) Abort() { c.shut(ErrAborted, abortConn) }

func (c *Conn) shut(cause error, how ending) {
	c.stopRetry()
	if c.cur == nil {
		held := c.detachHeld()
		c.failAll(nil, held, cause, false)
		return
	}
	c.fault(cause, how)
}

// dial starts a new connection; with WriteWhileDialing its handshake and
// the held commands are written at once.
func (c *Conn) dial() {
	c.gen++
	l := &link{c: c, gen: c.gen}
	c.cur = l
	c.redial = true
	c.rr.Reset()
	l.conn = c.env.Dial(c.addr, c.o.DialTimeout, l)
	if c.o.WriteWhileDialing && c.cur == l {
		c.handshake(l)
		c.flushHeld(l)
	}
}

// OnOpen implements sim.ConnHandler.
func (l *link) OnOpen(conn sim.Conn) {
	c := l.c
	if l.raw != nil || c.cur != l {
		return
	}
	l.open = true
	if !c.o.WriteWhileDialing {
		c.handshake(l)
	}
	if l.hsLeft == 0 {
		c.ready(l)
	}
}

// ready runs when l is open and its handshake done.
func (c *Conn) ready(l *link) {
	l.ready = true
	c.failures = 0
	c.flushHeld(l)
	if c.o.OnUp != nil && c.cur == l {
		c.o.OnUp()
	}
}

// OnData implements sim.ConnHandler: every complete reply goes to the
// oldest command awaiting one, a push to OnPush.
func (l *link) OnData(conn sim.Conn, p []byte) {
	if l.raw != nil {
		l.raw.OnData(conn, p)
		return
	}
	c := l.c
	if c.cur != l {
		return
	}
	c.rr.Feed(p)
	for c.cur == l {
		v, ok, err := c.rr.Next()
		if err != nil {
			c.fault(&ProtocolError{Err: err}, abortConn)
			return
		}
		if !ok {
			return
		}
		c.dispatch(v)
	}
}

// OnClose implements sim.ConnHandler: the peer or the network ended the
// connection, or the dial failed.
func (l *link) OnClose(conn sim.Conn, err error) {
	if l.raw != nil {
		l.raw.OnClose(conn, err)
		return
	}
	c := l.c
	if c.cur != l {
		return
	}
	if err == nil {
		err = ErrPeerClosed
	}
	c.fault(err, alreadyClosed)
}

// ending is how fault ends the connection.
type ending uint8

const (
	alreadyClosed ending = iota
	closeConn
	abortConn
)

// fault ends the current connection (if any) for cause: the log line and
// OnDown first (unless the owner asked), then the Env's close or reset,
// then every Waiter in the order its command was issued, then a
// reconnection if one is due.
func (c *Conn) fault(cause error, how ending) {
	if c.o.LogPrefix != "" {
		c.logFault(cause)
	}
	l := c.cur
	if l == nil {
		c.failAll(nil, c.detachHeld(), cause, false)
		return
	}
	c.cur = nil
	c.disarm()
	pending := c.detachPending()
	held := c.detachHeld()
	byOwner := cause == ErrClosed || cause == ErrAborted || cause == ErrHijacked
	if c.o.OnDown != nil && !byOwner {
		c.o.OnDown(cause)
	}
	switch how {
	case closeConn:
		l.conn.Close()
	case abortConn:
		l.conn.Abort()
	}
	c.failAll(pending, held, cause, l.open)
	if !byOwner {
		c.redialLater()
	}
}

// failAll tells the Waiters of pending (written) and held (not written)
// commands that no reply will come.
func (c *Conn) failAll(pending, held []entry, cause error, opened bool) {
	var sent, unsent *Error
	for i := range pending {
		if e := &pending[i]; !e.done {
			if sent == nil {
				sent = &Error{Addr: c.addr, Err: cause, Sent: true, Opened: opened}
			}
			e.w.Reply(e.tag, resp.Value{}, sent)
		}
	}
	for i := range held {
		if e := &held[i]; !e.done {
			if unsent == nil {
				unsent = &Error{Addr: c.addr, Err: cause, Opened: opened}
			}
			e.w.Reply(e.tag, resp.Value{}, unsent)
		}
	}
}

// logFault writes the trace line of Options.LogPrefix.
func (c *Conn) logFault(cause error) {
	p := c.o.LogPrefix
	switch e := cause.(type) {
	case *ProtocolError:
		c.env.Logf("%sbad reply stream from %s: %v", p, c.addr, e.Err)
	case *UnexpectedReplyError:
		c.env.Logf("%sunexpected reply %.80s from %s; closing", p, e.Reply.String(), c.addr)
	case *HandshakeError:
		detail := Brief(e.Reply)
		if e.Err != nil {
			detail = e.Err.Error()
		}
		c.env.Logf("%shandshake with %s failed at %s: %s", p, c.addr, e.Command, detail)
	default:
		if cause == ErrTooManyPending {
			c.env.Logf("%s%d requests to %s unanswered; resetting the connection", p, c.Pending(), c.addr)
		}
	}
}
