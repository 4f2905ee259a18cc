package checker

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// keyHistory is one key's operations as porcupine sees them: the Input of
// each is the *history.Op the model steps with, and Metadata is the index of
// the operation in the caller's slice.
type keyHistory struct {
	key string
	ops []porcupine.Operation
	// dropped and closed count the Info writes trimInfoWrites left out and
	// gave a return time.
	dropped, closed int
}

// partitionOps turns ops into porcupine operations grouped by key, keys in
// sorted order. Operations of other models, Fail operations (they never
// happened) and Info reads (they constrain nothing) are left out; other Info
// and pending operations return at +infinity, but for the Info writes that
// trimInfoWrites drops or closes.
func partitionOps(m Model, ops []history.Op) []keyHistory {
	byKey := map[string]int{}
	var parts []keyHistory
	var spare []history.Op
	// Each operation's part, found once; then each part's operations
	// appended into room made for all of them.
	part := make([]int32, len(ops))
	var sizes []int
	for i := range ops {
		op := &ops[i]
		part[i] = -1
		if !m.covers(op.Kind) || op.Outcome == history.Fail {
			continue
		}
		if op.Outcome != history.Ok && op.Kind == history.Read {
			continue
		}
		p, ok := byKey[op.Key]
		if !ok {
			p = len(parts)
			byKey[op.Key] = p
			parts = append(parts, keyHistory{key: op.Key})
			sizes = append(sizes, 0)
		}
		part[i] = int32(p)
		sizes[p]++
	}
	for p := range parts {
		parts[p].ops = make([]porcupine.Operation, 0, sizes[p])
	}
	for i := range ops {
		p := part[i]
		if p < 0 {
			continue
		}
		op := &ops[i]
		ret := int64(op.Complete)
		if op.Outcome != history.Ok {
			ret = math.MaxInt64
		}
		parts[p].ops = append(parts[p].ops, porcupine.Operation{
			ClientId: op.Process,
			Input:    stepInput(op, &spare),
			Call:     int64(op.Invoke),
			Return:   ret,
			Metadata: i,
		})
	}
	slices.SortFunc(parts, func(a, b keyHistory) int { return strings.Compare(a.key, b.key) })
	for i := range parts {
		separateProcessOps(parts[i].ops)
		trimInfoWrites(m, &parts[i])
	}
	return parts
}

// separateProcessOps keeps each process's operations in order: porcupine
// takes a call at the very instant of a return for concurrent with it
// (calls sort first, and it does not read ClientId), so a process's
// operation invoked the instant its previous one completed (no think
// time) is moved 1 ns later.
func separateProcessOps(ops []porcupine.Operation) {
	var last map[int]int64 // each process's last finite return
	for i := range ops {
		op := &ops[i]
		if r, ok := last[op.ClientId]; ok && op.Call == r && op.Call < op.Return {
			op.Call++
		}
		if op.Return != math.MaxInt64 {
			if last == nil {
				last = map[int]int64{}
			}
			last[op.ClientId] = op.Return
		}
	}
}

func checkLinearizable(m Model, ops []history.Op, opts LinearizableOptions) Result {
	name := "linearizable/" + m.Name
	if m.Name == "" {
		name = "linearizable"
	}
	if why := m.incomplete(); why != "" {
		return Result{Checker: name, Verdict: Unknown, Summary: why}
	}
	parts := partitionOps(m, ops)
	n, dropped, closed := 0, 0, 0
	for _, p := range parts {
		n += len(p.ops) + p.dropped
		dropped += p.dropped
		closed += p.closed
	}
	// key_steps_max is the most steps one key's search took: its distance
	// from the budget is the headroom.
	var stepsMax int64
	metrics := func() []Metric {
		return []Metric{{"ops", float64(n)}, {"keys", float64(len(parts))}, {"key_steps_max", float64(stepsMax)},
			{"info_writes_dropped", float64(dropped)}, {"info_writes_closed", float64(closed)}}
	}
	if n == 0 {
		return Result{Checker: name, Verdict: Unknown, Summary: "no operation of the " + m.Name + " model to check", Metrics: metrics()}
	}
	budget := maxSteps(opts.MaxSteps)
	// Keys in sorted order; the first violation ends the check, since a
	// proven violation outranks any key left undecided.
	undecided := -1
	more := 0
	for i, p := range parts {
		res, _, steps := searchKey(m, p.ops, budget, false)
		stepsMax = max(stepsMax, steps)
		switch res {
		case porcupine.Unknown:
			if undecided < 0 {
				undecided = i
			} else {
				more++
			}
			continue
		case porcupine.Ok:
			continue
		}
		// Rerun it to learn where every linearization gets stuck; the search
		// takes the same path, so it is Illegal again.
		_, info, _ := searchKey(m, p.ops, budget, true)
		ev, culprit := linearizationEvidence(p, info, ops, maxEvidence(opts.MaxEvidence))
		return Result{
			Checker:  name,
			Verdict:  Violation,
			Summary:  fmt.Sprintf("key %q is not linearizable: no order of its %d operations explains %s", p.key, len(p.ops)+p.dropped, describeOp(&ops[culprit])),
			Evidence: ev,
			Metrics:  metrics(),
		}
	}
	if undecided >= 0 {
		p := parts[undecided]
		also := ""
		if more > 0 {
			also = fmt.Sprintf(", as did %d later keys", more)
			if more == 1 {
				also = ", as did one later key"
			}
		}
		return Result{Checker: name, Verdict: Unknown, Summary: fmt.Sprintf(
			"no violation in %d operations on %d keys, but the search on key %q (%d operations) spent its budget of %d steps undecided%s; raise LinearizableOptions.MaxSteps",
			n, len(parts), p.key, len(p.ops)+p.dropped, budget, also), Metrics: metrics()}
	}
	return Result{Checker: name, Verdict: Ok, Summary: fmt.Sprintf("%d operations on %d keys are linearizable", n, len(parts)), Metrics: metrics()}
}

