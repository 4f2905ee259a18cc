package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/sweep"
	"github.com/spf13/cobra"
)

// sweepFlags are `simulate sweep`'s options.
type sweepFlags struct {
	seeds    string
	jobs     int
	shard    string
	shards   int
	sets     []string
	out      string
	junit    string
	failFast bool
}

func newSweepCmd(reg *scenarios.Registry, out outputWriter, getenv func(string) string) *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --seeds A-B",
		Short: "Run one scenario over many seeds, in parallel",
		Long: "sweep runs the scenario once per seed, each seed an independent world, --jobs worlds\n" +
			"at a time. It prints a line per seed in seed order (with a progress bar on a terminal)\n" +
			"and closes with a summary that gives, for every failing seed, the command that replays it.\n" +
			"\n" +
			"With --out DIR it writes DIR/results.jsonl, one JSON object per seed (scenario, seed,\n" +
			"status, hash, passed, verdicts, params, wall_ms, error, replay), and DIR/seed-N/result.json\n" +
			"for every failing seed. With --junit FILE it writes JUnit XML, one testcase per seed.\n" +
			"\n" +
			"Sharding: --shard I/N runs the I-th of N shards (I from 0), every N-th seed of the list\n" +
			"starting at position I, so N machines together run every seed once. Without --shard,\n" +
			"JOB_COMPLETION_INDEX (set in the pods of a Kubernetes Indexed Job) gives I and --shards\n" +
			"gives N (the Job's completions). Shards' results.jsonl files merge with cat:\n" +
			"  cat shard-*/results.jsonl > results.jsonl\n" +
			"\n" +
			"Exit status: 0 every seed passed, 1 a check found a violation in some seed, 2 bad usage,\n" +
			"3 a framework failure in some seed (3 wins over 1).",
		Example: "  simulate sweep ping --seeds 1-100\n" +
			"  simulate sweep ping --seeds 1-1000 --shard 2/8 --out out/shard-2 --junit out/shard-2.xml\n" +
			"  simulate sweep standalone-crash --seeds 1,5,9 --set appendfsync=no --fail-fast",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSweep(cmd.Context(), cmd.OutOrStdout(), reg, out, getenv, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.seeds, "seeds", "", "seeds to run: a range 1-100, a list 1,5,9, or both: 1-10,42")
	fl.IntVar(&f.jobs, "jobs", 0, "worlds to run at once (default: the number of CPUs)")
	fl.StringVar(&f.shard, "shard", "", "run shard I of N (I from 0), e.g. 0/4: every N-th seed from position I")
	fl.IntVar(&f.shards, "shards", 0, "the number of shards when JOB_COMPLETION_INDEX gives the shard index")
	fl.StringArrayVar(&f.sets, "set", nil, "set a scenario parameter for every seed, key=value (repeatable)")
	fl.StringVar(&f.out, "out", "", "write results.jsonl, and result.json of failing seeds, into this directory")
	fl.StringVar(&f.junit, "junit", "", "write JUnit XML to this file")
	fl.BoolVar(&f.failFast, "fail-fast", false, "start no more seeds after the first failure")
	_ = cmd.MarkFlagRequired("seeds")
	return cmd
}

// resultLine is one line of results.jsonl.
type resultLine struct {
	Scenario string              `json:"scenario"`
	Seed     uint64              `json:"seed"`
	Status   sweep.Status        `json:"status"`
	Hash     string              `json:"hash"`
	Passed   bool                `json:"passed"`
	Verdicts []scenarios.Verdict `json:"verdicts"`
	Params   map[string]string   `json:"params"`
	WallMS   float64             `json:"wall_ms"`
	Error    string              `json:"error,omitempty"`
	// Replay is the command that runs the seed again, for seeds that did
	// not pass.
	Replay string `json:"replay,omitempty"`
}

