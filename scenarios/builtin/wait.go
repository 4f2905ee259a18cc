package builtin

import (
	"fmt"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// waitFailoverScenario is WAIT's promise under a failover: a write that
// WAIT n confirmed is on n replicas, so it survives a failover to the most
// up-to-date replica, while a write only the master acknowledged may be
// lost. Clients SADD unique elements, each followed by WAIT 1 on the same
// connection; replicas are paused, slowed and have their links killed, so
// they lag by different amounts; then the master is cut from its replicas
// (the clients still reach it, and WAIT answers 0), and an operator fails
// over to the replica with the largest offset and points the old master at
// it. The check: every add WAIT confirmed is in every node's final read;
// the master-only adds are counted, lost or not.
func waitFailoverScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "wait-failover",
		Summary: "SADD + WAIT 1 under lagging replicas, then a failover to the most up-to-date replica: WAIT-confirmed writes must survive, master-only ones may not",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "40s", "virtual time the world runs"),
			scenarios.DurationParam("fault-interval", "2s", "mean time between two faults on the replicas before the failover"),
			scenarios.DurationParam("promote-after", "2s", "how long the master is cut from its replicas before the operator fails over"),
			scenarios.IntParam("clients", 5, 1, 1000, "clients adding elements, each add followed by WAIT"),
			scenarios.IntParam("wait-replicas", 1, 1, 2, "WAIT's numreplicas"),
			scenarios.IntParam("wait-timeout", 100, 0, 10000, "WAIT's timeout in milliseconds"),
		},
		Setup: setupWaitFailover,
	}
}

func setupWaitFailover(r *scenarios.Run) (scenarios.Checks, error) {
	p := r.Params
	promoteAfter, need := p.Duration("promote-after"), p.Int("wait-replicas")
	if r.Duration < 30*time.Second {
		return nil, fmt.Errorf("duration (%v) must be at least 30s: the failover comes between 10s and 20s, and the old master's resync and the final reads after it", r.Duration)
	}
	// The failover time is drawn from the nemesis stream, so seeds differ
	// in how much each replica lags when it comes.
	rng := r.World.Stream("nemesis")
	cutAt := 10*time.Second + time.Duration(rng.Int64N(int64(10*time.Second)))
	failAt := cutAt + promoteAfter
	healAt := failAt + 3*time.Second
	stop := r.Duration - 8*time.Second
	if healAt >= stop {
		return nil, fmt.Errorf("promote-after (%v) is too long for duration %v: the heal must come 8s before the end", promoteAfter, r.Duration)
	}
	wl := &client.WaitAdd{Keys: 20, Replicas: need, TimeoutMS: p.Int("wait-timeout")}
	nodes := []string{"m", "r1", "r2"}
	dep, err := r.Deploy(deploy.Deployment{
		Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(scenarios.NoSave(), sim.DiskConfig{}, nodes...)}},
		Clients: []deploy.Clients{{Host: "c1", Count: p.Int("clients"), Workload: wl, Target: "m:6379", Follow: "master", Stop: stop}},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", r.Duration-4*time.Second, wl, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	pre := r.Generate(nemesis.Config{
		Hosts: []string{"r1", "r2"}, Interval: p.Duration("fault-interval"), End: cutAt - time.Second,
		Pauses: true, Links: true, LinkKills: true,
	}, rng)
	r.Schedule = append(pre,
		nemesis.Action{At: cutAt, Op: nemesis.OpPartition, Shape: nemesis.ShapeMajority, Groups: [][]string{{"m"}, {"r1", "r2"}}},
		nemesis.Action{At: failAt, Op: nemesis.OpFailover, Target: "master", Groups: [][]string{{"r1", "r2"}, {"m"}}},
		nemesis.Action{At: healAt, Op: nemesis.OpHealAll},
	)
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := scenarios.KeyOps(r.History, 'w')
		judged, confirmed, masterOnly := WaitConfirmed(ops, need)
		all := checker.SetWrites(ops, checker.SetOptions{})
		res := checker.SetWrites(judged, checker.SetOptions{})
		res.Checker = "wait-confirmed"
		lostAll, _ := all.Metric("lost")
		lostConfirmed, _ := res.Metric("lost")
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History),
			fmt.Sprintf("adds: %d confirmed by WAIT %d, %d acknowledged by the master alone, of which %.0f lost", confirmed, need, masterOnly, lostAll-lostConfirmed),
			fmt.Sprintf("cut at %v, failover at %v, heal at %v", clock.Time(cutAt), clock.Time(failAt), clock.Time(healAt)))
		return []checker.Result{res, dep.Convergence()}
	}, nil
}

