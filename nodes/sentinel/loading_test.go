package sentinel

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

// A replica that loads a big dataset (a full resync after its restart)
// answers the sentinels' PINGs -LOADING, which Sentinel takes as a valid
// reply: it is not marked +sdown however much longer than down-after its
// load lasts.
func TestLoadingReplicaIsNotSdown(t *testing.T) {
	tw := newWorld(t, worldOpts{sentinels: 1, quorum: 1})
	// A replica of our own, whose loads run at 1 MB/s: a 12 MB snapshot
	// takes 12 s, over twice down-after, and it answers every 2 MB, 2 s.
	h, err := tw.w.AddHost("r2", sim.HostConfig{Disk: sim.DiskConfig{FsyncLatency: sim.FixedDist(time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := redis.DefaultConfig()
	cfg.Save = nil
	cfg.ReplicaOf = "r1:6379"
	cfg.LoadRDBBytesPerSecond = 1_000_000
	r2 := mustSpawn(t, h, "redis-r2", redis.Program(cfg))
	r2.Start()
	if !tw.runUntil(30*time.Second, func() bool { return tw.saw("+slave") > 0 }) {
		tw.dump()
		t.Fatal("the sentinel never discovered the replica")
	}
	m := tw.dial("r1:6379")
	for _, cmd := range [][]string{{"CONFIG", "SET", "rdbcompression", "no"}, {"DEBUG", "POPULATE", "1200", "key", "10000"}} {
		if v := m.do(cmd...); v.IsError() {
			t.Fatalf("%v: %s", cmd, v.Str)
		}
	}
	// The restarted replica has no file (no save points): it loads its
	// master's snapshot.
	h.Crash()
	tw.w.RunFor(100 * time.Millisecond)
	r2.Start()
	if !tw.runUntil(5*time.Second, func() bool { return loading(r2) }) {
		t.Fatal("the replica never loaded the snapshot")
	}
	c := tw.dial("r2:6379")
	if v := c.do("PING"); !v.IsError() || !strings.HasPrefix(string(v.Str), "LOADING") {
		t.Fatalf("PING to the loading replica: %q", v.Str)
	}
	began := tw.w.Now().Duration()
	tw.runUntil(time.Minute, func() bool { return !loading(r2) })
	if took := tw.w.Now().Duration() - began; took < 3*testDownAfter*time.Millisecond/2 {
		t.Fatalf("the load lasted %v after the first PING, want well over down-after", took)
	}
	if n := tw.saw("+sdown"); n != 0 {
		tw.dump()
		t.Fatalf("%d +sdown while the replica loaded", n)
	}
	if v := c.do("PING"); v.IsError() || string(v.Str) != "PONG" {
		t.Fatalf("PING after the load: %q", v.Str)
	}
}

func mustSpawn(t *testing.T, h *sim.Host, name string, prog sim.Program) *sim.Process {
	t.Helper()
	p, err := h.Spawn(name, prog)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loading reports whether the Redis process is up and loading its
// dataset, as its INFO says.
func loading(p *sim.Process) bool {
	n, ok := p.Node().(*redis.Server)
	return ok && n != nil && n.Loading()
}
