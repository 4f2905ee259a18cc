package redisdiff

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// ReplyTimeout bounds how long a Conn waits for one reply; a server that
// takes longer is reported as not replying rather than hanging the test.
// Scripts expect silence often (a command that blocks for ever, a push
// that must not come), and each costs this long.
const ReplyTimeout = 3 * time.Second

// SlowReplyTimeout is the wait for a step marked !slow: a reply slow by
// nature (SETBIT at offset 2^32-1 makes Redis allocate and zero 512 MB),
// which took over 3 s on a loaded machine.
const SlowReplyTimeout = 30 * time.Second

// QuietTimeout is the wait for a step marked !quiet, which expects no
// reply: a server that answers does so well within it.
const QuietTimeout = 500 * time.Millisecond

// Conn is a minimal RESP client: it sends one command at a time and returns
// each reply as the exact bytes the server wrote, so that two servers can be
// compared byte for byte. It is not safe for concurrent use.
type Conn struct {
	nc  net.Conn
	rr  *resp.ReplyReader
	buf []byte
	out []byte
	// readErr is a read error met by fill, returned by Receive once the
	// replies buffered before it are read.
	readErr error
	// control marks a connection that only polls CLIENT LIST for Close.
	control bool
	// quitRefused is set once the server answered QUIT with an error
	// (redis-sentinel 7.0 has no QUIT): it will not hang up by itself.
	quitRefused bool
}

// Dial connects to a RESP server at addr.
func Dial(addr string) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, ReplyTimeout)
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, rr: resp.NewReplyReader(), buf: make([]byte, 16*1024)}, nil
}

// Send writes one command without waiting for its reply.
func (c *Conn) Send(args ...[]byte) error {
	c.out = resp.AppendCommand(c.out[:0], args...)
	if err := c.nc.SetWriteDeadline(time.Now().Add(ReplyTimeout)); err != nil {
		return err
	}
	_, err := c.nc.Write(c.out)
	return err
}

// Receive returns the raw bytes of the next complete reply, waiting at most
// timeout for it.
func (c *Conn) Receive(timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	for {
		// The reader frames the reply; its raw bytes are the ones Next
		// consumed, still in place in the buffer Peek shows.
		pending := c.rr.Peek()
		before := len(pending)
		if _, ok, err := c.rr.Next(); err != nil {
			return nil, err
		} else if ok {
			n := before - c.rr.Buffered()
			return append([]byte(nil), pending[:n]...), nil
		}
		if c.readErr != nil {
			return nil, c.readErr
		}
		if err := c.nc.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		n, err := c.nc.Read(c.buf)
		if n > 0 {
			c.rr.Feed(c.buf[:n])
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, fmt.Errorf("no reply within %v", timeout)
			}
			return nil, err
		}
	}
}

// fill reads what the server has sent so far into the reply buffer, waiting
// at most wait for something to arrive; an error other than the deadline's
// is kept for Receive.
func (c *Conn) fill(wait time.Duration) {
	if c.readErr != nil {
		return
	}
	if err := c.nc.SetReadDeadline(time.Now().Add(wait)); err != nil {
		c.readErr = err
		return
	}
	n, err := c.nc.Read(c.buf)
	if n > 0 {
		c.rr.Feed(c.buf[:n])
	}
	if err != nil && !isTimeout(err) {
		c.readErr = err
	}
}

// Do sends one command and returns its raw reply.
func (c *Conn) Do(args ...[]byte) ([]byte, error) {
	if err := c.Send(args...); err != nil {
		return nil, err
	}
	return c.Receive(ReplyTimeout)
}

// DoStrings is Do for string arguments.
func (c *Conn) DoStrings(args ...string) ([]byte, error) {
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	return c.Do(bs...)
}

// Close closes the connection so that the server has forgotten the client
// (its subscriptions, watched keys, blocked state) before the next step or
// test looks at the server. It sends QUIT and waits quitGrace for the
// server to hang up. A client that cannot run QUIT in that time (one still
// blocked, or queued behind a busy script) is hung up on from this side,
// and Close then waits, up to ReplyTimeout, until the server no longer
// lists it in CLIENT LIST.
func (c *Conn) Close() error {
	if c.readErr != nil || c.Send([]byte("QUIT")) != nil || c.hungUp(quitGrace) {
		return c.nc.Close()
	}
	if c.control {
		// A control connection is never blocked: wait for QUIT as long
		// as for any reply (unless the server refused it), and do not
		// open another to watch this one.
		if !c.quitRefused {
			c.hungUp(ReplyTimeout)
		}
		return c.nc.Close()
	}
	server, me := c.nc.RemoteAddr().String(), c.nc.LocalAddr().String()
	err := c.nc.Close()
	awaitForgotten(server, me, ReplyTimeout)
	return err
}

// quitGrace is how long Close waits for a server to run QUIT before it
// hangs up itself: a loopback round trip, with room for a loaded machine.
const quitGrace = 50 * time.Millisecond

// hungUp reads and drops what the server sends until it closes the
// connection (true) or wait passes (false). A server without QUIT
// (redis-sentinel 7.0 answers it with an unknown-command error and keeps
// the connection) will not hang up: false at once.
func (c *Conn) hungUp(wait time.Duration) bool {
	if err := c.nc.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return false
	}
	var seen []byte
	for {
		n, err := c.nc.Read(c.buf)
		if n > 0 && len(seen) < 4096 {
			seen = append(seen, c.buf[:n]...)
			if bytes.Contains(seen, []byte("-ERR unknown command 'QUIT'")) {
				c.quitRefused = true
				return false
			}
		}
		if err != nil {
			return !isTimeout(err)
		}
	}
}

// awaitForgotten polls CLIENT LIST on a control connection to the server
// at addr until no client has addr=client, or until timeout; a server busy
// with a script (-BUSY) is asked again. It reports nothing: a server that
// still lists the client then shows it in the next step's comparison.
func awaitForgotten(addr, client string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	ctl, err := Dial(addr)
	if err != nil {
		return
	}
	ctl.control = true
	defer func() { _ = ctl.Close() }()
	for time.Now().Before(deadline) {
		raw, err := ctl.DoStrings("CLIENT", "LIST")
		if err != nil {
			return
		}
		if !strings.HasPrefix(string(raw), "-BUSY ") {
			if e, err := clientEntry(raw, client); err != nil || e == "" {
				return
			}
		}
		time.Sleep(pollInterval)
	}
}
