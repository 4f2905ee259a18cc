package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/live"
	"github.com/redsim/redsim/scenarios/nemesis"
	"github.com/redsim/redsim/sim"
	"github.com/spf13/cobra"
)

type runFlags struct {
	seed             uint64
	duration         string
	sets             []string
	trace            bool
	traceLevel       string
	checkDeterminism bool
	faults           bool
	scheduleOut      string
	out              string
	// expectHash is replay's --expect-hash; run leaves it empty.
	expectHash string
	// bugs are the planted bugs (--bug) the run has.
	bugs []string
	// buggify is --buggify on|off, sugar for --set buggify=on|off.
	buggify string
	// live runs real redis-server processes (scenarios/live); keep
	// leaves their directory behind.
	live, keep bool
}

func newRunCmd(reg *scenarios.Registry, out outputWriter) *cobra.Command {
	f := runFlags{seed: 1} // as --seed's help says, and shrink's default
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run one scenario with one seed",
		Long: "run builds the scenario's world from the seed, runs it, checks it and prints a summary\n" +
			"ending with one line: PASS|FAIL|UNKNOWN scenario=NAME seed=N hash=H.\n" +
			"SCENARIO is a built-in (simulate list) or a scenario file (a path ending in .toml).\n" +
			"With --out DIR it writes result.json, history.jsonl, summary.md and report.html there.\n" +
			"With --check-determinism it runs the seed twice more and names the first event at which\n" +
			"the runs differ (exit status 3).\n" +
			"With --live it runs the scenario's nodes as real redis-server processes on this machine\n" +
			"(root, redis-server and iptables needed): the same clients, checks and reports, on the real\n" +
			"clock, with real partitions, crashes and pauses; not deterministic (hash=live).\n" + exitStatuses,
		Example: "  simulate run ping --seed 7\n  simulate run ping --seed 7 --set nodes=3 --trace\n  simulate run ping --seed 7 --out out/ping-7\n" +
			"  sudo simulate run failover-partition --live --set duration=20s --set partition-at=4s --set heal-at=12s",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			defaultSignals(f.live)
			return runScenario(cmd.OutOrStdout(), cmd.ErrOrStderr(), reg, out, args[0], f)
		},
	}
	addRunFlags(cmd, &f)
	cmd.Flags().BoolVar(&f.checkDeterminism, "check-determinism", false, "run the seed twice more and name the first event at which the runs differ (exit status 3)")
	cmd.Flags().BoolVar(&f.live, "live", false, "run the topology as real redis-server processes on loopback addresses of this machine, faults as iptables rules and signals (needs root)")
	cmd.Flags().BoolVar(&f.keep, "keep", false, "with --live: keep the run's directory (redis.conf, logs, data) and print where it is")
	return cmd
}

// addRunFlags adds the flags run and replay share.
func addRunFlags(cmd *cobra.Command, f *runFlags) {
	fl := cmd.Flags()
	fl.Var((*seedValue)(&f.seed), "seed", "the world's seed, a whole number from 0 to 18446744073709551615 (default 1)")
	fl.StringVar(&f.duration, "duration", "", "virtual time to run, e.g. 60s (default: the scenario's)")
	fl.StringArrayVar(&f.sets, "set", nil, "set a scenario parameter, key=value (repeatable)")
	fl.BoolVar(&f.trace, "trace", false, "print the trace, one line per event")
	fl.StringVar(&f.traceLevel, "trace-level", "debug", "lowest level --trace prints: debug, info or fault")
	fl.BoolVar(&f.faults, "faults", false, "print the fault schedule")
	fl.StringVar(&f.scheduleOut, "schedule-out", "", "write the schedule as a scenario file's [[nemesis.action]] tables to this file")
	fl.StringVar(&f.out, "out", "", "write result.json, history.jsonl, summary.md and report.html into this directory (created if missing)")
	fl.StringArrayVar(&f.bugs, "bug", nil, "plant this bug of the catalog in every node (repeatable; simulate list --bugs)")
	addBuggifyFlag(cmd, &f.buggify)
}

