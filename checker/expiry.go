package checker

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// ExpiredReads checks keys that expire on their own (the Expiring
// workload): each write is SET key "U.MS" PX MS NX, so a value names its
// own time to live. A write that took effect did so before its reply, so
// the key expired at most MS after the write completed, by the clock of
// the node that set it; a node whose clock is within slack of that one
// must not return the value to a read invoked later than that plus slack.
// Only Ok writes that set the key (Result 1) are judged: an Info write may
// have been applied any time after its request left.
//
// setKind and readKind are the kinds of the writes and the reads.
func ExpiredReads(ops []history.Op, setKind, readKind history.Kind, slack time.Duration) Result {
	type set struct {
		op       *history.Op
		deadline clock.Time
	}
	sets := map[string]set{}
	for i := range ops {
		op := &ops[i]
		if op.Kind != setKind || op.Outcome != history.Ok {
			continue
		}
		if n, _ := op.Result.Int(); n != 1 {
			continue
		}
		v := op.Value.Text()
		ms, ok := ttlOf(v)
		if !ok {
			continue
		}
		sets[v] = set{op, op.Complete + clock.Time(ms)*clock.Time(time.Millisecond)}
	}
	res := Result{Checker: "expired-reads", Kind: KindSafety}
	var bad []history.Op
	reads, worst := 0, time.Duration(0)
	var worstOp history.Op
	for i := range ops {
		op := &ops[i]
		if op.Kind != readKind || op.Outcome != history.Ok || op.Result.IsNone() {
			continue
		}
		reads++
		s, ok := sets[op.Result.Text()]
		if !ok {
			continue
		}
		late := time.Duration(op.Invoke - s.deadline)
		if late > slack {
			if late > worst {
				worst, worstOp = late, *op
			}
			if len(bad) < 2*DefaultMaxEvidence {
				bad = append(bad, *s.op, *op)
			}
		}
	}
	res.Metrics = []Metric{{"reads", float64(reads)}, {"expired_reads", float64(len(bad) / 2)}}
	if len(bad) == 0 {
		res.Summary = fmt.Sprintf("no read of %d returned a key after it expired (slack %v)", reads, slack)
		return res
	}
	res.Verdict = Violation
	res.Summary = fmt.Sprintf("%s on %s returned %s %v after it expired (slack %v)", worstOp.Kind, worstOp.Node, worstOp.Result, worst, slack)
	res.Evidence.Key = worstOp.Key
	res.Evidence.Ops = bad
	res.Evidence.From, res.Evidence.To = worstOp.Invoke, worstOp.Complete
	return res
}

// ttlOf reads MS from "U.MS".
func ttlOf(v string) (int64, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[i+1:], 10, 64)
	return n, err == nil && n >= 0
}
