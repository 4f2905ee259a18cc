package redisconn

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// fakeEnv is a scripted world for one Conn: a monotonic clock that moves
// only when told, timers, and connections whose events the test delivers
// by hand. Everything the Conn does to it is written to log.
type fakeEnv struct {
	mono   time.Duration
	timers []fakeTimer
	nextID uint64
	rand   *rand.Rand
	conns  []*fakeConn
	log    strings.Builder
	quiet  bool // for benchmarks: log nothing
	record bool // connections keep the commands written to them
}

type fakeTimer struct {
	id uint64
	at time.Duration
	fn func()
}

func newFakeEnv(seed uint64) *fakeEnv {
	return &fakeEnv{rand: rand.New(rand.NewPCG(seed, 0))}
}

func (e *fakeEnv) logf(format string, args ...any) {
	if !e.quiet {
		fmt.Fprintf(&e.log, format+"\n", args...)
	}
}

// take returns what was logged since the last take.
func (e *fakeEnv) take() string {
	s := e.log.String()
	e.log.Reset()
	return s
}

func (e *fakeEnv) Name() string        { return "fake" }
func (e *fakeEnv) Host() string        { return "h1" }
func (e *fakeEnv) Now() time.Time      { return time.Unix(0, int64(e.mono)).UTC() }
func (e *fakeEnv) Mono() time.Duration { return e.mono }
func (e *fakeEnv) Disk() sim.Disk      { return nil }
func (e *fakeEnv) Rand() *rand.Rand    { return e.rand }
func (e *fakeEnv) Exit()               {}
func (e *fakeEnv) Listen(int, func(sim.Conn) sim.ConnHandler) error {
	return fmt.Errorf("fakeEnv: no Listen")
}
func (e *fakeEnv) Logf(format string, args ...any) { e.logf("log: "+format, args...) }

func (e *fakeEnv) After(d time.Duration, fn func()) sim.Timer {
	e.nextID++
	e.timers = append(e.timers, fakeTimer{id: e.nextID, at: e.mono + d, fn: fn})
	if !e.quiet {
		e.logf("timer %d set for %v", e.nextID, e.mono+d)
	}
	return sim.TimerOf(e.nextID)
}

func (e *fakeEnv) Cancel(t sim.Timer) bool {
	for i := range e.timers {
		if e.timers[i].id == t.ID() {
			e.timers = append(e.timers[:i], e.timers[i+1:]...)
			if !e.quiet {
				e.logf("timer %d cancelled", t.ID())
			}
			return true
		}
	}
	return false
}

// advance moves the clock by d, firing the timers due on the way in order.
func (e *fakeEnv) advance(d time.Duration) {
	end := e.mono + d
	for {
		best := -1
		for i := range e.timers {
			if e.timers[i].at <= end && (best < 0 || e.timers[i].at < e.timers[best].at) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		t := e.timers[best]
		e.timers = append(e.timers[:best], e.timers[best+1:]...)
		e.mono = t.at
		e.logf("%v: timer %d fires", e.mono, t.id)
		t.fn()
	}
	e.mono = end
}

func (e *fakeEnv) Dial(addr string, timeout time.Duration, h sim.ConnHandler) sim.Conn {
	c := &fakeConn{e: e, id: len(e.conns) + 1, h: h, addr: addr}
	e.conns = append(e.conns, c)
	e.logf("dial c%d %s timeout %v", c.id, addr, timeout)
	return c
}

// last is the connection dialled last.
func (e *fakeEnv) last() *fakeConn { return e.conns[len(e.conns)-1] }

// fakeConn records what the Conn writes, decoded as commands.
type fakeConn struct {
	e      *fakeEnv
	id     int
	h      sim.ConnHandler
	addr   string
	closed bool
	wrote  int // bytes
	// With record: the commands written, how many the test's server has
	// answered, and whether the test opened the connection.
	cmds     [][]string
	answered int
	opened   bool
}

func (c *fakeConn) ID() uint64         { return uint64(c.id) }
func (c *fakeConn) LocalAddr() string  { return "h1:40000" }
func (c *fakeConn) RemoteAddr() string { return c.addr }

func (c *fakeConn) Write(p []byte) {
	c.wrote += len(p)
	if c.e.quiet && !c.e.record {
		return
	}
	r := resp.NewReader()
	r.Feed(p)
	var cmds []string
	for {
		args, ok, err := r.Next()
		if err != nil || !ok {
			break
		}
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = string(a)
		}
		cmds = append(cmds, strings.Join(s, " "))
		if c.e.record {
			c.cmds = append(c.cmds, s)
		}
	}
	c.e.logf("write c%d: %s", c.id, strings.Join(cmds, " | "))
}

func (c *fakeConn) Close() {
	if !c.closed {
		c.closed = true
		c.e.logf("close c%d", c.id)
	}
}

func (c *fakeConn) Abort() {
	if !c.closed {
		c.closed = true
		c.e.logf("reset c%d", c.id)
	}
}