// WaitConfirmed turns the Ok adds whose WAIT counted fewer than need
// replicas into Info, which the set checker never calls lost: only what
// WAIT confirmed must survive. It returns the ops so changed and the
// counts of confirmed and master-only adds.
func WaitConfirmed(ops []history.Op, need int) (judged []history.Op, confirmed, masterOnly int) {
	judged = make([]history.Op, len(ops))
	copy(judged, ops)
	for i := range judged {
		op := &judged[i]
		if op.Kind != history.Add || op.Outcome != history.Ok {
			continue
		}
		n, _ := op.Result.Int()
		if n >= int64(need) {
			confirmed++
			continue
		}
		masterOnly++
		op.Outcome, op.Error = history.Info, fmt.Sprintf("WAIT counted %d replicas of %d", n, need)
	}
	return judged, confirmed, masterOnly
}

// minReplicasScenario is min-replicas-to-write under partitions: every
// node has min-replicas-to-write 1 and min-replicas-max-lag L, and the
// master is cut from both replicas again and again while its clients still
// reach it. Redis's promise: once no replica has acknowledged for more than
// L seconds the master refuses writes (-NOREPLICAS). Replicas acknowledge
// every second, the master keeps time in whole seconds and recounts its
// good replicas once a second, so a write it accepts more than L + 2s (and
// some network slack) after the cut is a violation. The window, from each
// cut to the last write accepted in it, is measured.
//
// Beside them, clients set keys that expire within seconds on the master
// and others read those keys on the replicas: during a cut a replica keeps
// the keys its master would have deleted, and must answer as if they were
// gone (no clock faults here, so the nodes' clocks agree).
func minReplicasScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "min-replicas",
		Summary: "min-replicas-to-write 1 under repeated master/replica cuts: the master must refuse writes within min-replicas-max-lag (+2s); the window is measured",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "60s", "virtual time the world runs"),
			scenarios.DurationParam("quiet", "15s", "fault-free time at the end"),
			scenarios.IntParam("clients", 5, 1, 1000, "clients adding elements to the master"),
			scenarios.IntParam("max-lag", 2, 1, 60, "min-replicas-max-lag in seconds"),
		},
		Setup: setupMinReplicas,
	}
}

// minReplicasSlack covers a last ACK still in flight when the cut comes
// and the scheduling of the master's cron.
const minReplicasSlack = 500 * time.Millisecond

