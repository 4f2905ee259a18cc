package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// linearizableMasterScenario guards against false positives, and judges
// every workload family strictly: clients talk to the master only, and
// there is no crash and no failover, so whatever partitions, pauses and
// clocks do, the registers and counters must be linearizable, every
// acknowledged set add and list append must be in every node's final read,
// the MULTI/EXEC and EVAL transactions must be strictly serializable, and
// the replicas must converge (their digests cover TTLs).
func linearizableMasterScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "linearizable-master",
		Summary: "a master and two replicas, mixed-workload clients on the master only, partitions, pauses and clock faults, no crash or failover: must always pass",
		Params: append([]scenarios.Param{
			scenarios.DurationParam("duration", "30s", "virtual time the world runs"),
			scenarios.DurationParam("quiet", "15s", "fault-free time at the end"),
			scenarios.DurationParam("fault-interval", "2s", "mean time between two faults"),
			scenarios.IntParam("clients", 5, 1, 100, "mixed-workload clients on the master"),
		}, scenarios.MixedParams(100)...),
		Setup: setupLinearizableMaster,
	}
}

func setupLinearizableMaster(r *scenarios.Run) (scenarios.Checks, error) {
	quiet, interval, n := r.Params.Duration("quiet"), r.Params.Duration("fault-interval"), r.Params.Int("clients")
	nodes := []string{"m", "r1", "r2"}
	faultsEnd := r.Duration - quiet
	wl, err := r.Mixed()
	if err != nil {
		return nil, err
	}
	dep, err := r.Deploy(deploy.Deployment{
		Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(scenarios.NoSave(), sim.DiskConfig{}, nodes...)}},
		Clients: []deploy.Clients{{Host: "c1", Count: n, Workload: wl, Target: "m:6379", Stop: faultsEnd + quiet/3}},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", faultsEnd+quiet/2, wl, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = r.Generate(nemesis.Config{
		Hosts: append(nodes, "c1"), Interval: interval, End: faultsEnd,
		Partitions: true, Pauses: true, Clocks: true, Links: true, MaxJump: 10 * time.Second,
	}, r.World.Stream("nemesis"))
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		return append(r.MixedChecks(r.History.Ops()), dep.Convergence(), scenarios.Liveness(r, faultsEnd, quiet/4))
	}, nil
}
