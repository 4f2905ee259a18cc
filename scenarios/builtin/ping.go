package builtin

import (
	"fmt"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/ping"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// pingScenario is the kernel's own proof of determinism: toy nodes that dial,
// echo, time out and reconnect under every fault the world has.
func pingScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "ping",
		Summary: "toy echo nodes under partitions, crashes, pauses, clock and disk faults (the kernel's self-test)",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "30s", "virtual time the world runs"),
			scenarios.IntParam("nodes", 5, 2, 64, "number of hosts, each running one ping node"),
			scenarios.DurationParam("fault-interval", "1s", "mean time between two faults"),
			scenarios.DurationParam("quiet", "5s", "fault-free time at the end in which every node must get pongs again"),
			scenarios.BoolParam("torn-tail", true, "a crash keeps a random prefix of unsynced appends"),
			scenarios.LatencyParam("one-way latency between hosts"),
		},
		Setup: setupPing,
	}
}

func setupPing(r *scenarios.Run) (scenarios.Checks, error) {
	nodes, interval, quiet := r.Params.Int("nodes"), r.Params.Duration("fault-interval"), r.Params.Duration("quiet")
	torn, lat := r.Params.Bool("torn-tail"), scenarios.LatencyDist(r.Params.String("latency"))
	if err := r.Net.SetDefaultLatency(lat); err != nil {
		return nil, err
	}
	w := r.World
	hosts := make([]string, nodes)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("n%d", i+1)
	}
	stats := make([]*ping.Stats, nodes)
	trueNow := func() time.Duration { return w.Now().Duration() }
	for i, name := range hosts {
		h, err := w.AddHost(name, sim.HostConfig{Disk: sim.DiskConfig{TornTail: torn}})
		if err != nil {
			return nil, err
		}
		var peers []string
		for _, o := range hosts {
			if o != name {
				peers = append(peers, fmt.Sprintf("%s:%d", o, ping.Port))
			}
		}
		stats[i] = &ping.Stats{}
		p, err := h.Spawn(name, ping.Program(ping.DefaultOptions(peers), stats[i], trueNow))
		if err != nil {
			return nil, err
		}
		p.Start()
	}
	faultsEnd := r.Duration - quiet
	r.Schedule = r.Generate(nemesis.Config{
		Hosts: hosts, Interval: interval, End: faultsEnd,
		Partitions: true, Crashes: true, Pauses: true, Clocks: true, Disks: true, Links: true,
		MaxJump: 10 * time.Second,
	}, w.Stream("nemesis"))
	return func(r *scenarios.Run) []checker.Result { return checkPing(r, hosts, stats, faultsEnd) }, nil
}

func checkPing(r *scenarios.Run, hosts []string, stats []*ping.Stats, faultsEnd time.Duration) []checker.Result {
	var total ping.Stats
	var order, durability, live []string
	for i, s := range stats {
		total.Pings += s.Pings
		total.Pongs += s.Pongs
		total.Timeouts += s.Timeouts
		total.Dials += s.Dials
		total.DialFailures += s.DialFailures
		total.Resets += s.Resets
		total.Restores += s.Restores
		for _, v := range s.Violations {
			if strings.Contains(v, "out of order") {
				order = append(order, v)
			} else {
				durability = append(durability, v)
			}
		}
		if s.LastPong <= faultsEnd {
			live = append(live, fmt.Sprintf("%s: last pong at %v, none after the faults ended at %v", hosts[i], s.LastPong, faultsEnd))
		}
	}
	r.Facts = append(r.Facts,
		fmt.Sprintf("%d pings, %d pongs, %d timeouts, %d dials (%d failed), %d resets, %d restarts restored a log",
			total.Pings, total.Pongs, total.Timeouts, total.Dials, total.DialFailures, total.Resets, total.Restores),
		fmt.Sprintf("%d nemesis actions", len(r.Schedule)))
	verdict := func(name string, kind checker.Kind, bad []string, okText string) checker.Result {
		if len(bad) == 0 {
			return checker.Result{Checker: name, Kind: kind, Verdict: checker.Ok, Summary: okText}
		}
		return checker.Result{Checker: name, Kind: kind, Verdict: checker.Violation, Summary: fmt.Sprintf("%d violations", len(bad)), Evidence: checker.Evidence{Notes: bad}}
	}
	return []checker.Result{
		verdict("fifo", checker.KindSafety, order, fmt.Sprintf("all %d pongs came back in order", total.Pongs)),
		verdict("durability", checker.KindSafety, durability, fmt.Sprintf("%d restarts, no fsynced log entry lost", total.Restores)),
		verdict("liveness", checker.KindLiveness, live, fmt.Sprintf("every node got pongs within %v of the final heal", r.Duration-faultsEnd)),
	}
}
