package redisconn

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// TestReconnectDrawsFromTheProcessStream: each reconnection waits
// Backoff.Delay of the failures in a row, with exactly one draw from
// env.Rand() and none from anywhere else.
func TestReconnectDrawsFromTheProcessStream(t *testing.T) {
	b := Backoff{Min: 10 * time.Millisecond, Max: 80 * time.Millisecond}
	env := newFakeEnv(42)
	env.quiet = true
	c := New(env, "r1:6379", Options{Reconnect: b})
	mirror := rand.New(rand.NewPCG(42, 0))
	c.Connect()
	for n := 1; n <= 8; n++ {
		fc := env.last()
		fc.h.OnClose(fc, sim.ErrRefused)
		if len(env.timers) != 1 {
			t.Fatalf("failure %d: %d timers, want the one reconnection", n, len(env.timers))
		}
		want := b.Delay(mirror, n)
		if got := env.timers[0].at - env.mono; got != want {
			t.Fatalf("failure %d: reconnects after %v, want %v", n, got, want)
		}
		bound := min(b.Min<<(n-1), b.Max)
		if want < bound/2 || want > bound {
			t.Fatalf("failure %d: %v is outside [%v, %v]", n, want, bound/2, bound)
		}
		dials := len(env.conns)
		env.advance(want)
		if len(env.conns) != dials+1 {
			t.Fatalf("failure %d: no dial after the backoff", n)
		}
	}
	if env.rand.Uint64() != mirror.Uint64() {
		t.Fatal("the Conn drew from the stream more than once per reconnection")
	}
	// A ready connection resets the count: the next failure waits at most Min.
	env.last().h.OnOpen(env.last())
	env.last().h.OnClose(env.last(), nil)
	if d := env.timers[0].at - env.mono; d > b.Min {
		t.Fatalf("after a good connection the backoff is %v, want at most %v", d, b.Min)
	}
}

// TestEveryCommandIsAnsweredOnceInOrder drives a Conn through random
// events (commands, replies, timeouts, resets, closes, dial failures) and
// checks the contract: every command is answered exactly once, replies go
// to commands in the order they were written, and whatever fails a command
// says truly whether it was sent.
func TestEveryCommandIsAnsweredOnceInOrder(t *testing.T) {
	causes := map[string]int{}
	replies := 0
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		env := newFakeEnv(seed)
		env.quiet, env.record = true, true
		o := Options{Timeout: 30 * time.Millisecond, MaxPending: 12, WriteWhileDialing: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			o.Reconnect = Backoff{Min: time.Millisecond, Max: 8 * time.Millisecond}
		}
		if r.IntN(3) == 0 {
			o.DB = 1
		}
		c := New(env, "r1:6379", o)
		ck := &checker{t: t, seed: seed, sent: map[int]bool{}, answered: map[int]bool{}, causes: causes}
		for step := 0; step < 400; step++ {
			fc := (*fakeConn)(nil)
			if len(env.conns) > 0 {
				fc = env.last()
			}
			switch x := r.IntN(100); {
			case x < 35:
				ck.issued++
				tag := ck.issued
				c.Do(ck, tag, []byte("ECHO"), []byte(strconv.Itoa(tag)))
			case x < 45 && fc != nil && !fc.closed && !fc.opened:
				fc.opened = true
				fc.h.OnOpen(fc)
			case x < 75 && fc != nil && !fc.closed:
				// The server answers the oldest command it has not answered.
				ck.answer(fc)
			case x < 82:
				env.advance(time.Duration(r.IntN(20)) * time.Millisecond)
			case x < 86 && fc != nil && !fc.closed:
				fc.closed = true
				fc.h.OnClose(fc, []error{nil, sim.ErrReset, sim.ErrRefused}[r.IntN(3)])
			case x < 88:
				c.Close()
			case x < 89:
				c.Abort()
			case x < 90 && fc != nil && !fc.closed:
				fc.h.OnData(fc, []byte("?junk\r\n"))
			}
		}
		c.Close()
		replies += ck.replies
		for tag := 1; tag <= ck.issued; tag++ {
			if !ck.answered[tag] {
				t.Fatalf("seed %d: command %d was never answered", seed, tag)
			}
		}
	}
	// The walk must have reached every way a command can end.
	for _, cause := range []string{"timeout", "closed by peer", "connection reset by peer", "connection refused", "connection closed by the client", "connection reset by the client", "too many unanswered requests", "bad reply stream", "handshake SELECT: timeout"} {
		if causes[cause] == 0 {
			t.Errorf("no command ended with %q: %v", cause, causes)
		}
	}
	if replies < 1000 {
		t.Errorf("only %d replies", replies)
	}
	t.Logf("%d replies; failures: %v", replies, causes)
}

type checker struct {
	t        *testing.T
	seed     uint64
	issued   int
	sent     map[int]bool
	answered map[int]bool
	last     int // the tag of the last reply: replies come in order
	replies  int
	causes   map[string]int
}

