package network

import (
	"sort"
	"strconv"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/sim"
)

type segKind uint8

const (
	segData segKind = iota
	segSyn
	segSynAck
	segRefused
	segFin
	segRst
)

// segment is one write (or control packet); its bytes are buf[off:off+n] of
// its pipe.
type segment struct {
	ready clock.Time
	off   int
	n     int
	kind  segKind
}

// pipe is one direction of a connection: from src's endpoint to dst's.
type pipe struct {
	net       *Network
	c         *conn
	dst       *endpoint
	link      *link
	segs      []segment
	head      int
	buf       []byte
	last      clock.Time // arrival time of the last segment queued
	scheduled bool
	dead      bool
}

func (p *pipe) pending() bool { return p.head < len(p.segs) }

func (p *pipe) push(kind segKind, data []byte) {
	if p.dead {
		return
	}
	now := p.net.w.Now()
	ready := now.Add(p.link.draw())
	if ready < p.last {
		ready = p.last // FIFO whatever the draw
	}
	p.last = ready
	p.segs = append(p.segs, segment{ready: ready, off: len(p.buf), n: len(data), kind: kind})
	p.buf = append(p.buf, data...)
	p.schedule()
}

// siteShortWrite cuts a write in two: a short write(2), whose remainder
// the writer sends on its next writable event. The peer reads the two
// parts apart, as TCP allows.
var siteShortWrite = sim.DeclareSite("net/short-write",
	"a write is sent in two parts, the rest up to 1 ms later, as after a short write(2) on a full socket buffer")

// pushShort queues data as a short write: a prefix now, the rest after
// extra, in order, without another latency draw.
func (p *pipe) pushShort(data []byte, cut int, extra time.Duration) {
	p.push(segData, data[:cut])
	if p.dead {
		return
	}
	p.last = p.last.Add(extra)
	p.segs = append(p.segs, segment{ready: p.last, off: len(p.buf), n: len(data) - cut, kind: segData})
	p.buf = append(p.buf, data[cut:]...)
	p.schedule()
}

// schedule arranges for the head segment to be delivered, unless that is
// already arranged or the link holds it.
func (p *pipe) schedule() {
	if p.scheduled || p.dead || !p.pending() || p.link.blocked() {
		return
	}
	p.scheduled = true
	// The SYN is handled by the network itself; everything after it is an
	// event of the receiving process.
	var proc *sim.Process
	if p.segs[p.head].kind != segSyn && p.dst != nil {
		proc = p.dst.proc
		if !proc.Alive(p.dst.inc) {
			p.scheduled = false
			return
		}
	}
	p.net.w.Schedule(p.segs[p.head].ready, proc, p, 0)
}

// drop forgets every undelivered segment.
func (p *pipe) drop() {
	p.segs = p.segs[:0]
	p.buf = p.buf[:0]
	p.head = 0
}

func (p *pipe) kill() {
	p.dead = true
	p.drop()
	p.link.remove(p)
}

// Run delivers every segment that has arrived by now.
func (p *pipe) Run(uint64) {
	p.scheduled = false
	if p.dead {
		return
	}
	if p.link.blocked() {
		return // held until the link heals
	}
	now := p.net.w.Now()
	for p.pending() && p.segs[p.head].ready <= now && !p.dead {
		s := p.segs[p.head]
		if s.kind != segSyn && p.dst != nil && p.dst.proc.State() == sim.Paused {
			// Input to a paused process waits in its backlog.
			p.scheduled = true
			p.net.w.Schedule(now, p.dst.proc, p, 0)
			return
		}
		p.head++
		if s.kind == segData {
			// TCP hands a reader every byte that has arrived in order: the
			// data segments ready by now (a later one held behind an
			// earlier one, whose latency it would have beaten, arrives with
			// it) are one read. Their bytes follow each other in buf.
			for p.pending() && p.segs[p.head].kind == segData && p.segs[p.head].ready <= now {
				s.n += p.segs[p.head].n
				p.head++
			}
		}
		p.deliver(s)
	}
	if p.dead {
		return
	}
	if !p.pending() {
		p.drop()
	} else if p.head > 64 && p.head*2 > len(p.segs) {
		p.compact()
	}
	p.schedule()
}

func (p *pipe) compact() {
	start := p.segs[p.head].off
	n := copy(p.buf, p.buf[start:])
	p.buf = p.buf[:n]
	m := copy(p.segs, p.segs[p.head:])
	p.segs = p.segs[:m]
	for i := range p.segs {
		p.segs[i].off -= start
	}
	p.head = 0
}

