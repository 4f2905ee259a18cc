package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplayChecksTheHash(t *testing.T) {
	_, out, _ := run(t, "run", "ping", "--seed", "7")
	m := statusLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no status line:\n%s", out)
	}
	hash := m[1]
	code, replayOut, _ := run(t, "replay", "ping", "--seed", "7", "--expect-hash", hash)
	if code != 0 || replayOut != out {
		t.Errorf("replay with the right hash: exit %d, output differs from run:\n%s", code, replayOut)
	}
	wrong := "0123456789abcdef"
	code, divergedOut, errOut := run(t, "replay", "ping", "--seed", "7", "--expect-hash", wrong)
	if code != 3 || !strings.Contains(errOut, "expected hash="+wrong) || !strings.Contains(errOut, "got hash="+hash) {
		t.Errorf("replay with a wrong hash: exit %d, stderr %q; want 3 and both hashes", code, errOut)
	}
	// A pipeline reading the last line must not see PASS for a replay that
	// did not reproduce the recorded run.
	wantLast := "DIVERGED scenario=ping seed=7 expected=" + wrong + " got=" + hash + "\n"
	if !strings.HasSuffix(divergedOut, wantLast) || strings.Contains(divergedOut, "PASS scenario=") {
		t.Errorf("replay with a wrong hash: stdout ends\n%s\nwant it to end with %s and hold no PASS line", lastLines(divergedOut, 2), wantLast)
	}
	// The same seed with other parameters is another world.
	code, _, errOut = run(t, "replay", "ping", "--seed", "7", "--set", "nodes=3", "--expect-hash", hash)
	if code != 3 || !strings.Contains(errOut, "diverged") {
		t.Errorf("replay with other --set: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = run(t, append([]string{"replay", "ping", "--seed", "7"}, failingPing...)...)
	if code != 1 {
		t.Errorf("replay of a failing seed: exit %d, want 1", code)
	}
}

func TestReplayUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"replay", "ping"}, `required flag(s) "seed" not set`},
		{[]string{"replay", "ping", "--seed", "7", "--expect-hash", "xyz"}, `--expect-hash "xyz": want the 16 hex digits`},
	} {
		code, _, errOut := run(t, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.msg)
		}
	}
}

func TestRunOutWritesResultJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ping-7")
	code, out, _ := run(t, "run", "ping", "--seed", "7", "--out", dir)
	m := statusLine.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Scenario string
		Seed     uint64
		Hash     string
		Verdicts []json.RawMessage
		Params   []struct{ Name, Value string }
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Hash != m[1] || res.Seed != 7 || res.Scenario != "ping" || len(res.Verdicts) != 3 || len(res.Params) == 0 || res.Params[1].Name != "nodes" || res.Params[1].Value != "5" {
		t.Errorf("result.json: %+v", res)
	}
	for _, f := range []string{"report.html", "summary.md", "history.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("--out wrote no %s: %v", f, err)
		}
	}
	if code, _, errOut := run(t, "run", "ping", "--out", "/dev/null/x"); code != 2 || !strings.Contains(errOut, "--out /dev/null/x") {
		t.Errorf("bad --out: exit %d, %q", code, errOut)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