func maxEvidence(n int) int {
	if n <= 0 {
		return DefaultMaxEvidence
	}
	return n
}

// linearizationEvidence picks the operation at which the longest partial
// linearization is stuck (the unlinearized operation that returned first:
// it had to be placed next and could not be) and the operations of its key
// around it.
func linearizationEvidence(p keyHistory, info porcupine.LinearizationInfo, ops []history.Op, limit int) (Evidence, int) {
	var longest []int
	if partials := info.PartialLinearizations(); len(partials) > 0 {
		for _, l := range partials[0] {
			if len(l) > len(longest) || len(l) == len(longest) && slices.Compare(l, longest) < 0 {
				longest = l
			}
		}
	}
	done := make([]bool, len(p.ops))
	for _, id := range longest {
		done[id] = true
	}
	culprit := -1
	for id, op := range p.ops {
		if !done[id] && (culprit < 0 || op.Return < p.ops[culprit].Return) {
			culprit = id
		}
	}
	// The last state change before it explains the state the culprit saw.
	writer := -1
	for _, id := range slices.Backward(longest) {
		if p.ops[id].Input.(*history.Op).Kind != history.Read {
			writer = id
			break
		}
	}
	end := p.ops[culprit].Return
	start := p.ops[culprit].Call
	if writer >= 0 {
		start = min(start, p.ops[writer].Call)
	}
	// Candidates: operations that overlap [start, end], nearest to the
	// culprit first.
	var cand []int
	for id, op := range p.ops {
		if id != culprit && id != writer && op.Call <= end && op.Return >= start {
			cand = append(cand, id)
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int {
		return cmpInt64(distance(p.ops[a], end), distance(p.ops[b], end))
	})
	keep := []int{culprit}
	if writer >= 0 {
		keep = append(keep, writer)
	}
	// A read that returned a value no order explains: the write of that
	// value says where it came from (a write taken by an old master long
	// before, say), however far from the read it was.
	source := valueSource(p, ops, culprit)
	if source >= 0 && !slices.Contains(keep, source) {
		keep = append(keep, source)
	}
	for _, id := range cand {
		if len(keep) >= limit {
			break
		}
		keep = append(keep, id)
	}
	ev := Evidence{Key: p.key, From: clock.Time(math.MaxInt64), To: clock.Time(end)}
	for _, id := range keep {
		op := ops[p.ops[id].Metadata.(int)]
		ev.Ops = append(ev.Ops, op)
		if id != source || source == writer {
			// The window stays around the culprit: the value's write
			// may be long before it, and the note names it.
			ev.From = min(ev.From, op.Invoke)
		}
	}
	if source >= 0 {
		read, w := &ops[p.ops[culprit].Metadata.(int)], &ops[p.ops[source].Metadata.(int)]
		ev.Notes = append(ev.Notes, fmt.Sprintf("the value %s read at %v on %s was written by %s", read.Result, read.Invoke, cmp.Or(read.Node, "?"), describeOp(w)))
	}
	sortOps(ev.Ops)
	return ev, p.ops[culprit].Metadata.(int)
}

// valueSource is the operation of p that wrote the value its operation
// culprit read: a write or a successful compare-and-set of it, the one
// invoked last before the read completed. -1 when culprit is not a read of
// a value, or no operation wrote it.
func valueSource(p keyHistory, ops []history.Op, culprit int) int {
	read := &ops[p.ops[culprit].Metadata.(int)]
	if read.Kind != history.Read || read.Result.IsNone() {
		return -1
	}
	source := -1
	for id, po := range p.ops {
		op := &ops[po.Metadata.(int)]
		if id == culprit || (op.Kind != history.Write && op.Kind != history.CAS) || !op.Value.Equal(read.Result) || op.Invoke > read.Complete {
			continue
		}
		if source < 0 || op.Invoke > ops[p.ops[source].Metadata.(int)].Invoke {
			source = id
		}
	}
	return source
}

func distance(op porcupine.Operation, t int64) int64 {
	if op.Call > t {
		return op.Call - t
	}
	return t - op.Call
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortOps orders operations by invocation, then process, for evidence.
func sortOps(ops []history.Op) {
	slices.SortStableFunc(ops, func(a, b history.Op) int {
		if c := cmpInt64(int64(a.Invoke), int64(b.Invoke)); c != 0 {
			return c
		}
		return a.Process - b.Process
	})
}

// describeOp is how a summary names an operation:
// `process 3's read of "k" -> 1 [1.000000s, 1.200000s] on n2`.
func describeOp(op *history.Op) string {
	var b strings.Builder
	fmt.Fprintf(&b, "process %d's %s", op.Process, op.Kind)
	if op.Key != "" {
		fmt.Fprintf(&b, " of %q", op.Key)
	}
	switch op.Kind {
	case history.CAS:
		fmt.Fprintf(&b, " %v→%v", op.Expect, op.Value)
	case history.Read, history.FinalRead:
	default:
		if !op.Value.IsNone() {
			fmt.Fprintf(&b, " %v", op.Value)
		}
	}
	switch {
	case op.Outcome != history.Ok:
		fmt.Fprintf(&b, " (%s)", op.Outcome)
	case op.Elems != nil:
		fmt.Fprintf(&b, " → %v", op.Elems)
	case op.Kind == history.Read || !op.Result.IsNone():
		fmt.Fprintf(&b, " → %v", op.Result)
	}
	fmt.Fprintf(&b, " [%v, %v]", op.Invoke, op.Complete)
	if op.Node != "" {
		b.WriteString(" on " + op.Node)
	}
	return b.String()
}
