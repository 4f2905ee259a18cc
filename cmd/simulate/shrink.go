package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/shrink"
	"github.com/spf13/cobra"
)

type shrinkFlags struct {
	seed   uint64
	sets   []string
	check  string
	budget string
	out    string
	bugs   []string
	quiet  bool
}

func newShrinkCmd(reg *scenarios.Registry, out outputWriter) *cobra.Command {
	f := shrinkFlags{seed: 1}
	cmd := &cobra.Command{
		Use:   "shrink SCENARIO",
		Short: "Make a failing run smaller: fewer faults, clients and operations, less virtual time",
		Long: "shrink takes a failing run (SCENARIO with --seed and --set) and searches for a smaller run of\n" +
			"the same seed that fails the same check: fewer nemesis actions (delta debugging), shorter\n" +
			"fault windows, fewer clients and nodes where the scenario has such parameters, and a shorter\n" +
			"duration. Each candidate is one deterministic run. It ends with a scenario file that derives\n" +
			"from SCENARIO (base = ...) with the smaller parameters and the explicit minimal schedule,\n" +
			"that file's report, and a line saying how much smaller it is. Running the file with the same\n" +
			"seed fails the same check; shrink runs it once more to make sure.\n" +
			"It stops after --budget (a wall time such as 5m, or a number of runs such as 200) with the best\n" +
			"run found so far.\n" +
			"Exit status: 0 a smaller (or equally small) failing run was written, 2 bad usage or the run\n" +
			"does not fail, 3 the framework failed.",
		Example: "  simulate shrink failover-partition --seed 1\n" +
			"  simulate shrink standalone-crash --set appendfsync=no --seed 3 --budget 100 --out out/shrunk",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShrink(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), reg, out, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.Var((*seedValue)(&f.seed), "seed", "the failing run's seed (default 1)")
	fl.StringArrayVar(&f.sets, "set", nil, "the failing run's scenario parameters, key=value (repeatable)")
	fl.StringVar(&f.check, "check", "", "the check smaller runs must fail (default: the first check the run fails)")
	fl.StringVar(&f.budget, "budget", "5m", "stop after this wall time (5m, 90s) or this many runs (200)")
	fl.StringVar(&f.out, "out", "", "directory for the shrunk scenario file and its report (default out/shrink-SCENARIO-seedN)")
	fl.StringArrayVar(&f.bugs, "bug", nil, "plant this bug of the catalog, as the failing run had (repeatable)")
	fl.BoolVar(&f.quiet, "quiet", false, "print only the result, not a line per candidate run")
	return cmd
}

// parseBudget reads --budget: a duration, or a whole number of runs.
func parseBudget(s string) (runs int, wall time.Duration, err error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return 0, 0, fmt.Errorf("--budget %s: want at least 1 run", s)
		}
		return n, 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("--budget %q: want a wall time such as 5m or 90s, or a number of runs such as 200", s)
	}
	return 0, d, nil
}

