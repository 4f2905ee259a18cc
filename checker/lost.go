package checker

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// A final read shows an element's fate only when it began after the element
// took effect: a read that began before an add was acknowledged may miss it
// without anything being lost. So an acknowledged element is lost on a node
// when a final read of that node invoked at or after the acknowledgement
// lacks it, and its fate there is unknown when no such read exists. Replicas
// must agree on every element once no attempt of it is in flight: the
// element's settled presence on a node is what that node's last final read
// invoked after every attempt completed shows.

// element is one attempted set or list element of a key.
type element struct {
	v history.Value
	// op is the operation shown as evidence: the first Ok attempt, or else
	// the first attempt.
	op int
	// acks counts the Ok attempts; applied counts those not Failed, the
	// most copies a list may hold.
	acks, applied int32
	// presentIn and absentIn are the first reads, each the last settled read
	// of its node, that show the element and that lack it; -1 when none.
	presentIn, absentIn int32
	// ackAt is the earliest Ok completion, invokeAt the earliest invocation
	// of any attempt, and settleAt the latest completion of an attempt not
	// Failed (clock.Never while one is pending).
	ackAt, invokeAt, settleAt clock.Time

	lost, failedSeen, recovered, unjudged, reordered bool

	// Scratch for the node whose reads are being judged: judged says one of
	// its reads began after the acknowledgement; settled is its last
	// settled read, -1 when none, and settledHas what that read showed.
	judged, settledHas bool
	settled            int32
}

// valueIndex maps a key's canonical element values to their positions.
// The workloads add integers, and an int64 is hashed several times faster
// than a Value (a string, an integer and a kind): integers have a map of
// their own, any other value the general one.
type valueIndex struct {
	ints  map[int64]int
	other map[history.Value]int
}

// get is v's position; v is canonical, so an integer is never a string.
func (x *valueIndex) get(v history.Value) (int, bool) {
	if n, ok := v.Int(); ok {
		j, ok := x.ints[n]
		return j, ok
	}
	j, ok := x.other[v]
	return j, ok
}

func (x *valueIndex) put(v history.Value, j int) {
	if n, ok := v.Int(); ok {
		x.ints[n] = j
		return
	}
	if x.other == nil {
		x.other = map[history.Value]int{}
	}
	x.other[v] = j
}

type setKey struct {
	key string
	// list: some attempt is an Append, so order and copies count.
	list  bool
	index valueIndex
	elems []element
	// ackTimes are the Ok completions, sorted, of the elements acknowledged
	// more than once, by element index.
	ackTimes map[int][]clock.Time
	// reads are the Ok final reads, by node then completion.
	reads []int
	// runReads are the Ok reads taken while the workload ran.
	runReads []int
}

type setCounts struct {
	attempted, acknowledged, lost, phantom, failedPresent, duplicated, recovered, reads int
	divergent, reordered, orderConflicts, unjudged, unreadKeys, keys                    int
}

func (c *setCounts) violations() int {
	return c.lost + c.phantom + c.failedPresent + c.duplicated + c.divergent + c.reordered + c.orderConflicts
}

// Kinds of finding, in the order a summary prefers them.
const (
	findLost = iota
	findDivergent
	findReordered
	findConflict
	findFailed
	findDuplicate
	findPhantom
	findKinds
)

var findingNames = [findKinds]string{"lost", "divergent", "out of real-time order", "conflicting order", "failed but present", "duplicated", "phantom"}

// setFinding is one anomaly: a line for the evidence and the operations
// (attempts and final reads) that show it. The first operation dates it:
// findings are ordered by its invocation.
type setFinding struct {
	key  string
	text string
	ops  []int
}

// setReport gathers counts and the first findings of each kind.
type setReport struct {
	ops      []history.Op
	limit    int
	c        setCounts
	findings [findKinds]findingList
	// unread is the first key with attempts and no Ok final read; unjudged
	// the first acknowledged element whose fate on some node no read shows.
	unread, unjudged string
	// lostFrom and lostTo are the invocations of the first and last lost
	// element's shown attempt; lostBy counts lost elements by the node that
	// acknowledged that attempt.
	lostFrom, lostTo clock.Time
	lostBy           map[string]int
}

