package redisdiff

import (
	"strconv"
	"testing"
	"time"
)

// realStoryWorld runs a story on real redis-server processes on loopback
// ports, each with its own directory, in real time.
type realStoryWorld struct {
	bin   string
	nodes map[string]*realStoryNode
	// Timeout bounds each await.
	timeout time.Duration
}

type realStoryNode struct {
	port  int
	dir   string
	extra []string
	proc  *oracleProc
	conn  *Conn
	// logs are the outputs of the node's servers that exited.
	logs string
}

// newRealStoryWorld finds the oracle (skipping the test without one, or
// failing it under CI=true); the servers are stopped when the test ends.
func newRealStoryWorld(t testing.TB) *realStoryWorld {
	t.Helper()
	w := &realStoryWorld{bin: oracleBin(t), nodes: map[string]*realStoryNode{}, timeout: 10 * time.Second}
	t.Cleanup(func() {
		for name, n := range w.nodes {
			if n.conn != nil {
				_ = n.conn.nc.Close()
			}
			if n.proc != nil {
				n.proc.stop()
				n.logs += n.proc.out.String()
			}
			if t.Failed() {
				t.Logf("redis-server %s's log:\n%s", name, n.logs)
			}
		}
	})
	return w
}

func (w *realStoryWorld) start(t testing.TB, names []string) {
	t.Helper()
	var master *realStoryNode
	for i, name := range names {
		// Notice-level logs say what the replication did, for a failure.
		n := &realStoryNode{dir: t.TempDir(), extra: []string{"--loglevel", "notice"}}
		for j := 0; j < len(storyOptions); j += 2 {
			n.extra = append(n.extra, "--"+storyOptions[j], storyOptions[j+1])
		}
		if i > 0 {
			n.extra = append(n.extra, "--replicaof", "127.0.0.1", strconv.Itoa(master.port))
		}
		w.nodes[name] = n
		w.launch(t, name, n, true)
		if i == 0 {
			master = n
		}
	}
}

// launch starts n's server, on a free port the first time (retrying if
// another process takes it first) and on the same port again after.
func (w *realStoryWorld) launch(t testing.TB, name string, n *realStoryNode, fresh bool) {
	t.Helper()
	var out string
	for range 5 {
		if fresh {
			port, err := freePort()
			if err != nil {
				t.Fatalf("redisdiff: finding a free port: %v", err)
			}
			n.port = port
		}
		p, o, err := launchOracle(w.bin, n.port, n.dir, n.extra)
		if err != nil {
			t.Fatalf("redisdiff: %s: %v", name, err)
		}
		if p != nil {
			n.proc = p
			return
		}
		out = o
		if !fresh {
			break
		}
	}
	t.Fatalf("redisdiff: %s: redis-server did not start; its output:\n%s", name, out)
}

func (w *realStoryWorld) node(t testing.TB, name string) *realStoryNode {
	t.Helper()
	n := w.nodes[name]
	if n == nil || n.proc == nil {
		t.Fatalf("redisdiff: node %s is not running", name)
	}
	return n
}

func (w *realStoryWorld) do(t testing.TB, name string, args []string) []byte {
	t.Helper()
	n := w.node(t, name)
	if n.conn == nil {
		c, err := Dial(n.proc.addr)
		if err != nil {
			t.Fatalf("redisdiff: %s: %v", name, err)
		}
		n.conn = c
	}
	reply, err := n.conn.DoStrings(args...)
	if err != nil {
		t.Fatalf("redisdiff: %s: %v: %v", name, args, err)
	}
	return reply
}

func (w *realStoryWorld) up(name string) bool {
	n := w.nodes[name]
	return n != nil && n.proc != nil
}

func (w *realStoryWorld) stop(t testing.TB, name string) {
	t.Helper()
	n := w.node(t, name)
	if n.conn == nil {
		w.do(t, name, []string{"PING"})
	}
	// SHUTDOWN has no reply: the server closes the connection as it exits.
	if err := n.conn.Send([]byte("SHUTDOWN")); err != nil {
		t.Fatalf("redisdiff: %s: SHUTDOWN: %v", name, err)
	}
	select {
	case <-n.proc.exited:
	case <-time.After(w.timeout):
		t.Fatalf("redisdiff: %s did not exit within %v of SHUTDOWN; its output:\n%s", name, w.timeout, n.proc.out.String())
	}
	_ = n.conn.nc.Close()
	n.logs += n.proc.out.String()
	n.conn, n.proc = nil, nil
}

func (w *realStoryWorld) restart(t testing.TB, name string) {
	t.Helper()
	n := w.nodes[name]
	if n.proc != nil {
		t.Fatalf("redisdiff: %s is already running", name)
	}
	w.launch(t, name, n, false)
}

func (w *realStoryWorld) addr(name string) (string, string) {
	if name == nowhere {
		return "127.0.0.1", "1" // tcpmux, which nothing serves
	}
	return "127.0.0.1", strconv.Itoa(w.nodes[name].port)
}

func (w *realStoryWorld) sleep(d time.Duration) { time.Sleep(d) }

func (w *realStoryWorld) until(cond func() bool) bool {
	deadline := time.Now().Add(w.timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
