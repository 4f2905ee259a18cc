package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
)

var (
	testProbeA = DeclareProbe("test/a", "reached twice by TestProbes")
	testProbeB = DeclareProbe("test/b", "never reached")
)

// A probe's hits are counted per world, the first one is a trace event,
// a dead incarnation's do not count, and every declared probe is listed.
func TestProbes(t *testing.T) {
	w := NewWorld(1)
	w.Trace().Keep(LevelDebug)
	h, _ := w.AddHost("n1", HostConfig{})
	var env Env
	p, _ := h.Spawn("n1", func(e Env) Node { env = e; return &recorder{log: new([]string)} })
	p.Start()
	env.After(time.Second, func() { testProbeA.Reach(env) })
	env.After(2*time.Second, func() { testProbeA.Reach(env) })
	w.RunUntilIdle()
	old := env
	h.Crash()
	testProbeB.Reach(old) // a dead incarnation reaches nothing
	got := w.Probes()
	if len(got) != 1 || got[0] != (ProbeHit{Name: "test/a", Count: 2, First: clock.Time(time.Second)}) {
		t.Fatalf("Probes() = %+v", got)
	}
	var events []string
	for _, ev := range w.Trace().Events {
		if ev.Kind == KindProbe {
			events = append(events, w.Trace().Format(&ev))
		}
	}
	if !slices.Equal(events, []string{"1.000000s probe n1 test/a"}) {
		t.Errorf("probe events %q", events)
	}
	names := []string{}
	for _, d := range DeclaredProbes() {
		names = append(names, d.Name)
	}
	if !slices.Contains(names, "test/a") || !slices.Contains(names, "test/b") || !slices.IsSorted(names) {
		t.Errorf("DeclaredProbes: %v", names)
	}
}

// A probe costs nothing measurable on a node's path.
func BenchmarkProbeReach(b *testing.B) {
	w := NewWorld(1)
	h, _ := w.AddHost("n1", HostConfig{})
	var env Env
	p, _ := h.Spawn("n1", func(e Env) Node { env = e; return &recorder{log: new([]string)} })
	p.Start()
	for b.Loop() {
		testProbeA.Reach(env)
	}
}
