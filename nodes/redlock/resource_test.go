package redlock

import (
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// script sends each command to addr from a fresh process and returns the
// replies, as redis-cli would print them.
func script(t *testing.T, w *sim.World, addr string, cmds [][]string) []string {
	t.Helper()
	var got []string
	h := &scriptConn{rr: resp.NewReplyReader(), got: &got}
	cl, err := w.AddHost("cli"+strconv.Itoa(len(w.Hosts())), sim.HostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cl.Spawn("cli", func(env sim.Env) sim.Node {
		c := env.Dial(addr, time.Second, h)
		for _, cmd := range cmds {
			c.Write(resp.AppendCommandStrings(nil, cmd...))
		}
		return scriptNode{}
	})
	p.Start()
	w.RunFor(time.Second)
	if len(got) != len(cmds) {
		t.Fatalf("%d replies to %d commands: %q", len(got), len(cmds), got)
	}
	return got
}

type scriptNode struct{}

func (scriptNode) Stop() {}

type scriptConn struct {
	rr  *resp.ReplyReader
	got *[]string
}

func (s *scriptConn) OnOpen(sim.Conn) {}
func (s *scriptConn) OnData(_ sim.Conn, p []byte) {
	s.rr.Feed(p)
	for {
		v, ok, err := s.rr.Next()
		if err != nil || !ok {
			return
		}
		*s.got = append(*s.got, v.String())
	}
}
func (s *scriptConn) OnClose(sim.Conn, error) {}

func resourceWorld(t *testing.T, fenced bool, writes *Writes) *sim.World {
	t.Helper()
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	h, _ := w.AddHost("res", sim.HostConfig{})
	prog, err := ResourceProgram(ResourceOptions{Fenced: fenced, Writes: writes, Now: w.Now})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := h.Spawn("resource", prog)
	p.Start()
	tp, _ := h.Spawn("tokens", TokenProgram(TokenOptions{}))
	tp.Start()
	return w
}

func TestResource(t *testing.T) {
	cmds := [][]string{{"WRITE", "L", "1", "5"}, {"WRITE", "L", "2", "3"}, {"write", "L", "2", "5"}, {"WRITE", "M", "3", "1"}, {"WRITE", "L", "x", "1"}, {"PING"}}
	for _, tt := range []struct {
		fenced   bool
		want     []string
		accepted int
	}{
		{false, []string{"OK", "OK", "OK", "OK", "(error) ERR process and token must be integers", "PONG"}, 4},
		{true, []string{"OK", "(error) STALE token 3 is below 5", "OK", "OK", "(error) ERR process and token must be integers", "PONG"}, 3},
	} {
		var writes Writes
		w := resourceWorld(t, tt.fenced, &writes)
		got := script(t, w, "res:"+strconv.Itoa(DefaultResourcePort), cmds)
		for i := range tt.want {
			if got[i] != tt.want[i] {
				t.Errorf("fenced=%v: %q -> %q; want %q", tt.fenced, cmds[i], got[i], tt.want[i])
			}
		}
		if len(writes.Accepted) != tt.accepted {
			t.Errorf("fenced=%v: accepted %v; want %d writes", tt.fenced, writes.Accepted, tt.accepted)
		}
		if tt.fenced && (len(writes.Rejected) != 1 || writes.Rejected[0] != (history.Access{Process: 2, Lock: "L", At: writes.Rejected[0].At, Token: 3})) {
			t.Errorf("rejected %v; want process 2's token 3", writes.Rejected)
		}
	}
}

func TestTokenSourceCounts(t *testing.T) {
	var writes Writes
	w := resourceWorld(t, false, &writes)
	got := script(t, w, "res:"+strconv.Itoa(DefaultTokenPort), [][]string{{"INCR", "a"}, {"INCR", "a"}, {"INCR", "b"}, {"GET", "a"}})
	want := []string{"(integer) 1", "(integer) 2", "(integer) 1", "(error) ERR unknown command or wrong number of arguments; want INCR key"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reply %d = %q; want %q", i, got[i], want[i])
		}
	}
}
