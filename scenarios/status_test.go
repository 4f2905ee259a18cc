package scenarios

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/nodes/client"
	"github.com/redsim/redsim/nodes/redis"
	"github.com/redsim/redsim/scenarios/deploy"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
)

// judged is a scenario with no world to speak of whose checks return the
// given outcomes.
func judged(outcomes ...checker.Verdict) *Scenario {
	return &Scenario{
		Name:   "judged",
		Params: []Param{DurationParam("duration", "1s", "")},
		Setup: func(r *Run) (Checks, error) {
			return func(*Run) []checker.Result {
				var out []checker.Result
				for i, o := range outcomes {
					out = append(out, checker.Result{Checker: "c" + strconv.Itoa(i), Verdict: o})
				}
				return out
			}, nil
		},
	}
}

// An undecided check is neither a pass nor a violation; a proven violation
// outranks it.
func TestStatusOfARun(t *testing.T) {
	for _, tc := range []struct {
		outcomes []checker.Verdict
		status   Status
		word     string
	}{
		{[]checker.Verdict{checker.Ok, checker.Ok}, StatusPass, "PASS"},
		{[]checker.Verdict{checker.Ok, checker.Unknown}, StatusUnknown, "UNKNOWN"},
		{[]checker.Verdict{checker.Unknown, checker.Violation, checker.Ok}, StatusFail, "FAIL"},
		{[]checker.Verdict{checker.Violation}, StatusFail, "FAIL"},
	} {
		res, err := Execute(judged(tc.outcomes...), Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status() != tc.status || !strings.HasPrefix(res.StatusLine(), tc.word+" scenario=judged seed=1 hash=") {
			t.Errorf("%v: status %s, line %q; want %s", tc.outcomes, res.Status(), res.StatusLine(), tc.status)
		}
		if res.Passed() != (tc.status == StatusPass) {
			t.Errorf("%v: Passed() = %v", tc.outcomes, res.Passed())
		}
	}
}

// A run that no check judged could never fail: it is refused as bad usage,
// not reported as a pass.
func TestRunWithNoChecksIsRefused(t *testing.T) {
	_, err := Execute(judged(), Options{Seed: 1})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no check judged the run") {
		t.Fatalf("err = %v, want a UsageError saying no check judged the run", err)
	}
}

// A failure of the framework inside the world (here: final reads asked of
// a workload that has none) ends the run with a FrameworkError naming the
// cause, not a panic.
func TestFrameworkFailureInsideTheWorldIsAnError(t *testing.T) {
	s := &Scenario{
		Name:   "broken-final-reads",
		Params: []Param{DurationParam("duration", "2s", "")},
		Setup: func(r *Run) (Checks, error) {
			dep, err := r.Deploy(deploy.Deployment{Shards: []deploy.Shard{{Name: "s", Nodes: RedisNodes(redis.DefaultConfig(), sim.DiskConfig{}, "n1")}}})
			if err != nil {
				return nil, err
			}
			dep.FinalReads("n1", time.Second, client.NewRegister(), r.Fail)
			return func(*Run) []checker.Result { return []checker.Result{{Checker: "never", Verdict: checker.Ok}} }, nil
		},
	}
	_, err := Execute(s, Options{Seed: 1})
	var fe *FrameworkError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FrameworkError", err)
	}
	if strings.Contains(err.Error(), "panicked") || !strings.Contains(err.Error(), "final reads of n1") || !strings.Contains(err.Error(), "has no final reads") {
		t.Fatalf("err = %v, want the cause named without a panic", err)
	}
}

// A schedule action nemesis.Action.Check refuses, and a generated schedule
// whose config nemesis.Config.Check refuses, are bad usage before the run
// starts, whoever built them.
func TestBadScheduleIsUsage(t *testing.T) {
	for _, tc := range []struct {
		setup func(r *Run)
		want  string
	}{
		{func(r *Run) { r.Schedule = append(r.Schedule, nemesis.Action{At: time.Second, Op: nemesis.OpCrash}) }, "schedule action 1 (1.000000s crash"},
		{func(r *Run) {
			r.Schedule = r.Generate(nemesis.Config{Hosts: []string{"n1"}, Interval: time.Nanosecond, End: time.Second, Crashes: true}, r.World.Stream("x"))
		}, "fault interval 1ns: want at least 1ms"},
	} {
		s := judged(checker.Ok)
		inner := s.Setup
		s.Setup = func(r *Run) (Checks, error) {
			checks, err := inner(r)
			tc.setup(r)
			return checks, err
		}
		_, err := Execute(s, Options{Seed: 1})
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want a UsageError with %q", err, tc.want)
		}
	}
}
