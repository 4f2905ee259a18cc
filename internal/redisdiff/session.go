package redisdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A Side is one of the two servers under comparison.
type Side struct {
	// Name labels the side's replies in messages ("redis", "node").
	Name string
	// Addr is the server's host:port.
	Addr string
}

// A Session drives the same commands against two servers over matching
// connections and compares their replies. Want is the reference (real
// Redis), Got the implementation under test. Connections are numbered and
// opened on first use; one the server closed is reopened on its next use.
type Session struct {
	t         testing.TB
	want, got Side
	conns     [maxConns]*connPair
	// barrierTimeout bounds the wait for a server to process an !async
	// command (see awaitProcessed); zero means ReplyTimeout.
	barrierTimeout time.Duration
	// keepSilent keeps a connection open when both servers time out on a
	// !quiet !recv of a push (recv closes it after any other timeout).
	keepSilent bool
	// wait is how long the current step waits for its replies (its
	// !slow or !quiet), zero for ReplyTimeout.
	wait time.Duration
	// write, if set, replaces Conn.Send for the commands of the session:
	// tests use it to delay what one side receives. side is 0 for want
	// and 1 for got, n the connection number.
	write func(side, n int, c *Conn, args [][]byte) error
	// afterStep, if set, runs after each command and !recv step of a
	// script (the propagation test reads the replication streams there).
	afterStep func(t testing.TB, st *step)
}

type connPair struct {
	want, got *Conn
	pending   []pendingReply // replies of async commands not yet read
	// errors of the last send, reported in place of its replies
	wantErr, gotErr error
}

type pendingReply struct {
	pos, text string
	match     Match
}

// NewSession empties both servers (FLUSHALL) and returns a
// Session with no connection open yet. Close it when done. A read-only
// replica refuses FLUSHALL (READONLY): its data is its master's, and it
// is left as it is.
func NewSession(t testing.TB, want, got Side) *Session {
	t.Helper()
	s := &Session{t: t, want: want, got: got}
	for _, side := range []Side{want, got} {
		c, err := Dial(side.Addr)
		if err != nil {
			t.Fatalf("redisdiff: %s at %s: %v", side.Name, side.Addr, err)
		}
		if r, err := c.DoStrings("FLUSHALL"); err != nil || string(r) != "+OK\r\n" && !strings.HasPrefix(string(r), "-READONLY ") {
			t.Fatalf("redisdiff: %s: FLUSHALL replied %q, %v", side.Name, r, err)
		}
		_ = c.Close()
	}
	return s
}

// Close closes every connection of the session.
func (s *Session) Close() {
	for i, p := range s.conns {
		if p != nil {
			p.close()
			s.conns[i] = nil
		}
	}
}

func (p *connPair) close() {
	// Both at once: each waits for its server to hang up.
	done := make(chan struct{})
	go func() {
		if p.got != nil {
			_ = p.got.Close()
		}
		close(done)
	}()
	if p.want != nil {
		_ = p.want.Close()
	}
	<-done
}

// conn returns connection pair n, dialling it on first use.
func (s *Session) conn(n int) *connPair {
	if p := s.conns[n]; p != nil {
		return p
	}
	p := &connPair{}
	var err error
	if p.want, err = Dial(s.want.Addr); err != nil {
		s.t.Fatalf("redisdiff: %s: %v", s.want.Name, err)
	}
	if p.got, err = Dial(s.got.Addr); err != nil {
		s.t.Fatalf("redisdiff: %s: %v", s.got.Name, err)
	}
	s.conns[n] = p
	return p
}

// Exchange is what two servers replied to one command.
type Exchange struct {
	Want, Got []byte
}

// Do sends args on connection n of both servers and returns both replies.
// A connection error stands in for a reply as text in angle brackets, and
// the connection is reopened on its next use.
func (s *Session) Do(n int, args []string) Exchange {
	s.send(n, args)
	return s.recv(n)
}

func (s *Session) send(n int, args []string) {
	p := s.conn(n)
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	// Both sends go out before either reply is read, so a blocking command
	// takes its timeout once, not twice.
	p.wantErr = s.sendOn(0, n, p.want, bs)
	p.gotErr = s.sendOn(1, n, p.got, bs)
}

func (s *Session) sendOn(side, n int, c *Conn, args [][]byte) error {
	if s.write != nil {
		return s.write(side, n, c, args)
	}
	return c.Send(args...)
}

func (s *Session) recv(n int) Exchange {
	p := s.conn(n)
	var ex Exchange
	// Read both at once, so that a server that does not reply costs one
	// timeout, not two.
	done := make(chan struct{})
	timeout := ReplyTimeout
	if s.wait > 0 {
		timeout = s.wait
	}
	go func() {
		ex.Got = receive(p.got, p.gotErr, timeout)
		close(done)
	}()
	ex.Want = receive(p.want, p.wantErr, timeout)
	<-done
	p.wantErr, p.gotErr = nil, nil
	if s.keepSilent && noReply(ex.Want) && noReply(ex.Got) {
		return ex
	}
	if isConnError(ex.Want) || isConnError(ex.Got) {
		p.close()
		s.conns[n] = nil
	}
	return ex
}

// noReply reports a reply that is a reply timeout.
func noReply(r []byte) bool { return bytes.HasPrefix(r, []byte("<no reply within")) }

