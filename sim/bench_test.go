package sim

import (
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
)

type benchNode struct{}

func (benchNode) Stop() {}

// BenchmarkTimerEvents measures the bare event loop: each op is one timer event
// popped and fired, which re-arms itself, with 1000 timers pending.
func BenchmarkTimerEvents(b *testing.B) {
	w := NewWorld(1)
	h, _ := w.AddHost("n1", HostConfig{})
	var env Env
	p, _ := h.Spawn("p", func(e Env) Node { env = e; return benchNode{} })
	p.Start()
	const pending = 1000
	for i := 0; i < pending; i++ {
		var fn func()
		d := time.Duration(1000+i) * time.Microsecond
		fn = func() { env.After(d, fn) }
		env.After(d, fn)
	}
	w.RunFor(time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		n += w.RunFor(10 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWorldEvents is the loop alone: world-level events that schedule
// their successor, no process and no timer table.
func BenchmarkWorldEvents(b *testing.B) {
	w := NewWorld(1)
	var r Runner
	var fn funcRunner
	fn = func() { w.Schedule(w.Now()+1000, nil, r, 0) }
	r = fn
	for i := 0; i < 1000; i++ {
		w.Schedule(w.Now()+1000+clock.Time(i), nil, r, 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		n += w.RunFor(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
