package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/redsim/redsim/scenarios"
)

// An outputWriter fills the --out directory of one run (`simulate run --out`,
// and each failing seed of `simulate sweep --out`). newRootCmd picks the one
// simulate uses and hands it to the commands; it is the hook where the HTML
// report plugs in.
type outputWriter interface {
	// WriteRun writes res into dir, which exists; replay is the command line
	// that runs the same world again.
	WriteRun(dir string, res *scenarios.Result, replay string) error
}

// resultJSON writes result.json alone, until the reports package provides an
// outputWriter that adds history.jsonl, summary.md and report.html.
type resultJSON struct{}

func (resultJSON) WriteRun(dir string, res *scenarios.Result, _ string) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "result.json"), append(b, '\n'), 0o644)
}

// makeOutDir creates an --out directory before anything runs, so that a bad
// path is a usage error rather than a lost run.
func makeOutDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	return nil
}
