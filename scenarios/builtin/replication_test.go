package builtin

import (
	"fmt"
	"testing"

	"github.com/redsim/redsim/scenarios"
)

// TestReplicationConverges is issue 4's randomized test: for 300 seeds, a
// master and two replicas under random partitions, link resets, crashes
// with restarts, pauses and clock jumps; after the final heal and the quiet
// period every replica's DEBUG DIGEST equals the master's. Each seed runs
// twice and must give the same trace hash.
func TestReplicationConverges(t *testing.T) {
	s, err := Registry().Lookup("replication")
	if err != nil {
		t.Fatal(err)
	}
	seeds := uint64(300)
	if testing.Short() {
		seeds = 40
	}
	const group = 25
	for first := uint64(1); first <= seeds; first += group {
		first := first
		t.Run(fmt.Sprintf("seeds=%d-%d", first, first+group-1), func(t *testing.T) {
			t.Parallel()
			for seed := first; seed < first+group && seed <= seeds; seed++ {
				a, err := scenarios.Execute(s, scenarios.Options{Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				b, err := scenarios.Execute(s, scenarios.Options{Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				if a.Hash != b.Hash || a.Events != b.Events {
					t.Fatalf("seed %d: hash %s (%d events) then %s (%d events)", seed, a.Hash, a.Events, b.Hash, b.Events)
				}
				if !a.Passed() {
					t.Errorf("seed %d failed: %+v\nreplay: simulate run replication --seed %d", seed, a.Verdicts, seed)
				}
			}
		})
	}
}
