package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// The dependency graph of list-append transactions and its cycles.
//
// Nodes 0..len(txns)-1 are the transactions; only committed ones have
// edges. Real time would need an edge from each acknowledged transaction to
// every one invoked after, quadratic in the history, so it goes through
// barriers instead: one node per distinct acknowledgement time, chained in
// time order, with an edge from each transaction to the barrier of its
// acknowledgement and one from each barrier to the transactions invoked
// after it and before the next. A path T1 -> barriers -> T2 exists exactly
// when T1 was acknowledged before T2 was invoked, so a cycle through
// barriers, with each run of barriers read as one rt edge, is a cycle of
// transactions; searches count hops out of transactions only, so a run of
// barriers costs what one edge does.
//
// Cycles live in strongly connected components (Tarjan's algorithm, without
// recursion). In each component the search looks for the weakest anomaly
// first, as Elle does: a cycle of ww edges only (G0), of ww and wr (G1c),
// of one rw edge and ww or wr (G-single), of any (G2); then, with real
// time, the same with rt edges allowed (G0-realtime ... G2-realtime), which
// only a component whose every cycle needs an rt edge reaches. Whether a
// component has a cycle of a set of edge kinds is the same question about
// the components of that subgraph, linear in its size; a G-single is an rw
// edge a -> b with a path b -> a, sought edge by edge, which the budget
// bounds. A cycle found is then shortened, from other starting
// transactions, while the budget lasts, and named by its edges.

// Kinds of dependency, as bits of an edge's mask.
const (
	depWW uint8 = 1 << iota
	depWR
	depRW
	depRT
)

// laGraph is the dependency graph in compressed rows: the edges out of node
// v are to[start[v]:start[v+1]], sorted by target, with the kinds of
// dependency each stands for in kind.
type laGraph struct {
	nTxn  int32
	start []int32
	to    []int32
	kind  []uint8
	// barrier[b] is the acknowledgement time of barrier node nTxn+b.
	barrier []clock.Time
}

type laEdge struct {
	from, to int32
	kind     uint8
}

// graph builds the dependency graph of the committed transactions.
func (c *laCheck) graph() *laGraph {
	var edges []laEdge
	member := func(a int32, k *laKey) (int32, bool) {
		if a < 0 {
			return -1, false
		}
		t := k.appends[a].txn
		return t, c.txns[t].member
	}
	for _, k := range c.keys {
		if k.broken {
			continue
		}
		for p := 1; p < len(k.order); p++ {
			t1, ok1 := member(k.order[p-1], k)
			t2, ok2 := member(k.order[p], k)
			if ok1 && ok2 && t1 != t2 {
				edges = append(edges, laEdge{t1, t2, depWW})
			}
		}
		for ri := range k.reads {
			r := &k.reads[ri]
			if !r.ext {
				continue
			}
			n := len(r.elems)
			if n > 0 {
				if w, ok := member(k.order[n-1], k); ok && w != r.txn {
					edges = append(edges, laEdge{w, r.txn, depWR})
				}
			}
			if n < len(k.order) {
				if w, ok := member(k.order[n], k); ok && w != r.txn {
					edges = append(edges, laEdge{r.txn, w, depRW})
				}
			}
		}
	}
	g := &laGraph{nTxn: int32(len(c.txns))}
	for t := range c.txns {
		if c.txns[t].member {
			c.nMembers++
		}
	}
	if c.opts.RealTime {
		for t := range c.txns {
			if op := &c.ops[c.txns[t].op]; c.txns[t].member && op.Outcome == history.Ok {
				g.barrier = append(g.barrier, op.Complete)
			}
		}
		slices.Sort(g.barrier)
		g.barrier = slices.Compact(g.barrier)
		for b := 1; b < len(g.barrier); b++ {
			edges = append(edges, laEdge{g.nTxn + int32(b-1), g.nTxn + int32(b), depRT})
		}
		for t := range c.txns {
			if !c.txns[t].member {
				continue
			}
			op := &c.ops[c.txns[t].op]
			if op.Outcome == history.Ok {
				b, _ := slices.BinarySearch(g.barrier, op.Complete)
				edges = append(edges, laEdge{int32(t), g.nTxn + int32(b), depRT})
			}
			// The last barrier before the invocation: acknowledgements
			// strictly earlier precede it.
			if b, _ := slices.BinarySearch(g.barrier, op.Invoke); b > 0 {
				edges = append(edges, laEdge{g.nTxn + int32(b-1), int32(t), depRT})
			}
		}
	}
	slices.SortFunc(edges, func(a, b laEdge) int {
		if a.from != b.from {
			return int(a.from - b.from)
		}
		return int(a.to - b.to)
	})
	n := g.nTxn + int32(len(g.barrier))
	g.start = make([]int32, n+1)
	for i, e := range edges {
		if i > 0 && edges[i-1].from == e.from && edges[i-1].to == e.to {
			g.kind[len(g.kind)-1] |= e.kind
			continue
		}
		g.to = append(g.to, e.to)
		g.kind = append(g.kind, e.kind)
		g.start[e.from+1]++
	}
	for v := int32(0); v < n; v++ {
		g.start[v+1] += g.start[v]
	}
	c.nEdges = len(g.to)
	return g
}

