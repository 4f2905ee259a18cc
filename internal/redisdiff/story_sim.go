package redisdiff

import (
	"strconv"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// simStoryWorld runs a story on Redsim nodes in a simulated world, one
// host per node (named after it) and a host "c" for the story's clients,
// on virtual time: the world runs only while the story waits for a reply
// or a state.
type simStoryWorld struct {
	w       *sim.World
	procs   map[string]*sim.Process
	clients map[string]*simStoryClient
	spawned int
	// timeout bounds each wait, in virtual time.
	timeout time.Duration
}

// storyPort is the port of every simulated node (each has its own host).
const storyPort = 6379

func newSimStoryWorld(t testing.TB, seed uint64) *simStoryWorld {
	t.Helper()
	w := sim.NewWorld(seed)
	if _, err := network.New(w, network.Config{Latency: sim.FixedDist(500 * time.Microsecond)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddHost("c", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	return &simStoryWorld{w: w, procs: map[string]*sim.Process{}, clients: map[string]*simStoryClient{}, timeout: time.Minute}
}

// simStoryConfig is the node's configuration for a story: Redis's
// defaults, no save points (as the real servers' --save ""), and
// storyOptions.
func simStoryConfig(t testing.TB, replicaOf string) redis.Config {
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.Port = storyPort
	cfg.ReplicaOf = replicaOf
	for i := 0; i < len(storyOptions); i += 2 {
		v, err := strconv.Atoi(storyOptions[i+1])
		if err != nil {
			t.Fatalf("redisdiff: story option %s %q: %v", storyOptions[i], storyOptions[i+1], err)
		}
		switch storyOptions[i] {
		case "repl-diskless-sync-delay":
			cfg.ReplDisklessSyncDelay = v
		case "repl-ping-replica-period":
			cfg.ReplPingReplicaPeriod = v
		default:
			t.Fatalf("redisdiff: story option %s has no simulated counterpart here", storyOptions[i])
		}
	}
	return cfg
}

func (w *simStoryWorld) start(t testing.TB, names []string) {
	t.Helper()
	for i, name := range names {
		h, err := w.w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(2 * time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		replicaOf := ""
		if i > 0 {
			replicaOf = names[0] + ":" + strconv.Itoa(storyPort)
		}
		p, err := h.Spawn("redis-"+name, redis.Program(simStoryConfig(t, replicaOf)))
		if err != nil {
			t.Fatal(err)
		}
		w.procs[name] = p
		p.Start()
	}
	w.w.RunFor(time.Millisecond)
}

func (w *simStoryWorld) do(t testing.TB, name string, args []string) []byte {
	t.Helper()
	c := w.client(t, name)
	want := len(c.replies) + 1
	c.conn.Write(resp.AppendCommandStrings(nil, args...))
	if !w.until(func() bool { return len(c.replies) >= want || c.closed }) || len(c.replies) < want {
		t.Fatalf("redisdiff: %s: no reply to %v within %v of virtual time (closed=%v)", name, args, w.timeout, c.closed)
	}
	return c.replies[want-1]
}

// client returns the open connection to node, dialing one if there is
// none: each connection is a process of its own on host c.
func (w *simStoryWorld) client(t testing.TB, name string) *simStoryClient {
	t.Helper()
	if c := w.clients[name]; c != nil && !c.closed {
		return c
	}
	c := &simStoryClient{rr: resp.NewReplyReader()}
	w.spawned++
	p, err := w.w.Host("c").Spawn("client-"+name+"-"+strconv.Itoa(w.spawned), func(env sim.Env) sim.Node {
		c.conn = env.Dial(name+":"+strconv.Itoa(storyPort), time.Second, c)
		return c
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	if !w.until(func() bool { return c.open || c.closed }) || !c.open {
		t.Fatalf("redisdiff: could not connect to %s", name)
	}
	w.clients[name] = c
	return c
}

func (w *simStoryWorld) up(name string) bool {
	p := w.procs[name]
	return p != nil && p.State() != sim.Down
}

func (w *simStoryWorld) stop(t testing.TB, name string) {
	t.Helper()
	c := w.client(t, name)
	c.conn.Write(resp.AppendCommandStrings(nil, "SHUTDOWN"))
	if !w.until(func() bool { return !w.up(name) }) {
		t.Fatalf("redisdiff: %s did not exit within %v of SHUTDOWN", name, w.timeout)
	}
}

func (w *simStoryWorld) restart(t testing.TB, name string) {
	t.Helper()
	w.procs[name].Start()
	w.w.RunFor(time.Millisecond)
}

func (w *simStoryWorld) addr(name string) (string, string) {
	if name == nowhere {
		return "c", "1" // the clients' host, where nothing listens
	}
	return name, strconv.Itoa(storyPort)
}

func (w *simStoryWorld) sleep(d time.Duration) { w.w.RunFor(d) }

func (w *simStoryWorld) until(cond func() bool) bool {
	deadline := w.w.Now().Duration() + w.timeout
	for !cond() {
		if w.w.Now().Duration() >= deadline {
			return false
		}
		w.w.RunFor(time.Millisecond)
	}
	return true
}

// simStoryClient is one client connection of a story, as a sim.Node of
// its own: it collects the raw replies the node sends.
type simStoryClient struct {
	conn         sim.Conn
	rr           *resp.ReplyReader
	replies      [][]byte
	open, closed bool
}

func (c *simStoryClient) Stop() {}

func (c *simStoryClient) OnOpen(sim.Conn) { c.open = true }

func (c *simStoryClient) OnData(_ sim.Conn, p []byte) {
	c.rr.Feed(p)
	for {
		pending := c.rr.Peek()
		before := len(pending)
		_, ok, err := c.rr.Next()
		if err != nil || !ok {
			if err != nil {
				c.conn.Abort()
				c.closed = true
			}
			return
		}
		c.replies = append(c.replies, append([]byte(nil), pending[:before-c.rr.Buffered()]...))
	}
}

func (c *simStoryClient) OnClose(sim.Conn, error) { c.closed = true }