func runShrink(ctx context.Context, stdout, stderr io.Writer, reg *scenarios.Registry, outDir outputWriter, name string, f shrinkFlags) error {
	s, err := reg.Lookup(name)
	if err != nil {
		return err
	}
	set, err := scenarios.ParseSet(f.sets)
	if err != nil {
		return err
	}
	runs, wall, err := parseBudget(f.budget)
	if err != nil {
		return err
	}
	dir := f.out
	if dir == "" {
		dir = filepath.Join("out", fmt.Sprintf("shrink-%s-seed%d", s.Name, f.seed))
	}
	if err := makeOutDir(dir); err != nil {
		return err
	}
	unplant, err := plantBugs(f.bugs)
	if err != nil {
		return err
	}
	defer unplant()
	start := time.Now()
	cfg := shrink.Config{Scenario: s, Seed: f.seed, Set: set, Check: f.check, MaxRuns: runs}
	// Ctrl-C or SIGTERM ends the search as the budget does: the best run
	// found so far is written, then the command exits 130.
	cfg.Expired = func() bool { return ctx.Err() != nil || (wall > 0 && time.Since(start) > wall) }
	if !f.quiet {
		cfg.Progress = func(p shrink.Progress) {
			mark := "passes"
			if p.Failed {
				mark = "FAILS, kept"
			}
			fmt.Fprintf(stderr, "shrink: run %d (%v): %s: %s; best %s\n", p.Run, time.Since(start).Round(time.Second), p.Step, mark, p.Best)
		}
	}
	o, err := shrink.Shrink(cfg)
	if err != nil {
		if errors.Is(err, shrink.ErrPasses) {
			return &exitError{code: exitUsage, err: err}
		}
		return err
	}
	// The file derives from the scenario as the command line named it; a
	// file's path is made absolute so that the shrunk file runs from anywhere.
	base := s.Name
	if s.Source != "" && s.Source != s.Name {
		if base, err = filepath.Abs(s.Source); err != nil {
			return err
		}
	}
	fileName := fmt.Sprintf("%s-seed%d-shrunk", s.Name, f.seed)
	path := filepath.Join(dir, fileName+".toml")
	stopped := "a fixpoint: no single step makes it smaller"
	if o.Stopped {
		stopped = "the budget (" + f.budget + ")"
		if ctx.Err() != nil {
			stopped = "an interrupt (SIGINT or SIGTERM)"
		}
	}
	replay := scenarios.ReplayCommand(path, f.seed, nil) + scenarios.BugFlags(f.bugs)
	header := []string{
		"Shrunk by: " + shrinkCommand(name, f),
		fmt.Sprintf("It fails the check %q, as the original run did: %s.", o.Check, o.Summary()),
		fmt.Sprintf("%d runs; the search stopped at %s.", o.Runs, stopped),
		"Run it: " + replay,
	}
	if err := os.WriteFile(path, []byte(o.File(fileName, base, header)), 0o644); err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", dir, err)}
	}
	// The file must reproduce the failure: run it as a user would.
	fs, err := reg.Lookup(path)
	if err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("the shrunk file %s does not load: %w", path, err)}
	}
	res, err := scenarios.Execute(fs, scenarios.Options{Seed: f.seed})
	if err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("the shrunk file %s does not run: %w", path, err)}
	}
	if res.Hash != o.Best.Hash {
		return &exitError{code: exitFramework, err: fmt.Errorf("the shrunk file %s ran a different world (hash %s) than the shrunk run (hash %s)", path, res.Hash, o.Best.Hash)}
	}
	if err := outDir.WriteRun(dir, res); err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", dir, err)}
	}
	fmt.Fprintf(stdout, "shrunk scenario %s seed %d: it fails %q with %s\n", s.Name, f.seed, o.Check, o.Summary())
	fmt.Fprintln(stdout, "schedule:")
	for _, a := range res.Schedule {
		fmt.Fprintf(stdout, "  %s\n", a)
	}
	if len(o.Set) > 0 {
		fmt.Fprintf(stdout, "parameters:%s\n", setArgs(sortedSet(o.Set)))
	}
	fmt.Fprintf(stdout, "%d runs in %v, stopped at %s\n", o.Runs, time.Since(start).Round(time.Millisecond), stopped)
	fmt.Fprintf(stdout, "file: %s\nreport: %s\nrun it: %s\n", path, filepath.Join(dir, "report.html"), replay)
	if o.Stopped && ctx.Err() != nil {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: the file holds the smallest failing run found before the interrupt")}
	}
	return nil
}

// setArgs prints --set arguments.
func setArgs(sets []string) string {
	var b strings.Builder
	for _, s := range sets {
		b.WriteString(" --set " + scenarios.ShellQuote(s))
	}
	return b.String()
}

func sortedSet(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// shrinkCommand is the shrink command line that made a file: the failing
// run (scenario, seed, --set, --bug) and what steered the search (--check,
// and --budget when not the default; a count of runs makes the search
// repeat exactly).
func shrinkCommand(name string, f shrinkFlags) string {
	cmd := "simulate shrink " + scenarios.ShellQuote(name) + " --seed " + strconv.FormatUint(f.seed, 10) + setArgs(f.sets)
	if f.check != "" {
		cmd += " --check " + scenarios.ShellQuote(f.check)
	}
	if f.budget != "5m" {
		cmd += " --budget " + scenarios.ShellQuote(f.budget)
	}
	return cmd + scenarios.BugFlags(f.bugs)
}
