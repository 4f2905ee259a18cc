package reports

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

// ClusterSample says what cluster node Node (its host) believed from At on,
// until the node's next sample or the run's end. A run records a sample
// only where a node's view changes (SameView), so the samples of a long,
// quiet run stay few.
type ClusterSample struct {
	At   time.Duration
	Node string
	// Down: the node's process is down; the fields after it are zero.
	Down bool
	// Paused: the node's process is paused (SIGSTOP), so its view is
	// frozen.
	Paused bool
	// State is CLUSTER INFO's cluster_state: "ok" or "fail".
	State string
	// Master reports whether the node is a master; Replicates is a
	// replica's master (its host), "" when the node knows of none.
	Master     bool
	Replicates string
	// CurrentEpoch is the node's currentEpoch, ConfigEpoch its own
	// configEpoch (a replica's own, not its master's).
	CurrentEpoch, ConfigEpoch uint64
	// Slots is the node's slot table, in slot order: runs of slots that
	// one node serves. Unassigned slots are left out.
	Slots []SlotRun
}

// SlotRun is the slots Start to End (both included) that node Owner (its
// host) serves, with Owner's configEpoch as the observing node knows it.
type SlotRun struct {
	Start, End  int
	Owner       string
	ConfigEpoch uint64
}

// SameView reports whether s and o say the same but for their time.
func (s ClusterSample) SameView(o ClusterSample) bool {
	return s.Node == o.Node && s.Down == o.Down && s.Paused == o.Paused && s.State == o.State &&
		s.Master == o.Master && s.Replicates == o.Replicates &&
		s.CurrentEpoch == o.CurrentEpoch && s.ConfigEpoch == o.ConfigEpoch && slices.Equal(s.Slots, o.Slots)
}

// ownerOf is the owner of slot in the sample's table, "" when unassigned.
func (s *ClusterSample) ownerOf(slot int) string {
	i := sort.Search(len(s.Slots), func(i int) bool { return s.Slots[i].End >= slot })
	if i < len(s.Slots) && s.Slots[i].Start <= slot {
		return s.Slots[i].Owner
	}
	return ""
}

// clusterSpan is a stretch of time over which no node's view changes:
// views[k] is node k's sample in force (nil before its first one).
type clusterSpan struct {
	from, to time.Duration
	views    []*ClusterSample
}

// clusterStory is the cluster over the run, as its nodes saw it.
type clusterStory struct {
	// nodes are the observing nodes in natural order; samples[k] node
	// k's changes, in time order: each differs from the one before.
	nodes   []string
	samples [][]ClusterSample
	// spans cut the run at every instant some view changes, up to end.
	spans []clusterSpan
	end   time.Duration
	// maj and differs are each span's majority and each node's dissent
	// from it, computed on first use (majorityAt, dissentAt).
	maj     [][]slotSeg
	differs [][][]slotSeg
}

// majorityAt is span i's majority (clusterSpan.majority), computed once.
func (st *clusterStory) majorityAt(i int) []slotSeg {
	if st.maj == nil {
		st.maj = make([][]slotSeg, len(st.spans))
		st.differs = make([][][]slotSeg, len(st.spans))
	}
	if st.maj[i] == nil {
		st.maj[i] = st.spans[i].majority()
		if st.maj[i] == nil {
			st.maj[i] = []slotSeg{}
		}
	}
	return st.maj[i]
}

// dissentAt is where node k differs from span i's majority
// (clusterSpan.dissent), computed once.
func (st *clusterStory) dissentAt(i, k int) []slotSeg {
	maj := st.majorityAt(i)
	if st.differs[i] == nil {
		st.differs[i] = make([][]slotSeg, len(st.nodes))
		for j := range st.nodes {
			st.differs[i][j] = st.spans[i].dissent(j, maj)
		}
	}
	return st.differs[i][k]
}

