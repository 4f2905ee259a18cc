package sentinel

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/nodes/resp"
	"github.com/redsim/redsim/sim"
)

// world is a small simulated deployment: Redis nodes r1..rN (r1 the
// master, the others its replicas) and sentinels s1..sM on hosts of their
// own, each sentinel monitoring "mymaster" at r1:6379.
type world struct {
	t         testing.TB
	w         *sim.World
	net       *network.Network
	redis     []*sim.Process
	sentinels []*sim.Process
	events    []string // "<sentinel> <type> <msg>", in order
	times     []time.Duration
}

type worldOpts struct {
	seed      uint64
	replicas  int
	sentinels int
	quorum    int
	// extra is appended to every sentinel's configuration file.
	extra string
	// requirepass is set on every Redis node.
	requirepass string
	// priority sets replica-priority per Redis node index (0-based).
	priority map[int]int
}

const testDownAfter = 5000

func newWorld(t testing.TB, o worldOpts) *world {
	t.Helper()
	if o.seed == 0 {
		o.seed = 1
	}
	w := sim.NewWorld(o.seed)
	t.Cleanup(w.Close) // ends the Redis nodes' script coroutines before goleak looks
	n, err := network.New(w, network.Config{Latency: sim.UniformDist(200*time.Microsecond, 800*time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	w.Trace().Keep(sim.LevelInfo)
	tw := &world{t: t, w: w, net: n}
	for i := 0; i <= o.replicas; i++ {
		name := "r" + strconv.Itoa(i+1)
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		if i > 0 {
			cfg.ReplicaOf = "r1:6379"
		}
		cfg.RequirePass = o.requirepass
		cfg.MasterAuth = o.requirepass
		if p, ok := o.priority[i]; ok {
			cfg.ReplicaPriority = p
		}
		p, err := h.Spawn("redis-"+name, redis.Program(cfg))
		if err != nil {
			t.Fatal(err)
		}
		tw.redis = append(tw.redis, p)
	}
	for i := 0; i < o.sentinels; i++ {
		name := "s" + strconv.Itoa(i+1)
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		conf := "port 26379\nsentinel monitor mymaster r1 6379 " + strconv.Itoa(o.quorum) + "\n" +
			"sentinel down-after-milliseconds mymaster " + strconv.Itoa(testDownAfter) + "\n" +
			"sentinel failover-timeout mymaster 60000\n" + o.extra
		if err := h.Disk().Write(DefaultConfigFile, []byte(conf)); err != nil {
			t.Fatal(err)
		}
		sname := name
		p, err := h.Spawn("sentinel-"+name, Program(Options{OnEvent: func(typ, msg string) {
			tw.events = append(tw.events, sname+" "+typ+" "+msg)
			tw.times = append(tw.times, tw.w.Now().Duration())
		}}))
		if err != nil {
			t.Fatal(err)
		}
		tw.sentinels = append(tw.sentinels, p)
	}
	for _, p := range tw.redis {
		p.Start()
	}
	w.RunFor(2 * time.Second)
	for _, p := range tw.sentinels {
		p.Start()
	}
	return tw
}

func (tw *world) sentinel(i int) *Sentinel {
	n := tw.sentinels[i].Node()
	if n == nil {
		return nil
	}
	return n.(*Sentinel)
}

// runUntil runs the world until cond holds, at most max of virtual time.
func (tw *world) runUntil(max time.Duration, cond func() bool) bool {
	deadline := tw.w.Now().Add(max)
	for tw.w.Now() < deadline {
		if cond() {
			return true
		}
		tw.w.RunFor(50 * time.Millisecond)
	}
	return cond()
}

// saw counts the events of type typ (any sentinel).
func (tw *world) saw(typ string) int {
	n := 0
	for _, e := range tw.events {
		f := strings.SplitN(e, " ", 3)
		if f[1] == typ {
			n++
		}
	}
	return n
}

// first is the time of the first event of sentinel who ("s1") of type
// typ, or -1.
func (tw *world) first(who, typ string) time.Duration {
	for i, e := range tw.events {
		if strings.HasPrefix(e, who+" "+typ+" ") {
			return tw.times[i]
		}
	}
	return -1
}

func (tw *world) dump() {
	for _, e := range tw.events {
		tw.t.Log(e)
	}
}

// masterAddr is what sentinel i answers to GET-MASTER-ADDR-BY-NAME.
func (tw *world) masterAddr(i int) string {
	s := tw.sentinel(i)
	if s == nil {
		return ""
	}
	m := s.masterByName("mymaster")
	if m == nil {
		return ""
	}
	return currentMasterAddr(m).String()
}

func (tw *world) role(i int) string {
	n := tw.redis[i].Node()
	if n == nil {
		return "down"
	}
	return n.(*redis.Server).Role()
}

// tconn is a test client connection to a process's port.
type tconn struct {
	tw      *world
	c       sim.Conn
	rr      *resp.ReplyReader
	replies []resp.Value
	closed  bool
}

func (c *tconn) OnOpen(sim.Conn) {}
func (c *tconn) OnData(_ sim.Conn, p []byte) {
	c.rr.Feed(p)
	for {
		v, ok, err := c.rr.Next()
		if err != nil || !ok {
			return
		}
		c.replies = append(c.replies, v)
	}
}
func (c *tconn) OnClose(sim.Conn, error) { c.closed = true }

type nopNode struct{}

func (nopNode) Stop() {}

// dial opens a client from a host of its own to addr.
func (tw *world) dial(addr string) *tconn {
	c := &tconn{tw: tw, rr: resp.NewReplyReader()}
	name := "client" + strconv.Itoa(len(tw.w.Hosts()))
	h, err := tw.w.AddHost(name, sim.HostConfig{})
	if err != nil {
		tw.t.Fatal(err)
	}
	p, _ := h.Spawn(name, func(env sim.Env) sim.Node {
		c.c = env.Dial(addr, time.Second, c)
		return nopNode{}
	})
	p.Start()
	return c
}

// do sends a command and waits for its reply (10 s of virtual time).
func (c *tconn) do(args ...string) resp.Value {
	c.tw.t.Helper()
	n := len(c.replies)
	c.c.Write(resp.AppendCommandStrings(nil, args...))
	if !c.tw.runUntil(10*time.Second, func() bool { return len(c.replies) > n || c.closed }) || len(c.replies) == n {
		c.tw.t.Fatalf("%v: no reply", args)
	}
	return c.replies[n]
}
