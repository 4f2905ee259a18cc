package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
)

// runEnv is run with an environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func readResults(t *testing.T, path string) []reports.SweepEntry {
	t.Helper()
	lines, err := reports.ReadSweepEntries(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// junitDoc is what the tests read of a JUnit file.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name    string        `xml:"name,attr"`
			Failure *junitProblem `xml:"failure"`
			Error   *junitProblem `xml:"error"`
			Skipped *junitProblem `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j junitDoc
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", path, err, b)
	}
	return j
}

var seedLine = regexp.MustCompile(`(?m)^(PASS|FAIL|ERROR) scenario=ping seed=(\d+) hash=([0-9a-f]{16}) wall=\S+$`)

// seedsPrinted returns "seed:hash" for every per-seed line of a sweep.
func seedsPrinted(out string) []string {
	var got []string
	for _, m := range seedLine.FindAllStringSubmatch(out, -1) {
		got = append(got, m[2]+":"+m[3])
	}
	return got
}

func TestSweepPingPasses(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	code, out, errOut := run(t, "sweep", "ping", "--seeds", "1-6", "--jobs", "2", "--out", filepath.Join(dir, "out"), "--junit", junit)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "PASS sweep scenario=ping seeds=6 passed=6 failed=0 unknown=0 errors=0 skipped=0\n") {
		t.Errorf("no closing status line:\n%s", out)
	}
	printed := seedsPrinted(out)
	lines := readResults(t, filepath.Join(dir, "out", "results.jsonl"))
	if len(printed) != 6 || len(lines) != 6 {
		t.Fatalf("%d lines on stdout, %d in results.jsonl; want 6 each\n%s", len(printed), len(lines), out)
	}
	for i, l := range lines {
		if l.Seed != uint64(i+1) || !l.Passed || l.Status != "pass" || l.Scenario != "ping" || len(l.Verdicts) != 3 ||
			l.Params["nodes"] != "5" || l.WallMS <= 0 || l.Err != "" || l.Replay != "" {
			t.Errorf("results.jsonl line %d: %+v", i+1, l)
		}
		if printed[i] != fmt.Sprintf("%d:%s", l.Seed, l.Hash) {
			t.Errorf("stdout says %s, results.jsonl %d:%s", printed[i], l.Seed, l.Hash)
		}
	}
	// A sweep's seed is the same world as `run` with that seed.
	_, runOut, _ := run(t, "run", "ping", "--seed", "3")
	if !strings.Contains(runOut, "hash="+lines[2].Hash) {
		t.Errorf("run --seed 3 does not end with the sweep's hash %s:\n%s", lines[2].Hash, runOut)
	}
	j := readJUnit(t, junit)
	if j.Tests != 6 || j.Failures != 0 || j.Errors != 0 || len(j.Suites) != 1 || len(j.Suites[0].Cases) != 6 {
		t.Fatalf("junit: %+v", j)
	}
	for i, c := range j.Suites[0].Cases {
		if c.Name != fmt.Sprintf("ping seed=%d", i+1) || c.Failure != nil || c.Error != nil || c.Skipped != nil {
			t.Errorf("testcase %d: %+v", i, c)
		}
	}
}

func TestSweepJobsDoNotChangeResults(t *testing.T) {
	results := func(jobs string) ([]string, []reports.SweepEntry) {
		dir := t.TempDir()
		code, out, _ := run(t, "sweep", "ping", "--seeds", "1-8", "--jobs", jobs, "--set", "duration=10s", "--out", dir)
		if code != 0 {
			t.Fatalf("--jobs %s: exit %d\n%s", jobs, code, out)
		}
		return seedsPrinted(out), readResults(t, filepath.Join(dir, "results.jsonl"))
	}
	out1, res1 := results("1")
	out2, res2 := results("2")
	if strings.Join(out1, " ") != strings.Join(out2, " ") || len(out1) != 8 {
		t.Fatalf("stdout differs:\n--jobs 1: %v\n--jobs 2: %v", out1, out2)
	}
	for i := range res1 {
		a, b := res1[i], res2[i]
		a.WallMS, b.WallMS = 0, 0
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("seed %d:\n--jobs 1: %s\n--jobs 2: %s", a.Seed, ja, jb)
		}
	}
}

// quiet=1ms leaves no time after the faults for pongs: liveness fails for
// every seed.
var failingPing = []string{"--set", "quiet=1ms", "--set", "fault-interval=100ms"}

func TestSweepFailFastStopsAndPrintsReplay(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	args := append([]string{"sweep", "ping", "--seeds", "1-40", "--jobs", "1", "--fail-fast", "--out", dir, "--junit", junit}, failingPing...)
	code, out, _ := run(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	lines := readResults(t, filepath.Join(dir, "results.jsonl"))
	if len(lines) == 0 || len(lines) > 5 {
		t.Fatalf("--fail-fast ran %d of 40 seeds", len(lines))
	}
	replay := "simulate run ping --seed 1 --set fault-interval=100ms --set quiet=1ms"
	for _, want := range []string{"failing seeds:", "  seed 1 hash=" + lines[0].Hash + ": liveness: ", "    " + replay + "\n", "not run, as --fail-fast stopped the sweep at the first failure: ", "FAIL sweep scenario=ping seeds=40"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if l := lines[0]; l.Passed || l.Status != "fail" || l.Replay != replay || l.Params["quiet"] != "1ms" {
		t.Errorf("results.jsonl: %+v", l)
	}
	if _, err := os.Stat(filepath.Join(dir, "seed-1", "result.json")); err != nil {
		t.Errorf("failing seed's result.json: %v", err)
	}
	j := readJUnit(t, junit)
	cases := j.Suites[0].Cases
	if j.Tests != 40 || j.Failures != len(lines) || j.Skipped != 40-len(lines) || len(cases) != 40 {
		t.Fatalf("junit counts: tests %d failures %d skipped %d cases %d", j.Tests, j.Failures, j.Skipped, len(cases))
	}
	if f := cases[0].Failure; f == nil || !strings.Contains(f.Message, "liveness") || !strings.Contains(f.Text, "replay: "+replay) {
		t.Errorf("first testcase: %+v", cases[0])
	}
	if cases[39].Skipped == nil || cases[39].Name != "ping seed=40" {
		t.Errorf("last testcase: %+v", cases[39])
	}

	// The printed command replays the failure: same hash, exit 1.
	code, runOut, _ := run(t, strings.Fields(replay)[1:]...)
	if code != 1 || !strings.HasSuffix(runOut, "FAIL scenario=ping seed=1 hash="+lines[0].Hash+"\n") {
		t.Errorf("replay command: exit %d\n%s", code, runOut)
	}
}

func TestSweepWithoutFailFastRunsEverySeed(t *testing.T) {
	code, out, _ := run(t, append([]string{"sweep", "ping", "--seeds", "1,3,5"}, failingPing...)...)
	if code != 1 || len(seedsPrinted(out)) != 3 || !strings.Contains(out, "seeds=3 passed=0 failed=3 unknown=0 errors=0 skipped=0") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestSweepShardsCoverEverySeedOnce(t *testing.T) {
	seen := map[string]int{}
	for i := range 3 {
		code, out, _ := run(t, "sweep", "ping", "--seeds", "1-10", "--set", "duration=6s", "--shard", fmt.Sprintf("%d/3", i))
		if code != 0 {
			t.Fatalf("shard %d/3: exit %d\n%s", i, code, out)
		}
		for _, s := range seedsPrinted(out) {
			seed, _, _ := strings.Cut(s, ":")
			seen[seed]++
		}
		// The Kubernetes Indexed Job form runs the same shard.
		_, envOut, _ := runEnv(t, map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i)}, "sweep", "ping", "--seeds", "1-10", "--set", "duration=6s", "--shards", "3")
		if a, b := strings.Join(seedsPrinted(out), " "), strings.Join(seedsPrinted(envOut), " "); a != b {
			t.Errorf("--shard %d/3 ran %s; JOB_COMPLETION_INDEX=%d --shards 3 ran %s", i, a, i, b)
		}
	}
	for s := 1; s <= 10; s++ {
		if n := seen[fmt.Sprint(s)]; n != 1 {
			t.Errorf("seed %d ran in %d shards", s, n)
		}
	}
	if len(seen) != 10 {
		t.Errorf("shards ran %v", seen)
	}
}

func TestSweepUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		msg  string
	}{
		{nil, []string{"sweep", "ping"}, `required flag(s) "seeds" not set`},
		{nil, []string{"sweep", "ping", "--seeds", "10-1"}, `--seeds "10-1": range "10-1" ends before it starts; write 1-10`},
		{nil, []string{"sweep", "ping", "--seeds", "one"}, `--seeds "one"`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--shard", "3/3"}, `--shard "3/3": shard index must be from 0 to 2`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--shard", "half"}, `--shard "half": want I/N`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--shards", "4"}, `--shards 4 needs JOB_COMPLETION_INDEX`},
		{map[string]string{"JOB_COMPLETION_INDEX": "2"}, []string{"sweep", "ping", "--seeds", "1-3"}, `JOB_COMPLETION_INDEX=2 is set but the number of shards is not; pass --shards`},
		{map[string]string{"JOB_COMPLETION_INDEX": "4"}, []string{"sweep", "ping", "--seeds", "1-3", "--shards", "4"}, `must be from 0 to 3`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--jobs", "-2"}, `--jobs -2`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--set", "bogus=1"}, `parameter "bogus" is unknown`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--set", "nodes=0"}, `nodes="0"`},
		{nil, []string{"sweep", "nosuch", "--seeds", "1-3"}, `scenario "nosuch" is unknown`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--out", "/dev/null/x"}, `--out /dev/null/x`},
		{nil, []string{"sweep", "ping", "--seeds", "1-3", "--junit", "/dev/null/x.xml"}, `--junit /dev/null/x.xml`},
	} {
		code, _, errOut := runEnv(t, tt.env, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and %q", tt.env, tt.args, code, errOut, tt.msg)
		}
	}
}

// A framework error in one seed outranks a violation in another, which
// outranks an undecided seed.
func TestSweepStatus(t *testing.T) {
	for _, tt := range []struct {
		n    counts
		code int
	}{
		{counts{passed: 1, failed: 1, errored: 1}, exitFramework},
		{counts{failed: 1}, exitViolation},
		{counts{passed: 3}, exitPass},
		{counts{passed: 3, unknown: 1}, exitUnknown},
		{counts{failed: 1, unknown: 1}, exitViolation},
		{counts{errored: 1, unknown: 1}, exitFramework},
	} {
		if got := exitOf(sweepStatus(tt.n)); got != tt.code {
			t.Errorf("%+v: exit %d, want %d", tt.n, got, tt.code)
		}
	}
	// The record of a seed: errors and failures carry the replay command.
	boom := &scenarios.FrameworkError{Err: errors.New("scenario x seed 2 panicked at 1s: boom")}
	e := sweepEntry("x", "x", sweep.Entry{Seed: 2, Err: boom}, map[string]string{"k": "a b"}, map[string]string{"k": "a b"}, []string{"b1"})
	if e.Status != "error" || e.Err != boom.Error() || e.Replay != "simulate run x --seed 2 --set 'k=a b' --bug b1" {
		t.Errorf("errored seed: %+v", e)
	}
}

// A sweep with a planted bug prints replay commands that plant it too: the
// command replays the seed's failure, hash and all (before, it left --bug
// out and the replayed seed passed).
func TestSweepReplayPlantsBugs(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "sweep", "replication", "--seeds", "1", "--bug", "active-expire-skips-del", "--out", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	lines := readResults(t, filepath.Join(dir, "results.jsonl"))
	replay := "simulate run replication --seed 1 --bug active-expire-skips-del"
	if len(lines) != 1 || lines[0].Replay != replay || !strings.Contains(out, "    "+replay+"\n") {
		t.Fatalf("replay command: results.jsonl %+v\n%s", lines, out)
	}
	code, runOut, _ := run(t, strings.Fields(replay)[1:]...)
	if code != 1 || !strings.HasSuffix(runOut, "FAIL scenario=replication seed=1 hash="+lines[0].Hash+"\n") {
		t.Errorf("replay command: exit %d\n%s", code, runOut)
	}
	// Resuming it without the bug would mix two worlds' results.
	code, out, errOut = run(t, "sweep", "replication", "--seeds", "1-2", "--resume", dir)
	if code != 2 || !strings.Contains(errOut, "the interrupted sweep planted bugs [active-expire-skips-del], this one planted bugs [none]") {
		t.Errorf("resume without the bug: exit %d\n%s\n%s", code, out, errOut)
	}
}

// --resume refuses to finish a sweep in another world: other framework
// settings, another scenario argument, another seed list or shard; and a
// new sweep into a used directory leaves none of the old seeds' reports.
func TestSweepResumeRefusesAnotherWorld(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	base := []string{"sweep", "ping", "--seeds", "1-3", "--set", "duration=6s"}
	if code, stdout, errOut := run(t, append(base, "--out", out)...); code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errOut)
	}
	file := filepath.Join(dir, "ping.toml") // named ping, as the built-in
	if err := os.WriteFile(file, []byte("base = \"ping\"\nname = \"ping\"\n[nemesis]\nexplicit = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{append(base, "--buggify", "on"), "the interrupted sweep ran with buggify=off, this one ran with buggify=on"},
		{append(base, "--set", "swarm=on"), "the interrupted sweep ran with swarm=off, this one ran with swarm=on"},
		{[]string{"sweep", file, "--seeds", "1-3", "--set", "duration=6s"}, "the interrupted sweep ran ping, this one ran " + file},
		{[]string{"sweep", "ping", "--seeds", "1-4", "--set", "duration=6s"}, "the interrupted sweep had --seeds 1-3, this one had --seeds 1-4"},
		{append(base, "--shard", "0/2"), "the interrupted sweep ran all of them, this one ran shard 0/2"},
	} {
		code, _, errOut := run(t, append(tt.args, "--resume", out)...)
		if code != exitUsage || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, exitUsage, tt.msg)
		}
	}

	failing := append([]string{"sweep", "ping", "--seeds", "1-2", "--out", out}, failingPing...)
	if code, stdout, _ := run(t, failing...); code != exitViolation {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "seed-2", "report.html")); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := run(t, "sweep", "ping", "--seeds", "1", "--set", "duration=6s", "--out", out); code != exitPass {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "seed-*")); len(left) != 0 {
		t.Errorf("a new sweep into %s left the earlier sweep's %v", out, left)
	}
}

// --buggify off overrides a scenario file's buggify = "on", as --set
// buggify=off does (before, the flag was dropped and the file's setting
// won).
func TestBuggifyOffOverridesFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bug.toml")
	if err := os.WriteFile(file, []byte("base = \"replication\"\n[set]\nbuggify = \"on\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hash := func(args ...string) string {
		t.Helper()
		_, out, errOut := run(t, append([]string{"run", file, "--seed", "1"}, args...)...)
		m := regexp.MustCompile(`hash=([0-9a-f]{16})`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%v: no hash\n%s\n%s", args, out, errOut)
		}
		return m[1]
	}
	on, flagOff, setOff := hash(), hash("--buggify", "off"), hash("--set", "buggify=off")
	if flagOff != setOff || flagOff == on {
		t.Errorf("file's buggify on: %s; --buggify off: %s; --set buggify=off: %s", on, flagOff, setOff)
	}
}

// --reports caps the whole reports at the first N failing seeds in seed
// order; the others get result.json alone, and the summary says so.
func TestSweepReportsCap(t *testing.T) {
	dir := t.TempDir()
	args := append([]string{"sweep", "ping", "--seeds", "1-4", "--jobs", "2", "--reports", "1", "--out", dir}, failingPing...)
	code, out, errOut := run(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for seed := 1; seed <= 4; seed++ {
		sd := filepath.Join(dir, fmt.Sprintf("seed-%d", seed))
		for _, f := range []string{"result.json", "report.html", "history.jsonl", "summary.md"} {
			_, err := os.Stat(filepath.Join(sd, f))
			if want := seed == 1 || f == "result.json"; want != (err == nil) {
				t.Errorf("seed %d: %s present %v, want %v", seed, f, err == nil, want)
			}
		}
	}
	if !strings.Contains(out, "reports: whole for the first 1 seeds that did not pass, result.json alone for 3 more (--reports 1)") {
		t.Errorf("no line on the reports:\n%s", out)
	}
	// -1 writes every one, and says nothing.
	dir = t.TempDir()
	args = append([]string{"sweep", "ping", "--seeds", "1-2", "--reports", "-1", "--out", dir}, failingPing...)
	if code, out, _ = run(t, args...); code != 1 || strings.Contains(out, "reports:") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "seed-2", "report.html")); err != nil {
		t.Errorf("--reports -1: %v", err)
	}
}

func exitOf(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &ee):
		return ee.code
	}
	return -1
}

func TestProgressBarOnlyOnATerminal(t *testing.T) {
	e := sweep.Entry{Seed: 4, Result: &scenarios.Result{Scenario: "ping", Seed: 4, Hash: "0123456789abcdef"}, Wall: time.Millisecond}
	var tty, plain bytes.Buffer
	p := newProgress(&tty, true, 2)
	p.entry("ping", e)
	p.finish()
	if s := tty.String(); !strings.Contains(s, "\r\x1b[KPASS scenario=ping seed=4 hash=0123456789abcdef wall=1ms\n[") || !strings.Contains(s, "1/2") {
		t.Errorf("terminal output %q", s)
	}
	for _, line := range strings.Split(tty.String(), "\r\x1b[K") {
		if bar, _, _ := strings.Cut(line, "\n"); len(bar) >= 80 {
			t.Errorf("a bar line of %d columns wraps on an 80-column terminal: %q", len(bar), bar)
		}
	}
	q := newProgress(&plain, false, 2)
	q.entry("ping", e)
	q.entry("ping", sweep.Entry{Seed: 5, Err: errors.New("boom\nstack"), Wall: time.Millisecond})
	q.finish()
	if want := "PASS scenario=ping seed=4 hash=0123456789abcdef wall=1ms\nERROR scenario=ping seed=5 wall=1ms error=\"boom\"\n"; plain.String() != want {
		t.Errorf("plain output %q, want %q", plain.String(), want)
	}
	if isTerminal(&plain, os.Getenv) {
		t.Error("a buffer is a terminal")
	}
}

func TestReplayCommandQuotes(t *testing.T) {
	got := scenarios.ReplayCommand("my scenarios/x.toml", 9, map[string]string{"b": "it's", "a": "1s"})
	if want := `simulate run 'my scenarios/x.toml' --seed 9 --set a=1s --set 'b=it'\''s'`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Undecided seeds are counted apart, exit 4, and are skipped (not passed)
// test cases in JUnit.
func TestSweepUnknownSeeds(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, _ := run(t, "sweep", "testdata/no-clients.toml", "--seeds", "1-3", "--junit", junit)
	if code != exitUnknown || !strings.Contains(out, "UNKNOWN sweep scenario=no-clients seeds=3 passed=0 failed=0 unknown=3 errors=0 skipped=0") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "linearizable/register (unknown): no operation of the register model to check") {
		t.Errorf("the summary does not say what could not be decided:\n%s", out)
	}
	j := readJUnit(t, junit)
	c := j.Suites[0].Cases
	if j.Tests != 3 || j.Skipped != 3 || j.Failures != 0 || c[0].Skipped == nil || !strings.HasPrefix(c[0].Skipped.Message, "UNKNOWN, not judged: linearizable") {
		t.Fatalf("junit: %+v", j)
	}
}

