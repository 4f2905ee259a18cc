package checker

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// Elle's list-append analysis. Appends are unique, so a read of a whole list
// names the writer of every element it holds, and the reads of one key are
// versions of one list: each must be a prefix of the longest, whose order is
// the key's version order. From it follow the dependencies between
// transactions: T1 -ww-> T2 when T2 appended the element right after T1's,
// T1 -wr-> T2 when T2 read a version ending with T1's element, and
// T1 -rw-> T2 when T1 read a version that T2's element came right after. A
// cycle of them is an anomaly (listcycle.go). Committed means Ok, or Info
// once some read shows one of the transaction's appends; Info reads are
// unknown and Fail transactions never happened.
//
// Final reads (FinalRead operations of keys the transactions touch) are
// versions too, read after every transaction, but they are not
// transactions: they order elements and show lost appends, and add no edge.

// DefaultMaxCycles is how many cycles, and findings of each other anomaly,
// ListAppend's evidence shows when MaxCycles is zero.
const DefaultMaxCycles = 3

// DefaultListAppendMaxSteps bounds ListAppend's work when MaxSteps is zero:
// a history of 10,000 transactions over 100 keys reads about 500,000
// elements, and a search for short cycles visits a few edges per
// transaction, so this leaves room for a hundred times that.
const DefaultListAppendMaxSteps = 50_000_000

// Anomalies ListAppend names, in the order its summary and evidence put them.
const (
	laG0 = iota
	laG1a
	laG1b
	laG1c
	laGSingle
	laG2
	laG0RT
	laG1cRT
	laGSingleRT
	laG2RT
	laInternal
	laIncompatible
	laDuplicate
	laGarbage
	laLost
	laLostRT
	laDivergence
	laKinds
)

var laNames = [laKinds]string{
	"G0", "G1a", "G1b", "G1c", "G-single", "G2",
	"G0-realtime", "G1c-realtime", "G-single-realtime", "G2-realtime",
	"internal", "incompatible-order", "duplicate-elements", "garbage-read",
	"lost-append", "lost-append-realtime", "divergence",
}

// laTxn is one transaction of the history.
type laTxn struct {
	op int32 // index in the caller's ops
	// member: a node of the dependency graph (committed).
	member bool
}

// laRead is one version of a key: a read micro-op of an Ok transaction, or
// a final read.
type laRead struct {
	op  int32 // index in the caller's ops
	txn int32 // index in laCheck.txns; -1 for a final read
	// elems are the elements read, canonical.
	elems []history.Value
	// ext: read before its transaction appended to the key, so it shows
	// what others wrote; only external reads give wr and rw edges.
	ext bool
	// prefix: a prefix of the key's longest read.
	prefix bool
}

// laAppend is one append micro-op.
type laAppend struct {
	txn int32 // index in laCheck.txns
	// pos is the element's position in the key's longest read, -1 when
	// absent (or only in a read out of order).
	pos int32
	// observed: some read holds the element.
	observed bool
	// later: the same transaction appends to the same key after it.
	later bool
	v     history.Value
}

// laKey is one list.
type laKey struct {
	name    string
	appends []laAppend
	index   map[history.Value]int32 // element -> appends index
	reads   []laRead                // transactions' reads in history order, then final reads
	// order is the version order: per position of the longest read, the
	// append of its element; -1 for an element nobody appended and for a
	// repeated one.
	order []int32
	// broken: some reads are not prefixes of one list, so no dependency is
	// inferred from the key.
	broken bool
}

// laFinding is one anomaly as the evidence shows it: lines of text and the
// operations involved.
type laFinding struct {
	key   string
	lines []string
	ops   []int32
}

type laCheck struct {
	ops    []history.Op
	opts   ListAppendOptions
	limit  int
	txns   []laTxn
	keys   []*laKey // sorted by name
	byName map[string]*laKey

	counts   [laKinds]int
	findings [laKinds][]laFinding

	steps, maxSteps int64
	// truncated counts the cycles whose search spent the budget before it
	// could rule out a weaker anomaly.
	truncated int

	nOk, nInfo, nFail, nReads, nFinal, nAppends, nMembers, nComponents, nEdges int

	// seenAt is, per transaction of unknown outcome, the earliest
	// completion of a transaction's read that holds one of its appends:
	// from then on it is committed, and its appends must stay.
	seenAt []clock.Time
}

