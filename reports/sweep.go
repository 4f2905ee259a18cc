package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/redsim/redsim/checker"
)

// SweepEntry is one seed of a sweep: a line of results.jsonl as written, as
// read back to resume a sweep, and as summarized in summary.md and JUnit.
// `simulate merge` combines the lines of a sweep's shards into one file.
type SweepEntry struct {
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// Seed is the seed the world ran with.
	Seed uint64 `json:"seed"`
	// Status is "pass", "fail", "unknown" or "error" (the framework failed
	// and nothing was judged; Err says why).
	Status string `json:"status"`
	// Hash is the run's trace hash; empty when it did not run to the end.
	Hash string `json:"hash"`
	// Passed is Status == "pass", for readers that want a boolean.
	Passed bool `json:"passed"`
	// Verdicts are the checks' conclusions as the checkers made them.
	Verdicts []checker.Result `json:"verdicts"`
	// Params are the parameters the seed ran with.
	Params map[string]string `json:"params"`
	// WallMS is the wall time the seed took, in milliseconds.
	WallMS float64 `json:"wall_ms"`
	// Err is the framework failure of an "error" seed.
	Err string `json:"error,omitempty"`
	// Replay is the command that runs the seed again, for seeds that did
	// not pass.
	Replay string `json:"replay,omitempty"`
	// Probes are the coverage probes the seed reached, sorted by name.
	Probes []ProbeHit `json:"probes,omitempty"`
	// Build identifies the simulate binary that ran the seed (see
	// SweepManifest.Build); empty in lines written before it was recorded.
	// `simulate merge` refuses lines of different builds, and a resumed
	// sweep refuses lines of another build than its own.
	Build string `json:"build,omitempty"`
}

// failed returns the verdicts that did not hold.
func (e *SweepEntry) failed() []checker.Result {
	var out []checker.Result
	for _, v := range e.Verdicts {
		if v.Verdict != checker.Ok {
			out = append(out, v)
		}
	}
	return out
}

// FailedChecks is a seed's one-line reason: "liveness: 2 violations;
// linearizable (unknown): ...".
func (e *SweepEntry) FailedChecks() string {
	var parts []string
	for _, v := range e.failed() {
		if v.Verdict == checker.Violation {
			parts = append(parts, fmt.Sprintf("%s: %s", v.Checker, v.Summary))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s): %s", v.Checker, v.Verdict, v.Summary))
		}
	}
	return strings.Join(parts, "; ")
}

// sortedEntries orders entries by scenario and seed, since parallel workers
// finish in any order.
func sortedEntries(entries []SweepEntry) []SweepEntry {
	s := append([]SweepEntry(nil), entries...)
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Scenario != s[j].Scenario {
			return s[i].Scenario < s[j].Scenario
		}
		return s[i].Seed < s[j].Seed
	})
	return s
}

// AppendSweepEntry writes e as one line of results.jsonl and syncs it to
// disk, so that a killed sweep loses at most the seed it was writing.
func AppendSweepEntry(f *os.File, e *SweepEntry) error {
	if err := EncodeSweepEntry(f, e); err != nil {
		return err
	}
	return f.Sync()
}

