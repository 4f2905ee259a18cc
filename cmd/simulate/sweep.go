package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
	resume   string
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
			"Results are appended to results.jsonl and synced seed by seed. Ctrl-C (SIGINT) or SIGTERM\n" +
			"lets the running seeds finish, prints the summary of what ran and exits with status 130;\n" +
			"--resume DIR then runs only the seeds that have no line in DIR/results.jsonl (also after a\n" +
			"kill -9) and summarizes all of them.\n" +
			"\n" +
			"Exit status: 0 every seed passed, 1 a check found a violation in some seed, 2 bad usage,\n" +
			"3 a framework failure in some seed (3 wins over 1), 4 no violation but some seed UNKNOWN\n" +
			"(1 and 3 win over 4), 130 interrupted.",
		Example: "  simulate sweep ping --seeds 1-100\n" +
			"  simulate sweep ping --seeds 1-1000 --shard 2/8 --out out/shard-2 --junit out/shard-2.xml\n" +
			"  simulate sweep standalone-crash --seeds 1,5,9 --set appendfsync=no --fail-fast\n" +
			"  simulate sweep replication --seeds 1-5000 --resume out/r   # after an interrupted --out out/r",
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
	fl.StringVar(&f.resume, "resume", "", "finish an interrupted sweep whose --out was DIR: seeds with a line in DIR/results.jsonl are not run again")
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
	if f.resume != "" {
		if f.out != "" && filepath.Clean(f.out) != filepath.Clean(f.resume) {
			return fmt.Errorf("--out %s and --resume %s name different directories; --resume DIR writes into DIR", f.out, f.resume)
		}
		f.out = f.resume
	}
	var (
		results *os.File
		earlier []sweep.Entry // seeds an interrupted run of this sweep finished
	)
	if f.out != "" {
		if err := makeOutDir(f.out); err != nil {
			return err
		}
		path := filepath.Join(f.out, "results.jsonl")
		if f.resume != "" {
			if earlier, err = resumeResults(path, s.Name, effective, seeds); err != nil {
				return err
			}
			results, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		} else {
			results, err = os.Create(path)
		}
		if err != nil {
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
	done := map[uint64]bool{}
	for _, e := range earlier {
		done[e.Seed] = true
	}
	var todo []uint64
	for _, seed := range seeds {
		if !done[seed] {
			todo = append(todo, seed)
		}
	}
	if len(earlier) > 0 {
		fmt.Fprintf(stdout, "resuming: %d of %d seeds already have results in %s; running the other %d\n",
			len(earlier), len(seeds), filepath.Join(f.out, "results.jsonl"), len(todo))
	}

	started := time.Now()
	bar := newProgress(stdout, isTerminal(stdout, getenv), len(todo))
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
			writeErr = appendResult(results, line)
		}
	}
	sum, err := sweep.Run(ctx, sweep.Config{
		Scenario: s, Seeds: todo, Set: set, Jobs: f.jobs, FailFast: f.failFast, OnResult: onResult,
	})
	bar.finish()
	interrupted := false
	if err != nil {
		var ue *scenarios.UsageError
		switch {
		case errors.As(err, &ue):
			return err
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			// Ctrl-C or SIGTERM: what ran is kept and summarized below.
			interrupted = true
		default:
			return &exitError{code: exitFramework, err: err}
		}
	}
	sum = mergeEarlier(sum, earlier, seeds)
	jobs := f.jobs
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	jobs = max(1, min(jobs, len(todo)))
	skippedWhy := "--fail-fast stopped the sweep at the first failure"
	if interrupted {
		skippedWhy = "the sweep was interrupted"
	}
	printSweepSummary(stdout, name, s.Name, set, scope, jobs, sum, skippedWhy)
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
				se.Hash, se.Status = e.Result.Hash, string(e.Result.Status())
				se.Verdicts = e.Result.Report("").Verdicts
				if se.Status != string(sweep.Pass) {
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
		if err := writeJUnit(f.junit, junitReport(s.Name, name, set, props, started, sum, skippedWhy)); err != nil {
			return &exitError{code: exitFramework, err: err}
		}
		fmt.Fprintf(stdout, "junit: %s\n", f.junit)
	}
	if interrupted {
		msg := fmt.Sprintf("interrupted: %d of %d seeds have results", len(sum.Entries), len(seeds))
		if f.out != "" {
			msg += "; to run the rest: " + resumeCommand(name, f, f.out)
		} else {
			msg += "; with --out DIR an interrupted sweep can be resumed with --resume DIR"
		}
		return &exitError{code: exitInterrupted, err: errors.New(msg)}
	}
	return sweepStatus(sum)
}

// appendResult writes one line of results.jsonl and syncs it to disk, so
// that a killed sweep loses at most the seed it was writing.
func appendResult(f *os.File, line resultLine) error {
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return err
	}
	return f.Sync()
}

