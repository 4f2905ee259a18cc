package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Program boots one incarnation of a node on env. It is called on every start
// and restart; the node it returns lives until the incarnation ends.
type Program func(env Env) Node

// Node is a running incarnation.
type Node interface {
	// Stop is a graceful stop (SIGTERM): the node does what it must before
	// exiting (flush, save). The process exits when Stop returns.
	Stop()
}

// A Terminator is a Node that handles SIGTERM in its own time, as Redis
// does: Terminate asks it to shut down, and it exits (Env.Exit) when it is
// done, which may be later in virtual time, or never if it decides to run
// on. A Node that is not a Terminator takes SIGTERM as Stop.
type Terminator interface {
	Terminate()
}

// An Interrupter is a Terminator that tells SIGINT from SIGTERM, as Redis
// does: Interrupt reports whether the node gave up at once, exiting
// with a failure status (Redis's second SIGINT, "You insist").
type Interrupter interface {
	Interrupt() (failed bool)
}

// A Discarder is a Node that holds something the garbage collector cannot
// take back by itself: a Redis node's script suspended on a coroutine.
// Discard is called once when the incarnation ends, however it ends
// (crash, kill, stop, exit, World.Close); it must not reach the world.
type Discarder interface {
	Discard()
}

// State is a process's lifecycle state.
type State uint8

const (
	// Down: never started, crashed, killed, stopped or exited.
	Down State = iota
	// Running: events are delivered.
	Running
	// Paused: events wait in the backlog (SIGSTOP, a long GC pause).
	Paused
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Paused:
		return "paused"
	default:
		return "down"
	}
}

// Process is a program on a host across its incarnations. A restarted process
// is a new incarnation: new memory, new timers, new PRNG stream, same disk.
type Process struct {
	w     *World
	host  *Host
	name  string
	id    int32
	prog  Program
	inc   uint32
	state State
	node  Node
	env   *simEnv

	timers     []timerSlot
	freeTimers []uint32
	backlog    []event
	exiting    bool
}

type timerSlot struct {
	fn  func()
	gen uint32
}

// Name is the process's name.
func (p *Process) Name() string { return p.name }

// ID is the process's index in the world, from 0.
func (p *Process) ID() int32 { return p.id }

// Host is the host the process runs on.
func (p *Process) Host() *Host { return p.host }

// State is the current lifecycle state.
func (p *Process) State() State { return p.state }

// Incarnation counts starts, from 1 for the first.
func (p *Process) Incarnation() uint32 { return p.inc }

// Alive reports whether incarnation inc is the current one and not down.
func (p *Process) Alive(inc uint32) bool { return p.inc == inc && p.state != Down }

// Node is the current incarnation's node, or nil when down.
func (p *Process) Node() Node {
	if p.state == Down {
		return nil
	}
	return p.node
}

// Env is the current incarnation's Env, or nil when down.
func (p *Process) Env() Env {
	if p.state == Down {
		return nil
	}
	return p.env
}

// Start boots a new incarnation if the process is down.
func (p *Process) Start() {
	if p.state != Down {
		return
	}
	p.inc++
	p.state = Running
	p.exiting = false
	p.timers = p.timers[:0]
	p.freeTimers = p.freeTimers[:0]
	p.backlog = p.backlog[:0]
	p.env = &simEnv{p: p, inc: p.inc, rand: p.w.streamFor(p)}
	p.env.disk = procDisk{d: p.host.disk, p: p, inc: p.inc}
	p.w.trace.Add(Event{At: p.w.now, Kind: KindStart, Level: LevelInfo, Proc: p.id, A: int64(p.inc)})
	p.node = p.prog(p.env)
	p.finishExit()
}

// Restart starts the process after delay (at once when delay <= 0) if it is
// down then.
func (p *Process) Restart(delay time.Duration) {
	if delay <= 0 {
		p.Start()
		return
	}
	p.w.After(delay, p.Start)
}

