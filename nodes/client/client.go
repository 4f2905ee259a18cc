package client

import (
	"strings"
	"time"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// uniqBase separates the clients' unique values: client p writes
// p*uniqBase+1, p*uniqBase+2, ...
const uniqBase = 1_000_000_000

// Program returns the program of one client process. It fails when a
// required option is missing. What must outlive an incarnation (the count
// of operations, the operation in flight) is kept outside it: a restarted
// client records its predecessor's operation in flight as Info (Fail if it
// was never sent) and never writes a value twice.
func Program(opts Options) (sim.Program, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	st := &state{pending: -1}
	return func(env sim.Env) sim.Node {
		c := &client{env: env, o: opts, st: st}
		c.stepFn = c.step
		c.recoverPending()
		first := time.Duration(0)
		if opts.Think > 0 {
			// Spread the clients' first operations over one think time.
			first = time.Duration(env.Rand().Int64N(int64(opts.Think)))
		}
		c.after(first)
		return c
	}, nil
}

// state is what a client keeps across incarnations.
type state struct {
	seq     int64 // operations generated, for unique values
	pending int   // history index of the operation in flight, or -1
	sent    bool  // whether that operation's request was written
}

// client is one incarnation of a client process.
type client struct {
	env sim.Env
	o   Options
	st  *state

	// finals, when not nil, makes this a final reader: it runs these
	// requests once, in order, then calls done.
	finals []Request
	nfinal int
	done   func()

	conn sim.Conn
	h    *handler // the current connection's handler
	addr string   // the current connection's address
	open bool

	busy  bool       // an operation is in flight
	op    history.Op // it, as generated; Decode fills Result or Elems
	cmd   [][]byte
	sent  bool
	timer sim.Timer
	fails int // connection failures in a row, for the backoff
	buf   []byte

	stopped bool
	stepFn  func() // c.step, bound once
}

// Stop is a graceful stop: the operation in flight is abandoned.
func (c *client) Stop() {
	if c.busy {
		c.env.Cancel(c.timer)
		c.abandon("client stopped")
	}
	c.stopped = true
	c.drop()
}

func (c *client) recoverPending() {
	if c.st.pending >= 0 {
		c.abandon("client crashed")
	}
}

// abandon completes the operation in flight (possibly a predecessor's) with
// what a client that gives up on it knows.
func (c *client) abandon(why string) {
	if c.st.sent {
		c.complete(history.Info, why+" after send")
	} else {
		c.complete(history.Fail, why+" before send")
	}
}

// step invokes the next operation.
func (c *client) step() {
	if c.stopped || c.busy {
		return
	}
	now := c.o.Now()
	if c.o.Stop != 0 && now >= c.o.Stop {
		c.finish()
		return
	}
	addr := c.o.Target()
	if addr == "" {
		c.after(c.o.BackoffMin)
		return
	}
	var op history.Op
	var cmd [][]byte
	if c.finals != nil {
		if c.nfinal == len(c.finals) {
			c.finish()
			return
		}
		op, cmd = c.finals[c.nfinal].Op, c.finals[c.nfinal].Cmd
		c.nfinal++
	} else {
		c.st.seq++
		op, cmd = c.o.Workload.Next(c.env.Rand(), int64(c.o.Process)*uniqBase+c.st.seq)
	}
	if c.conn != nil && addr != c.addr {
		c.drop() // the target moved: follow it
	}
	op.Process, op.Node, op.Invoke = c.o.Process, hostOf(addr), now
	c.st.pending, c.st.sent = c.o.History.Invoke(op), false
	c.op, c.cmd, c.busy, c.sent = op, cmd, true, false
	switch {
	case c.conn == nil:
		c.dial(addr)
	case c.open:
		c.send()
	}
}

func (c *client) dial(addr string) {
	c.h = &handler{c: c, rr: resp.NewReplyReader()}
	c.addr, c.open = addr, false
	c.conn = c.env.Dial(addr, c.o.DialTimeout, c.h)
}

// drop closes the current connection, if any. Close, not Abort: as with
// close(2), what the kernel still holds is sent, so a timed-out request
// may yet be applied, which is what Info allows.
func (c *client) drop() {
	if c.conn != nil {
		c.conn.Close()
	}
	c.conn, c.h, c.open = nil, nil, false
}

func (c *client) opened() {
	c.open = true
	if c.busy && !c.sent {
		c.send()
	}
}

func (c *client) send() {
	c.buf = resp.AppendCommand(c.buf[:0], c.cmd...)
	c.conn.Write(c.buf)
	c.sent, c.st.sent = true, true
	c.timer = c.env.After(c.o.Timeout, c.timeout)
}

func (c *client) reply(v resp.Value) {
	if !c.busy || !c.sent {
		// A reply nobody asked for: the stream is out of step, and no
		// later reply on it can be trusted.
		c.env.Logf("client %d: unexpected reply %.80s from %s; closing", c.o.Process, v.String(), c.addr)
		c.drop()
		return
	}
	c.env.Cancel(c.timer)
	c.fails = 0
	switch {
	case v.IsError():
		c.complete(history.Fail, errorText(v.Str))
	default:
		if err := c.o.Workload.Decode(&c.op, v); err != nil {
			s := v.String()
			if len(s) > 80 {
				s = s[:80] + "..."
			}
			c.complete(history.Info, "unexpected reply: "+s)
		} else {
			c.complete(history.Ok, "")
		}
	}
	c.after(c.think())
}

func (c *client) timeout() {
	if !c.busy || !c.sent {
		return
	}
	c.complete(history.Info, "timeout after "+c.o.Timeout.String())
	c.drop()
	c.fails++
	c.after(c.backoff())
}

// badStream handles a malformed reply stream: no later reply on it can be
// trusted, and whether the request in flight ran is unknown.
func (c *client) badStream(err error) {
	c.env.Logf("client %d: bad reply stream from %s: %v", c.o.Process, c.addr, err)
	c.drop()
	if c.busy && c.sent {
		c.env.Cancel(c.timer)
		c.complete(history.Info, "bad reply stream from "+c.addr+": "+err.Error())
		c.fails++
		c.after(c.backoff())
	}
}

// lost handles the end of the connection that the peer or the network
// chose (a refused or timed-out dial, a reset, a close).
func (c *client) lost(err error) {
	wasOpen := c.open
	c.conn, c.h, c.open = nil, nil, false
	if !c.busy {
		return // an idle connection: the next operation dials again
	}
	c.env.Cancel(c.timer)
	c.fails++
	why := "closed by peer"
	if err != nil {
		why = err.Error()
	}
	switch {
	case c.sent:
		c.complete(history.Info, "connection to "+c.addr+" lost after send: "+why)
	case !wasOpen:
		c.complete(history.Fail, "dial "+c.addr+": "+why)
	default:
		c.complete(history.Fail, "connection to "+c.addr+" lost before send: "+why)
	}
	c.after(c.backoff())
}

// complete records the end of the operation in flight.
func (c *client) complete(outcome history.Outcome, errText string) {
	i := c.st.pending
	c.st.pending, c.st.sent = -1, false
	c.busy = false
	now := c.o.Now()
	switch {
	case outcome == history.Ok && c.op.Elems != nil:
		c.o.History.CompleteElems(i, now, c.op.Elems)
	case outcome == history.Ok:
		c.o.History.Complete(i, now, outcome, c.op.Result, "")
	default:
		c.o.History.Complete(i, now, outcome, history.None, errText)
	}
	c.op, c.cmd = history.Op{}, nil
}

func (c *client) finish() {
	c.stopped = true
	c.drop()
	if c.done != nil {
		c.done()
	}
}

func (c *client) after(d time.Duration) {
	c.env.After(d, c.stepFn)
}

func (c *client) think() time.Duration {
	t := c.o.Think
	if t <= 0 || c.finals != nil {
		return 0
	}
	return t/2 + time.Duration(c.env.Rand().Int64N(int64(t)))
}

// backoff is BackoffMin doubled per failure in a row, capped at BackoffMax,
// jittered over [d/2, d].
func (c *client) backoff() time.Duration {
	d := c.o.BackoffMax
	if n := c.fails - 1; n < 30 {
		if b := c.o.BackoffMin << n; b < d {
			d = b
		}
	}
	return d/2 + time.Duration(c.env.Rand().Int64N(int64(d/2)+1))
}

// handler is one connection's events; a handler that is no longer its
// client's current one ignores them.
type handler struct {
	c  *client
	rr *resp.ReplyReader
}

func (h *handler) OnOpen(sim.Conn) {
	if h.c.h == h {
		h.c.opened()
	}
}

func (h *handler) OnData(_ sim.Conn, p []byte) {
	if h.c.h != h {
		return
	}
	h.rr.Feed(p)
	for h.c.h == h {
		v, ok, err := h.rr.Next()
		if err != nil {
			h.c.badStream(err)
			return
		}
		if !ok {
			return
		}
		h.c.reply(v)
	}
}

func (h *handler) OnClose(_ sim.Conn, err error) {
	if h.c.h == h {
		h.c.lost(err)
	}
}

// hostOf is the host part of "host:port", the node an operation went to.
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return addr[:i]
	}
	return addr
}

// errorText is the first line of an error reply, "READONLY You can't ...".
func errorText(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
