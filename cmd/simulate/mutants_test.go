package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mutants plants an entry, finds the seed that catches it, runs the
// control and writes the table; --bug on run and sweep plants the same
// entry, and the replay command it prints does too.
func TestMutantsAndBugFlags(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "mutants", "--bug", "wait-ignores-ack-offset", "--seeds", "1-6", "--jobs", "2", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "mutants: 1 of 1 planted bugs detected (100%) over seeds 1-6; control passed") {
		t.Errorf("no summary line:\n%s", out)
	}
	for _, f := range []string{"table.md", "table.csv", "mutants.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "table.csv"))
	if !strings.Contains(string(csv), "wait-ignores-ack-offset,none,true,wait-failover,") {
		t.Errorf("table.csv:\n%s", csv)
	}
	code, out, _ = run(t, "run", "wait-failover", "--seed", "1", "--bug", "wait-ignores-ack-offset")
	if code != 1 || !strings.Contains(out, "FAIL scenario=wait-failover seed=1") {
		t.Errorf("run --bug: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "run", "wait-failover", "--seed", "1"); code != 0 {
		t.Errorf("the bug stayed planted: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "run", "ping", "--bug", "no-such-bug"); code != 2 || !strings.Contains(errOut, "no-such-bug") {
		t.Errorf("unknown bug: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "mutants", "--seeds", "x"); code != 2 || !strings.Contains(errOut, "--seeds") {
		t.Errorf("bad seeds: exit %d, %q", code, errOut)
	}
	code, out, _ = run(t, "list", "--bugs")
	if code != 0 || !strings.Contains(out, "incrbyfloat-drops-ttl") || !strings.Contains(out, "redis/redis#5256") {
		t.Errorf("list --bugs: exit %d\n%s", code, out)
	}
}
