package sim

import (
	"time"

	"github.com/redsim/redsim/clock"
)

// A Runner is an event's action. Packages that schedule many events (the
// network's pipes) implement it on a long-lived value so that scheduling does not
// allocate; arg says which of the runner's pending actions this is.
type Runner interface {
	Run(arg uint64)
}

// funcRunner lets a plain func be an event; a func value is pointer-shaped, so
// storing it in the interface does not allocate.
type funcRunner func()

func (f funcRunner) Run(uint64) { f() }

const (
	kindRun uint8 = iota
	kindTimer
)

// event is kept by value in the heap.
type event struct {
	at   clock.Time
	seq  uint64
	proc *Process // nil for world-level events
	r    Runner
	arg  uint64
	inc  uint32 // incarnation of proc the event belongs to
	kind uint8
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventHeap is a 4-ary min-heap by (at, seq), written out by hand because
// container/heap would box every event into an interface. Four children per
// node halve the depth of a binary heap, and sifting moves a hole instead of
// swapping. The heap orders small keys that hold no pointers, each naming
// its event's slot in a slab: a sift moves 24 bytes with no write barrier
// (an event is 56 bytes with three pointers, and the collector is often
// running), and an event is written once, into its slot.
type eventHeap struct {
	keys heapKeys
	slab []event
	free []uint32 // slots of slab not in use
}

type heapKey struct {
	at   clock.Time
	seq  uint64
	slot uint32
}

type heapKeys []heapKey

func (a *heapKey) before(b *heapKey) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (h *eventHeap) len() int { return len(h.keys) }

// top is the first event by (at, seq); the heap must not be empty.
func (h *eventHeap) top() *event { return &h.slab[h.keys[0].slot] }

func (h *eventHeap) push(ev event) {
	var slot uint32
	if n := len(h.free); n > 0 {
		slot = h.free[n-1]
		h.free = h.free[:n-1]
		h.slab[slot] = ev
	} else {
		slot = uint32(len(h.slab))
		h.slab = append(h.slab, ev)
	}
	k := heapKey{at: ev.at, seq: ev.seq, slot: slot}
	h.keys = append(h.keys, k)
	q := h.keys
	i := len(q) - 1
	for i > 0 {
		parent := (i - 1) / 4
		if !k.before(&q[parent]) {
			break
		}
		q[i] = q[parent]
		i = parent
	}
	q[i] = k
}

func (h *eventHeap) pop() event {
	q := h.keys
	slot := q[0].slot
	top := h.slab[slot]
	h.slab[slot] = event{} // drop references for the GC
	h.free = append(h.free, slot)
	n := len(q) - 1
	last := q[n]
	q = q[:n]
	h.keys = q
	if n > 0 {
		q.down(0, last)
	}
	return top
}

// down puts k at i, or below it where it belongs.
func (q heapKeys) down(i int, k heapKey) {
	n := len(q)
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		m := first
		end := min(first+4, n)
		for c := first + 1; c < end; c++ {
			if q[c].before(&q[m]) {
				m = c
			}
		}
		if !q[m].before(&k) {
			break
		}
		q[i] = q[m]
		i = m
	}
	q[i] = k
}

// Schedule runs r.Run(arg) at true time at (or now, if at is past). When proc is
// not nil the event belongs to that process's current incarnation: it is dropped
// if the process dies first and waits while the process is paused.
func (w *World) Schedule(at clock.Time, proc *Process, r Runner, arg uint64) {
	w.schedule(at, proc, r, arg, kindRun)
}

func (w *World) schedule(at clock.Time, proc *Process, r Runner, arg uint64, kind uint8) {
	if at < w.now {
		at = w.now
	}
	w.seq++
	ev := event{at: at, seq: w.seq, proc: proc, r: r, arg: arg, kind: kind}
	if proc != nil {
		ev.inc = proc.inc
	}
	switch {
	case w.plainQueue:
	case at == w.now:
		// Due now and after every event already queued for now: it runs
		// once those have, in the order of scheduling, so a FIFO holds it
		// and the heap need not.
		w.fifo.push(ev)
		return
	case kind == kindRun && (w.ordered.len() == 0 || at >= w.ordered.tail().at):
		// Not before the last event of the ordered run (a later seq breaks
		// a tie): the run stays in (at, seq) order. A network link's
		// segments mostly come in order of arrival, and timers, which
		// fire far ahead, are left to the heap so as not to end the run.
		w.ordered.push(ev)
		return
	}
	if w.cancelled > compactAfter && 2*w.cancelled > w.q.len() && !w.plainQueue {
		w.compact()
	}
	w.q.push(ev)
}

// compactAfter is how many timers must have been cancelled before the
// queue is compacted (when they are also over half of it).
const compactAfter = 64

