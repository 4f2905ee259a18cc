package shrink

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/file"
	"github.com/redsim/redsim/scenarios/nemesis"
)

// A fault and the action that ends it are one unit; the final heal-all is
// fixed.
func TestUnits(t *testing.T) {
	s := time.Second
	sched := []nemesis.Action{
		{At: 1 * s, Op: nemesis.OpPartition, Shape: nemesis.ShapeIsolate, Groups: [][]string{{"n1"}}},
		{At: 2 * s, Op: nemesis.OpCrash, Target: "n2"},
		{At: 2 * s, Op: nemesis.OpClockDrift, Target: "n3", PPM: 200},
		{At: 3 * s, Op: nemesis.OpHeal},
		{At: 4 * s, Op: nemesis.OpRestart, Target: "n2"},
		{At: 5 * s, Op: nemesis.OpPromote, Target: "n3"},
		{At: 6 * s, Op: nemesis.OpPause, Target: "n1"},
		{At: 7 * s, Op: nemesis.OpClockDrift, Target: "n3"},
		{At: 9 * s, Op: nemesis.OpHealAll},
	}
	var got []string
	for _, u := range units(sched) {
		var as []string
		for _, a := range u.actions {
			as = append(as, string(a.Op))
		}
		mark := ""
		if u.fixed {
			mark = " (fixed)"
		}
		got = append(got, strings.Join(as, "+")+mark)
	}
	want := "partition+heal, crash+restart, clock-drift+clock-drift, promote, pause, heal-all (fixed)"
	if strings.Join(got, ", ") != want {
		t.Fatalf("units\n got %s\nwant %s", strings.Join(got, ", "), want)
	}
}

// The acceptance: failover-partition seed 1 shrinks to at most 3
// nemesis actions and at most 2 clients per side (clients=1: one set and
// one register client), and the file it makes fails the same check.
func TestShrinkFailoverPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("about 20 runs of failover-partition")
	}
	o := shrinkBuiltin(t, "failover-partition", nil)
	if n := len(o.Best.Schedule); n > 3 {
		t.Fatalf("%d actions left: %v", n, o.Best.Schedule)
	}
	if o.Best.Params["clients"] != "1" {
		t.Fatalf("clients=%s, want 1 (two per side)", o.Best.Params["clients"])
	}
	if o.Best.Duration >= o.Original.Duration || len(o.Best.History) >= len(o.Original.History)/2 {
		t.Fatalf("not smaller: %s", o.Summary())
	}
}

// standalone-crash with appendfsync=no loses writes at a crash: one crash
// is enough.
func TestShrinkStandaloneCrashToOneCrash(t *testing.T) {
	o := shrinkBuiltin(t, "standalone-crash", map[string]string{"appendfsync": "no"})
	crashes := 0
	for _, a := range o.Best.Schedule {
		if a.Op == nemesis.OpCrash {
			crashes++
		}
	}
	if crashes != 1 {
		t.Fatalf("%d crashes left: %v", crashes, o.Best.Schedule)
	}
	if o.Set["appendfsync"] != "no" {
		t.Fatalf("the shrunk run lost the original's --set: %v", o.Set)
	}
}

// shrinkBuiltin shrinks seed 1 of a built-in, then runs the file it
// writes, derived from the built-in, and checks it is the same failing
// world.
func shrinkBuiltin(t *testing.T, name string, set map[string]string) *Outcome {
	t.Helper()
	reg := registry()
	s, err := reg.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Shrink(Config{Scenario: s, Seed: 1, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	if o.Check != "set" || !violates(o.Best, "set") || o.Stopped {
		t.Fatalf("check %q, best verdicts %+v, stopped %v", o.Check, o.Best.Verdicts, o.Stopped)
	}
	src := o.File(name+"-shrunk", name, []string{"test"})
	fs, err := file.ParseWith(t.TempDir()+"/shrunk.toml", src, reg.Lookup)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	res, err := scenarios.Execute(fs, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Hash != o.Best.Hash || !violates(res, "set") {
		t.Fatalf("the file ran hash %s (status %s), the shrunk run %s\n%s", res.Hash, res.Status(), o.Best.Hash, src)
	}
	t.Logf("%s in %d runs", o.Summary(), o.Runs)
	return o
}

func TestShrinkRefusesAPassingRun(t *testing.T) {
	s, err := registry().Lookup("ping")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Shrink(Config{Scenario: s, Seed: 1})
	if !errors.Is(err, ErrPasses) {
		t.Fatalf("got %v", err)
	}
	s, _ = registry().Lookup("standalone-crash")
	_, err = Shrink(Config{Scenario: s, Seed: 1, Set: map[string]string{"appendfsync": "no"}, Check: "liveness"})
	if err == nil || !strings.Contains(err.Error(), `does not fail the check "liveness"`) {
		t.Fatalf("got %v", err)
	}
}

// The budget stops the search with the best run so far, which still fails.
func TestShrinkBudget(t *testing.T) {
	s, _ := registry().Lookup("standalone-crash")
	o, err := Shrink(Config{Scenario: s, Seed: 1, Set: map[string]string{"appendfsync": "no"}, MaxRuns: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Stopped || o.Runs != 3 || !violates(o.Best, o.Check) {
		t.Fatalf("stopped %v runs %d best %s", o.Stopped, o.Runs, o.Best.Status())
	}
}