// findingList keeps, of one kind, the earliest findings and each key's
// earliest: keys are judged in name order ("s10" before "s2"), and a
// report names the first anomaly in time and shows it on several keys.
type findingList struct {
	// earliest are the limit earliest findings; perKey the earliest of each
	// key, for the limit keys whose earliest is earliest. Both in time order.
	earliest, perKey []setFinding
}

// before orders findings by the invocation of the operation that dates
// them, then by that operation's place in the history.
func (rep *setReport) before(a, b int) bool {
	ta, tb := rep.ops[a].Invoke, rep.ops[b].Invoke
	return ta < tb || ta == tb && a < b
}

// keeps reports whether fs, limit long at most and in time order, would
// keep a finding dated by operation at.
func (rep *setReport) keeps(fs []setFinding, at int) bool {
	return len(fs) < rep.limit || rep.before(at, fs[len(fs)-1].ops[0])
}

// insert puts f into fs in time order, after the findings dated as early,
// and drops what falls past the limit.
func (rep *setReport) insert(fs []setFinding, f setFinding) []setFinding {
	i := sort.Search(len(fs), func(i int) bool { return rep.before(f.ops[0], fs[i].ops[0]) })
	if i >= rep.limit {
		return fs
	}
	fs = slices.Insert(fs, i, f)
	return fs[:min(len(fs), rep.limit)]
}

// room reports whether a finding of kind on key dated by operation at
// would be kept; a caller checks it before it formats one.
func (rep *setReport) room(kind int, key string, at int) bool {
	l := &rep.findings[kind]
	if rep.keeps(l.earliest, at) {
		return true
	}
	for _, f := range l.perKey {
		if f.key == key {
			return rep.before(at, f.ops[0])
		}
	}
	return rep.keeps(l.perKey, at)
}

func (rep *setReport) add(kind int, f setFinding) {
	l := &rep.findings[kind]
	if rep.keeps(l.earliest, f.ops[0]) {
		l.earliest = rep.insert(l.earliest, f)
	}
	for i, g := range l.perKey {
		if g.key == f.key {
			if rep.before(f.ops[0], g.ops[0]) {
				l.perKey = rep.insert(slices.Delete(l.perKey, i, i+1), f)
			}
			return
		}
	}
	if rep.keeps(l.perKey, f.ops[0]) {
		l.perKey = rep.insert(l.perKey, f)
	}
}

// lose counts the lost element whose shown attempt is ops[i].
func (rep *setReport) lose(i int) {
	op := &rep.ops[i]
	if rep.c.lost == 0 || op.Invoke < rep.lostFrom {
		rep.lostFrom = op.Invoke
	}
	rep.lostTo = max(rep.lostTo, op.Invoke)
	if rep.lostBy == nil {
		rep.lostBy = map[string]int{}
	}
	rep.lostBy[op.Node]++
	rep.c.lost++
}

// lostLine says when the lost elements were attempted and which nodes
// acknowledged them: "invoked from 15.005368s to 18.064811s, acknowledged
// by n1 (7), n3 (1)".
func (rep *setReport) lostLine() string {
	var b strings.Builder
	if rep.lostTo > rep.lostFrom {
		fmt.Fprintf(&b, "lost elements invoked from %v to %v, ", rep.lostFrom, rep.lostTo)
	}
	b.WriteString("acknowledged by ")
	nodes := slices.Sorted(maps.Keys(rep.lostBy))
	for i, n := range nodes {
		if i > 0 {
			b.WriteString(", ")
		}
		if n == "" {
			n = "no node"
		}
		b.WriteString(n)
		if len(nodes) > 1 {
			fmt.Fprintf(&b, " (%d)", rep.lostBy[nodes[i]])
		}
	}
	return b.String()
}

