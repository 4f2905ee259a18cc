package builtin

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// electionLog is what the sentinels' events say about their elections: who
// was elected leader in each epoch, and which node each leader selected
// for promotion, when.
type electionLog struct {
	leaders    map[uint64][]string // epoch -> the sentinels elected in it, in order
	promotions []promotion
}

type promotion struct {
	at    time.Duration
	node  string
	epoch uint64
	by    string
}

// readElections follows each sentinel's events in order. A failover's
// epoch is the one its "+new-epoch" announced just before "+try-failover"
// (sentinelStartFailover emits both at once); "+elected-leader" is the
// sentinel acting as that epoch's leader (a SENTINEL FAILOVER too), and its
// "+selected-slave" names the node it promotes in that epoch.
func readElections(events []deploy.SentinelEvent) electionLog {
	log := electionLog{leaders: map[uint64][]string{}}
	lastEpoch := map[string]uint64{}
	tryEpoch := map[string]uint64{}
	leading := map[string]bool{}
	for _, e := range events {
		switch e.Type {
		case "+new-epoch":
			if n, err := strconv.ParseUint(strings.TrimSpace(e.Msg), 10, 64); err == nil {
				lastEpoch[e.Host] = n
			}
		case "+try-failover":
			tryEpoch[e.Host], leading[e.Host] = lastEpoch[e.Host], false
		case "+elected-leader":
			ep := tryEpoch[e.Host]
			if !slices.Contains(log.leaders[ep], e.Host) {
				log.leaders[ep] = append(log.leaders[ep], e.Host)
			}
			leading[e.Host] = true
		case "+selected-slave":
			// "slave <name> <ip> <port> @ <master> <ip> <port>"
			if f := strings.Fields(e.Msg); leading[e.Host] && len(f) >= 3 {
				log.promotions = append(log.promotions, promotion{at: e.At.Duration(), node: f[2], epoch: tryEpoch[e.Host], by: e.Host})
			}
		}
	}
	return log
}

// epochAt is the epoch node was last selected for promotion in at or
// before t; the initial master is epoch 0's until then. ok is false for a
// node no leader ever selected that is not the initial master.
func (l electionLog) epochAt(node, initial string, t time.Duration) (uint64, bool) {
	ep, ok := uint64(0), node == initial
	for _, p := range l.promotions {
		if p.at > t {
			break
		}
		if p.node == node {
			ep, ok = p.epoch, true
		}
	}
	return ep, ok
}

// masterTerm is one node's acknowledged writes as the master of one epoch.
type masterTerm struct {
	node        string
	epoch       uint64
	first, last time.Duration
	writes      int
}

