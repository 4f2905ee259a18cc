package scenarios

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
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
	if err := r.Net.SetDefaultLatency(latencyDist(p.String("latency"))); err != nil {
		return nil, err
	}
	t := newTopology(r)
	nodes := []string{"m", "r1", "r2"}
	for i, name := range nodes {
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		cfg.AppendOnly = aof
		if i > 0 {
			cfg.ReplicaOf = "m:6379"
		}
		if err := t.node(name, cfg, sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}); err != nil {
			return nil, err
		}
	}
	faultsEnd := r.Duration - quiet
	if err := t.clients("c1", nclients, client.Fixed("m:6379"), client.NewRegister(), faultsEnd+quiet/2); err != nil {
		return nil, err
	}
	t.observe(500 * time.Millisecond)
	r.Schedule = nemesis.Generate(nemesis.Config{
		Hosts: nodes, Interval: interval, End: faultsEnd,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true,
		MaxJump: 10 * time.Second,
	}, r.World.Stream("nemesis"))
	return func(r *Run) []checker.Result {
		r.History.Finish(r.World.Now())
		var offsets string
		for _, name := range nodes {
			if s := t.server(name); s != nil {
				offsets += fmt.Sprintf(" %s=%s@%d", name, s.Role(), s.ReplOffset())
			}
		}
		r.Facts = append(r.Facts, opCounts(r.History), "replication offsets:"+offsets, fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		return []checker.Result{t.convergence(), liveness(r, faultsEnd, quiet/4)}
	}, nil
}
