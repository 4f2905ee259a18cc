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

// replicationScenario is issue 4's: a master and two replicas, clients
// writing to the master, random faults on the three nodes, and after the
// final heal and a quiet period every replica must hold the master's
// dataset.
func replicationScenario() *Scenario {
	return &Scenario{
		Name:    "replication",
		Summary: "a master and two replicas under partitions, resets, crashes, pauses and clock jumps; replicas must converge",
		Params: []Param{
			DurationParam("duration", "60s", "virtual time the world runs"),
			DurationParam("quiet", "20s", "fault-free time at the end, after which every replica must hold the master's dataset"),
			DurationParam("fault-interval", "3s", "mean time between two faults"),
			IntParam("clients", 5, 0, 1000, "clients writing to the master"),
			BoolParam("appendonly", true, "nodes keep an AOF (appendfsync everysec), so a crashed master restarts with its data"),
			latencyParam("one-way latency"),
		},
		Setup: setupReplication,
	}
}

func setupReplication(r *Run) (Checks, error) {
	p := r.Params
	quiet, interval, nclients, aof := p.Duration("quiet"), p.Duration("fault-interval"), p.Int("clients"), p.Bool("appendonly")
	nodes := []string{"m", "r1", "r2"}
	cfg := noSave()
	cfg.AppendOnly = aof
	faultsEnd := r.Duration - quiet
	dep, err := r.deploy(deploy.Deployment{
		Latency: latencyDist(p.String("latency")),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: redisNodes(cfg, sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}, nodes...)}},
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
	return func(r *Run) []checker.Result {
		r.History.Finish(r.World.Now())
		var offsets string
		for _, name := range nodes {
			if s := dep.Server(name); s != nil {
				offsets += fmt.Sprintf(" %s=%s@%d", name, s.Role(), s.ReplOffset())
			}
		}
		r.Facts = append(r.Facts, opCounts(r.History), "replication offsets:"+offsets, fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		return []checker.Result{dep.Convergence(), liveness(r, faultsEnd, quiet/4)}
	}, nil
}
