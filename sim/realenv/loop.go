package realenv

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	"github.com/redsim/redsim/sim"
)

// Config configures a Loop.
type Config struct {
	// Name and Host are what Env.Name and Env.Host report.
	Name, Host string
	// Dir is the disk's root; it is created if missing.
	Dir string
	// Log receives Logf lines; nil means os.Stderr.
	Log io.Writer
	// ListenHost is the address Listen binds; "" means 127.0.0.1.
	ListenHost string
	// DialFrom is the local address Dial binds before connecting, as
	// Redis's bind-source-addr: live runs give each host its own loopback
	// address, so that firewall rules between address pairs cut it. ""
	// lets the kernel choose.
	DialFrom string
	// Resolve maps the address a node dials to the one the kernel is to
	// connect to (a scenario's "n1:6379" to a live run's loopback
	// address); nil dials addresses as they are.
	Resolve func(addr string) (string, error)
}

// Loop is one node's event loop on the real world. It implements sim.Env;
// its Env methods may be called only from the loop goroutine.
type Loop struct {
	cfg   Config
	start time.Time
	rng   *rand.Rand
	disk  disk

	posts  chan func()
	quit   chan struct{} // closed when the loop stops taking posts
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every helper goroutine

	// Loop-goroutine state.
	node     sim.Node
	procs    []*proc // spawned beside node
	started  bool
	exiting  bool
	status   int // ExitStatus
	down     bool
	timerSeq uint64
	timers   map[uint64]*timer // pending, by id, for Cancel
	timerQ   timerHeap         // the same timers in firing order
	connSeq  uint64
	conns    map[uint64]*conn // not yet released
	lns      []net.Listener
	// wake is the one runtime timer, set for wakeAt (the earliest due time)
	// while wakeArmed. ready is closed: always ready, for a timer due already.
	wake      *time.Timer
	wakeAt    time.Duration
	wakeArmed bool
	ready     chan time.Time

	mu    sync.Mutex
	addrs map[int]string // requested port -> bound address
}

var _ sim.Env = (*Loop)(nil)

// New makes a Loop; it creates cfg.Dir if needed.
func New(cfg Config) (*Loop, error) {
	if cfg.Dir == "" {
		return nil, errors.New("realenv: Config.Dir is required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.ListenHost == "" {
		cfg.ListenHost = "127.0.0.1"
	}
	var seed [16]byte
	_, _ = crand.Read(seed[:])
	ctx, cancel := context.WithCancel(context.Background())
	l := &Loop{
		cfg:    cfg,
		start:  time.Now(),
		rng:    rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:]))),
		posts:  make(chan func(), 256),
		quit:   make(chan struct{}),
		ctx:    ctx,
		cancel: cancel,
		timers: map[uint64]*timer{},
		ready:  make(chan time.Time),
		conns:  map[uint64]*conn{},
		addrs:  map[int]string{},
	}
	l.disk = disk{l: l, dir: cfg.Dir}
	close(l.ready)
	return l, nil
}

// Start boots the node: prog runs on the calling goroutine, which must be
// the one that then calls Run (or hand over to it with a happens-before
// edge, such as a go statement).
func (l *Loop) Start(prog sim.Program) error {
	if l.started {
		return errors.New("realenv: already started")
	}
	if l.down {
		return errors.New("realenv: loop is down")
	}
	l.started = true
	l.node = prog(l)
	return nil
}