func setupMinReplicas(r *scenarios.Run) (scenarios.Checks, error) {
	p := r.Params
	quiet, lag := p.Duration("quiet"), p.Int("max-lag")
	faultsEnd := r.Duration - quiet
	cfg := scenarios.NoSave()
	cfg.MinReplicasToWrite, cfg.MinReplicasMaxLag = 1, lag
	nodes := []string{"m", "r1", "r2"}
	wl := client.NewSet()
	wl.Keys = 20
	dep, err := r.Deploy(deploy.Deployment{
		Latency: sim.LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		Shards:  []deploy.Shard{{Name: "shard", Nodes: scenarios.RedisNodes(cfg, sim.DiskConfig{}, nodes...)}},
		Clients: []deploy.Clients{
			{Host: "c1", Count: p.Int("clients"), Workload: wl, Target: "m:6379", Stop: faultsEnd + quiet/3},
			{Host: "c1", Count: 2, Workload: &client.Expiring{Keys: 20}, Target: "m:6379", Stop: faultsEnd + quiet/3},
			{Host: "c1", Count: 1, Workload: &client.Expiring{Keys: 20, ReadOnly: true}, Target: "r1:6379", Stop: faultsEnd + quiet/3},
			{Host: "c1", Count: 1, Workload: &client.Expiring{Keys: 20, ReadOnly: true}, Target: "r2:6379", Stop: faultsEnd + quiet/3},
		},
	})
	if err != nil {
		return nil, err
	}
	dep.FinalReads("c1", faultsEnd+quiet*2/3, wl, r.Fail)
	dep.Observe(&r.Observations, 500*time.Millisecond, r.Duration)
	// Cuts of 4 to 12 seconds separated by 3 to 8 seconds of health,
	// starting after the initial syncs.
	rng := r.World.Stream("nemesis")
	var cuts [][2]time.Duration
	for at := 6 * time.Second; ; {
		d := 4*time.Second + time.Duration(rng.Int64N(int64(8*time.Second)))
		if at+d >= faultsEnd {
			break
		}
		cuts = append(cuts, [2]time.Duration{at, at + d})
		r.Schedule = append(r.Schedule,
			nemesis.Action{At: at, Op: nemesis.OpPartition, Shape: nemesis.ShapeMajority, Groups: [][]string{{"m"}, {"r1", "r2"}}},
			nemesis.Action{At: at + d, Op: nemesis.OpHeal})
		at += d + 3*time.Second + time.Duration(rng.Int64N(int64(5*time.Second)))
	}
	r.Schedule = append(r.Schedule, nemesis.Action{At: faultsEnd, Op: nemesis.OpHealAll})
	bound := time.Duration(lag)*time.Second + 2*time.Second + minReplicasSlack
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		res, window := minReplicasWindow(scenarios.KeyOps(r.History, 's'), cuts, bound)
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History),
			fmt.Sprintf("%d cuts; the master accepted writes up to %v after a cut (bound %v)", len(cuts), window, bound))
		return []checker.Result{res, checker.SetWrites(scenarios.KeyOps(r.History, 's'), checker.SetOptions{}),
			checker.ExpiredReads(scenarios.KeyOps(r.History, 'e'), client.SetPX, client.GetEx, 100*time.Millisecond),
			dep.Convergence(), scenarios.Liveness(r, faultsEnd, quiet/4)}
	}, nil
}

// minReplicasWindow finds, for each cut [from, to), the last write the
// master acknowledged that was invoked and answered inside it (a write
// answered after the heal may have been accepted after it); one invoked
// later than from+bound is a violation. It returns the verdict and the
// longest window.
func minReplicasWindow(ops []history.Op, cuts [][2]time.Duration, bound time.Duration) (checker.Result, time.Duration) {
	res := checker.Result{Checker: "min-replicas-window", Kind: checker.KindSafety}
	var window time.Duration
	var late []history.Op
	for _, c := range cuts {
		from, to := clock.Time(c[0]), clock.Time(c[1])
		for _, op := range ops {
			if op.Kind != history.Add || op.Outcome != history.Ok || op.Invoke < from || op.Complete >= to {
				continue
			}
			w := time.Duration(op.Invoke - from)
			window = max(window, w)
			if w > bound {
				late = append(late, op)
			}
		}
	}
	res.Metrics = []checker.Metric{{Name: "window_ms", Value: float64(window.Milliseconds())}, {Name: "late_writes", Value: float64(len(late))}}
	if len(late) == 0 {
		longest := time.Duration(0)
		for _, c := range cuts {
			longest = max(longest, c[1]-c[0])
		}
		if longest <= bound {
			// A master that never refused a write would pass as well.
			res.Verdict = checker.Unknown
			res.Summary = fmt.Sprintf("no cut lasted longer than the bound of %v (the longest %v), so a late write could not show", bound, longest)
			return res, window
		}
		res.Summary = fmt.Sprintf("the master accepted no write more than %v after a cut (the latest %v after)", bound, window)
		return res, window
	}
	res.Verdict = checker.Violation
	res.Summary = fmt.Sprintf("the master accepted %d writes more than %v after losing its replicas (the latest %v after the cut)", len(late), bound, window)
	res.Evidence.Ops = late[:min(len(late), 10)]
	res.Evidence.Key = late[0].Key
	res.Evidence.From, res.Evidence.To = late[0].Invoke, late[0].Complete
	return res, window
}