// addBuggifyFlag adds --buggify, which run, replay and sweep share.
func addBuggifyFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "buggify", "", "on: fault sites inside the nodes fire now and then (simulate list --sites); the same as --set buggify=on (off: as --set buggify=off, which overrides a scenario file's setting)")
}

// applyBuggify turns --buggify into the setting it is sugar for, so that
// the result's replay command carries --set buggify=on (or off).
func applyBuggify(set map[string]string, flag string) error {
	switch flag {
	case "":
		return nil
	case "on", "off":
	default:
		return &scenarios.UsageError{Err: fmt.Errorf("--buggify %q: want on or off", flag)}
	}
	if v, ok := set["buggify"]; ok && v != flag {
		return &scenarios.UsageError{Err: fmt.Errorf("--buggify %s and --set buggify=%s disagree; give one of them", flag, v)}
	}
	// "off" is kept too: it overrides a scenario file's buggify = "on".
	set["buggify"] = flag
	return nil
}

func parseLevel(s string) (sim.Level, error) {
	switch s {
	case "debug":
		return sim.LevelDebug, nil
	case "info":
		return sim.LevelInfo, nil
	case "fault":
		return sim.LevelFault, nil
	}
	return 0, fmt.Errorf("--trace-level %q is unknown; one of debug, info, fault", s)
}

func runScenario(stdout, stderr io.Writer, reg *scenarios.Registry, outDir outputWriter, name string, f runFlags) error {
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
	if f.duration != "" {
		if v, ok := set["duration"]; ok && v != f.duration {
			return fmt.Errorf("--duration %s and --set duration=%s disagree; give one of them", f.duration, v)
		}
		set["duration"] = f.duration
	}
	if f.keep && !f.live {
		return errors.New("--keep keeps a live run's directory: give it with --live")
	}
	level, err := parseLevel(f.traceLevel)
	if err != nil {
		return err
	}
	expect := ""
	if f.expectHash != "" {
		if expect, err = parseExpectHash(f.expectHash); err != nil {
			return err
		}
	}
	if f.out != "" {
		if err := makeOutDir(f.out); err != nil {
			return err
		}
	}
	if f.scheduleOut != "" {
		// Fail now, not after the run (and its results), if the file
		// cannot be written.
		if err := checkWritable(f.scheduleOut); err != nil {
			return fmt.Errorf("--schedule-out: %w", err)
		}
	}
	unplant, err := plantBugs(f.bugs)
	if err != nil {
		return err
	}
	defer unplant()
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()

	opts := scenarios.Options{Seed: f.seed, Set: set, Failpoints: os.Getenv("GO_FAILPOINTS")}
	if f.out != "" {
		// A long run that streams its history writes it there as it goes.
		opts.HistoryFile = filepath.Join(f.out, reports.HistoryFile)
	}
	if f.trace {
		opts.Prepare = func(w *sim.World) { w.Trace().Print(out, level) }
	}
	if f.live {
		if f.trace || f.checkDeterminism || expect != "" || len(f.bugs) > 0 {
			return &exitError{code: exitUsage, err: errors.New("--live runs real processes: --trace, --check-determinism, --expect-hash and --bug are for simulated runs")}
		}
		closeLive, err := startLive(&opts, f, stderr)
		if err != nil {
			return err
		}
		defer closeLive()
	}
	start := time.Now()
	res, err := scenarios.Execute(s, opts)
	if errors.Is(err, live.ErrInterrupted) {
		return &exitError{code: exitInterrupted, err: fmt.Errorf("live run of %s interrupted; its processes and firewall rules are removed", s.Name)}
	}
	if err != nil {
		return err
	}
	wall := time.Since(start)
	if f.checkDeterminism {
		if err := checkDeterminism(out, s, f.seed, set); err != nil {
			return err
		}
	}
	diverged := expect != "" && res.Hash != expect
	printResult(out, res, f.faults)
	if diverged {
		// The verdicts above judge another world than the recorded one:
		// the closing line says so instead of PASS or FAIL.
		fmt.Fprintf(out, "DIVERGED scenario=%s seed=%d expected=%s got=%s\n", res.Scenario, res.Seed, expect, res.Hash)
	} else {
		fmt.Fprintln(out, res.StatusLine())
	}
	if res.Live {
		fmt.Fprintf(stderr, "ran live for %v of wall time\n", wall.Round(time.Millisecond))
	} else {
		fmt.Fprintf(stderr, "ran %d events, %v of virtual time, in %v of wall time\n", res.Events, res.Duration, wall.Round(time.Millisecond))
	}
	if f.out != "" {
		if err := outDir.WriteRun(f.out, res); err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", f.out, err)}
		}
	}
	if f.scheduleOut != "" {
		actions, final := withoutHealAll(res)
		text := "# The schedule of " + res.Replay() + ", to run, edit or shrink as a scenario file.\n" +
			"# In a scenario file of its own (no base), paste it as it is: the file adds a heal-all when its\n" +
			"# quiet period starts (duration minus quiet), and every action must come before that.\n"
		if final == nil {
			text += "# In a derived file (base = \"" + res.Source + "\"), paste it as it is too: its actions are the\n" +
				"# whole schedule, and the file adds nothing.\n"
		} else {
			text += "# In a derived file (base = \"" + res.Source + "\"), its actions are the whole schedule and the file\n" +
				"# adds nothing: paste it with the run's final heal-all, left out below, after it:\n#\n"
			for _, line := range strings.Split(strings.TrimSuffix(nemesis.FormatTOML([]nemesis.Action{*final}), "\n"), "\n") {
				text += strings.TrimSuffix("# "+line, " ") + "\n"
			}
		}
		if len(res.Overrides) > 0 {
			text += "# Either way the run's --set values go with it: a file's own lines, a derived file's [set].\n"
		}
		text += "\n" + nemesis.FormatTOML(actions)
		if err := os.WriteFile(f.scheduleOut, []byte(text), 0o644); err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--schedule-out: %w", err)}
		}
	}
	if diverged {
		return &exitError{code: exitFramework, err: fmt.Errorf(
			"replay of scenario %s seed %d diverged: expected hash=%s, got hash=%s; the build, the scenario or the --set values differ from the recorded run, or the run is not deterministic",
			res.Scenario, res.Seed, expect, res.Hash)}
	}
	return exitFor(res.Status())
}