// resumeResults reads the results.jsonl of an interrupted sweep: the seeds of
// this sweep that already have a line, as entries. A last line cut short by a
// kill is dropped (its seed runs again) and the file truncated after the last
// whole line. Lines of another scenario or other parameters are refused: the
// results would mix two sweeps.
func resumeResults(path, scenario string, params map[string]string, seeds []uint64) ([]sweep.Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--resume %s: there is no results.jsonl to resume from; start the sweep with --out %s", filepath.Dir(path), filepath.Dir(path))
		}
		return nil, fmt.Errorf("--resume: %w", err)
	}
	if whole := bytes.LastIndexByte(data, '\n') + 1; whole < len(data) {
		if err := os.Truncate(path, int64(whole)); err != nil {
			return nil, fmt.Errorf("--resume: dropping the cut-off last line of %s: %w", path, err)
		}
		data = data[:whole]
	}
	wanted := map[uint64]bool{}
	for _, seed := range seeds {
		wanted[seed] = true
	}
	var out []sweep.Entry
	seen := map[uint64]bool{}
	for i, raw := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var l resultLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("--resume: %s:%d is not a result line: %v", path, i+1, err)
		}
		if l.Scenario != scenario {
			return nil, fmt.Errorf("--resume: %s:%d is a result of scenario %s, not %s; resume with the scenario and --set values of the interrupted sweep", path, i+1, l.Scenario, scenario)
		}
		for k, v := range params {
			if got, ok := l.Params[k]; ok && got != v {
				return nil, fmt.Errorf("--resume: %s:%d ran with %s=%s, this sweep has %s=%s; resume with the --set values of the interrupted sweep", path, i+1, k, got, k, v)
			}
		}
		if !wanted[l.Seed] || seen[l.Seed] {
			continue
		}
		seen[l.Seed] = true
		e := sweep.Entry{Seed: l.Seed, Wall: time.Duration(l.WallMS * float64(time.Millisecond))}
		if l.Status == sweep.Errored {
			e.Err = errors.New(l.Error)
		} else {
			e.Result = &scenarios.Result{Scenario: l.Scenario, Seed: l.Seed, Hash: l.Hash, Params: l.Params, Verdicts: l.Verdicts}
		}
		out = append(out, e)
	}
	return out, nil
}

// mergeEarlier adds the entries of an interrupted run to this run's summary,
// everything in the order of seeds.
func mergeEarlier(sum sweep.Summary, earlier []sweep.Entry, seeds []uint64) sweep.Summary {
	if len(earlier) == 0 {
		return sum
	}
	bySeed := map[uint64]sweep.Entry{}
	for _, e := range append(earlier, sum.Entries...) {
		bySeed[e.Seed] = e
	}
	merged := sweep.Summary{Skipped: sum.Skipped, Wall: sum.Wall}
	for _, seed := range seeds {
		e, ok := bySeed[seed]
		if !ok {
			continue
		}
		merged.Entries = append(merged.Entries, e)
		switch e.Status() {
		case sweep.Pass:
			merged.Passed++
		case sweep.Fail:
			merged.Failed++
		case sweep.Unknown:
			merged.Unknown++
		default:
			merged.Errored++
		}
	}
	return merged
}

// resumeCommand is the command that finishes this sweep after an
// interrupt: the same scenario, seeds, shard and --set values, with
// --resume DIR.
func resumeCommand(arg string, f sweepFlags, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulate sweep %s --seeds %s", shellQuote(arg), shellQuote(f.seeds))
	if f.jobs != 0 {
		fmt.Fprintf(&b, " --jobs %d", f.jobs)
	}
	if f.shard != "" {
		fmt.Fprintf(&b, " --shard %s", shellQuote(f.shard))
	}
	if f.shards != 0 {
		fmt.Fprintf(&b, " --shards %d", f.shards)
	}
	for _, s := range f.sets {
		fmt.Fprintf(&b, " --set %s", shellQuote(s))
	}
	if f.junit != "" {
		fmt.Fprintf(&b, " --junit %s", shellQuote(f.junit))
	}
	if f.failFast {
		b.WriteString(" --fail-fast")
	}
	fmt.Fprintf(&b, " --resume %s", shellQuote(dir))
	return b.String()
}

// sweepStatus is a finished sweep's exit status: a framework failure in any
// seed outranks a violation in another, since it means some seeds were not
// judged at all; a violation outranks an undecided seed.
func sweepStatus(sum sweep.Summary) error {
	switch {
	case sum.Errored > 0:
		return &exitError{code: exitFramework}
	case sum.Failed > 0:
		return &exitError{code: exitViolation}
	case sum.Unknown > 0:
		return &exitError{code: exitUnknown}
	}
	return nil
}

// printSweepSummary closes a sweep: the counts, then every seed that did not
// pass with the command that replays it, then one status line.
// skippedWhy says why seeds in sum.Skipped did not run.
func printSweepSummary(out io.Writer, arg, scenario string, set map[string]string, scope string, jobs int, sum sweep.Summary, skippedWhy string) {
	ran := len(sum.Entries)
	rate := 0.0
	if sum.Wall > 0 {
		rate = float64(ran) / sum.Wall.Minutes()
	}
	fmt.Fprintf(out, "sweep %s (%s): %d seeds ran in %v with %d jobs (%.0f seeds/min): %d passed, %d failed, %d unknown, %d framework errors, %d skipped\n",
		scenario, scope, ran, sum.Wall.Round(time.Millisecond), jobs, rate, sum.Passed, sum.Failed, sum.Unknown, sum.Errored, len(sum.Skipped))
	if sum.Failed+sum.Unknown+sum.Errored > 0 {
		fmt.Fprintln(out, "failing seeds:")
		for _, e := range sum.Entries {
			switch e.Status() {
			case sweep.Fail, sweep.Unknown:
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
		fmt.Fprintf(out, "not run, as %s: %d seeds, from seed %d\n", skippedWhy, n, sum.Skipped[0])
	}
	status := "PASS"
	switch {
	case sum.Failed+sum.Errored > 0:
		status = "FAIL"
	case len(sum.Skipped) > 0: // only an interrupt skips seeds without a failure
		status = "INTERRUPTED"
	case sum.Unknown > 0:
		status = "UNKNOWN"
	}
	fmt.Fprintf(out, "%s sweep scenario=%s seeds=%d passed=%d failed=%d unknown=%d errors=%d skipped=%d\n",
		status, scenario, ran+len(sum.Skipped), sum.Passed, sum.Failed, sum.Unknown, sum.Errored, len(sum.Skipped))
}
