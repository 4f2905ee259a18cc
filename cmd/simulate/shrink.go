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

	"github.com/redsim/redsim/nodes/bugs"
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
	// buggify is --buggify on|off, sugar for --set buggify=on|off, as
	// run's is.
	buggify string
	quiet   bool
}

func newShrinkCmd(reg *scenarios.Registry, out outputWriter) *cobra.Command {
	f := shrinkFlags{seed: 1}
	cmd := &cobra.Command{
		Use:   "shrink SCENARIO",
		Short: "Make a failing run smaller: fewer faults, clients and operations, less virtual time",
		Long: "shrink takes a failing run (SCENARIO with --seed and --set) and searches for a smaller run of\n" +
			"the same seed that fails the same check: fewer nemesis actions (delta debugging), shorter\n" +
			"fault windows, fewer clients and nodes where the scenario has such parameters, and a shorter\n" +
			"duration. Each candidate is one deterministic run. Failing the same check means failing it\n" +
			"(--check, or the first check the run fails) and no check the original run passed: a smaller\n" +
			"run that fails another check too shows another failure, and is not kept.\n" +
			"With --bug, a candidate that fails runs once more without the planted bugs (a control run,\n" +
			"counted in --budget), and is kept only if that run fails no check the original passes without\n" +
			"them, so that the smaller run still fails because of the bugs. If the original run fails the\n" +
			"check without the bugs too, shrink says so and has no control runs.\n" +
			"It ends with a scenario file that derives from SCENARIO (base = ...) with the smaller\n" +
			"parameters and the explicit minimal schedule, that file's report, and a line saying how much\n" +
			"smaller it is. Running the file with the same seed fails the same check; shrink runs it once\n" +
			"more to make sure. A swarm run (--set swarm=on) gives a file without swarm: its schedule is\n" +
			"explicit, and a swarm profile only shapes a generated one.\n" +
			"It stops after --budget (a wall time such as 5m, or a number of runs such as 200) with the best\n" +
			"run found so far.\n" +
			"Exit status: 0 a smaller (or equally small) failing run was written, 2 bad usage or the run\n" +
			"does not fail, 3 the framework failed, 130 interrupted (SIGINT or SIGTERM) after writing the\n" +
			"smallest failing run found so far.",
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
	addBuggifyFlag(cmd, &f.buggify)
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
	if err := applyBuggify(set, f.buggify); err != nil {
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
	// The directory is made now, so that a bad path fails before the
	// search rather than after it, and removed again if nothing is
	// written into it (the run passes, the search fails).
	made, err := makeNewOutDir(dir)
	if err != nil {
		return err
	}
	written := false
	defer func() {
		if !written {
			removeEmptyDirs(made)
		}
	}()
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
	if len(f.bugs) > 0 {
		// The bugs are the process's (plantBugs): a control run turns
		// them off for its length.
		cfg.Unplanted = func(run func()) {
			bugs.DisableAll()
			defer func() { _, _ = plantBugs(f.bugs) }()
			run()
		}
	}
	if !f.quiet {
		cfg.Progress = func(p shrink.Progress) {
			fmt.Fprintf(stderr, "shrink: run %d (%v): %s; best %s\n", p.Run, time.Since(start).Round(time.Second), progressLine(p), p.Best)
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
		fmt.Sprintf("%s; the search stopped at %s.", runCount(o), stopped),
	}
	if note := controlNote(o, f.bugs); note != "" {
		header = append(header, note)
	}
	header = append(header, "Run it: "+replay)
	if err := os.WriteFile(path, []byte(o.File(fileName, base, header)), 0o644); err != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", dir, err)}
	}
	written = true
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
	fmt.Fprintf(stdout, "%s in %v, stopped at %s\n", runCount(o), time.Since(start).Round(time.Millisecond), stopped)
	if note := controlNote(o, f.bugs); note != "" {
		fmt.Fprintln(stdout, note)
	}
	fmt.Fprintf(stdout, "file: %s\nreport: %s\nrun it: %s\n", path, filepath.Join(dir, "report.html"), replay)
	if o.Stopped && ctx.Err() != nil {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: the file holds the smallest failing run found before the interrupt")}
	}
	return nil
}

// progressLine says what one run of the search found.
func progressLine(p shrink.Progress) string {
	other := strings.Join(p.Drift, ", ")
	switch {
	case p.Control && p.Step == "original":
		if p.Failed {
			return "the original without the planted bugs: FAILS too; the failure does not need them, so no control runs"
		}
		return "the original without the planted bugs: passes; a kept run must pass without them too"
	case p.Control:
		found := "passes, kept"
		switch {
		case p.Failed && other != "":
			found = "FAILS too, and fails " + other + ", dropped"
		case p.Failed:
			found = "FAILS too, dropped"
		case other != "":
			found = "fails " + other + ", which the original passes without them, dropped"
		}
		return "control: " + p.Step + " without the planted bugs: " + found
	case !p.Failed:
		return p.Step + ": passes"
	case other != "":
		return p.Step + ": FAILS, and fails " + other + ", which the original passes: another failure, dropped"
	case p.Kept:
		return p.Step + ": FAILS, kept"
	}
	return p.Step + ": FAILS; a control run without the planted bugs follows"
}

// runCount says how many runs the search took, and how many of them were
// control runs.
func runCount(o *shrink.Outcome) string {
	switch {
	case o.Controls == 0:
		return fmt.Sprintf("%d runs", o.Runs)
	case o.FailsUnplanted:
		return fmt.Sprintf("%d runs (one of them the original without the planted bugs)", o.Runs)
	}
	return fmt.Sprintf("%d runs (%d of them control runs without the planted bugs)", o.Runs, o.Controls)
}

// controlNote warns that the shrunk run was not checked against the bugs:
// the original fails the check without them too.
func controlNote(o *shrink.Outcome, bugs []string) string {
	if !o.FailsUnplanted {
		return ""
	}
	return fmt.Sprintf("The original run fails %q without%s too: the failure does not need the bugs, so no run was checked without them.", o.Check, scenarios.BugFlags(bugs))
}

// makeNewOutDir makes an --out directory as makeOutDir does and returns
// the directories it made, the deepest last.
func makeNewOutDir(dir string) ([]string, error) {
	var made []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			break
		}
		made = append([]string{d}, made...)
		if filepath.Dir(d) == d {
			break
		}
	}
	return made, makeOutDir(dir)
}

// removeEmptyDirs removes the directories makeNewOutDir made, the deepest
// first, where nothing was written into them.
func removeEmptyDirs(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		os.Remove(made[i]) // fails, and keeps it, when not empty
	}
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
	if f.buggify != "" {
		cmd += " --buggify " + scenarios.ShellQuote(f.buggify)
	}
	return cmd + scenarios.BugFlags(f.bugs)
}
