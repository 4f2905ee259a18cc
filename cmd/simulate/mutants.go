package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/mutants"
	"github.com/redsim/redsim/scenarios/sweep"
	"github.com/spf13/cobra"
)

func newMutantsCmd(reg *scenarios.Registry, stdout io.Writer) *cobra.Command {
	var bugNames, targets []string
	var seeds, out string
	var jobs int
	var minScore float64
	cmd := &cobra.Command{
		Use:   "mutants",
		Short: "Plant each bug of the catalog in turn and measure which scenarios catch it",
		Long: "mutants plants each entry of the planted-bug catalog (Redis's historical bugs, put back\n" +
			"behind named sites in the node; `simulate list --bugs` lists them) one at a time, sweeps\n" +
			"the scenarios the entry names over --seeds until a seed fails, then sweeps every scenario\n" +
			"used with nothing planted (the control, which must pass). It writes table.md, table.csv\n" +
			"and mutants.html to --out: each entry, whether it was detected, the first failing run's\n" +
			"replay command, the checks that fired, and the seeds and time it took.\n\n" +
			"Exit status: 0 the control passed and at least --min-score of the entries were detected,\n" +
			"1 fewer were, 2 bad usage, 3 the control failed (the scenarios, not the bugs, fail) or\n" +
			"the framework failed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			seedList, err := sweep.ParseSeeds(seeds)
			if err != nil {
				return fmt.Errorf("--seeds: %w", err)
			}
			if !(minScore >= 0 && minScore <= 1) { // NaN too
				return fmt.Errorf("--min-score %v: want a fraction from 0 to 1", minScore)
			}
			for _, t := range targets {
				if strings.TrimSpace(t) == "" {
					return errors.New(`--scenarios "": want a scenario name, with k=v parameters after it`)
				}
			}
			if jobs < 0 {
				return fmt.Errorf("--jobs %d: want at least 1, or 0 for one per CPU", jobs)
			}
			if err := makeOutDir(out); err != nil {
				return err
			}
			m, err := mutants.Run(cmd.Context(), mutants.Config{
				Registry: reg, Bugs: bugNames, Targets: targets, Seeds: seedList, Jobs: jobs,
				Progress: func(r reports.MutantRow) {
					what := "not detected"
					if r.Detected {
						what = fmt.Sprintf("detected by %s (%s) after %d seeds", r.Scenario, r.Checker, r.SeedsRun)
					}
					fmt.Fprintf(stdout, "%-40s %s in %v\n", r.Bug, what, r.Wall.Round(1e7))
				},
			})
			var ue *scenarios.UsageError
			if errors.As(err, &ue) {
				return ue
			}
			if m == nil {
				return &exitError{code: exitFramework, err: err}
			}
			if werr := reports.WriteMutants(out, m); werr != nil {
				return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", out, werr)}
			}
			var b bytes.Buffer
			reports.MutantsMarkdown(&b, m)
			fmt.Fprintf(stdout, "\n%s\n%s\n", b.String(), filepath.Join(out, "mutants.html"))
			switch {
			case err != nil:
				return &exitError{code: exitInterrupted, err: err}
			case m.ControlFailed():
				return &exitError{code: exitFramework, err: fmt.Errorf("the control failed: a scenario fails with nothing planted")}
			case m.Score() < minScore:
				return &exitError{code: exitViolation, err: fmt.Errorf("%d of %d planted bugs detected, below --min-score %v", m.Detected(), len(m.Rows), minScore)}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&bugNames, "bug", nil, "plant only this catalog entry (repeatable); default all")
	fl.StringArrayVar(&targets, "scenarios", nil, "sweep this scenario for every entry instead of the entries' own (repeatable; \"NAME k=v ...\")")
	fl.StringVar(&seeds, "seeds", "1-100", "seeds to sweep per entry and scenario, until one fails")
	fl.IntVar(&jobs, "jobs", 0, "worlds run at once (0: one per CPU)")
	fl.StringVar(&out, "out", "mutants", "directory for table.md, table.csv and mutants.html")
	fl.Float64Var(&minScore, "min-score", 0.9, "the share of entries that must be detected for exit status 0")
	return cmd
}