// splitBrain is Sentinel's election promise and its cost, judged in true
// time from the clients' histories and the sentinels' events:
//   - at most one sentinel is elected leader in an epoch (the vote of each
//     sentinel is one per epoch and persisted before it is given);
//   - at most one node acknowledges writes as the master of an epoch;
//
// and, measured rather than judged because Redis documents them, the
// split-brain windows: the times two nodes of different epochs both
// acknowledged writes (an old master that has not yet been converted
// beside the new one), each with its length.
func splitBrain(dep *deploy.Deployed, ops []history.Op, initial string) checker.Result {
	res := checker.Result{Checker: "split-brain", Kind: checker.KindSafety, Verdict: checker.Ok}
	log := readElections(dep.SentinelEvents())
	var bad []string
	epochs := make([]uint64, 0, len(log.leaders))
	for ep := range log.leaders { //redsim:ordered sorted below
		epochs = append(epochs, ep)
	}
	slices.Sort(epochs)
	for _, ep := range epochs {
		if l := log.leaders[ep]; len(l) > 1 {
			bad = append(bad, fmt.Sprintf("epoch %d has %d leaders: %s", ep, len(l), strings.Join(l, ", ")))
		}
	}
	var terms []*masterTerm
	find := func(node string, ep uint64) *masterTerm {
		for _, t := range terms {
			if t.node == node && t.epoch == ep {
				return t
			}
		}
		t := &masterTerm{node: node, epoch: ep, first: -1}
		terms = append(terms, t)
		return t
	}
	unknown := 0
	for i := range ops {
		op := &ops[i]
		if op.Outcome != history.Ok || op.Node == "" || !op.Kind.Writes() {
			continue
		}
		node := op.Node
		if j := strings.LastIndexByte(node, ':'); j >= 0 {
			node = node[:j]
		}
		at := op.Complete.Duration()
		ep, ok := log.epochAt(node, initial, at)
		if !ok {
			unknown++
			continue
		}
		t := find(node, ep)
		if t.first < 0 || at < t.first {
			t.first = at
		}
		t.last = max(t.last, at)
		t.writes++
	}
	var notes []string
	byEpoch := map[uint64]string{}
	for _, t := range terms {
		notes = append(notes, fmt.Sprintf("%s acknowledged %d writes as the master of epoch %d, from %v to %v", t.node, t.writes, t.epoch, t.first, t.last))
		if other, dup := byEpoch[t.epoch]; dup {
			bad = append(bad, fmt.Sprintf("two masters acknowledged writes in epoch %d: %s and %s", t.epoch, other, t.node))
		}
		byEpoch[t.epoch] = t.node
	}
	if unknown > 0 {
		notes = append(notes, fmt.Sprintf("%d writes were acknowledged by nodes no leader had promoted", unknown))
	}
	var longest, total time.Duration
	for i, a := range terms {
		for _, b := range terms[i+1:] {
			if a.node == b.node {
				continue
			}
			from, to := max(a.first, b.first), min(a.last, b.last)
			if to <= from {
				continue
			}
			w := to - from
			longest, total = max(longest, w), total+w
			notes = append(notes, fmt.Sprintf("split-brain window of %v: %s (epoch %d) and %s (epoch %d) both acknowledged writes from %v to %v",
				w, a.node, a.epoch, b.node, b.epoch, from, to))
		}
	}
	res.Metrics = []checker.Metric{{Name: "split_brain_ms", Value: float64(total.Milliseconds())}}
	res.Evidence.Notes = notes
	if len(bad) > 0 {
		res.Verdict = checker.Violation
		res.Summary = bad[0]
		res.Evidence.Notes = append(bad, notes...)
		return res
	}
	res.Summary = fmt.Sprintf("one leader per epoch (%d elections), one master per epoch; split-brain windows %v in all (longest %v)", len(epochs), total, longest)
	return res
}

// watchSelfReplication samples, every period until end, whether a node
// replicates from its own address: never a valid configuration (Redis
// accepts REPLICAOF to itself and cannot detect the loop), and what a
// sentinel restarting from a wrong known-replica list does to the master.
// The returned check reports the first sample that saw it.
func watchSelfReplication(r *scenarios.Run, dep *deploy.Deployed, period time.Duration) func() checker.Result {
	var seen []string
	if r.Live() {
		// Nothing runs in the world of a live run: sample the real nodes
		// (INFO replication) on the run's own clock instead.
		for at := period; at < r.Duration; at += period {
			dep.At(at, func() {
				for _, h := range dep.Nodes() {
					if dep.MasterHost(h) == h {
						seen = append(seen, fmt.Sprintf("%s replicated from itself at %v", h, at))
					}
				}
			})
		}
	} else {
		var tick func()
		tick = func() {
			for _, h := range dep.Nodes() {
				if s := dep.Server(h); s != nil && s.Role() == "slave" && s.MasterHost() == h {
					seen = append(seen, fmt.Sprintf("%s replicated from itself at %v", h, r.World.Now().Duration()))
				}
			}
			if r.World.Now().Duration()+period < r.Duration {
				r.World.After(period, tick)
			}
		}
		r.World.After(period, tick)
	}
	return func() checker.Result {
		res := checker.Result{Checker: "no-self-replication", Kind: checker.KindSafety, Verdict: checker.Ok,
			Summary: fmt.Sprintf("no node replicated from itself (sampled every %v)", period)}
		if len(seen) > 0 {
			res.Verdict, res.Summary = checker.Violation, seen[0]
			res.Evidence.Notes = seen[:min(len(seen), 10)]
		}
		return res
	}
}

