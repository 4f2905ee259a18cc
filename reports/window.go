package reports

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
)

// Bounds of the history tables: the ops around an anomaly, or the last ops of
// the run when no check points at a window.
const (
	windowMargin   = time.Second
	maxWindowRows  = 200
	tailRows       = 100
	maxElemsInCell = 6
)

// historyWindow is one history table of the page.
type historyWindow struct {
	Title string
	Note  string
	Rows  []historyRow
}

// historyRow is an operation or, interleaved by time, the start or end of a
// fault.
type historyRow struct {
	Fault     string // the fault's text; empty for an operation row
	Index     int    // 1-based position in the history
	Process   int
	Node      string
	Kind      string
	Key       string
	Value     string
	Result    string
	Invoke    string
	Complete  string
	LatencyMS string
	Outcome   string
	Error     string
	Evidence  bool // the op is in the verdict's evidence
}

// historyWindows picks the tables: one per failed verdict that names a window
// or operations, or else a key the run touched; the tail of the run when
// none does.
func historyWindows(r *Run) []historyWindow {
	var out []historyWindow
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		if v.Verdict == checker.Ok {
			continue
		}
		from, to, ok := verdictWindow(v)
		if !ok {
			if w, ok := keyWindow(r, v); ok {
				out = append(out, w)
			}
			continue
		}
		lo, hi := from-windowMargin, to+windowMargin
		ev := map[opKey]bool{}
		for _, op := range v.Evidence.Ops {
			ev[keyOf(&op)] = true
		}
		var idx []int
		anchor := -1
		for j := range r.History {
			op := &r.History[j]
			if op.Invoke.Duration() > hi || op.Complete.Duration() < lo {
				continue
			}
			if anchor < 0 && (ev[keyOf(op)] || len(ev) == 0 && op.Invoke.Duration() >= from) {
				anchor = len(idx)
			}
			idx = append(idx, j)
		}
		w := historyWindow{Title: fmt.Sprintf("%s: operations from %s to %s", v.Checker, instant(max(lo, 0)), instant(hi))}
		total := len(idx)
		if total > maxWindowRows {
			start := max(anchor, 0) - maxWindowRows/4
			start = min(max(start, 0), total-maxWindowRows)
			idx = idx[start : start+maxWindowRows]
			w.Note = fmt.Sprintf("%d operations overlap the window; showing the %d from #%d to #%d.", total, maxWindowRows, idx[0]+1, idx[len(idx)-1]+1)
		}
		switch {
		case total == 0:
			w.Note = "No operation overlaps the window."
		case len(ev) > 0:
			w.Note = strings.TrimSpace(w.Note + " Highlighted rows are the check's evidence.")
		}
		w.Rows = interleave(r, idx, ev)
		out = append(out, w)
	}
	if len(out) > 0 || len(r.History) == 0 {
		return out
	}
	n := min(len(r.History), tailRows)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = len(r.History) - n + i
	}
	return []historyWindow{{
		Title: fmt.Sprintf("The last %d operations", n),
		Note:  "No failed check points at a window of time, so these are the last operations of the run.",
		Rows:  interleave(r, idx, nil),
	}}
}

// keyWindow is the table of a failed verdict that names a key but no time:
// the operations on that key, the last maxWindowRows of them, since what a
// key ended as is what such checks (convergence, a final read) judge. ok is
// false when the verdict names no key or no operation touched it.
func keyWindow(r *Run, v *checker.Result) (w historyWindow, ok bool) {
	key := v.Evidence.Key
	if key == "" {
		return w, false
	}
	var idx []int
	for j := range r.History {
		if touches(&r.History[j], key) {
			idx = append(idx, j)
		}
	}
	if len(idx) == 0 {
		return w, false
	}
	w.Title = fmt.Sprintf("%s: operations on %q", v.Checker, key)
	w.Note = fmt.Sprintf("The check points at key %q but at no window of time, so these are the operations on it.", key)
	if total := len(idx); total > maxWindowRows {
		idx = idx[total-maxWindowRows:]
		w.Note = fmt.Sprintf("The check points at key %q but at no window of time; of the %d operations on it, these are the last %d.", key, total, maxWindowRows)
	}
	w.Rows = interleave(r, idx, nil)
	return w, true
}

// touches reports whether op reads or writes key, itself or in one of its
// micro-operations.
func touches(op *history.Op, key string) bool {
	if op.Key == key {
		return true
	}
	for _, m := range op.Mops {
		if m.Key == key {
			return true
		}
	}
	return false
}

type opKey struct {
	process int
	invoke  int64
	kind    history.Kind
	key     string
}

func keyOf(op *history.Op) opKey {
	return opKey{op.Process, int64(op.Invoke), op.Kind, op.Key}
}

// interleave turns the ops at idx into rows, with the starts and ends of
// faults between the first and last invocation shown placed by time.
func interleave(r *Run, idx []int, ev map[opKey]bool) []historyRow {
	if len(idx) == 0 {
		return nil
	}
	type event struct {
		at   time.Duration
		text string
	}
	first, last := r.History[idx[0]].Invoke.Duration(), r.History[idx[len(idx)-1]].Invoke.Duration()
	var evs []event
	for _, f := range r.Faults {
		label := f.Text
		if label == "" {
			label = f.Op
		}
		if f.At < first && f.End > first {
			evs = append(evs, event{first, "fault in force since " + instant(f.At) + ": " + label})
		}
		if f.At >= first && f.At <= last {
			evs = append(evs, event{f.At, "fault: " + label})
		}
		if f.End != f.At && f.End >= first && f.End <= last {
			evs = append(evs, event{f.End, "fault ends: " + label})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	rows := make([]historyRow, 0, len(idx)+len(evs))
	e := 0
	for _, j := range idx {
		op := &r.History[j]
		for e < len(evs) && evs[e].at <= op.Invoke.Duration() {
			rows = append(rows, historyRow{Fault: evs[e].text, Invoke: instant(evs[e].at)})
			e++
		}
		rows = append(rows, opRow(j, op, ev[keyOf(op)]))
	}
	for ; e < len(evs); e++ {
		rows = append(rows, historyRow{Fault: evs[e].text, Invoke: instant(evs[e].at)})
	}
	return rows
}

func opRow(i int, op *history.Op, evidence bool) historyRow {
	row := historyRow{
		Index: i + 1, Process: op.Process, Node: op.Node, Kind: string(op.Kind), Key: op.Key,
		Value: valueText(op.Value), Result: valueText(op.Result),
		Invoke: instant(op.Invoke.Duration()), Complete: instant(op.Complete.Duration()),
		LatencyMS: strconv.FormatFloat(float64(op.Complete-op.Invoke)/1e6, 'f', 3, 64),
		Outcome:   op.Outcome.String(), Error: op.Error, Evidence: evidence,
	}
	if op.Kind == history.CAS && !op.Expect.IsNone() {
		row.Value = valueText(op.Expect) + " → " + row.Value
	}
	if op.Elems != nil {
		row.Result = elemsText(op.Elems)
	}
	return row
}

func valueText(v history.Value) string {
	if v.IsNone() {
		return ""
	}
	return v.String()
}

func elemsText(es []history.Value) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range es {
		if i == maxElemsInCell {
			fmt.Fprintf(&b, " …+%d", len(es)-i)
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
	if len(es) > maxElemsInCell {
		return fmt.Sprintf("%d elements %s", len(es), b.String())
	}
	return b.String()
}
