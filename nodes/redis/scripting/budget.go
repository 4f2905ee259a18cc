package scripting

import (
	"context"
	"time"
)

// stepBudget stops a run after a number of Lua instructions. gopher-lua
// polls its context's Done channel before every instruction; this context
// counts the polls and, once the budget is spent, hands out a channel that
// is already closed, which makes the VM raise an error at the next
// instruction (and at every one after, so a script's pcall cannot swallow
// it). No goroutine, timer or clock is involved: the cut is deterministic.
//
// It is also where Redis's count hook fires: every HookSteps instructions
// it calls interrupt, and once that asks for the script's death every poll
// after raises (killed).
type stepBudget struct {
	left     int64 // instructions left; unlimited when the budget was reset with 0 or less
	limited  bool
	exceeded bool
	closed   <-chan struct{}

	interrupt func() bool
	hook      int64 // instructions left before the next interrupt
	killed    bool
}

func newStepBudget() *stepBudget {
	// A context cancelled at once yields a closed channel without any
	// goroutine.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &stepBudget{closed: ctx.Done()}
}

// reset starts a run with n instructions (no limit when n <= 0) and no
// interrupt.
func (b *stepBudget) reset(n int64) {
	b.left, b.limited = n, n > 0
	b.exceeded, b.killed = false, false
	b.interrupt = nil
	b.hook = HookSteps
}

// Done is polled once per instruction.
func (b *stepBudget) Done() <-chan struct{} {
	if b.killed {
		return b.closed
	}
	if b.limited {
		if b.left <= 0 {
			b.exceeded = true
			return b.closed
		}
		b.left--
	}
	if b.interrupt != nil {
		if b.hook--; b.hook <= 0 {
			b.hook = HookSteps
			if b.interrupt() {
				b.killed = true
				return b.closed
			}
		}
	}
	return nil
}

func (b *stepBudget) Deadline() (deadline time.Time, ok bool) { return time.Time{}, false }

func (b *stepBudget) Err() error {
	if b.exceeded || b.killed {
		return context.Canceled
	}
	return nil
}

func (b *stepBudget) Value(any) any { return nil }
