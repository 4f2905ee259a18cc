package scenarios

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// standaloneCrashScenario: one node with an AOF, crashed (power loss) and
// restarted, under a set workload. Which acknowledged adds survive depends
// on appendfsync.
func standaloneCrashScenario() *Scenario {
	return &Scenario{
		Name:    "standalone-crash",
		Summary: "one node with an AOF crashed and restarted under SADDs; appendfsync decides which acknowledged writes survive",
		Params: []Param{
			DurationParam("duration", "30s", "virtual time the world runs"),
			DurationParam("quiet", "8s", "fault-free time at the end; the final SMEMBERS runs in it"),
			ChoiceParam("appendfsync", "everysec", fsyncPolicies, "the AOF's fsync policy"),
			DurationParam("fault-interval", "3s", "mean time between two crashes or pauses"),
			IntParam("clients", 5, 1, 1000, "clients adding elements"),
			BoolParam("torn-tail", true, "a crash keeps a random prefix of the AOF's unsynced tail"),
		},
		Setup: setupStandaloneCrash,
	}
}

func setupStandaloneCrash(r *Run) (Checks, error) {
	p := r.Params
	quiet, policy, interval, n, torn := p.Duration("quiet"), p.String("appendfsync"), p.Duration("fault-interval"), p.Int("clients"), p.Bool("torn-tail")
	cfg := noSave()
	cfg.AppendOnly = true
	cfg.AppendFsync = policy
	faultsEnd := r.Duration - quiet
	wl := client.NewSet()
	dep, err := r.deploy(deploy.Deployment{
		Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: redisNodes(cfg, sim.DiskConfig{TornTail: torn, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}, "n1")}},
		Clients: []deploy.Clients{{Host: "c1", Count: n, Workload: wl, Target: "n1:6379", Stop: faultsEnd + quiet/4}},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", faultsEnd+quiet/2, wl, r.fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = nemesis.Generate(nemesis.Config{Hosts: []string{"n1"}, Interval: interval, End: faultsEnd, Crashes: true, Pauses: true}, r.World.Stream("nemesis"))
	return func(r *Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, opCounts(r.History), fmt.Sprintf("appendfsync %s, %d nemesis actions", policy, len(r.Schedule)))
		return []checker.Result{checker.SetWrites(r.History.Ops(), checker.SetOptions{}), liveness(r, faultsEnd, quiet/8)}
	}, nil
}
