package realenv

import (
	"time"

	"github.com/redsim/redsim/sim"
)

type timer struct {
	t  *time.Timer
	fn func()
}

// After runs fn on the loop once d has passed.
func (l *Loop) After(d time.Duration, fn func()) sim.Timer {
	if l.down {
		return sim.Timer{}
	}
	l.timerSeq++
	id := l.timerSeq
	tm := &timer{fn: fn}
	l.timers[id] = tm
	l.wg.Add(1)
	tm.t = time.AfterFunc(d, func() {
		defer l.wg.Done()
		l.post(func() { l.fire(id) })
	})
	return sim.TimerOf(id) // ids start at 1, so never the zero Timer
}

// fire runs timer id unless it was cancelled after its goroutine posted it.
func (l *Loop) fire(id uint64) {
	tm, ok := l.timers[id]
	if !ok {
		return
	}
	delete(l.timers, id)
	tm.fn()
}

// Cancel stops t; it reports whether t was still pending. A cancelled timer
// never runs, even if its expiry is already queued on the loop.
func (l *Loop) Cancel(t sim.Timer) bool {
	id := t.ID()
	tm, ok := l.timers[id]
	if !ok {
		return false
	}
	delete(l.timers, id)
	if tm.t.Stop() {
		l.wg.Done() // its function will never run
	}
	return true
}

func (l *Loop) stopTimers() {
	for id, tm := range l.timers {
		delete(l.timers, id)
		if tm.t.Stop() {
			l.wg.Done()
		}
	}
}
