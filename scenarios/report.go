package scenarios

import (
	"github.com/redsim/redsim/scenarios/nemesis"
	"io"
	"time"

	"github.com/redsim/redsim/reports"
)

// Report converts a result into what the reports package draws; replay is
// the command that runs the same world again.
func (res *Result) Report(replay string) *reports.Run {
	out := &reports.Run{
		Scenario: res.Scenario, Seed: res.Seed, Hash: res.Hash, Duration: res.Duration,
		Events: res.Events, Status: string(res.Status()), StatusLine: res.StatusLine(), Replay: replay,
		History: res.History, Facts: res.Facts,
	}
	for _, name := range res.paramOrder {
		out.Params = append(out.Params, reports.Param{Name: name, Value: res.Params[name]})
	}
	for _, v := range res.Verdicts {
		out.Verdicts = append(out.Verdicts, reports.Verdict{
			Check: v.Check, Outcome: string(v.Outcome), Summary: v.Summary, Evidence: v.Evidence,
			From: v.From, To: v.To, Ops: v.Ops,
		})
		if v.visualize != nil && out.Linearizability == nil {
			vis := v.visualize
			out.Linearizability = func(w io.Writer) error { return vis(w) }
		}
	}
	out.Faults = faultWindows(res.Schedule, res.Duration)
	for _, s := range res.Observations.Roles {
		out.Roles = append(out.Roles, reports.RoleSample{At: s.At, Node: s.Node, Role: s.Role})
	}
	for _, s := range res.Observations.Beliefs {
		out.Beliefs = append(out.Beliefs, reports.BeliefSample{At: s.At, Process: s.Process, Master: s.Master})
	}
	for _, s := range res.Observations.Lag {
		out.Lag = append(out.Lag, reports.LagSample{At: s.At, Node: s.Node, Bytes: s.Bytes})
	}
	return out
}

// faultWindows pairs each fault with the action that ends it (a heal, a
// restart, a resume...), so reports can shade the time it was in force.
func faultWindows(actions []nemesis.Action, end time.Duration) []reports.Fault {
	closes := map[nemesis.Op]nemesis.Op{nemesis.OpPartition: nemesis.OpHeal, nemesis.OpCrash: nemesis.OpRestart, nemesis.OpPause: nemesis.OpResume, nemesis.OpClog: nemesis.OpUnclog, nemesis.OpDiskFull: nemesis.OpDiskOK}
	var out []reports.Fault
	for i, a := range actions {
		switch a.Op {
		case nemesis.OpHeal, nemesis.OpRestart, nemesis.OpResume, nemesis.OpUnclog, nemesis.OpDiskOK:
			continue
		}
		f := reports.Fault{At: a.At, End: a.At, Op: string(a.Op), Text: a.String()}
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
