package checker

import (
	"fmt"
	"math"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// A list's order is its history: an element appended once, and acknowledged
// before another element's first append was invoked, took effect before any
// copy of the other, so every read that shows both shows it first. And since
// replicas copy one list, no two final reads order two elements differently.
// Both rules look at each element's first copy in a read: a later copy of an
// element appended twice may follow anything.

// checkRealTimeOrder checks one read of the list k (seq: its elements in
// order of first copy) against real time.
func (k *setKey) checkRealTimeOrder(ops []history.Op, ri int, seq []int32, rep *setReport) {
	// Walking back from the end, first is the element of earliest
	// acknowledgement among those read after the current one.
	firstAck, first := clock.Time(math.MaxInt64), int32(-1)
	for p := len(seq) - 1; p >= 0; p-- {
		b := seq[p]
		eb := &k.elems[b]
		if first >= 0 && firstAck < eb.invokeAt && !eb.reordered {
			eb.reordered = true
			rep.c.reordered++
			ea := &k.elems[first]
			if rep.room(findReordered, k.key, ea.op) {
				rep.add(findReordered, setFinding{k.key, fmt.Sprintf("on %s, %q holds %v before %v, but %v was acknowledged at %v, before %v was first invoked at %v",
					ops[ri].Node, k.key, eb.v, ea.v, ea.v, ea.ackAt, eb.v, eb.invokeAt), []int{ea.op, eb.op, ri}})
			}
		}
		if eb.applied == 1 && eb.acks == 1 && eb.ackAt < firstAck {
			firstAck, first = eb.ackAt, b
		}
	}
}

// checkOrderAgreement checks that no two final reads of the list k order two
// elements differently; s.seqs holds each read's elements in order of first
// copy, in the order of k.reads.
func (k *setKey) checkOrderAgreement(ops []history.Op, rep *setReport, s *setScratch) {
	if cap(s.pos) < len(k.elems) {
		s.pos = make([]int32, len(k.elems))
	}
	pos := s.pos[:len(k.elems)]
	for i := range pos {
		pos[i] = -1
	}
	for b := 1; b < len(s.seqs); b++ {
		for p, e := range s.seqs[b] {
			pos[e] = int32(p)
		}
		for a := range b {
			if x, y, ok := inversion(s.seqs[a], pos); ok {
				rep.c.orderConflicts++
				ra, rb := k.reads[a], k.reads[b]
				vx, vy := k.elems[x].v, k.elems[y].v
				if rep.room(findConflict, k.key, k.elems[x].op) {
					rep.add(findConflict, setFinding{k.key, fmt.Sprintf("%s reads %v before %v in %q, %s reads %v before %v",
						ops[ra].Node, vx, vy, k.key, ops[rb].Node, vy, vx), []int{k.elems[x].op, k.elems[y].op, ra, rb}})
				}
			}
		}
		for _, e := range s.seqs[b] {
			pos[e] = -1
		}
	}
}

// inversion returns two elements that seq has in the order x, y and that pos
// (each element's position in another read, -1 when absent) has in the order
// y, x.
func inversion(seq, pos []int32) (x, y int32, ok bool) {
	// top is the element of seq so far with the highest position in the
	// other read: an element after it in seq but before it there is y.
	top, topPos := int32(-1), int32(-1)
	for _, e := range seq {
		p := pos[e]
		switch {
		case p < 0:
		case p > topPos:
			top, topPos = e, p
		default:
			return top, e, true
		}
	}
	return 0, 0, false
}
