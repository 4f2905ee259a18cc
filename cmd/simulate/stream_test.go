package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A replication run longer than 10 minutes streams its history: the
// report's history.jsonl still holds every operation, in invocation
// order, as result.json counts them, summary.md says what the checks
// saw, and the plots cover the whole run.
func TestLongRunStreamsItsHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("an 11-minute run")
	}
	dir := t.TempDir()
	code, out, stderr := run(t, "run", "replication", "--seed", "3", "--duration", "11m",
		"--set", "clients=1", "--set", "fault-interval=20s", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "keys rotated after 100 writes") {
		t.Errorf("no rotation fact in:\n%s", out)
	}
	var res struct {
		Operations int `json:"operations"`
	}
	js, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	lines, last := 0, int64(-1)
	for sc.Scan() {
		var op struct {
			InvokeNS int64 `json:"invoke_ns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &op); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if op.InvokeNS < last {
			t.Fatalf("line %d invoked at %d, before the line above (%d)", lines+1, op.InvokeNS, last)
		}
		last = op.InvokeNS
		lines++
	}
	if lines != res.Operations || lines < 10000 {
		t.Fatalf("history.jsonl has %d operations, result.json counts %d", lines, res.Operations)
	}
	if !strings.Contains(out, "operations:") {
		t.Errorf("no operation counts in:\n%s", out)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "The run streamed its history") {
		t.Errorf("summary.md does not say the history was streamed:\n%s", summary)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="throughput"`, `id="latency"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
}
