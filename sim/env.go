package sim

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Env is everything a node may touch. A node holds one Env per incarnation and
// reaches the world through nothing else, so the same node code runs in the
// simulator and, through sim/realenv, on real sockets, clocks and files.
type Env interface {
	// Name is the process's name; Host the name of the host it runs on.
	Name() string
	Host() string
	// Now is the host's wall clock (CLOCK_REALTIME: offset, drift, jumps), as
	// Redis's mstime() reads it.
	Now() time.Time
	// Mono is the host's monotonic clock (drifts, never jumps), as Redis's
	// getMonotonicUs() reads it.
	Mono() time.Duration
	// After runs fn once d has passed on the monotonic clock.
	After(d time.Duration, fn func()) Timer
	// Cancel stops t; it reports whether t was still pending.
	Cancel(t Timer) bool
	// Listen accepts connections on port; accept returns the handler for each.
	Listen(port int, accept func(c Conn) ConnHandler) error
	// Dial connects to addr ("host:port"). h.OnOpen runs when the connection
	// is established; h.OnClose with ErrRefused or ErrDialTimeout when it fails.
	// Writes before OnOpen are sent once it opens.
	Dial(addr string, timeout time.Duration, h ConnHandler) Conn
	// Disk is the host's disk.
	Disk() Disk
	// Rand is this incarnation's own PRNG stream.
	Rand() *rand.Rand
	// Logf writes a line to the trace (and to the log in real mode).
	Logf(format string, args ...any)
	// Exit ends this incarnation from within (SHUTDOWN): its connections
	// close and its timers stop once the current event returns.
	Exit()
}

// Timer identifies a pending timer. The zero Timer is never pending.
type Timer struct {
	// id is the Env's own: in the simulator a timer-table slot in the low
	// 32 bits and its generation (never 0) in the high 32.
	id uint64
}

// TimerOf is the Timer with id, for Env implementations outside this package
// (sim/realenv); id 0 is the zero Timer.
func TimerOf(id uint64) Timer { return Timer{id: id} }

// ID is the id t was made with.
func (t Timer) ID() uint64 { return t.id }

// IsZero reports whether t is the zero Timer.
func (t Timer) IsZero() bool { return t.id == 0 }

// Conn is one end of a connection.
type Conn interface {
	// ID is unique within the world.
	ID() uint64
	LocalAddr() string
	RemoteAddr() string
	// Write sends a copy of p; it never blocks. Writes on a closed Conn are
	// dropped.
	Write(p []byte)
	// Close sends the pending data, then FIN; the peer's OnClose sees nil.
	Close()
	// Abort resets the connection: unsent data is dropped and the peer's
	// OnClose sees ErrReset.
	Abort()
}

// ConnHandler receives a connection's events, always on its process's turn.
// The slice given to OnData is only valid during the call.
type ConnHandler interface {
	OnOpen(c Conn)
	OnData(c Conn, p []byte)
	// OnClose reports the end of c: nil for an orderly close by the peer,
	// otherwise why. It is not called for a Close or Abort of one's own.
	OnClose(c Conn, err error)
}

// The connection errors a handler sees.
var (
	ErrRefused     = errors.New("connection refused")
	ErrDialTimeout = errors.New("i/o timeout")
	ErrReset       = errors.New("connection reset by peer")
	ErrNoHost      = errors.New("no such host")
	ErrPortInUse   = errors.New("address already in use")
)

// Network is what the world needs from the network package; it is set with
// World.SetNetwork. Processes call it through their Env.
type Network interface {
	Listen(p *Process, port int, accept func(c Conn) ConnHandler) error
	Dial(p *Process, addr string, timeout time.Duration, h ConnHandler) Conn
	// ProcessDown is told when p's incarnation ends: crashed means peers see
	// resets, otherwise an orderly close.
	ProcessDown(p *Process, crashed bool)
}

// Disk is a host's storage as a node sees it. Writes land in the page cache;
// Sync makes a file durable. A name may have one directory part
// ("appendonlydir/appendonly.aof.1.incr.aof"): the simulated disk keeps it
// as part of a flat name, a real one creates the directory on the first
// write into it.
type Disk interface {
	Read(name string) ([]byte, error)
	// Write replaces the file's content, creating it if needed.
	Write(name string, data []byte) error
	Append(name string, data []byte) error
	Truncate(name string, size int64) error
	// Rename and Remove are atomic and durable at once (a journaling
	// file system's metadata).
	Rename(from, to string) error
	Remove(name string) error
	Size(name string) (int64, error)
	// List returns the file names in sorted order.
	List() []string
	// Sync makes what was written to name before the call durable; done runs
	// on the process's turn when the fsync completes.
	Sync(name string, done func(err error))
}

// The disk errors.
var (
	ErrNoSpace = errors.New("no space left on device")
	ErrIO      = errors.New("input/output error")
)
