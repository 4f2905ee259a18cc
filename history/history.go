package history

import (
	"fmt"

	"github.com/redsim/redsim/clock"
)

// History records the operations of a run in invocation order. The zero value
// is an empty history ready for use. It is not safe for concurrent use: the
// world's single goroutine records into it.
type History struct {
	// Operations live in fixed-size chunks of compact records (see rec)
	// so that recording never copies what is already recorded; Ops
	// decodes them once, on demand.
	chunks  []*chunk
	kinds   []Kind // the kinds recorded, which recs index
	n       int
	flat    []Op // the decoded ops, valid while len(flat) == n
	pending int
	// A streaming history (Stream) passes each completed operation
	// invoked before keepFrom to sink once every operation before it has
	// completed, and forgets it: next is the first operation it keeps.
	sink     func(*Op)
	keepFrom clock.Time
	next     int
	streamed [4]int // the streamed operations by outcome
	scratch  Op     // the operation passed to sink
}

const chunkBits = 12
const chunkLen = 1 << chunkBits

func (h *History) at(i int) (*chunk, *rec) {
	if i < h.next || i >= h.n {
		if i >= 0 && i < h.next {
			panic(fmt.Sprintf("history: operation %d was streamed away (the history keeps %d and after)", i, h.next))
		}
		panic(fmt.Sprintf("history: operation %d out of range [0,%d)", i, h.n))
	}
	c := h.chunks[i>>chunkBits]
	return c, &c.recs[i&(chunkLen-1)]
}

// Invoke appends op as pending and returns its index for Complete. Only the
// invocation fields of op (Process, Node, Kind, Key, Value, Expect, Invoke)
// are kept, and its Mops until CompleteTxn replaces them.
func (h *History) Invoke(op Op) int {
	if h.n&(chunkLen-1) == 0 {
		h.chunks = append(h.chunks, newChunk())
	}
	c := h.chunks[len(h.chunks)-1]
	c.recs = append(c.recs, rec{})
	h.encodeInvoke(c, &c.recs[len(c.recs)-1], &op)
	c.pending++
	h.flat = nil
	h.pending++
	h.n++
	return h.n - 1
}

// Complete records the end of operation i at true time at. It panics if i was
// already completed, which is a client bug: a client that timed out must not
// record the late reply too.
func (h *History) Complete(i int, at clock.Time, outcome Outcome, result Value, err string) {
	c, r := h.pending1(i, at)
	if outcome == Pending {
		panic("history: Complete with outcome pending")
	}
	r.complete, r.outcome, r.err = at, outcome, c.str(err)
	r.result, r.rk = c.value(result)
	c.completed()
	h.advance()
}

// CompleteElems records an Ok set or list read of operation i that returned
// elems. A read that found no elements should pass an empty, non-nil slice.
func (h *History) CompleteElems(i int, at clock.Time, elems []Value) {
	c, r := h.pending1(i, at)
	if elems == nil {
		elems = []Value{}
	}
	r.complete, r.outcome = at, Ok
	c.extraOf(r).elems = elems
	c.completed()
	h.advance()
}

// CompleteTxn records an Ok transaction i whose micro-operations, with what
// its reads returned, are mops.
func (h *History) CompleteTxn(i int, at clock.Time, mops []Mop) {
	c, r := h.pending1(i, at)
	r.complete, r.outcome = at, Ok
	if mops != nil || r.extra != 0 {
		c.extraOf(r).mops = mops
	}
	c.completed()
	h.advance()
}

// Redirect records that pending operation i now goes to node: a cluster
// client that was redirected (MOVED, ASK) or retried on another node
// records the node that finally answered.
func (h *History) Redirect(i int, node string) {
	c, r := h.at(i)
	if r.outcome != Pending {
		panic(fmt.Sprintf("history: operation %d (%s) redirected after it completed", i, h.describe(c, r)))
	}
	h.flat = nil
	r.node = c.str(node)
}

func (h *History) pending1(i int, at clock.Time) (*chunk, *rec) {
	c, r := h.at(i)
	h.flat = nil
	if r.outcome != Pending {
		panic(fmt.Sprintf("history: operation %d (%s) completed twice", i, h.describe(c, r)))
	}
	if at < r.invoke {
		panic(fmt.Sprintf("history: operation %d completes at %v before its invocation at %v", i, at, r.invoke))
	}
	h.pending--
	return c, r
}

