package realenv

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

const ms = time.Millisecond

// TestTimers: timers fire in due order whatever order they were made in,
// timers due at the same moment fire in the order they were made, none fires
// before it is due, a cancelled timer never fires (even one already due), and
// after Exit no further timer fires, even one due with it. The due times are
// offsets from one reading of the clock (Loop.at), so a stall of the test
// goroutine while it makes them cannot change the order expected.
func TestTimers(t *testing.T) {
	l, log := newLoop(t)
	var order, early []string
	l.Start(func(env sim.Env) sim.Node {
		base := env.Mono()
		at := func(name string, d time.Duration, then func()) sim.Timer {
			due := base + d
			return l.at(due, func() {
				order = append(order, name)
				if now := env.Mono(); now < due {
					early = append(early, fmt.Sprintf("%s at %v, due %v", name, now, due))
				}
				if then != nil {
					then()
				}
			})
		}
		at("30ms", 30*ms, env.Exit)
		at("30ms after Exit", 30*ms, nil)
		at("20ms", 20*ms, nil)
		at("5ms a", 5*ms, nil)
		at("10ms", 10*ms, nil)
		at("5ms b", 5*ms, nil)
		c := at("15ms cancelled", 15*ms, nil)
		at("5ms c", 5*ms, nil)
		at("0 a", 0, nil)
		due := at("0 cancelled", 0, nil) // due already: Mono has passed base
		at("0 b", 0, nil)
		at("5ms d", 5*ms, nil)
		if !env.Cancel(c) || env.Cancel(c) || env.Cancel(sim.Timer{}) {
			t.Error("Cancel of a pending timer, then again, then of the zero Timer: want true, false, false")
		}
		if !env.Cancel(due) {
			t.Error("Cancel of a due timer that has not fired reported false")
		}
		env.Logf("booted %d", 1)
		return nodeFunc(func() {})
	})
	run(t, l)
	want := []string{"0 a", "0 b", "5ms a", "5ms b", "5ms c", "5ms d", "10ms", "20ms", "30ms"}
	if !slices.Equal(order, want) {
		t.Fatalf("order = %q\nwant    %q", order, want)
	}
	if len(early) > 0 {
		t.Fatalf("fired early: %q", early)
	}
	if !bytes.Contains(log.Bytes(), []byte("n1: booted 1")) {
		t.Fatalf("log = %q", log)
	}
}

// TestAfter: the Env's After measures d on Mono from the call, treats a
// negative d as 0 and a d past the clock's range as never.
func TestAfter(t *testing.T) {
	l, _ := newLoop(t)
	var order []time.Duration
	l.Start(func(env sim.Env) sim.Node {
		// Made in order of d, so due in that order however slow the calls.
		for _, d := range []time.Duration{-time.Second, 0, ms, 5 * ms, 5 * ms, 10 * ms} {
			made := env.Mono()
			env.After(d, func() {
				if waited := env.Mono() - made; waited < d {
					t.Errorf("After(%v) fired after %v", d, waited)
				}
				order = append(order, d)
			})
		}
		env.After(math.MaxInt64, func() { t.Error("After(math.MaxInt64) fired") })
		env.After(20*ms, env.Exit)
		return nodeFunc(func() {})
	})
	run(t, l)
	if want := []time.Duration{-time.Second, 0, ms, 5 * ms, 5 * ms, 10 * ms}; !slices.Equal(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

// TestCancelFromEarlierTimer: timers all due by the loop's first turn fire in
// one wake-up; the callback of the first cancels two of them, one due with it
// and one due later, and neither fires. A timer that callback makes fires
// after the ones already due.
func TestCancelFromEarlierTimer(t *testing.T) {
	l, _ := newLoop(t)
	var order []string
	l.Start(func(env sim.Env) sim.Node {
		base := env.Mono()
		var self, tie, later sim.Timer
		self = l.at(base+ms, func() {
			order = append(order, "first")
			if !env.Cancel(tie) || !env.Cancel(later) {
				t.Error("Cancel of a due timer from an earlier one's callback reported false")
			}
			if env.Cancel(self) {
				t.Error("Cancel of the firing timer reported true")
			}
			env.After(0, func() { order = append(order, "made by first"); env.Exit() })
		})
		tie = l.at(base+ms, func() { order = append(order, "tie, cancelled") })
		l.at(base+2*ms, func() { order = append(order, "second") })
		later = l.at(base+2*ms, func() { order = append(order, "later, cancelled") })
		l.at(base+3*ms, func() { order = append(order, "third") })
		for env.Mono() < base+3*ms { // all due before the loop's first turn
			time.Sleep(ms)
		}
		return nodeFunc(func() {})
	})
	run(t, l)
	if want := []string{"first", "second", "third", "made by first"}; !slices.Equal(order, want) {
		t.Fatalf("order = %q, want %q", order, want)
	}
}

// TestTimerMadeWhileWaiting: a timer made while the loop sleeps until a later
// one fires when it is due, not when the later one is.
func TestTimerMadeWhileWaiting(t *testing.T) {
	l, _ := newLoop(t)
	l.Start(func(env sim.Env) sim.Node {
		env.After(time.Hour, func() { t.Error("the hour timer fired") })
		return nodeFunc(func() {})
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	time.Sleep(5 * ms) // let the loop go to sleep on the hour timer
	if !l.post(func() { l.After(5*ms, l.Exit) }) {
		t.Fatal("loop stopped early")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		cancel()
		<-done
		t.Fatal("a 5ms timer made while the loop waited on an hour one did not fire within 2s")
	}
}

// BenchmarkTimers: each op is one timer. "batch" makes b.N timers due within
// a microsecond, in shuffled order, and fires them: the heap's cost. "chain"
// has each timer make the next with After(0): one loop turn per timer.
// "cancel" makes b.N timers and cancels them before they are due.
func BenchmarkTimers(b *testing.B) {
	runBench := func(b *testing.B, prog sim.Program) {
		l, _ := newLoop(b)
		b.ReportAllocs()
		b.ResetTimer()
		if err := l.Start(prog); err != nil {
			b.Fatal(err)
		}
		if err := l.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("batch", func(b *testing.B) {
		n := 0
		runBench(b, func(env sim.Env) sim.Node {
			for i := range b.N {
				env.After(time.Duration(i*7919%1000), func() {
					n++
					if n == b.N {
						env.Exit()
					}
				})
			}
			return nodeFunc(func() {})
		})
	})
	b.Run("chain", func(b *testing.B) {
		n := 0
		runBench(b, func(env sim.Env) sim.Node {
			var step func()
			step = func() {
				n++
				if n == b.N {
					env.Exit()
					return
				}
				env.After(0, step)
			}
			env.After(0, step)
			return nodeFunc(func() {})
		})
	})
	b.Run("cancel", func(b *testing.B) {
		ts := make([]sim.Timer, b.N)
		runBench(b, func(env sim.Env) sim.Node {
			for i := range ts {
				ts[i] = env.After(time.Hour+time.Duration(i*7919%1000), func() {})
			}
			for _, tm := range ts {
				env.Cancel(tm)
			}
			env.Exit()
			return nodeFunc(func() {})
		})
	})
}
