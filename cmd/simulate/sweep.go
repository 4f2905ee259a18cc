package main

import (
	"cmp"
	"context"
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
	checkDet bool
	resume   string
	// expectRate is --expect-rate: the band the violation rate must lie in.
	expectRate string
	// bugs are the planted bugs (--bug) every seed has.
	bugs []string
	// buggify is --buggify on|off, sugar for --set buggify=on|off.
	buggify string
	// reports is --reports: how many failing seeds get a whole report
	// (negative: every one); the others get result.json.
	reports int
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
			"status, hash, passed, verdicts, params, wall_ms, error, replay, probes, build), summary.md,\n" +
			"coverage.json, sweep.json, and for every seed that did not pass DIR/seed-N/result.json,\n" +
			"with the whole report (history.jsonl, summary.md, report.html, linearizability.html)\n" +
			"for the first --reports of them in seed order. With --junit FILE it writes JUnit XML,\n" +
			"one testcase per seed.\n" +
			"\n" +
			"Sharding: --shard I/N runs the I-th of N shards (I from 0), every N-th seed of the list\n" +
			"starting at position I, so N machines together run every seed once. Without --shard,\n" +
			"JOB_COMPLETION_INDEX (set in the pods of a Kubernetes Indexed Job) gives I and --shards\n" +
			"gives N (the Job's completions). With --out, each shard's directory records what it ran\n" +
			"(sweep.json: scenario, parameters, seeds, shard, build), and simulate merge combines the\n" +
			"shards' directories into one sweep's results.jsonl, summary.md, coverage and JUnit file:\n" +
			"  simulate merge out/shard-* --out out/all --junit out/all.xml\n" +
			"(deploy/k8s/sweep-job.yaml runs the shards as a Kubernetes Indexed Job, docs/ci.md as a\n" +
			"GitHub Actions matrix.)\n" +
			"\n" +
			"Results are appended to results.jsonl and synced seed by seed. Ctrl-C (SIGINT) or SIGTERM\n" +
			"lets the running seeds finish, prints the summary of what ran and exits with status 130;\n" +
			"--resume DIR then runs only the seeds that have no line in DIR/results.jsonl (also after a\n" +
			"kill -9) and summarizes all of them.\n" +
			"\n" +
			"Memory: a sweep trades memory for CPU, running Go's collector at GOGC=400 under a memory\n" +
			"limit of 160 MiB per job (320 MiB at least), and at Go's defaults once the worlds are too\n" +
			"large for that; GOGC or GOMEMLIMIT in the environment override it.\n" +
			"\n" +
			"Exit status: 0 every seed passed, 1 a check found a violation in some seed, 2 bad usage,\n" +
			"3 a framework failure in some seed (3 wins over 1), 4 no violation but some seed UNKNOWN\n" +
			"(1 and 3 win over 4), 130 interrupted. With --expect-rate LO-HI (for a scenario that is\n" +
			"unsafe by design) the violation rate decides: 0 inside the band, 1 outside, 3 on a\n" +
			"framework failure.",
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
	fl.BoolVar(&f.checkDet, "check-determinism", false, "run every seed twice; a seed whose runs differ is a framework error (exit status 3)")
	fl.StringVar(&f.expectRate, "expect-rate", "", "for an unsafe scenario: pass when the fraction of seeds with a violation lies in LO-HI (e.g. 0.9-1 or 60%-85%), fail when it leaves the band")
	fl.StringArrayVar(&f.bugs, "bug", nil, "plant this bug of the catalog in every node of every seed (repeatable; simulate list --bugs)")
	fl.IntVar(&f.reports, "reports", defaultSweepReports, "with --out, write the whole report (history.jsonl, report.html, ...) of the first N seeds that did not pass, in seed order, and result.json alone of the others; -1 for every one")
	fl.StringVar(&f.resume, "resume", "", "finish an interrupted sweep whose --out was DIR: seeds with a line in DIR/results.jsonl are not run again")
	addBuggifyFlag(cmd, &f.buggify)
	_ = cmd.MarkFlagRequired("seeds")
	return cmd
}

