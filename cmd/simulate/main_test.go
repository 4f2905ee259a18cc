package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/sim"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), args, &out, &errOut, func(string) string { return "" })
	return code, out.String(), errOut.String()
}

var statusLine = regexp.MustCompile(`(?m)^PASS scenario=ping seed=7 hash=([0-9a-f]{16})\n\z`)

func TestRunPingEndsWithStatusLine(t *testing.T) {
	code, out, _ := run(t, "run", "ping", "--seed", "7")
	m := statusLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	for _, want := range []string{"scenario ping, seed 7", "checks:", "fifo", "durability", "liveness"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	_, again, _ := run(t, "run", "ping", "--seed", "7")
	if again != out {
		t.Fatalf("same command, different output:\n%s\n---\n%s", out, again)
	}
	_, other, _ := run(t, "run", "ping", "--seed", "8")
	if strings.Contains(other, m[1]) {
		t.Fatal("seed 8 printed seed 7's hash")
	}
}

func TestRunTracePrintsEvents(t *testing.T) {
	_, out, _ := run(t, "run", "ping", "--seed", "7", "--duration", "2s", "--set", "quiet=1s", "--trace")
	for _, want := range []string{"0.000000s start n1 incarnation=1", " deliver ", " timer ", " dial "} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	_, faults, _ := run(t, "run", "ping", "--seed", "7", "--trace", "--trace-level", "fault")
	if strings.Contains(faults, " deliver ") || !strings.Contains(faults, " fault ") {
		t.Error("--trace-level fault printed deliveries or no faults")
	}
}

func TestCheckDeterminism(t *testing.T) {
	code, out, _ := run(t, "run", "ping", "--seed", "3", "--check-determinism")
	if code != 0 || !strings.Contains(out, "determinism: two more runs gave the same") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestExitStatuses(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "nosuch"}, 2, `scenario "nosuch" is unknown`},
		{[]string{"run", "ping", "--set", "nodes=0"}, 2, `nodes="0"`},
		{[]string{"run", "ping", "--set", "bogus"}, 2, `want key=value`},
		{[]string{"run", "ping", "--trace-level", "loud"}, 2, `--trace-level "loud" is unknown`},
		{[]string{"run", "ping", "--seed", "x"}, 2, `invalid argument "x"`},
		{[]string{"run", "ping", "--seed", "-1"}, 2, `invalid argument "-1" for "--seed" flag: a seed is a whole number from 0 to 18446744073709551615`},
		{[]string{"run", "ping", "--set", "duration=10s", "--duration", "20s"}, 2, `--duration 20s and --set duration=10s disagree; give one of them`},
		{[]string{"run", "testdata/no-checks.toml"}, 2, `testdata/no-checks.toml:5: every check is off`},
		{[]string{"run", "testdata/no-clients.toml"}, 4, ``},
		{[]string{"run"}, 2, "accepts 1 arg"},
		// Found by a review of bad input: each hung, panicked, lost
		// results or exited with the wrong status.
		{[]string{"run", "ping", "--set", "fault-interval=1ns"}, 2, "scenario ping: fault interval 1ns: want at least 1ms"},
		{[]string{"run", "replication", "--set", "fault-interval=500us"}, 2, "fault interval 500µs: want at least 1ms"},
		{[]string{"run", "ping", "--schedule-out", "/nonexistent/dir/s.toml"}, 2, "--schedule-out: open /nonexistent/dir/s.toml"},
		{[]string{"run", "ping", "--memprofile", "/nonexistent/dir/m.prof"}, 2, "--memprofile: open /nonexistent/dir/m.prof"},
		{[]string{"replay", "ping", "--seed", "1", "--expect-hash", ""}, 2, `--expect-hash "": want the 16 hex digits`},
		{[]string{"sweep", "ping", "--seeds", "1-2", "--expect-rate", "NaN-1"}, 2, `--expect-rate "NaN-1"`},
		{[]string{"mutants", "--seeds", "1", "--min-score", "NaN"}, 2, "--min-score NaN: want a fraction from 0 to 1"},
		{[]string{"mutants", "--seeds", "1", "--jobs", "-3"}, 2, "--jobs -3: want at least 1"},
		{[]string{"mutants", "--seeds", "1", "--scenarios", ""}, 2, `--scenarios "": want a scenario name`},
		{[]string{"study", "redlock", "--seeds", "1", "--jobs", "-1"}, 2, "--jobs -1: want at least 1"},
		{[]string{"run", "ping", "--keep"}, 2, "--keep keeps a live run's directory: give it with --live"},
		{[]string{"sweep", "ping", "--seeds", "1-2", "--shard", "0/2", "--shards", "3"}, 2, "--shard 0/2 and --shards 3: give one of them"},
		{[]string{"run", "replication", "--set", "weights=register=1e308,set=1e308"}, 2, `weights="register=1e308,set=1e308"`},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	} {
		code, _, errOut := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.msg)
		}
	}
}

func TestListAndVersion(t *testing.T) {
	_, out, _ := run(t, "list")
	if !strings.HasPrefix(out, "cluster-failover ") || !strings.Contains(out, "\nfailover-partition ") || !strings.Contains(out, "\nping ") {
		t.Errorf("list: %q", out)
	}
	_, out, _ = run(t, "version")
	if !strings.HasPrefix(out, "simulate ") {
		t.Errorf("version: %q", out)
	}
}

