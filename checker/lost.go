package checker

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// element is one attempted set or list element of a key.
type element struct {
	v history.Value
	// op is the operation shown as evidence: the first Ok attempt, or else
	// the first attempt.
	op               int
	anyOk, allFail   bool
	lost, failedSeen bool
	recovered        bool // unacknowledged, and present in a final read
	lostOn           string
}

type setKey struct {
	key   string
	index map[history.Value]int
	elems []element
	reads []int
}

type setCounts struct {
	attempted, acknowledged, lost, phantom, failedPresent, duplicated, recovered, reads int
}

func checkSetWrites(ops []history.Op, limit int) Result {
	keys, name := collectSetKeys(ops)
	var c setCounts
	var lostOps, badOps, readOps []history.Op
	var phantoms []string
	var counts []uint32                    // per element of a key, copies in one read
	phantomSeen := map[history.Value]int{} // copies of unattempted elements in one read
	for _, k := range keys {
		c.reads += len(k.reads)
		if cap(counts) < len(k.elems) {
			counts = make([]uint32, len(k.elems))
		}
		counts = counts[:len(k.elems)]
		for _, ri := range k.reads {
			r := &ops[ri]
			clear(counts)
			clear(phantomSeen)
			for _, e := range r.Elems {
				e = e.Canonical()
				n := 0
				if j, ok := k.index[e]; ok {
					counts[j]++
					n = int(counts[j])
				} else {
					phantomSeen[e]++
					n = phantomSeen[e]
					if n == 1 {
						c.phantom++
						if len(phantoms) < limit {
							phantoms = append(phantoms, fmt.Sprintf("%v never added to %q but on %s", e, k.key, r.Node))
						}
					}
				}
				if n == 2 {
					c.duplicated++
					if len(phantoms) < limit {
						phantoms = append(phantoms, fmt.Sprintf("%v twice in %q on %s", e, k.key, r.Node))
					}
				}
			}
			for i := range k.elems {
				el := &k.elems[i]
				present := counts[i] > 0
				switch {
				case el.anyOk && !present && !el.lost:
					el.lost, el.lostOn = true, r.Node
				case el.allFail && present:
					el.failedSeen = true
				case !el.anyOk && !el.allFail && present:
					el.recovered = true
				}
			}
			readOps = append(readOps, withoutElems(r))
		}
		for i := range k.elems {
			el := &k.elems[i]
			c.attempted++
			if el.anyOk {
				c.acknowledged++
			}
			if el.recovered {
				c.recovered++
			}
			if el.lost {
				c.lost++
				if len(lostOps) < limit {
					lostOps = append(lostOps, ops[el.op])
				}
			}
			if el.failedSeen {
				c.failedPresent++
				if len(badOps) < limit {
					badOps = append(badOps, ops[el.op])
				}
			}
		}
	}
	res := Result{Checker: name, Metrics: []Metric{
		{"attempted", float64(c.attempted)},
		{"acknowledged", float64(c.acknowledged)},
		{"lost", float64(c.lost)},
		{"lost_rate", rate(c.lost, c.acknowledged)},
		{"phantom", float64(c.phantom)},
		{"failed_present", float64(c.failedPresent)},
		{"duplicated", float64(c.duplicated)},
		{"recovered", float64(c.recovered)},
		{"final_reads", float64(c.reads)},
	}}
	line := fmt.Sprintf("%d of %d acknowledged elements lost (%.2f%%), %d phantom, %d failed but present, %d duplicated, %d of %d unacknowledged recovered, over %d final reads",
		c.lost, c.acknowledged, 100*rate(c.lost, c.acknowledged), c.phantom, c.failedPresent, c.duplicated, c.recovered, c.attempted-c.acknowledged, c.reads)
	switch {
	case c.attempted == 0 && c.phantom == 0:
		res.Verdict, res.Summary = Unknown, "no add or append to check"
		return res
	case c.reads == 0:
		res.Verdict, res.Summary = Unknown, fmt.Sprintf("%d elements attempted but no final read succeeded", c.attempted)
		return res
	case c.lost+c.phantom+c.failedPresent+c.duplicated == 0:
		res.Verdict, res.Summary = Ok, line
		return res
	}
	res.Verdict, res.Summary = Violation, line
	attempts := append(lostOps, badOps...)
	if len(attempts) > limit {
		attempts = attempts[:limit]
	}
	if len(readOps) > limit {
		readOps = readOps[:limit]
	}
	ev := Evidence{Ops: append(attempts, readOps...)}
	if len(ev.Ops) > 0 {
		ev.Key = ev.Ops[0].Key
	}
	if len(lostOps) > 0 {
		res.Summary += fmt.Sprintf("; first lost: %s, absent on %s", describeOp(&lostOps[0]), firstLostNode(keys))
	} else if len(phantoms) > 0 {
		res.Summary += "; " + strings.Join(phantoms[:1], "")
	}
	ev.From, ev.To = clock.Time(math.MaxInt64), 0
	for i := range ev.Ops {
		ev.From = min(ev.From, ev.Ops[i].Invoke)
		ev.To = max(ev.To, ev.Ops[i].Complete)
	}
	sortOps(ev.Ops)
	res.Evidence = ev
	return res
}

// collectSetKeys groups attempts and final reads by key, keys sorted, elements
// in order of first attempt, reads by node then completion.
func collectSetKeys(ops []history.Op) ([]*setKey, string) {
	byKey := map[string]*setKey{}
	var keys []*setKey
	get := func(key string) *setKey {
		k := byKey[key]
		if k == nil {
			k = &setKey{key: key, index: map[history.Value]int{}}
			byKey[key] = k
			keys = append(keys, k)
		}
		return k
	}
	adds, appends := 0, 0
	for i := range ops {
		op := &ops[i]
		switch op.Kind {
		case history.Add, history.Append:
			if op.Kind == history.Add {
				adds++
			} else {
				appends++
			}
			k := get(op.Key)
			v := op.Value.Canonical()
			j, ok := k.index[v]
			if !ok {
				j = len(k.elems)
				k.index[v] = j
				k.elems = append(k.elems, element{v: v, op: i, allFail: true})
			}
			el := &k.elems[j]
			if op.Outcome == history.Ok && !el.anyOk {
				el.anyOk, el.op = true, i
			}
			if op.Outcome != history.Fail {
				el.allFail = false
			}
		case history.FinalRead:
			if op.Outcome == history.Ok {
				k := get(op.Key)
				k.reads = append(k.reads, i)
			}
		}
	}
	slices.SortFunc(keys, func(a, b *setKey) int { return strings.Compare(a.key, b.key) })
	for _, k := range keys {
		slices.SortStableFunc(k.reads, func(a, b int) int {
			if c := strings.Compare(ops[a].Node, ops[b].Node); c != 0 {
				return c
			}
			return cmpInt64(int64(ops[a].Complete), int64(ops[b].Complete))
		})
	}
	name := "set"
	if appends > adds {
		name = "list-append"
	}
	return keys, name
}

func firstLostNode(keys []*setKey) string {
	for _, k := range keys {
		for _, el := range k.elems {
			if el.lost {
				return el.lostOn
			}
		}
	}
	return ""
}

// maxEvidenceElems bounds the elements of a final read kept in evidence; a
// longer read is shown without them (history.jsonl has them all).
const maxEvidenceElems = 64

func withoutElems(op *history.Op) history.Op {
	c := *op
	if len(c.Elems) > maxEvidenceElems {
		c.Elems = nil
	}
	return c
}

func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