// shardOf resolves --shard, --shards and JOB_COMPLETION_INDEX; count 0 means
// no sharding.
func shardOf(f sweepFlags, getenv func(string) string) (index, count int, err error) {
	if f.shard != "" {
		return sweep.ParseShard(f.shard)
	}
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		return sweep.ShardFromJobIndex(v, f.shards)
	}
	if f.shards != 0 {
		return 0, 0, fmt.Errorf("--shards %d needs JOB_COMPLETION_INDEX in the environment for the shard index; outside a Kubernetes Indexed Job use --shard I/N", f.shards)
	}
	return 0, 0, nil
}

func runSweep(ctx context.Context, stdout io.Writer, reg *scenarios.Registry, outDir outputWriter, getenv func(string) string, name string, f sweepFlags) error {
	s, err := reg.Lookup(name)
	if err != nil {
		return err
	}
	set, err := scenarios.ParseSet(f.sets)
	if err != nil {
		return err
	}
	params, err := scenarios.NewParams(s.Params, set)
	if err != nil {
		return &scenarios.UsageError{Err: fmt.Errorf("scenario %s: %w", s.Name, err)}
	}
	effective := map[string]string{}
	params.Each(func(k, v string) { effective[k] = v })
	seeds, err := sweep.ParseSeeds(f.seeds)
	if err != nil {
		return err
	}
	shardIndex, shardCount, err := shardOf(f, getenv)
	if err != nil {
		return err
	}
	scope := fmt.Sprintf("seeds %s", f.seeds)
	if shardCount > 0 {
		seeds = sweep.Shard(seeds, shardIndex, shardCount)
		scope += fmt.Sprintf(", shard %d/%d", shardIndex, shardCount)
	}
	if f.jobs < 0 {
		return fmt.Errorf("--jobs %d: want at least 1, or 0 for one per CPU", f.jobs)
	}
	var results *os.File
	if f.out != "" {
		if err := makeOutDir(f.out); err != nil {
			return err
		}
		if results, err = os.Create(filepath.Join(f.out, "results.jsonl")); err != nil {
			return fmt.Errorf("--out %s: %w", f.out, err)
		}
		defer results.Close()
	}
	if f.junit != "" {
		// Fail now, not after an hour of seeds, if the file cannot be written.
		if err := os.WriteFile(f.junit, nil, 0o644); err != nil {
			return fmt.Errorf("--junit %s: %w", f.junit, err)
		}
	}

	started := time.Now()
	bar := newProgress(stdout, isTerminal(stdout, getenv), len(seeds))
	var writeErr error
	onResult := func(e sweep.Entry) {
		bar.entry(s.Name, e)
		if results == nil || writeErr != nil {
			return
		}
		line := resultLine{Scenario: s.Name, Seed: e.Seed, Status: e.Status(), Params: effective,
			WallMS: float64(e.Wall.Microseconds()) / 1000, Verdicts: []scenarios.Verdict{}}
		if e.Status() != sweep.Pass {
			line.Replay = replayCommand(name, e.Seed, set)
		}
		if e.Err != nil {
			line.Error = e.Err.Error()
		} else {
			line.Hash, line.Passed, line.Verdicts, line.Params = e.Result.Hash, e.Result.Passed(), e.Result.Verdicts, e.Result.Params
			if !line.Passed {
				dir := filepath.Join(f.out, "seed-"+strconv.FormatUint(e.Seed, 10))
				if writeErr = os.MkdirAll(dir, 0o755); writeErr == nil {
					writeErr = outDir.WriteRun(dir, e.Result, line.Replay)
				}
			}
		}
		if writeErr == nil {
			b, err := json.Marshal(line)
			if err == nil {
				_, err = results.Write(append(b, '\n'))
			}
			writeErr = err
		}
	}
	sum, err := sweep.Run(ctx, sweep.Config{
		Scenario: s, Seeds: seeds, Set: set, Jobs: f.jobs, FailFast: f.failFast, OnResult: onResult,
	})
	bar.finish()
	if err != nil {
		var ue *scenarios.UsageError
		if errors.As(err, &ue) {
			return err
		}
		return &exitError{code: exitFramework, err: err}
	}
	jobs := f.jobs
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	jobs = max(1, min(jobs, len(seeds)))
	printSweepSummary(stdout, name, s.Name, set, scope, jobs, sum)
	if writeErr != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", f.out, writeErr)}
	}
	if f.out != "" {
		var entries []reports.SweepEntry
		for _, e := range sum.Entries {
			se := reports.SweepEntry{Scenario: s.Name, Seed: e.Seed, Duration: e.Wall}
			if e.Err != nil {
				se.Err = e.Err.Error()
			} else if e.Result != nil {
				se.Hash, se.Passed = e.Result.Hash, e.Result.Passed()
				se.Verdicts = e.Result.Report("").Verdicts
				if !se.Passed {
					se.Replay = replayCommand(name, e.Seed, set)
				}
			}
			entries = append(entries, se)
		}
		if err := reports.WriteSweepSummary(f.out, entries); err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", f.out, err)}
		}
		fmt.Fprintf(stdout, "results: %s, %s\n", filepath.Join(f.out, "results.jsonl"), filepath.Join(f.out, "summary.md"))
	}
	if f.junit != "" {
		props := []junitProperty{{"seeds", f.seeds}, {"jobs", strconv.Itoa(jobs)}}
		if shardCount > 0 {
			props = append(props, junitProperty{"shard", fmt.Sprintf("%d/%d", shardIndex, shardCount)})
		}
		for _, k := range sortedKeys(set) {
			props = append(props, junitProperty{"set." + k, set[k]})
		}
		if err := writeJUnit(f.junit, junitReport(s.Name, name, set, props, started, sum)); err != nil {
			return &exitError{code: exitFramework, err: err}
		}
		fmt.Fprintf(stdout, "junit: %s\n", f.junit)
	}
	return sweepStatus(sum)
}

