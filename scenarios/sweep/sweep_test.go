package sweep

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/builtin"
	"github.com/redsim/redsim/sim"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a tiny scenario whose check fails for odd seeds and which panics
// for the seeds in panics.
func fake(panics ...uint64) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "odd-fails",
		Params: []scenarios.Param{scenarios.DurationParam("duration", "1s", "")},
		Setup: func(r *scenarios.Run) (scenarios.Checks, error) {
			for _, p := range panics {
				if r.Seed == p {
					r.World.At(clock.Time(500*time.Millisecond), func() { panic("boom") })
				}
			}
			r.World.At(clock.Time(100*time.Millisecond), func() { r.World.Note(sim.LevelInfo, "tick") })
			return func(r *scenarios.Run) []checker.Result {
				if r.Seed%2 == 1 {
					return []checker.Result{{Checker: "parity", Verdict: checker.Violation, Summary: "odd seed"}}
				}
				return []checker.Result{{Checker: "parity", Verdict: checker.Ok, Summary: "even seed"}}
			}, nil
		},
	}
}

func seedRange(lo, hi uint64) []uint64 {
	var out []uint64
	for s := lo; s <= hi; s++ {
		out = append(out, s)
	}
	return out
}

func TestRunReportsEverySeedInOrder(t *testing.T) {
	seeds := seedRange(1, 40)
	var got []uint64
	sum, err := Run(context.Background(), Config{
		Scenario: fake(), Seeds: seeds, Jobs: 4,
		OnResult: func(e Entry) { got = append(got, e.Seed) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(seeds) {
		t.Fatalf("OnResult saw %d seeds, want %d", len(got), len(seeds))
	}
	for i := range seeds {
		if got[i] != seeds[i] || sum.Entries[i].Seed != seeds[i] {
			t.Fatalf("position %d: OnResult saw seed %d, Entries hold %d; want %d", i, got[i], sum.Entries[i].Seed, seeds[i])
		}
		want := Pass
		if seeds[i]%2 == 1 {
			want = Fail
		}
		if s := sum.Entries[i].Status(); s != want {
			t.Errorf("seed %d: %s, want %s", seeds[i], s, want)
		}
	}
	if sum.Passed != 20 || sum.Failed != 20 || sum.Errored != 0 || len(sum.Skipped) != 0 || sum.OK() {
		t.Errorf("counts: %+v", sum)
	}
}

func TestJobsDoNotChangeHashes(t *testing.T) {
	ping, err := builtin.Registry().Lookup("ping")
	if err != nil {
		t.Fatal(err)
	}
	hashes := func(jobs int) []string {
		sum, err := Run(context.Background(), Config{Scenario: ping, Seeds: seedRange(1, 6), Jobs: jobs, Set: map[string]string{"duration": "5s", "quiet": "2s"}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range sum.Entries {
			out = append(out, e.Result.Hash)
		}
		return out
	}
	one, three := hashes(1), hashes(3)
	if strings.Join(one, " ") != strings.Join(three, " ") {
		t.Fatalf("--jobs 1 gave %v, --jobs 3 gave %v", one, three)
	}
	if one[0] == one[1] {
		t.Fatalf("seeds 1 and 2 have the same hash %s", one[0])
	}
}

func TestFailFastSkipsPendingSeeds(t *testing.T) {
	seeds := seedRange(2, 201) // seed 3, the second, fails first
	sum, err := Run(context.Background(), Config{Scenario: fake(), Seeds: seeds, Jobs: 2, FailFast: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Skipped) == 0 || len(sum.Entries) > 1+runAhead*2+2 {
		t.Fatalf("ran %d seeds, skipped %d: --fail-fast did not stop the sweep", len(sum.Entries), len(sum.Skipped))
	}
	if len(sum.Entries)+len(sum.Skipped) != len(seeds) {
		t.Fatalf("ran %d + skipped %d != %d seeds", len(sum.Entries), len(sum.Skipped), len(seeds))
	}
	for i, e := range sum.Entries {
		if e.Seed != seeds[i] {
			t.Fatalf("entries are not a prefix of the seeds: %d at %d", e.Seed, i)
		}
	}
	if sum.Skipped[0] != seeds[len(sum.Entries)] || sum.Failed == 0 || sum.OK() {
		t.Errorf("summary %+v", sum)
	}
}

func TestPanicIsReportedForItsSeedOnly(t *testing.T) {
	sum, err := Run(context.Background(), Config{Scenario: fake(4), Seeds: seedRange(1, 8), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Entries) != 8 || sum.Errored != 1 || sum.Passed != 3 || sum.Failed != 4 {
		t.Fatalf("counts: %d entries, %d passed, %d failed, %d errored", len(sum.Entries), sum.Passed, sum.Failed, sum.Errored)
	}
	e := sum.Entries[3]
	var fe *scenarios.FrameworkError
	if e.Seed != 4 || e.Status() != Errored || !errors.As(e.Err, &fe) || !strings.Contains(e.Err.Error(), "seed 4 panicked") {
		t.Fatalf("seed 4: %+v", e)
	}
}

func TestUsageErrorStopsTheSweep(t *testing.T) {
	sum, err := Run(context.Background(), Config{Scenario: fake(), Seeds: seedRange(1, 100), Jobs: 2, Set: map[string]string{"bogus": "1"}})
	var ue *scenarios.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `parameter "bogus" is unknown`) {
		t.Fatalf("got %v, want the usage error", err)
	}
	if len(sum.Entries) != 0 || len(sum.Skipped) < 90 {
		t.Fatalf("ran %d, skipped %d", len(sum.Entries), len(sum.Skipped))
	}
}

func TestCancelledContextStopsTheSweep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := Run(ctx, Config{Scenario: fake(), Seeds: seedRange(1, 100), Jobs: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if len(sum.Skipped) < 90 || len(sum.Entries)+len(sum.Skipped) != 100 {
		t.Fatalf("ran %d, skipped %d", len(sum.Entries), len(sum.Skipped))
	}
}

func TestEmptySeedListIsAnEmptySweep(t *testing.T) {
	sum, err := Run(context.Background(), Config{Scenario: fake()})
	if err != nil || len(sum.Entries) != 0 || !sum.OK() {
		t.Fatalf("%+v, %v", sum, err)
	}
	if _, err := Run(context.Background(), Config{Seeds: []uint64{1}}); err == nil {
		t.Fatal("nil scenario: no error")
	}
	if _, err := Run(context.Background(), Config{Scenario: fake(), Seeds: []uint64{1}, Jobs: -1}); err == nil || !strings.Contains(err.Error(), "--jobs -1") {
		t.Fatalf("negative jobs: %v", err)
	}
}

// A panic in OnResult is the caller's bug: it propagates, and no worker is
// left behind (goleak checks).
func TestPanicInOnResultLeavesNoWorkers(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Run(context.Background(), Config{Scenario: fake(), Seeds: seedRange(1, 50), Jobs: 2, OnResult: func(e Entry) {
		if e.Seed == 3 {
			panic("caller bug")
		}
	}})
}

// CheckDeterminism runs each seed twice: a scenario that leaks state from
// one run into the next is a framework error naming the seed, and a
// deterministic one passes.
func TestCheckDeterminism(t *testing.T) {
	calls := 0
	leaky := &scenarios.Scenario{
		Name:   "leaky",
		Source: "files/leaky.toml",
		Params: []scenarios.Param{scenarios.DurationParam("duration", "1s", "")},
		Setup: func(r *scenarios.Run) (scenarios.Checks, error) {
			calls++
			at := clock.Time(100*time.Millisecond + time.Duration(calls)*time.Millisecond)
			r.World.At(at, func() { r.World.Note(sim.LevelInfo, "tick") })
			return func(*scenarios.Run) []checker.Result {
				return []checker.Result{{Checker: "nothing", Verdict: checker.Ok}}
			}, nil
		},
	}
	sum, err := Run(context.Background(), Config{Scenario: leaky, Seeds: []uint64{4}, Jobs: 1, CheckDeterminism: true, Set: map[string]string{"duration": "2s"}})
	if err != nil {
		t.Fatal(err)
	}
	// The command it names runs the same world: the file, not the name,
	// with the sweep's --set values.
	if e := sum.Entries[0]; e.Status() != Errored || !strings.Contains(e.Err.Error(), "seed 4 is not deterministic") ||
		!strings.Contains(e.Err.Error(), "`simulate run files/leaky.toml --seed 4 --set duration=2s --check-determinism` names") {
		t.Fatalf("leaky scenario: status %v, err %v", e.Status(), e.Err)
	}
	if calls != 2 {
		t.Errorf("the seed ran %d times, want 2", calls)
	}
	ping, err := builtin.Registry().Lookup("ping")
	if err != nil {
		t.Fatal(err)
	}
	sum, err = Run(context.Background(), Config{Scenario: ping, Seeds: []uint64{1, 2}, Jobs: 2, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sum.Entries {
		if e.Status() != Pass {
			t.Errorf("ping seed %d: %v %v", e.Seed, e.Status(), e.Err)
		}
	}
}

// KeepReport decides which results reach OnResult whole: the others come
// slim, without the history and observations only reports read, and with
// the same hash and verdicts.
func TestKeepReportSlimsTheOthers(t *testing.T) {
	s, err := builtin.Registry().Lookup("failover-partition")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]string{"duration": "12s", "partition-at": "2s", "promote-after": "1s", "heal-at": "5s", "clients": "1"}
	whole := map[uint64]*scenarios.Result{}
	if _, err := Run(context.Background(), Config{Scenario: s, Seeds: seedRange(1, 2), Set: set, Jobs: 2,
		OnResult: func(e Entry) { whole[e.Seed] = e.Result }}); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]*scenarios.Result{}
	var asked atomic.Int32
	if _, err := Run(context.Background(), Config{Scenario: s, Seeds: seedRange(1, 2), Set: set, Jobs: 2,
		OnResult:   func(e Entry) { got[e.Seed] = e.Result },
		KeepReport: func(r *scenarios.Result) bool { asked.Add(1); return r.Seed == 1 }}); err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("KeepReport was asked %d times for 2 seeds", n)
	}
	for seed, r := range got {
		w := whole[seed]
		if r.Hash != w.Hash || r.Status() != w.Status() || len(r.Verdicts) != len(w.Verdicts) || r.Verdicts[0].Summary != w.Verdicts[0].Summary {
			t.Errorf("seed %d: %s %s, want %s %s", seed, r.Hash, r.Status(), w.Hash, w.Status())
		}
		if len(w.History) == 0 || len(w.Observations.Roles) == 0 {
			t.Fatalf("seed %d without KeepReport: %d operations, %d role samples", seed, len(w.History), len(w.Observations.Roles))
		}
	}
	if r := got[1]; len(r.History) != len(whole[1].History) || len(r.Observations.Roles) == 0 {
		t.Errorf("kept seed 1: %d operations, %d role samples; want %d operations", len(r.History), len(r.Observations.Roles), len(whole[1].History))
	}
	if r := got[2]; r.History != nil || r.Observations.Roles != nil {
		t.Errorf("slim seed 2 kept %d operations, %d role samples", len(r.History), len(r.Observations.Roles))
	}
}
