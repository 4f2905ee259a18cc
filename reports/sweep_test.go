package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
)

func sampleSweep() []SweepEntry {
	var es []SweepEntry
	for seed := uint64(6); seed >= 1; seed-- {
		e := SweepEntry{
			Scenario: "failover-partition", Seed: seed, Hash: "abc", Status: "pass",
			Verdicts: []checker.Result{{Checker: "set", Verdict: checker.Ok, Summary: "no acknowledged add lost"}},
			WallMS:   float64(seed) * 100,
		}
		switch seed {
		case 2, 5:
			e.Status = "fail"
			e.Replay = "simulate replay failover-partition --seed " + string(rune('0'+seed)) + " --expect-hash abc"
			e.Verdicts = []checker.Result{
				{Checker: "set", Verdict: checker.Violation, Summary: "3 of 900 acknowledged adds lost", Evidence: checker.Evidence{Notes: []string{"lost: 1 2 3 <&>"}}},
				{Checker: "linearizable/register", Verdict: checker.Unknown, Summary: "search budget spent"},
			}
		case 4:
			e.Status, e.Hash, e.Verdicts = "error", "", nil
			e.Err = "world panicked: index out of range\ngoroutine 1"
			e.Replay = "simulate run failover-partition --seed 4"
		}
		es = append(es, e)
	}
	return es
}

// results.jsonl is written a line at a time and read back whole, except a
// last line cut short by a kill.
func TestSweepEntriesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), SweepResultsFile)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	in := sortedEntries(sampleSweep())
	for i := range in {
		if err := AppendSweepEntry(f, &in[i]); err != nil {
			t.Fatal(err)
		}
	}
	f.WriteString(`{"scenario":"failover-partition","seed":7,"sta`)
	f.Close()
	out, err := ReadSweepEntries(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 6 {
		t.Fatalf("read %d entries, want 6", len(out))
	}
	for i := range out {
		if out[i].Seed != uint64(i+1) || out[i].Status != in[i].Status || out[i].Passed != (in[i].Status == "pass") || len(out[i].Verdicts) != len(in[i].Verdicts) {
			t.Errorf("entry %d: %+v, want %+v", i, out[i], in[i])
		}
	}
	if v := out[1].Verdicts[0]; v.Verdict != checker.Violation || v.Evidence.Notes[0] != "lost: 1 2 3 <&>" {
		t.Errorf("seed 2's verdict did not survive the round trip: %+v", v)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b, []byte("\n")) != 6 {
		t.Errorf("the cut-off line was not dropped from the file:\n%s", b)
	}
	os.WriteFile(path, append(b, []byte("not json\n")...), 0o644)
	if _, err := ReadSweepEntries(path, false); err == nil || !strings.Contains(err.Error(), SweepResultsFile+":7 is not a result line") {
		t.Errorf("a bad line: %v", err)
	}
}

func TestWriteSweepSummary(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSweepSummary(dir, sampleSweep()); err != nil {
		t.Fatal(err)
	}
	md := string(read(t, dir, SummaryFile))
	for _, want := range []string{
		"# FAIL Sweep of failover-partition",
		"6 runs, seeds 1-6: **3 passed, 2 failed, 0 unknown, 1 errors**",
		"- failover-partition seed 2: set violation: 3 of 900 acknowledged adds lost; linearizable/register unknown: search budget spent",
		"`simulate replay failover-partition --seed 5 --expect-hash abc`",
		"- failover-partition seed 4: error: world panicked: index out of range goroutine 1",
		"| set | violation | 2 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "seed 1:") {
		t.Errorf("summary.md lists a passing seed:\n%s", md)
	}
}