// sweepStatus is a finished sweep's exit status: a framework failure in any
// seed outranks a violation in another, since it means some seeds were not
// judged at all.
func sweepStatus(sum sweep.Summary) error {
	switch {
	case sum.Errored > 0:
		return &exitError{code: exitFramework}
	case sum.Failed > 0:
		return &exitError{code: exitViolation}
	}
	return nil
}

// printSweepSummary closes a sweep: the counts, then every seed that did not
// pass with the command that replays it, then one status line.
func printSweepSummary(out io.Writer, arg, scenario string, set map[string]string, scope string, jobs int, sum sweep.Summary) {
	ran := len(sum.Entries)
	rate := 0.0
	if sum.Wall > 0 {
		rate = float64(ran) / sum.Wall.Minutes()
	}
	fmt.Fprintf(out, "sweep %s (%s): %d seeds ran in %v with %d jobs (%.0f seeds/min): %d passed, %d failed, %d framework errors, %d skipped\n",
		scenario, scope, ran, sum.Wall.Round(time.Millisecond), jobs, rate, sum.Passed, sum.Failed, sum.Errored, len(sum.Skipped))
	if sum.Failed+sum.Errored > 0 {
		fmt.Fprintln(out, "failing seeds:")
		for _, e := range sum.Entries {
			switch e.Status() {
			case sweep.Fail:
				fmt.Fprintf(out, "  seed %d hash=%s: %s\n", e.Seed, e.Result.Hash, failedChecks(e))
			case sweep.Errored:
				fmt.Fprintf(out, "  seed %d: framework error: %s\n", e.Seed, firstLine(e.Err.Error()))
			default:
				continue
			}
			fmt.Fprintf(out, "    %s\n", replayCommand(arg, e.Seed, set))
		}
	}
	if n := len(sum.Skipped); n > 0 {
		fmt.Fprintf(out, "skipped after the first failure (--fail-fast): %d seeds, from seed %d\n", n, sum.Skipped[0])
	}
	status := "PASS"
	if !sum.OK() {
		status = "FAIL"
	}
	fmt.Fprintf(out, "%s sweep scenario=%s seeds=%d passed=%d failed=%d errors=%d skipped=%d\n",
		status, scenario, ran+len(sum.Skipped), sum.Passed, sum.Failed, sum.Errored, len(sum.Skipped))
}
