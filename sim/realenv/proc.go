package realenv

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/redsim/redsim/sim"
)

// proc is a process that shares a Loop with its node: a live run's
// clients, which must all run on one goroutine because they write one
// history. It has its own name, host and source address; its clock,
// timers, disk and Rand are the loop's. After Exit its timers and
// connection events are dropped and its connections closed.
type proc struct {
	l          *Loop
	name, host string
	from       string
	rng        *rand.Rand
	node       sim.Node
	exited     bool
	conns      []sim.Conn
}

var _ sim.Env = (*proc)(nil)

// Process configures a process that Spawn runs beside the loop's node.
type Process struct {
	// Name and Host are what its Env reports.
	Name, Host string
	// DialFrom is the local address it dials from; "" keeps
	// Config.DialFrom.
	DialFrom string
	// Rand is its own PRNG (a live run seeds each process's from the
	// run's seed and the process's name); nil shares the loop's.
	Rand *rand.Rand
}

// Spawn runs prog as another process on the loop, as the simulator's
// Host.Spawn does on a host; its clock, timers and disk are the loop's.
// Like every Env method it must be called on the loop goroutine, or
// before Run. When the loop stops, Run calls the Stop of every spawned
// node after the main one's.
func (l *Loop) Spawn(pc Process, prog sim.Program) error {
	if l.down {
		return errors.New("realenv: loop is down")
	}
	if pc.DialFrom == "" {
		pc.DialFrom = l.cfg.DialFrom
	}
	if pc.Rand == nil {
		pc.Rand = l.rng
	}
	p := &proc{l: l, name: pc.Name, host: pc.Host, from: pc.DialFrom, rng: pc.Rand}
	l.procs = append(l.procs, p)
	p.node = prog(p)
	return nil
}

func (p *proc) Name() string        { return p.name }
func (p *proc) Host() string        { return p.host }
func (p *proc) Now() time.Time      { return p.l.Now() }
func (p *proc) Mono() time.Duration { return p.l.Mono() }
func (p *proc) Disk() sim.Disk      { return p.l.Disk() }
func (p *proc) Rand() *rand.Rand    { return p.rng }
func (p *proc) Cancel(t sim.Timer) bool {
	return p.l.Cancel(t)
}

func (p *proc) After(d time.Duration, fn func()) sim.Timer {
	return p.l.After(d, func() {
		if !p.exited {
			fn()
		}
	})
}

func (p *proc) Listen(port int, accept func(c sim.Conn) sim.ConnHandler) error {
	return p.l.Listen(port, accept)
}

func (p *proc) Dial(addr string, timeout time.Duration, h sim.ConnHandler) sim.Conn {
	c := p.l.dial(addr, timeout, procHandler{p, h}, p.from)
	p.conns = append(p.conns, c)
	if len(p.conns) > 64 {
		// Forget the closed ones now and then; a client holds one.
		live := p.conns[:0]
		for _, c := range p.conns {
			if lc, ok := c.(*conn); !ok || !lc.done {
				live = append(live, c)
			}
		}
		p.conns = live
	}
	return c
}

func (p *proc) Logf(format string, args ...any) { p.l.logf(p.name, format, args...) }

// Exit ends this process only: the loop and its other processes go on.
func (p *proc) Exit() {
	if p.exited {
		return
	}
	p.exited = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// procHandler drops a process's connection events once it has exited.
type procHandler struct {
	p *proc
	h sim.ConnHandler
}

func (ph procHandler) OnOpen(c sim.Conn) {
	if !ph.p.exited {
		ph.h.OnOpen(c)
	}
}

func (ph procHandler) OnData(c sim.Conn, b []byte) {
	if !ph.p.exited {
		ph.h.OnData(c, b)
	}
}

func (ph procHandler) OnClose(c sim.Conn, err error) {
	if !ph.p.exited {
		ph.h.OnClose(c, err)
	}
}
