package scenarios

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// LongRun is the length past which a scenario whose checks allow it
// streams its history (StreamHistory) and rotates its workload's keys:
// what a run keeps is then bounded by what its checks need, not by its
// length.
const LongRun = 10 * time.Minute

// historyStream is a streaming run's sink: the operations it passes on
// are counted in summary and, when the run has a history file, written
// there as history.jsonl lines.
type historyStream struct {
	summary history.Summary
	path    string
	f       *os.File
	w       *bufio.Writer
	line    []byte
	err     error
}

// StreamHistory makes the run's history stream (history.History.Stream):
// the operations invoked before keepFrom are counted for the report (a
// history.Summary) and written to the run's history file (Options.
// HistoryFile) as they complete, then forgotten; the checks see only the
// operations invoked from keepFrom on. Call it after Deploy, for
// scenarios whose checks need no more than that tail (liveness after the
// final heal, the nodes' own state).
func (r *Run) StreamHistory(keepFrom time.Duration) error {
	if r.History == nil {
		return fmt.Errorf("StreamHistory before Deploy")
	}
	st := &historyStream{path: r.historyFile}
	if st.path != "" {
		f, err := os.Create(st.path)
		if err != nil {
			return fmt.Errorf("history file: %w", err)
		}
		st.f, st.w = f, bufio.NewWriterSize(f, 1<<20)
	}
	r.stream = st
	r.History.Stream(clock.Time(keepFrom), st.add)
	return nil
}

func (st *historyStream) add(op *history.Op) {
	st.summary.Add(op)
	if st.w == nil || st.err != nil {
		return
	}
	st.line = append(op.AppendJSON(st.line[:0]), '\n')
	_, st.err = st.w.Write(st.line)
}

// close ends the file; the first error writing it is returned.
func (st *historyStream) close() error {
	if st.f == nil {
		return st.err
	}
	err := st.w.Flush()
	if cerr := st.f.Close(); err == nil {
		err = cerr
	}
	st.f = nil
	if st.err != nil {
		err = st.err
	}
	if err != nil {
		return fmt.Errorf("history file %s: %w", st.path, err)
	}
	return nil
}