func (p *pipe) deliver(s segment) {
	n := p.net
	if p.dst == nil && s.kind != segSyn {
		// The dialer gave up before its SYN got through: its reset
		// dropped the SYN, or it closed before the SYN arrived, which
		// then made no server side. After its RST or FIN nothing will
		// cross this pipe again, and the link must not keep it, nor
		// through it the dialer's handler, for the rest of the run.
		if s.kind == segRst || s.kind == segFin {
			p.kill()
		}
		return
	}
	switch s.kind {
	case segSyn:
		n.arriveSyn(p.c)
	case segSynAck:
		n.opened(p.dst)
	case segRefused:
		n.failed(p.dst, sim.ErrRefused, sim.KindRefused)
	case segData:
		ep := p.dst
		if ep.closed || ep.h == nil && !n.accept(ep) {
			return
		}
		data := p.buf[s.off : s.off+s.n]
		n.w.Trace().Add(sim.Event{At: n.w.Now(), Kind: sim.KindDeliver, Level: sim.LevelDebug, Proc: ep.proc.ID(), A: int64(p.c.id), B: int64(s.n), C: sim.HashBytes(data)})
		ep.h.OnData(ep, data)
	case segFin:
		n.peerClosed(p.dst, nil, sim.KindClose)
	case segRst:
		n.peerClosed(p.dst, sim.ErrReset, sim.KindReset)
	}
}

// conn is a connection; its id orders everything done over many connections.
type conn struct {
	id             uint64
	client, server *endpoint
}

// endpoint is one side of a connection as its process sees it (a sim.Conn).
type endpoint struct {
	net    *Network
	c      *conn
	proc   *sim.Process
	inc    uint32
	local  string
	remote string
	h      sim.ConnHandler
	// accept is the listener's callback until the process has taken the
	// connection (server side only).
	accept func(sim.Conn) sim.ConnHandler
	out    *pipe
	in     *pipe
	port   int // the listening port (server side)
	open   bool
	closed bool
	timer  sim.Timer
}

func (e *endpoint) peer() *endpoint {
	if e == e.c.client {
		return e.c.server
	}
	return e.c.client
}

func (e *endpoint) ID() uint64         { return e.c.id }
func (e *endpoint) LocalAddr() string  { return e.local }
func (e *endpoint) RemoteAddr() string { return e.remote }

func (e *endpoint) Write(p []byte) {
	if e.closed || len(p) == 0 {
		return
	}
	if len(p) > 1 && siteShortWrite.FireIn(e.net.w, e.proc.ID()) {
		e.out.pushShort(p, 1+siteShortWrite.IntnIn(e.net.w, len(p)-1), siteShortWrite.DelayIn(e.net.w, time.Millisecond))
		return
	}
	e.out.push(segData, p)
}

func (e *endpoint) Close() {
	if e.closed {
		return
	}
	e.net.trace(e, sim.KindClose, "local")
	e.closed = true
	e.out.push(segFin, nil)
	e.in.kill()
	e.net.untrack(e)
}

func (e *endpoint) Abort() {
	if e.closed {
		return
	}
	e.net.trace(e, sim.KindReset, "local")
	e.reset()
}

// reset closes e at once and sends RST in place of anything unsent.
func (e *endpoint) reset() {
	e.closed = true
	e.out.drop()
	e.out.push(segRst, nil)
	e.in.kill()
	e.net.untrack(e)
}

// sortPipes orders pipes by connection, then client-to-server first.
func sortPipes(ps []*pipe) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].c.id != ps[j].c.id {
			return ps[i].c.id < ps[j].c.id
		}
		return ps[i].dst == ps[i].c.server
	})
}

func (n *Network) trace(e *endpoint, kind sim.Kind, text string) {
	n.w.Trace().Add(sim.Event{At: n.w.Now(), Kind: kind, Level: sim.LevelInfo, Proc: e.proc.ID(), A: int64(e.c.id), Text: e.local + "->" + e.remote + text})
}

