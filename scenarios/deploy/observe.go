package deploy

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/reports"
)

// Observations are what a run samples for its report: each node's role and
// replication lag, and which node each client process targets.
type Observations struct {
	Roles   []reports.RoleSample
	Beliefs []reports.BeliefSample
	Lag     []reports.LagSample
}

// Observe samples roles, offsets and client targets into obs every period
// until the end.
func (b *Deployed) Observe(obs *Observations, period, end time.Duration) {
	w := b.w
	var tick func()
	tick = func() {
		at := w.Now().Duration()
		var top int64
		offsets := map[string]int64{}
		for _, name := range b.nodes {
			s := b.Server(name)
			role := "down"
			if s != nil {
				role = s.Role()
				offsets[name] = s.ReplOffset()
				if role == "master" && s.ReplOffset() > top {
					top = s.ReplOffset()
				}
			}
			obs.Roles = append(obs.Roles, reports.RoleSample{At: at, Node: name, Role: role})
		}
		for _, name := range b.nodes {
			if s := b.Server(name); s != nil && s.Role() == "slave" {
				obs.Lag = append(obs.Lag, reports.LagSample{At: at, Node: name, Bytes: max(top-offsets[name], 0)})
			}
		}
		for pid := 0; pid < b.nextPID; pid++ {
			if tg, ok := b.targets[pid]; ok {
				obs.Beliefs = append(obs.Beliefs, reports.BeliefSample{At: at, Process: pid, Master: hostPart(tg())})
			}
		}
		if at+period < end {
			w.After(period, tick)
		}
	}
	w.After(0, tick)
}

func hostPart(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i]
		}
	}
	return addr
}

// FinalReads reads every key of wl on every node at time at, from host; a
// failure to start them is reported to fail.
func (b *Deployed) FinalReads(host string, at time.Duration, wl client.Workload, fail func(error)) {
	w := b.w
	w.At(clock.Time(at), func() {
		h := w.Host(host)
		for _, name := range b.nodes {
			pid := b.nextPID
			b.nextPID++
			prog, err := client.FinalReadProgram(name+":6379", client.Options{Process: pid, History: b.hist, Now: w.Now, Workload: wl}, nil)
			if err != nil {
				fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
			p, err := h.Spawn(fmt.Sprintf("final%d-%s", pid, name), prog)
			if err != nil {
				fail(fmt.Errorf("final reads of %s: %w", name, err))
				return
			}
			p.Start()
		}
	})
}

// Convergence compares, shard by shard, the digests of every node that is
// up; a node that is down, or a replica whose link is down, fails it too.
func (b *Deployed) Convergence() checker.Result {
	var shards []checker.Shard
	var bad []string
	for _, sh := range b.shards {
		cs := checker.Shard{Name: sh.Name}
		for _, node := range sh.Nodes {
			s := b.Server(node.Host)
			if s == nil {
				bad = append(bad, node.Host+" is down at the end")
				continue
			}
			cs.Replicas = append(cs.Replicas, checker.Replica{Node: node.Host, Digest: s.Digest()})
			if s.Role() == "slave" && !s.MasterLinkUp() {
				bad = append(bad, node.Host+": link to its master is down at the end")
			}
		}
		shards = append(shards, cs)
	}
	v := checker.Convergence(shards)
	if len(bad) > 0 {
		if v.Verdict != checker.Violation {
			v.Summary = fmt.Sprintf("%d nodes not converged: %s", len(bad), bad[0])
		}
		v.Verdict = checker.Violation
		v.Evidence.Notes = append(bad, v.Evidence.Notes...)
	}
	return v
}
