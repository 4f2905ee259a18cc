package deploy

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/network"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/sim"
)

func nodes(hosts ...string) []Node {
	var out []Node
	for _, h := range hosts {
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		out = append(out, Node{Host: h, Config: cfg})
	}
	return out
}

// A deployment as data builds replicas that follow their shard's first
// node, clients that follow a published name, and an operator that moves
// both; convergence is judged shard by shard.
func TestDeploymentAndOperator(t *testing.T) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	hist := &history.History{}
	dep, err := Build(w, n, Deployment{
		Latency: sim.FixedDist(200 * time.Microsecond),
		Shards:  []Shard{{Name: "a", Nodes: nodes("a1", "a2", "a3")}, {Name: "b", Nodes: nodes("b1", "b2")}},
		Clients: []Clients{{Host: "c", Count: 2, Workload: client.NewRegister(), Target: "a1:6379", Follow: "master", Stop: 20 * time.Second}},
	}, hist)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(dep.Nodes(), ","); got != "a1,a2,a3,b1,b2" {
		t.Fatalf("nodes %s", got)
	}
	w.RunUntil(clock.Time(8 * time.Second))
	if r := dep.Server("a2").Role(); r != "slave" || dep.Server("b2").Role() != "slave" || dep.Server("a1").Role() != "master" {
		t.Fatalf("roles: a1 %s a2 %s b2 %s", dep.Server("a1").Role(), r, dep.Server("b2").Role())
	}
	// The operator fails over shard a to a2 and points the clients at it.
	for _, err := range []error{dep.Promote("a2"), dep.ReplicaOf("a1", "a2:6379"), dep.ReplicaOf("a3", "a2:6379"), dep.Publish("master", "a2:6379")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.RunUntil(clock.Time(25 * time.Second))
	if dep.Server("a2").Role() != "master" || dep.Server("a1").Role() != "slave" {
		t.Fatalf("after the failover: a1 %s a2 %s", dep.Server("a1").Role(), dep.Server("a2").Role())
	}
	moved := false
	for _, op := range hist.Ops() {
		if op.Invoke > clock.Time(9*time.Second) && op.Node == "a2" && op.Outcome == history.Ok {
			moved = true
		}
	}
	if !moved {
		t.Error("no client operation reached a2 after the publish")
	}
	if v := dep.Convergence(); v.Verdict != checker.Ok || v.Summary != "2 shards, 5 nodes: every shard's nodes report the same digest" {
		t.Errorf("convergence: %s %s", v.Verdict, v.Summary)
	}
	// Errors name what is wrong; a node that is down is not an error.
	if err := dep.Publish("leader", "a2:6379"); err == nil || !strings.Contains(err.Error(), `no client follows "leader"`) {
		t.Errorf("publish of an unknown name: %v", err)
	}
	if err := dep.Promote("zz"); err == nil || !strings.Contains(err.Error(), `no Redis node on host "zz"`) {
		t.Errorf("promote of an unknown host: %v", err)
	}
	if err := dep.ReplicaOf("a3", "a2"); err == nil || !strings.Contains(err.Error(), `master "a2" is not host:port`) {
		t.Errorf("replicaof without a port: %v", err)
	}
	w.Host("b2").Crash()
	if err := dep.Promote("b2"); err != nil {
		t.Errorf("promote of a node that is down: %v", err)
	}
	if v := dep.Convergence(); v.Verdict != checker.Violation || !strings.Contains(v.Summary, "b2 is down at the end") {
		t.Errorf("convergence with b2 down: %s %s", v.Verdict, v.Summary)
	}
}

// With ChangesOnly, Observe keeps a role or belief sample only where it
// changes: a quiet run keeps one per node and client, and a promotion
// adds the new roles.
func TestObserveChangesOnly(t *testing.T) {
	for _, changes := range []bool{false, true} {
		w := sim.NewWorld(1)
		n, err := network.New(w, network.Config{})
		if err != nil {
			t.Fatal(err)
		}
		dep, err := Build(w, n, Deployment{
			Latency: sim.FixedDist(200 * time.Microsecond),
			Shards:  []Shard{{Name: "a", Nodes: nodes("a1", "a2")}},
			Clients: []Clients{{Host: "c", Count: 2, Workload: client.NewRegister(), Target: "a1:6379", Stop: 20 * time.Second}},
		}, &history.History{})
		if err != nil {
			t.Fatal(err)
		}
		obs := Observations{ChangesOnly: changes}
		dep.Observe(&obs, 500*time.Millisecond, 20*time.Second)
		w.RunUntil(clock.Time(10 * time.Second))
		if err := dep.Promote("a2"); err != nil {
			t.Fatal(err)
		}
		w.RunUntil(clock.Time(20 * time.Second))
		roles := map[string]int{}
		for _, s := range obs.Roles {
			roles[s.Node+" "+s.Role]++
		}
		if !changes {
			if roles["a1 master"] < 30 || len(obs.Beliefs) < 60 {
				t.Errorf("every period: %v and %d beliefs", roles, len(obs.Beliefs))
			}
			continue
		}
		if len(obs.Roles) != 3 || roles["a1 master"] != 1 || roles["a2 slave"] != 1 || roles["a2 master"] != 1 || len(obs.Beliefs) != 2 {
			t.Errorf("changes only: roles %v, %d beliefs", roles, len(obs.Beliefs))
		}
	}
}

// A replica's lag is measured against the master it follows, not against
// another shard's master; while its master is down it has none.
func TestObserveLagAgainstOwnMaster(t *testing.T) {
	w := sim.NewWorld(1)
	n, err := network.New(w, network.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := Build(w, n, Deployment{
		Latency: sim.FixedDist(200 * time.Microsecond),
		Shards:  []Shard{{Name: "a", Nodes: nodes("a1", "a2")}, {Name: "b", Nodes: nodes("b1", "b2")}},
		// Writes go to shard b alone: a's stream carries only its pings.
		Clients: []Clients{{Host: "c", Count: 4, Workload: client.NewRegister(), Target: "b1:6379", Stop: 30 * time.Second}},
	}, &history.History{})
	if err != nil {
		t.Fatal(err)
	}
	var obs Observations
	dep.Observe(&obs, 500*time.Millisecond, 30*time.Second)
	w.RunUntil(clock.Time(20 * time.Second))
	w.Host("a1").Crash()
	w.RunUntil(clock.Time(30 * time.Second))
	var maxA2 int64
	var a2Down, b2 int
	for _, s := range obs.Lag {
		switch {
		case s.Node == "a2" && s.At > 20*time.Second:
			a2Down++
		case s.Node == "a2" && s.At > 10*time.Second:
			maxA2 = max(maxA2, s.Bytes)
		case s.Node == "b2":
			b2++
		}
	}
	if maxA2 > 1000 {
		t.Errorf("a2 lags its idle master by up to %d bytes: measured against b1?", maxA2)
	}
	if a2Down != 0 {
		t.Errorf("%d lag samples of a2 while its master was down", a2Down)
	}
	if b2 < 50 {
		t.Errorf("%d lag samples of b2, want one per period", b2)
	}
}
