package redisdiff

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// The !async barrier.
//
// An !async command is written to a server and the script goes on without
// its reply, usually to send a command on another connection. A write is not
// the server's having run the command: Redis serves, in one event-loop
// iteration, the sockets it finds readable in whatever order, and the node
// has a reader goroutine per connection that posts to its loop in the order
// the Go scheduler runs them. Two BLPOPs written back to back on connections
// 1 and 2 could thus block in either order, and one side serve connection 2
// first. So after an !async command the harness waits, on each side, until
// the server has processed it, and only then runs the script's next step.
//
// "Processed" is seen from outside, through a control connection: the
// client is blocked (a lowercase b among its CLIENT LIST flags; its entry is
// the one whose addr= is the local address of the harness's socket, which
// costs no command on the script's connection), or bytes of its reply have
// arrived, or the server closed the connection. A command that neither
// blocks nor replies cannot be told from one not yet read, so a server that
// shows none of the three within the session's barrier timeout fails the
// step. The control connection is dialled for each wait and closed, waiting
// for the server to hang up, before the script goes on: no command of a
// script runs while it exists, so CLIENT LIST, INFO clients and the keyspace
// never show it (the counters of INFO stats do move, alike on both sides
// but for the number of CLIENT LIST polls).
//
// A script that times out (busy-reply-threshold) counts as processed once
// CLIENT LIST gets -BUSY. Two limits: on a subscribed connection, a message pushed by an earlier
// PUBLISH that is still on its way would be taken for the start of the
// reply and end the wait early; and a client held by CLIENT PAUSE shows as
// blocked before it has run its command. No script uses !async on a
// subscribed connection, nor CLIENT PAUSE.

// pollInterval is how long one round of the barrier waits for a reply
// before it asks CLIENT LIST again.
const pollInterval = time.Millisecond

// awaitProcessed waits until the server at addr has processed the command
// last written on c, whose reply has not been read yet: until it lists c as
// blocked, or a reply to c has started to arrive, or c was closed.
// Bytes read meanwhile stay buffered in c for Receive.
func awaitProcessed(addr string, c *Conn, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	before := c.rr.Buffered()
	me := c.nc.LocalAddr().String()
	ctl, err := Dial(addr)
	if err != nil {
		return fmt.Errorf("opening the control connection: %v", err)
	}
	defer func() { _ = ctl.Close() }()
	entry := ""
	for {
		c.fill(pollInterval)
		if c.rr.Buffered() > before || c.readErr != nil {
			return nil
		}
		// A server in a timed-out script answers the control connection
		// between stretches of the script; on a loaded machine that has
		// taken over ReplyTimeout (make test, every package at once), so
		// this one reply may take as long as a slow step.
		if err := ctl.Send([]byte("CLIENT"), []byte("LIST")); err != nil {
			return fmt.Errorf("CLIENT LIST on the control connection: %v", err)
		}
		raw, err := ctl.Receive(SlowReplyTimeout)
		if err != nil {
			return fmt.Errorf("CLIENT LIST on the control connection: %v", err)
		}
		if strings.HasPrefix(string(raw), "-BUSY ") {
			// A script has timed out: the command ran (it is that
			// script, or it waits behind it, as it would on either side).
			return nil
		}
		e, err := clientEntry(raw, me)
		if err != nil {
			return err
		}
		if e != "" {
			entry = e
			if clientBlocked(entry) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if entry == "" {
				entry = "no entry with addr=" + me
			}
			return fmt.Errorf("not blocked, no reply and not closed after %v; its CLIENT LIST entry: %s", timeout, entry)
		}
	}
}

// clientEntry returns the line of a CLIENT LIST reply whose addr field is
// addr, or "" if there is none.
func clientEntry(raw []byte, addr string) (string, error) {
	v, ok := parseReply(raw)
	if !ok || (v.Kind != resp.KindBulk && v.Kind != resp.KindVerbatim) || v.IsNull {
		return "", fmt.Errorf("CLIENT LIST on the control connection replied %q", raw)
	}
	for _, line := range strings.Split(string(v.Str), "\n") {
		line = strings.TrimSuffix(line, "\r")
		for _, f := range strings.Fields(line) {
			if f == "addr="+addr {
				return line, nil
			}
		}
	}
	return "", nil
}

// clientBlocked reports whether a CLIENT LIST entry has the b (blocked)
// flag.
func clientBlocked(entry string) bool {
	for _, f := range strings.Fields(entry) {
		if flags, ok := strings.CutPrefix(f, "flags="); ok {
			return strings.ContainsRune(flags, 'b')
		}
	}
	return false
}

// settle is the barrier after an !async command on connection n: it waits
// until both servers have processed the command and returns a message for
// each side that did not within the session's barrier timeout.
func (s *Session) settle(n int, text string) []string {
	p := s.conn(n)
	timeout := s.barrierTimeout
	if timeout <= 0 {
		timeout = ReplyTimeout
	}
	// Both sides at once, so that a stuck one costs one timeout.
	var gotErr error
	done := make(chan struct{})
	go func() {
		gotErr = awaitProcessed(s.got.Addr, p.got, timeout)
		close(done)
	}()
	wantErr := awaitProcessed(s.want.Addr, p.want, timeout)
	<-done
	var msgs []string
	for _, r := range []struct {
		side Side
		err  error
	}{{s.want, wantErr}, {s.got, gotErr}} {
		if r.err != nil {
			msgs = append(msgs, fmt.Sprintf("%s did not process %s on connection %d: %v", r.side.Name, text, n, r.err))
		}
	}
	return msgs
}

// isTimeout reports whether err is a deadline's, not the connection's.
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