// seedValue is --seed: a uint64 whose error says what a seed is instead of
// quoting strconv.
type seedValue uint64

func (s *seedValue) String() string { return strconv.FormatUint(uint64(*s), 10) }
func (s *seedValue) Type() string   { return "uint" }
func (s *seedValue) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return errors.New("a seed is a whole number from 0 to 18446744073709551615")
	}
	*s = seedValue(n)
	return nil
}

func printResult(out io.Writer, res *scenarios.Result, faults bool) {
	fmt.Fprintf(out, "scenario %s, seed %d, %v of virtual time, %d events\n", res.Scenario, res.Seed, res.Duration, res.Events)
	for _, fact := range res.Facts {
		fmt.Fprintf(out, "  %s\n", fact)
	}
	if faults {
		if res.Profile != nil {
			fmt.Fprintf(out, "%s\n", res.Profile)
		}
		fmt.Fprintln(out, "fault schedule:")
		for _, a := range res.Schedule {
			fmt.Fprintf(out, "  %s\n", a)
		}
	}
	fmt.Fprintln(out, "checks:")
	width := 12
	for _, v := range res.Verdicts {
		width = max(width, len(v.Checker)+1)
	}
	for _, v := range res.Verdicts {
		fmt.Fprintf(out, "  %-9s %-*s %s\n", v.Verdict, width, v.Checker, v.Summary)
		lines := v.Evidence.Lines()
		for i, e := range lines {
			if i == 10 {
				fmt.Fprintf(out, "            ... and %d more\n", len(lines)-10)
				break
			}
			fmt.Fprintf(out, "            %s\n", e)
		}
	}
}

