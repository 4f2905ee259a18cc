package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios/live"
)

// TestCalibrateRefusesBadInput: what is wrong with the command line is
// exit status 2 and a message naming it, before anything runs.
func TestCalibrateRefusesBadInput(t *testing.T) {
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"calibrate", "failover-partition"}, `"out" not set`},
		{[]string{"calibrate", "no-such-scenario", "--out", out}, "no-such-scenario"},
		{[]string{"calibrate", "failover-partition", "--live-runs", "0", "--out", out}, "--live-runs 0: want at least 1"},
		{[]string{"calibrate", "failover-partition", "--seeds", "9-1", "--out", out}, "9-1"},
		{[]string{"calibrate", "failover-partition", "--set", "clients=0", "--out", out}, "clients"},
		{[]string{"calibrate", "failover-partition", "--set", "nope", "--out", out}, `--set "nope": want key=value`},
		{[]string{"calibrate", "failover-partition", "--jobs", "-1", "--out", out}, "--jobs -1"},
	} {
		code, _, errOut := run(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestCalibrateWithoutLiveSupport: a machine that cannot run live, or a
// scenario that cannot run live (ping builds simulated hosts itself), is
// exit status 2 with the reason.
func TestCalibrateWithoutLiveSupport(t *testing.T) {
	want := "cannot run live: it builds simulated hosts itself"
	if err := live.Check(); err != nil {
		want = "calibrate runs the scenario live"
	} else if testing.Short() {
		t.Skip("starts redis-server processes: not with -short")
	}
	code, _, errOut := run(t, "calibrate", "ping", "--live-runs", "1", "--seeds", "1", "--out", t.TempDir())
	if code != 2 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
}

// TestCalibrateFailoverPartition: two short live runs of Jepsen's setup
// against three seeds: the table is printed and written, the CSV has
// each figure's two live values and three simulated ones, the page a
// plot per figure, the lost writes are found live as in simulation, and
// the run leaves no iptables chain behind.
func TestCalibrateFailoverPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("two live runs of real processes: not with -short")
	}
	if err := live.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	code, out, errOut := run(t, "calibrate", "failover-partition", "--live-runs", "2", "--seeds", "1-3",
		"--set", "duration=16s", "--set", "partition-at=4s", "--set", "promote-after=2s", "--set", "heal-at=9s", "--out", dir)
	t.Log(out)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d; want 0 (every figure inside) or 1 (some outside)\n%s", code, errOut)
	}
	for _, w := range []string{"live run 1/2 seed 1: FAIL", "live run 2/2 seed 2: FAIL", "| lost-write rate |", "| failover time |", "| runs with a set violation | 100.00% | 100.00% – 100.00% | 2 of 2 runs | inside"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if (code == 1) != strings.Contains(errOut, "live outside the simulated band for") {
		t.Errorf("exit %d, stderr %q: exit 1 goes with the figures outside", code, errOut)
	}
	md, err := os.ReadFile(filepath.Join(dir, reports.CalibrationTableFile))
	if err != nil || !strings.Contains(string(md), "| figure | simulated median | simulated 5th-95th | live | verdict |") || !strings.Contains(string(md), "one-way-latency") {
		t.Errorf("calibration.md: %v\n%s", err, md)
	}
	f, err := os.Open(filepath.Join(dir, reports.CalibrationCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	figures := 0
	for _, row := range rows[1:] {
		figures++
		if row[0] == "lost-write rate" && (row[3] != "3" || row[7] != "2") {
			t.Errorf("lost-write rate: %s simulated and %s live runs, want 3 and 2", row[3], row[7])
		}
		if row[0] == "lost-write rate" {
			for _, v := range strings.Fields(row[12]) {
				if x, _ := strconv.ParseFloat(v, 64); x <= 0 {
					t.Errorf("a live run lost no acknowledged write: %q", row[12])
				}
			}
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, reports.CalibrationPageFile))
	if n := strings.Count(string(page), "<svg"); n != figures {
		t.Errorf("calibration.html: %d plots for %d figures", n, figures)
	}
	chains, err := live.Chains()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(chains, live.ChainPrefix+strconv.Itoa(os.Getpid())) {
		t.Errorf("the calibration left its chain in iptables: %v", chains)
	}
}