func receive(c *Conn, sendErr error, timeout time.Duration) []byte {
	if sendErr != nil {
		return connError(sendErr)
	}
	r, err := c.Receive(timeout)
	if err != nil {
		return connError(err)
	}
	return r
}

// connError renders a connection failure in place of a reply, in words
// that do not depend on which side failed or how the kernel reported it.
func connError(err error) []byte {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return []byte("<connection closed>")
	}
	if strings.HasPrefix(err.Error(), "no reply within") {
		return []byte("<no reply within " + ReplyTimeout.String() + ">")
	}
	return []byte("<" + err.Error() + ">")
}

func isConnError(r []byte) bool { return len(r) > 0 && r[0] == '<' }

// mismatch formats a difference for a test failure.
func (s *Session) mismatch(pos, what string, ex Exchange) string {
	return fmt.Sprintf("%s: %s\n\t%-6s %q\n\t%-6s %q", pos, what, s.want.Name+":", ex.Want, s.got.Name+":", ex.Got)
}

// runFile runs the script at path (see the package documentation) against
// both servers of a fresh Session and reports every reply that differs,
// with its file:line, its command and both replies; with trace it logs
// every exchange, to see what a script really exercises while writing it.
func runFile(t testing.TB, path string, want, got Side, trace bool) {
	t.Helper()
	steps, err := parseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(t, want, got)
	defer s.Close()
	s.run(t, steps, trace)
}

// run runs the steps of a script on s.
func (s *Session) run(t testing.TB, steps []step, trace bool) {
	t.Helper()
	cur := 0
	for i := range steps {
		st := &steps[i]
		switch st.kind {
		case stepConn:
			cur = st.conn
		case stepSleep:
			time.Sleep(st.sleep)
		case stepCommand:
			p := s.conn(cur)
			if st.async {
				s.send(cur, st.args)
				if p.wantErr != nil || p.gotErr != nil {
					ex := Exchange{Want: connErrorOrNil(p.wantErr), Got: connErrorOrNil(p.gotErr)}
					p.wantErr, p.gotErr = nil, nil
					if !(Match{}).Equal(ex.Want, ex.Got) {
						t.Errorf("%s", s.mismatch(st.pos, "sending "+st.text(), ex))
					}
					continue
				}
				p.pending = append(p.pending, pendingReply{pos: st.pos, text: st.text(), match: st.match})
				// The barrier: the next step runs once both servers have
				// processed this command (blocked on it, or replied).
				for _, msg := range s.settle(cur, st.text()) {
					t.Errorf("%s: %s", st.pos, msg)
				}
				if s.afterStep != nil {
					s.afterStep(t, st)
				}
				continue
			}
			if len(p.pending) > 0 {
				t.Fatalf("%s: connection %d still has the reply of %s (%s) to read; add !recv before %s", st.pos, cur, p.pending[0].text, p.pending[0].pos, st.text())
			}
			s.wait = st.match.wait()
			ex := s.Do(cur, st.args)
			s.wait = 0
			if trace {
				t.Logf("%s [%d] %s\n\t%q", st.pos, cur, st.text(), ex.Want)
			}
			if !st.match.Equal(ex.Want, ex.Got) {
				t.Errorf("%s", s.mismatch(st.pos, st.text(), ex))
			} else if bothSilent(st.match, ex) {
				t.Errorf("%s: neither server replied to %s; a step that expects silence says !quiet", st.pos, st.text())
			}
			if s.afterStep != nil {
				s.afterStep(t, st)
			}
		case stepRecv:
			p := s.conn(cur)
			what := "pushed reply on connection " + fmt.Sprint(cur)
			m := st.match
			push := len(p.pending) == 0
			if len(p.pending) > 0 {
				pr := p.pending[0]
				p.pending = p.pending[1:]
				what = "reply of " + pr.text + " (sent at " + pr.pos + ")"
				m = m.merge(pr.match)
			}
			s.wait = m.wait()
			// A push that neither server sends leaves nothing owed on the
			// connection: it stays open, with its subscriptions, tracking
			// and protocol, for the steps that follow.
			s.keepSilent = m.Quiet && push
			ex := s.recv(cur)
			s.wait, s.keepSilent = 0, false
			if trace {
				t.Logf("%s [%d] %s\n\t%q", st.pos, cur, what, ex.Want)
			}
			if !m.Equal(ex.Want, ex.Got) {
				t.Errorf("%s", s.mismatch(st.pos, what, ex))
			} else if bothSilent(m, ex) {
				t.Errorf("%s: neither server sent the %s; a step that expects silence says !quiet", st.pos, what)
			}
			if s.afterStep != nil {
				s.afterStep(t, st)
			}
		}
	}
	for n, p := range s.conns {
		if p != nil && len(p.pending) > 0 {
			t.Errorf("%s: the reply of %s on connection %d was never read; add !recv", p.pending[0].pos, p.pending[0].text, n)
		}
	}
}

// bothSilent reports two replies that are both a reply timeout, at a step
// not marked !quiet: equal, but a script bug (each costs ReplyTimeout and
// closes the connection, changing what the rest of the script runs on).
func bothSilent(m Match, ex Exchange) bool {
	return !m.Quiet && strings.HasPrefix(string(ex.Want), "<no reply within") && strings.HasPrefix(string(ex.Got), "<no reply within")
}

func connErrorOrNil(err error) []byte {
	if err == nil {
		return nil
	}
	return connError(err)
}
