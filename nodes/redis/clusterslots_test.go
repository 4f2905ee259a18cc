package redis

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/redsim/redsim/internal/script"
	"github.com/redsim/redsim/nodes/redis/cluster"
	"github.com/redsim/redsim/sim"
)

// The slot loops of cluster mode read each node's own bitmap, a word at a
// time, where Redis reads the slot table slot by slot; they are right as
// long as the two agree (clusterNode.slots). These tests hold them to
// the slot-by-slot versions below, which are Redis's loops as written.

// slotRunsBySlot is slotRuns as clusterGenNodesSlotsInfo walks the table.
func (cl *clusterState) slotRunsBySlot(fn func(n *clusterNode, start, end int)) {
	start := 0
	for i := 1; i <= cluster.Slots; i++ {
		if i < cluster.Slots && cl.slots[i] == cl.slots[start] {
			continue
		}
		if cl.slots[start] != nil {
			fn(cl.slots[start], start, i-1)
		}
		start = i
	}
}

// nodesDescriptionBySlot is nodesDescription built from the table slot by
// slot.
func (s *Server) nodesDescriptionBySlot(filter cluster.NodeFlags) []byte {
	cl := s.cl
	lines := map[*clusterNode]*cluster.NodeLine{}
	var out []cluster.NodeLine
	for _, n := range cl.nodes {
		if n.flags&filter != 0 {
			continue
		}
		out = append(out, s.nodeLine(n))
	}
	for i := range out {
		lines[cl.byName[out[i].ID]] = &out[i]
	}
	cl.slotRunsBySlot(func(n *clusterNode, start, end int) {
		if l := lines[n]; l != nil {
			l.Slots = append(l.Slots, cluster.SlotRange{Start: start, End: end})
		}
	})
	if l := lines[cl.myself]; l != nil {
		for j := 0; j < cluster.Slots; j++ {
			if m := cl.migratingTo[j]; m != nil {
				l.Migrating = append(l.Migrating, cluster.SlotPeer{Slot: j, Node: m.name})
			} else if im := cl.importingFrom[j]; im != nil {
				l.Importing = append(l.Importing, cluster.SlotPeer{Slot: j, Node: im.name})
			}
		}
	}
	return cluster.FormatNodes(out)
}

// checkSlotBookkeeping fails t where what the node derives from its slot
// tables (each node's bitmap and count, the runs, full coverage, the
// moving slots, the CLUSTER NODES text) differs from the tables read
// slot by slot.
func checkSlotBookkeeping(t *testing.T, where string, s *Server) {
	t.Helper()
	cl := s.cl
	covered := true
	for _, n := range &cl.slots {
		if n == nil || n.failed() {
			covered = false
		}
	}
	for j := range cluster.Slots {
		if want := cl.migratingTo[j] != nil || cl.importingFrom[j] != nil; cl.moving.Has(j) != want {
			t.Fatalf("%s: %.8s: slot %d is moving: %v, want %v", where, cl.myself.name, j, cl.moving.Has(j), want)
		}
	}
	want := make([]cluster.Bitmap, len(cl.nodes))
	var last *clusterNode
	var lastWant *cluster.Bitmap
	for j, n := range &cl.slots {
		if n == nil {
			continue
		}
		if n != last {
			i := slices.Index(cl.nodes, n)
			if i < 0 {
				t.Fatalf("%s: %.8s: slot %d belongs to %.8s, which is not among the nodes", where, cl.myself.name, j, n.name)
			}
			last, lastWant = n, &want[i]
		}
		lastWant.Set(j)
	}
	for i, n := range cl.nodes {
		if n.slots != want[i] || n.numSlots != want[i].Count() {
			t.Fatalf("%s: %.8s: node %.8s has %d slots in its bitmap (numSlots %d), the table gives it %d",
				where, cl.myself.name, n.name, n.slots.Count(), n.numSlots, want[i].Count())
		}
	}
	type run struct {
		n          *clusterNode
		start, end int
	}
	var got, exp []run
	cl.slotRuns(func(n *clusterNode, start, end int) { got = append(got, run{n, start, end}) })
	cl.slotRunsBySlot(func(n *clusterNode, start, end int) { exp = append(exp, run{n, start, end}) })
	if !slices.Equal(got, exp) {
		t.Fatalf("%s: %.8s: slotRuns gives %d runs, the table %d", where, cl.myself.name, len(got), len(exp))
	}
	if cl.fullCoverage() != covered {
		t.Fatalf("%s: %.8s: fullCoverage() = %v, the table says %v", where, cl.myself.name, !covered, covered)
	}
	if got, want := s.nodesDescription(0), s.nodesDescriptionBySlot(0); string(got) != string(want) {
		t.Fatalf("%s: %.8s: CLUSTER NODES is\n%s\nbuilt slot by slot it is\n%s", where, cl.myself.name, got, want)
	}
}

