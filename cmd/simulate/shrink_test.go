package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shrink writes a derived scenario file that `simulate run` fails with the
// same check, and the file's report beside it.
func TestShrinkWritesARunnableFile(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "shrink", "standalone-crash", "--set", "appendfsync=no", "--seed", "1", "--out", dir)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "shrink: run 2 ") || !strings.Contains(out, "stopped at a fixpoint") {
		t.Fatalf("no progress or no closing line:\n%s\n%s", out, errOut)
	}
	path := filepath.Join(dir, "standalone-crash-seed1-shrunk.toml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "base = \"standalone-crash\"") || !strings.Contains(string(src), "appendfsync = \"no\"") {
		t.Fatalf("file:\n%s", src)
	}
	for _, f := range []string{"report.html", "result.json", "summary.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = run(t, "run", path, "--seed", "1")
	if code != exitViolation || !strings.Contains(out, "violation set") {
		t.Fatalf("running the shrunk file: exit %d\n%s", code, out)
	}
}

func TestShrinkUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"shrink", "ping", "--seed", "1", "--out", t.TempDir()}, "the run passes: there is no failure to shrink"},
		{[]string{"shrink", "ping", "--budget", "soon"}, `--budget "soon": want a wall time such as 5m or 90s, or a number of runs such as 200`},
		{[]string{"shrink", "ping", "--budget", "0"}, "--budget 0: want at least 1 run"},
		{[]string{"shrink", "nope"}, `scenario "nope" is unknown`},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
