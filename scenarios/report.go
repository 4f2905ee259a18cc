package scenarios

import (
	"cmp"
	"slices"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// Report is what the reports package draws of a result.
func (res *Result) Report() *reports.Run {
	out := &reports.Run{
		Scenario: res.Scenario, Seed: res.Seed, Hash: res.Hash, Duration: res.Duration,
		Events: res.Events, Status: string(res.Status()), StatusLine: res.StatusLine(), Replay: res.Replay(),
		History: res.History, Streamed: res.Streamed, HistoryPrefix: res.HistoryFile, Facts: res.Facts, Verdicts: res.Verdicts,
		Roles: res.Observations.Roles, Beliefs: res.Observations.Beliefs, Lag: res.Observations.Lag,
		Sentinels: res.Observations.Sentinels, SentinelEvents: res.Observations.SentinelEvents,
		Cluster:         res.Observations.Cluster,
		Linearizability: res.visualize,
		Bugs:            res.Bugs,
	}
	for _, st := range res.Sites {
		out.Sites = append(out.Sites, reports.RunSite{Name: st.Name, Percent: st.Percent, Forced: st.Forced, Fires: st.Fires, First: st.First.Duration()})
	}
	for _, name := range res.paramOrder {
		out.Params = append(out.Params, reports.Param{Name: name, Value: res.Params[name]})
	}
	if res.Profile != nil {
		out.FaultProfile = res.Profile
	}
	for _, p := range res.Probes {
		out.Probes = append(out.Probes, reports.RunProbe{Name: p.Name, Count: p.Count, First: p.First.Duration()})
	}
	out.Faults = faultWindows(res.Schedule, res.Duration)
	if len(res.clientFaults) > 0 {
		out.Faults = append(out.Faults, res.clientFaults...)
		slices.SortStableFunc(out.Faults, func(a, b reports.Fault) int { return cmp.Compare(a.At, b.At) })
	}
	return out
}

// faultWindows pairs each fault with the action that ends it (a heal, a
// restart, a resume...), so reports can shade the time it was in force.
func faultWindows(actions []nemesis.Action, end time.Duration) []reports.Fault {
	closes := map[nemesis.Op]nemesis.Op{nemesis.OpPartition: nemesis.OpHeal, nemesis.OpCrash: nemesis.OpRestart, nemesis.OpCrashTorn: nemesis.OpRestart, nemesis.OpCrashWipe: nemesis.OpRestart, nemesis.OpPause: nemesis.OpResume, nemesis.OpStop: nemesis.OpRestart, nemesis.OpClog: nemesis.OpUnclog, nemesis.OpDiskFull: nemesis.OpDiskOK}
	var out []reports.Fault
	for i, a := range actions {
		switch a.Op {
		case nemesis.OpHeal, nemesis.OpRestart, nemesis.OpResume, nemesis.OpUnclog, nemesis.OpDiskOK:
			continue
		}
		f := reports.Fault{At: a.At, End: a.At, Op: string(a.Op), Target: a.Target, Text: a.String()}
		if a.Op == nemesis.OpClockStrobe {
			f.End = a.At + a.Duration
		}
		if closer, ok := closes[a.Op]; ok {
			f.End = end
			for _, b := range actions[i+1:] {
				if b.Op == nemesis.OpHealAll || (b.Op == closer && (b.Target == a.Target || a.Op == nemesis.OpPartition) && sameGroups(a, b)) {
					f.End = b.At
					break
				}
			}
		}
		out = append(out, f)
	}
	return out
}

func sameGroups(a, b nemesis.Action) bool {
	if a.Op != nemesis.OpClog {
		return true
	}
	return len(b.Groups) == 1 && len(a.Groups) == 1 && len(a.Groups[0]) == 2 && len(b.Groups[0]) == 2 &&
		a.Groups[0][0] == b.Groups[0][0] && a.Groups[0][1] == b.Groups[0][1]
}