// TestClusterSlotBookkeeping runs every cluster story and checks each
// running node's slot bookkeeping after each command and every 500 ms of
// virtual time (2 s with -short): resharding, failovers, UPDATE messages, resets, restarts
// from nodes.conf, and the rest the stories go through. The stories'
// output must still be theirs.
func TestClusterSlotBookkeeping(t *testing.T) {
	step := 500 * time.Millisecond
	if testing.Short() {
		step = 2 * time.Second
	}
	files, _ := filepath.Glob("testdata/clusterstories/*.txt")
	if len(files) == 0 {
		t.Fatal("no cluster stories")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel() // a world of its own; nothing in this package plants bugs in parallel
			d := &clusterStory{t: t}
			check := func(c *script.Cmd) {
				for _, n := range d.cw.nodes {
					if n.node.State() == sim.Down {
						continue
					}
					if s := n.server(); s.cl != nil {
						checkSlotBookkeeping(t, fmt.Sprintf("%s at %v", c.Pos, d.cw.w.Now()), s)
					}
				}
			}
			script.Run(t, path, false, func(c *script.Cmd) string {
				if c.Name != "run" || d.cw == nil {
					out := d.run(c)
					check(c)
					return out
				}
				dur, err := time.ParseDuration(c.Arg(t, 0))
				if err != nil {
					t.Fatalf("%s: %v", c.Pos, err)
				}
				for left := dur; left > 0; left -= step {
					d.cw.w.RunFor(min(left, step))
					check(c)
				}
				return "ok"
			})
		})
	}
}

// takeClaimedSlotsBySlot is takeClaimedSlots as clusterUpdateSlotsConfigWith
// walks the slots.
func (s *Server) takeClaimedSlotsBySlot(sender *clusterNode, senderConfigEpoch uint64, slots *cluster.Bitmap, curmaster *clusterNode) (
	newmaster *clusterNode, dirtySlots []int, senderSlots, migratedOurSlots int) {
	cl := s.cl
	me := cl.myself
	for j := 0; j < cluster.Slots; j++ {
		if slots.Has(j) {
			senderSlots++
			if cl.slots[j] == sender {
				cl.ownerNotClaiming.Clear(j)
				continue
			}
			if cl.importingFrom[j] != nil {
				continue
			}
			if cl.slotUnclaimed(j) || cl.slots[j].configEpoch < senderConfigEpoch {
				if cl.slots[j] == me && s.countKeysInSlot(j) > 0 && sender != me {
					dirtySlots = append(dirtySlots, j)
				}
				if cl.slots[j] == curmaster {
					newmaster = sender
					migratedOurSlots++
				}
				s.clusterDelSlot(j)
				s.clusterAddSlot(sender, j)
				cl.ownerNotClaiming.Clear(j)
				cl.todo |= todoSaveConfig | todoUpdateState | todoFsyncConfig
			}
		} else if cl.slots[j] == sender {
			cl.ownerNotClaiming.Set(j)
		}
	}
	return newmaster, dirtySlots, senderSlots, migratedOurSlots
}

// slotTableCopy is what takeClaimedSlots may change.
type slotTableCopy struct {
	table       [cluster.Slots]*clusterNode
	notClaiming cluster.Bitmap
	todo        int
	slots       []cluster.Bitmap
	numSlots    []int
	flags       []cluster.NodeFlags
}

func copySlotTable(cl *clusterState) *slotTableCopy {
	c := &slotTableCopy{table: cl.slots, notClaiming: cl.ownerNotClaiming, todo: cl.todo}
	for _, n := range cl.nodes {
		c.slots = append(c.slots, n.slots)
		c.numSlots = append(c.numSlots, n.numSlots)
		c.flags = append(c.flags, n.flags)
	}
	return c
}

