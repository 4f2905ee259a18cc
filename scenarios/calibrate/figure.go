package calibrate

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Figure is one number a run yields, measured alike on a live and a
// simulated result: from its verdicts' metrics, its history and its
// schedule, which both kinds of run carry.
type Figure struct {
	// Name names the figure in the table; Unit is a reports.Unit*; Doc
	// says how a run's value is measured.
	Name, Unit, Doc string
	// Rate marks a figure that is 1 or 0 per run (a check found a
	// violation or not); its band is binomial (see Compare).
	Rate bool
	// Measure returns the run's value, or false when the run has none
	// (no failover happened, no such check).
	Measure func(r *scenarios.Result) (float64, bool)
}

// Figures are the figures compared for the scenario called name: those
// every scenario with clients has, then the failover figures for the
// scenarios that fail over under a partition. Compare adds one violation
// share per check the runs ran.
func Figures(name string) []Figure {
	out := []Figure{lostWriteRate, opsPerSecond, opLatency}
	if failoverScenarios[name] {
		out = append(out, failoverTime, splitBrainWindow, timeToOneMaster)
	}
	return out
}

// failoverScenarios are the built-ins in which a partition cuts the
// master off and another node is promoted: Jepsen's 2013 setup, with an
// operator or with Sentinel.
var failoverScenarios = map[string]bool{"failover-partition": true, "sentinel-partition": true}

var lostWriteRate = Figure{
	Name: "lost-write rate", Unit: reports.UnitFraction,
	Doc: "acknowledged set additions absent from the final reads, over those acknowledged (the set check's lost_rate)",
	Measure: func(r *scenarios.Result) (float64, bool) {
		for _, v := range r.Verdicts {
			if v.Checker != "set" {
				continue
			}
			acked, _ := v.Metric("acknowledged")
			rate, ok := v.Metric("lost_rate")
			return rate, ok && acked > 0
		}
		return 0, false
	},
}

var opsPerSecond = Figure{
	Name: "operations per second", Unit: reports.UnitPerSecond,
	Doc: "operations that completed ok (final reads aside), over the time from the first invocation to the last completion",
	Measure: func(r *scenarios.Result) (float64, bool) {
		n, first, last := 0, time.Duration(-1), time.Duration(0)
		for _, op := range r.History {
			if op.Outcome != history.Ok || op.Kind == history.FinalRead {
				continue
			}
			n++
			if inv := op.Invoke.Duration(); first < 0 || inv < first {
				first = inv
			}
			last = max(last, op.Complete.Duration())
		}
		if n == 0 || last <= first {
			return 0, false
		}
		return float64(n) / (last - first).Seconds(), true
	},
}

var opLatency = Figure{
	Name: "operation latency before faults", Unit: reports.UnitSeconds,
	Doc: "median time from invocation to completion of the operations that completed ok and were invoked before the schedule's first action (two one-way latencies and the node's work)",
	Measure: func(r *scenarios.Result) (float64, bool) {
		before := time.Duration(1<<63 - 1)
		if len(r.Schedule) > 0 {
			before = r.Schedule[0].At
		}
		var ds []float64
		for _, op := range r.History {
			if op.Outcome == history.Ok && op.Kind != history.FinalRead && op.Invoke.Duration() < before {
				ds = append(ds, (op.Complete - op.Invoke).Duration().Seconds())
			}
		}
		if len(ds) == 0 {
			return 0, false
		}
		slices.Sort(ds)
		return reports.Percentile(ds, 0.5), true
	},
}

var failoverTime = Figure{
	Name: "failover time", Unit: reports.UnitSeconds,
	Doc: "from the partition to the first write acknowledged by another node than the master before it",
	Measure: func(r *scenarios.Result) (float64, bool) {
		t, ok := failover(r)
		if !ok || t.newFirst < 0 {
			return 0, false
		}
		return (t.newFirst - t.partition).Seconds(), true
	},
}

var splitBrainWindow = Figure{
	Name: "split-brain window", Unit: reports.UnitSeconds,
	Doc: "from the first write acknowledged by the new master to the last one acknowledged by the old master (0 when the old one stopped first)",
	Measure: func(r *scenarios.Result) (float64, bool) {
		t, ok := failover(r)
		if !ok || t.newFirst < 0 {
			return 0, false
		}
		return max(t.oldLast-t.newFirst, 0).Seconds(), true
	},
}

var timeToOneMaster = Figure{
	Name: "time to one master after the heal", Unit: reports.UnitSeconds,
	Doc: "from the heal to the last write acknowledged by another node than the one that acknowledged the run's last write (0 when none was after the heal)",
	Measure: func(r *scenarios.Result) (float64, bool) {
		t, ok := failover(r)
		if !ok || t.heal < 0 {
			return 0, false
		}
		return max(t.otherLast-t.heal, 0).Seconds(), true
	},
}

// violationShare is whether check found a violation in a run.
func violationShare(check string) Figure {
	return Figure{
		Name: "runs with a " + check + " violation", Unit: reports.UnitFraction, Rate: true,
		Doc: "the share of runs in which the " + check + " check found a violation",
		Measure: func(r *scenarios.Result) (float64, bool) {
			for _, v := range r.Verdicts {
				if v.Checker == check {
					if v.Verdict == checker.Violation {
						return 1, true
					}
					return 0, true
				}
			}
			return 0, false
		},
	}
}

// failoverTimes are the moments of a run's failover, in true time since
// its start; -1 where there is none.
type failoverTimes struct {
	// partition is the first partition's start, heal the first heal
	// after it.
	partition, heal time.Duration
	// newFirst is the first write acknowledged, at or after the
	// partition, by another node than old (the node that acknowledged the
	// first write before it); oldLast the last write old acknowledged.
	newFirst, oldLast time.Duration
	// otherLast is the last write acknowledged after the heal by another
	// node than the one that acknowledged the run's last write.
	otherLast time.Duration
}

// failover reads r's schedule and history; false when r has no partition
// or no write acknowledged before it.
func failover(r *scenarios.Result) (failoverTimes, bool) {
	t := failoverTimes{partition: -1, heal: -1, newFirst: -1, oldLast: -1, otherLast: -1}
	for _, a := range r.Schedule {
		switch {
		case a.Op == nemesis.OpPartition && t.partition < 0:
			t.partition = a.At
		case (a.Op == nemesis.OpHeal || a.Op == nemesis.OpHealAll) && t.partition >= 0 && t.heal < 0:
			t.heal = a.At
		}
	}
	if t.partition < 0 {
		return t, false
	}
	type write struct {
		node string
		at   time.Duration
	}
	var ws []write
	for _, op := range r.History {
		if op.Outcome == history.Ok && op.Node != "" && op.Kind.Writes() {
			node := op.Node
			if i := strings.LastIndexByte(node, ':'); i >= 0 {
				node = node[:i]
			}
			ws = append(ws, write{node, op.Complete.Duration()})
		}
	}
	slices.SortStableFunc(ws, func(a, b write) int { return cmp.Compare(a.at, b.at) })
	if len(ws) == 0 || ws[0].at >= t.partition {
		return t, false
	}
	old, final := ws[0].node, ws[len(ws)-1].node
	for _, w := range ws {
		if w.at >= t.partition && w.node != old && t.newFirst < 0 {
			t.newFirst = w.at
		}
		if w.node == old && w.at >= t.partition {
			t.oldLast = w.at
		}
		if t.heal >= 0 && w.at >= t.heal && w.node != final {
			t.otherLast = w.at
		}
	}
	return t, true
}
