package realenv

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/redsim/redsim/sim"
)

// conn is a sim.Conn over a net.Conn. Each open conn has a reader goroutine,
// which posts OnData and OnClose to the loop, and a writer goroutine, which
// drains an unbounded queue so Write never blocks the loop.
type conn struct {
	l      *Loop
	id     uint64
	h      sim.ConnHandler
	local  string
	remote string
	done   bool // loop side: closed by us or reported closed; no more events

	mu      sync.Mutex
	cond    sync.Cond
	nc      net.Conn // nil until open
	queue   [][]byte
	closing bool // flush the queue, then close
	aborted bool // drop the queue; nc is (or will be) reset
}

func (l *Loop) newConn(h sim.ConnHandler) *conn {
	l.connSeq++
	c := &conn{l: l, id: l.connSeq, h: h}
	c.cond.L = &c.mu
	l.conns[c.id] = c
	return c
}

func (c *conn) ID() uint64         { return c.id }
func (c *conn) LocalAddr() string  { return c.local }
func (c *conn) RemoteAddr() string { return c.remote }

// Write queues a copy of p; writes on a closed conn are dropped.
func (c *conn) Write(p []byte) {
	if c.done || len(p) == 0 {
		return
	}
	b := append([]byte(nil), p...)
	c.mu.Lock()
	c.queue = append(c.queue, b)
	c.cond.Signal()
	c.mu.Unlock()
}

// Close sends the pending data, then closes; no events follow.
func (c *conn) Close() {
	if c.done {
		return
	}
	c.done = true
	c.mu.Lock()
	c.closing = true
	c.cond.Signal()
	c.mu.Unlock()
}

// Abort drops pending data and resets the connection (SO_LINGER 0).
func (c *conn) Abort() {
	if c.done {
		return
	}
	c.done = true
	c.mu.Lock()
	c.aborted = true
	c.queue = nil
	nc := c.nc
	c.cond.Signal()
	c.mu.Unlock()
	if nc != nil {
		reset(nc)
	}
}

func reset(nc net.Conn) {
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = nc.Close()
}

// open attaches nc and starts the helper goroutines; it reports whether the
// node should hear about the connection.
func (c *conn) open(nc net.Conn) bool {
	c.local, c.remote = nc.LocalAddr().String(), nc.RemoteAddr().String()
	c.mu.Lock()
	c.nc = nc
	aborted := c.aborted
	c.mu.Unlock()
	if aborted {
		reset(nc)
		c.release()
		return false
	}
	c.l.wg.Add(2)
	go c.writeLoop()
	go c.readLoop()
	return !c.done
}

// release forgets c once its net.Conn is closed (runs on the loop).
func (c *conn) release() { delete(c.l.conns, c.id) }

// closed reports the end of c to the node, unless it closed c itself.
func (c *conn) closed(err error) {
	if c.done {
		return
	}
	c.done = true
	c.mu.Lock()
	c.aborted = true // nothing more to send: stop the writer
	c.queue = nil
	nc := c.nc
	c.cond.Signal()
	c.mu.Unlock()
	if nc != nil {
		_ = nc.Close()
	}
	c.h.OnClose(c, err)
}

func (c *conn) readLoop() {
	defer c.l.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			p := append([]byte(nil), buf[:n]...)
			if !c.l.post(func() {
				if !c.done {
					c.h.OnData(c, p)
				}
			}) {
				return
			}
		}
		if err != nil {
			err = connErr(err)
			c.l.post(func() { c.closed(err) })
			return
		}
	}
}

func (c *conn) writeLoop() {
	defer c.l.wg.Done()
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closing && !c.aborted {
			c.cond.Wait()
		}
		if c.aborted {
			c.mu.Unlock()
			c.l.post(c.release)
			return
		}
		bufs := net.Buffers(c.queue)
		c.queue = nil
		c.mu.Unlock()
		if len(bufs) > 0 {
			if _, err := bufs.WriteTo(c.nc); err != nil {
				err = connErr(err)
				c.l.post(func() { c.closed(err) })
				_ = c.nc.Close()
				c.l.post(c.release)
				return
			}
			continue
		}
		// closing, and the queue is flushed
		_ = c.nc.Close()
		c.l.post(c.release)
		return
	}
}

// shutdown closes c as the loop stops: a bounded flush, then close.
func (c *conn) shutdown() {
	c.mu.Lock()
	c.closing = true
	nc := c.nc
	c.cond.Signal()
	c.mu.Unlock()
	if nc != nil {
		_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
		_ = nc.SetReadDeadline(time.Now())
	}
}

// connErr maps a read or write error to what OnClose reports.
func connErr(err error) error {
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return sim.ErrReset
	}
	return err
}

// Listen accepts connections on Config.ListenHost:port; port 0 picks a free
// port (see Addr).
func (l *Loop) Listen(port int, accept func(c sim.Conn) sim.ConnHandler) error {
	if l.down {
		return net.ErrClosed
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(l.cfg.ListenHost, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return sim.ErrPortInUse
		}
		return err
	}
	l.lns = append(l.lns, ln)
	l.mu.Lock()
	l.addrs[port] = ln.Addr().String()
	l.mu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				return // closed
			}
			if !l.post(func() { l.accepted(nc, accept) }) {
				_ = nc.Close()
				return
			}
		}
	}()
	return nil
}

func (l *Loop) accepted(nc net.Conn, accept func(c sim.Conn) sim.ConnHandler) {
	if l.down {
		_ = nc.Close()
		return
	}
	c := l.newConn(nil)
	c.local, c.remote = nc.LocalAddr().String(), nc.RemoteAddr().String()
	h := accept(c)
	if h == nil {
		c.Abort()
	}
	c.h = h
	c.open(nc)
}

// Dial connects to addr in the background; h.OnOpen or h.OnClose (with
// sim.ErrRefused, sim.ErrDialTimeout, sim.ErrNoHost or another error) follows.
// Writes before the open are sent after it.
func (l *Loop) Dial(addr string, timeout time.Duration, h sim.ConnHandler) sim.Conn {
	return l.dial(addr, timeout, h, l.cfg.DialFrom)
}

// dial is Dial from the local address from ("" lets the kernel choose).
func (l *Loop) dial(addr string, timeout time.Duration, h sim.ConnHandler, from string) sim.Conn {
	c := l.newConn(h)
	c.remote = addr
	if l.down {
		c.done = true
		c.release()
		return c
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		ctx := l.ctx
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		var d net.Dialer
		if from != "" {
			d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
		}
		to, err := addr, error(nil)
		if l.cfg.Resolve != nil {
			to, err = l.cfg.Resolve(addr)
		}
		var nc net.Conn
		if err == nil {
			nc, err = d.DialContext(ctx, "tcp", to)
		}
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			err = sim.ErrDialTimeout
		}
		if !l.post(func() { l.dialed(c, nc, err) }) && nc != nil {
			_ = nc.Close()
		}
	}()
	return c
}

func (l *Loop) dialed(c *conn, nc net.Conn, err error) {
	if err != nil {
		c.release()
		c.closed(dialErr(err))
		return
	}
	if c.open(nc) {
		c.h.OnOpen(c)
	}
}

func dialErr(err error) error {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, sim.ErrDialTimeout):
		return sim.ErrDialTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return sim.ErrRefused
	case errors.As(err, &dns) && dns.IsNotFound:
		return sim.ErrNoHost
	case errors.As(err, &ne) && ne.Timeout():
		return sim.ErrDialTimeout
	}
	return err
}
