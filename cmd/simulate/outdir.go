package main

import (
	"fmt"
	"os"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios"
)

// An outputWriter fills the --out directory of one run (`simulate run --out`,
// and each failing seed of `simulate sweep --out`). newRootCmd picks the one
// simulate uses and hands it to the commands; it is the hook where the HTML
// report plugs in.
type outputWriter interface {
	// WriteRun writes res into dir, which exists.
	WriteRun(dir string, res *scenarios.Result) error
	// WriteResult writes the short form of res into dir, which exists:
	// what a sweep keeps of a failing seed past --reports.
	WriteResult(dir string, res *scenarios.Result) error
}

// reportWriter writes the reports package's files: result.json,
// history.jsonl, summary.md, report.html and, for a failed linearizability
// check, linearizability.html.
type reportWriter struct{}

func (reportWriter) WriteRun(dir string, res *scenarios.Result) error {
	return reports.Write(dir, res.Report())
}

func (reportWriter) WriteResult(dir string, res *scenarios.Result) error {
	return reports.WriteResult(dir, res.Report())
}

// makeOutDir creates an --out directory before anything runs, so that a bad
// path is a usage error rather than a lost run.
func makeOutDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	return nil
}
