package shrink

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
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
	sameFailure(t, o.Original, o.Best)
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

// sameFailure fails unless shrunk fails no check that orig passed: a
// smaller run that fails another check too shows another failure (before,
// failover-partition seed 1 shrank to its promote alone, which also
// failed convergence, 1816 divergent elements against the original's 0).
func sameFailure(t *testing.T, orig, shrunk *scenarios.Result) {
	t.Helper()
	for _, name := range violated(shrunk) {
		if !slices.Contains(violated(orig), name) {
			t.Fatalf("the shrunk run fails %q, which the original passed: original fails %v, shrunk %v", name, violated(orig), violated(shrunk))
		}
	}
}

// A swarm run shrinks to a file without swarm: its schedule is explicit,
// and a profile would change nothing but the report's facts (before, the
// file kept swarm = "on" and its report showed a profile).
func TestShrinkLeavesSwarmOut(t *testing.T) {
	o := shrinkBuiltin(t, "standalone-crash", map[string]string{"appendfsync": "no", "swarm": "on"})
	if _, ok := o.Set["swarm"]; ok || o.Best.Profile != nil || o.Original.Profile == nil {
		t.Fatalf("set %v, best profile %v, original profile %v", o.Set, o.Best.Profile, o.Original.Profile)
	}
}

// A shorter run keeps its final heal-all at the start of the quiet
// period: the heal-all moves with the end (before, the duration shrank
// from 30 s to 20 s while the heal-all stayed at 22 s, inside the quiet
// period that started at 12 s).
func TestShrinkDurationMovesTheHealAll(t *testing.T) {
	o := shrinkBuiltin(t, "standalone-crash", map[string]string{"appendfsync": "no"})
	quiet, _ := time.ParseDuration(o.Best.Params["quiet"])
	last := o.Best.Schedule[len(o.Best.Schedule)-1]
	if o.Best.Duration >= o.Original.Duration || last.Op != nemesis.OpHealAll || last.At != o.Best.Duration-quiet {
		t.Fatalf("duration %v -> %v, quiet %v, last action %s; want a shorter run whose heal-all starts the quiet period", o.Original.Duration, o.Best.Duration, quiet, last)
	}
}

// No candidate runs twice: ddmin's complements of two chunks are the
// chunks themselves, and its last "keep 0 of 1" may be the first round's
// "no actions" (before, standalone-crash ran several schedules twice).
func TestShrinkRunsNoCandidateTwice(t *testing.T) {
	s, _ := registry().Lookup("standalone-crash")
	seen := map[string]int{}
	exec := func(s *scenarios.Scenario, opts scenarios.Options) (*scenarios.Result, error) {
		res, err := scenarios.Execute(s, opts)
		if err == nil {
			seen[res.Hash]++
		}
		return res, err
	}
	o, err := shrink(Config{Scenario: s, Seed: 1, Set: map[string]string{"appendfsync": "no"}}, exec)
	if err != nil {
		t.Fatal(err)
	}
	for hash, n := range seen {
		if n > 1 {
			t.Errorf("a run with hash %s ran %d times", hash, n)
		}
	}
	if len(seen) != o.Runs {
		t.Errorf("%d runs counted, %d distinct", o.Runs, len(seen))
	}
}

// With a planted bug, a smaller run that fails without the bug is not
// kept: without the bug the shrunk run passes every check the original
// passed without it (before, sentinel-crash seed 31 with
// sentinel-vote-not-persisted shrank to a run that failed failover-time
// without the bug, and wait-failover seed 1 with wait-ignores-ack-offset
// to one that lost WAIT-confirmed writes without it).
func TestShrinkControlsPlantedBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("about 100 runs of sentinel-crash")
	}
	const bug = "sentinel-vote-not-persisted"
	if err := bugs.Enable(bug); err != nil {
		t.Fatal(err)
	}
	defer bugs.DisableAll()
	unplanted := func(run func()) {
		bugs.DisableAll()
		defer bugs.Enable(bug)
		run()
	}
	s, _ := registry().Lookup("sentinel-crash")
	var controls, dropped int
	progress := func(p Progress) {
		if p.Control && p.Step != "original" {
			controls++
			if !p.Kept {
				dropped++
			}
		}
	}
	o, err := Shrink(Config{Scenario: s, Seed: 31, Unplanted: unplanted, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if o.FailsUnplanted || o.Controls != controls+1 || dropped == 0 {
		t.Fatalf("fails unplanted %v, %d controls (%d reported, %d dropped a candidate)", o.FailsUnplanted, o.Controls, controls, dropped)
	}
	sameFailure(t, o.Original, o.Best)
	var orig, res *scenarios.Result
	d, err := scenarios.Derive(s, scenarios.Derivation{Set: o.Set, Schedule: o.Schedule, Explicit: true})
	if err != nil {
		t.Fatal(err)
	}
	unplanted(func() {
		if orig, err = scenarios.Execute(s, scenarios.Options{Seed: 31}); err == nil {
			res, err = scenarios.Execute(d, scenarios.Options{Seed: 31})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	sameFailure(t, orig, res)
	if violates(res, o.Check) {
		t.Fatalf("the shrunk run fails %q without the bug", o.Check)
	}
	t.Logf("%s in %d runs, %d of them controls", o.Summary(), o.Runs, o.Controls)
}

// An original that fails the check without the bug has no control runs.
func TestShrinkWithoutControlWhenTheBugIsNotNeeded(t *testing.T) {
	unplanted := func(run func()) { run() } // a bug that changes nothing
	s, _ := registry().Lookup("standalone-crash")
	o, err := Shrink(Config{Scenario: s, Seed: 1, Set: map[string]string{"appendfsync": "no"}, Unplanted: unplanted})
	if err != nil {
		t.Fatal(err)
	}
	if !o.FailsUnplanted || o.Controls != 1 {
		t.Fatalf("fails unplanted %v, %d controls; want true and only the original's", o.FailsUnplanted, o.Controls)
	}
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
	for check, want := range map[string]string{
		// Before, an unknown name was "not failed", and the verdicts
		// were printed as control bytes (string of a number).
		"liveness":             `has no check named "liveness"; its checks are set, liveness/per-process`,
		"liveness/per-process": `does not fail the check "liveness/per-process"; its checks: set violation, liveness/per-process ok`,
	} {
		_, err = Shrink(Config{Scenario: s, Seed: 1, Set: map[string]string{"appendfsync": "no"}, Check: check})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--check %s: got %v, want %s", check, err, want)
		}
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