// sentinelCrashScenario: the master crashes while the sentinels
// themselves crash and restart, each once at a random moment of the
// failover, and two of them (s1 and s3) cannot hear each other, so both
// may campaign in the same epoch with s2 the voter between them. What
// Sentinel promises must still hold: one leader per epoch, one master per
// epoch, no node made to replicate itself, a failover that completes,
// sentinels that agree and nodes that converge after it all.
func sentinelCrashScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "sentinel-crash",
		Summary: "the master crashes while the sentinels crash and restart mid-failover; elections stay one leader per epoch and the failover completes",
		Params: []scenarios.Param{
			scenarios.DurationParam("duration", "90s", "virtual time the world runs"),
			scenarios.DurationParam("fault-at", "15s", "when the master's host crashes; it restarts 20s later"),
			scenarios.DurationParam("down-after", "5s", "sentinel down-after-milliseconds"),
			scenarios.DurationParam("crash-window", "4s", "each sentinel host crashes once, at a random moment of this window starting down-after past fault-at"),
			scenarios.DurationParam("failover-bound", "40s", "the longest acceptable time from the fault to the first acknowledged write on the new master"),
			scenarios.IntParam("clients", 2, 1, 20, "clients per workload (set and register)"),
		},
		Setup: setupSentinelCrash,
	}
}

func setupSentinelCrash(r *scenarios.Run) (scenarios.Checks, error) {
	faultAt, downAfter, window, bound := r.Params.Duration("fault-at"), r.Params.Duration("down-after"), r.Params.Duration("crash-window"), r.Params.Duration("failover-bound")
	const backAfter = 20 * time.Second
	if faultAt+bound+15*time.Second > r.Duration || faultAt+backAfter+15*time.Second > r.Duration || window <= 0 {
		return nil, fmt.Errorf("parameters: want a positive crash-window, fault-at + failover-bound + 15s <= duration and fault-at + 35s <= duration (got %v, %v, %v)", faultAt, bound, r.Duration)
	}
	dep, err := sentinelTrio(r, scenarios.NoSave(), downAfter, 20*time.Second)
	if err != nil {
		return nil, err
	}
	selfRepl := watchSelfReplication(r, dep, 500*time.Millisecond)
	rng := r.World.Stream("nemesis")
	crashFrom := faultAt + downAfter
	sched := []nemesis.Action{
		{At: time.Second, Op: nemesis.OpPartition, Shape: nemesis.ShapeMajority, Groups: [][]string{{"s1"}, {"s3"}}},
		{At: crashFrom + window + 10*time.Second, Op: nemesis.OpHeal},
		{At: faultAt, Op: nemesis.OpCrash, Target: "n1"},
		{At: faultAt + backAfter, Op: nemesis.OpRestart, Target: "n1"},
	}
	for _, h := range []string{"s1", "s2", "s3"} {
		// s2, the voter both sides can reach, crashes in the first half
		// of the window, when the votes are being asked for.
		span := window
		if h == "s2" {
			span = window / 2
		}
		at := crashFrom + time.Duration(rng.Int64N(int64(span)))
		down := 50*time.Millisecond + time.Duration(rng.Int64N(int64(950*time.Millisecond)))
		sched = append(sched, nemesis.Action{At: at, Op: nemesis.OpCrash, Target: h}, nemesis.Action{At: at + down, Op: nemesis.OpRestart, Target: h})
	}
	slices.SortStableFunc(sched, func(a, b nemesis.Action) int { return cmp.Compare(a.At, b.At) })
	r.Schedule = sched
	return func(r *scenarios.Run) []checker.Result {
		r.History.Finish(r.World.Now())
		ops := r.History.Ops()
		r.Facts = append(r.Facts, scenarios.OpCounts(r.History))
		measureLostWrites(r, "to asynchronous replication", "Redis documents this loss")
		return []checker.Result{
			splitBrain(dep, ops, "n1"),
			selfRepl(),
			failoverTime(ops, "n1", faultAt, bound),
			dep.Convergence(),
			sentinelAgreement(dep, "mymaster"),
		}
	}, nil
}
