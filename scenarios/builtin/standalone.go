package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// standaloneCrashScenario: one node with an AOF, crashed (power loss) and
// restarted, under a set workload. Which acknowledged adds survive depends
// on appendfsync.
func standaloneCrashScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "standalone-crash",
		Summary: "one node with an AOF crashed and restarted under SADDs; appendfsync decides which acknowledged writes survive",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "30s", "virtual time the world runs"),
			scenarios.DurationParam("quiet", "8s", "fault-free time at the end; the final SMEMBERS runs in it"),
			scenarios.ChoiceParam("appendfsync", "everysec", scenarios.FsyncPolicies, "the AOF's fsync policy"),
			scenarios.DurationParam("fault-interval", "3s", "mean time between two crashes or pauses"),
			scenarios.IntParam("clients", 5, 1, 1000, "clients adding elements"),
			scenarios.BoolParam("torn-tail", true, "a crash keeps a random prefix of the AOF's unsynced tail"),
			scenarios.ChoiceParam("persistence", "aof", []string{"aof", "rdb"}, "aof: an AOF with appendfsync; rdb: snapshots only (save 1 1), which lose the writes since the last one, so only phantoms and the node's return after every crash are judged"),
		},
		Setup: setupStandaloneCrash,
	}
}

func setupStandaloneCrash(r *scenarios.Run) (scenarios.Checks, error) {
	p := r.Params
	quiet, policy, interval, n, torn := p.Duration("quiet"), p.String("appendfsync"), p.Duration("fault-interval"), p.Int("clients"), p.Bool("torn-tail")
	cfg := scenarios.NoSave()
	cfg.AppendOnly = true
	cfg.AppendFsync = policy
	rdb := p.String("persistence") == "rdb"
	fsync := sim.UniformDist(time.Millisecond, 5*time.Millisecond)
	if rdb {
		// A snapshot a second; its fsync takes longer than an AOF
		// append's, as writing out a whole dataset does.
		cfg.AppendOnly, cfg.Save = false, []redis.SavePoint{{Seconds: 1, Changes: 1}}
		fsync = sim.UniformDist(20*time.Millisecond, 100*time.Millisecond)
	}
	faultsEnd := r.Duration - quiet
	wl := client.NewSet()
	dep, err := r.Deploy(deploy.Deployment{
		Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(cfg, sim.DiskConfig{TornTail: torn, FsyncLatency: fsync}, "n1")}},
		Clients: []deploy.Clients{{Host: "c1", Count: n, Workload: wl, Target: "n1:6379", Stop: faultsEnd + quiet/4}},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", faultsEnd+quiet/2, wl, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = r.Generate(nemesis.Config{Hosts: []string{"n1"}, Interval: interval, End: faultsEnd, Crashes: true, Pauses: true}, r.World.Stream("nemesis"))
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), fmt.Sprintf("appendfsync %s, %d nemesis actions", policy, len(r.Schedule)))
		ops := r.History.Ops()
		if rdb {
			ops = scenarios.Unacknowledged(ops)
		}
		return []checker.Result{checker.SetWrites(ops, checker.SetOptions{}), scenarios.Liveness(r, faultsEnd, quiet/8)}
	}, nil
}