func (g *laGraph) nodes() int32 { return int32(len(g.start) - 1) }

// mask is the kinds of the edge u -> v, 0 when there is none.
func (g *laGraph) mask(u, v int32) uint8 {
	row := g.to[g.start[u]:g.start[u+1]]
	if i, found := slices.BinarySearch(row, v); found {
		return g.kind[g.start[u]+int32(i)]
	}
	return 0
}

// laSearch holds the scratch of Tarjan's algorithm and of the path
// searches, one slot per node, reused from component to component.
type laSearch struct {
	g *laGraph
	// in marks the nodes of the component searched: in[v] == inStamp.
	in      []int32
	inStamp int32

	index, low, comp []int32
	onStack          []bool
	stack            []int32
	frames           []laFrame

	seen      []int32 // seen[v] == seenStamp: dist and parent are set
	seenStamp int32
	dist      []int32
	parent    []int32
	cur, next []int32
}

type laFrame struct{ v, e int32 }

func newLASearch(g *laGraph) *laSearch {
	n := g.nodes()
	return &laSearch{g: g, in: make([]int32, n), index: make([]int32, n), low: make([]int32, n), comp: make([]int32, n),
		onStack: make([]bool, n), seen: make([]int32, n), dist: make([]int32, n), parent: make([]int32, n)}
}