func checkSetWrites(ops []history.Op, limit int) Result {
	keys, name, lists := collectSetKeys(ops)
	rep := &setReport{ops: ops, limit: limit}
	var s setScratch
	for _, k := range keys {
		k.check(ops, rep, &s)
	}
	c := &rep.c
	res := Result{Checker: name, Metrics: []Metric{
		{"attempted", float64(c.attempted)},
		{"acknowledged", float64(c.acknowledged)},
		{"lost", float64(c.lost)},
		{"lost_rate", rate(c.lost, c.acknowledged)},
		{"phantom", float64(c.phantom)},
		{"failed_present", float64(c.failedPresent)},
		{"duplicated", float64(c.duplicated)},
		{"divergent", float64(c.divergent)},
		{"reordered", float64(c.reordered)},
		{"order_conflicts", float64(c.orderConflicts)},
		{"recovered", float64(c.recovered)},
		{"unjudged", float64(c.unjudged)},
		{"unread_keys", float64(c.unreadKeys)},
		{"final_reads", float64(c.reads)},
	}}
	line := fmt.Sprintf("%d of %d acknowledged elements lost (%.2f%%), %d phantom, %d failed but present, %d duplicated, %d divergent",
		c.lost, c.acknowledged, 100*rate(c.lost, c.acknowledged), c.phantom, c.failedPresent, c.duplicated, c.divergent)
	if lists {
		line += fmt.Sprintf(", %d out of real-time order, %d pairs of reads in conflicting order", c.reordered, c.orderConflicts)
	}
	line += fmt.Sprintf(", %d of %d unacknowledged recovered, over %d final reads", c.recovered, c.attempted-c.acknowledged, c.reads)
	switch {
	case c.attempted == 0 && c.phantom == 0:
		res.Verdict, res.Summary = Unknown, "no add or append to check"
		return res
	case c.reads == 0:
		res.Verdict, res.Summary = Unknown, fmt.Sprintf("%d elements attempted but no final read succeeded", c.attempted)
		return res
	case c.violations() > 0:
		res.Verdict, res.Summary = Violation, line
		res.Evidence = rep.evidence(ops)
		for kind, l := range rep.findings {
			if len(l.earliest) > 0 {
				res.Summary += "; first " + findingNames[kind] + ": " + l.earliest[0].text
				break
			}
		}
		if c.lost > 0 {
			res.Summary += "; " + rep.lostLine()
		}
		return res
	case c.unreadKeys > 0:
		res.Verdict, res.Summary = Unknown, fmt.Sprintf("%s; but %d of %d keys with attempts had no successful final read, so the fate of their elements is unknown; first: %q", line, c.unreadKeys, c.keys, rep.unread)
		return res
	case c.unjudged > 0:
		res.Verdict, res.Summary = Unknown, fmt.Sprintf("%s; but for %d of %d acknowledged elements a node has no final read begun after the acknowledgement, so whether it kept them is unknown; first: %s", line, c.unjudged, c.acknowledged, rep.unjudged)
		return res
	}
	res.Verdict, res.Summary = Ok, line
	return res
}

// evidence is the findings in the order a summary prefers them, one note
// each, with the operations that show them, up to the limit. Of each kind
// it takes each key's earliest finding first, so that an anomaly on many
// keys is shown on several, then the earliest others; a kind's notes are
// in time order.
func (rep *setReport) evidence(ops []history.Op) Evidence {
	var ev Evidence
	seen := map[int]bool{}
	var idx []int
	for kind := range rep.findings {
		l := &rep.findings[kind]
		var picked []setFinding
		for _, f := range slices.Concat(l.perKey, l.earliest) {
			if len(ev.Notes)+len(picked) >= rep.limit {
				break
			}
			if !slices.ContainsFunc(picked, func(g setFinding) bool { return g.key == f.key && g.text == f.text }) {
				picked = append(picked, f)
			}
		}
		// Keys' earliest first fills the operations too, before the
		// notes are put back in time order.
		for _, f := range picked {
			for _, i := range f.ops {
				if !seen[i] && len(idx) < rep.limit {
					seen[i] = true
					idx = append(idx, i)
				}
			}
		}
		slices.SortStableFunc(picked, func(a, b setFinding) int {
			switch {
			case rep.before(a.ops[0], b.ops[0]):
				return -1
			case rep.before(b.ops[0], a.ops[0]):
				return 1
			}
			return 0
		})
		for _, f := range picked {
			if ev.Key == "" {
				ev.Key = f.key
			}
			ev.Notes = append(ev.Notes, findingNames[kind]+": "+f.text)
		}
	}
	ev.From, ev.To = clock.Time(math.MaxInt64), 0
	for _, i := range idx {
		ev.Ops = append(ev.Ops, withoutElems(&ops[i]))
		ev.From = min(ev.From, ops[i].Invoke)
		ev.To = max(ev.To, ops[i].Complete)
	}
	if len(idx) == 0 {
		ev.From = 0
	}
	sortOps(ev.Ops)
	return ev
}

