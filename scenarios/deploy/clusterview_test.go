package deploy

import (
	"fmt"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// clusterWorld is a 3-shard cluster of a master and a replica each (n1..n3
// masters, n4..n6 replicas) with a 2s node timeout, created at 100ms,
// observed every period until end.
func clusterWorld(t testing.TB, period, end time.Duration) (*sim.World, *Deployed, *Observations) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var shards []Shard
	for i := 1; i <= 3; i++ {
		ns := nodes(fmt.Sprintf("n%d", i), fmt.Sprintf("n%d", i+3))
		for j := range ns {
			ns[j].Config.Cluster.NodeTimeoutMs = 2000
		}
		shards = append(shards, Shard{Name: fmt.Sprintf("shard%d", i), Nodes: ns})
	}
	dep, err := Build(w, n, Deployment{Latency: sim.FixedDist(200 * time.Microsecond), Shards: shards, Cluster: true}, &history.History{})
	if err != nil {
		t.Fatal(err)
	}
	obs := &Observations{}
	dep.Observe(obs, period, end)
	w.At(clock.Time(100*time.Millisecond), func() {
		if err := dep.ClusterCreate(); err != nil {
			t.Error(err)
		}
	})
	return w, dep, obs
}

// Observe records each cluster node's view only where it changes, by
// host: after n1 is killed, n4 is the master of n1's slots in every
// running node's last sample, n1's last sample says it is down, and each
// running node's last sample is its ClusterView at the end.
func TestObserveRecordsClusterChanges(t *testing.T) {
	const period, end = 500 * time.Millisecond, 30 * time.Second
	w, dep, obs := clusterWorld(t, period, end)
	w.At(clock.Time(15*time.Second), func() { dep.Process("n1").Kill() })
	w.RunUntil(clock.Time(end))

	ticks := int(end / period)
	if n := len(obs.Cluster); n == 0 || n > 6*ticks/4 {
		t.Fatalf("%d cluster samples for 6 nodes and %d ticks: want only the changes", n, ticks)
	}
	last := map[string]reports.ClusterSample{}
	for i, s := range obs.Cluster {
		if prev, ok := last[s.Node]; ok {
			if prev.SameView(s) {
				t.Errorf("sample %d of %s at %v repeats the one at %v", i, s.Node, s.At, prev.At)
			}
			if s.At < prev.At {
				t.Errorf("samples of %s out of order at %v", s.Node, s.At)
			}
		}
		last[s.Node] = s
	}
	if s := last["n1"]; !s.Down || s.At != 15*time.Second {
		t.Errorf("n1's last sample %+v, want down from 15s", s)
	}
	for _, node := range []string{"n2", "n3", "n4", "n5", "n6"} {
		s := last[node]
		v, ok := dep.Server(node).ClusterView()
		if !ok {
			t.Fatalf("%s is not in cluster mode", node)
		}
		want := reportView(s.At, node, v)
		if !s.SameView(want) {
			t.Errorf("%s's last sample\n%+v\nis not its view at the end\n%+v", node, s, want)
		}
		if len(s.Slots) == 0 || s.Slots[0].Start != 0 || s.Slots[0].Owner != "n4" || s.Slots[len(s.Slots)-1].End != 16383 {
			t.Errorf("%s at the end: slots %+v, want n4 serving from slot 0 and all 16384 assigned", node, s.Slots)
		}
		if s.Down || s.State != "ok" {
			t.Errorf("%s at the end: %+v, want up and ok", node, s)
		}
	}
	if s := last["n4"]; !s.Master || s.ConfigEpoch <= 6 || s.CurrentEpoch < s.ConfigEpoch {
		t.Errorf("n4 at the end %+v, want a master with a configEpoch above the six of the creation", s)
	}
}

// BenchmarkObserveCluster is one tick of the cluster's observation of a
// formed, quiet cluster: six views read, compared and not recorded.
func BenchmarkObserveCluster(b *testing.B) {
	const end = 8 * time.Second
	w, dep, obs := clusterWorld(b, time.Second, end)
	w.RunUntil(clock.Time(end))
	dep.observeCluster(obs, end)
	n := len(obs.Cluster)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dep.clusterTicks = dep.clusterTicks[:0]
		dep.observeCluster(obs, end)
	}
	if len(obs.Cluster) != n {
		b.Fatalf("a quiet cluster's views were recorded again: %d samples, then %d", n, len(obs.Cluster))
	}
}
