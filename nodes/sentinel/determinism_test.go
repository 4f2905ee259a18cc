package sentinel

import (
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// failoverRun builds the 3+3 world for seed, crashes the master once the
// sentinels know each other and runs a minute more.
func failoverRun(t testing.TB, seed uint64) *sim.World {
	tw := newWorld(t, worldOpts{seed: seed, replicas: 2, sentinels: 3, quorum: 2})
	tw.w.RunFor(20 * time.Second)
	tw.w.Host("r1").Crash()
	tw.w.RunFor(60 * time.Second)
	tw.w.Host("r1").Restart(0)
	tw.w.RunFor(30 * time.Second)
	return tw.w
}

// TestDeterminism: the same seed gives the same trace, event for event;
// another seed gives another (the sentinels' hz, delays and IDs differ).
func TestDeterminism(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		a, b := failoverRun(t, seed), failoverRun(t, seed)
		if d := sim.FirstDifference(a.Trace(), b.Trace()); d != "" {
			t.Fatalf("seed %d: %s", seed, d)
		}
		if a.Trace().Hash() != b.Trace().Hash() {
			t.Fatalf("seed %d: hashes differ", seed)
		}
		if c := failoverRun(t, seed+100); c.Trace().Hash() == a.Trace().Hash() {
			t.Fatalf("seeds %d and %d give the same trace", seed, seed+100)
		}
	}
}