// setScratch is reused from key to key.
type setScratch struct {
	counts      []uint32              // per element of a key, copies in one read
	phantomSeen map[history.Value]int // copies of unattempted elements in one read
	seqs        [][]int32             // per read of a list, its elements in order of first copy
	pos         []int32               // per element, its position in one read
}

// check judges the elements of one key against its final reads.
func (k *setKey) check(ops []history.Op, rep *setReport, s *setScratch) {
	c := &rep.c
	c.attempted += len(k.elems)
	c.reads += len(k.reads)
	if len(k.elems) > 0 {
		c.keys++
	}
	for i := range k.elems {
		el := &k.elems[i]
		el.presentIn, el.absentIn = -1, -1
		el.judged, el.settled = false, -1
		if el.acks > 0 {
			c.acknowledged++
		}
	}
	k.judgeRunReads(ops, rep)
	if len(k.reads) == 0 {
		if len(k.elems) > 0 {
			c.unreadKeys++
			if rep.unread == "" {
				rep.unread = k.key
			}
		}
		return
	}
	if cap(s.counts) < len(k.elems) {
		s.counts = make([]uint32, len(k.elems))
	}
	s.counts = s.counts[:len(k.elems)]
	if s.phantomSeen == nil {
		s.phantomSeen = map[history.Value]int{}
	}
	s.seqs = s.seqs[:0]
	for start := 0; start < len(k.reads); {
		node := ops[k.reads[start]].Node
		end := start + 1
		for end < len(k.reads) && ops[k.reads[end]].Node == node {
			end++
		}
		for _, ri := range k.reads[start:end] {
			k.judgeRead(ops, ri, rep, s)
		}
		for i := range k.elems {
			el := &k.elems[i]
			if el.acks > 0 && !el.judged && !el.unjudged {
				el.unjudged = true
				c.unjudged++
				if rep.unjudged == "" {
					rep.unjudged = fmt.Sprintf("%s, and no final read of %s began after it", describeOp(&ops[el.op]), node)
				}
			}
			switch {
			case el.settled < 0:
			case el.settledHas && el.presentIn < 0:
				el.presentIn = el.settled
			case !el.settledHas && el.absentIn < 0:
				el.absentIn = el.settled
			}
			el.judged, el.settled = false, -1 // for the next node
		}
		start = end
	}
	for i := range k.elems {
		el := &k.elems[i]
		if el.recovered {
			c.recovered++
		}
		if el.presentIn >= 0 && el.absentIn >= 0 {
			c.divergent++
			if rep.room(findDivergent, k.key, el.op) {
				rep.add(findDivergent, setFinding{k.key, fmt.Sprintf("%s, present on %s and absent on %s after every attempt completed",
					describeOp(&ops[el.op]), ops[el.presentIn].Node, ops[el.absentIn].Node), []int{el.op, int(el.presentIn), int(el.absentIn)}})
			}
		}
	}
	if k.list {
		k.checkOrderAgreement(ops, rep, s)
	}
}

