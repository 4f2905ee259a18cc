package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios/sweep"
	"github.com/redsim/redsim/sim"
)

// sweepReport is what a finished sweep reports: on stdout the coverage line
// and the closing summary, and the files of --out (summary.md with its
// coverage section, coverage.json) and --junit. `simulate sweep` and
// `simulate merge` both end with it, so a merged sweep's summary, coverage
// and JUnit file are those one machine would have written.
type sweepReport struct {
	scenario string
	// scope says which seeds: "seeds 1-100, shard 2/8".
	scope string
	// ran says how they ran: "in 1.2s with 2 jobs (100 seeds/min)".
	ran string
	// entries are the seeds with a result, in the order of the seed list.
	entries []reports.SweepEntry
	// skipped are the seeds of the list without a result, and skippedWhy
	// says why ("the sweep was interrupted").
	skipped    []uint64
	skippedWhy string
	// incomplete is the closing status when seeds were skipped and none
	// failed: INTERRUPTED for a sweep, INCOMPLETE for a merge.
	incomplete string
	// declared are every probe of the build, for the coverage table.
	declared []reports.ProbeDecl
	// junitProps are the JUnit suite's properties; started and wall its
	// timestamp and time.
	junitProps []reports.JUnitProperty
	started    time.Time
	wall       time.Duration
}

// declaredProbes are this binary's coverage probes.
func declaredProbes() []reports.ProbeDecl {
	var declared []reports.ProbeDecl
	for _, d := range sim.DeclaredProbes() {
		declared = append(declared, reports.ProbeDecl{Name: d.Name, Doc: d.Doc})
	}
	return declared
}

// ranText is how a sweep of n seeds ran: "in 1.2s with 2 jobs (100 seeds/min)".
func ranText(n int, wall time.Duration, jobs int) string {
	rate := 0.0
	if wall > 0 {
		rate = float64(n) / wall.Minutes()
	}
	return fmt.Sprintf("in %v with %d jobs (%.0f seeds/min)", wall.Round(time.Millisecond), jobs, rate)
}

func (r *sweepReport) coverage() reports.Coverage {
	return reports.SweepCoverage(r.entries, r.declared)
}

// print writes the coverage line and the closing summary to out.
func (r *sweepReport) print(out io.Writer) {
	fmt.Fprintln(out, r.coverage().Line())
	printSweepSummary(out, r)
}

// write writes summary.md and coverage.json into dir (when dir is set) and
// the JUnit file (when junit is set), and says where on stdout.
func (r *sweepReport) write(stdout io.Writer, dir, junit string) error {
	if dir != "" {
		if err := reports.WriteSweepSummary(dir, r.entries); err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", dir, err)}
		}
		if err := reports.WriteCoverage(dir, r.coverage()); err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", dir, err)}
		}
		fmt.Fprintf(stdout, "results: %s, %s, %s\n", filepath.Join(dir, reports.SweepResultsFile), filepath.Join(dir, reports.SummaryFile), filepath.Join(dir, reports.CoverageFile))
	}
	if junit != "" {
		var buf bytes.Buffer
		err := reports.JUnit(&buf, reports.JUnitSweep{Scenario: r.scenario, Properties: r.junitProps, Started: r.started, Wall: r.wall,
			Entries: r.entries, Skipped: r.skipped, SkippedWhy: r.skippedWhy})
		if err == nil {
			err = os.WriteFile(junit, buf.Bytes(), 0o644)
		}
		if err != nil {
			return &exitError{code: exitFramework, err: fmt.Errorf("--junit %s: %w", junit, err)}
		}
		fmt.Fprintf(stdout, "junit: %s\n", junit)
	}
	return nil
}

// printSweepSummary closes a sweep: the counts, then every seed that did not
// pass with the command that replays it, then one status line.
func printSweepSummary(out io.Writer, r *sweepReport) {
	n := tally(r.entries)
	fmt.Fprintf(out, "sweep %s (%s): %d seeds ran %s: %d passed, %d failed, %d unknown, %d framework errors, %d skipped\n",
		r.scenario, r.scope, len(r.entries), r.ran, n.passed, n.failed, n.unknown, n.errored, len(r.skipped))
	if n.failed+n.unknown+n.errored > 0 {
		fmt.Fprintln(out, "failing seeds:")
		for _, e := range r.entries {
			switch sweep.Status(e.Status) {
			case sweep.Pass:
				continue
			case sweep.Errored:
				fmt.Fprintf(out, "  seed %d: framework error: %s\n", e.Seed, firstLine(e.Err))
			default:
				fmt.Fprintf(out, "  seed %d hash=%s: %s\n", e.Seed, e.Hash, e.FailedChecks())
			}
			fmt.Fprintf(out, "    %s\n", e.Replay)
		}
	}
	if len(r.skipped) > 0 {
		fmt.Fprintf(out, "not run, as %s: %d seeds, from seed %d\n", r.skippedWhy, len(r.skipped), r.skipped[0])
	}
	status := "PASS"
	switch {
	case n.failed+n.errored > 0:
		status = "FAIL"
	case len(r.skipped) > 0: // only an interrupt or a missing shard skips seeds without a failure
		status = r.incomplete
	case n.unknown > 0:
		status = "UNKNOWN"
	}
	fmt.Fprintf(out, "%s sweep scenario=%s seeds=%d passed=%d failed=%d unknown=%d errors=%d skipped=%d\n",
		status, r.scenario, len(r.entries)+len(r.skipped), n.passed, n.failed, n.unknown, n.errored, len(r.skipped))
}
