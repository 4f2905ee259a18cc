package builtin

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/scenarios"
)

// sweepSeeds runs s over seeds [1, n] in parallel groups and returns the
// results in seed order.
func sweepSeeds(t *testing.T, name string, n uint64, set map[string]string) []*scenarios.Result {
	t.Helper()
	s, err := Registry().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*scenarios.Result, n+1)
	// Groups of 25 seeds run in parallel; a short sweep (under -short most
	// are 10 or 20 seeds) is cut in two, so that it uses both cores.
	group := min(25, max(1, (n+1)/2))
	t.Run(name, func(t *testing.T) {
		for first := uint64(1); first <= n; first += group {
			first := first
			t.Run(fmt.Sprintf("seeds=%d", first), func(t *testing.T) {
				t.Parallel()
				for seed := first; seed < first+group && seed <= n; seed++ {
					res, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set})
					if err != nil {
						t.Errorf("seed %d: %v", seed, err)
						continue
					}
					out[seed] = res
				}
			})
		}
	})
	return out[1:]
}

func verdictOf(res *scenarios.Result, check string) checker.Result {
	for _, v := range res.Verdicts {
		if v.Checker == check {
			return v
		}
	}
	return checker.Result{}
}

// linearizable-master must pass for every seed: it guards against false
// positives of the checkers and the node.
func TestLinearizableMasterAlwaysPasses(t *testing.T) {
	n := uint64(200)
	if testing.Short() {
		n = 15
	}
	for _, res := range sweepSeeds(t, "linearizable-master", n, nil) {
		if res != nil && !res.Passed() {
			t.Errorf("seed %d failed: %+v\nreplay: simulate run linearizable-master --seed %d", res.Seed, res.Verdicts, res.Seed)
		}
	}
}

// failover-partition must find lost writes in most seeds, and
// non-linearizable register histories too.
func TestFailoverPartitionLosesWrites(t *testing.T) {
	n := uint64(50)
	if testing.Short() {
		n = 10
	}
	lost, nonlin := 0, 0
	for _, res := range sweepSeeds(t, "failover-partition", n, nil) {
		if res == nil {
			continue
		}
		if v := verdictOf(res, "set"); v.Verdict == checker.Violation && strings.Contains(v.Summary, "lost") {
			lost++
		}
		if verdictOf(res, "linearizable/register").Verdict == checker.Violation {
			nonlin++
		}
		if verdictOf(res, "convergence").Verdict != checker.Ok {
			t.Errorf("seed %d did not converge after the heal: %+v", res.Seed, verdictOf(res, "convergence"))
		}
	}
	t.Logf("failover-partition over %d seeds: lost writes in %d, non-linearizable in %d", n, lost, nonlin)
	if lost < int(n*9/10) || nonlin < int(n/2) {
		t.Fatalf("lost writes in %d of %d seeds, non-linearizable in %d (want lost in >= 90%%, non-linearizable in most)", lost, n, nonlin)
	}
}

// standalone-crash: appendfsync always loses no acknowledged write in any
// seed; no loses writes in (nearly) every seed.
func TestStandaloneCrashByFsyncPolicy(t *testing.T) {
	n := uint64(100)
	if testing.Short() {
		n = 20
	}
	for _, res := range sweepSeeds(t, "standalone-crash", n, map[string]string{"appendfsync": "always"}) {
		if res != nil && !res.Passed() {
			t.Errorf("appendfsync=always seed %d failed: %+v", res.Seed, res.Verdicts)
		}
	}
	failed := 0
	for _, res := range sweepSeeds(t, "standalone-crash", n, map[string]string{"appendfsync": "no"}) {
		if res != nil && !res.Passed() {
			failed++
		}
	}
	t.Logf("appendfsync=no: %d of %d seeds lost acknowledged writes", failed, n)
	if failed < int(n/2) {
		t.Fatalf("appendfsync=no lost writes in only %d of %d seeds", failed, n)
	}
}

func TestExecuteRejectsBadParams(t *testing.T) {
	s, _ := Registry().Lookup("ping")
	for _, set := range []map[string]string{{"duration": "soon"}, {"nodes": "1"}, {"quiet": "1h"}, {"latency": "warp"}} {
		_, err := scenarios.Execute(s, scenarios.Options{Seed: 1, Set: set})
		if _, ok := err.(*scenarios.UsageError); !ok {
			t.Errorf("%v: got %v, want a usage error", set, err)
		}
	}
}