// judgeRead compares one final read with the elements of its key.
func (k *setKey) judgeRead(ops []history.Op, ri int, rep *setReport, s *setScratch) {
	c := &rep.c
	r := &ops[ri]
	counts := s.counts
	clear(counts)
	clear(s.phantomSeen)
	var seq []int32
	if k.list {
		seq = make([]int32, 0, len(r.Elems))
	}
	for _, e := range r.Elems {
		e = e.Canonical()
		j, ok := k.index.get(e)
		if !ok {
			s.phantomSeen[e]++
			switch s.phantomSeen[e] {
			case 1:
				c.phantom++
				if rep.room(findPhantom, k.key, ri) {
					rep.add(findPhantom, setFinding{k.key, fmt.Sprintf("%v never added to %q but on %s", e, k.key, r.Node), []int{ri}})
				}
			case 2:
				c.duplicated++
				if rep.room(findDuplicate, k.key, ri) {
					rep.add(findDuplicate, setFinding{k.key, fmt.Sprintf("%v twice in %q on %s, never added", e, k.key, r.Node), []int{ri}})
				}
			}
			continue
		}
		counts[j]++
		if counts[j] == 1 && k.list {
			seq = append(seq, int32(j))
		}
	}
	for i := range k.elems {
		el := &k.elems[i]
		n := int(counts[i])
		if el.acks > 0 && el.ackAt <= r.Invoke {
			el.judged = true
			if due := k.copiesDue(i, r.Invoke); n < due && !el.lost {
				el.lost = true
				rep.lose(el.op)
				if rep.room(findLost, k.key, el.op) {
					text := describeOp(&ops[el.op]) + ", absent on " + r.Node
					if n > 0 {
						text = fmt.Sprintf("%s, %d of %d acknowledged copies on %s", describeOp(&ops[el.op]), n, due, r.Node)
					}
					rep.add(findLost, setFinding{k.key, text, []int{el.op, ri}})
				}
			}
		}
		switch {
		case el.applied == 0 && n > 0 && !el.failedSeen:
			el.failedSeen = true
			c.failedPresent++
			if rep.room(findFailed, k.key, el.op) {
				rep.add(findFailed, setFinding{k.key, describeOp(&ops[el.op]) + ", present on " + r.Node, []int{el.op, ri}})
			}
		case el.acks == 0 && el.applied > 0 && n > 0:
			el.recovered = true
		}
		if allowed := k.copiesAllowed(i); n > allowed {
			c.duplicated++
			if rep.room(findDuplicate, k.key, el.op) {
				rep.add(findDuplicate, setFinding{k.key, fmt.Sprintf("%v %d times in %q on %s, attempted %d times and applied at most %d",
					el.v, n, k.key, r.Node, el.applied, allowed), []int{el.op, ri}})
			}
		}
		if r.Invoke >= el.settleAt {
			el.settled, el.settledHas = int32(ri), n > 0
		}
	}
	if k.list {
		k.checkRealTimeOrder(ops, ri, seq, rep)
		s.seqs = append(s.seqs, seq)
	}
}

// judgeRunReads judges the reads taken while the workload ran by what
// holds whenever a read is taken, on whatever node: no element that was
// never attempted (phantom), none whose every attempt certainly failed.
// (What such a read may lack depends on the node and the moment: final
// reads judge that.)
func (k *setKey) judgeRunReads(ops []history.Op, rep *setReport) {
	c := &rep.c
	var phantoms map[history.Value]bool
	for _, ri := range k.runReads {
		r := &ops[ri]
		for _, e := range r.Elems {
			e = e.Canonical()
			j, ok := k.index.get(e)
			if !ok {
				if phantoms[e] {
					continue
				}
				if phantoms == nil {
					phantoms = map[history.Value]bool{}
				}
				phantoms[e] = true
				c.phantom++
				if rep.room(findPhantom, k.key, ri) {
					rep.add(findPhantom, setFinding{k.key, fmt.Sprintf("%v never added to %q but read from %s during the run", e, k.key, r.Node), []int{ri}})
				}
				continue
			}
			if el := &k.elems[j]; el.applied == 0 && !el.failedSeen {
				el.failedSeen = true
				c.failedPresent++
				if rep.room(findFailed, k.key, el.op) {
					rep.add(findFailed, setFinding{k.key, describeOp(&ops[el.op]) + ", read from " + r.Node + " during the run", []int{el.op, ri}})
				}
			}
		}
	}
}

