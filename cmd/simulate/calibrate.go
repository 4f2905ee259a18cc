package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/calibrate"
	"github.com/redsim/redsim/scenarios/live"
	"github.com/redsim/redsim/scenarios/sweep"
	"github.com/spf13/cobra"
)

// calibrateFlags are `simulate calibrate`'s options.
type calibrateFlags struct {
	liveRuns int
	seeds    string
	jobs     int
	sets     []string
	out      string
}

func newCalibrateCmd(reg *scenarios.Registry, stdout io.Writer) *cobra.Command {
	var f calibrateFlags
	cmd := &cobra.Command{
		Use:   "calibrate SCENARIO --out DIR",
		Short: "Compare a scenario's live runs with its simulated runs, figure by figure",
		Long: "calibrate runs the scenario live --live-runs times (real redis-server processes on this\n" +
			"machine, as run --live does: root, redis-server and iptables needed), one after another,\n" +
			"then simulated over --seeds, and compares the figures both kinds of run yield: the\n" +
			"lost-write rate, operations per second, operation latency, the failover time, the\n" +
			"split-brain window and the time to one master (for the scenarios that fail over), and\n" +
			"the share of runs in which each check found a violation. For each figure it prints the\n" +
			"simulated median and 5th-95th percentile band beside the live value, and whether the\n" +
			"live value is inside the band or how far outside. It then measures this machine's\n" +
			"loopback latency, fsync time and transfer rate and names the --set values that would\n" +
			"make the simulation match it.\n" +
			"\n" +
			"It writes DIR/calibration.md (the table), calibration.csv (one row per figure with\n" +
			"every run's value) and calibration.html (the table, a histogram per figure with the\n" +
			"live runs marked, and the measured parameters).\n" +
			"\n" +
			"Exit status: 0 every figure's live value is inside its simulated band, 1 some figure is\n" +
			"outside, 2 bad usage (or this machine cannot run live), 3 the framework failed, 130\n" +
			"interrupted (every live process and firewall rule is removed).",
		Example: "  sudo simulate calibrate failover-partition --live-runs 5 --seeds 1-100 --out out/cal\n" +
			"  sudo simulate calibrate failover-partition --set clients=2 --out out/cal2",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCalibrate(cmd.Context(), stdout, reg, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.liveRuns, "live-runs", 10, "how many times to run the scenario live, one run after another")
	fl.StringVar(&f.seeds, "seeds", "1-200", "simulated seeds: a range 1-100, a list 1,5,9, or both; live run i uses the i-th")
	fl.IntVar(&f.jobs, "jobs", 0, "simulated worlds to run at once (default: the number of CPUs)")
	fl.StringArrayVar(&f.sets, "set", nil, "set a scenario parameter for the live and the simulated runs, key=value (repeatable)")
	fl.StringVar(&f.out, "out", "", "write calibration.md, calibration.csv and calibration.html into this directory (required)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func runCalibrate(ctx context.Context, stdout io.Writer, reg *scenarios.Registry, name string, f calibrateFlags) error {
	s, err := reg.Lookup(name)
	if err != nil {
		return err
	}
	set, err := scenarios.ParseSet(f.sets)
	if err != nil {
		return err
	}
	if _, err := scenarios.NewParams(s.Params, set); err != nil {
		return &scenarios.UsageError{Err: fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	if f.liveRuns < 1 {
		return fmt.Errorf("--live-runs %d: want at least 1", f.liveRuns)
	}
	if f.jobs < 0 {
		return fmt.Errorf("--jobs %d: want at least 1, or 0 for one per CPU", f.jobs)
	}
	seeds, err := sweep.ParseSeeds(f.seeds)
	if err != nil {
		return err
	}
	if err := makeOutDir(f.out); err != nil {
		return err
	}
	if err := live.Check(); err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("calibrate runs the scenario live: %w", err)}
	}
	command := fmt.Sprintf("simulate calibrate %s --live-runs %d --seeds %s", scenarios.ShellQuote(name), f.liveRuns, scenarios.ShellQuote(f.seeds))
	for _, kv := range f.sets {
		command += " --set " + scenarios.ShellQuote(kv)
	}
	command += " --out " + scenarios.ShellQuote(f.out)
	runs, nseeds := "live runs", "simulated seeds"
	if f.liveRuns == 1 {
		runs = "live run"
	}
	if len(seeds) == 1 {
		nseeds = "simulated seed"
	}
	fmt.Fprintf(stdout, "calibrating %s: %d %s, then %d %s\n", s.Name, f.liveRuns, runs, len(seeds), nseeds)
	cal, err := calibrate.Run(ctx, calibrate.Config{Scenario: s, Set: set, Seeds: seeds, SeedsText: f.seeds, LiveRuns: f.liveRuns,
		Jobs: f.jobs, Command: command, Log: stdout})
	if errors.Is(err, live.ErrInterrupted) {
		return &exitError{code: exitInterrupted, err: fmt.Errorf("calibration of %s interrupted; its live processes and firewall rules are removed", s.Name)}
	}
	var missing *live.MissingError
	if errors.As(err, &missing) {
		return &exitError{code: exitUsage, err: err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s", reports.CalibrationTable(cal))
	for _, n := range cal.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	var outside []string
	for _, fig := range cal.Figures {
		if fig.Verdict.Judged && !fig.Verdict.Inside {
			outside = append(outside, fig.Name)
		}
	}
	if err := reports.WriteCalibration(f.out, cal); err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", f.out, err)}
	}
	fmt.Fprintf(stdout, "\nwrote %s, %s and %s\n", filepath.Join(f.out, reports.CalibrationTableFile),
		filepath.Join(f.out, reports.CalibrationCSVFile), filepath.Join(f.out, reports.CalibrationPageFile))
	if len(outside) > 0 {
		return &exitError{code: exitViolation, err: fmt.Errorf("calibration of %s: live outside the simulated band for %s", s.Name, strings.Join(outside, ", "))}
	}
	return nil
}