func (c *laCheck) room(kind int) bool { return len(c.findings[kind]) < c.limit }

// found counts an anomaly and keeps its finding while there is room; build
// makes it only then.
func (c *laCheck) found(kind int, build func() laFinding) {
	c.counts[kind]++
	if c.room(kind) {
		c.findings[kind] = append(c.findings[kind], build())
	}
}

func checkListAppend(ops []history.Op, opts ListAppendOptions) Result {
	c := &laCheck{ops: ops, opts: opts, limit: opts.MaxCycles, maxSteps: opts.MaxSteps, byName: map[string]*laKey{}}
	if c.limit <= 0 {
		c.limit = DefaultMaxCycles
	}
	if c.maxSteps <= 0 {
		c.maxSteps = DefaultListAppendMaxSteps
	}
	name := "serializable/list-append"
	if opts.RealTime {
		name = "strict-serializable/list-append"
	}
	if why := c.collect(); why != "" {
		return Result{Checker: name, Kind: KindSafety, Verdict: Unknown, Summary: why, Metrics: c.metrics()}
	}
	switch {
	case len(c.txns) == 0:
		return Result{Checker: name, Kind: KindSafety, Verdict: Unknown, Summary: "no transaction to check", Metrics: c.metrics()}
	case c.steps > c.maxSteps:
		return Result{Checker: name, Kind: KindSafety, Verdict: Unknown, Metrics: c.metrics(), Summary: fmt.Sprintf(
			"the reads of %d transactions hold %d elements, over the budget of %d steps; raise ListAppendOptions.MaxSteps", len(c.txns), c.steps, c.maxSteps)}
	}
	for _, k := range c.keys {
		c.orderKey(k)
	}
	c.seenAt = c.observedAt()
	for _, k := range c.keys {
		c.lostKey(k)
	}
	c.cycles(c.graph())

	total := 0
	var parts []string
	for kind, n := range c.counts {
		if n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", laNames[kind], n))
		}
	}
	res := Result{Checker: name, Kind: KindSafety, Metrics: c.metrics()}
	model := "serializable"
	if opts.RealTime {
		model = "strictly serializable"
	}
	switch {
	case total > 0:
		res.Verdict = Violation
		res.Evidence = c.evidence()
		res.Summary = fmt.Sprintf("%d anomalies in %d transactions on %d keys (%s)", total, len(c.txns), len(c.keys), strings.Join(parts, ", "))
		if len(res.Evidence.Notes) > 0 {
			res.Summary += "; first: " + res.Evidence.Notes[0]
		}
	case c.nReads+c.nFinal == 0:
		res.Verdict = Unknown
		res.Summary = fmt.Sprintf("%d transactions on %d keys but no read succeeded, so no order of appends can be inferred", len(c.txns), len(c.keys))
	default:
		res.Verdict = Ok
		res.Summary = fmt.Sprintf("%d transactions (%d ok, %d info, %d fail) on %d keys, %d reads and %d final reads: no anomaly, no cycle among %d committed transactions (%s)",
			len(c.txns), c.nOk, c.nInfo, c.nFail, len(c.keys), c.nReads, c.nFinal, c.nMembers, model)
	}
	return res
}

func (c *laCheck) metrics() []Metric {
	m := []Metric{
		{"txns", float64(len(c.txns))},
		{"txns_ok", float64(c.nOk)},
		{"txns_info", float64(c.nInfo)},
		{"txns_fail", float64(c.nFail)},
		{"keys", float64(len(c.keys))},
		{"appends", float64(c.nAppends)},
		{"reads", float64(c.nReads)},
		{"final_reads", float64(c.nFinal)},
		{"committed", float64(c.nMembers)},
		{"edges", float64(c.nEdges)},
		{"cyclic_components", float64(c.nComponents)},
		{"steps", float64(c.steps)},
	}
	for kind, n := range c.counts {
		m = append(m, Metric{laNames[kind], float64(n)})
	}
	return m
}

