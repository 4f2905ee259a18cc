package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func sampleSweep() []SweepEntry {
	var es []SweepEntry
	for seed := uint64(6); seed >= 1; seed-- {
		e := SweepEntry{
			Scenario: "failover-partition", Seed: seed, Hash: "abc", Status: "pass",
			Verdicts: []Verdict{{Check: "set", Outcome: OutcomeOk, Summary: "no acknowledged add lost"}},
			Replay:   "simulate replay failover-partition --seed " + string(rune('0'+seed)) + " --expect-hash abc",
			Duration: time.Duration(seed) * 100 * time.Millisecond,
		}
		switch seed {
		case 2, 5:
			e.Status = "fail"
			e.Verdicts = []Verdict{
				{Check: "set", Outcome: OutcomeViolation, Summary: "3 of 900 acknowledged adds lost", Evidence: []string{"lost: 1 2 3 <&>"}},
				{Check: "linearizable/register", Outcome: OutcomeUnknown, Summary: "porcupine timed out"},
			}
		case 4:
			e.Status, e.Hash, e.Verdicts = "", "", nil
			e.Err = "world panicked: index out of range\ngoroutine 1"
		}
		es = append(es, e)
	}
	return es
}

func TestWriteSweep(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSweep(dir, sampleSweep()); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, read(t, dir, SweepResultsFile))
	if len(ls) != 6 {
		t.Fatalf("results.jsonl has %d lines, want 6", len(ls))
	}
	statuses := ""
	for i, l := range ls {
		var j struct {
			Seed     uint64 `json:"seed"`
			Status   string `json:"status"`
			Verdicts []struct {
				Check string `json:"check"`
			} `json:"verdicts"`
		}
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("results.jsonl line %d: %v", i+1, err)
		}
		if j.Seed != uint64(i+1) {
			t.Errorf("line %d holds seed %d; lines are not sorted by seed", i+1, j.Seed)
		}
		statuses += j.Status[:1]
	}
	if statuses != "pfpefp" {
		t.Errorf("statuses by seed = %q, want pfpefp", statuses)
	}
	md := string(read(t, dir, SummaryFile))
	for _, want := range []string{
		"6 runs, seeds 1-6: **3 passed, 2 failed, 0 unknown, 1 errors**",
		"- failover-partition seed 2: set violation: 3 of 900 acknowledged adds lost; linearizable/register unknown: porcupine timed out",
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
	if err := JUnit(&buf, "failover-partition", sampleSweep()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, buf.String())
	}
	if doc.Tests != 6 || doc.Failures != 2 || doc.Errors != 1 || len(doc.Suites) != 1 {
		t.Fatalf("tests=%d failures=%d errors=%d suites=%d, want 6, 2, 1, 1", doc.Tests, doc.Failures, doc.Errors, len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Tests != 6 || s.Failures != 2 || s.Errors != 1 || len(s.Cases) != 6 {
		t.Fatalf("suite tests=%d failures=%d errors=%d cases=%d", s.Tests, s.Failures, s.Errors, len(s.Cases))
	}
	c := s.Cases[1]
	if c.Name != "failover-partition seed=2" || c.Failure == nil {
		t.Fatalf("case 2 = %+v, want a failure named failover-partition seed=2", c)
	}
	for _, want := range []string{"3 of 900 acknowledged adds lost", "porcupine timed out", "lost: 1 2 3 <&>", "replay: simulate replay failover-partition --seed 2"} {
		if !strings.Contains(c.Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, c.Failure.Text)
		}
	}
	if e := s.Cases[3]; e.Error == nil || e.Error.Message != "world panicked: index out of range" || e.Failure != nil {
		t.Errorf("case 4 = %+v, want an error", e)
	}
	if s.Cases[0].Failure != nil || s.Cases[0].Error != nil {
		t.Errorf("a passing seed has a failure or an error")
	}
}

// Undecided seeds are counted apart from failures and passes, and a sweep
// with nothing worse is UNKNOWN, not PASS.
func TestSweepSummaryCountsUnknown(t *testing.T) {
	dir := t.TempDir()
	es := []SweepEntry{
		{Scenario: "s", Seed: 1, Hash: "a", Status: "pass"},
		{Scenario: "s", Seed: 2, Hash: "b", Status: "unknown", Replay: "simulate run s --seed 2",
			Verdicts: []Verdict{{Check: "linearizable/register", Outcome: OutcomeUnknown, Summary: "search budget spent"}}},
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