// Kill is kill -9: memory and timers are gone and peers see resets; the host's
// page cache survives.
func (p *Process) Kill() {
	if p.state == Down {
		return
	}
	p.w.Fault("kill " + p.name)
	p.down(KindKill, true)
}

// Stop is a graceful stop: the node's Stop runs, then the process exits and its
// connections close in order. A paused process is resumed first, as SIGTERM
// after SIGCONT.
func (p *Process) Stop() {
	if p.state == Down {
		return
	}
	if p.state == Paused {
		p.Resume()
	}
	p.w.trace.Add(Event{At: p.w.now, Kind: KindStop, Level: LevelInfo, Proc: p.id})
	p.node.Stop()
	p.down(KindExit, false)
}

// Terminate sends SIGTERM: a Terminator is told (the trace records the
// stop now, the exit when the node gets to it); any other node stops at
// once, as Stop. A paused process is resumed first, as SIGTERM after
// SIGCONT.
func (p *Process) Terminate() {
	if p.state == Down {
		return
	}
	t, ok := p.node.(Terminator)
	if !ok {
		p.Stop()
		return
	}
	if p.state == Paused {
		p.Resume()
	}
	p.w.trace.Add(Event{At: p.w.now, Kind: KindStop, Level: LevelInfo, Proc: p.id, A: 1})
	t.Terminate()
	p.finishExit()
}

// Interrupt sends SIGINT: an Interrupter is told, as Terminate tells a
// Terminator; any other node takes it as SIGTERM.
func (p *Process) Interrupt() {
	if p.state == Down {
		return
	}
	n, ok := p.node.(Interrupter)
	if !ok {
		p.Terminate()
		return
	}
	if p.state == Paused {
		p.Resume()
	}
	p.w.trace.Add(Event{At: p.w.now, Kind: KindStop, Level: LevelInfo, Proc: p.id, A: 2})
	n.Interrupt()
	p.finishExit()
}

// Pause stops delivering events to the process; they wait in order.
func (p *Process) Pause() {
	if p.state != Running {
		return
	}
	p.state = Paused
	p.w.trace.Add(Event{At: p.w.now, Kind: KindPause, Level: LevelFault, Proc: p.id})
}

// Resume runs the backlog, in order, from now.
func (p *Process) Resume() {
	if p.state != Paused {
		return
	}
	p.state = Running
	p.w.trace.Add(Event{At: p.w.now, Kind: KindResume, Level: LevelFault, Proc: p.id})
	backlog := p.backlog
	p.backlog = nil
	for i := range backlog {
		ev := &backlog[i]
		p.w.schedule(p.w.now, ev.proc, ev.r, ev.arg, ev.kind)
	}
}

func (p *Process) down(kind Kind, crashed bool) {
	if p.state == Down {
		return
	}
	p.w.trace.Add(Event{At: p.w.now, Kind: kind, Level: LevelFault, Proc: p.id, A: int64(p.inc)})
	p.state = Down
	if d, ok := p.node.(Discarder); ok {
		d.Discard()
	}
	p.node = nil
	p.backlog = nil
	for i := range p.timers {
		p.timers[i].fn = nil
	}
	if p.w.net != nil {
		p.w.net.ProcessDown(p, crashed)
	}
}

// finishExit ends an incarnation that called Env.Exit during the event that
// just ran.
func (p *Process) finishExit() {
	if p.exiting && p.state != Down {
		p.exiting = false
		p.down(KindExit, false)
	}
}

