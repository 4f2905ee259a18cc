package network

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/sim"
)

// handler records what a connection saw.
type handler struct {
	w      *sim.World
	opened clock.Time
	data   strings.Builder
	closed error
	gotEOF bool
	echo   bool
}

func (h *handler) OnOpen(c sim.Conn) { h.opened = h.w.Now() }
func (h *handler) OnData(c sim.Conn, p []byte) {
	h.data.Write(p)
	if h.echo {
		c.Write(p)
	}
}
func (h *handler) OnClose(c sim.Conn, err error) {
	h.closed = err
	h.gotEOF = err == nil
}

type nopNode struct{}

func (nopNode) Stop() {}

// world builds hosts n1..nN, each with one process; server processes listen on
// port 7000 and echo.
type testWorld struct {
	w       *sim.World
	n       *Network
	procs   []*sim.Process
	envs    []sim.Env
	servers []*handler
}

func newTestWorld(t *testing.T, hosts int, cfg Config) *testWorld {
	t.Helper()
	tw := &testWorld{w: sim.NewWorld(1)}
	var err error
	if tw.n, err = New(tw.w, cfg); err != nil {
		t.Fatal(err)
	}
	tw.envs = make([]sim.Env, hosts)
	for i := 0; i < hosts; i++ {
		i := i
		h, err := tw.w.AddHost(fmt.Sprintf("n%d", i+1), sim.HostConfig{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.Spawn(h.Name(), func(env sim.Env) sim.Node {
			tw.envs[i] = env
			err := env.Listen(7000, func(c sim.Conn) sim.ConnHandler {
				sh := &handler{w: tw.w, echo: true}
				tw.servers = append(tw.servers, sh)
				return sh
			})
			if err != nil {
				t.Error(err)
			}
			return nopNode{}
		})
		if err != nil {
			t.Fatal(err)
		}
		p.Start()
		tw.procs = append(tw.procs, p)
	}
	return tw
}

func (tw *testWorld) dial(from int, to string) (*handler, sim.Conn) {
	h := &handler{w: tw.w, opened: -1}
	c := tw.envs[from].Dial(to, time.Second, h)
	return h, c
}

var fixed = Config{Latency: sim.FixedDist(time.Millisecond)}

func TestEchoInOrderAndClose(t *testing.T) {
	tw := newTestWorld(t, 2, Config{Latency: sim.UniformDist(0, 10*time.Millisecond)})
	h, c := tw.dial(0, "n2:7000")
	var want strings.Builder
	for i := 0; i < 200; i++ {
		msg := fmt.Sprintf("msg%d;", i)
		want.WriteString(msg)
		c.Write([]byte(msg)) // before OnOpen: sent once open
	}
	tw.w.RunFor(time.Second)
	if h.opened < 0 {
		t.Fatal("never opened")
	}
	if h.data.String() != want.String() {
		t.Fatalf("echo out of order or incomplete:\n got %.80q\nwant %.80q", h.data.String(), want.String())
	}
	c.Close()
	tw.w.RunFor(time.Second)
	if !tw.servers[0].gotEOF {
		t.Fatalf("server did not see an orderly close: %v", tw.servers[0].closed)
	}
	if h.closed != nil {
		t.Fatalf("own Close reported to own handler: %v", h.closed)
	}
}

func TestOpenTakesARoundTrip(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, _ := tw.dial(0, "n2:7000")
	tw.w.RunFor(time.Second)
	if h.opened != clock.Time(2*time.Millisecond) {
		t.Fatalf("opened at %v, want 2ms", h.opened)
	}
}

func TestDialRefusedAndTimeout(t *testing.T) {
	tw := newTestWorld(t, 3, fixed)
	h, _ := tw.dial(0, "n2:9999")
	tw.w.RunFor(time.Second)
	if !errors.Is(h.closed, sim.ErrRefused) {
		t.Fatalf("dial to a closed port: %v", h.closed)
	}
	must(t, tw.n.Isolate("n3"))
	h, _ = tw.dial(0, "n3:7000")
	tw.w.RunFor(500 * time.Millisecond)
	if h.closed != nil {
		t.Fatal("dial failed before its timeout")
	}
	tw.w.RunFor(time.Second)
	if !errors.Is(h.closed, sim.ErrDialTimeout) {
		t.Fatalf("dial to an unreachable host: %v", h.closed)
	}
	tw.n.Heal()
	tw.w.RunFor(time.Second)
	if len(tw.servers) != 0 {
		t.Fatal("a timed-out dial reached the server after the heal")
	}
	h, _ = tw.dial(0, "nowhere:7000")
	tw.w.RunFor(time.Millisecond)
	if !errors.Is(h.closed, sim.ErrNoHost) {
		t.Fatalf("dial to an unknown host: %v", h.closed)
	}
}

func TestPartitionHoldsTrafficUntilHeal(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, c := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	must(t, tw.n.Split([][]string{{"n1"}, {"n2"}}))
	c.Write([]byte("a"))
	c.Write([]byte("b"))
	tw.w.RunFor(time.Minute)
	if tw.servers[0].data.Len() != 0 {
		t.Fatal("data crossed a partition")
	}
	tw.n.Heal()
	c.Write([]byte("c"))
	tw.w.RunFor(time.Second)
	if got := h.data.String(); got != "abc" {
		t.Fatalf("after heal the client got back %q, want abc", got)
	}
}

func TestHeldTrafficIsLostWhenTheReceiverCloses(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	_, c := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	must(t, tw.n.Isolate("n2"))
	c.Write([]byte("held"))
	tw.w.RunFor(time.Second)
	c.Abort()
	tw.n.Heal()
	tw.w.RunFor(time.Second)
	if tw.servers[0].data.Len() != 0 {
		t.Fatal("data of an aborted connection arrived after the heal")
	}
	if !errors.Is(tw.servers[0].closed, sim.ErrReset) {
		t.Fatalf("server saw %v, want a reset", tw.servers[0].closed)
	}
}

func TestOneWayAndBridge(t *testing.T) {
	tw := newTestWorld(t, 3, fixed)
	_, c12 := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	must(t, tw.n.OneWay([]string{"n2"}, []string{"n1"}))
	c12.Write([]byte("x"))
	tw.w.RunFor(time.Second)
	if tw.servers[0].data.String() != "x" {
		t.Fatal("one-way cut blocked the open direction")
	}
	if !tw.n.Blocked("n2", "n1") || tw.n.Blocked("n1", "n2") {
		t.Fatal("one-way cut in the wrong direction")
	}
	tw.n.Heal()
	must(t, tw.n.Bridge([]string{"n1"}, []string{"n3"}, "n2"))
	if !tw.n.Blocked("n1", "n3") || !tw.n.Blocked("n3", "n1") || tw.n.Blocked("n1", "n2") || tw.n.Blocked("n3", "n2") {
		t.Fatal("bridge: wrong links cut")
	}
	if err := tw.n.Isolate("n9"); err == nil || !strings.Contains(err.Error(), `"n9"`) {
		t.Fatalf("unknown host: %v", err)
	}
}

func TestClogAndSlow(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, c := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	must(t, tw.n.Clog("n1", "n2"))
	c.Write([]byte("a"))
	tw.n.Heal() // heal does not release a clog
	tw.w.RunFor(time.Second)
	if h.data.Len() != 0 {
		t.Fatal("clogged link delivered")
	}
	must(t, tw.n.Unclog("n1", "n2"))
	tw.w.RunFor(time.Second)
	if h.data.String() != "a" {
		t.Fatalf("after unclog got %q", h.data.String())
	}
	must(t, tw.n.Slow("n1", "n2", 50))
	start := tw.w.Now()
	c.Write([]byte("b"))
	for h.data.Len() < 2 {
		tw.w.RunFor(time.Millisecond)
	}
	if rtt := tw.w.Now().Sub(start); rtt < 100*time.Millisecond || rtt > 101*time.Millisecond {
		t.Fatalf("slowed round trip took %v, want 100ms", rtt)
	}
}

func TestCrashResetsPeersAndPauseHoldsInput(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, c := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	tw.procs[1].Pause()
	c.Write([]byte("wait"))
	tw.w.RunFor(time.Second)
	if tw.servers[0].data.Len() != 0 {
		t.Fatal("a paused process got input")
	}
	tw.procs[1].Resume()
	tw.w.RunFor(10 * time.Millisecond)
	if h.data.String() != "wait" {
		t.Fatalf("after resume got %q", h.data.String())
	}
	tw.procs[1].Host().Crash()
	tw.w.RunFor(10 * time.Millisecond)
	if !errors.Is(h.closed, sim.ErrReset) {
		t.Fatalf("peer of a crashed process saw %v", h.closed)
	}
	h2, _ := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	if !errors.Is(h2.closed, sim.ErrRefused) {
		t.Fatalf("dial to a crashed process: %v", h2.closed)
	}
	tw.procs[1].Restart(0)
	h3, _ := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	if h3.opened < 0 {
		t.Fatal("restarted process did not accept")
	}
}

func TestGracefulStopClosesInOrder(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, _ := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	tw.procs[1].Stop()
	tw.w.RunFor(10 * time.Millisecond)
	if !h.gotEOF {
		t.Fatalf("peer of a stopped process saw %v, want EOF", h.closed)
	}
}

func TestResetConns(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	h, _ := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	n, err := tw.n.ResetConns("n1", "n2")
	if err != nil || n != 1 {
		t.Fatalf("ResetConns: %d, %v", n, err)
	}
	tw.w.RunFor(10 * time.Millisecond)
	if !errors.Is(h.closed, sim.ErrReset) || !errors.Is(tw.servers[0].closed, sim.ErrReset) {
		t.Fatalf("after reset: client %v, server %v", h.closed, tw.servers[0].closed)
	}
}

func TestListenPortInUse(t *testing.T) {
	tw := newTestWorld(t, 1, fixed)
	err := tw.envs[0].Listen(7000, func(sim.Conn) sim.ConnHandler { return nil })
	if !errors.Is(err, sim.ErrPortInUse) {
		t.Fatalf("second listen: %v", err)
	}
}

func TestLatencyDistributionsAreFIFO(t *testing.T) {
	for _, d := range []sim.Dist{sim.UniformDist(0, 50*time.Millisecond), sim.LogNormalDist(time.Millisecond, 5*time.Millisecond, 1.5)} {
		tw := newTestWorld(t, 2, Config{Latency: d})
		h, c := tw.dial(0, "n2:7000")
		var want strings.Builder
		for i := 0; i < 300; i++ {
			i := i
			tw.w.After(time.Duration(i)*100*time.Microsecond, func() {
				c.Write([]byte{byte(i)})
			})
			want.WriteByte(byte(i))
		}
		tw.w.RunFor(10 * time.Second)
		if h.data.String() != want.String() {
			t.Fatalf("%v: bytes reordered", d)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRestoreEndsEveryNetworkFault(t *testing.T) {
	tw := newTestWorld(t, 3, fixed)
	h, c := tw.dial(0, "n2:7000")
	tw.w.RunFor(10 * time.Millisecond)
	must(t, tw.n.Isolate("n3"))
	must(t, tw.n.Clog("n1", "n2"))
	must(t, tw.n.Slow("n1", "n2", 100))
	c.Write([]byte("x"))
	tw.w.RunFor(time.Second)
	tw.n.Restore()
	start := tw.w.Now()
	tw.w.RunFor(10 * time.Millisecond)
	if h.data.String() != "x" || tw.n.Blocked("n3", "n1") || tw.n.Blocked("n1", "n2") {
		t.Fatalf("after Restore: echoed %q, n3->n1 blocked %v", h.data.String(), tw.n.Blocked("n3", "n1"))
	}
	c.Write([]byte("y"))
	for h.data.Len() < 2 {
		tw.w.RunFor(time.Millisecond)
	}
	if rtt := tw.w.Now().Sub(start); rtt > 20*time.Millisecond {
		t.Fatalf("round trip after Restore took %v: the link is still slow", rtt)
	}
}

func TestEphemeralPortsWrap(t *testing.T) {
	tw := newTestWorld(t, 2, fixed)
	tw.n.ephemeral[0] = 61000 - 32768 - 1
	_, last := tw.dial(0, "n2:7000")
	_, wrapped := tw.dial(0, "n2:7000")
	if last.LocalAddr() != "n1:60999" || wrapped.LocalAddr() != "n1:32768" {
		t.Fatalf("ports %s then %s, want n1:60999 then n1:32768", last.LocalAddr(), wrapped.LocalAddr())
	}
}

// A connection that ended before its SYN got through leaves nothing on
// its links: a long run that dials through many partitions must not keep
// every such connection, and with it the dialer's handler.
func TestConnEndedBeforeSYNIsForgotten(t *testing.T) {
	held := func(tw *testWorld) int {
		n := 0
		for _, l := range tw.n.links { //redsim:ordered a count
			n += len(l.pipes)
		}
		return n
	}
	for _, end := range []struct {
		name string
		do   func(tw *testWorld, c sim.Conn)
	}{
		{"close", func(tw *testWorld, c sim.Conn) { c.Close() }},
		{"abort", func(tw *testWorld, c sim.Conn) { c.Abort() }},
		{"middlebox reset", func(tw *testWorld, c sim.Conn) {
			if _, err := tw.n.ResetConns("n1", "n2"); err != nil {
				t.Fatal(err)
			}
		}},
		{"dial timeout", func(tw *testWorld, c sim.Conn) { tw.w.RunFor(2 * time.Second) }},
	} {
		tw := newTestWorld(t, 2, fixed)
		// Only the SYN's way is cut: what comes back (a middlebox's RST)
		// arrives before it.
		must(t, tw.n.OneWay([]string{"n1"}, []string{"n2"}))
		_, c := tw.dial(0, "n2:7000")
		tw.w.RunFor(10 * time.Millisecond)
		end.do(tw, c)
		tw.w.RunFor(10 * time.Millisecond)
		tw.n.Heal()
		tw.w.RunFor(time.Second)
		if n := held(tw); n != 0 {
			t.Errorf("%s before the SYN arrived: the links still hold %d pipes", end.name, n)
		}
	}
}

// readTimes records when each read of a connection came.
type readTimes struct {
	handler
	at []clock.Time
}

func (r *readTimes) OnData(c sim.Conn, p []byte) {
	r.at = append(r.at, r.w.Now())
	r.handler.OnData(c, p)
}

// TestArrivedBytesAreOneRead: a segment that would have beaten an earlier
// one waits for it (FIFO), and then both are there for the reader, as
// TCP holds an out-of-order segment until the gap is filled and a read
// returns everything that arrived: one read, never two reads in one
// instant.
func TestArrivedBytesAreOneRead(t *testing.T) {
	tw := newTestWorld(t, 2, Config{Latency: sim.UniformDist(0, 50*time.Millisecond)})
	r := &readTimes{handler: handler{w: tw.w}}
	c := tw.envs[0].Dial("n2:7000", time.Second, r) // the server echoes
	tw.w.RunFor(time.Second)
	var want strings.Builder
	for i := 0; i < 300; i++ {
		i := i
		tw.w.After(time.Duration(i)*100*time.Microsecond, func() { c.Write([]byte{byte(i)}) })
		want.WriteByte(byte(i))
	}
	tw.w.RunFor(10 * time.Second)
	if r.data.String() != want.String() {
		t.Fatalf("the echo came back as %d bytes, reordered or short", r.data.Len())
	}
	if len(r.at) >= 300 {
		t.Fatalf("%d reads for 300 writes with latencies of 0-50 ms: no segments arrived together", len(r.at))
	}
	for i := 1; i < len(r.at); i++ {
		if r.at[i] == r.at[i-1] {
			t.Fatalf("reads %d and %d both at %v: bytes that had arrived were read apart", i-1, i, r.at[i])
		}
	}
}