func (ck *checker) Sent(tag int) { ck.sent[tag] = true }

func (ck *checker) Reply(tag int, v resp.Value, err error) {
	if ck.answered[tag] {
		ck.t.Fatalf("seed %d: command %d answered twice", ck.seed, tag)
	}
	ck.answered[tag] = true
	var e *Error
	switch {
	case err == nil:
		ck.replies++
		if string(v.Str) != strconv.Itoa(tag) {
			ck.t.Fatalf("seed %d: command %d got the reply %s", ck.seed, tag, v.String())
		}
		if tag < ck.last {
			ck.t.Fatalf("seed %d: reply to %d after the reply to %d", ck.seed, tag, ck.last)
		}
		ck.last = tag
	case !errors.As(err, &e):
		ck.t.Fatalf("seed %d: command %d: error %v is not an *Error", ck.seed, tag, err)
	case e.Sent != ck.sent[tag]:
		ck.t.Fatalf("seed %d: command %d: Sent %v, but Sent was called: %v", ck.seed, tag, e.Sent, ck.sent[tag])
	default:
		cause := e.Err.Error()
		var pe *ProtocolError
		if errors.As(err, &pe) {
			cause = "bad reply stream"
		}
		ck.causes[cause]++
	}
}

// answer makes the server of fc answer its oldest unanswered command:
// ECHO with its argument, anything else with +OK.
func (ck *checker) answer(fc *fakeConn) {
	if !fc.opened || fc.answered == len(fc.cmds) {
		return
	}
	cmd := fc.cmds[fc.answered]
	fc.answered++
	if cmd[0] == "ECHO" {
		fc.h.OnData(fc, []byte("$"+strconv.Itoa(len(cmd[1]))+"\r\n"+cmd[1]+"\r\n"))
		return
	}
	fc.h.OnData(fc, []byte("+OK\r\n"))
}

// TestReuseRepliesLendsAndCopiesErrors: with ReuseReplies each Waiter sees
// its own reply while it runs, even when one delivery brings several; the
// reply kept in an UnexpectedReplyError is a copy, which the reader's next
// bytes do not overwrite.
func TestReuseRepliesLendsAndCopiesErrors(t *testing.T) {
	env := newFakeEnv(1)
	env.quiet = true
	var down error
	c := New(env, "r1:6379", Options{ReuseReplies: true, OnDown: func(err error) { down = err }})
	var seen []string
	for i := 0; i < 2; i++ {
		c.Do(Func(func(v resp.Value, err error) { seen = append(seen, v.String()) }), 0, []byte("SMEMBERS"), []byte("s"))
	}
	fc := env.last()
	fc.h.OnOpen(fc)
	fc.h.OnData(fc, []byte("*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n"))
	want := []string{
		resp.Value{Kind: resp.KindArray, Elems: []resp.Value{{Kind: resp.KindBulk, Str: []byte("a")}, {Kind: resp.KindBulk, Str: []byte("b")}}}.String(),
		resp.Value{Kind: resp.KindArray, Elems: []resp.Value{{Kind: resp.KindBulk, Str: []byte("c")}, {Kind: resp.KindBulk, Str: []byte("d")}}}.String(),
	}
	if len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Fatalf("the waiters saw %q, want %q", seen, want)
	}
	// A reply nobody asked for ends the connection; its error keeps it.
	fc.h.OnData(fc, []byte("$3\r\nxyz\r\n"))
	var ue *UnexpectedReplyError
	if !errors.As(down, &ue) || string(ue.Reply.Str) != "xyz" {
		t.Fatalf("OnDown got %v", down)
	}
	c.rr.Reset()
	c.rr.Feed([]byte("$3\r\nQQQ\r\n"))
	if string(ue.Reply.Str) != "xyz" {
		t.Errorf("the error's reply shares the reader's buffer: %q", ue.Reply.Str)
	}
}

// TestReuseRepliesKeepsHello: HELLO's reply, kept for the connection's
// life (Conn.Hello), is a copy that later replies do not overwrite.
func TestReuseRepliesKeepsHello(t *testing.T) {
	env := newFakeEnv(1)
	env.quiet = true
	c := New(env, "r1:6379", Options{ReuseReplies: true, Protocol: 3})
	var got string
	c.Do(Func(func(v resp.Value, err error) { got = string(v.Str) }), 0, []byte("GET"), []byte("k"))
	fc := env.last()
	fc.h.OnOpen(fc)
	fc.h.OnData(fc, []byte("%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n"))
	want := c.Hello().String()
	fc.h.OnData(fc, []byte("$5\r\nvalue\r\n"))
	if got != "value" {
		t.Fatalf("GET got %q", got)
	}
	if h := c.Hello().String(); h != want || !strings.Contains(h, "redis") {
		t.Errorf("Hello() is %q after the next reply, want %q", h, want)
	}
}