func (c *laCheck) key(name string) *laKey {
	k := c.byName[name]
	if k == nil {
		k = &laKey{name: name, index: map[history.Value]int32{}}
		c.byName[name] = k
		c.keys = append(c.keys, k)
	}
	return k
}

// laMopState is what a transaction knows of one key so far: the list as it
// last read it (once it has), then the elements it appended since.
type laMopState struct {
	k      *laKey
	known  bool
	read   []history.Value
	suffix []history.Value
	last   int32 // its last append to the key, -1 when none
}

// collect gathers the transactions' appends and reads by key, checks each
// transaction's reads against its own appends (internal), and counts the
// read elements as steps. It returns why the check cannot go on, or "".
func (c *laCheck) collect() string {
	var states []laMopState
	for i := range c.ops {
		op := &c.ops[i]
		if op.Kind != history.Txn || len(op.Mops) == 0 {
			continue
		}
		t := int32(len(c.txns))
		c.txns = append(c.txns, laTxn{op: int32(i), member: op.Outcome == history.Ok})
		switch op.Outcome {
		case history.Ok:
			c.nOk++
		case history.Fail:
			c.nFail++
		default:
			c.nInfo++
		}
		states = states[:0]
		for mi := range op.Mops {
			m := &op.Mops[mi]
			if m.Kind != history.Append && m.Kind != history.Read {
				continue
			}
			k := c.key(m.Key)
			si := slices.IndexFunc(states, func(s laMopState) bool { return s.k == k })
			if si < 0 {
				si = len(states)
				states = append(states, laMopState{k: k, last: -1})
			}
			st := &states[si]
			if m.Kind == history.Append {
				v := m.Value.Canonical()
				if prev, dup := k.index[v]; dup {
					return fmt.Sprintf("%v is appended to %q twice, by %s and by %s; list-append needs unique elements",
						v, k.name, describeTxn(&c.ops[c.txns[k.appends[prev].txn].op]), describeTxn(op))
				}
				if st.last >= 0 {
					k.appends[st.last].later = true
				}
				st.last = int32(len(k.appends))
				k.index[v] = st.last
				k.appends = append(k.appends, laAppend{txn: t, pos: -1, v: v})
				c.nAppends++
				st.suffix = append(st.suffix, v)
				continue
			}
			if op.Outcome != history.Ok {
				continue
			}
			elems := canonElems(m.Elems)
			c.steps += int64(len(elems))
			c.nReads++
			k.reads = append(k.reads, laRead{op: int32(i), txn: t, elems: elems, ext: st.last < 0})
			switch {
			case st.known && !(isPrefix(st.read, elems) && slices.Equal(elems[len(st.read):], st.suffix)):
				c.internal(k, i, m, fmt.Sprintf("it read %s before and appended %s since", fmtElems(st.read), fmtElems(st.suffix)))
			case !st.known && !hasSuffix(elems, st.suffix):
				c.internal(k, i, m, "it ends without its own appends "+fmtElems(st.suffix))
			}
			st.known, st.read, st.suffix = true, elems, nil
		}
	}
	for i := range c.ops {
		op := &c.ops[i]
		if op.Kind != history.FinalRead || op.Outcome != history.Ok {
			continue
		}
		if k := c.byName[op.Key]; k != nil {
			elems := canonElems(op.Elems)
			c.steps += int64(len(elems))
			c.nFinal++
			k.reads = append(k.reads, laRead{op: int32(i), txn: -1, elems: elems})
		}
	}
	slices.SortFunc(c.keys, func(a, b *laKey) int { return strings.Compare(a.name, b.name) })
	return ""
}

func (c *laCheck) internal(k *laKey, i int, m *history.Mop, why string) {
	c.found(laInternal, func() laFinding {
		return laFinding{key: k.name, ops: []int32{int32(i)}, lines: []string{fmt.Sprintf(
			"internal: %s reads %q → %s, but %s", describeTxn(&c.ops[i]), k.name, fmtElems(m.Elems), why)}}
	})
}

