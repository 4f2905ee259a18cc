package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/redsim/redsim/scenarios/sweep"
)

// progress prints a sweep's line per seed. On a terminal it keeps a progress
// bar under the lines, redrawn in place; anywhere else (a CI log, a pipe, a
// file) it prints the lines alone, so logs hold no control characters.
type progress struct {
	out      io.Writer
	terminal bool
	total    int
	start    time.Time
	done     int
	counts   map[sweep.Status]int
}

func newProgress(out io.Writer, terminal bool, total int) *progress {
	p := &progress{out: out, terminal: terminal, total: total, start: time.Now(), counts: map[sweep.Status]int{}}
	if terminal {
		fmt.Fprint(out, p.bar())
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal) and TERM
// does not say it cannot redraw a line.
func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// entry prints one seed's line: run's status line with the wall time, or
// ERROR and the framework failure.
func (p *progress) entry(scenario string, e sweep.Entry) {
	p.done++
	p.counts[e.Status()]++
	var line string
	if e.Err != nil {
		msg, _, _ := strings.Cut(e.Err.Error(), "\n")
		line = fmt.Sprintf("ERROR scenario=%s seed=%d wall=%v error=%q", scenario, e.Seed, e.Wall.Round(time.Microsecond), msg)
	} else {
		line = fmt.Sprintf("%s wall=%v", e.Result.StatusLine(), e.Wall.Round(time.Microsecond))
	}
	if p.terminal {
		fmt.Fprintf(p.out, "\r\x1b[K%s\n%s", line, p.bar())
		return
	}
	fmt.Fprintln(p.out, line)
}

// finish clears the bar before the closing summary.
func (p *progress) finish() {
	if p.terminal {
		fmt.Fprint(p.out, "\r\x1b[K")
	}
}

// barWidth keeps the whole bar line under 80 columns: a line that wraps
// cannot be redrawn in place.
const barWidth = 20

func (p *progress) bar() string {
	filled := barWidth
	if p.total > 0 {
		filled = barWidth * p.done / p.total
	}
	rate := float64(p.done) / time.Since(p.start).Minutes()
	return fmt.Sprintf("[%s%s] %d/%d %dp %df %du %de %.0f/min",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), p.done, p.total,
		p.counts[sweep.Pass], p.counts[sweep.Fail], p.counts[sweep.Unknown], p.counts[sweep.Errored], rate)
}
