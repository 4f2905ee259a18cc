package ping

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/redsim/redsim/sim"
)

// Port is where every ping node listens.
const Port = 7000

// Options are a node's timing knobs.
type Options struct {
	// Peers are the addresses to ping ("host:port").
	Peers []string
	// Interval is the time between two pings on one connection.
	Interval time.Duration
	// Timeout is how long a ping may wait for its pong before the connection
	// is abandoned; it is also the dial timeout.
	Timeout time.Duration
	// SyncEvery is how many log entries are appended between two fsyncs.
	SyncEvery int
}

// DefaultOptions are the options the ping scenario uses.
func DefaultOptions(peers []string) Options {
	return Options{Peers: peers, Interval: 50 * time.Millisecond, Timeout: 300 * time.Millisecond, SyncEvery: 8}
}

// Stats outlive incarnations: the scenario keeps one per process.
type Stats struct {
	Pings, Pongs, Timeouts, Dials, DialFailures, Resets int
	// Restores counts boots that found a log; Recovered sums what they found.
	Restores, Recovered int
	// SyncedSeq is the highest log entry an fsync confirmed durable.
	SyncedSeq int
	// LastPong is the true time of the last pong, for the liveness check.
	LastPong time.Duration
	// Violations describes every broken invariant.
	Violations []string
}

const logFile = "pings.log"

// Program returns the program of one ping node.
func Program(opts Options, stats *Stats, trueNow func() time.Duration) sim.Program {
	return func(env sim.Env) sim.Node {
		n := &node{env: env, opts: opts, stats: stats, trueNow: trueNow}
		n.restore()
		if err := env.Listen(Port, n.accept); err != nil {
			env.Logf("listen: %v", err)
		}
		n.schedule(n.jitter(opts.Interval))
		return n
	}
}

type node struct {
	env     sim.Env
	opts    Options
	stats   *Stats
	trueNow func() time.Duration

	conn     sim.Conn
	cl       *client
	seq      int // log entries appended
	unsynced int
	syncing  bool
}

func (n *node) Stop() {
	// A graceful stop makes the log durable first, as Redis does on SIGTERM:
	// here by counting what is already appended as given to the OS, which a
	// clean exit keeps.
	n.env.Logf("stopping at seq %d", n.seq)
}

func (n *node) jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(n.env.Rand().Int64N(int64(d)))
}

func (n *node) schedule(d time.Duration) {
	n.env.After(d, n.tick)
}

// tick dials when idle, or sends the next ping.
func (n *node) tick() {
	switch {
	case n.conn == nil:
		n.dial()
	case n.cl.open && len(n.cl.outstanding) == 0:
		n.cl.ping()
	}
	n.schedule(n.opts.Interval)
}

func (n *node) dial() {
	peer := n.opts.Peers[n.env.Rand().IntN(len(n.opts.Peers))]
	n.stats.Dials++
	n.cl = &client{n: n}
	n.conn = n.env.Dial(peer, n.opts.Timeout, n.cl)
}

func (n *node) drop(c *client) {
	if n.cl == c {
		n.conn, n.cl = nil, nil
	}
}

// client is this node's side of its outgoing connection.
type client struct {
	n           *node
	open        bool
	next        int
	outstanding []int
	timer       sim.Timer
	in          lines
}

func (c *client) OnOpen(conn sim.Conn) {
	c.open = true
	c.ping()
}

func (c *client) ping() {
	n := c.n
	c.next++
	c.outstanding = append(c.outstanding, c.next)
	n.stats.Pings++
	n.conn.Write([]byte("ping " + n.env.Name() + " " + strconv.Itoa(c.next) + "\n"))
	if len(c.outstanding) == 1 {
		c.timer = n.env.After(n.opts.Timeout, c.timeout)
	}
}

func (c *client) timeout() {
	n := c.n
	n.stats.Timeouts++
	n.env.Logf("ping %d to %s timed out", c.outstanding[0], n.conn.RemoteAddr())
	n.conn.Abort()
	n.drop(c)
}

func (c *client) OnData(conn sim.Conn, p []byte) { c.in.feed(p, c.pong) }

