package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pingcap/failpoint"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/sim"
)

// A run whose fault sites GO_FAILPOINTS pinned replays only with the same
// variable: its replay command carries it, and the facts say which sites
// were pinned.
func TestReplayCarriesPinnedSites(t *testing.T) {
	pin := sim.SitePath("repl/ack-late") + "=return(true)"
	// failpoint reads GO_FAILPOINTS when the process starts: the test
	// sets the variable, which the command reads, and the failpoint as
	// the variable would have.
	t.Setenv("GO_FAILPOINTS", pin)
	if err := failpoint.Enable(sim.SitePath("repl/ack-late"), "return(true)"); err != nil {
		t.Fatal(err)
	}
	defer failpoint.Disable(sim.SitePath("repl/ack-late"))
	dir := t.TempDir()
	code, out, errOut := run(t, "run", "replication", "--seed", "3", "--buggify", "on", "--duration", "30s", "--set", "quiet=10s", "--out", dir)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, reports.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Replay string }
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if want := "GO_FAILPOINTS='" + pin + "' simulate run replication --seed 3"; !strings.HasPrefix(res.Replay, want) {
		t.Errorf("replay %q, want it to start with %q", res.Replay, want)
	}
	if !strings.Contains(out, "repl/ack-late (") || !strings.Contains(out, "pinned)") {
		t.Errorf("the facts do not say the site was pinned:\n%s", out)
	}
}
