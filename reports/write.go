package reports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/redsim/redsim/history"
)

// Names of the files Write creates.
const (
	ResultFile          = "result.json"
	HistoryFile         = "history.jsonl"
	SummaryFile         = "summary.md"
	ReportFile          = "report.html"
	LinearizabilityFile = "linearizability.html"
	SweepResultsFile    = "results.jsonl"
)

// Write creates dir and writes the report of r into it: result.json,
// history.jsonl, summary.md, report.html and, when r.Linearizability is set
// and succeeds, linearizability.html.
func Write(dir string, r *Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	lin := linearizabilityLink{}
	if r.Linearizability != nil {
		var buf bytes.Buffer
		if err := r.Linearizability(&buf); err != nil {
			lin.Err = err.Error()
		} else {
			if err := writeFile(dir, LinearizabilityFile, buf.Bytes()); err != nil {
				return err
			}
			lin.Href = LinearizabilityFile
			lin.Bytes = buf.Len()
		}
	}
	if err := writeResult(dir, r, lin); err != nil {
		return err
	}
	if err := writeHistory(dir, r); err != nil {
		return err
	}
	var buf bytes.Buffer
	writeSummary(&buf, r, lin)
	if err := writeFile(dir, SummaryFile, buf.Bytes()); err != nil {
		return err
	}
	buf.Reset()
	if err := writeHTML(&buf, r, lin); err != nil {
		return err
	}
	return writeFile(dir, ReportFile, buf.Bytes())
}

// WriteResult writes result.json alone into dir, creating dir if needed:
// what a sweep keeps of a failing seed past its quota of whole reports
// (the verdicts with their evidence, the facts and the replay command,
// without the history, the plots or porcupine's page).
func WriteResult(dir string, r *Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	return writeResult(dir, r, linearizabilityLink{})
}

func writeResult(dir string, r *Run, lin linearizabilityLink) error {
	var buf bytes.Buffer
	if err := writeResultJSON(&buf, r, lin); err != nil {
		return err
	}
	return writeFile(dir, ResultFile, buf.Bytes())
}

// linearizabilityLink is what became of Run.Linearizability: the file written,
// or the error that stopped it.
type linearizabilityLink struct {
	Href  string
	Bytes int
	Err   string
}

func writeFile(dir, name string, b []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	return nil
}

// fileWriter renders one file of a report's directory.
type fileWriter struct {
	name   string
	render func(b *bytes.Buffer) error
}

// textFile makes a fileWriter of a render that cannot fail.
func textFile(name string, render func(b *bytes.Buffer)) fileWriter {
	return fileWriter{name, func(b *bytes.Buffer) error { render(b); return nil }}
}

// writeFiles renders each file in turn and writes it into dir, stopping
// at the first error.
func writeFiles(dir string, files ...fileWriter) error {
	var buf bytes.Buffer
	for _, f := range files {
		buf.Reset()
		if err := f.render(&buf); err != nil {
			return err
		}
		if err := writeFile(dir, f.name, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeHistory writes history.jsonl: the operations a streaming run
// wrote to its prefix file, then the ones it kept. A prefix file that is
// dir's history.jsonl already is appended to.
func writeHistory(dir string, r *Run) error {
	var buf bytes.Buffer
	if err := history.WriteJSONL(&buf, r.History); err != nil {
		return err
	}
	path := filepath.Join(dir, HistoryFile)
	if r.HistoryPrefix == "" {
		return writeFile(dir, HistoryFile, buf.Bytes())
	}
	same := false
	if a, err := os.Stat(r.HistoryPrefix); err == nil {
		if b, err := os.Stat(path); err == nil {
			same = os.SameFile(a, b)
		}
	}
	if !same {
		src, err := os.Open(r.HistoryPrefix)
		if err != nil {
			return fmt.Errorf("reports: %v", err)
		}
		defer src.Close()
		dst, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("reports: %v", err)
		}
		_, err = io.Copy(dst, src)
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("reports: %v", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	return nil
}
