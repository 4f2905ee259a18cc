package main

import (
	"os"
	"path/filepath"
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
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
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
