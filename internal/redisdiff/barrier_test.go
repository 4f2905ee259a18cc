package redisdiff

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
)

// fifoScript blocks two clients on one list, then serves them.
const fifoScript = `
!conn 1
!async BLPOP fifo 0
!conn 2
!async BLPOP fifo 0
!conn 0
RPUSH fifo first second
!conn 1
!recv
!conn 2
!recv
`

// TestAsyncBarrier makes the race of the !async barrier happen every time:
// the node (the got side) receives connection 1's BLPOP late, its last
// bytes 100ms after the harness wrote them, as if the node read that socket
// late. Without the barrier connection 2's BLPOP, written meanwhile, would
// block first on the node and take "first", and the replies would differ.
func TestAsyncBarrier(t *testing.T) {
	want, got := sides(t)
	steps, err := parseScript("fifo.txt", fifoScript)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(t, want, got)
	defer s.Close()
	var wg sync.WaitGroup
	defer wg.Wait() // before Close
	s.write = func(side, n int, c *Conn, args [][]byte) error {
		if side != 1 || n != 1 {
			return c.Send(args...)
		}
		b := resp.AppendCommand(nil, args...)
		if _, err := c.nc.Write(b[:1]); err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(100 * time.Millisecond)
			_, _ = c.nc.Write(b[1:])
		}()
		return nil
	}
	start := time.Now()
	s.run(t, steps, false)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("the script took %v, less than the delay it had to wait for", d)
	}
}

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestAsyncBarrierTimeout: a server that does not process an !async
// command within the barrier timeout fails the step, naming the side, the
// command and what CLIENT LIST says of the connection.
func TestAsyncBarrierTimeout(t *testing.T) {
	want, got := sides(t)
	steps, err := parseScript("stuck.txt", "!conn 1\n!async PING\n")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(t, want, got)
	defer s.Close()
	s.barrierTimeout = time.Second // a redis-server stalled this long would add an error of its own
	var rest []byte
	s.write = func(side, n int, c *Conn, args [][]byte) error {
		if side != 1 || n != 1 {
			return c.Send(args...)
		}
		b := resp.AppendCommand(nil, args...)
		rest = b[1:] // held back: the server cannot run the command
		_, err := c.nc.Write(b[:1])
		return err
	}
	r := &recorder{TB: t}
	s.run(r, steps, false)
	found := false
	for _, e := range r.errs {
		if strings.HasPrefix(e, "stuck.txt:2: "+got.Name+" did not process PING on connection 1: not blocked, no reply and not closed after "+s.barrierTimeout.String()+"; its CLIENT LIST entry: id=") {
			found = true
		} else if !strings.Contains(e, "was never read") {
			t.Errorf("unexpected error: %s", e)
		}
	}
	if !found {
		t.Errorf("no barrier timeout reported; errors: %q", r.errs)
	}
	// Let the command through and read its reply, so that the connection
	// closes cleanly.
	p := s.conn(1)
	if _, err := p.got.nc.Write(rest); err != nil {
		t.Fatal(err)
	}
	if ex := s.recv(1); string(ex.Want) != "+PONG\r\n" || string(ex.Got) != "+PONG\r\n" {
		t.Errorf("PING replied %q and %q", ex.Want, ex.Got)
	}
	p.pending = nil
}

// TestCloseForgetsBlockedClient: Close of a connection blocked in BLPOP,
// which cannot run QUIT, returns only once the server has let go of the
// client, on both sides: CLIENT LIST no longer shows it, and a push that
// follows is not handed to it.
func TestCloseForgetsBlockedClient(t *testing.T) {
	want, got := sides(t)
	for _, side := range []Side{want, got} {
		c := dialTest(t, side.Addr)
		if err := c.Send([]byte("BLPOP"), []byte("closeq"), []byte("0")); err != nil {
			t.Fatal(err)
		}
		if err := awaitProcessed(side.Addr, c, ReplyTimeout); err != nil {
			t.Fatalf("%s: %v", side.Name, err)
		}
		me := c.nc.LocalAddr().String()
		if err := c.Close(); err != nil {
			t.Fatalf("%s: Close: %v", side.Name, err)
		}
		ctl := dialTest(t, side.Addr)
		raw, err := ctl.DoStrings("CLIENT", "LIST")
		if err != nil {
			t.Fatal(err)
		}
		if e, err := clientEntry(raw, me); err != nil || e != "" {
			t.Errorf("%s: after Close, CLIENT LIST still has the blocked client: %q %v", side.Name, e, err)
		}
		if r, err := ctl.DoStrings("RPUSH", "closeq", "x"); err != nil || string(r) != ":1\r\n" {
			t.Errorf("%s: RPUSH after Close replied %q %v, want :1 (no blocked client took it)", side.Name, r, err)
		}
		if _, err := ctl.DoStrings("DEL", "closeq"); err != nil {
			t.Fatal(err)
		}
	}
}
