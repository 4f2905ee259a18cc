package redis

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// testWorld is a simulated world with one Redis node and test clients that
// send commands and wait (in virtual time) for their replies.
type testWorld struct {
	t    *testing.T
	w    *sim.World
	host *sim.Host
	node *sim.Process
	cfg  Config
}

func newTestWorld(t *testing.T, cfg Config) *testWorld {
	t.Helper()
	return newTestWorldDisk(t, cfg, sim.DiskConfig{FsyncLatency: sim.FixedDist(2 * time.Millisecond)})
}

// newTestWorldDisk is newTestWorld with the node's disk configured.
func newTestWorldDisk(t *testing.T, cfg Config, disk sim.DiskConfig) *testWorld {
	t.Helper()
	w := sim.NewWorld(1)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(100 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	w.Trace().Keep(sim.LevelInfo)
	h, err := w.AddHost("r1", sim.HostConfig{Disk: disk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	p, err := h.Spawn("redis", Program(cfg))
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	w.RunFor(time.Millisecond)
	return &testWorld{t: t, w: w, host: h, node: p, cfg: cfg}
}

func (tw *testWorld) server() *Server { return tw.node.Node().(*Server) }

// testConn is a client connection driven from the test.
type testConn struct {
	tw      *testWorld
	conn    sim.Conn
	rr      *resp.ReplyReader
	replies []string
	closed  bool
	err     error
}

func (tc *testConn) OnOpen(sim.Conn) {}
func (tc *testConn) OnData(_ sim.Conn, p []byte) {
	tc.rr.Feed(p)
	for {
		n := tc.rr.Buffered()
		raw := append([]byte(nil), tc.rr.Peek()...)
		_, ok, err := tc.rr.Next()
		if err != nil {
			tc.err = err
			return
		}
		if !ok {
			return
		}
		used := n - tc.rr.Buffered()
		tc.replies = append(tc.replies, string(raw[:used]))
	}
}
func (tc *testConn) OnClose(_ sim.Conn, err error) { tc.closed = true }

type clientNode struct{}

func (clientNode) Stop() {}

// dial opens a client connection from host c1.
func (tw *testWorld) dial() *testConn {
	tc := &testConn{tw: tw, rr: resp.NewReplyReader()}
	ch := tw.w.Host("c1")
	n := len(ch.Processes())
	p, _ := ch.Spawn("client-"+tw.host.Name()+"-"+itoa(int64(n)), func(env sim.Env) sim.Node {
		tc.conn = env.Dial(tw.host.Name()+":"+itoa(int64(tw.cfg.Port)), time.Second, tc)
		return clientNode{}
	})
	p.Start()
	tw.w.RunFor(time.Millisecond)
	return tc
}

// send writes a command without waiting.
func (tc *testConn) send(args ...string) {
	tc.conn.Write(resp.AppendCommandStrings(nil, args...))
}

// do sends a command and runs the world until its reply arrives (at most a
// minute of virtual time); it returns the raw reply.
func (tc *testConn) do(args ...string) string {
	tc.tw.t.Helper()
	want := len(tc.replies) + 1
	tc.send(args...)
	return tc.wait(want)
}

func (tc *testConn) wait(n int) string {
	tc.tw.t.Helper()
	deadline := tc.tw.w.Now().Duration() + time.Minute
	for len(tc.replies) < n && !tc.closed && tc.tw.w.Now().Duration() < deadline {
		tc.tw.w.RunFor(time.Millisecond)
	}
	if len(tc.replies) < n {
		tc.tw.t.Fatalf("no reply (closed=%v err=%v)", tc.closed, tc.err)
	}
	return tc.replies[n-1]
}

// expect runs a script of "command -> reply" lines, the reply written in
// RESP with \r\n shown as spaces-free escapes.
func (tc *testConn) expect(script string) {
	tc.tw.t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, want, ok := strings.Cut(line, "->")
		if !ok {
			tc.tw.t.Fatalf("bad script line %q", line)
		}
		got := tc.do(splitCmd(strings.TrimSpace(cmd))...)
		want = strings.ReplaceAll(strings.TrimSpace(want), `\r\n`, "\r\n")
		if got != want {
			tc.tw.t.Errorf("%s\n got  %q\n want %q", cmd, got, want)
		}
	}
}

// splitCmd splits on spaces; "..." groups words and "" is an empty arg.
func splitCmd(s string) []string {
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if strings.HasPrefix(s, `"`) {
			end := strings.Index(s[1:], `"`)
			out = append(out, s[1:1+end])
			s = s[end+2:]
			continue
		}
		word, rest, _ := strings.Cut(s, " ")
		out = append(out, word)
		s = rest
	}
	return out
}

// logged reports whether the node logged a line containing text.
func (tw *testWorld) logged(text string) bool {
	for _, ev := range tw.w.Trace().Events {
		if ev.Kind == sim.KindLog && strings.Contains(ev.Text, text) {
			return true
		}
	}
	return false
}

// restart crashes the node's host (power loss) and starts the node again.
func (tw *testWorld) crashAndRestart() {
	tw.host.Crash()
	tw.w.RunFor(10 * time.Millisecond)
	tw.node.Start()
	tw.w.RunFor(10 * time.Millisecond)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