// orderKey infers the version order of k from its longest read and finds
// the reads that no version order explains or that show what no committed
// transaction wrote.
func (c *laCheck) orderKey(k *laKey) {
	if len(k.reads) == 0 {
		return
	}
	li := 0
	for i := range k.reads {
		if len(k.reads[i].elems) > len(k.reads[li].elems) {
			li = i
		}
	}
	long := k.reads[li].elems
	k.order = make([]int32, len(long))
	// dupAt is the first position of long that repeats an element.
	dupAt := -1
	var garbage map[history.Value]bool
	for p, e := range long {
		a, ok := k.index[e]
		switch {
		case !ok:
			k.order[p] = -1
			if garbage[e] {
				dupAt = firstAt(dupAt, p)
				continue
			}
			if garbage == nil {
				garbage = map[history.Value]bool{}
			}
			garbage[e] = true
			c.garbage(k, e, p)
		case k.appends[a].pos >= 0:
			k.order[p] = -1
			dupAt = firstAt(dupAt, p)
		default:
			k.order[p] = a
			k.appends[a].pos = int32(p)
			k.appends[a].observed = true
		}
	}
	first := true
	for ri := range k.reads {
		r := &k.reads[ri]
		r.prefix = ri == li || isPrefix(r.elems, long)
		if r.prefix {
			if dupAt >= 0 && len(r.elems) > dupAt {
				c.duplicate(k, r, r.elems[dupAt])
			}
			continue
		}
		k.broken = true
		c.counts[laIncompatible]++
		if first && c.room(laIncompatible) {
			first = false
			at := 0
			for at < len(r.elems) && r.elems[at] == long[at] {
				at++
			}
			c.findings[laIncompatible] = append(c.findings[laIncompatible], laFinding{key: k.name, ops: []int32{r.op, k.reads[li].op},
				lines: []string{fmt.Sprintf("incompatible-order: %s reads %q → %s and %s reads %q → %s, which differ at position %d (%v, %v): no one order of appends gives both",
					c.describeRead(r), k.name, fmtElems(r.elems), c.describeRead(&k.reads[li]), k.name, fmtElems(long), at, r.elems[at], long[at])}})
		}
		seen := make(map[history.Value]bool, len(r.elems))
		dup := false
		for _, e := range r.elems {
			if seen[e] && !dup {
				dup = true
				c.duplicate(k, r, e)
			}
			seen[e] = true
			a, ok := k.index[e]
			switch {
			case ok:
				k.appends[a].observed = true
			case !garbage[e]:
				if garbage == nil {
					garbage = map[history.Value]bool{}
				}
				garbage[e] = true
				c.garbage(k, e, -1)
			}
		}
	}
	for a := range k.appends {
		ap := &k.appends[a]
		t := c.txns[ap.txn]
		op := &c.ops[t.op]
		if !ap.observed {
			continue
		}
		if op.Outcome == history.Fail {
			r := c.firstHolding(k, int32(a))
			c.found(laG1a, func() laFinding {
				return laFinding{key: k.name, ops: []int32{r.op, t.op}, lines: []string{fmt.Sprintf(
					"G1a: %s reads %q → %s, holding %v, appended only by %s, which failed",
					c.describeRead(r), k.name, fmtElems(r.elems), ap.v, describeTxn(op))}}
			})
			continue
		}
		c.txns[ap.txn].member = true // an Info transaction someone saw
	}
	// A read that ends with an element its writer followed with another
	// append to the key saw the middle of that transaction.
	for ri := range k.reads {
		r := &k.reads[ri]
		if len(r.elems) == 0 {
			continue
		}
		e := r.elems[len(r.elems)-1]
		a, ok := k.index[e]
		if !ok || !k.appends[a].later || k.appends[a].txn == r.txn {
			continue
		}
		w := c.txns[k.appends[a].txn].op
		if c.ops[w].Outcome == history.Fail {
			continue // G1a says it
		}
		c.found(laG1b, func() laFinding {
			return laFinding{key: k.name, ops: []int32{r.op, w}, lines: []string{fmt.Sprintf(
				"G1b: %s reads %q → %s, ending with %v, but %s appended more to %q after %v",
				c.describeRead(r), k.name, fmtElems(r.elems), e, describeTxn(&c.ops[w]), k.name, e)}}
		})
	}
}

