package checker

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

func checkLiveness(ops []history.Op, opts LivenessOptions) Result {
	stop, deadline := opts.FaultsStopped, opts.FaultsStopped.Add(opts.Bound)
	end := opts.End
	lastOk := clock.Time(-1)
	type proc struct {
		// active: invoked an operation in [stop, deadline), or had one in
		// flight at stop (a client waiting on a server that never answers
		// again invokes nothing more)
		active  bool
		firstOk clock.Time // first Ok completion in [stop, deadline], or -1
		lastOk  clock.Time // last Ok completion before that, or -1
	}
	procs := map[int]*proc{}
	var ids []int
	get := func(p int) *proc {
		pr := procs[p]
		if pr == nil {
			pr = &proc{firstOk: -1, lastOk: -1}
			procs[p] = pr
			ids = append(ids, p)
		}
		return pr
	}
	firstOk := clock.Time(-1)
	for i := range ops {
		op := &ops[i]
		if opts.End == 0 {
			end = max(end, op.Invoke, op.Complete)
		}
		pr := get(op.Process)
		if op.Invoke >= stop && op.Invoke < deadline || op.Invoke < stop && (op.Complete >= stop || op.Outcome == history.Pending) {
			pr.active = true
		}
		if op.Outcome != history.Ok {
			continue
		}
		switch {
		case op.Complete < stop:
			lastOk = max(lastOk, op.Complete)
			pr.lastOk = max(pr.lastOk, op.Complete)
		case op.Complete <= deadline:
			if firstOk < 0 || op.Complete < firstOk {
				firstOk = op.Complete
			}
			if pr.firstOk < 0 || op.Complete < pr.firstOk {
				pr.firstOk = op.Complete
			}
		}
	}
	slices.Sort(ids)
	scope := "overall"
	if opts.PerProcess {
		scope = "per-process"
	}
	res := Result{Checker: "liveness/" + scope, Kind: KindLiveness}
	last := "no ok operation before faults stopped"
	if lastOk >= 0 {
		last = fmt.Sprintf("the last ok before faults stopped completed at %v", lastOk)
	}
	window := func(ev *Evidence, keep func(op *history.Op) bool) {
		ev.From, ev.To = stop, deadline
		for i := range ops {
			if op := &ops[i]; op.Invoke >= stop && op.Invoke < deadline && keep(op) && len(ev.Ops) < DefaultMaxEvidence {
				ev.Ops = append(ev.Ops, *op)
			}
		}
	}
	if !opts.PerProcess {
		delay := time.Duration(-1)
		if firstOk >= 0 {
			delay = firstOk.Sub(stop)
		}
		res.Metrics = []Metric{{"first_ok_after_s", delay.Seconds()}}
		switch {
		case firstOk >= 0:
			res.Verdict = Ok
			res.Summary = fmt.Sprintf("an ok operation completed %v after faults stopped at %v (bound %v)", delay, stop, opts.Bound)
		case end < deadline:
			res.Verdict = Unknown
			res.Summary = fmt.Sprintf("the run ended at %v, before the bound of %v after faults stopped at %v, with no ok operation since", end, opts.Bound, stop)
		default:
			res.Verdict = Violation
			res.Summary = fmt.Sprintf("no ok operation completed within %v after faults stopped at %v; %s", opts.Bound, stop, last)
			window(&res.Evidence, func(*history.Op) bool { return true })
		}
		return res
	}
	var stuck []string
	stuckSet := map[int]bool{}
	active := 0
	var worst time.Duration
	for _, p := range ids {
		pr := procs[p]
		if !pr.active {
			continue
		}
		active++
		if pr.firstOk >= 0 {
			worst = max(worst, pr.firstOk.Sub(stop))
			continue
		}
		stuckSet[p] = true
		l := "never ok before"
		if pr.lastOk >= 0 {
			l = fmt.Sprintf("last ok at %v", pr.lastOk)
		}
		stuck = append(stuck, fmt.Sprintf("%d (%s)", p, l))
	}
	res.Metrics = []Metric{
		{"active_processes", float64(active)},
		{"stuck_processes", float64(len(stuck))},
		{"slowest_first_ok_after_s", worst.Seconds()},
	}
	switch {
	case active == 0:
		res.Verdict = Unknown
		res.Summary = fmt.Sprintf("no process invoked an operation within %v after faults stopped at %v, nor had one in flight then", opts.Bound, stop)
	case len(stuck) == 0:
		res.Verdict = Ok
		res.Summary = fmt.Sprintf("all %d active processes completed an ok operation within %v after faults stopped at %v (slowest %v)", active, opts.Bound, stop, worst)
	case end < deadline:
		res.Verdict = Unknown
		res.Summary = fmt.Sprintf("the run ended at %v, before the bound of %v after faults stopped at %v; processes without an ok since: %s", end, opts.Bound, stop, strings.Join(stuck, ", "))
	default:
		res.Verdict = Violation
		res.Summary = fmt.Sprintf("%d of %d processes completed no ok operation within %v after faults stopped at %v: %s; %s", len(stuck), active, opts.Bound, stop, strings.Join(stuck, ", "), last)
		window(&res.Evidence, func(op *history.Op) bool { return stuckSet[op.Process] })
	}
	return res
}
