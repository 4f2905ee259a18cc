package redis

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// replWorld is one world with several nodes (one host each) and a client
// host; nodes[i] is a testWorld sharing the world.
type replWorld struct {
	t     *testing.T
	w     *sim.World
	net   *network.Network
	nodes []*testWorld
}

func newReplWorld(t *testing.T, seed uint64, names []string, cfg func(i int) Config) *replWorld {
	t.Helper()
	w := sim.NewWorld(seed)
	w.Trace().Keep(sim.LevelInfo)
	nw, err := network.New(w, network.Config{Latency: sim.FixedDist(500 * time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	rw := &replWorld{t: t, w: w, net: nw}
	for i, name := range names {
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(2 * time.Millisecond)}})
		if err != nil {
			t.Fatal(err)
		}
		c := cfg(i)
		p, _ := h.Spawn("redis-"+name, Program(c))
		rw.nodes = append(rw.nodes, &testWorld{t: t, w: w, host: h, node: p, cfg: c})
	}
	if _, err := w.AddHost("c1", sim.HostConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range rw.nodes {
		n.node.Start()
	}
	return rw
}

func replicaConfig(master string) Config {
	cfg := DefaultConfig()
	cfg.Save = nil
	cfg.ReplicaOf = master
	return cfg
}

func masterConfig() Config {
	cfg := DefaultConfig()
	cfg.Save = nil
	return cfg
}

// info returns one INFO replication field of node i.
func (rw *replWorld) info(c *testConn, field string) string {
	got := c.do("INFO", "replication")
	for _, line := range strings.Split(got, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func TestReplicationFullSyncAndStream(t *testing.T) {
	rw := newReplWorld(t, 1, []string{"m", "r1", "r2"}, func(i int) Config {
		if i == 0 {
			return masterConfig()
		}
		return replicaConfig("m:6379")
	})
	m := rw.nodes[0].dial()
	for i := 0; i < 100; i++ {
		m.do("SET", "k"+itoa(int64(i)), "v")
	}
	m.do("SET", "t", "x", "PX", "100000")
	rw.w.RunFor(7 * time.Second)
	m.do("LPUSH", "l", "a", "b")
	m.do("SELECT", "3")
	m.do("INCR", "n")
	rw.w.RunFor(100 * time.Millisecond)
	want := m.do("DEBUG", "DIGEST")
	for _, r := range rw.nodes[1:] {
		c := r.dial()
		if got := c.do("DEBUG", "DIGEST"); got != want {
			t.Fatalf("%s digest %q, master %q", r.host.Name(), got, want)
		}
		if got := c.do("SET", "x", "1"); got != "-READONLY You can't write against a read only replica.\r\n" {
			t.Fatalf("write on replica: %q", got)
		}
		if got := rw.info(c, "master_link_status"); got != "up" {
			t.Fatalf("link %q", got)
		}
	}
	if got := rw.info(m, "connected_slaves"); got != "2" {
		t.Fatalf("connected_slaves %q", got)
	}
	if got := m.do("WAIT", "2", "1000"); got != ":2\r\n" {
		t.Fatalf("WAIT: %q", got)
	}
}