// firstAt keeps the first position found: at, unless it is still -1.
func firstAt(at, p int) int {
	if at < 0 {
		return p
	}
	return at
}

func (c *laCheck) garbage(k *laKey, e history.Value, p int) {
	c.found(laGarbage, func() laFinding {
		var r *laRead
		for ri := range k.reads {
			if p >= 0 && len(k.reads[ri].elems) > p && k.reads[ri].elems[p] == e || p < 0 && slices.Contains(k.reads[ri].elems, e) {
				r = &k.reads[ri]
				break
			}
		}
		return laFinding{key: k.name, ops: []int32{r.op}, lines: []string{fmt.Sprintf(
			"garbage-read: %s reads %q → %s, holding %v, which no transaction appended", c.describeRead(r), k.name, fmtElems(r.elems), e)}}
	})
}

func (c *laCheck) duplicate(k *laKey, r *laRead, e history.Value) {
	c.found(laDuplicate, func() laFinding {
		return laFinding{key: k.name, ops: []int32{r.op}, lines: []string{fmt.Sprintf(
			"duplicate-elements: %s reads %q → %s, holding %v more than once", c.describeRead(r), k.name, fmtElems(r.elems), e)}}
	})
}

// contains reports whether r holds the element of append a.
func (k *laKey) contains(r *laRead, a int32) bool {
	if r.prefix {
		p := k.appends[a].pos
		return p >= 0 && int(p) < len(r.elems)
	}
	return slices.Contains(r.elems, k.appends[a].v)
}

// firstHolding is the first read of k that holds append a's element.
func (c *laCheck) firstHolding(k *laKey, a int32) *laRead {
	for ri := range k.reads {
		if k.contains(&k.reads[ri], a) {
			return &k.reads[ri]
		}
	}
	return nil
}

// observedAt computes seenAt: for each Info transaction some read
// showed, when the first such read completed; clock.Never for the others.
func (c *laCheck) observedAt() []clock.Time {
	at := make([]clock.Time, len(c.txns))
	for i := range at {
		at[i] = clock.Never
	}
	for _, k := range c.keys {
		for a := range k.appends {
			ap := &k.appends[a]
			if !ap.observed || c.ops[c.txns[ap.txn].op].Outcome != history.Info {
				continue
			}
			for ri := range k.reads {
				r := &k.reads[ri]
				if r.txn >= 0 && k.contains(r, int32(a)) {
					at[ap.txn] = min(at[ap.txn], c.ops[r.op].Complete)
				}
			}
		}
	}
	return at
}

