package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// failoverPartitionScenario is the setup of Jepsen's 2013 analysis of
// Redis, with an operator in place of Sentinel: five nodes, n1 the master;
// a partition cuts n1 and n2 (and the clients beside them) from n3, n4 and
// n5; the operator promotes n3, majority-side clients follow it, minority
// clients keep writing to n1; after the heal n1 and n2 become n3's
// replicas and the writes they took are lost.
func failoverPartitionScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "failover-partition",
		Summary: "Jepsen 2013: a partition, an operator promotes a majority-side replica, the old master keeps taking writes that are lost on heal",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "40s", "virtual time the world runs"),
			scenarios.DurationParam("partition-at", "10s", "when the partition starts (the initial full syncs take about 5s)"),
			scenarios.DurationParam("promote-after", "5s", "how long the operator waits before promoting n3"),
			scenarios.DurationParam("heal-at", "25s", "when the partition heals; the operator then demotes n1 and n2"),
			scenarios.IntParam("clients", 3, 1, 100, "clients per side and per workload (set and register)"),
			scenarios.OneWayLatencyParam(),
		},
		Setup: setupFailoverPartition,
	}
}

func setupFailoverPartition(r *scenarios.Run) (scenarios.Checks, error) {
	partAt, promoteAfter, healAt := r.Params.Duration("partition-at"), r.Params.Duration("promote-after"), r.Params.Duration("heal-at")
	n := r.Params.Int("clients")
	if !(partAt+promoteAfter < healAt && healAt+5*time.Second < r.Duration) {
		return nil, fmt.Errorf("parameters: want partition-at + promote-after < heal-at and heal-at + 5s < duration (got %v + %v, %v, %v)", partAt, promoteAfter, healAt, r.Duration)
	}
	// Majority-side clients follow the master the operator publishes;
	// minority-side clients keep their connection's idea.
	stop := r.Duration - 6*time.Second
	set, reg := client.NewSet(), client.NewRegister()
	var groups []deploy.Clients
	for _, side := range []struct{ host, follow string }{{"cmin", ""}, {"cmaj", "master"}} {
		for _, wl := range []client.Workload{set, reg} {
			groups = append(groups, deploy.Clients{Host: side.host, Count: n, Workload: wl, Target: "n1:6379", Follow: side.follow, Stop: stop})
		}
	}
	dep, err := r.Deploy(deploy.Deployment{
		Latency: scenarios.OneWayLatency(r.Params.Duration("one-way-latency")),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(scenarios.NoSave(), sim.DiskConfig{}, "n1", "n2", "n3", "n4", "n5")}},
		Clients: groups,
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("cmaj", r.Duration-3*time.Second, set, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	// The operator, on the majority side, promotes n3 and points n4, n5 and
	// the majority's clients at it; after the heal, n1 and n2 follow n3.
	promote := partAt + promoteAfter
	r.Schedule = []nemesis.Action{
		{At: partAt, Op: nemesis.OpPartition, Shape: nemesis.ShapeMajority, Groups: [][]string{{"cmin", "n1", "n2"}, {"cmaj", "n3", "n4", "n5"}}},
		{At: promote, Op: nemesis.OpPromote, Target: "n3"},
		{At: promote, Op: nemesis.OpReplicaOf, Target: "n4", Master: "n3:6379"},
		{At: promote, Op: nemesis.OpReplicaOf, Target: "n5", Master: "n3:6379"},
		{At: promote, Op: nemesis.OpPublish, Target: "master", Master: "n3:6379"},
		{At: healAt, Op: nemesis.OpHeal},
		{At: healAt + time.Second, Op: nemesis.OpReplicaOf, Target: "n1", Master: "n3:6379"},
		{At: healAt + time.Second, Op: nemesis.OpReplicaOf, Target: "n2", Master: "n3:6379"},
	}
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History))
		return []checker.Result{
			checker.SetWrites(scenarios.KeyOps(r.History, 's'), checker.SetOptions{}),
			r.Linearizable(scenarios.KeyOps(r.History, 'r')),
			dep.Convergence(),
		}
	}, nil
}