// A scenario that leaks state between runs: the second run of a seed differs.
func TestCheckDeterminismFailsLoudly(t *testing.T) {
	calls := 0
	s := &scenarios.Scenario{
		Name:   "leaky",
		Params: []scenarios.Param{scenarios.DurationParam("duration", "1s", "")},
		Setup: func(r *scenarios.Run) (scenarios.Checks, error) {
			calls++
			at := clock.Time(100 * time.Millisecond)
			if calls > 1 {
				at += clock.Time(time.Millisecond)
			}
			r.World.At(at, func() { r.World.Note(sim.LevelInfo, "tick") })
			return func(*scenarios.Run) []checker.Result {
				return []checker.Result{{Checker: "nothing", Verdict: checker.Ok}}
			}, nil
		},
	}
	var out bytes.Buffer
	err := checkDeterminism(&out, s, 1, nil)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFramework {
		t.Fatalf("got %v, want exit status 3", err)
	}
	for _, want := range []string{"NONDETERMINISM", "seed 1", "first difference at event 1", "0.100000s note tick", "0.101000s note tick"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// A check that cannot decide is neither a pass nor a violation: its own
// closing line and exit status.
func TestUnknownVerdictHasItsOwnStatus(t *testing.T) {
	code, out, _ := run(t, "run", "testdata/no-clients.toml", "--seed", "2")
	if code != exitUnknown || !regexp.MustCompile(`(?m)^UNKNOWN scenario=no-clients seed=2 hash=[0-9a-f]{16}\n\z`).MatchString(out) {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if !strings.Contains(out, "unknown   linearizable/register  no operation of the register model to check") {
		t.Errorf("the undecided check is not shown:\n%s", out)
	}
}

// --schedule-out saves a run's schedule as scenario-file tables: a file
// with them runs the same actions.
func TestScheduleOutRunsAgainAsAFile(t *testing.T) {
	dir := t.TempDir()
	sched := filepath.Join(dir, "schedule.toml")
	code, out, _ := run(t, "run", "ping", "--seed", "7", "--faults", "--schedule-out", sched)
	if code != exitPass {
		t.Fatalf("exit %d", code)
	}
	b, err := os.ReadFile(sched)
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "again.toml")
	head := "duration = \"30s\"\nquiet = \"5s\"\n[topology]\nhosts = [\"n1\", \"n2\", \"n3\", \"n4\", \"n5\"]\n[workload]\nclients = 0\n[checks]\nlinearizable = false\n"
	if err := os.WriteFile(scenario, append([]byte(head), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, again, errOut := run(t, "run", scenario, "--seed", "7", "--faults")
	if code != exitPass && code != exitViolation {
		t.Fatalf("the saved schedule as a file: exit %d\n%s", code, errOut)
	}
	faults := func(s string) string {
		_, rest, _ := strings.Cut(s, "fault schedule:\n")
		block, _, _ := strings.Cut(rest, "checks:")
		return block
	}
	if faults(out) == "" || faults(again) != faults(out) {
		t.Fatalf("schedules differ:\n%s\n---\n%s", faults(out), faults(again))
	}
}

// --set swarm=on: --faults prints the profile, and result.json and the
// report record it.
func TestSwarmProfileRecorded(t *testing.T) {
	dir := t.TempDir()
	code, out, _ := run(t, "run", "ping", "--seed", "3", "--set", "swarm=on", "--faults", "--out", dir)
	if code != 0 || !strings.Contains(out, "swarm profile: ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	js, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(js), `"fault_profile": {`) || !strings.Contains(string(js), `"per_minute"`) || !strings.Contains(string(html), "swarm profile: ") {
		t.Errorf("the profile is missing from result.json or report.html:\n%s", js)
	}
}

// list --probes lists every declared coverage probe with its meaning.
func TestListProbes(t *testing.T) {
	code, out, _ := run(t, "list", "--probes")
	if code != 0 || !strings.Contains(out, "repl/psync-continue ") || !strings.Contains(out, "sentinel/vote-refused ") || strings.Count(out, "\n") < 20 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, errOut := run(t, "list", "--probes", "--bugs"); code != 2 || !strings.Contains(errOut, "give one of them") {
		t.Errorf("--probes --bugs: exit %d, %q", code, errOut)
	}
}

// A derived file's malformed action is bad usage at its line, before the
// run (it was a framework failure, exit 3, when the action came due).
func TestMalformedActionIsUsage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.toml")
	src := "base = \"ping\"\n[[nemesis.action]]\nat = \"1s\"\nop = \"crash\"\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "run", path, "--seed", "1")
	if code != exitUsage || !strings.Contains(errOut, "bad.toml:2: nemesis.action[0]: crash: target is missing") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// A derived file's action is checked against the duration and quiet the
// run has, --set's included: at 20s it never happened in a 10s run (the
// run passed), and inside the quiet period the checks judged a world
// still under faults.
func TestDerivedActionTimesFollowSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "late.toml")
	src := "base = \"ping\"\n[[nemesis.action]]\nat = \"20s\"\nop = \"pause\"\ntarget = \"n1\"\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		set  []string
		want string
	}{
		{[]string{"--set", "duration=10s", "--set", "quiet=1s"}, "schedule action 1 (20.000000s pause n1) comes at or after the run's end (duration 10s)"},
		{[]string{"--set", "quiet=15s"}, "schedule action 1 (20.000000s pause n1) comes inside the quiet period (from 15s"},
	} {
		code, out, errOut := run(t, append([]string{"run", path, "--seed", "1"}, tt.set...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d\n%s\n%s", tt.set, code, out, errOut)
		}
	}
}