// describe is "kind key by process", for panics.
func (h *History) describe(c *chunk, r *rec) string {
	var op Op
	h.decode(c, r, &op)
	return fmt.Sprintf("%s %s by %d", op.Kind, op.Key, op.Process)
}

// Finish ends the run at true time end: every operation still pending becomes
// Info, completing at end, with the error "pending at end of run".
func (h *History) Finish(end clock.Time) {
	if h.pending == 0 {
		return
	}
	h.flat = nil
	for i := h.next; i < h.n; i++ {
		c, r := h.at(i)
		if r.outcome == Pending {
			r.complete = max(end, r.invoke)
			r.outcome, r.err = Info, c.str("pending at end of run")
			c.completed()
		}
	}
	h.pending = 0
	h.advance()
}

// Ops returns the operations in invocation order. The slice is shared with
// the history until it records again: callers must not modify it.
//
// A streaming history returns the operations it kept (Kept).
func (h *History) Ops() []Op {
	kept := h.n - h.next
	if len(h.flat) == kept && h.flat != nil || kept == 0 {
		return h.flat
	}
	h.flat = make([]Op, kept)
	for i := range h.flat {
		c, r := h.at(h.next + i)
		h.decode(c, r, &h.flat[i])
	}
	return h.flat
}

// SelectByKey returns a new slice of the operations whose key passes keep,
// in invocation order; an operation whose key fails is not decoded at all.
// The positions come first, then the result at its size: appending Ops
// one by one copied each about twice. A streaming history selects among
// the operations it kept.
func (h *History) SelectByKey(keep func(key string) bool) []Op {
	var kept []int
	for i := h.next; i < h.n; i++ {
		c, r := h.at(i)
		if keep(c.strs[r.key]) {
			kept = append(kept, i)
		}
	}
	return h.decodeAll(kept)
}

// decodeAll decodes the operations at positions kept into a slice of their
// size.
func (h *History) decodeAll(kept []int) []Op {
	out := make([]Op, len(kept))
	for j, i := range kept {
		c, r := h.at(i)
		h.decode(c, r, &out[j])
	}
	return out
}

// Stream makes h a streaming history, before it records anything: each
// operation invoked before keepFrom is passed to sink once it and every
// operation before it have completed (so in invocation order), and is
// then forgotten; the operations invoked from keepFrom on are kept, as a
// history keeps them all. A long run's memory then holds what is in
// flight and the kept tail, whatever its length. sink must not keep op,
// which h reuses.
func (h *History) Stream(keepFrom clock.Time, sink func(op *Op)) {
	if h.n > 0 {
		panic("history: Stream after operations were recorded")
	}
	h.sink, h.keepFrom = sink, keepFrom
}

// advance streams the completed operations at the head of a streaming
// history.
func (h *History) advance() {
	if h.sink == nil {
		return
	}
	for h.next < h.n {
		c := h.chunks[h.next>>chunkBits]
		r := &c.recs[h.next&(chunkLen-1)]
		if r.outcome == Pending || r.invoke >= h.keepFrom {
			return
		}
		h.decode(c, r, &h.scratch)
		h.sink(&h.scratch)
		h.scratch = Op{}
		h.streamed[min(int(r.outcome), len(h.streamed)-1)]++
		if r.extra != 0 {
			c.extras[r.extra-1] = extra{}
		}
		h.next++
		h.flat = nil
		if h.next&(chunkLen-1) == 0 {
			h.chunks[(h.next-1)>>chunkBits] = nil
		}
	}
}

// Outcomes counts the operations by outcome (indexed by Outcome),
// streamed ones included, without copying the history.
func (h *History) Outcomes() [4]int {
	counts := h.streamed
	for i := h.next; i < h.n; i++ {
		_, r := h.at(i)
		counts[min(int(r.outcome), len(counts)-1)]++
	}
	return counts
}

// Streamed is the number of operations a streaming history passed on
// and forgot: Op and Ops know only those after them.
func (h *History) Streamed() int { return h.next }

// Op returns operation i.
func (h *History) Op(i int) Op {
	var op Op
	c, r := h.at(i)
	h.decode(c, r, &op)
	return op
}

// Len is the number of operations recorded, streamed ones included.
func (h *History) Len() int { return h.n }

// Pending is the number of operations not yet completed.
func (h *History) Pending() int { return h.pending }