// lostKey finds the acknowledged appends of k that vanished: absent from
// every final read begun after the acknowledgement (lost-append), or, with
// real time and no such final read, shown by no read at all though a read
// began after the acknowledgement (lost-append-realtime); and the final
// reads of two nodes that disagree on an element whose append had
// completed before both began (divergence).
func (c *laCheck) lostKey(k *laKey) {
	var finals []int
	latestRead := clock.Time(math.MinInt64) // the latest invocation of a transaction's read
	for ri := range k.reads {
		r := &k.reads[ri]
		if r.txn < 0 {
			finals = append(finals, ri)
		} else {
			latestRead = max(latestRead, c.ops[r.op].Invoke)
		}
	}
	for a := range k.appends {
		ap := &k.appends[a]
		op := &c.ops[c.txns[ap.txn].op]
		// An append is due from its acknowledgement, or, for a transaction
		// of unknown outcome, from the first read that showed it committed
		// (one of its appends, on any key).
		ack := op.Complete
		switch {
		case op.Outcome == history.Info && c.seenAt[ap.txn] != clock.Never:
			ack = c.seenAt[ap.txn]
		case op.Outcome != history.Ok:
			continue
		}
		judged, present := false, false
		var shown []int32
		var lines []string
		for _, ri := range finals {
			r := &k.reads[ri]
			if c.ops[r.op].Invoke < ack {
				continue
			}
			judged = true
			if k.contains(r, int32(a)) {
				present = true
				break
			}
			shown = append(shown, r.op)
			lines = append(lines, fmt.Sprintf("  %s: %q → %s", c.describeRead(r), k.name, fmtElems(r.elems)))
		}
		switch {
		case judged && !present:
			c.found(laLost, func() laFinding {
				how := "acknowledged"
				if op.Outcome == history.Info {
					how = "seen committed by a read"
				}
				return laFinding{key: k.name, ops: append([]int32{c.txns[ap.txn].op}, shown...), lines: append([]string{fmt.Sprintf(
					"lost-append: %s appended %v to %q, %s, and no final read begun after it holds it:", describeTxn(op), ap.v, k.name, how)}, lines...)}
			})
		case !judged && c.opts.RealTime && !ap.observed && op.Outcome == history.Ok && latestRead > op.Complete:
			c.found(laLostRT, func() laFinding {
				var r *laRead
				for ri := range k.reads {
					q := &k.reads[ri]
					if q.txn >= 0 && c.ops[q.op].Invoke > op.Complete && (r == nil || c.ops[q.op].Invoke < c.ops[r.op].Invoke) {
						r = q
					}
				}
				return laFinding{key: k.name, ops: []int32{c.txns[ap.txn].op, r.op}, lines: []string{fmt.Sprintf(
					"lost-append-realtime: %s appended %v to %q, acknowledged, and no read holds it, though %s began after and reads %q → %s",
					describeTxn(op), ap.v, k.name, c.describeRead(r), k.name, fmtElems(r.elems))}}
			})
		}
	}
	if k.broken || len(finals) < 2 {
		return
	}
	c.divergence(k, finals)
}

// divergence compares the last final read of each node with the longest of
// them: an element only the longer holds, whose append had completed when
// both began, is one the shorter node lost or never got.
func (c *laCheck) divergence(k *laKey, finals []int) {
	var last []int // per node, its last final read
	for _, ri := range finals {
		op := &c.ops[k.reads[ri].op]
		j := slices.IndexFunc(last, func(l int) bool { return c.ops[k.reads[l].op].Node == op.Node })
		switch {
		case j < 0:
			last = append(last, ri)
		case op.Complete >= c.ops[k.reads[last[j]].op].Complete:
			last[j] = ri
		}
	}
	slices.SortFunc(last, func(a, b int) int { return strings.Compare(c.ops[k.reads[a].op].Node, c.ops[k.reads[b].op].Node) })
	long := last[0]
	for _, ri := range last {
		if len(k.reads[ri].elems) > len(k.reads[long].elems) {
			long = ri
		}
	}
	lr := &k.reads[long]
	for _, ri := range last {
		r := &k.reads[ri]
		from := min(c.ops[r.op].Invoke, c.ops[lr.op].Invoke)
		for p := len(r.elems); p < len(lr.elems); p++ {
			a := k.order[p]
			if a < 0 {
				continue
			}
			w := &c.ops[c.txns[k.appends[a].txn].op]
			if w.Outcome != history.Ok && w.Outcome != history.Info || w.Complete > from {
				continue
			}
			c.found(laDivergence, func() laFinding {
				return laFinding{key: k.name, ops: []int32{lr.op, r.op, c.txns[k.appends[a].txn].op}, lines: []string{fmt.Sprintf(
					"divergence: %s reads %q → %s and %s reads %s, without %v, though %s had completed before both began",
					c.describeRead(lr), k.name, fmtElems(lr.elems), c.describeRead(r), fmtElems(r.elems), k.appends[a].v, describeTxn(w))}}
			})
			break
		}
	}
}

