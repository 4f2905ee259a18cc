package redlock

import (
	"time"

	"github.com/redsim/redsim/nodes/redisconn"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// maxWaiters bounds the requests one connection keeps awaiting replies
// for: past it the server is taken for gone (a partition that never heals)
// and the connection is reset rather than queue without end.
const maxWaiters = 256

// newConn makes a client's connection to one server (a master, the token
// source, the resource), kept from round to round and dialled again by the
// first request after it is lost. Requests are written at once, even while
// dialling, and a request whose round has already ended (timed out) still
// takes its reply, which is dropped. Keeping the connection after a timeout
// keeps order too: the unlock that follows a timed-out SET reaches the
// master after it.
func newConn(env sim.Env, addr string, dialTimeout time.Duration) *redisconn.Conn {
	return redisconn.New(env, addr, redisconn.Options{
		DialTimeout:       dialTimeout,
		WriteWhileDialing: true,
		MaxPending:        maxWaiters,
		LogPrefix:         "redlock: ",
	})
}

// round is one request to each of several servers, awaited together until
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

// startRound sends one request per connection (args(i) builds conns[i]'s)
// and calls done when all have answered or timeout has passed.
func startRound(env sim.Env, conns []*redisconn.Conn, timeout time.Duration, args func(i int) [][]byte, done func(r *round)) *round {
	r := &round{env: env, replies: make([]slot, len(conns)), left: len(conns), sending: true, done: done}
	r.timer = env.After(timeout, r.expire)
	for i, c := range conns {
		c.Do(r, i, args(i)...)
	}
	r.sending = false
	if r.left == 0 {
		r.end()
	}
	return r
}

// Reply implements redisconn.Waiter: slot i's reply, or why it has none.
func (r *round) Reply(i int, v resp.Value, err error) {
	if err != nil {
		// The cause alone, worded as the client always logged it: "closed
		// by peer", "connection refused", "bad reply stream: ...".
		r.fail(i, redisconn.Cause(err).Error())
		return
	}
	r.answer(i, v)
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
