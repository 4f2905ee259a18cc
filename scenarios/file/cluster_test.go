package file

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/sim"
)

// The cluster example runs every operator command to its end, and the
// cluster it leaves is the one its comments describe: n4 (lost with its
// disk, forgotten, added again) n1's replica under a new ID, n2 (removed
// and added again) n5's replica, n3 n6's replica after the takeover, and
// 40 slots moved from n1 to n3, then to n6 with its shard.
func TestClusterOperatorExample(t *testing.T) {
	s, err := Load("../../examples/cluster-operator.toml")
	if err != nil {
		t.Fatal(err)
	}
	var w *sim.World
	views, early := map[string]redis.ClusterView{}, map[string]redis.ClusterView{}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1, Prepare: func(x *sim.World) {
		w = x
		w.Trace().Keep(sim.LevelFault)
		// What each node believes before the ban on n2's ID ends, and
		// just before the end.
		look := func(into map[string]redis.ClusterView) func() {
			return func() {
				for _, h := range []string{"n1", "n2", "n3", "n4", "n5", "n6"} {
					for _, p := range w.Host(h).Processes() {
						if srv, ok := p.Node().(*redis.Server); ok && p.State() != sim.Down {
							into[h], _ = srv.ClusterView()
						}
					}
				}
			}
		}
		w.At(clock.Time(90*time.Second), look(early))
		w.At(clock.Time(109*time.Second), look(views))
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatalf("verdicts %+v", res.Verdicts)
	}
	var notes []string
	for _, ev := range w.Trace().Events {
		if strings.HasPrefix(ev.Text, "operator: ") {
			notes = append(notes, ev.Text)
		}
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{
		"operator: cluster-create done",
		"operator: cluster-forget n4 done: 5 CLUSTER FORGET",
		"operator: cluster-add-node n4 replica of n1 done",
		"operator: reshard n1 -> n3 done: 40 slots",
		"operator: cluster-failover n5 done",
		"operator: cluster-del-node n2 done",
		"operator: cluster-add-node n2 replica of n5 done",
		"operator: cluster-failover n6 takeover done",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q among the operator's notes:\n%s", want, all)
		}
	}
	if strings.Contains(all, "stopped") {
		t.Errorf("an operator command stopped:\n%s", all)
	}
	id := func(h string) string { return views[h].MyID }
	for replica, master := range map[string]string{"n4": "n1", "n2": "n5", "n3": "n6"} {
		if v := views[replica]; v.Master || v.MasterID != id(master) {
			t.Errorf("%s: master=%v follows %s, want %s's replica", replica, v.Master, v.MasterID, master)
		}
	}
	if v := views["n1"]; len(v.Owners) == 0 || v.Owners[0].Start != 0 || v.Owners[0].End != 39 || v.Owners[0].ID != id("n6") {
		t.Errorf("n1's table starts %+v, want slots 0-39 on n6", v.Owners)
	}
	// n2 kept its ID through CLUSTER RESET SOFT, which the others were
	// told to forget at 42s: for 60 s they ignore gossip about it, so at
	// 90s only n1 (which it MEETs) knows it again; at the end all do, and
	// none knows n4's old ID.
	for h, v := range early {
		_, knows := v.Hosts[id("n2")]
		if knows != (h == "n1" || h == "n2") {
			t.Errorf("at 90s %s knows n2: %v; want only n1 (the 60 s ban of CLUSTER FORGET)", h, knows)
		}
	}
	for h, v := range views {
		if len(v.Hosts) != 6 {
			t.Errorf("%s knows %d nodes, want 6: %v", h, len(v.Hosts), v.Hosts)
		}
	}
}

// A cluster topology's errors name the line and what is wrong.
func TestClusterFileErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"[topology]\ncluster = true\nnodes = 4", "f.toml:3: a cluster of 4 nodes with 1 replicas each: the nodes must be whole shards of a master and its replicas, and Redis Cluster needs at least 3 masters (redis-cli --cluster create refuses fewer)"},
		{"[topology]\nreplicas = 2", "f.toml:2: topology.replicas needs topology.cluster = true"},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"cluster-forget\"\ntarget = \"n1\"", "f.toml:2: nemesis.action[0].op: cluster-forget needs a cluster (topology.cluster = true)"},
		{"[topology]\ncluster = true\n[[nemesis.action]]\nat = \"1s\"\nop = \"cluster-create\"", "f.toml:4: nemesis.action[0].op: a cluster topology is created at 100ms by the topology itself; cluster-create is not an action here"},
		{"[topology]\ncluster = true\n[[nemesis.action]]\nat = \"1s\"\nop = \"cluster-failover\"\ntarget = \"n4\"\nmode = \"gently\"", `f.toml:7: nemesis.action[0].mode "gently" is unknown; one of force, takeover`},
		{"[topology]\ncluster = true\n[[nemesis.action]]\nat = \"1s\"\nop = \"cluster-add-node\"\ntarget = \"n4\"\nmaster = \"n9\"", `f.toml:4: nemesis.action[0].master: cluster-add-node's master is the host of the master the node will replicate, one of n1, n2, n3, n4, n5, n6; got "n9"`},
		{"[topology]\ncluster = true\n[[nemesis.action]]\nat = \"1s\"\nop = \"cluster-del-node\"", "f.toml:3: nemesis.action[0].target is required for cluster-del-node: the node's host"},
		{"[[nemesis.action]]\nat = \"1s\"\nop = \"crash\"\ntarget = \"n1\"\nmode = \"force\"", "f.toml:1: nemesis.action[0].mode is cluster-failover's (force or takeover), not crash's"},
	} {
		_, err := Parse("f.toml", tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got  %v\n want %s", tc.src, err, tc.want)
		}
	}
}