// --expect-rate judges an unsafe scenario by its violation rate.
func TestSweepExpectRate(t *testing.T) {
	args := append([]string{"sweep", "ping", "--seeds", "1-6"}, failingPing...)
	code, out, _ := run(t, append(args, "--expect-rate", "0.9-1")...)
	if code != exitPass || !strings.Contains(out, "RATE IN BAND violation rate 1.000 (6 of 6 seeds), expected 0.9-1") {
		t.Errorf("in band: exit %d\n%s", code, out)
	}
	code, out, errOut := run(t, append(args, "--expect-rate", "10%-50%")...)
	if code != exitViolation || !strings.Contains(out, "RATE OUTSIDE BAND violation rate 1.000 (6 of 6 seeds), expected 0.1-0.5") || !strings.Contains(errOut, "--expect-rate") {
		t.Errorf("outside the band: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, bad := range []string{"0.9", "1-0.5", "0.5-2", "x-1"} {
		if code, _, errOut := run(t, append(args, "--expect-rate", bad)...); code != exitUsage || !strings.Contains(errOut, "want LO-HI") {
			t.Errorf("--expect-rate %s: exit %d, %q", bad, code, errOut)
		}
	}
	if code, _, errOut := run(t, append(args, "--expect-rate", "0-1", "--fail-fast")...); code != exitUsage || !strings.Contains(errOut, "do not go together") {
		t.Errorf("--expect-rate with --fail-fast: exit %d, %q", code, errOut)
	}
}

// A sweep keeps a seed's history only for the report it writes: a failing
// seed's report under --out still has every operation.
func TestSweepOutWritesFailingSeedsHistory(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "sweep", "failover-partition", "--seeds", "1", "--jobs", "1", "--out", dir,
		"--set", "duration=12s", "--set", "partition-at=2s", "--set", "promote-after=1s", "--set", "heal-at=5s", "--set", "clients=1")
	if code != exitViolation {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitViolation, out, errOut)
	}
	var res struct{ Operations int }
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "seed-1", "result.json"))), &res); err != nil {
		t.Fatal(err)
	}
	history := readFile(t, filepath.Join(dir, "seed-1", "history.jsonl"))
	if n := strings.Count(history, "\n"); res.Operations == 0 || n < res.Operations {
		t.Errorf("result.json counts %d operations, history.jsonl has %d lines", res.Operations, n)
	}
}
