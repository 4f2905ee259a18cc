package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/history"
)

var reportOut = flag.String("report.out", "", "also write the sample report into this directory, to look at it")

func TestWriteProducesEveryFile(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun(400)
	r.Linearizability = func(w io.Writer) error {
		_, err := io.WriteString(w, "<html><body>porcupine</body></html>")
		return err
	}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	if *reportOut != "" {
		big := sampleRun(3000)
		big.Linearizability = r.Linearizability
		if err := Write(*reportOut, big); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{ResultFile, HistoryFile, SummaryFile, ReportFile, LinearizabilityFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}

	if page := string(read(t, dir, ReportFile)); !strings.Contains(page, `href="linearizability.html"`) {
		t.Errorf("report.html does not link linearizability.html")
	}

	var res map[string]any
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatalf("result.json: %v", err)
	}
	for _, k := range []string{"scenario", "seed", "hash", "status", "passed", "params", "duration_ns", "duration", "verdicts", "faults", "replay", "status_line"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result.json lacks %q", k)
		}
	}
	if _, ok := res["history"]; ok {
		t.Errorf("result.json holds the history")
	}
	if res["duration"] != "1m0s" || res["duration_ns"] != float64(60e9) {
		t.Errorf("result.json duration = %v, %v", res["duration"], res["duration_ns"])
	}

	h, err := history.ReadJSONL(bytes.NewReader(read(t, dir, HistoryFile)))
	if err != nil {
		t.Fatal(err)
	}
	if h.Len() != len(r.History) {
		t.Errorf("history.jsonl has %d ops, want %d", h.Len(), len(r.History))
	}

	md := string(read(t, dir, SummaryFile))
	for _, want := range []string{r.StatusLine, r.Replay, "12 of 1480 acknowledged adds lost", "partition majority", "| duration | `60s` |", "[linearizability.html]"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}

func TestReportPage(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun(400)
	r.Linearizability = func(w io.Writer) error { return errors.New("too big") }
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, ReportFile))
	if n := strings.Count(page, "<svg"); n != 4 {
		t.Errorf("report.html has %d <svg> plots, want 4", n)
	}
	for _, want := range []string{r.Replay, r.StatusLine} {
		if !strings.Contains(page, template.HTMLEscapeString(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	for _, v := range r.Verdicts {
		if !strings.Contains(page, template.HTMLEscapeString(v.Summary)) {
			t.Errorf("report.html lacks the summary %q", v.Summary)
		}
		for _, e := range v.Evidence.Lines() {
			if !strings.Contains(page, template.HTMLEscapeString(e)) {
				t.Errorf("report.html lacks the evidence %q", e)
			}
		}
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Errorf("report.html holds a <script> element: evidence was not escaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(") {
		t.Errorf("report.html lacks the escaped evidence")
	}
	if !strings.Contains(page, "porcupine's visualization was not written: too big") &&
		!strings.Contains(page, "visualization was not written: too big") {
		t.Errorf("report.html does not say why the visualization is missing")
	}
	if _, err := os.Stat(filepath.Join(dir, LinearizabilityFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("linearizability.html written although the callback failed: %v", err)
	}
	// The history table around the set violation shows its evidence.
	if !strings.Contains(page, `class="evidence"`) || !strings.Contains(page, "fault in force since 15.000000s: partition majority") || !strings.Contains(page, "fault ends: partition majority") {
		t.Errorf("report.html lacks the highlighted history around the anomaly")
	}
	checkWellFormed(t, page)
}

// checkWellFormed parses the page as loose HTML and each SVG plot as strict
// XML.
func checkWellFormed(t *testing.T, page string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("report.html does not parse: %v", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Errorf("report.html has %d unclosed elements", depth)
	}
	rest := page
	for {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "</svg>")
		if j < 0 {
			t.Fatalf("an <svg> is not closed")
		}
		svg := rest[i : i+j+len("</svg>")]
		sd := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := sd.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("an SVG plot is not well-formed XML: %v", err)
			}
		}
		rest = rest[i+j:]
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := Write(dir, sampleRun(800)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{ResultFile, HistoryFile, SummaryFile, ReportFile} {
		if !bytes.Equal(read(t, a, f), read(t, b, f)) {
			t.Errorf("%s differs between two writes of the same run", f)
		}
	}
}

func TestWriteSkipsEmptyPlots(t *testing.T) {
	dir := t.TempDir()
	r := &Run{Scenario: "empty", Seed: 3, Status: "pass", StatusLine: "PASS scenario=empty seed=3 hash=0", Replay: "simulate replay empty --seed 3"}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, ReportFile))
	if n := strings.Count(page, "<svg"); n != 0 {
		t.Errorf("report.html of an empty run has %d plots", n)
	}
	for _, want := range []string{"No latency plot", "No throughput plot", "No roles or beliefs plot", "No replication lag plot", "recorded no operations"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks the note %q", want)
		}
	}
	checkWellFormed(t, page)

	// Operations but no samples: two plots, two notes.
	r = sampleRun(100)
	r.Roles, r.Beliefs, r.Lag, r.Faults = nil, nil, nil, nil
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	page = string(read(t, dir, ReportFile))
	if n := strings.Count(page, "<svg"); n != 2 {
		t.Errorf("report.html has %d plots, want latency and throughput only", n)
	}
}