func (c *client) pong(line []byte) {
	n := c.n
	fields := bytes.Fields(line)
	seq := -1
	if len(fields) == 3 && string(fields[0]) == "pong" {
		seq, _ = strconv.Atoi(string(fields[2]))
	}
	if len(c.outstanding) == 0 || seq != c.outstanding[0] {
		n.stats.Violations = append(n.stats.Violations, fmt.Sprintf("%s: pong %q out of order, expected %v", n.env.Name(), line, c.outstanding))
		return
	}
	c.outstanding = c.outstanding[1:]
	n.env.Cancel(c.timer)
	n.stats.Pongs++
	n.stats.LastPong = n.trueNow()
	n.record()
	if len(c.outstanding) > 0 {
		c.timer = n.env.After(n.opts.Timeout, c.timeout)
	}
}

func (c *client) OnClose(conn sim.Conn, err error) {
	n := c.n
	if err != nil && !c.open {
		n.stats.DialFailures++
	} else {
		n.stats.Resets++
	}
	n.env.Cancel(c.timer)
	n.drop(c)
}

// record appends the next log entry and fsyncs every SyncEvery entries.
func (n *node) record() {
	if err := n.env.Disk().Append(logFile, []byte(strconv.Itoa(n.seq+1)+"\n")); err != nil {
		n.env.Logf("append: %v", err)
		return
	}
	n.seq++
	n.unsynced++
	if n.unsynced >= n.opts.SyncEvery && !n.syncing {
		n.syncing = true
		n.unsynced = 0
		upTo := n.seq
		n.env.Disk().Sync(logFile, func(err error) {
			n.syncing = false
			if err != nil {
				n.env.Logf("fsync: %v", err)
				n.unsynced += n.opts.SyncEvery // try again with the next batch
				return
			}
			if upTo > n.stats.SyncedSeq {
				n.stats.SyncedSeq = upTo
			}
		})
	}
}

// restore reads the log back: consecutive numbers from 1, of which only the
// last line may be torn. A torn or unparsable tail is cut off, as Redis's
// aof-load-truncated does.
func (n *node) restore() {
	data, err := n.env.Disk().Read(logFile)
	if err != nil {
		return
	}
	n.stats.Restores++
	good := 0
	for len(data[good:]) > 0 {
		rest := data[good:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break // a torn last line
		}
		v, err := strconv.Atoi(string(rest[:i]))
		if err != nil || v != n.seq+1 {
			n.stats.Violations = append(n.stats.Violations, fmt.Sprintf("%s: log line %d is %q", n.env.Name(), n.seq+1, rest[:i]))
			break
		}
		n.seq++
		good += i + 1
	}
	if good < len(data) {
		if err := n.env.Disk().Truncate(logFile, int64(good)); err != nil {
			n.env.Logf("truncate: %v", err)
		}
	}
	n.stats.Recovered += n.seq
	if n.seq < n.stats.SyncedSeq {
		n.stats.Violations = append(n.stats.Violations, fmt.Sprintf("%s: recovered %d log entries, but %d were fsynced", n.env.Name(), n.seq, n.stats.SyncedSeq))
	}
	n.env.Logf("restored %d log entries", n.seq)
}

// accept serves one incoming connection: every "ping a b" line is answered
// with "pong a b".
func (n *node) accept(c sim.Conn) sim.ConnHandler { return &server{} }

type server struct{ in lines }

func (s *server) OnOpen(sim.Conn) {}

func (s *server) OnData(c sim.Conn, p []byte) {
	s.in.feed(p, func(line []byte) {
		if bytes.HasPrefix(line, []byte("ping ")) {
			out := make([]byte, 0, len(line)+1)
			out = append(out, "pong "...)
			out = append(out, line[5:]...)
			c.Write(append(out, '\n'))
		}
	})
}

// lines splits a byte stream into lines, keeping a partial last line for
// the next chunk.
type lines struct{ buf []byte }

// feed calls fn with every complete line of p (without its newline); the
// line is only valid during the call.
func (l *lines) feed(p []byte, fn func(line []byte)) {
	l.buf = append(l.buf, p...)
	start := 0
	for {
		i := bytes.IndexByte(l.buf[start:], '\n')
		if i < 0 {
			break
		}
		fn(l.buf[start : start+i])
		start += i + 1
	}
	l.buf = l.buf[:copy(l.buf, l.buf[start:])]
}

func (s *server) OnClose(sim.Conn, error) {}