// checkDeterminism runs the scenario twice more, keeping every event, and
// names the first event at which they differ.
func checkDeterminism(out io.Writer, s *scenarios.Scenario, seed uint64, set map[string]string) error {
	var traces [2]*sim.Trace
	for i := range traces {
		i := i
		_, err := scenarios.Execute(s, scenarios.Options{Seed: seed, Set: set, Prepare: func(w *sim.World) {
			w.Trace().Keep(sim.LevelDebug)
			traces[i] = w.Trace()
		}})
		if err != nil {
			return err
		}
	}
	if d := sim.FirstDifference(traces[0], traces[1]); d != "" {
		return &exitError{code: exitFramework, err: fmt.Errorf("NONDETERMINISM: scenario %s seed %d ran differently twice: %s", s.Name, seed, d)}
	}
	fmt.Fprintf(out, "determinism: two more runs gave the same %d events, hash %s\n", traces[0].Count(), scenarios.FormatHash(traces[0].Hash()))
	return nil
}

// withoutHealAll drops the heal-all that starts res's quiet period, which
// a scenario file adds itself, and returns it (nil when there is none: a
// scenario without a quiet parameter, or a schedule that does not end with
// one). Every other heal-all is the run's own, a generated schedule's or
// a scenario's mid-run heal, and stays.
func withoutHealAll(res *scenarios.Result) ([]nemesis.Action, *nemesis.Action) {
	quiet, err := time.ParseDuration(res.Params["quiet"])
	n := len(res.Schedule)
	if err != nil || n == 0 {
		return res.Schedule, nil
	}
	if last := res.Schedule[n-1]; last.Op == nemesis.OpHealAll && last.At == res.Duration-quiet {
		return res.Schedule[:n-1], &last
	}
	return res.Schedule, nil
}

// plantBugs enables the named catalog entries for this process; the
// returned function disables them again.
func plantBugs(names []string) (func(), error) {
	for _, n := range names {
		if err := bugs.Enable(n); err != nil {
			bugs.DisableAll()
			return nil, fmt.Errorf("--bug: %w", err)
		}
	}
	return bugs.DisableAll, nil
}

// startLive makes the live backend of a run: what the machine lacks is a
// usage error (exit 2) naming how to get it. SIGINT and SIGTERM end the
// run early; the returned function removes every process, rule and
// directory the run made, whatever happened, and stops the signal
// handling.
func startLive(opts *scenarios.Options, f runFlags, stderr io.Writer) (func(), error) {
	if err := live.Check(); err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	b, err := live.New(ctx, live.Options{Seed: f.seed, Keep: f.keep})
	if err != nil {
		stop()
		return nil, &exitError{code: exitFramework, err: fmt.Errorf("--live: %w", err)}
	}
	opts.Backend = b
	return func() {
		if err := b.Close(); err != nil {
			fmt.Fprintf(stderr, "live: cleanup: %v\n", err)
		}
		if f.keep {
			fmt.Fprintf(stderr, "live: the run's directory is %s\n", b.Root())
		}
		stop()
	}, nil
}

// defaultSignals gives SIGINT and SIGTERM back their default action for a
// simulated run, which has nothing to save before its end: the first
// Ctrl-C ends it (main's handler, meant for sweep and serve, would let
// it run on). A live run keeps the handler, which removes the processes
// and iptables rules it made.
func defaultSignals(live bool) {
	if !live {
		signal.Reset(os.Interrupt, syscall.SIGTERM)
	}
}

// checkWritable fails when path cannot be created or written (a directory,
// a missing parent) and leaves what it found: an existing file keeps its
// bytes, a new one is removed again.
func checkWritable(path string) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	f.Close()
	if os.IsNotExist(statErr) {
		return os.Remove(path)
	}
	return nil
}
