package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A two-seed study writes the table, the CSV, the plots and the page, and
// its numbers show the cases' expected outcomes even at that size.
func TestStudyRedlockWritesEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("the study runs 80 worlds")
	}
	dir := t.TempDir()
	code, out, errOut := run(t, "study", "redlock", "--seeds", "2", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, f := range []string{"table.md", "table.csv", "study.html", "plot-pause.svg", "plot-drift.svg", "plot-restart.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	table, _ := os.ReadFile(filepath.Join(dir, "table.md"))
	for _, row := range []string{
		"| redlock-quiet | defaults | 2 | 0 |",
		"| redlock-pause | fenced=false pause=2s | 2 | 2 |",
		"| redlock-pause | fenced=true pause=2s | 2 | 0 |",
		"| redlock-clock-jump | expire-clock=mono jump=2s | 2 | 0 |",
	} {
		if !strings.Contains(string(table), row) {
			t.Errorf("table.md lacks %q", row)
		}
	}
	if code, _, errOut := run(t, "study", "paxos"); code != 2 || !strings.Contains(errOut, `study "paxos" is unknown`) {
		t.Errorf("unknown study: exit %d, %q", code, errOut)
	}
}