func TestHistoryWindowFallsBackToTheTail(t *testing.T) {
	r := sampleRun(300)
	r.Verdicts = []checker.Result{{Checker: "set", Verdict: checker.Ok, Summary: "fine"}}
	ws := historyWindows(r)
	if len(ws) != 1 {
		t.Fatalf("%d windows, want 1", len(ws))
	}
	ops := 0
	for _, row := range ws[0].Rows {
		if row.Fault == "" {
			ops++
		}
	}
	if ops != tailRows || ws[0].Rows[len(ws[0].Rows)-1].Index != len(r.History) {
		t.Errorf("tail shows %d ops ending at #%d, want %d ending at #%d", ops, ws[0].Rows[len(ws[0].Rows)-1].Index, tailRows, len(r.History))
	}
}

func TestHistoryWindowIsCapped(t *testing.T) {
	r := sampleRun(20000)
	ws := historyWindows(r)
	if len(ws) != 2 {
		t.Fatalf("%d windows, want one per violation", len(ws))
	}
	for _, w := range ws {
		ops, evidence := 0, 0
		for _, row := range w.Rows {
			if row.Fault == "" {
				ops++
			}
			if row.Evidence {
				evidence++
			}
		}
		if ops != maxWindowRows {
			t.Errorf("%s: %d rows, want the cap %d", w.Title, ops, maxWindowRows)
		}
		if strings.HasPrefix(w.Title, "set") && evidence == 0 {
			t.Errorf("%s: the capped window lost the evidence", w.Title)
		}
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkWrite(b *testing.B) {
	r := sampleRun(20000)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(dir, r); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, ReportFile)); err == nil {
		b.ReportMetric(float64(fi.Size()), "html-bytes")
	}
}

// A run's report names the coverage probes it reached, in result.json,
// summary.md and report.html.
func TestRunReportShowsProbes(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun(50)
	r.Probes = []RunProbe{{Name: "repl/full-resync", Count: 3, First: 1500 * time.Millisecond}}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Probes []struct {
			Name    string `json:"name"`
			Count   int    `json:"count"`
			FirstNS int64  `json:"first_ns"`
		} `json:"probes"`
	}
	if err := json.Unmarshal(read(t, dir, ResultFile), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Probes) != 1 || res.Probes[0].Name != "repl/full-resync" || res.Probes[0].Count != 3 || res.Probes[0].FirstNS != int64(1500*time.Millisecond) {
		t.Fatalf("result.json probes: %+v", res.Probes)
	}
	if md := string(read(t, dir, SummaryFile)); !strings.Contains(md, "| repl/full-resync | 3 | 1.500000s |") {
		t.Fatalf("summary.md lacks the probe:\n%s", md)
	}
	if page := string(read(t, dir, ReportFile)); !strings.Contains(page, `<td class="mono">repl/full-resync</td><td>3</td>`) {
		t.Fatal("report.html lacks the probe")
	}
}

// A failed check whose evidence names a key but no time shows that key's
// operations, not the last operations of the run (which may not touch it).
func TestHistoryWindowOfAKey(t *testing.T) {
	r := sampleRun(3000)
	r.Verdicts = []checker.Result{{Checker: "convergence", Verdict: checker.Violation, Summary: "n2 differs on k3",
		Evidence: checker.Evidence{Key: "k3"}}}
	on := 0
	for i := range r.History {
		if r.History[i].Key == "k3" {
			on++
		}
	}
	ws := historyWindows(r)
	if len(ws) != 1 {
		t.Fatalf("%d windows, want 1", len(ws))
	}
	if !strings.Contains(ws[0].Title, `"k3"`) {
		t.Errorf("title %q does not name the key", ws[0].Title)
	}
	rows := 0
	for _, row := range ws[0].Rows {
		if row.Fault != "" {
			continue
		}
		rows++
		if row.Key != "k3" {
			t.Fatalf("row #%d is on %q, not k3", row.Index, row.Key)
		}
	}
	if want := min(on, maxWindowRows); rows != want || on == 0 {
		t.Errorf("%d rows, want %d of the %d operations on k3", rows, want, on)
	}
}
