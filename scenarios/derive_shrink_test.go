package scenarios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// An explicit schedule's heal-all may start the quiet period, or come
// before it, but not after it starts: the checks would judge faults still
// unhealed (before, shrink moved the duration below a heal-all that stayed
// put, and a heal-all anywhere in the quiet period was accepted).
func TestDeriveHealAllAfterTheQuietPeriodStarts(t *testing.T) {
	base, err := builtin.Registry().Lookup("standalone-crash") // duration 30s, quiet 8s
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		want string // "" when it runs
	}{
		{21 * time.Second, ""},
		{22 * time.Second, ""},
		{22*time.Second + time.Millisecond, "comes inside the quiet period (from 22s: duration 30s minus quiet 8s)"},
	} {
		schedule := []nemesis.Action{{At: 10 * time.Second, Op: nemesis.OpCrash, Target: "n1"}, {At: tc.at, Op: nemesis.OpHealAll}}
		d, err := scenarios.Derive(base, scenarios.Derivation{Schedule: schedule, Explicit: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = scenarios.Execute(d, scenarios.Options{Seed: 1, PlanOnly: true})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("heal-all at %v: got %v, want %q", tc.at, err, tc.want)
		}
	}
}

// Every built-in's own schedule is one an explicit derivation accepts: what
// shrink starts from, a run of the built-in with its own schedule, passes
// the stricter times.
func TestDeriveAcceptsEveryBuiltinsOwnSchedule(t *testing.T) {
	for _, s := range builtin.Registry().List() {
		for seed := uint64(1); seed <= 3; seed++ {
			for _, set := range []map[string]string{nil, {"swarm": "on"}} {
				plan, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set, PlanOnly: true})
				if err != nil {
					t.Fatalf("%s seed %d %v: %v", s.Name, seed, set, err)
				}
				d, err := scenarios.Derive(s, scenarios.Derivation{Schedule: plan.Schedule, Explicit: true})
				if err != nil {
					t.Fatalf("%s seed %d %v: %v", s.Name, seed, set, err)
				}
				if _, err := scenarios.Execute(d, scenarios.Options{Seed: seed, Set: set, PlanOnly: true}); err != nil {
					t.Errorf("%s seed %d %v, its own schedule made explicit: %v", s.Name, seed, set, err)
				}
			}
		}
	}
}
