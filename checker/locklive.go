package checker

import (
	"fmt"
	"slices"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// span is a half-open interval of true time [from, to).
type span struct{ from, to clock.Time }

// union merges spans into disjoint spans in order.
func union(ss []span) []span {
	slices.SortFunc(ss, func(a, b span) int { return cmpInt64(int64(a.from), int64(b.from)) })
	var out []span
	for _, s := range ss {
		if s.to <= s.from {
			continue
		}
		if n := len(out); n > 0 && s.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// longestUncovered returns the longest part of want (disjoint, sorted) that no
// span of cover (disjoint, sorted) covers.
func longestUncovered(want, cover []span) span {
	var best span
	j := 0
	for _, w := range want {
		at := w.from
		for j < len(cover) && cover[j].to <= at {
			j++
		}
		for k := j; at < w.to; k++ {
			end := w.to
			if k < len(cover) && cover[k].from < w.to {
				end = max(at, cover[k].from)
			}
			if end.Sub(at) > best.to.Sub(best.from) {
				best = span{at, end}
			}
			if k >= len(cover) || cover[k].from >= w.to {
				break
			}
			at = max(at, cover[k].to)
		}
	}
	return best
}

func checkLockLiveness(ops []history.Op, holds []history.Hold, maxGap time.Duration) Result {
	var attempts, acquired int
	byProcess := map[int][]int{}
	var procs []int
	for i := range ops {
		if ops[i].Kind != history.Acquire {
			continue
		}
		attempts++
		if ops[i].Outcome == history.Ok {
			acquired++
		}
		p := ops[i].Process
		if _, ok := byProcess[p]; !ok {
			procs = append(procs, p)
		}
		byProcess[p] = append(byProcess[p], i)
	}
	slices.Sort(procs)
	var want []span
	for _, p := range procs {
		idx := byProcess[p]
		slices.SortStableFunc(idx, func(a, b int) int { return cmpInt64(int64(ops[a].Invoke), int64(ops[b].Invoke)) })
		start, trying := clock.Time(0), false
		for _, i := range idx {
			if !trying {
				start, trying = ops[i].Invoke, true
			}
			if ops[i].Outcome == history.Ok {
				want = append(want, span{start, ops[i].Complete})
				trying = false
			}
		}
		if trying {
			want = append(want, span{start, ops[idx[len(idx)-1]].Complete})
		}
	}
	cover := make([]span, 0, len(holds))
	for _, h := range holds {
		cover = append(cover, span{h.From, h.Until})
	}
	gap := longestUncovered(union(want), union(cover))
	res := Result{Checker: "lock-liveness", Kind: KindLiveness, Metrics: []Metric{
		{"attempts", float64(attempts)},
		{"acquired", float64(acquired)},
		{"acquire_rate", rate(acquired, attempts)},
		{"longest_gap_s", gap.to.Sub(gap.from).Seconds()},
	}}
	if attempts == 0 {
		res.Verdict, res.Summary = Unknown, "no acquire attempt to measure"
		return res
	}
	res.Summary = fmt.Sprintf("%d of %d acquire attempts succeeded (%.1f%%); longest wait with no holder %v", acquired, attempts, 100*rate(acquired, attempts), gap.to.Sub(gap.from))
	if maxGap <= 0 || gap.to.Sub(gap.from) <= maxGap {
		res.Verdict = Ok
		return res
	}
	res.Verdict = Violation
	res.Summary += fmt.Sprintf(" [%v, %v), over the bound of %v", gap.from, gap.to, maxGap)
	ev := Evidence{From: gap.from, To: gap.to}
	for i := range ops {
		op := &ops[i]
		if op.Kind == history.Acquire && op.Invoke < gap.to && op.Complete >= gap.from && len(ev.Ops) < DefaultMaxEvidence {
			ev.Ops = append(ev.Ops, *op)
			ev.Key = op.Key
		}
	}
	sortOps(ev.Ops)
	res.Evidence = ev
	return res
}