func (p *Process) addTimer(d time.Duration, fn func()) Timer {
	var slot uint32
	if n := len(p.freeTimers); n > 0 {
		slot = p.freeTimers[n-1]
		p.freeTimers = p.freeTimers[:n-1]
	} else {
		p.timers = append(p.timers, timerSlot{})
		slot = uint32(len(p.timers) - 1)
	}
	ts := &p.timers[slot]
	ts.gen++
	if ts.gen == 0 { // 0 marks the zero Timer
		ts.gen = 1
	}
	ts.fn = fn
	at := p.w.now.Add(p.host.Clock.TrueDuration(d))
	p.w.schedule(at, p, nil, uint64(ts.gen)<<32|uint64(slot), kindTimer)
	return Timer{id: uint64(ts.gen)<<32 | uint64(slot)}
}

func (p *Process) cancelTimer(t Timer) bool {
	slot, gen := uint32(t.id), uint32(t.id>>32)
	if gen == 0 || int(slot) >= len(p.timers) {
		return false
	}
	ts := &p.timers[slot]
	if ts.gen != gen || ts.fn == nil {
		return false
	}
	ts.fn = nil
	p.freeTimers = append(p.freeTimers, slot)
	p.w.cancelled++
	return true
}

func (p *Process) fireTimer(arg uint64) {
	slot, gen := uint32(arg), uint32(arg>>32)
	ts := &p.timers[slot]
	if ts.gen != gen || ts.fn == nil {
		return
	}
	fn := ts.fn
	ts.fn = nil
	p.freeTimers = append(p.freeTimers, slot)
	p.w.trace.Add(Event{At: p.w.now, Kind: KindTimer, Level: LevelDebug, Proc: p.id, A: int64(slot)})
	fn()
}

// simEnv is the Env of one incarnation; calls from a dead incarnation do nothing.
type simEnv struct {
	p    *Process
	inc  uint32
	rand *rand.Rand
	disk procDisk
}

func (e *simEnv) live() bool { return e.p.inc == e.inc && e.p.state != Down }

func (e *simEnv) Name() string { return e.p.name }
func (e *simEnv) Host() string { return e.p.host.name }
func (e *simEnv) Now() time.Time {
	return time.Unix(0, e.p.host.Clock.Wall(e.p.w.now)).UTC()
}
func (e *simEnv) Mono() time.Duration { return e.p.host.Clock.Mono(e.p.w.now) }

func (e *simEnv) After(d time.Duration, fn func()) Timer {
	if !e.live() {
		return Timer{}
	}
	return e.p.addTimer(d, fn)
}

func (e *simEnv) Cancel(t Timer) bool {
	if !e.live() {
		return false
	}
	return e.p.cancelTimer(t)
}

func (e *simEnv) Listen(port int, accept func(c Conn) ConnHandler) error {
	if !e.live() {
		return fmt.Errorf("listen on port %d: process %s is down", port, e.p.name)
	}
	if e.p.w.net == nil {
		return fmt.Errorf("listen on port %d: the world has no network", port)
	}
	return e.p.w.net.Listen(e.p, port, accept)
}

func (e *simEnv) Dial(addr string, timeout time.Duration, h ConnHandler) Conn {
	if !e.live() || e.p.w.net == nil {
		return deadConn{}
	}
	return e.p.w.net.Dial(e.p, addr, timeout, h)
}

func (e *simEnv) Disk() Disk { return &e.disk }

func (e *simEnv) Rand() *rand.Rand { return e.rand }

func (e *simEnv) Logf(format string, args ...any) {
	if !e.live() {
		return
	}
	e.p.w.trace.Add(Event{At: e.p.w.now, Kind: KindLog, Level: LevelInfo, Proc: e.p.id, Text: fmt.Sprintf(format, args...)})
}

func (e *simEnv) Exit() {
	if e.live() {
		e.p.exiting = true
	}
}

// deadConn is what a dead incarnation gets from Dial: it does nothing.
type deadConn struct{}

func (deadConn) ID() uint64         { return 0 }
func (deadConn) LocalAddr() string  { return "" }
func (deadConn) RemoteAddr() string { return "" }
func (deadConn) Write([]byte)       {}
func (deadConn) Close()             {}
func (deadConn) Abort()             {}
