package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/sim"
)

// Sentinels as data: on hosts of their own or beside the nodes (Jepsen's
// n1..n5 layout), they find the replicas and each other, agree on the
// master, and see it down (SDOWN, then ODOWN at the quorum) when it
// crashes. Bad sentinel entries are refused with a message naming them.
func TestDeploymentWithSentinels(t *testing.T) {
	for _, beside := range []bool{false, true} {
		w := sim.NewWorld(1)
		n, err := network.New(w, network.Config{})
		if err != nil {
			t.Fatal(err)
		}
		var sts []Sentinel
		for _, h := range []string{"n1", "n2", "n3"} {
			if !beside {
				h = "s" + h[1:]
			}
			sts = append(sts, Sentinel{Host: h, Quorum: 2, DownAfter: 2 * time.Second, FailoverTimeout: 10 * time.Second})
		}
		dep, err := Build(w, n, Deployment{
			Latency:   sim.FixedDist(200 * time.Microsecond),
			Shards:    []Shard{{Name: "mymaster", Nodes: nodes("n1", "n2", "n3")}},
			Sentinels: sts,
		}, &history.History{})
		if err != nil {
			t.Fatal(err)
		}
		want := "s1,s2,s3"
		if beside {
			want = "n1,n2,n3"
		}
		if got := strings.Join(dep.Sentinels(), ","); got != want {
			t.Fatalf("sentinels %s", got)
		}
		w.RunUntil(clock.Time(20 * time.Second))
		for _, h := range dep.Sentinels() {
			s := dep.Sentinel(h)
			if r, o := s.Known("mymaster"); r != 2 || o != 2 {
				t.Fatalf("sentinel %s knows %d replicas and %d sentinels", h, r, o)
			}
			if a, _ := s.MasterAddr("mymaster"); a != "n1:6379" {
				t.Fatalf("sentinel %s: master %s", h, a)
			}
		}
		dep.Process("n1").Kill()
		// down-after 2 s, then ODOWN, an election and the promotion: by
		// 25 s every sentinel names a new master.
		w.RunUntil(clock.Time(25 * time.Second))
		epoch := uint64(0)
		for _, h := range dep.Sentinels() {
			s := dep.Sentinel(h)
			if a, _ := s.MasterAddr("mymaster"); a == "n1:6379" {
				t.Fatalf("sentinel %s still names the crashed n1 (status %s)", h, s.Status("mymaster"))
			}
			epoch = max(epoch, s.CurrentEpoch())
		}
		if epoch == 0 {
			t.Fatal("ODOWN and no failover tried (current epoch 0 everywhere)")
		}
		var odowns []string
		for _, e := range dep.SentinelEvents() {
			if e.Type == "+odown" {
				odowns = append(odowns, e.Host+" "+e.Msg)
				if e.At < clock.Time(20*time.Second) {
					t.Errorf("+odown at %v, before the kill", e.At)
				}
			}
		}
		if len(odowns) == 0 {
			t.Errorf("no +odown event on the timeline")
		}
	}

	w := sim.NewWorld(1)
	n, _ := network.New(w, network.Config{})
	for _, tc := range []struct {
		st   Sentinel
		want string
	}{
		{Sentinel{Host: "s1"}, "quorum 0"},
		{Sentinel{Host: "s1", Quorum: 1, Shards: []string{"nope"}}, "watches no shard"},
	} {
		_, err := Build(w, n, Deployment{Shards: []Shard{{Name: "m", Nodes: nodes("x" + tc.want[:1])}}, Sentinels: []Sentinel{tc.st}}, &history.History{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.st, err, tc.want)
		}
	}
}
