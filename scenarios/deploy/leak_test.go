package deploy

import (
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// An incarnation that crashed and was replaced is garbage: nothing in the
// world, the network, the clients or the deployment keeps its server, so
// a long run with many restarts does not keep every dataset it loaded.
func TestReplacedIncarnationIsCollected(t *testing.T) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	hist := &history.History{}
	ns := nodes("m", "r", "r2")
	for i := range ns {
		c := &ns[i].Config
		c.AppendOnly = true
		c.ReplTimeoutSeconds, c.ReplBacklogSize, c.ReplPingReplicaPeriod, c.ReplDisklessSyncDelay = 3, 16<<10, 1, 1
		ns[i].Disk = sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}
	}
	dep, err := Build(w, n, Deployment{
		Latency: sim.FixedDist(200 * time.Microsecond),
		Shards:  []Shard{{Name: "a", Nodes: ns}},
		Clients: []Clients{{Host: "c", Count: 2, Workload: mixed(t), Target: "m:6379", Stop: time.Hour}},
	}, hist)
	if err != nil {
		t.Fatal(err)
	}
	var obs Observations
	dep.Observe(&obs, 500*time.Millisecond, time.Hour)
	repl := dep.WatchReplication(ReplicationOptions{Quiet: 50 * time.Second, Drain: 55 * time.Second})
	var old []weak.Pointer[redis.Server]
	seen := map[*redis.Server]bool{}
	plan := nemesis.Generate(nemesis.Config{
		Hosts: []string{"m", "r", "r2"}, Interval: 2 * time.Second, End: 110 * time.Second,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true, LinkKills: true, MaxJump: 10 * time.Second,
	}, w.Stream("nemesis"))
	nemesis.Schedule(w, n, dep, plan, func(err error) { t.Fatal(err) })
	at := time.Duration(0)
	for at < 120*time.Second {
		at += 100 * time.Millisecond
		w.RunUntil(clock.Time(at))
		for _, host := range []string{"m", "r", "r2"} {
			if s := dep.Server(host); s != nil && !seen[s] {
				seen[s] = true
				old = append(old, weak.Make(s))
			}
		}
	}
	last := map[*redis.Server]bool{dep.Server("m"): true, dep.Server("r"): true, dep.Server("r2"): true}
	clear(seen)
	runtime.GC()
	runtime.GC()
	alive := 0
	wk := &walker{targets: map[uintptr]bool{}, seen: map[uintptr]bool{}, budget: 50_000_000}
	for _, p := range old {
		if s := p.Value(); s != nil && !last[s] {
			alive++
			wk.targets[uintptr(unsafe.Pointer(s))] = true
		}
	}
	if alive > 0 {
		// Say what keeps them: the paths from the world, the network
		// and the deployment to the first few.
		wk.walk(reflect.ValueOf(w), "world", 0)
		wk.walk(reflect.ValueOf(n), "net", 0)
		wk.walk(reflect.ValueOf(dep), "dep", 0)
		for _, f := range wk.found {
			t.Log(f)
		}
	}
	clear(last)
	if len(old) < 10 {
		t.Fatalf("only %d incarnations: the faults did not crash the nodes enough to tell", len(old))
	}
	if alive > 0 {
		t.Errorf("%d of %d replaced incarnations are still reachable", alive, len(old))
	}
	// The world and the deployment live on, as in a run.
	w.RunUntil(clock.Time(at + time.Second))
	if hist.Len() == 0 || n == nil || repl == nil || len(obs.Roles) == 0 {
		t.Fatal("the deployment is not running")
	}
}

func mixed(t *testing.T) client.Workload {
	m, err := client.NewMixed(10, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