// copiesDue is how many copies of element i a read invoked at t must show:
// one in a set, and in a list one per append acknowledged by t.
func (k *setKey) copiesDue(i int, t clock.Time) int {
	times, ok := k.ackTimes[i]
	if !k.list || !ok {
		return 1
	}
	n, _ := slices.BinarySearchFunc(times, t, func(a, t clock.Time) int {
		if a <= t {
			return -1
		}
		return 1
	})
	return n
}

// copiesAllowed is how many copies of element i a read may show: one in a
// set, and in a list one per append not Failed (a Failed one may be shown
// once, as failed but present).
func (k *setKey) copiesAllowed(i int) int {
	if !k.list {
		return 1
	}
	return int(max(k.elems[i].applied, 1))
}

// collectSetKeys groups attempts and final reads by key, keys sorted, elements
// in order of first attempt, reads by node then completion. It returns the
// checker's name and whether some key is a list.
func collectSetKeys(ops []history.Op) ([]*setKey, string, bool) {
	byKey := map[string]*setKey{}
	var keys []*setKey
	// Attempts per key bound its elements: sizing for them up front spares
	// growing a key of 100,000 elements a dozen times.
	attempts := map[string]int{}
	// A key the workload deleted (a rotated key's retired generation) has
	// no final read to judge it by: it is left out.
	var deleted map[string]bool
	for i := range ops {
		switch ops[i].Kind {
		case history.Add, history.Append:
			attempts[ops[i].Key]++
		case history.Delete:
			if deleted == nil {
				deleted = map[string]bool{}
			}
			deleted[ops[i].Key] = true
		}
	}
	get := func(key string) *setKey {
		k := byKey[key]
		if k == nil {
			n := attempts[key]
			k = &setKey{key: key, index: valueIndex{ints: make(map[int64]int, n)}, elems: make([]element, 0, n)}
			byKey[key] = k
			keys = append(keys, k)
		}
		return k
	}
	adds, appends := 0, 0
	for i := range ops {
		op := &ops[i]
		if deleted[op.Key] {
			continue
		}
		switch op.Kind {
		case history.Add, history.Append:
			k := get(op.Key)
			if op.Kind == history.Add {
				adds++
			} else {
				appends++
				k.list = true
			}
			v := op.Value.Canonical()
			j, ok := k.index.get(v)
			if !ok {
				j = len(k.elems)
				k.index.put(v, j)
				k.elems = append(k.elems, element{v: v, op: i, invokeAt: op.Invoke})
			}
			el := &k.elems[j]
			el.invokeAt = min(el.invokeAt, op.Invoke)
			switch op.Outcome {
			case history.Ok:
				if el.acks == 0 {
					el.op, el.ackAt = i, op.Complete
				} else {
					if k.ackTimes == nil {
						k.ackTimes = map[int][]clock.Time{}
					}
					if el.acks == 1 {
						k.ackTimes[j] = append(k.ackTimes[j], el.ackAt)
					}
					k.ackTimes[j] = append(k.ackTimes[j], op.Complete)
					el.ackAt = min(el.ackAt, op.Complete)
				}
				el.acks++
			case history.Fail:
				continue
			}
			el.applied++
			settle := op.Complete
			if op.Outcome == history.Pending {
				settle = clock.Never
			}
			el.settleAt = max(el.settleAt, settle)
		case history.FinalRead:
			if op.Outcome == history.Ok {
				k := get(op.Key)
				k.reads = append(k.reads, i)
			}
		case history.Read:
			if op.Outcome == history.Ok {
				k := get(op.Key)
				k.runReads = append(k.runReads, i)
			}
		}
	}
	slices.SortFunc(keys, func(a, b *setKey) int { return strings.Compare(a.key, b.key) })
	lists := false
	for _, k := range keys {
		lists = lists || k.list
		for _, times := range k.ackTimes {
			slices.Sort(times)
		}
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
	return keys, name, lists
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