// Dial implements sim.Network.
func (n *Network) Dial(p *sim.Process, addr string, timeout time.Duration, h sim.ConnHandler) sim.Conn {
	host, port, err := splitAddr(addr)
	n.connID++
	c := &conn{id: n.connID}
	src := p.Host()
	ep := &endpoint{net: n, c: c, proc: p, inc: p.Incarnation(), h: h, remote: addr}
	c.client = ep
	// Linux's default ephemeral range, 32768-60999, used round-robin.
	localPort := 32768 + n.ephemeral[src.ID()]%(61000-32768)
	n.ephemeral[src.ID()]++
	ep.local = src.Name() + ":" + strconv.Itoa(localPort)
	dst := n.w.Host(host)
	if err != nil || dst == nil {
		// An unknown address fails on the dialer's next turn, never re-entrantly.
		ep.closed = true
		n.w.Schedule(n.w.Now(), p, failRunner{ep}, 0)
		return ep
	}
	n.trace(ep, sim.KindDial, "")
	ep.out = &pipe{net: n, c: c, link: n.link(src.ID(), dst.ID())}
	ep.in = &pipe{net: n, c: c, dst: ep, link: n.link(dst.ID(), src.ID())}
	ep.out.link.pipes = append(ep.out.link.pipes, ep.out)
	ep.in.link.pipes = append(ep.in.link.pipes, ep.in)
	n.track(ep)
	c.server = &endpoint{net: n, c: c, local: addr, remote: ep.local, port: port}
	ep.out.push(segSyn, nil)
	if timeout > 0 {
		ep.timer = p.Env().After(timeout, func() {
			if !ep.open && !ep.closed {
				n.failed(ep, sim.ErrDialTimeout, sim.KindDialTimeout)
			}
		})
	}
	return ep
}

type failRunner struct{ ep *endpoint }

func (f failRunner) Run(uint64) {
	f.ep.h.OnClose(f.ep, sim.ErrNoHost)
}

// arriveSyn runs when a SYN reaches the server's host: the kernel answers at
// once, even for a paused process (the listen backlog).
func (n *Network) arriveSyn(c *conn) {
	cl, srv := c.client, c.server
	l := n.listeners[listenKey(cl.out.link.to, srv.port)]
	if l == nil || !l.proc.Alive(l.inc) || cl.closed {
		cl.in.push(segRefused, nil)
		if cl.closed {
			// The dialer was closed before its SYN arrived (a middlebox
			// reset it, or it gave up): no server side will be made and
			// nothing else crosses this pipe, which the link must not
			// keep, nor through it the dialer's handler.
			cl.out.kill()
		}
		return
	}
	srv.proc, srv.inc, srv.accept = l.proc, l.inc, l.accept
	srv.in, srv.out = cl.out, cl.in
	srv.in.dst = srv
	n.track(srv)
	n.trace(srv, sim.KindAccept, "")
	srv.out.push(segSynAck, nil)
	// The process takes the connection on its next turn even if nothing arrives.
	n.w.Schedule(n.w.Now(), srv.proc, acceptRunner{n, srv}, 0)
}

type acceptRunner struct {
	n  *Network
	ep *endpoint
}

func (a acceptRunner) Run(uint64) {
	if a.ep.h == nil && !a.ep.closed {
		a.n.accept(a.ep)
	}
}

// accept hands a server endpoint to its process; it reports whether the
// process took it.
func (n *Network) accept(ep *endpoint) bool {
	ep.open = true
	ep.h = ep.accept(ep)
	ep.accept = nil
	if ep.h == nil {
		if !ep.closed {
			ep.reset()
		}
		return false
	}
	return !ep.closed
}

func (n *Network) opened(ep *endpoint) {
	if ep.closed || ep.open {
		return
	}
	ep.open = true
	ep.proc.Env().Cancel(ep.timer)
	n.trace(ep, sim.KindOpen, "")
	ep.h.OnOpen(ep)
}

func (n *Network) failed(ep *endpoint, err error, kind sim.Kind) {
	if ep.closed {
		return
	}
	n.trace(ep, kind, "")
	if kind == sim.KindDialTimeout {
		ep.reset() // a late SYN must not leave a half-open server side
	} else {
		ep.closed = true
		ep.out.kill()
		ep.in.kill()
		n.untrack(ep)
	}
	ep.h.OnClose(ep, err)
}

func (n *Network) peerClosed(ep *endpoint, err error, kind sim.Kind) {
	if ep.closed {
		return
	}
	if ep.h == nil && !n.accept(ep) {
		return
	}
	n.trace(ep, kind, " by peer")
	ep.closed = true
	ep.in.kill()
	if ep.peer().closed {
		ep.out.kill()
	} // else a middlebox reset: the peer's own RST is still on its way in ep.out
	n.untrack(ep)
	ep.h.OnClose(ep, err)
}