func (c *slotTableCopy) restore(cl *clusterState) {
	cl.slots, cl.ownerNotClaiming, cl.todo = c.table, c.notClaiming, c.todo
	for i, n := range cl.nodes {
		n.slots, n.numSlots, n.flags = c.slots[i], c.numSlots[i], c.flags[i]
	}
}

func (c *slotTableCopy) diff(o *slotTableCopy) string {
	for j := range c.table {
		if c.table[j] != o.table[j] {
			return fmt.Sprintf("slot %d has another owner", j)
		}
	}
	switch {
	case c.notClaiming != o.notClaiming:
		return "the ownerNotClaiming marks differ"
	case c.todo != o.todo:
		return fmt.Sprintf("todo %b, want %b", c.todo, o.todo)
	case !slices.Equal(c.slots, o.slots), !slices.Equal(c.numSlots, o.numSlots):
		return "a node's bitmap differs"
	case !slices.Equal(c.flags, o.flags):
		return "a node's flags differ"
	}
	return ""
}

// takeClaimedSlots must leave what the slot-by-slot walk leaves, and
// return what it returns, from any table: slots held by any node or by
// none, with any configEpochs, marks and imports, keys in some of
// myself's slots, and any claim.
func TestTakeClaimedSlotsMatchesSlotWalk(t *testing.T) {
	cw := newClusterWorld(t, 1, 6, 3)
	for i := range 300 {
		cw.conns[0].do("SET", fmt.Sprintf("key:%d", i), "v")
	}
	s := cw.nodes[0].server()
	cl := s.cl
	r := rand.New(rand.NewPCG(5, 6))
	maps := randomBitmaps(r)
	pick := func() *clusterNode { return cl.nodes[r.IntN(len(cl.nodes))] }
	for trial := range 400 {
		for range r.IntN(4) {
			lo := r.IntN(cluster.Slots)
			hi := min(cluster.Slots, lo+r.IntN(2000))
			owner := pick()
			if r.IntN(4) == 0 {
				owner = nil
			}
			for j := lo; j < hi; j++ {
				s.clusterDelSlot(j)
				if owner != nil {
					s.clusterAddSlot(owner, j)
				}
			}
		}
		for _, n := range cl.nodes {
			n.configEpoch = uint64(r.IntN(6))
		}
		for range r.IntN(200) {
			cl.ownerNotClaiming.Set(r.IntN(cluster.Slots))
		}
		cl.closeAllSlots()
		for range r.IntN(50) {
			cl.setImporting(r.IntN(cluster.Slots), pick())
		}
		sender := pick()
		for sender == cl.myself {
			sender = pick()
		}
		claim := maps[r.IntN(len(maps))]
		if r.IntN(2) == 0 {
			claim = sender.slots // as a PING mostly carries
			for range r.IntN(100) {
				j := r.IntN(cluster.Slots)
				if claim.Has(j) {
					claim.Clear(j)
				} else {
					claim.Set(j)
				}
			}
		}
		epoch := uint64(r.IntN(7))
		curmaster := cl.myself
		if r.IntN(3) == 0 {
			curmaster = pick()
		}

		before := copySlotTable(cl)
		wm, wd, ws, wo := s.takeClaimedSlotsBySlot(sender, epoch, &claim, curmaster)
		want := copySlotTable(cl)
		before.restore(cl)
		gm, gd, gs, gotMigrated := s.takeClaimedSlots(sender, epoch, &claim, curmaster)
		got := copySlotTable(cl)
		if d := got.diff(want); d != "" {
			t.Fatalf("trial %d: after takeClaimedSlots, %s", trial, d)
		}
		if gm != wm || !slices.Equal(gd, wd) || gs != ws || gotMigrated != wo {
			t.Fatalf("trial %d: takeClaimedSlots returned (%v, %v, %d, %d), the walk (%v, %v, %d, %d)",
				trial, gm != nil, gd, gs, gotMigrated, wm != nil, wd, ws, wo)
		}
		checkSlotBookkeeping(t, fmt.Sprintf("trial %d", trial), s)
	}
}