// newClusterStory groups ss by node, keeps where each node's view
// changes, and cuts the run into spans; end is when the last span ends.
func newClusterStory(ss []ClusterSample, end time.Duration) *clusterStory {
	st := &clusterStory{end: end}
	idx := map[string]int{}
	for _, s := range ss {
		if _, ok := idx[s.Node]; !ok {
			idx[s.Node] = len(st.nodes)
			st.nodes = append(st.nodes, s.Node)
		}
	}
	sort.Slice(st.nodes, func(i, j int) bool { return naturalLess(st.nodes[i], st.nodes[j]) })
	for k, n := range st.nodes {
		idx[n] = k
	}
	st.samples = make([][]ClusterSample, len(st.nodes))
	for _, s := range ss {
		k := idx[s.Node]
		st.samples[k] = append(st.samples[k], s)
	}
	// Each node's samples in time order, only where its view changes.
	var cuts []time.Duration
	for k, ns := range st.samples {
		sort.SliceStable(ns, func(i, j int) bool { return ns[i].At < ns[j].At })
		kept := ns[:0]
		for _, s := range ns {
			if n := len(kept); n == 0 || !kept[n-1].SameView(s) {
				kept = append(kept, s)
				cuts = append(cuts, s.At)
			}
		}
		st.samples[k] = kept
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	next := make([]int, len(st.nodes))
	cur := make([]*ClusterSample, len(st.nodes))
	for i, at := range cuts {
		for k := range st.samples {
			for next[k] < len(st.samples[k]) && st.samples[k][next[k]].At <= at {
				cur[k] = &st.samples[k][next[k]]
				next[k]++
			}
		}
		to := max(end, at)
		if i+1 < len(cuts) {
			to = cuts[i+1]
		}
		st.spans = append(st.spans, clusterSpan{from: at, to: to, views: slices.Clone(cur)})
	}
	return st
}

// up reports whether a view is of a running node.
func up(v *ClusterSample) bool { return v != nil && !v.Down }

// slotSeg is slots Start to End and who serves them: in one node's view,
// or in most running nodes' views (split when no owner has more than half
// of them).
type slotSeg struct {
	Start, End int
	Owner      string
	Split      bool
}

// segments cuts the slots where any running node's table changes owner,
// so that within a segment every view names one owner.
func (sp *clusterSpan) segments() [][2]int {
	cuts := []int{0, ClusterSlots}
	for _, v := range sp.views {
		if !up(v) {
			continue
		}
		for _, r := range v.Slots {
			cuts = append(cuts, r.Start, r.End+1)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	segs := make([][2]int, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		segs = append(segs, [2]int{cuts[i], cuts[i+1] - 1})
	}
	return segs
}

// majority is who most running nodes say serves each slot, as segments
// merged where they say the same; nil when no node is up.
func (sp *clusterSpan) majority() []slotSeg {
	var out []slotSeg
	running := 0
	for _, v := range sp.views {
		if up(v) {
			running++
		}
	}
	if running == 0 {
		return nil
	}
	for _, sg := range sp.segments() {
		owners := map[string]int{}
		best, split := "", true
		for _, v := range sp.views {
			if up(v) {
				o := v.ownerOf(sg[0])
				owners[o]++
				if 2*owners[o] > running {
					best, split = o, false
				}
			}
		}
		out = appendSeg(out, slotSeg{Start: sg[0], End: sg[1], Owner: best, Split: split})
	}
	return out
}

// appendSeg appends s to segs, merged with the last one if they say the
// same and touch.
func appendSeg(segs []slotSeg, s slotSeg) []slotSeg {
	if n := len(segs); n > 0 && segs[n-1].End+1 == s.Start && segs[n-1].Owner == s.Owner && segs[n-1].Split == s.Split {
		segs[n-1].End = s.End
		return segs
	}
	return append(segs, s)
}

// dissent is where node k's table differs from most running nodes' (or
// where they have no majority), in slot segments; nil when node k is not
// up or agrees.
func (sp *clusterSpan) dissent(k int, maj []slotSeg) []slotSeg {
	v := sp.views[k]
	if !up(v) {
		return nil
	}
	var out []slotSeg
	for _, m := range maj {
		for _, sg := range cutSeg(v, m) {
			if o := v.ownerOf(sg.Start); m.Split || o != m.Owner {
				out = appendSeg(out, slotSeg{Start: sg.Start, End: sg.End, Owner: o, Split: m.Split})
			}
		}
	}
	return out
}

// cutSeg cuts m where v's table changes owner.
func cutSeg(v *ClusterSample, m slotSeg) []slotSeg {
	out := []slotSeg{{Start: m.Start, End: m.End}}
	for _, r := range v.Slots {
		for _, at := range []int{r.Start, r.End + 1} {
			last := &out[len(out)-1]
			if at > last.Start && at <= last.End {
				end := last.End
				last.End = at - 1
				out = append(out, slotSeg{Start: at, End: end})
			}
		}
	}
	return out
}

// clusterOverlap is a window in which two masters both claimed slots in
// their own tables, as the cluster-ownership check counts them: with
// different configEpochs the Cluster's documented window (a cut-off or
// returning master), with the same one a collision.
type clusterOverlap struct {
	From, To       time.Duration
	A, B           string
	EpochA, EpochB uint64
	// Slots are the slots both claimed, as runs.
	Slots [][2]int
}

// claims are the slot runs each running master gives itself in its own
// table, by node index.
func (sp *clusterSpan) claims(st *clusterStory) map[int][][2]int {
	out := map[int][][2]int{}
	for k, v := range sp.views {
		if !up(v) || !v.Master {
			continue
		}
		for _, r := range v.Slots {
			if r.Owner == st.nodes[k] {
				out[k] = append(out[k], [2]int{r.Start, r.End})
			}
		}
	}
	return out
}

// overlaps are the windows in which two masters claimed a slot at once,
// in time order; a window ends where either master's claim changes.
func (st *clusterStory) overlaps() []clusterOverlap {
	var out []clusterOverlap
	open := map[[2]int]int{} // node pair -> index in out of the window still open
	for _, sp := range st.spans {
		cl := sp.claims(st)
		still := map[[2]int]int{}
		for a := range st.nodes {
			for b := a + 1; b < len(st.nodes); b++ {
				common := intersectRuns(cl[a], cl[b])
				if len(common) == 0 {
					continue
				}
				o := clusterOverlap{From: sp.from, To: sp.to, A: st.nodes[a], B: st.nodes[b],
					EpochA: sp.views[a].ConfigEpoch, EpochB: sp.views[b].ConfigEpoch, Slots: common}
				pair := [2]int{a, b}
				if i, ok := open[pair]; ok && out[i].To == sp.from && out[i].EpochA == o.EpochA && out[i].EpochB == o.EpochB && slices.Equal(out[i].Slots, o.Slots) {
					out[i].To = sp.to
					still[pair] = i
					continue
				}
				still[pair] = len(out)
				out = append(out, o)
			}
		}
		open = still
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// intersectRuns is the slots in both a and b, each a list of runs in slot
// order.
func intersectRuns(a, b [][2]int) [][2]int {
	var out [][2]int
	for i, j := 0, 0; i < len(a) && j < len(b); {
		if lo, hi := max(a[i][0], b[j][0]), min(a[i][1], b[j][1]); lo <= hi {
			out = append(out, [2]int{lo, hi})
		}
		if a[i][1] < b[j][1] {
			i++
		} else {
			j++
		}
	}
	return out
}

// clusterFailover is a replica turning master: Node replaced Replaced (its
// master until then) and took configEpoch ConfigEpoch.
type clusterFailover struct {
	At          time.Duration
	Node        string
	Replaced    string
	ConfigEpoch uint64
}

// failovers are the promotions the nodes' own views show, in time order:
// a sample of a running master right after one of the same node as a
// running replica.
func (st *clusterStory) failovers() []clusterFailover {
	var out []clusterFailover
	for k, ss := range st.samples {
		for i := 1; i < len(ss); i++ {
			prev, s := &ss[i-1], &ss[i]
			if !prev.Down && !prev.Master && !s.Down && s.Master {
				out = append(out, clusterFailover{At: s.At, Node: st.nodes[k], Replaced: prev.Replicates, ConfigEpoch: s.ConfigEpoch})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].At != out[j].At {
			return out[i].At < out[j].At
		}
		return naturalLess(out[i].Node, out[j].Node)
	})
	return out
}

// final is the last span, nil when there is none.
func (st *clusterStory) final() *clusterSpan {
	if len(st.spans) == 0 {
		return nil
	}
	return &st.spans[len(st.spans)-1]
}

// ownerEpoch is the configEpoch of owner in its own view at the span if
// it is up and a master, else as the first view that names it says.
func (st *clusterStory) ownerEpoch(sp *clusterSpan, owner string, slot int) uint64 {
	for k, v := range sp.views {
		if st.nodes[k] == owner && up(v) && v.Master {
			return v.ConfigEpoch
		}
	}
	for _, v := range sp.views {
		if !up(v) {
			continue
		}
		for _, r := range v.Slots {
			if r.Owner == owner && r.Start <= slot && slot <= r.End {
				return r.ConfigEpoch
			}
		}
	}
	return 0
}

// slotRange prints a run of slots: "0-5460", or "42" for one slot.
func slotRange(start, end int) string {
	if start == end {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "-" + strconv.Itoa(end)
}

// slotRanges prints runs of slots, at most max of them and a count of
// the rest.
func slotRanges(runs [][2]int, most int) string {
	var parts []string
	for i, r := range runs {
		if i == most {
			parts = append(parts, "and "+strconv.Itoa(len(runs)-most)+" more")
			break
		}
		parts = append(parts, slotRange(r[0], r[1]))
	}
	return strings.Join(parts, ", ")
}

// slotCount is how many slots runs hold.
func slotCount(runs [][2]int) int {
	n := 0
	for _, r := range runs {
		n += r[1] - r[0] + 1
	}
	return n
}

// changes is how many samples the story keeps.
func (st *clusterStory) changes() int {
	n := 0
	for _, ss := range st.samples {
		n += len(ss)
	}
	return n
}
