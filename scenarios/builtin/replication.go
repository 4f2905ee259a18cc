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

// replicationScenario is issue 4's: a master and two replicas, clients
// writing to the master, random faults on the three nodes, and after the
// final heal and a quiet period every replica must hold the master's
// dataset.
func replicationScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "replication",
		Summary: "a master and two replicas under partitions, resets, crashes, pauses and clock jumps; replicas must converge",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "60s", "virtual time the world runs"),
			scenarios.DurationParam("quiet", "20s", "fault-free time at the end, after which every replica must hold the master's dataset"),
			scenarios.DurationParam("fault-interval", "3s", "mean time between two faults"),
			scenarios.IntParam("clients", 5, 0, 1000, "clients writing to the master"),
			scenarios.BoolParam("appendonly", true, "nodes keep an AOF (appendfsync everysec), so a crashed master restarts with its data"),
			scenarios.LatencyParam("one-way latency"),
		},
		Setup: setupReplication,
	}
}

func setupReplication(r *scenarios.Run) (scenarios.Checks, error) {
	p := r.Params
	quiet, interval, nclients, aof := p.Duration("quiet"), p.Duration("fault-interval"), p.Int("clients"), p.Bool("appendonly")
	nodes := []string{"m", "r1", "r2"}
	cfg := scenarios.NoSave()
	cfg.AppendOnly = aof
	faultsEnd := r.Duration - quiet
	dep, err := r.Deploy(deploy.Deployment{
		Latency: scenarios.LatencyDist(p.String("latency")),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(cfg, sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}, nodes...)}},
		Clients: []deploy.Clients{{Host: "c1", Count: nclients, Workload: client.NewRegister(), Target: "m:6379", Stop: faultsEnd + quiet/2}},
	})
	if err != nil {
		return nil, err
	}
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	r.Schedule = nemesis.Generate(nemesis.Config{
		Hosts: nodes, Interval: interval, End: faultsEnd,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true,
		MaxJump: 10 * time.Second,
	}, r.World.Stream("nemesis"))
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		var offsets string
		for _, name := range nodes {
			if s := dep.Server(name); s != nil {
				offsets += fmt.Sprintf(" %s=%s@%d", name, s.Role(), s.ReplOffset())
			}
		}
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History), "replication offsets:"+offsets, fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		return []checker.Result{dep.Convergence(), scenarios.Liveness(r, faultsEnd, quiet/4)}
	}, nil
}