// evidence is the findings in the order of laNames, one or more lines each,
// with the operations that show them.
func (c *laCheck) evidence() Evidence {
	var ev Evidence
	seen := map[int32]bool{}
	var idx []int32
	for _, fs := range c.findings {
		for _, f := range fs {
			if ev.Key == "" {
				ev.Key = f.key
			}
			ev.Notes = append(ev.Notes, f.lines...)
			for _, i := range f.ops {
				if !seen[i] && len(idx) < DefaultMaxEvidence {
					seen[i] = true
					idx = append(idx, i)
				}
			}
		}
	}
	if c.truncated > 0 {
		ev.Notes = append(ev.Notes, fmt.Sprintf("the search for short cycles spent its budget of %d steps in %d components: a weaker anomaly than the one named may hide in them; raise ListAppendOptions.MaxSteps", c.maxSteps, c.truncated))
	}
	ev.From, ev.To = clock.Time(math.MaxInt64), 0
	for _, i := range idx {
		ev.Ops = append(ev.Ops, txnEvidence(&c.ops[i]))
		ev.From = min(ev.From, c.ops[i].Invoke)
		ev.To = max(ev.To, c.ops[i].Complete)
	}
	if len(idx) == 0 {
		ev.From = 0
	}
	sortOps(ev.Ops)
	return ev
}

// txnEvidence is op for evidence: a read longer than maxEvidenceElems is
// shown without its elements (history.jsonl has them all).
func txnEvidence(op *history.Op) history.Op {
	o := withoutElems(op)
	if slices.ContainsFunc(o.Mops, func(m history.Mop) bool { return len(m.Elems) > maxEvidenceElems }) {
		o.Mops = slices.Clone(o.Mops)
		for i := range o.Mops {
			if len(o.Mops[i].Elems) > maxEvidenceElems {
				o.Mops[i].Elems = nil
			}
		}
	}
	return o
}

// describeRead names the reader of r: a transaction, or a node's final read.
func (c *laCheck) describeRead(r *laRead) string {
	op := &c.ops[r.op]
	if r.txn >= 0 {
		return describeTxn(op)
	}
	return fmt.Sprintf("the final read on %s [%v, %v]", op.Node, op.Invoke, op.Complete)
}

// describeTxn names a transaction with its micro-ops:
// `process 3's txn [1.000000s, 1.200000s] ok: append("t1", 7), read("t2") → [4 7]`.
func describeTxn(op *history.Op) string {
	var b strings.Builder
	fmt.Fprintf(&b, "process %d's txn [%v, %v] %s:", op.Process, op.Invoke, op.Complete, op.Outcome)
	for i, m := range op.Mops {
		if i > 0 {
			b.WriteByte(',')
		}
		switch m.Kind {
		case history.Append:
			fmt.Fprintf(&b, " append(%q, %v)", m.Key, m.Value)
		case history.Read:
			fmt.Fprintf(&b, " read(%q) → ", m.Key)
			if op.Outcome == history.Ok {
				b.WriteString(fmtElems(m.Elems))
			} else {
				b.WriteString("?")
			}
		default:
			fmt.Fprintf(&b, " %s(%q)", m.Kind, m.Key)
		}
	}
	return b.String()
}

// fmtElems prints a list, eliding the middle of a long one: what a reader
// of a dependency needs is its end.
func fmtElems(es []history.Value) string {
	const head, tail = 2, 6
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range es {
		if len(es) > head+tail+1 && i >= head && i < len(es)-tail {
			if i == head {
				b.WriteString(" …")
			}
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
	if len(es) > head+tail+1 {
		fmt.Fprintf(&b, " (%d elements)", len(es))
	}
	return b.String()
}

// canonElems returns es with every element canonical, es itself when it
// already is; nil (an Ok read of a missing list) is the empty list.
func canonElems(es []history.Value) []history.Value {
	for i, e := range es {
		if c := e.Canonical(); c != e {
			out := slices.Clone(es)
			out[i] = c
			for j := i + 1; j < len(out); j++ {
				out[j] = out[j].Canonical()
			}
			return out
		}
	}
	if es == nil {
		return []history.Value{}
	}
	return es
}

func isPrefix(p, of []history.Value) bool {
	return len(p) <= len(of) && slices.Equal(p, of[:len(p)])
}

func hasSuffix(s, suffix []history.Value) bool {
	return len(suffix) <= len(s) && slices.Equal(s[len(s)-len(suffix):], suffix)
}
