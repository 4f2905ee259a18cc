package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redsim/redsim/clock"
)

// World is one run: its time, its event queue, its hosts and processes, and its
// trace. A World is not safe for use by more than one goroutine.
type World struct {
	seed   uint64
	now    clock.Time
	seq    uint64
	q      eventHeap
	halted bool
	// fifo holds the events scheduled for the time it is now, in order;
	// they run after q's and ordered's events of now, scheduled earlier.
	// ordered holds a run of events in (at, seq) order. The loop takes
	// the first of the three queues' heads.
	fifo, ordered eventFIFO
	// plainQueue (tests only) puts every event in q and never compacts.
	plainQueue bool
	// cancelled counts timers cancelled since the queue was last compacted:
	// their events wait in q until popped, dead.
	cancelled int

	hosts  []*Host
	byName map[string]*Host
	procs  []*Process
	net    Network
	trace  *Trace
	probes []ProbeHit // by probe id - 1; names filled in by Probes
	// buggify holds the fault sites' decisions; nil while buggify is off.
	buggify *buggifyState
}

// NewWorld returns an empty world for seed.
func NewWorld(seed uint64) *World {
	w := &World{seed: seed, byName: map[string]*Host{}, trace: newTrace()}
	w.trace.names = func(id int32) string { return w.procs[id].name }
	return w
}

// Seed is the world's seed.
func (w *World) Seed() uint64 { return w.seed }

// Trace is the world's trace.
func (w *World) Trace() *Trace { return w.trace }

// SetNetwork installs the network that processes' Listen and Dial use.
func (w *World) SetNetwork(n Network) { w.net = n }

// Note records a world-level event (a phase change, a check) in the trace.
func (w *World) Note(level Level, text string) {
	w.trace.Add(Event{At: w.now, Kind: KindNote, Level: level, Proc: -1, Text: text})
}

// Fault records an injected fault in the trace.
func (w *World) Fault(text string) {
	w.trace.Add(Event{At: w.now, Kind: KindFault, Level: LevelFault, Proc: -1, Text: text})
}

// HostConfig is a host's clock and disk.
type HostConfig struct {
	Clock clock.Config
	Disk  DiskConfig
}

// AddHost adds a host. Names must be unique and are used in addresses.
func (w *World) AddHost(name string, cfg HostConfig) (*Host, error) {
	if name == "" {
		return nil, fmt.Errorf("host name is empty")
	}
	if _, dup := w.byName[name]; dup {
		return nil, fmt.Errorf("host %q already exists", name)
	}
	c, err := clock.New(cfg.Clock)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	h := &Host{w: w, name: name, id: len(w.hosts), Clock: c}
	h.disk, err = newDisk(h, cfg.Disk)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	w.hosts = append(w.hosts, h)
	w.byName[name] = h
	return h, nil
}

// Host returns the named host or nil.
func (w *World) Host(name string) *Host { return w.byName[name] }

// Hosts returns the hosts in the order they were added.
func (w *World) Hosts() []*Host { return w.hosts }

// Processes returns every process in the order they were added.
func (w *World) Processes() []*Process { return w.procs }

// Host is a machine: a clock, a disk and the processes that run on it.
type Host struct {
	w     *World
	name  string
	id    int
	Clock *clock.Clock
	disk  *SimDisk
	procs []*Process
}

// Name is the host's name.
func (h *Host) Name() string { return h.name }

// ID is the host's index in the world, from 0.
func (h *Host) ID() int { return h.id }

// Disk is the host's simulated disk.
func (h *Host) Disk() *SimDisk { return h.disk }

// Processes returns the host's processes in the order they were added.
func (h *Host) Processes() []*Process { return h.procs }

// Mono is the host's monotonic reading now.
func (h *Host) Mono() time.Duration { return h.Clock.Mono(h.w.now) }

// Wall is the host's wall reading now, in Unix nanoseconds.
func (h *Host) Wall() int64 { return h.Clock.Wall(h.w.now) }

// Crash is a power loss: every process on the host dies as with kill -9 (peers
// see resets) and the disk keeps only what was durable, plus a torn prefix of
// unsynced appends if the disk is configured so.
func (h *Host) Crash() {
	h.w.Fault("crash host=" + h.name)
	h.kill()
	h.disk.crash(false)
}

// Terminate sends SIGTERM to the host's processes (Process.Terminate): a
// graceful stop, which each node finishes in its own time.
func (h *Host) Terminate() {
	h.w.Fault("stop host=" + h.name)
	for _, p := range h.procs {
		p.Terminate()
	}
}

// CrashTorn is a power loss that tears writes: each file keeps its durable
// content and a random prefix of its unsynced appends, whatever the disk's
// TornTail says (a file rewritten since its last fsync keeps its durable
// content only).
func (h *Host) CrashTorn() {
	h.w.Fault("crash host=" + h.name + " torn")
	h.kill()
	h.disk.crash(true)
}

// CrashWipe is a power loss that also loses the disk (a replaced machine,
// an emptied volume): the processes restart with no files.
func (h *Host) CrashWipe() {
	h.w.Fault("crash host=" + h.name + " wipe")
	h.kill()
	h.disk.wipe()
}

// kill stops every process of the host as kill -9 does.
func (h *Host) kill() {
	for _, p := range h.procs {
		p.down(KindCrash, true)
	}
}

// Restart starts, after delay, every process of the host that is down.
func (h *Host) Restart(delay time.Duration) {
	h.w.Fault("restart host=" + h.name + " delay=" + delay.String())
	for _, p := range h.procs {
		p.Restart(delay)
	}
}

// Spawn adds a process running prog to the host. It does not start it.
func (h *Host) Spawn(name string, prog Program) (*Process, error) {
	for _, p := range h.w.procs {
		if p.name == name {
			return nil, fmt.Errorf("process %q already exists", name)
		}
	}
	p := &Process{w: h.w, host: h, name: name, id: int32(len(h.w.procs)), prog: prog}
	h.procs = append(h.procs, p)
	h.w.procs = append(h.w.procs, p)
	return p, nil
}

// streamFor names the stream of one incarnation of a process.
func (w *World) streamFor(p *Process) *rand.Rand {
	return w.Stream(fmt.Sprintf("proc/%s/%d", p.name, p.inc))
}

// Close ends the world: the nodes still up are discarded (Discarder), as
// when their process goes down, but nothing is traced. The world must not
// run after it.
func (w *World) Close() {
	for _, p := range w.procs {
		if p.state != Down {
			if d, ok := p.node.(Discarder); ok {
				d.Discard()
			}
		}
	}
}
