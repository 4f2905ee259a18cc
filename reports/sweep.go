package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// SweepEntry is the outcome of one seed of a sweep.
type SweepEntry struct {
	// Scenario is the scenario's name.
	Scenario string
	// Seed is the seed the world ran with.
	Seed uint64
	// Hash is the run's trace hash; empty when it did not run to the end.
	Hash string
	// Status is "pass", "fail" or "unknown" for a seed that ran to its
	// verdicts; Err makes it "error".
	Status string
	// Verdicts are the checks' conclusions; a sweep line leaves out their
	// operations.
	Verdicts []Verdict
	// Replay is the exact command that replays this seed.
	Replay string
	// Duration is the wall time the seed took.
	Duration time.Duration
	// Err is the text of a framework or usage error that stopped the seed;
	// such an entry is an error, not a failure.
	Err string
}

// status is "pass", "fail", "unknown" or "error".
func (e *SweepEntry) status() string {
	if e.Err != "" {
		return "error"
	}
	return e.Status
}

// failed returns the verdicts that did not hold.
func (e *SweepEntry) failed() []Verdict {
	var out []Verdict
	for _, v := range e.Verdicts {
		if v.Outcome != OutcomeOk {
			out = append(out, v)
		}
	}
	return out
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

// The JSON form of a SweepEntry, one per line of results.jsonl. Lines from the
// shards of a sweep concatenate into one file.
type sweepJSON struct {
	Scenario   string        `json:"scenario"`
	Seed       uint64        `json:"seed"`
	Status     string        `json:"status"`
	Passed     bool          `json:"passed"`
	Hash       string        `json:"hash"`
	Verdicts   []verdictJSON `json:"verdicts"`
	Replay     string        `json:"replay"`
	DurationNS int64         `json:"duration_ns"`
	Duration   string        `json:"duration"`
	Error      string        `json:"error,omitempty"`
}

// WriteSweep creates dir and writes the sweep's summary.md (counts, then each
// failing or erroneous seed on a line with the command that replays it) and
// results.jsonl (one JSON object per entry, by scenario and seed).
func WriteSweep(dir string, entries []SweepEntry) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	es := sortedEntries(entries)
	var buf bytes.Buffer
	if err := writeSweepJSONL(&buf, es); err != nil {
		return err
	}
	if err := writeFile(dir, SweepResultsFile, buf.Bytes()); err != nil {
		return err
	}
	buf.Reset()
	writeSweepSummary(&buf, es)
	return writeFile(dir, SummaryFile, buf.Bytes())
}

func writeSweepJSONL(buf *bytes.Buffer, es []SweepEntry) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	for i := range es {
		e := &es[i]
		j := sweepJSON{
			Scenario: e.Scenario, Seed: e.Seed, Status: e.status(), Passed: e.status() == "pass", Hash: e.Hash,
			Verdicts: make([]verdictJSON, len(e.Verdicts)), Replay: e.Replay,
			DurationNS: int64(e.Duration), Duration: e.Duration.String(), Error: e.Err,
		}
		for k := range e.Verdicts {
			j.Verdicts[k] = toVerdictJSON(&e.Verdicts[k], false)
		}
		if err := enc.Encode(j); err != nil {
			return fmt.Errorf("reports: seed %d: %v", e.Seed, err)
		}
	}
	return nil
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
		switch e.status() {
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
			byCheck[v.Check+" "+v.Outcome]++
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
	if fail+unknown+errs == 0 {
		return
	}
	b.WriteString("## Seeds that did not pass\n\n")
	for i := range es {
		e := &es[i]
		if e.status() == "pass" {
			continue
		}
		var what []string
		if e.Err != "" {
			what = append(what, "error: "+mdText(e.Err))
		}
		for _, v := range e.failed() {
			what = append(what, fmt.Sprintf("%s %s: %s", v.Check, v.Outcome, mdText(v.Summary)))
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
