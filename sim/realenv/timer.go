package realenv

import (
	"container/heap"
	"math"
	"time"

	"github.com/redsim/redsim/sim"
)

// timer is one pending After. Its seq is also its sim.Timer id, so ids start
// at 1 and never collide with the zero Timer.
type timer struct {
	due time.Duration // on Mono
	seq uint64
	fn  func()
	i   int // index in the loop's timerHeap, kept by Push and Swap
}

// timerHeap is the loop's pending timers, a min-heap by (due, seq): one
// ordered structure instead of one runtime timer each, because separate
// runtime timers due together reach the loop in whatever order their
// goroutines are scheduled, and node code (the simulator's contract) relies on
// timers firing in due order and, when due together, in creation order.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(a, b int) bool {
	return h[a].due < h[b].due || (h[a].due == h[b].due && h[a].seq < h[b].seq)
}

func (h timerHeap) Swap(a, b int) {
	h[a], h[b] = h[b], h[a]
	h[a].i, h[b].i = a, b
}

func (h *timerHeap) Push(x any) {
	tm := x.(*timer)
	tm.i = len(*h)
	*h = append(*h, tm)
}

func (h *timerHeap) Pop() any {
	q := *h
	n := len(q) - 1
	tm := q[n]
	q[n] = nil // drop the reference for the GC
	*h = q[:n]
	return tm
}

// After runs fn on the loop once d has passed on the monotonic clock. Timers
// fire in due order; timers due at the same moment fire in the order they
// were made.
func (l *Loop) After(d time.Duration, fn func()) sim.Timer {
	now := l.Mono()
	d = max(d, 0)
	if d > math.MaxInt64-now { // After(math.MaxInt64) means never, not the past
		return l.at(math.MaxInt64, fn)
	}
	return l.at(now+d, fn)
}

// at runs fn on the loop once Mono reaches due. It is After without the
// reading of the clock, so that tests can make timers due at exactly the same
// moment.
func (l *Loop) at(due time.Duration, fn func()) sim.Timer {
	if l.down {
		return sim.Timer{}
	}
	l.timerSeq++
	tm := &timer{due: due, seq: l.timerSeq, fn: fn}
	l.timers[tm.seq] = tm
	heap.Push(&l.timerQ, tm)
	return sim.TimerOf(tm.seq)
}

// Cancel stops t; it reports whether t was still pending. A cancelled timer
// never runs, even if it was already due, or due in the same wake-up as the
// timer whose callback cancels it.
func (l *Loop) Cancel(t sim.Timer) bool {
	tm, ok := l.timers[t.ID()]
	if !ok {
		return false
	}
	delete(l.timers, tm.seq)
	heap.Remove(&l.timerQ, tm.i)
	return true
}

// fireDue runs, one at a time and in (due, seq) order, every timer due by the
// time it is called. Timers that callbacks make are due no earlier than now,
// so a timer that re-arms itself with After(0) waits for the next turn and
// cannot starve the loop's other work. It stops early if a callback calls
// Exit.
func (l *Loop) fireDue() {
	if len(l.timerQ) == 0 {
		return
	}
	now := l.Mono()
	for len(l.timerQ) > 0 && l.timerQ[0].due <= now && !l.exiting {
		tm := heap.Pop(&l.timerQ).(*timer)
		delete(l.timers, tm.seq)
		tm.fn()
	}
}

// wakeC is the channel that wakes the loop when the earliest timer is due:
// nil (never ready) when there is none, the closed l.ready when it is due
// already (one made during the last batch; a round trip through the runtime
// would only add latency), else the channel of the one runtime timer. That
// timer is reset only when the earliest due time changes, so a busy loop does
// not re-arm it for every post.
func (l *Loop) wakeC() <-chan time.Time {
	if len(l.timerQ) == 0 {
		if l.wakeArmed {
			l.wake.Stop()
			l.wakeArmed = false
		}
		return nil
	}
	due, now := l.timerQ[0].due, l.Mono()
	if due <= now {
		return l.ready
	}
	if !l.wakeArmed || l.wakeAt != due {
		// Since Go 1.23, Reset and Stop discard a value an earlier expiry
		// left unread, so a stale wake-up never arrives.
		if l.wake == nil {
			l.wake = time.NewTimer(due - now)
		} else {
			l.wake.Reset(due - now)
		}
		l.wakeAt, l.wakeArmed = due, true
	}
	return l.wake.C
}

// stopTimers drops every pending timer as the loop stops.
func (l *Loop) stopTimers() {
	clear(l.timers)
	clear(l.timerQ)
	l.timerQ = l.timerQ[:0]
	if l.wake != nil {
		l.wake.Stop()
		l.wakeArmed = false
	}
}
