package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shrink writes a derived scenario file that `simulate run` fails with the
// same check, and the file's report beside it.
func TestShrinkWritesARunnableFile(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "standalone-crash", "--set", "appendfsync=no", "--seed", "1", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "shrink: run 2 ") || !strings.Contains(out, "stopped at a fixpoint") {
		t.Fatalf("no progress or no closing line:\n%s\n%s", out, errOut)
	}
	path := filepath.Join(dir, "standalone-crash-seed1-shrunk.toml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "base = \"standalone-crash\"") || !strings.Contains(string(src), "appendfsync = \"no\"") {
		t.Fatalf("file:\n%s", src)
	}
	for _, f := range []string{"report.html", "result.json", "summary.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = run(t, "run", path, "--seed", "1")
	if code != exitViolation || !strings.Contains(out, "violation set") {
		t.Fatalf("running the shrunk file: exit %d\n%s", code, out)
	}
}

func TestShrinkUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"shrink", "ping", "--seed", "1", "--out", t.TempDir()}, "the run passes: there is no failure to shrink"},
		{[]string{"shrink", "ping", "--budget", "soon"}, `--budget "soon": want a wall time such as 5m or 90s, or a number of runs such as 200`},
		{[]string{"shrink", "ping", "--budget", "0"}, "--budget 0: want at least 1 run"},
		{[]string{"shrink", "nope"}, `scenario "nope" is unknown`},
		// Before: "does not fail the check", with the verdicts as
		// control bytes.
		{[]string{"shrink", "failover-partition", "--check", "nosuch", "--out", t.TempDir()}, `has no check named "nosuch"; its checks are set, linearizable/register, convergence`},
		{[]string{"shrink", "ping", "--buggify", "maybe"}, `--buggify "maybe": want on or off`},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A run with nothing to shrink leaves no --out directory behind (before,
// it was made before the run and left empty), and the help names every
// exit status, 130 for an interrupt among them.
func TestShrinkOutDirOnlyWhenWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "shrunk")
	code, _, errOut := run(t, "shrink", "ping", "--seed", "1", "--out", dir)
	if code != exitUsage {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Errorf("--out %s: a passing run left %s behind (%v)", dir, filepath.Dir(dir), err)
	}
	_, help, _ := run(t, "shrink", "--help")
	if !strings.Contains(help, "130 interrupted") {
		t.Errorf("help has no exit status 130:\n%s", help)
	}
}

// --buggify is sugar for --set buggify=on|off, as run's is: the shrunk
// file keeps the setting and the "Shrunk by:" line the flag.
func TestShrinkBuggify(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "standalone-crash", "--set", "appendfsync=no", "--buggify", "on", "--budget", "3", "--quiet", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	src, err := os.ReadFile(filepath.Join(dir, "standalone-crash-seed1-shrunk.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "buggify = \"on\"") || !strings.Contains(string(src), "--set appendfsync=no --budget 3 --buggify on") {
		t.Fatalf("file:\n%s", src)
	}
}

// With --bug, failing candidates get a control run without the bugs, which
// the progress and the summary show, and the shrunk file passes without
// the bug as the original did.
func TestShrinkWithBugShowsControlRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("about 25 runs of wait-failover")
	}
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "wait-failover", "--seed", "1", "--bug", "wait-ignores-ack-offset", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"the original without the planted bugs: passes", "a control run without the planted bugs follows", "without the planted bugs: passes, kept"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut)
		}
	}
	if !regexp.MustCompile(`\d+ runs \(\d+ of them control runs without the planted bugs\) in`).MatchString(out) {
		t.Errorf("the summary does not count the control runs:\n%s", out)
	}
	path := filepath.Join(dir, "wait-failover-seed1-shrunk.toml")
	if code, out, _ := run(t, "run", path, "--seed", "1"); code != exitPass {
		t.Errorf("the shrunk file without the bug: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "run", path, "--seed", "1", "--bug", "wait-ignores-ack-offset"); code != exitViolation {
		t.Errorf("the shrunk file with the bug: exit %d\n%s", code, out)
	}
}

// A failure that does not need the planted bug is shrunk without control
// runs, and the output says so.
func TestShrinkSaysTheBugIsNotNeeded(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "standalone-crash", "--set", "appendfsync=no", "--bug", "wait-ignores-ack-offset", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := `The original run fails "set" without --bug wait-ignores-ack-offset too: the failure does not need the bugs`
	if !strings.Contains(out, want) || !strings.Contains(out, "runs (one of them the original without the planted bugs)") {
		t.Errorf("stdout lacks %q, or counts control runs:\n%s", want, out)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "standalone-crash-seed1-shrunk.toml"))
	if !strings.Contains(string(src), "# "+want) {
		t.Errorf("the file's header lacks the note:\n%s", src)
	}
}

// The file's "Shrunk by:" line is a shrink command that finds the failure
// again: the --bug the run had, and the --check and --budget that steered
// the search (before, it dropped them, and the command said the run
// passes).
func TestShrinkCommandCarriesFlags(t *testing.T) {
	f := shrinkFlags{seed: 1, sets: []string{"duration=20s"}, check: "convergence", budget: "40", bugs: []string{"active-expire-skips-del"}}
	want := "simulate shrink replication --seed 1 --set duration=20s --check convergence --budget 40 --bug active-expire-skips-del"
	if got := shrinkCommand("replication", f); got != want {
		t.Errorf("shrinkCommand = %q, want %q", got, want)
	}
	f = shrinkFlags{seed: 3, budget: "5m"}
	if got, want := shrinkCommand("ping", f), "simulate shrink ping --seed 3"; got != want {
		t.Errorf("shrinkCommand = %q, want %q", got, want)
	}
}

// A cluster scenario's schedule names the operator host, which its
// cluster-create action makes: the shrunk file, an explicit schedule
// derived from it, must still run (before, it was refused: host
// "operator" is not in this scenario).
func TestShrinkClusterScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("three cluster runs")
	}
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "cluster-partition-minority", "--seed", "1", "--budget", "2", "--quiet", "--out", dir)
	if code != exitPass || !strings.Contains(out, "stopped at the budget (2)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
