package redlock

import (
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// maxWaiters bounds the requests one link keeps awaiting replies for: past
// it the server is taken for gone (a partition that never heals) and the
// connection is reset rather than queue without end.
const maxWaiters = 256

// link is a client's connection to one server (a master, the token source,
// the resource), kept open from round to round and dialled again on the
// first request after it is lost. Replies come back in request order, so a
// FIFO of waiters matches each reply to its request; a request whose round
// has already ended (timed out) still takes its reply, which is dropped.
// Keeping the connection after a timeout keeps order too: the unlock that
// follows a timed-out SET reaches the master after it.
type link struct {
	env         sim.Env
	addr        string
	dialTimeout time.Duration

	conn    sim.Conn
	h       *linkHandler // the current connection's handler
	waiters []waiter     // oldest first
	buf     []byte
}

// waiter is one request awaiting its reply: slot i of round r, or nothing
// when r is nil (a request nobody waits for).
type waiter struct {
	r *round
	i int
}

func newLink(env sim.Env, addr string, dialTimeout time.Duration) *link {
	return &link{env: env, addr: addr, dialTimeout: dialTimeout}
}

// send writes the command and registers who waits for its reply, dialling
// first if the link has no connection.
func (l *link) send(r *round, i int, args ...[]byte) {
	if l.conn != nil && len(l.waiters) >= maxWaiters {
		l.env.Logf("redlock: %d requests to %s unanswered; resetting the connection", len(l.waiters), l.addr)
		l.conn.Abort()
		l.lost("too many unanswered requests")
	}
	if l.conn == nil {
		l.h = &linkHandler{l: l, rr: resp.NewReplyReader()}
		l.conn = l.env.Dial(l.addr, l.dialTimeout, l.h)
	}
	l.waiters = append(l.waiters, waiter{r: r, i: i})
	l.buf = resp.AppendCommand(l.buf[:0], args...)
	l.conn.Write(l.buf)
}

// close ends the connection, as the client's own choice.
func (l *link) close() {
	if l.conn != nil {
		l.conn.Close()
	}
	l.conn, l.h = nil, nil
	l.failAll("connection closed by the client")
}

// lost forgets the connection and fails every request awaiting a reply.
func (l *link) lost(why string) {
	l.conn, l.h = nil, nil
	l.failAll(why)
}

func (l *link) failAll(why string) {
	ws := l.waiters
	l.waiters = nil
	for _, w := range ws {
		if w.r != nil {
			w.r.fail(w.i, why)
		}
	}
}

func (l *link) reply(v resp.Value) {
	if len(l.waiters) == 0 {
		// A reply nobody asked for: the stream is out of step.
		l.env.Logf("redlock: unexpected reply %.80s from %s; closing", v.String(), l.addr)
		l.conn.Abort()
		l.lost("unexpected reply")
		return
	}
	w := l.waiters[0]
	l.waiters[0] = waiter{}
	l.waiters = l.waiters[1:]
	if len(l.waiters) == 0 {
		l.waiters = l.waiters[:0:0] // let the backing array go
	}
	if w.r != nil {
		w.r.answer(w.i, v)
	}
}

// linkHandler is one connection's events; a handler that is no longer its
// link's current one ignores them.
type linkHandler struct {
	l  *link
	rr *resp.ReplyReader
}

func (h *linkHandler) OnOpen(sim.Conn) {}

func (h *linkHandler) OnData(_ sim.Conn, p []byte) {
	if h.l.h != h {
		return
	}
	h.rr.Feed(p)
	for h.l.h == h {
		v, ok, err := h.rr.Next()
		if err != nil {
			h.l.env.Logf("redlock: bad reply stream from %s: %v", h.l.addr, err)
			h.l.conn.Abort()
			h.l.lost("bad reply stream: " + err.Error())
			return
		}
		if !ok {
			return
		}
		h.l.reply(v)
	}
}

func (h *linkHandler) OnClose(_ sim.Conn, err error) {
	if h.l.h != h {
		return
	}
	why := "closed by peer"
	if err != nil {
		why = err.Error()
	}
	h.l.lost(why)
}

// round is one request to each of several links, awaited together until
// every reply is in or the timeout passes; done runs once, at the end.
type round struct {
	env     sim.Env
	replies []slot
	left    int
	sending bool // the requests are being sent: an end is deferred
	over    bool
	timer   sim.Timer
	done    func(r *round)
}

// slot is one request's outcome.
type slot struct {
	answered bool
	v        resp.Value
	err      string // why there is no reply: a timeout, a lost connection
}

// startRound sends one request per link (args(i) builds link i's) and
// calls done when all have answered or timeout has passed.
func startRound(env sim.Env, links []*link, timeout time.Duration, args func(i int) [][]byte, done func(r *round)) *round {
	r := &round{env: env, replies: make([]slot, len(links)), left: len(links), sending: true, done: done}
	r.timer = env.After(timeout, r.expire)
	for i, l := range links {
		l.send(r, i, args(i)...)
	}
	r.sending = false
	if r.left == 0 {
		r.end()
	}
	return r
}

func (r *round) answer(i int, v resp.Value) {
	if r.over || r.replies[i].answered || r.replies[i].err != "" {
		return
	}
	r.replies[i] = slot{answered: true, v: v}
	r.settle()
}

func (r *round) fail(i int, why string) {
	if r.over || r.replies[i].answered || r.replies[i].err != "" {
		return
	}
	r.replies[i].err = why
	r.settle()
}

func (r *round) settle() {
	r.left--
	if r.left == 0 && !r.sending {
		r.end()
	}
}

func (r *round) expire() {
	if r.over {
		return
	}
	for i := range r.replies {
		if !r.replies[i].answered && r.replies[i].err == "" {
			r.replies[i].err = "timeout"
		}
	}
	r.end()
}

func (r *round) end() {
	if r.over {
		return
	}
	r.over = true
	r.env.Cancel(r.timer)
	r.done(r)
}

// cancel ends the round without calling done: its replies are dropped.
func (r *round) cancel() {
	if !r.over {
		r.over = true
		r.env.Cancel(r.timer)
	}
}

// count counts the slots whose reply satisfies ok.
func (r *round) count(ok func(v resp.Value) bool) int {
	n := 0
	for i := range r.replies {
		if r.replies[i].answered && ok(r.replies[i].v) {
			n++
		}
	}
	return n
}