// EncodeSweepEntry writes e as one line of results.jsonl to w, as
// AppendSweepEntry does but without the sync, for a writer of a whole file
// at once (`simulate merge`).
func EncodeSweepEntry(w io.Writer, e *SweepEntry) error {
	e.Passed = e.Status == "pass"
	if e.Verdicts == nil {
		e.Verdicts = []checker.Result{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return fmt.Errorf("reports: seed %d: %v", e.Seed, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ReadSweepEntries reads a results.jsonl. A last line cut short (a sweep
// killed while writing) is dropped and, when truncate is set, cut from the
// file so that appending goes on after the last whole line. A line that is
// not an entry is an error naming it.
func ReadSweepEntries(path string, truncate bool) ([]SweepEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if whole := bytes.LastIndexByte(data, '\n') + 1; whole < len(data) {
		if truncate {
			if err := os.Truncate(path, int64(whole)); err != nil {
				return nil, fmt.Errorf("dropping the cut-off last line of %s: %w", path, err)
			}
		}
		data = data[:whole]
	}
	var out []SweepEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e SweepEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d is not a result line: %v", path, line, err)
		}
		if e.Status == "" {
			return nil, errors.New(path + ":" + fmt.Sprint(line) + " has no status")
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

func writeSweepSummary(b *bytes.Buffer, es []SweepEntry) {
	var scenarios []string
	var pass, fail, unknown, errs int
	byCheck := map[string]int{}
	for i := range es {
		e := &es[i]
		if len(scenarios) == 0 || scenarios[len(scenarios)-1] != e.Scenario {
			scenarios = append(scenarios, e.Scenario)
		}
		switch e.Status {
		case "pass":
			pass++
		case "fail":
			fail++
		case "unknown":
			unknown++
		default:
			errs++
		}
		for _, v := range e.failed() {
			byCheck[v.Checker+" "+v.Verdict.String()]++
		}
	}
	title := "Sweep"
	if len(scenarios) == 1 {
		title = "Sweep of " + mdText(scenarios[0])
	}
	status := "PASS"
	switch {
	case fail+errs > 0:
		status = "FAIL"
	case unknown > 0:
		status = "UNKNOWN"
	}
	fmt.Fprintf(b, "# %s %s\n\n", status, title)
	if len(es) > 0 {
		fmt.Fprintf(b, "%d %s, seeds %s: **%d passed, %d failed, %d unknown, %d errors**.\n\n",
			len(es), plural(len(es), "run", "runs"), seedRanges(es), pass, fail, unknown, errs)
	} else {
		b.WriteString("No seeds ran.\n\n")
	}
	if len(byCheck) > 0 {
		keys := make([]string, 0, len(byCheck))
		for k := range byCheck {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("| check | outcome | seeds |\n|---|---|---:|\n")
		for _, k := range keys {
			check, outcome, _ := strings.Cut(k, " ")
			fmt.Fprintf(b, "| %s | %s | %d |\n", mdCell(check), mdCell(outcome), byCheck[k])
		}
		b.WriteString("\n")
	}
	writeSweepFigures(b, es)
	if fail+unknown+errs == 0 {
		return
	}
	b.WriteString("## Seeds that did not pass\n\n")
	for i := range es {
		e := &es[i]
		if e.Status == "pass" {
			continue
		}
		var what []string
		if e.Err != "" {
			what = append(what, "error: "+mdText(e.Err))
		}
		for _, v := range e.failed() {
			what = append(what, fmt.Sprintf("%s %s: %s", v.Checker, v.Verdict, mdText(v.Summary)))
		}
		if len(what) == 0 {
			what = append(what, "failed without a failed verdict")
		}
		fmt.Fprintf(b, "- %s seed %d: %s\n", mdText(e.Scenario), e.Seed, strings.Join(what, "; "))
		if e.Replay != "" {
			fmt.Fprintf(b, "  `%s`\n", mdCode(e.Replay))
		}
	}
}

// seedRanges prints the seeds of es compactly: "1-50" or "1-3, 7, 9-10"
// (per scenario when there are several).
func seedRanges(es []SweepEntry) string {
	var parts []string
	for i := 0; i < len(es); {
		j := i
		for j+1 < len(es) && es[j+1].Scenario == es[i].Scenario && es[j+1].Seed == es[j].Seed+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", es[i].Seed, es[j].Seed))
		} else {
			parts = append(parts, fmt.Sprint(es[i].Seed))
		}
		i = j + 1
	}
	if len(parts) > 20 {
		parts = append(parts[:20], "…")
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteSweepSummary writes only the sweep's summary.md into dir, for a
// caller that streams its own results.jsonl.
func WriteSweepSummary(dir string, entries []SweepEntry) error {
	var b bytes.Buffer
	writeSweepSummary(&b, sortedEntries(entries))
	return os.WriteFile(filepath.Join(dir, SummaryFile), b.Bytes(), 0o644)
}

// writeSweepFigures is the table of the checks' rates and durations across
// the seeds (metrics named *_rate or *_ms): the lost-write rate of a
// scenario that loses writes by design, a failover's time. A sweep is
// where such a figure has a distribution.
func writeSweepFigures(b *bytes.Buffer, es []SweepEntry) {
	values := map[string][]float64{}
	for i := range es {
		for _, v := range es[i].Verdicts {
			for _, m := range v.Metrics {
				if strings.HasSuffix(m.Name, "_rate") || strings.HasSuffix(m.Name, "_ms") {
					k := v.Checker + " " + m.Name
					values[k] = append(values[k], m.Value)
				}
			}
		}
	}
	if len(values) == 0 {
		return
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("| check | figure | seeds | median | 5th-95th percentile | min | max | mean |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, k := range keys {
		vs := values[k]
		sort.Float64s(vs)
		sum := 0.0
		for _, v := range vs {
			sum += v
		}
		check, name, _ := strings.Cut(k, " ")
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s-%s | %s | %s | %s |\n", mdCell(check), mdCell(name), len(vs),
			figureText(Percentile(vs, 0.5)), figureText(Percentile(vs, 0.05)), figureText(Percentile(vs, 0.95)),
			figureText(vs[0]), figureText(vs[len(vs)-1]), figureText(sum/float64(len(vs))))
	}
	b.WriteString("\n")
}

func figureText(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
