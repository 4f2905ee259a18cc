package builtin

import (
	"slices"
	"testing"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// TestPingIsDeterministic is the kernel's promise: the same seed gives the same
// trace, event for event, under every kind of fault.
func TestPingIsDeterministic(t *testing.T) {
	t.Parallel() // worlds of its own
	s, err := Registry().Lookup("ping")
	if err != nil {
		t.Fatal(err)
	}
	seeds := uint64(300)
	if testing.Short() {
		seeds = 50
	}
	for seed := uint64(1); seed <= seeds; seed++ {
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
			t.Errorf("seed %d failed: %+v", seed, a.Verdicts)
		}
	}
}

// TestPingLatencyShapes runs the other latency shapes for a few seeds each.
func TestPingLatencyShapes(t *testing.T) {
	s, _ := Registry().Lookup("ping")
	for _, lat := range []string{"uniform", "fixed"} {
		for seed := uint64(1); seed <= 20; seed++ {
			set := map[string]string{"latency": lat}
			a, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			b, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			if a.Hash != b.Hash || !a.Passed() {
				t.Fatalf("latency=%s seed %d: hashes %s %s, verdicts %+v", lat, seed, a.Hash, b.Hash, a.Verdicts)
			}
		}
	}
}

func TestDifferentSeedsDiffer(t *testing.T) {
	s, _ := Registry().Lookup("ping")
	seen := map[string]uint64{}
	for seed := uint64(1); seed <= 100; seed++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[res.Hash]; dup {
			t.Fatalf("seeds %d and %d gave the same hash %s", other, seed, res.Hash)
		}
		seen[res.Hash] = seed
	}
}

// TestPingExercisesEveryFault makes sure the determinism test is not proving
// determinism of a quiet world: across seeds the schedule holds every fault
// and the trace shows their effects.
func TestPingExercisesEveryFault(t *testing.T) {
	s, _ := Registry().Lookup("ping")
	ops := map[nemesis.Op]bool{}
	kinds := map[sim.Kind]int{}
	for seed := uint64(1); seed <= 20; seed++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Prepare: func(w *sim.World) { w.Trace().Keep(sim.LevelDebug) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Schedule {
			ops[a.Op] = true
		}
	}
	// One more run to look at the trace's kinds.
	var tr *sim.Trace
	for seed := uint64(1); seed <= 5; seed++ {
		if _, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Prepare: func(w *sim.World) { w.Trace().Keep(sim.LevelDebug); tr = w.Trace() }}); err != nil {
			t.Fatal(err)
		}
		for _, ev := range tr.Events {
			kinds[ev.Kind]++
		}
	}
	for _, op := range []nemesis.Op{nemesis.OpPartition, nemesis.OpHeal, nemesis.OpCrash, nemesis.OpRestart, nemesis.OpPause, nemesis.OpResume, nemesis.OpClockJump, nemesis.OpClockDrift, nemesis.OpClockStrobe, nemesis.OpDiskFsync, nemesis.OpDiskFull, nemesis.OpDiskOK, nemesis.OpClog, nemesis.OpUnclog, nemesis.OpReset, nemesis.OpSlow, nemesis.OpHealAll} {
		if !ops[op] {
			t.Errorf("no schedule in 20 seeds holds %s", op)
		}
	}
	for _, k := range []sim.Kind{sim.KindDeliver, sim.KindTimer, sim.KindCrash, sim.KindPause, sim.KindResume, sim.KindReset, sim.KindDialTimeout, sim.KindRefused, sim.KindSync} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in 5 seeds", k)
		}
	}
}

// safeBuiltins are the scenarios that must pass every seed; `make soak`
// sweeps each over 1,000 seeds.
var safeBuiltins = []string{"ping", "replication", "linearizable-master", "wait-failover", "min-replicas",
	"redlock-quiet", "redlock-holder-crash", "redlock-slow-network"}

// Every must-pass built-in, mixed workloads and all, gives the same trace
// when a seed runs twice in one process (internal/golden checks the same
// across processes and builds).
func TestSafeBuiltinsAreDeterministic(t *testing.T) {
	for _, name := range safeBuiltins {
		s, err := Registry().Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			seeds := uint64(3)
			if testing.Short() {
				// The inner loop's budget: the golden test runs these
				// scenarios' seeds across processes too.
				seeds = 2
			}
			for seed := uint64(1); seed <= seeds; seed++ {
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
					t.Errorf("seed %d: %s\n%+v", seed, a.StatusLine(), a.Verdicts)
				}
				checkPlan(t, s, scenarios.Options{Seed: seed}, a)
			}
		})
	}
}

// With swarm=on the scenarios with a generated schedule draw a fault
// profile per seed: the runs still pass, stay deterministic, record the
// profile, and two seeds' profiles differ.
func TestSwarmProfilesRun(t *testing.T) {
	names := []string{"ping", "replication", "linearizable-master", "standalone-crash"}
	if testing.Short() {
		names = []string{"ping", "standalone-crash"}
	}
	for _, name := range names {
		s, err := Registry().Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]string{"swarm": "on"}
		if name == "standalone-crash" {
			set["appendfsync"] = "always"
		}
		profiles := map[string]bool{}
		for seed := uint64(1); seed <= 2; seed++ {
			a, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			b, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, s, scenarios.Options{Seed: seed, Set: set}, a)
			if a.Hash != b.Hash || a.Profile == nil || a.Params["swarm"] != "on" {
				t.Fatalf("%s seed %d: hashes %s %s, profile %v, params %v", name, seed, a.Hash, b.Hash, a.Profile, a.Params)
			}
			if !a.Passed() {
				t.Errorf("%s seed %d with swarm=on: %s\n%+v", name, seed, a.StatusLine(), a.Verdicts)
			}
			profiles[a.Profile.String()] = true
			if !slices.Contains(a.Facts, a.Profile.String()) {
				t.Errorf("%s seed %d: the profile is not among the facts the report shows: %q", name, seed, a.Facts)
			}
		}
		if len(profiles) != 2 {
			t.Errorf("%s: seeds 1 and 2 drew the same profile", name)
		}
	}
}
