package history

import (
	"fmt"

	"github.com/redsim/redsim/clock"
)

// History records the operations of a run in invocation order. The zero value
// is an empty history ready for use. It is not safe for concurrent use: the
// world's single goroutine records into it.
type History struct {
	// Operations live in fixed-size chunks so that recording never copies
	// what is already recorded; Ops flattens them once, on demand.
	chunks  [][]Op
	n       int
	flat    []Op // the flattened ops, valid while len(flat) == n
	pending int
	// A streaming history (Stream) passes each completed operation
	// invoked before keepFrom to sink once every operation before it has
	// completed, and forgets it: next is the first operation it keeps.
	sink     func(*Op)
	keepFrom clock.Time
	next     int
	streamed [4]int // the streamed operations by outcome
}

const chunkBits = 12
const chunkLen = 1 << chunkBits

func (h *History) at(i int) *Op {
	if i < h.next || i >= h.n {
		if i >= 0 && i < h.next {
			panic(fmt.Sprintf("history: operation %d was streamed away (the history keeps %d and after)", i, h.next))
		}
		panic(fmt.Sprintf("history: operation %d out of range [0,%d)", i, h.n))
	}
	return &h.chunks[i>>chunkBits][i&(chunkLen-1)]
}

// Invoke appends op as pending and returns its index for Complete. Only the
// invocation fields of op (Process, Node, Kind, Key, Value, Expect, Invoke)
// are kept.
func (h *History) Invoke(op Op) int {
	op.Result, op.Elems, op.Complete, op.Outcome, op.Error = None, nil, 0, Pending, ""
	if h.n&(chunkLen-1) == 0 {
		h.chunks = append(h.chunks, make([]Op, 0, chunkLen))
	}
	c := &h.chunks[len(h.chunks)-1]
	*c = append(*c, op)
	h.flat = nil
	h.pending++
	h.n++
	return h.n - 1
}

// Complete records the end of operation i at true time at. It panics if i was
// already completed, which is a client bug: a client that timed out must not
// record the late reply too.
func (h *History) Complete(i int, at clock.Time, outcome Outcome, result Value, err string) {
	op := h.pending1(i, at)
	if outcome == Pending {
		panic("history: Complete with outcome pending")
	}
	op.Complete, op.Outcome, op.Result, op.Error = at, outcome, result, err
	h.advance()
}

// CompleteElems records an Ok set or list read of operation i that returned
// elems. A read that found no elements should pass an empty, non-nil slice.
func (h *History) CompleteElems(i int, at clock.Time, elems []Value) {
	op := h.pending1(i, at)
	if elems == nil {
		elems = []Value{}
	}
	op.Complete, op.Outcome, op.Elems = at, Ok, elems
	h.advance()
}

// CompleteTxn records an Ok transaction i whose micro-operations, with what
// its reads returned, are mops.
func (h *History) CompleteTxn(i int, at clock.Time, mops []Mop) {
	op := h.pending1(i, at)
	op.Complete, op.Outcome, op.Mops = at, Ok, mops
	h.advance()
}

// Redirect records that pending operation i now goes to node: a cluster
// client that was redirected (MOVED, ASK) or retried on another node
// records the node that finally answered.
func (h *History) Redirect(i int, node string) {
	op := h.at(i)
	if op.Outcome != Pending {
		panic(fmt.Sprintf("history: operation %d (%s %s by %d) redirected after it completed", i, op.Kind, op.Key, op.Process))
	}
	h.flat = nil
	op.Node = node
}

func (h *History) pending1(i int, at clock.Time) *Op {
	op := h.at(i)
	h.flat = nil
	if op.Outcome != Pending {
		panic(fmt.Sprintf("history: operation %d (%s %s by %d) completed twice", i, op.Kind, op.Key, op.Process))
	}
	if at < op.Invoke {
		panic(fmt.Sprintf("history: operation %d completes at %v before its invocation at %v", i, at, op.Invoke))
	}
	h.pending--
	return op
}

// Finish ends the run at true time end: every operation still pending becomes
// Info, completing at end, with the error "pending at end of run".
func (h *History) Finish(end clock.Time) {
	if h.pending == 0 {
		return
	}
	h.flat = nil
	for i := h.next; i < h.n; i++ {
		op := h.at(i)
		if op.Outcome == Pending {
			c := end
			if c < op.Invoke {
				c = op.Invoke
			}
			op.Complete, op.Outcome, op.Error = c, Info, "pending at end of run"
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
	if len(h.chunks) == 1 && h.next == 0 {
		h.flat = h.chunks[0]
		return h.flat
	}
	h.flat = make([]Op, 0, kept)
	for i, c := range h.chunks {
		if c == nil {
			continue
		}
		if i == h.next>>chunkBits {
			c = c[h.next&(chunkLen-1):]
		}
		h.flat = append(h.flat, c...)
	}
	return h.flat
}

// Select returns a new slice of the operations for which keep is true, in
// invocation order, without flattening the whole history first.
// A streaming history selects among the operations it kept.
func (h *History) Select(keep func(*Op) bool) []Op {
	n := 0
	for i := h.next; i < h.n; i++ {
		if keep(h.at(i)) {
			n++
		}
	}
	out := make([]Op, 0, n)
	for i := h.next; i < h.n; i++ {
		if op := h.at(i); keep(op) {
			out = append(out, *op)
		}
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
		op := &h.chunks[h.next>>chunkBits][h.next&(chunkLen-1)]
		if op.Outcome == Pending || op.Invoke >= h.keepFrom {
			return
		}
		h.sink(op)
		h.streamed[min(int(op.Outcome), len(h.streamed)-1)]++
		*op = Op{}
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
		counts[min(int(h.at(i).Outcome), len(counts)-1)]++
	}
	return counts
}

// Streamed is the number of operations a streaming history passed on
// and forgot: Op and Ops know only those after them.
func (h *History) Streamed() int { return h.next }

// Op returns operation i.
func (h *History) Op(i int) Op { return *h.at(i) }

// Len is the number of operations recorded, streamed ones included.
func (h *History) Len() int { return h.n }

// Pending is the number of operations not yet completed.
func (h *History) Pending() int { return h.pending }
