package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
	"github.com/redsim/redsim/scenarios/study"
	"github.com/spf13/cobra"
)

func newStudyCmd(reg *scenarios.Registry, stdout io.Writer) *cobra.Command {
	var seeds, jobs int
	var out string
	cmd := &cobra.Command{
		Use:   "study redlock",
		Short: "Measure when Redlock is and is not safe: its cases x mitigations x parameters over many seeds",
		Long: "study redlock runs every cell of the Redlock grid (quiet, pause with and without fencing,\n" +
			"clock jumps with wall and monotonic expiry, crash-restart with persistence and restart\n" +
			"delays, slow networks with and without the validity check, clock drift against the drift\n" +
			"factor) over --seeds seeds each, and writes table.md, table.csv, one SVG plot per swept\n" +
			"parameter and study.html to --out. Violations are findings, not failures: the exit status\n" +
			"is 0 when the study ran.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "redlock" {
				return fmt.Errorf("study %q is unknown; the studies are: redlock", args[0])
			}
			if seeds < 1 {
				return fmt.Errorf("--seeds %d: want at least 1", seeds)
			}
			if jobs < 0 {
				return fmt.Errorf("--jobs %d: want at least 1, or 0 for one per CPU", jobs)
			}
			if err := makeOutDir(out); err != nil {
				return err
			}
			st, err := study.Redlock(cmd.Context(), reg, seeds, jobs, func(line string) { fmt.Fprintln(stdout, line) })
			if err != nil {
				return &exitError{code: exitFramework, err: err}
			}
			if err := reports.WriteStudy(out, st); err != nil {
				return &exitError{code: exitFramework, err: fmt.Errorf("--out %s: %w", out, err)}
			}
			fmt.Fprintf(stdout, "study redlock: %d cells x %d seeds in %v; %s\n", len(st.Cells), seeds, st.Wall.Round(1e7), filepath.Join(out, "study.html"))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&seeds, "seeds", 50, "seeds per cell")
	fl.IntVar(&jobs, "jobs", 0, "worlds run at once (0: one per CPU)")
	fl.StringVar(&out, "out", "study-redlock", "directory for table.md, table.csv, the plots and study.html")
	return cmd
}
