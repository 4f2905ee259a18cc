package scenarios

import (
	"fmt"
	"github.com/redsim/redsim/scenarios/nemesis"
	"time"

	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
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
			{"duration", "60s", "virtual time the world runs"},
			{"quiet", "20s", "fault-free time at the end, after which every replica must hold the master's dataset"},
			{"fault-interval", "3s", "mean time between two faults"},
			{"clients", "5", "clients writing to the master"},
			{"appendonly", "true", "nodes keep an AOF (appendfsync everysec), so a crashed master restarts with its data"},
			{"latency", "lognormal", "one-way latency: lognormal (floor 100µs, median 300µs), uniform (100-500µs) or fixed (250µs)"},
		},
		Setup: setupReplication,
	}
}

func latencyParam(r *Run) (sim.Dist, error) {
	switch r.Params.String("latency") {
	case "lognormal":
		return sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8), nil
	case "uniform":
		return sim.UniformDist(100*time.Microsecond, 500*time.Microsecond), nil
	case "fixed":
		return sim.FixedDist(250 * time.Microsecond), nil
	}
	return sim.Dist{}, fmt.Errorf("parameter latency=%q: want lognormal, uniform or fixed", r.Params.String("latency"))
}

func setupReplication(r *Run) (Checks, error) {
	quiet, err := r.Params.Duration("quiet")
	if err != nil {
		return nil, err
	}
	if quiet >= r.Duration {
		return nil, fmt.Errorf("parameter quiet=%v must be shorter than duration=%v", quiet, r.Duration)
	}
	interval, err := r.Params.Duration("fault-interval")
	if err != nil {
		return nil, err
	}
	nclients, err := r.Params.Int("clients", 0, 1000)
	if err != nil {
		return nil, err
	}
	aof, err := r.Params.Bool("appendonly")
	if err != nil {
		return nil, err
	}
	lat, err := latencyParam(r)
	if err != nil {
		return nil, err
	}
	if err := r.Net.SetDefaultLatency(lat); err != nil {
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
	return func(r *Run) []Verdict {
		r.History.Finish(r.World.Now())
		var offsets string
		for _, name := range nodes {
			if s := t.server(name); s != nil {
				offsets += fmt.Sprintf(" %s=%s@%d", name, s.Role(), s.ReplOffset())
			}
		}
		r.Facts = append(r.Facts, opCounts(r.History), "replication offsets:"+offsets, fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
		return []Verdict{t.convergence(), liveness(r, faultsEnd, quiet/4)}
	}, nil
}