func TestJUnit(t *testing.T) {
	var buf bytes.Buffer
	es := sortedEntries(sampleSweep())
	es[5].Status = "unknown"
	es[5].Verdicts = []checker.Result{{Checker: "linearizable/register", Verdict: checker.Unknown, Summary: "search budget spent"}}
	err := JUnit(&buf, JUnitSweep{Scenario: "failover-partition", Properties: []JUnitProperty{{"seeds", "1-8"}}, Started: time.Unix(0, 0),
		Wall: time.Second, Entries: es, Skipped: []uint64{7, 8}, SkippedWhy: "the sweep was interrupted"})
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, buf.String())
	}
	if doc.Tests != 8 || doc.Failures != 2 || doc.Errors != 1 || doc.Skipped != 3 || len(doc.Suites) != 1 {
		t.Fatalf("tests=%d failures=%d errors=%d skipped=%d suites=%d, want 8, 2, 1, 3, 1", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, len(doc.Suites))
	}
	c := doc.Suites[0].Cases
	if c[1].Name != "failover-partition seed=2" || c[1].Failure == nil {
		t.Fatalf("case 2 = %+v, want a failure named failover-partition seed=2", c[1])
	}
	for _, want := range []string{"3 of 900 acknowledged adds lost", "search budget spent", "lost: 1 2 3 <&>", "replay: simulate replay failover-partition --seed 2"} {
		if !strings.Contains(c[1].Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, c[1].Failure.Text)
		}
	}
	if e := c[3]; e.Error == nil || e.Error.Message != "world panicked: index out of range" || e.Failure != nil || e.Error.Type != "framework" {
		t.Errorf("case 4 = %+v, want an error", e)
	}
	if u := c[5]; u.Skipped == nil || !strings.HasPrefix(u.Skipped.Message, "UNKNOWN, not judged: linearizable/register (unknown)") {
		t.Errorf("case 6 = %+v, want an UNKNOWN skipped case", u)
	}
	if s := c[7]; s.Skipped == nil || s.Skipped.Message != "not run: the sweep was interrupted" || s.Name != "failover-partition seed=8" {
		t.Errorf("case 8 = %+v, want a skipped seed", s)
	}
	if c[0].Failure != nil || c[0].Error != nil || c[0].Skipped != nil {
		t.Errorf("a passing seed has a failure, an error or a skip")
	}
}

// Undecided seeds are counted apart from failures and passes, and a sweep
// with nothing worse is UNKNOWN, not PASS.
func TestSweepSummaryCountsUnknown(t *testing.T) {
	dir := t.TempDir()
	es := []SweepEntry{
		{Scenario: "s", Seed: 1, Hash: "a", Status: "pass"},
		{Scenario: "s", Seed: 2, Hash: "b", Status: "unknown", Replay: "simulate run s --seed 2",
			Verdicts: []checker.Result{{Checker: "linearizable/register", Verdict: checker.Unknown, Summary: "search budget spent"}}},
	}
	if err := WriteSweepSummary(dir, es); err != nil {
		t.Fatal(err)
	}
	md := string(read(t, dir, SummaryFile))
	for _, want := range []string{"# UNKNOWN Sweep of s", "**1 passed, 0 failed, 1 unknown, 0 errors**", "- s seed 2: linearizable/register unknown: search budget spent"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
}

// SweepCoverage counts each probe's seeds and first seed in the sweep's
// order, lists the declared probes no seed reached, and skips errored
// seeds; summary.md and coverage.json carry the table.
func TestSweepCoverage(t *testing.T) {
	entries := []SweepEntry{
		{Seed: 7, Status: "pass", Probes: []ProbeHit{{Name: "a/x", Count: 2}}},
		{Seed: 3, Status: "fail", Probes: []ProbeHit{{Name: "a/x", Count: 1}, {Name: "a/y", Count: 5}}},
		{Seed: 9, Status: "error", Probes: []ProbeHit{{Name: "a/z", Count: 1}}},
	}
	cov := SweepCoverage(entries, []ProbeDecl{{"a/x", "x"}, {"a/y", "y"}, {"a/z", "z"}, {"a/w", "w"}})
	if cov.Seeds != 2 || len(cov.Reached) != 2 || len(cov.Unreached) != 2 {
		t.Fatalf("coverage %+v", cov)
	}
	if x := cov.Reached[0]; x.Name != "a/x" || x.Seeds != 2 || x.Hits != 3 || *x.FirstSeed != 7 {
		t.Errorf("a/x: %+v", x)
	}
	if y := cov.Reached[1]; y.Name != "a/y" || *y.FirstSeed != 3 {
		t.Errorf("a/y: %+v", y)
	}
	if cov.Unreached[0].Name != "a/w" || cov.Unreached[1].Name != "a/z" {
		t.Errorf("unreached %+v", cov.Unreached)
	}
	dir := t.TempDir()
	if err := WriteSweepSummary(dir, entries); err != nil {
		t.Fatal(err)
	}
	if err := WriteCoverage(dir, cov); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	js, _ := os.ReadFile(filepath.Join(dir, CoverageFile))
	for _, want := range []string{"## Coverage", "coverage: 2 of 4 probes reached by 2 seeds", "| `a/x` | 2 | 3 | 7 | x |", "- `a/w`: w"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(string(js), `"name": "a/z"`) || !strings.Contains(string(js), `"first_seed": 3`) {
		t.Errorf("coverage.json:\n%s", js)
	}
}
