package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"os"
	"strconv"
	"strings"
	"time"
)

// Mutants is the planted-bug catalog's detection table: one row per entry
// and the control sweeps with nothing planted.
type Mutants struct {
	// Seeds is the seed range each entry's scenarios were swept over.
	Seeds   string
	Rows    []MutantRow
	Control []MutantControl
}

// MutantRow is one planted bug and what caught it.
type MutantRow struct {
	Bug, Issue, Mechanism string
	// Scenarios are the scenarios swept, each "NAME [k=v]...".
	Scenarios []string
	// Uncaught is the catalog's explanation, when it has one, of why no
	// scenario is expected to catch the bug.
	Uncaught string
	Detected bool
	// Scenario and Seed are the first failing run; Replay its command line
	// (with --bug) and Checker the checks that fired.
	Scenario, Replay, Checker string
	Seed                      uint64
	// SeedsRun counts the runs until detection (or all of them); Wall is
	// the time they took.
	SeedsRun int
	Wall     time.Duration
}

// MutantControl is one scenario swept with nothing planted: every seed
// must pass.
type MutantControl struct {
	Scenario string
	Seeds    int
	Failed   int
	// Status and Replay are the first seed that did not pass.
	Status, Replay string
}

// Detected counts the rows whose bug was caught.
func (m *Mutants) Detected() int {
	n := 0
	for _, r := range m.Rows {
		if r.Detected {
			n++
		}
	}
	return n
}

// Score is the share of rows detected.
func (m *Mutants) Score() float64 {
	if len(m.Rows) == 0 {
		return 0
	}
	return float64(m.Detected()) / float64(len(m.Rows))
}

// ControlFailed reports whether a control sweep had a seed that did not
// pass: then the scenarios, not the bugs, fail, and detection means nothing.
func (m *Mutants) ControlFailed() bool {
	for _, c := range m.Control {
		if c.Failed > 0 {
			return true
		}
	}
	return false
}

// SummaryLine is the closing line of `simulate mutants`.
func (m *Mutants) SummaryLine() string {
	ctl := "control passed"
	if m.ControlFailed() {
		ctl = "CONTROL FAILED"
	}
	return fmt.Sprintf("mutants: %d of %d planted bugs detected (%.0f%%) over seeds %s; %s", m.Detected(), len(m.Rows), 100*m.Score(), m.Seeds, ctl)
}

// WriteMutants writes table.md, table.csv and mutants.html into dir.
func WriteMutants(dir string, m *Mutants) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	var b bytes.Buffer
	MutantsMarkdown(&b, m)
	if err := writeFile(dir, "table.md", b.Bytes()); err != nil {
		return err
	}
	b.Reset()
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"bug", "issue", "detected", "scenario", "seed", "checker", "seeds_run", "wall_s", "replay"})
	for _, r := range m.Rows {
		seed := ""
		if r.Detected {
			seed = strconv.FormatUint(r.Seed, 10)
		}
		_ = w.Write([]string{r.Bug, r.Issue, strconv.FormatBool(r.Detected), r.Scenario, seed, r.Checker,
			strconv.Itoa(r.SeedsRun), strconv.FormatFloat(r.Wall.Seconds(), 'f', 1, 64), r.Replay})
	}
	w.Flush()
	if err := writeFile(dir, "table.csv", b.Bytes()); err != nil {
		return err
	}
	b.Reset()
	if err := mutantsPage.Execute(&b, m); err != nil {
		return fmt.Errorf("reports: mutants.html: %v", err)
	}
	return writeFile(dir, "mutants.html", b.Bytes())
}

// MutantsMarkdown writes the table as Markdown, as README shows it.
func MutantsMarkdown(b *bytes.Buffer, m *Mutants) {
	fmt.Fprintf(b, "%s\n\n", m.SummaryLine())
	b.WriteString("| planted bug | Redis issue | detected | first failing run | checker | seeds | wall |\n|---|---|---|---|---|---|---|\n")
	for _, r := range m.Rows {
		det, run := "no", mdCell(strings.Join(r.Scenarios, "; "))+" (none failed)"
		if r.Detected {
			det, run = "yes", "`"+mdCode(r.Replay)+"`"
		}
		if !r.Detected && r.Uncaught != "" {
			run += ": " + mdCell(r.Uncaught)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %d | %.1fs |\n", r.Bug, mdCell(r.Issue), det, run, mdCell(r.Checker), r.SeedsRun, r.Wall.Seconds())
	}
	b.WriteString("\nControl (nothing planted):\n\n| scenario | seeds | not passed |\n|---|---|---|\n")
	for _, c := range m.Control {
		extra := ""
		if c.Failed > 0 {
			extra = fmt.Sprintf(" (first: %s, `%s`)", c.Status, mdCode(c.Replay))
		}
		fmt.Fprintf(b, "| %s | %d | %d%s |\n", mdCell(c.Scenario), c.Seeds, c.Failed, extra)
	}
}

var mutantsPage = template.Must(template.New("mutants").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Planted bugs</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
.yes{background:#e6f4e6}.no{background:#fbe3e3}code{font-size:90%}</style></head><body>
<h1>Planted bugs</h1>
<p>{{.SummaryLine}}</p>
<table><tr><th>planted bug</th><th>Redis issue</th><th>mechanism</th><th>detected</th><th>first failing run</th><th>checker</th><th>seeds</th><th>wall</th></tr>
{{range .Rows}}<tr class="{{if .Detected}}yes{{else}}no{{end}}"><td><code>{{.Bug}}</code></td><td>{{.Issue}}</td><td>{{.Mechanism}}</td>
<td>{{if .Detected}}yes{{else}}no{{end}}</td><td>{{if .Detected}}<code>{{.Replay}}</code>{{else}}{{range .Scenarios}}{{.}}; {{end}}none failed{{if .Uncaught}}: {{.Uncaught}}{{end}}{{end}}</td>
<td>{{.Checker}}</td><td>{{.SeedsRun}}</td><td>{{printf "%.1fs" .Wall.Seconds}}</td></tr>
{{end}}</table>
<h2>Control (nothing planted)</h2>
<table><tr><th>scenario</th><th>seeds</th><th>not passed</th></tr>
{{range .Control}}<tr class="{{if .Failed}}no{{else}}yes{{end}}"><td>{{.Scenario}}</td><td>{{.Seeds}}</td><td>{{.Failed}}{{if .Replay}} (first: {{.Status}}, <code>{{.Replay}}</code>){{end}}</td></tr>
{{end}}</table></body></html>
`))
