package reports

import (
	"fmt"
	"github.com/redsim/redsim/checker"
	"math"
	"math/rand/v2"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// sampleRun builds a run shaped like failover-partition: five nodes, ten
// clients, a partition that cuts n1 and n2 off from 15s to 35s, a promotion
// of n3, a crash of n4 and a clock jump. It has about nOps operations.
func sampleRun(nOps int) *Run {
	rng := rand.New(rand.NewPCG(1, 2))
	const clients = 10
	dur := 60 * time.Second
	r := &Run{
		Scenario: "failover-partition", Seed: 1, Hash: "9f1c2ab07e3d4c55",
		Params: []Param{
			{"duration", "60s"}, {"nodes", "5"}, {"clients", "10"},
			{"workload", "set+register"}, {"partition", "majority"},
		},
		Duration: dur, Events: 412345,
		StatusLine: "FAIL scenario=failover-partition seed=1 hash=9f1c2ab07e3d4c55",
		Replay:     "simulate replay failover-partition --seed 1 --expect-hash 9f1c2ab07e3d4c55",
		Faults: []Fault{
			{At: 15 * time.Second, End: 35 * time.Second, Op: "partition", Text: "partition majority {n1,n2} | {n3,n4,n5}"},
			{At: 20 * time.Second, End: 20 * time.Second, Op: "promote", Text: "operator promotes n3"},
			{At: 36 * time.Second, End: 36 * time.Second, Op: "demote", Text: "n1 replicaof n3"},
			{At: 40 * time.Second, End: 40 * time.Second, Op: "clock-jump", Text: "clock jump n2 +2s"},
			{At: 45 * time.Second, End: 48 * time.Second, Op: "crash", Text: "crash n4, restart after 3s"},
		},
		Facts: []string{"1480 acknowledged adds, 12 lost", "2 masters at once for 16s"},
	}
	minority := func(p int) bool { return p <= 3 }
	inPartition := func(t time.Duration) bool { return t >= 15*time.Second && t < 35*time.Second }
	master := func(p int, t time.Duration) string {
		if t < 21*time.Second || minority(p) && t < 35*time.Second {
			return "n1"
		}
		return "n3"
	}
	per := dur / time.Duration(nOps/clients+1)
	next := make([]time.Duration, clients+1)
	for p := 1; p <= clients; p++ {
		next[p] = time.Duration(rng.Int64N(int64(per)))
	}
	for len(r.History) < nOps {
		p := 1
		for q := 2; q <= clients; q++ {
			if next[q] < next[p] {
				p = q
			}
		}
		t := next[p]
		if t >= dur {
			break
		}
		node := master(p, t)
		lat := time.Duration(math.Exp(rng.NormFloat64()*0.5) * float64(800*time.Microsecond))
		op := history.Op{Process: p, Node: node, Kind: history.Add, Key: "s", Value: history.Int(int64(len(r.History)))}
		if rng.IntN(3) == 0 {
			op.Kind, op.Key, op.Value = history.Write, fmt.Sprintf("k%d", rng.IntN(4)), history.Int(rng.Int64N(100))
		}
		op.Outcome = history.Ok
		switch {
		case inPartition(t) && !minority(p) && t < 21*time.Second:
			lat, op.Outcome, op.Error = time.Second, history.Info, "timeout"
		case t >= 45*time.Second && t < 45500*time.Millisecond && rng.IntN(2) == 0:
			lat, op.Outcome, op.Error = 50*time.Microsecond, history.Fail, "READONLY You can't write against a read only replica."
		case t >= 35*time.Second && t < 36*time.Second && minority(p):
			lat, op.Outcome, op.Error = time.Second, history.Info, "connection reset"
		}
		op.Invoke = clock.Time(t)
		op.Complete = clock.Time(t + lat)
		r.History = append(r.History, op)
		next[p] = t + lat + per/2 + time.Duration(rng.Int64N(int64(per)))
	}
	r.History = append(r.History, history.Op{Process: 1, Node: "n1", Kind: history.FinalRead, Key: "s",
		Elems:  []history.Value{history.Int(1), history.Int(2), history.Int(3), history.Int(4), history.Int(5), history.Int(6), history.Int(7), history.Int(8)},
		Invoke: clock.Time(dur - time.Second), Complete: clock.Time(dur - time.Second + time.Millisecond), Outcome: history.Ok})
	for _, n := range []string{"n1", "n2", "n3", "n4", "n5"} {
		role := "slave"
		if n == "n1" {
			role = "master"
		}
		r.Roles = append(r.Roles, RoleSample{0, n, role})
	}
	r.Roles = append(r.Roles,
		RoleSample{20 * time.Second, "n3", "master"},
		RoleSample{36 * time.Second, "n1", "slave"},
		RoleSample{45 * time.Second, "n4", "down"},
		RoleSample{48 * time.Second, "n4", "slave"},
	)
	for p := 1; p <= clients; p++ {
		r.Beliefs = append(r.Beliefs, BeliefSample{0, p, "n1"})
		if minority(p) {
			r.Beliefs = append(r.Beliefs, BeliefSample{35 * time.Second, p, ""}, BeliefSample{36500 * time.Millisecond, p, "n3"})
		} else {
			r.Beliefs = append(r.Beliefs, BeliefSample{21 * time.Second, p, "n3"})
		}
	}
	for t := time.Duration(0); t <= dur; t += 500 * time.Millisecond {
		for _, n := range []string{"n2", "n3", "n4", "n5"} {
			lag := int64(rng.IntN(200))
			switch {
			case inPartition(t) && n != "n2" && t < 20*time.Second:
				lag = int64(t-15*time.Second) / 1000
			case t >= 45*time.Second && t < 49*time.Second && n == "n4":
				lag = 1 << 20
			}
			r.Lag = append(r.Lag, LagSample{t, n, lag})
		}
	}
	var lost []history.Op
	for _, op := range r.History {
		if op.Kind == history.Add && op.Node == "n1" && op.Invoke >= clock.Time(22*time.Second) && op.Invoke < clock.Time(35*time.Second) && len(lost) < 12 {
			lost = append(lost, op)
		}
	}
	r.Verdicts = []checker.Result{
		{Checker: "set", Verdict: checker.Violation, Summary: "12 of 1480 acknowledged adds lost (0.81%)",
			Evidence: checker.Evidence{Notes: []string{"lost: 1203 1207 1210 1215 …", "acknowledged by n1 while the majority had promoted n3"},
				From: clock.Time(22 * time.Second), To: clock.Time(35 * time.Second), Ops: lost}},
		{Checker: "linearizable/register", Verdict: checker.Violation, Summary: "key k2 is not linearizable <after 31 ops>",
			Evidence: checker.Evidence{Notes: []string{`read k2 -> 7 by process 4 at 23.1s <script>alert("x")</script>`, "write k2 7 by process 2 never completed & was overwritten"},
				From: clock.Time(23 * time.Second), To: clock.Time(24 * time.Second)}},
		{Checker: "convergence", Verdict: checker.Ok, Summary: "all 5 replicas of shard 0 agree"},
		{Checker: "liveness", Kind: checker.KindLiveness, Verdict: checker.Unknown, Summary: "ok operations resumed 1.2s after the final heal (bound 5s)"},
	}
	return r
}
