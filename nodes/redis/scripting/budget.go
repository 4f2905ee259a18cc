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
type stepBudget struct {
	left     int64
	exceeded bool
	closed   <-chan struct{}
}

func newStepBudget() *stepBudget {
	// A context cancelled at once yields a closed channel without any
	// goroutine.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &stepBudget{closed: ctx.Done()}
}

func (b *stepBudget) reset(n int64) {
	b.left = n
	b.exceeded = false
}

// Done is polled once per instruction.
func (b *stepBudget) Done() <-chan struct{} {
	if b.left > 0 {
		b.left--
		return nil
	}
	b.exceeded = true
	return b.closed
}

func (b *stepBudget) Deadline() (deadline time.Time, ok bool) { return time.Time{}, false }

func (b *stepBudget) Err() error {
	if b.exceeded {
		return context.Canceled
	}
	return nil
}

func (b *stepBudget) Value(any) any { return nil }