// shardOf resolves --shard, --shards and JOB_COMPLETION_INDEX; count 0 means
// no sharding.
func shardOf(f sweepFlags, getenv func(string) string) (index, count int, err error) {
	if f.shard != "" {
		if f.shards != 0 {
			return 0, 0, fmt.Errorf("--shard %s and --shards %d: give one of them (--shards is for JOB_COMPLETION_INDEX)", f.shard, f.shards)
		}
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

// defaultSweepReports is --reports' default: enough whole reports to
// study a failure from several seeds, where every one of a thousand
// failing seeds' (some 6 MB each for failover-partition) would double the
// sweep's time and fill a CI artifact.
const defaultSweepReports = 20

func runSweep(ctx context.Context, stdout io.Writer, reg *scenarios.Registry, outDir outputWriter, getenv func(string) string, name string, f sweepFlags) error {
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
	// Every setting of the world, the framework's swarm and buggify
	// included: what resume and merge compare.
	effective, err := scenarios.EffectiveParams(s, set)
	if err != nil {
		return err
	}
	unplant, err := plantBugs(f.bugs)
	if err != nil {
		return err
	}
	defer unplant()
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
	if f.reports < -1 {
		return fmt.Errorf("--reports %d: want a count of seeds, or -1 for every one", f.reports)
	}
	var band rateBand
	if f.expectRate != "" {
		if band, err = parseRateBand(f.expectRate); err != nil {
			return err
		}
		if f.failFast {
			return errors.New("--expect-rate and --fail-fast do not go together: the rate needs every seed")
		}
	}
	if f.resume != "" {
		if f.out != "" && filepath.Clean(f.out) != filepath.Clean(f.resume) {
			return fmt.Errorf("--out %s and --resume %s name different directories; --resume DIR writes into DIR", f.out, f.resume)
		}
		f.out = f.resume
	}
	var (
		results *os.File
		earlier []reports.SweepEntry // seeds an interrupted run of this sweep finished
		build   string               // the binary's identity, recorded with --out
	)
	started := time.Now()
	if f.out != "" {
		if err := makeOutDir(f.out); err != nil {
			return err
		}
		build = buildIdentity()
		path := filepath.Join(f.out, reports.SweepResultsFile)
		manifest := reports.SweepManifest{Scenario: s.Name, Source: name, Digest: s.Digest, Params: effective, Set: set, Bugs: f.bugs,
			Seeds: f.seeds, ShardIndex: shardIndex, ShardCount: shardCount, ExpectRate: f.expectRate, Build: build, Started: started}
		if f.resume != "" {
			if err := resumeManifest(f.out, manifest); err != nil {
				return err
			}
			if earlier, err = resumeResults(path, s.Name, effective, build, seeds); err != nil {
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
		if f.resume == "" {
			// A new sweep into a directory used before: an earlier sweep's
			// seed-N directories would otherwise mix with this one's.
			if err := removeSeedDirs(f.out); err != nil {
				return err
			}
		}
		if err := reports.WriteSweepManifest(f.out, manifest); err != nil {
			return fmt.Errorf("--out %s: %w", f.out, err)
		}
	}
	if f.junit != "" {
		// Fail now, not after an hour of seeds, if the file cannot be written.
		if err := os.WriteFile(f.junit, nil, 0o644); err != nil {
			return fmt.Errorf("--junit %s: %w", f.junit, err)
		}
	}
	done := map[uint64]reports.SweepEntry{}
	for _, e := range earlier {
		done[e.Seed] = e
	}
	var todo []uint64
	for _, seed := range seeds {
		if _, ok := done[seed]; !ok {
			todo = append(todo, seed)
		}
	}
	if len(earlier) > 0 {
		fmt.Fprintf(stdout, "resuming: %d of %d seeds already have results in %s; running the other %d\n",
			len(earlier), len(seeds), filepath.Join(f.out, reports.SweepResultsFile), len(todo))
	}

	running := f.jobs
	if running == 0 {
		running = runtime.NumCPU()
	}
	defer tuneGC(max(1, min(running, len(todo))), getenv)()

	// whole and short count the failing seeds given a whole report and
	// result.json alone; an interrupted run's whole reports count
	// against --reports as this run's do.
	var whole, short int
	for _, e := range earlier {
		if e.Status != string(sweep.Pass) {
			if _, err := os.Stat(filepath.Join(f.out, "seed-"+strconv.FormatUint(e.Seed, 10), reports.ReportFile)); err == nil {
				whole++
			}
		}
	}
	bar := newProgress(stdout, isTerminal(stdout, getenv), len(todo))
	var writeErr error
	onResult := func(e sweep.Entry) {
		entry := sweepEntry(s.Name, name, e, effective, set, f.bugs)
		entry.Build = build
		done[e.Seed] = entry
		// The seed's line is printed once its result is on disk, so that a
		// kill between the two never shows a seed results.jsonl lacks.
		defer bar.entry(s.Name, e)
		if results == nil || writeErr != nil {
			return
		}
		if e.Result != nil && entry.Status != string(sweep.Pass) {
			dir := filepath.Join(f.out, "seed-"+strconv.FormatUint(e.Seed, 10))
			// A seed resumed after a kill may have half a report there.
			if writeErr = os.RemoveAll(dir); writeErr == nil {
				writeErr = os.MkdirAll(dir, 0o755)
			}
			if writeErr == nil {
				if f.reports < 0 || whole < f.reports {
					writeErr = outDir.WriteRun(dir, e.Result)
					whole++
				} else {
					writeErr = outDir.WriteResult(dir, e.Result)
					short++
				}
			}
		}
		if writeErr == nil {
			writeErr = reports.AppendSweepEntry(results, &entry)
		}
	}
	// Only a failing seed's report is written, and only with --out.
	keepReport := func(r *scenarios.Result) bool { return f.out != "" && r.Status() != scenarios.StatusPass }
	sum, err := sweep.Run(ctx, sweep.Config{
		Scenario: s, Seeds: todo, Set: set, Jobs: f.jobs, FailFast: f.failFast, CheckDeterminism: f.checkDet, OnResult: onResult,
		KeepReport: keepReport, Failpoints: os.Getenv("GO_FAILPOINTS"),
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
	// Every seed with a result, this run's and an interrupted run's, in
	// the order of the seed list.
	var entries []reports.SweepEntry
	for _, seed := range seeds {
		if e, ok := done[seed]; ok {
			entries = append(entries, e)
		}
	}
	jobs := f.jobs
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	jobs = max(1, min(jobs, len(todo)))
	skippedWhy := "--fail-fast stopped the sweep at the first failure"
	if interrupted {
		skippedWhy = "the sweep was interrupted"
	}
	n := tally(entries)
	props := []reports.JUnitProperty{{Name: "seeds", Value: f.seeds}, {Name: "jobs", Value: strconv.Itoa(jobs)}}
	if shardCount > 0 {
		props = append(props, reports.JUnitProperty{Name: "shard", Value: fmt.Sprintf("%d/%d", shardIndex, shardCount)})
	}
	for _, k := range sortedKeys(set) {
		props = append(props, reports.JUnitProperty{Name: "set." + k, Value: set[k]})
	}
	report := sweepReport{scenario: s.Name, scope: scope, ran: ranText(len(entries), sum.Wall, jobs), entries: entries,
		skipped: sum.Skipped, skippedWhy: skippedWhy, incomplete: "INTERRUPTED", declared: declaredProbes(),
		junitProps: props, started: started, wall: sum.Wall}
	report.print(stdout)
	if writeErr != nil {
		return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", f.out, writeErr)}
	}
	if err := report.write(stdout, f.out, f.junit); err != nil {
		return err
	}
	if short > 0 {
		fmt.Fprintf(stdout, "reports: whole for the first %d seeds that did not pass, result.json alone for %d more (--reports %d); a seed's replay command with --out DIR writes its whole report\n",
			whole, short, f.reports)
	}
	if interrupted {
		msg := fmt.Sprintf("interrupted: %d of %d seeds have results", len(entries), len(seeds))
		if f.out != "" {
			if shardCount > 0 {
				// The shard as resolved, JOB_COMPLETION_INDEX's included:
				// a pod with another index must not resume this one.
				f.shard, f.shards = fmt.Sprintf("%d/%d", shardIndex, shardCount), 0
			}
			msg += "; to run the rest: " + resumeCommand(name, f, f.out)
		} else {
			msg += "; with --out DIR an interrupted sweep can be resumed with --resume DIR"
		}
		return &exitError{code: exitInterrupted, err: errors.New(msg)}
	}
	if f.expectRate != "" {
		return checkRate(stdout, band, n)
	}
	return sweepStatus(n)
}

// rateBand is an expected violation rate, [lo, hi] as fractions.
type rateBand struct{ lo, hi float64 }

// parseRateBand reads LO-HI, each a fraction (0.6) or a percentage (60%).
func parseRateBand(s string) (rateBand, error) {
	bad := fmt.Errorf("--expect-rate %q: want LO-HI, fractions or percentages with 0 <= LO <= HI <= 1, such as 0.9-1 or 60%%-85%%", s)
	los, his, ok := strings.Cut(s, "-")
	if !ok {
		return rateBand{}, bad
	}
	read := func(v string) (float64, bool) {
		scale := 1.0
		if strings.HasSuffix(v, "%") {
			v, scale = strings.TrimSuffix(v, "%"), 100
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return x / scale, err == nil
	}
	lo, ok1 := read(los)
	hi, ok2 := read(his)
	if !ok1 || !ok2 || !(lo >= 0 && hi <= 1 && lo <= hi) { // NaN fails every comparison
		return rateBand{}, bad
	}
	return rateBand{lo, hi}, nil
}

// checkRate judges a sweep of an unsafe scenario by its violation rate: the
// fraction of judged seeds (passed, failed or unknown) with a violation. A
// framework error still fails the sweep, since some seeds were not judged.
func checkRate(out io.Writer, band rateBand, n counts) error {
	if n.errored > 0 {
		return &exitError{code: exitFramework}
	}
	judged := n.passed + n.failed + n.unknown
	if judged == 0 {
		return &exitError{code: exitUnknown, err: errors.New("--expect-rate: no seed was judged")}
	}
	rate := float64(n.failed) / float64(judged)
	line := fmt.Sprintf("violation rate %.3f (%d of %d seeds), expected %g-%g", rate, n.failed, judged, band.lo, band.hi)
	if rate < band.lo || rate > band.hi {
		fmt.Fprintf(out, "RATE OUTSIDE BAND %s\n", line)
		return &exitError{code: exitViolation, err: fmt.Errorf("--expect-rate: %s", line)}
	}
	fmt.Fprintf(out, "RATE IN BAND %s\n", line)
	return nil
}

// sweepEntry is the record of one seed that ran: results.jsonl's line and
// what the summaries read. source is the SCENARIO argument, for the replay
// command.
func sweepEntry(scenario, source string, e sweep.Entry, params, set map[string]string, bugs []string) reports.SweepEntry {
	se := reports.SweepEntry{Scenario: scenario, Seed: e.Seed, Status: string(e.Status()), Params: params,
		WallMS: float64(e.Wall.Microseconds()) / 1000}
	if e.Err != nil {
		se.Err = e.Err.Error()
	} else {
		se.Hash, se.Verdicts, se.Params = e.Result.Hash, e.Result.Verdicts, e.Result.Params
		for _, p := range e.Result.Probes {
			se.Probes = append(se.Probes, reports.ProbeHit{Name: p.Name, Count: p.Count})
		}
	}
	if se.Status != string(sweep.Pass) {
		buggify := e.Result != nil && e.Result.Params["buggify"] == "on"
		se.Replay = scenarios.FailpointsPrefix(os.Getenv("GO_FAILPOINTS"), buggify) + scenarios.ReplayCommand(source, e.Seed, set) + scenarios.BugFlags(bugs)
	}
	return se
}

// counts are a sweep's seeds by status.
type counts struct{ passed, failed, unknown, errored int }

func tally(entries []reports.SweepEntry) counts {
	var n counts
	for _, e := range entries {
		switch sweep.Status(e.Status) {
		case sweep.Pass:
			n.passed++
		case sweep.Fail:
			n.failed++
		case sweep.Unknown:
			n.unknown++
		default:
			n.errored++
		}
	}
	return n
}

// resumeResults reads the results.jsonl of an interrupted sweep: the seeds of
// this sweep that already have a line. A last line cut short by a kill is
// dropped (its seed runs again) and the file truncated after the last whole
// line. Lines of another scenario, other parameters or another build are
// refused: the results would mix two sweeps.
func resumeResults(path, scenario string, params map[string]string, build string, seeds []uint64) ([]reports.SweepEntry, error) {
	lines, err := reports.ReadSweepEntries(path, true)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--resume %s: there is no results.jsonl to resume from; start the sweep with --out %s", filepath.Dir(path), filepath.Dir(path))
		}
		return nil, fmt.Errorf("--resume: %w", err)
	}
	wanted := map[uint64]bool{}
	for _, seed := range seeds {
		wanted[seed] = true
	}
	var out []reports.SweepEntry
	seen := map[uint64]bool{}
	for i, l := range lines {
		if l.Scenario != scenario {
			return nil, fmt.Errorf("--resume: %s:%d is a result of scenario %s, not %s; resume with the scenario and --set values of the interrupted sweep", path, i+1, l.Scenario, scenario)
		}
		if k, got, want, bad := scenarios.ParamDiff(l.Params, params); bad {
			return nil, fmt.Errorf("--resume: %s:%d ran with %s=%s, this sweep has %s=%s; resume with the --set values of the interrupted sweep", path, i+1, k, got, k, want)
		}
		if l.Build != "" && l.Build != build {
			return nil, fmt.Errorf("--resume: %s:%d was run by build %q, this simulate is build %q; the same seed may run differently in another build, so resume with the binary that started the sweep or start a new one", path, i+1, l.Build, build)
		}
		if wanted[l.Seed] && !seen[l.Seed] {
			seen[l.Seed] = true
			out = append(out, l)
		}
	}
	return out, nil
}

// resumeManifest refuses to resume, in dir, a sweep other than the one
// its sweep.json describes: another scenario (a built-in where a file ran,
// or the file edited since), other planted bugs, another seed list or
// shard. Its seeds' results would mix two different worlds, or two
// sweeps' seeds. (resumeResults compares the parameters and the build of
// each line.) A directory without sweep.json, from before it, is not
// checked.
func resumeManifest(dir string, now reports.SweepManifest) error {
	was, err := reports.ReadSweepManifest(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--resume: %w", err)
	}
	differ := func(what, a, b, how string) error {
		return fmt.Errorf("--resume %s: the interrupted sweep %s, this one %s; %s", dir, strings.ReplaceAll(what, "%", a), strings.ReplaceAll(what, "%", b), how)
	}
	list := func(bugs []string) string { return "[" + cmp.Or(strings.Join(bugs, " "), "none") + "]" }
	shard := func(m reports.SweepManifest) string {
		if m.ShardCount == 0 {
			return "all of them"
		}
		return fmt.Sprintf("shard %d/%d", m.ShardIndex, m.ShardCount)
	}
	switch {
	case was.Source != now.Source:
		return differ("ran %", was.Source, now.Source, "resume with the SCENARIO argument of the interrupted sweep")
	case was.Digest != now.Digest:
		return differ("ran a scenario file whose digest was %", cmp.Or(was.Digest, "none"), cmp.Or(now.Digest, "none"),
			"the file (or a base it derives from) changed since, so its seeds would run another scenario; start a new sweep")
	case strings.Join(was.Bugs, " ") != strings.Join(now.Bugs, " "):
		return differ("planted bugs %", list(was.Bugs), list(now.Bugs), "resume with the --bug flags of the interrupted sweep")
	case was.Seeds != now.Seeds:
		return differ("had --seeds %", was.Seeds, now.Seeds, "resume with the --seeds of the interrupted sweep")
	case was.ShardCount != now.ShardCount || was.ShardIndex != now.ShardIndex:
		return differ("ran %", shard(was), shard(now), "resume with the shard of the interrupted sweep")
	case was.ExpectRate != now.ExpectRate:
		return differ("had --expect-rate %", strconv.Quote(was.ExpectRate), strconv.Quote(now.ExpectRate), "resume with the --expect-rate of the interrupted sweep")
	}
	if k, a, b, bad := scenarios.ParamDiff(was.Params, now.Params); bad {
		return differ("ran with "+k+"=%", a, b, "resume with the --set values of the interrupted sweep")
	}
	return nil
}

// removeSeedDirs removes the seed-N directories an earlier sweep left in
// dir.
func removeSeedDirs(dir string) error {
	old, err := filepath.Glob(filepath.Join(dir, "seed-*"))
	if err != nil {
		return err
	}
	for _, d := range old {
		if _, err := strconv.ParseUint(strings.TrimPrefix(filepath.Base(d), "seed-"), 10, 64); err != nil {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("--out %s: %w", dir, err)
		}
	}
	return nil
}

// resumeCommand is the command that finishes this sweep after an
// interrupt: the same scenario, seeds, shard and --set values, with
// --resume DIR.
func resumeCommand(arg string, f sweepFlags, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulate sweep %s --seeds %s", scenarios.ShellQuote(arg), scenarios.ShellQuote(f.seeds))
	if f.jobs != 0 {
		fmt.Fprintf(&b, " --jobs %d", f.jobs)
	}
	if f.shard != "" {
		fmt.Fprintf(&b, " --shard %s", scenarios.ShellQuote(f.shard))
	}
	if f.shards != 0 {
		fmt.Fprintf(&b, " --shards %d", f.shards)
	}
	for _, s := range f.sets {
		fmt.Fprintf(&b, " --set %s", scenarios.ShellQuote(s))
	}
	if f.junit != "" {
		fmt.Fprintf(&b, " --junit %s", scenarios.ShellQuote(f.junit))
	}
	if f.failFast {
		b.WriteString(" --fail-fast")
	}
	if f.checkDet {
		b.WriteString(" --check-determinism")
	}
	if f.expectRate != "" {
		fmt.Fprintf(&b, " --expect-rate %s", scenarios.ShellQuote(f.expectRate))
	}
	if f.buggify != "" {
		fmt.Fprintf(&b, " --buggify %s", scenarios.ShellQuote(f.buggify))
	}
	b.WriteString(scenarios.BugFlags(f.bugs))
	if f.reports != defaultSweepReports {
		fmt.Fprintf(&b, " --reports %d", f.reports)
	}
	fmt.Fprintf(&b, " --resume %s", scenarios.ShellQuote(dir))
	return b.String()
}

// sweepStatus is a finished sweep's exit status: a framework failure in any
// seed outranks a violation in another, since it means some seeds were not
// judged at all; a violation outranks an undecided seed.
func sweepStatus(n counts) error {
	switch {
	case n.errored > 0:
		return &exitError{code: exitFramework}
	case n.failed > 0:
		return &exitError{code: exitViolation}
	case n.unknown > 0:
		return &exitError{code: exitUnknown}
	}
	return nil
}

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