// Run delivers events to the node until ctx is done or the node calls Exit.
// Each turn first fires the timers that are due, then waits for one post, the
// next timer or ctx. On ctx cancellation it calls the node's Stop first. Then
// it closes the listeners, drops the timers, closes the connections (flushing
// pending writes for at most a second) and waits for every helper goroutine.
func (l *Loop) Run(ctx context.Context) error {
	if l.down {
		return errors.New("realenv: loop is down")
	}
	var err error
	for !l.exiting {
		l.fireDue()
		if l.exiting {
			break
		}
		select {
		case fn := <-l.posts:
			fn()
		case <-l.wakeC():
			l.wakeArmed = false // fired, or not needed: the next wakeC sets it again
		case <-ctx.Done():
			err = ctx.Err()
			if l.node != nil {
				l.node.Stop()
			}
			for _, p := range l.procs {
				if !p.exited && p.node != nil {
					p.node.Stop()
				}
			}
			l.exiting = true
		}
	}
	l.shutdown()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// Addr is the address bound by Listen(port) ("" if none); with port 0 it is
// where the kernel-chosen port can be read.
func (l *Loop) Addr(port int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addrs[port]
}

// post hands fn to the loop; it reports false, dropping fn, once the loop has
// stopped.
func (l *Loop) post(fn func()) bool {
	select {
	case l.posts <- fn:
		return true
	case <-l.quit:
		return false
	}
}

// Terminate delivers SIGTERM: a node that is a sim.Terminator is told and
// shuts down in its own time (Run returns once it exits); any other node
// stops at once, as on cancellation. It may be called from any goroutine
// and does nothing once the loop has stopped.
func (l *Loop) Terminate() { l.signal(false) }

// Interrupt delivers SIGINT: a node that tells it from SIGTERM is told
// (and when it gives up at once, Run returns and ExitStatus is 1); any
// other node takes it as SIGTERM (Terminate). It may be called from any
// goroutine and does nothing once the loop has stopped.
func (l *Loop) Interrupt() { l.signal(true) }

// signal delivers SIGINT (sigint) or SIGTERM on the loop's goroutine.
func (l *Loop) signal(sigint bool) {
	l.post(func() {
		if l.node == nil || l.exiting {
			return
		}
		if n, ok := l.node.(sim.Interrupter); ok && sigint {
			if n.Interrupt() {
				l.status = 1
				l.exiting = true
			}
			return
		}
		if t, ok := l.node.(sim.Terminator); ok {
			t.Terminate()
			return
		}
		l.node.Stop()
		l.exiting = true
	})
}

// ExitStatus is the status the node exited with, once Run has returned: 1
// after a node gave up at an Interrupt; else the node's own, when it has
// one (a Redis node that exited on an error, as exit(1)); else 0.
func (l *Loop) ExitStatus() int {
	if l.status != 0 {
		return l.status
	}
	if n, ok := l.node.(interface{ ExitStatus() int }); ok {
		return n.ExitStatus()
	}
	return 0
}

func (l *Loop) shutdown() {
	l.down = true
	close(l.quit)
	l.cancel()
	for _, ln := range l.lns {
		ln.Close()
	}
	l.stopTimers()
	for _, c := range l.conns {
		c.shutdown()
	}
	l.wg.Wait()
}

// Name is the node's process name.
func (l *Loop) Name() string { return l.cfg.Name }

// Host is the node's host name.
func (l *Loop) Host() string { return l.cfg.Host }

// IPAddresses reports that addresses on this Env are IP literals, as on
// any real host: a node that must refuse a host name where Redis wants an
// IP (CLUSTER MEET) asks for it; in the simulator an address is a host's
// name.
func (l *Loop) IPAddresses() bool { return true }

// Now is the wall clock, in UTC.
func (l *Loop) Now() time.Time { return time.Now().UTC() }

// Mono is the monotonic time since New.
func (l *Loop) Mono() time.Duration { return time.Since(l.start) }

// Disk is the files under Config.Dir.
func (l *Loop) Disk() sim.Disk { return &l.disk }

// Rand is a PRNG seeded from crypto/rand: real mode is not reproducible.
func (l *Loop) Rand() *rand.Rand { return l.rng }

// Logf writes a timestamped line to Config.Log.
func (l *Loop) Logf(format string, args ...any) { l.logf(l.cfg.Name, format, args...) }

func (l *Loop) logf(name, format string, args ...any) {
	fmt.Fprintf(l.cfg.Log, "%s %s: %s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), name, fmt.Sprintf(format, args...))
}

// Exit makes Run return once the current callback returns, without Stop.
func (l *Loop) Exit() { l.exiting = true }
