package scenarios

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
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
	w := r.World
	nodes := []string{"m", "r1", "r2"}
	procs := make([]*sim.Process, len(nodes))
	for i, name := range nodes {
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{TornTail: true, FsyncLatency: sim.UniformDist(time.Millisecond, 5*time.Millisecond)}})
		if err != nil {
			return nil, err
		}
		cfg := redis.DefaultConfig()
		cfg.Save = nil
		cfg.AppendOnly = aof
		if i > 0 {
			cfg.ReplicaOf = "m:6379"
		}
		if procs[i], err = h.Spawn("redis-"+name, redis.Program(cfg)); err != nil {
			return nil, err
		}
		procs[i].Start()
	}
	ch, err := w.AddHost("c1", sim.HostConfig{})
	if err != nil {
		return nil, err
	}
	hist := &history.History{}
	now := func() clock.Time { return w.Now() }
	faultsEnd := r.Duration - quiet
	for i := 0; i < nclients; i++ {
		prog, err := client.Program(client.Options{
			Process: i, History: hist, Now: now, Target: client.Fixed("m:6379"),
			Workload: client.NewRegister(), Stop: clock.Time(faultsEnd + quiet/2),
		})
		if err != nil {
			return nil, err
		}
		p, err := ch.Spawn(fmt.Sprintf("client%d", i), prog)
		if err != nil {
			return nil, err
		}
		p.Start()
	}
	r.Schedule = Generate(NemesisConfig{
		Hosts: nodes, Interval: interval, End: faultsEnd,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Links: true,
		MaxJump: 10 * time.Second,
	}, w.Stream("nemesis"))
	return func(r *Run) []Verdict { return checkReplication(r, nodes, procs, hist) }, nil
}

func checkReplication(r *Run, names []string, procs []*sim.Process, hist *history.History) []Verdict {
	hist.Finish(r.World.Now())
	var ok, fail, info int
	for _, op := range hist.Ops() {
		switch op.Outcome {
		case history.Ok:
			ok++
		case history.Fail:
			fail++
		default:
			info++
		}
	}
	var reps []checker.Replica
	var down []string
	var offsets string
	for i, p := range procs {
		if p.State() == sim.Down {
			down = append(down, names[i]+" is down")
			continue
		}
		s := p.Node().(*redis.Server)
		reps = append(reps, checker.Replica{Node: names[i], Digest: s.Digest()})
		offsets += fmt.Sprintf(" %s=%s@%d", names[i], s.Role(), s.ReplOffset())
		if i > 0 && !s.MasterLinkUp() {
			down = append(down, names[i]+": link to the master is down at the end")
		}
	}
	r.Facts = append(r.Facts,
		fmt.Sprintf("%d operations: %d ok, %d fail, %d info", ok+fail+info, ok, fail, info),
		"replication offsets:"+offsets,
		fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
	conv := checker.Convergence([]checker.Shard{{Name: "shard", Replicas: reps}})
	v := Verdict{Check: "convergence", Outcome: OK, Summary: conv.Summary}
	if conv.Verdict != checker.Ok || len(down) > 0 {
		v.Outcome = Violation
		v.Evidence = down
		for _, rep := range conv.Evidence.Replicas {
			v.Evidence = append(v.Evidence, rep.Node+" digest "+rep.Digest)
		}
		if len(down) > 0 && conv.Verdict == checker.Ok {
			v.Summary = fmt.Sprintf("%d nodes not converged: %s", len(down), down[0])
		}
	}
	return []Verdict{v}
}