// At runs fn at true time t as a world-level event (nemesis actions, scenario
// phases): it belongs to no process.
func (w *World) At(t clock.Time, fn func()) { w.schedule(t, nil, funcRunner(fn), 0, kindRun) }

// After runs fn after d of true time as a world-level event.
func (w *World) After(d time.Duration, fn func()) { w.At(w.now.Add(d), fn) }

// Now is the current true time.
func (w *World) Now() clock.Time { return w.now }

// Pending is the number of events waiting, including dead ones not yet popped.
func (w *World) Pending() int { return w.q.len() + w.fifo.len() + w.ordered.len() }

// Halt makes the running RunUntil return after the current event.
func (w *World) Halt() { w.halted = true }

// RunUntil runs every event due at or before deadline, then sets the time to
// the deadline. It returns early, at the time of the last event, when Halt is
// called. It reports the number of events run.
func (w *World) RunUntil(deadline clock.Time) int {
	w.halted = false
	n := 0
	for !w.halted {
		ev, ok := w.next(deadline)
		if !ok {
			break
		}
		w.now = ev.at
		w.dispatch(&ev)
		n++
	}
	if !w.halted && deadline != clock.Never && deadline > w.now {
		w.now = deadline
	}
	return n
}

// next takes the first event due at or before deadline, if any: the
// first by (at, seq) of the heads of the FIFO of now, the ordered run and
// the heap.
func (w *World) next(deadline clock.Time) (event, bool) {
	var first *event
	from := &w.fifo
	if w.fifo.len() > 0 {
		first = w.fifo.peek()
	}
	if w.ordered.len() > 0 {
		if h := w.ordered.peek(); first == nil || h.before(first) {
			first, from = h, &w.ordered
		}
	}
	if w.q.len() > 0 && (first == nil || w.q.top().before(first)) {
		if w.q.top().at > deadline {
			return event{}, false
		}
		return w.q.pop(), true
	}
	if first == nil || first.at > deadline {
		return event{}, false
	}
	return from.pop(), true
}

// eventFIFO is a queue of events in the order pushed.
type eventFIFO struct {
	ev    []event
	first int
}

func (f *eventFIFO) len() int     { return len(f.ev) - f.first }
func (f *eventFIFO) peek() *event { return &f.ev[f.first] }
func (f *eventFIFO) tail() *event { return &f.ev[len(f.ev)-1] }
func (f *eventFIFO) push(e event) { f.ev = append(f.ev, e) }

func (f *eventFIFO) pop() event {
	e := f.ev[f.first]
	f.ev[f.first] = event{} // drop references for the GC
	f.first++
	switch {
	case f.first == len(f.ev):
		f.ev, f.first = f.ev[:0], 0
	case f.first >= 256 && 2*f.first >= len(f.ev):
		// A queue that never empties slides back to the start of its
		// array now and then instead of growing without end.
		n := copy(f.ev, f.ev[f.first:])
		clear(f.ev[n:])
		f.ev, f.first = f.ev[:n], 0
	}
	return e
}

// RunFor runs for d of true time from now.
func (w *World) RunFor(d time.Duration) int { return w.RunUntil(w.now.Add(d)) }

// RunUntilIdle runs until no event is left or Halt is called.
func (w *World) RunUntilIdle() int { return w.RunUntil(clock.Never) }

func (w *World) dispatch(ev *event) {
	if p := ev.proc; p != nil {
		if ev.inc != p.inc || p.state == Down {
			return
		}
		if p.state == Paused {
			p.backlog = append(p.backlog, *ev)
			return
		}
	}
	if ev.kind == kindTimer {
		ev.proc.fireTimer(ev.arg)
	} else {
		ev.r.Run(ev.arg)
	}
	if p := ev.proc; p != nil && p.exiting {
		p.finishExit()
	}
}

// compact drops the events of cancelled timers from the queue and restores
// the heap. The order events pop in is the total order of (at, seq), which
// no layout of the heap changes, and a cancelled timer's event does nothing
// when popped: the run is the same event for event.
func (w *World) compact() {
	h := &w.q
	q := h.keys
	n := 0
	for _, k := range q {
		ev := &h.slab[k.slot]
		if ev.kind == kindTimer && ev.proc != nil && ev.inc == ev.proc.inc {
			slot, gen := uint32(ev.arg), uint32(ev.arg>>32)
			if int(slot) < len(ev.proc.timers) {
				if ts := &ev.proc.timers[slot]; ts.gen != gen || ts.fn == nil {
					*ev = event{}
					h.free = append(h.free, k.slot)
					continue
				}
			}
		}
		q[n] = k
		n++
	}
	q = q[:n]
	for i := (n - 2) / 4; i >= 0; i-- {
		q.down(i, q[i])
	}
	h.keys = q
	w.cancelled = 0
}