// tarjan numbers the strongly connected components of the subgraph on the
// nodes marked in, over the edges of a kind in mask, into s.comp, and
// returns how many there are. Components are numbered as they complete, so
// a node that reaches another of a different component has the higher
// number.
func (s *laSearch) tarjan(nodes []int32, mask uint8) int32 {
	g := s.g
	for _, v := range nodes {
		s.index[v] = -1
	}
	var next, ncomp int32
	push := func(v int32) {
		s.index[v], s.low[v] = next, next
		next++
		s.stack = append(s.stack, v)
		s.onStack[v] = true
		s.frames = append(s.frames, laFrame{v, g.start[v]})
	}
	for _, root := range nodes {
		if s.index[root] >= 0 {
			continue
		}
		push(root)
		for len(s.frames) > 0 {
			f := &s.frames[len(s.frames)-1]
			v := f.v
			if f.e < g.start[v+1] {
				e := f.e
				f.e++
				w := g.to[e]
				if g.kind[e]&mask == 0 || s.in[w] != s.inStamp {
					continue
				}
				if s.index[w] < 0 {
					push(w)
				} else if s.onStack[w] {
					s.low[v] = min(s.low[v], s.index[w])
				}
				continue
			}
			s.frames = s.frames[:len(s.frames)-1]
			if len(s.frames) > 0 {
				p := s.frames[len(s.frames)-1].v
				s.low[p] = min(s.low[p], s.low[v])
			}
			if s.low[v] == s.index[v] {
				for {
					w := s.stack[len(s.stack)-1]
					s.stack = s.stack[:len(s.stack)-1]
					s.onStack[w] = false
					s.comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
		}
	}
	return ncomp
}

// mark makes nodes the component searched.
func (s *laSearch) mark(nodes []int32) {
	s.inStamp++
	for _, v := range nodes {
		s.in[v] = s.inStamp
	}
}

// path finds a shortest path from src to dst over the edges of a kind in
// mask, through nodes of the marked component whose comp is in [lo, hi];
// dst == src asks for a cycle. It returns the nodes src ... (the last before
// dst), or nil, and counts the edges it looks at in *steps. Hops out of a
// barrier cost nothing, so the length is that of the cycle of
// transactions.
func (s *laSearch) path(src, dst int32, mask uint8, lo, hi int32, steps *int64) []int32 {
	g := s.g
	s.seenStamp++
	s.seen[src], s.dist[src], s.parent[src] = s.seenStamp, 0, -1
	s.cur, s.next = append(s.cur[:0], src), s.next[:0]
	best, bestU := int32(-1), int32(-1)
	for level := int32(0); len(s.cur) > 0; level++ {
		for i := 0; i < len(s.cur); i++ {
			u := s.cur[i]
			if s.dist[u] != level {
				continue // reached again at a lower level
			}
			w := int32(1)
			if u >= g.nTxn {
				w = 0
			}
			for e := g.start[u]; e < g.start[u+1]; e++ {
				*steps++
				v := g.to[e]
				if g.kind[e]&mask == 0 || s.in[v] != s.inStamp || s.comp[v] < lo || s.comp[v] > hi {
					continue
				}
				if v == dst {
					if best < 0 || level+w < best {
						best, bestU = level+w, u
					}
					continue
				}
				if s.seen[v] == s.seenStamp && s.dist[v] <= level+w {
					continue
				}
				s.seen[v], s.dist[v], s.parent[v] = s.seenStamp, level+w, u
				if w == 0 {
					s.cur = append(s.cur, v)
				} else {
					s.next = append(s.next, v)
				}
			}
		}
		if best >= 0 && best <= level+1 {
			break
		}
		s.cur, s.next = s.next, s.cur[:0]
	}
	if bestU < 0 {
		return nil
	}
	var p []int32
	for v := bestU; v >= 0; v = s.parent[v] {
		p = append(p, v)
	}
	slices.Reverse(p)
	return p
}

// laCycle is a cycle of transactions: hops[i] is the kind of the edge from
// txns[i] to txns[i+1], the last to txns[0].
type laCycle struct {
	txns []int32
	hops []uint8
}

func (cy laCycle) len() int { return len(cy.txns) }

// contract turns a cycle of nodes (a transaction first) into a cycle of
// transactions: a run of barriers is an rt hop, and a direct edge is
// labelled with the weakest kind in mask, but the first hop is rw when
// firstRW.
func (g *laGraph) contract(nodes []int32, mask uint8, firstRW bool) laCycle {
	var cy laCycle
	for i, v := range nodes {
		if v >= g.nTxn {
			continue
		}
		cy.txns = append(cy.txns, v)
		next := nodes[(i+1)%len(nodes)]
		var k uint8
		switch m := g.mask(v, next) & mask; {
		case next >= g.nTxn:
			k = depRT
		case firstRW && len(cy.txns) == 1:
			k = depRW
		case m&depWW != 0:
			k = depWW
		case m&depWR != 0:
			k = depWR
		default:
			k = depRW
		}
		cy.hops = append(cy.hops, k)
	}
	return cy
}

// anomaly names a cycle by its edges.
func (cy laCycle) anomaly() int {
	var rw, wr, rt int
	for _, h := range cy.hops {
		switch h {
		case depRW:
			rw++
		case depWR:
			wr++
		case depRT:
			rt++
		}
	}
	plain, realtime := laG2, laG2RT
	switch {
	case rw == 0 && wr == 0:
		plain, realtime = laG0, laG0RT
	case rw == 0:
		plain, realtime = laG1c, laG1cRT
	case rw == 1:
		plain, realtime = laGSingle, laGSingleRT
	}
	if rt > 0 {
		return realtime
	}
	return plain
}

// laClass is one step of the search in a component: the kinds of edge it
// may use, and whether it is the search for exactly one rw edge.
type laClass struct {
	mask   uint8
	single bool
}

var laClasses = []laClass{
	{depWW, false}, {depWW | depWR, false}, {depWW | depWR, true}, {depWW | depWR | depRW, false},
	{depWW | depRT, false}, {depWW | depWR | depRT, false}, {depWW | depWR | depRT, true}, {depWW | depWR | depRW | depRT, false},
}

// cycles finds the cyclic components of g and names the weakest anomaly in
// each, with a short cycle that shows it.
func (c *laCheck) cycles(g *laGraph) {
	n := g.nodes()
	if n == 0 {
		return
	}
	s := newLASearch(g)
	all := make([]int32, n)
	for v := range all {
		all[v] = int32(v)
	}
	s.mark(all)
	ncomp := s.tarjan(all, depWW|depWR|depRW|depRT)
	size := make([]int32, ncomp)
	for _, v := range all {
		size[s.comp[v]]++
	}
	// The cyclic components, each as its nodes in order, components in
	// order of their first node.
	var comps [][]int32
	at := make([]int32, ncomp)
	for i := range at {
		at[i] = -1
	}
	for _, v := range all {
		k := s.comp[v]
		if size[k] < 2 {
			continue
		}
		if at[k] < 0 {
			at[k] = int32(len(comps))
			comps = append(comps, make([]int32, 0, size[k]))
		}
		comps[at[k]] = append(comps[at[k]], v)
	}
	c.nComponents = len(comps)
	for _, nodes := range comps {
		cy, truncated := c.searchComponent(s, nodes)
		if truncated {
			c.truncated++
		}
		kind := cy.anomaly()
		txns := 0
		for _, v := range nodes {
			if v < g.nTxn {
				txns++
			}
		}
		c.found(kind, func() laFinding { return c.cycleFinding(kind, cy, txns) })
	}
}

// searchComponent finds the weakest anomaly of one cyclic component and a
// short cycle that shows it. truncated: the budget ran out before a weaker
// anomaly was ruled out.
func (c *laCheck) searchComponent(s *laSearch, nodes []int32) (laCycle, bool) {
	truncated := false
	for _, cl := range laClasses {
		if cl.mask&depRT != 0 && !c.opts.RealTime {
			break
		}
		s.mark(nodes)
		if cl.single {
			// s.comp numbers the components of the previous class, whose
			// mask this one shares: it found no cycle, so they are single
			// nodes in topological order, and b reaches a only if
			// comp[b] > comp[a].
			cy, done := c.searchSingle(s, nodes, cl.mask)
			if cy.len() > 0 {
				return cy, truncated
			}
			truncated = truncated || !done
			continue
		}
		ncomp := s.tarjan(nodes, cl.mask)
		size := make([]int32, ncomp)
		for _, v := range nodes {
			size[s.comp[v]]++
		}
		var best laCycle
		for _, v := range nodes {
			k := s.comp[v]
			if v >= s.g.nTxn || size[k] < 2 {
				continue
			}
			if best.len() > 0 && (best.len() <= 2 || c.steps >= c.maxSteps) {
				break
			}
			p := s.path(v, v, cl.mask, k, k, &c.steps)
			if cy := s.g.contract(p, cl.mask, false); best.len() == 0 || cy.len() < best.len() {
				best = cy
			}
		}
		if best.len() > 0 {
			return best, truncated
		}
	}
	panic("checker: a cyclic component without a cycle")
}

// searchSingle looks for a cycle of one rw edge a -> b and a path b -> a of
// the kinds in mask, trying the rw edges of the component in order while the
// budget lasts; done says every edge was tried.
func (c *laCheck) searchSingle(s *laSearch, nodes []int32, mask uint8) (best laCycle, done bool) {
	g := s.g
	for _, a := range nodes {
		if a >= g.nTxn {
			break
		}
		for e := g.start[a]; e < g.start[a+1]; e++ {
			b := g.to[e]
			if g.kind[e]&depRW == 0 || s.in[b] != s.inStamp || s.comp[b] <= s.comp[a] {
				continue
			}
			if best.len() == 2 || c.steps >= c.maxSteps {
				return best, best.len() == 2
			}
			p := s.path(b, a, mask, s.comp[a], s.comp[b], &c.steps)
			if p == nil {
				continue
			}
			cy := g.contract(append([]int32{a}, p...), mask, true)
			if best.len() == 0 || cy.len() < best.len() {
				best = cy
			}
		}
	}
	return best, true
}

func depName(k uint8) string {
	switch k {
	case depWW:
		return "ww"
	case depWR:
		return "wr"
	case depRW:
		return "rw"
	}
	return "rt"
}

// cycleFinding shows a cycle: a line naming it, a line per transaction and
// a line per edge with what justifies it.
func (c *laCheck) cycleFinding(kind int, cy laCycle, compSize int) laFinding {
	// T1 is the transaction first in the history, whatever the search
	// started from.
	first := slices.Index(cy.txns, slices.Min(cy.txns))
	cy.txns = append(cy.txns[first:len(cy.txns):len(cy.txns)], cy.txns[:first]...)
	cy.hops = append(cy.hops[first:len(cy.hops):len(cy.hops)], cy.hops[:first]...)
	f := laFinding{}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: a cycle of %d transactions", laNames[kind], cy.len())
	if compSize > cy.len() {
		fmt.Fprintf(&b, " (in a strongly connected component of %d)", compSize)
	}
	b.WriteString(": ")
	for i := range cy.txns {
		fmt.Fprintf(&b, "T%d -%s-> ", i+1, depName(cy.hops[i]))
	}
	b.WriteString("T1")
	f.lines = append(f.lines, b.String())
	for i, t := range cy.txns {
		op := c.txns[t].op
		f.ops = append(f.ops, op)
		f.lines = append(f.lines, fmt.Sprintf("  T%d = %s", i+1, describeTxn(&c.ops[op])))
	}
	for i, t := range cy.txns {
		j := (i + 1) % cy.len()
		key, why := c.justify(t, cy.txns[j], cy.hops[i], fmt.Sprintf("T%d", i+1), fmt.Sprintf("T%d", j+1))
		if f.key == "" {
			f.key = key
		}
		f.lines = append(f.lines, fmt.Sprintf("  T%d -%s-> T%d: %s", i+1, depName(cy.hops[i]), j+1, why))
	}
	return f
}

// justify says why t1 -kind-> t2, named n1 and n2, and on which key.
func (c *laCheck) justify(t1, t2 int32, kind uint8, n1, n2 string) (string, string) {
	op1, op2 := &c.ops[c.txns[t1].op], &c.ops[c.txns[t2].op]
	switch kind {
	case depRT:
		return "", fmt.Sprintf("%s completed at %v, before %s was invoked at %v", n1, op1.Complete, n2, op2.Invoke)
	case depWW:
		for _, m := range op2.Mops {
			k := c.byName[m.Key]
			if m.Kind != history.Append || k.broken {
				continue
			}
			p := k.appends[k.index[m.Value.Canonical()]].pos
			if p <= 0 {
				continue
			}
			if a := k.order[p-1]; a >= 0 && k.appends[a].txn == t1 {
				return k.name, fmt.Sprintf("%s appended %v to %q, and %s appended %v right after it", n1, k.appends[a].v, k.name, n2, m.Value)
			}
		}
	case depWR:
		if key, elems, p, found := c.extRead(t2, func(k *laKey, n int) int { return n - 1 }, t1); found {
			return key, fmt.Sprintf("%s read %q → %s, whose last element, %v, %s appended", n2, key, fmtElems(elems), elems[p], n1)
		}
	case depRW:
		if key, elems, p, found := c.extRead(t1, func(k *laKey, n int) int { return n }, t2); found {
			k := c.byName[key]
			if len(elems) == 0 {
				return key, fmt.Sprintf("%s read %q → [], and %s appended %v, its first element", n1, key, n2, k.appends[k.order[p]].v)
			}
			return key, fmt.Sprintf("%s read %q → %s, and %s appended %v right after %v", n1, key, fmtElems(elems), n2, k.appends[k.order[p]].v, elems[len(elems)-1])
		}
	}
	return "", "(no justification found)"
}

// extRead finds an external read of transaction t whose element at the
// position pos gives (the end of the read for wr, the one after it for rw)
// was appended by writer; it returns the key, what was read and the
// position.
func (c *laCheck) extRead(t int32, pos func(k *laKey, n int) int, writer int32) (string, []history.Value, int, bool) {
	op := &c.ops[c.txns[t].op]
	if op.Outcome != history.Ok {
		return "", nil, 0, false // its reads are unknown
	}
	for mi, m := range op.Mops {
		k := c.byName[m.Key]
		if m.Kind != history.Read || k == nil || k.broken {
			continue
		}
		if slices.ContainsFunc(op.Mops[:mi], func(e history.Mop) bool { return e.Kind == history.Append && e.Key == m.Key }) {
			continue // not external
		}
		elems := canonElems(m.Elems)
		p := pos(k, len(elems))
		if p < 0 || p >= len(k.order) || k.order[p] < 0 || k.appends[k.order[p]].txn != writer {
			continue
		}
		return k.name, elems, p, true
	}
	return "", nil, 0, false
}
