package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// countLines counts the whole lines of path (0 when it does not exist).
func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// seedsOnce checks that results.jsonl holds exactly seeds 1..n, each once.
func seedsOnce(t *testing.T, path string, n int) {
	t.Helper()
	count := map[uint64]int{}
	for _, l := range readResults(t, path) {
		count[l.Seed]++
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		if count[seed] != 1 {
			t.Errorf("seed %d has %d lines in results.jsonl, want 1", seed, count[seed])
		}
	}
	if len(count) != n {
		t.Errorf("results.jsonl has %d seeds, want %d", len(count), n)
	}
}

// An interrupted sweep keeps every finished result and summarizes them;
// --resume runs only the seeds without a line, and summarizes all of them.
func TestSweepInterruptedAndResumed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	results := filepath.Join(dir, "results.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for countLines(results) < 4 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var out, errOut bytes.Buffer
	code := execute(ctx, []string{"sweep", "ping", "--seeds", "1-400", "--jobs", "2", "--out", dir}, &out, &errOut, func(string) string { return "" })
	if code != exitInterrupted {
		t.Fatalf("interrupted sweep: exit %d, want %d\n%s\n%s", code, exitInterrupted, out.String(), errOut.String())
	}
	first := readResults(t, results)
	if len(first) < 4 || len(first) >= 400 {
		t.Fatalf("the interrupted sweep wrote %d results", len(first))
	}
	want := "interrupted: " + strconv.Itoa(len(first)) + " of 400 seeds have results; to run the rest: simulate sweep ping --seeds 1-400 --jobs 2 --resume " + dir
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q lacks %q", errOut.String(), want)
	}
	summary := "INTERRUPTED sweep scenario=ping seeds=400 passed=" + strconv.Itoa(len(first)) + " failed=0 unknown=0 errors=0 skipped=" + strconv.Itoa(400-len(first))
	if !strings.Contains(out.String(), summary) || !strings.Contains(out.String(), "not run, as the sweep was interrupted") {
		t.Errorf("partial summary lacks %q:\n%s", summary, out.String())
	}

	// A kill -9 while a line was being written leaves half a line: resume
	// drops it and runs that seed again.
	f, err := os.OpenFile(results, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"scenario":"ping","seed":39`)
	f.Close()

	code, resumed, errText := run(t, "sweep", "ping", "--seeds", "1-400", "--jobs", "2", "--resume", dir)
	if code != exitPass {
		t.Fatalf("resumed sweep: exit %d\n%s\n%s", code, resumed, errText)
	}
	if !strings.Contains(resumed, "resuming: "+strconv.Itoa(len(first))+" of 400 seeds already have results") {
		t.Errorf("resume does not say what it skips:\n%s", resumed)
	}
	if got := len(seedsPrinted(resumed)); got != 400-len(first) {
		t.Errorf("the resumed sweep ran %d seeds, want %d", got, 400-len(first))
	}
	if !strings.Contains(resumed, "PASS sweep scenario=ping seeds=400 passed=400 failed=0 unknown=0 errors=0 skipped=0") {
		t.Errorf("the resumed summary does not cover every seed:\n%s", resumed)
	}
	seedsOnce(t, results, 400)
	for i, l := range readResults(t, results)[:len(first)] {
		if l.Seed != first[i].Seed || l.Hash != first[i].Hash {
			t.Errorf("line %d changed on resume", i+1)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	if !strings.Contains(string(md), "400 runs, seeds 1-400: **400 passed") {
		t.Errorf("summary.md after resume:\n%s", md)
	}

	// Results of another sweep are not mixed in.
	code, _, errText = run(t, "sweep", "ping", "--seeds", "1-400", "--set", "nodes=3", "--resume", dir)
	if code != exitUsage || !strings.Contains(errText, "the interrupted sweep ran with nodes=5, this one ran with nodes=3") {
		t.Errorf("resume with other --set: exit %d, %q", code, errText)
	}
	code, _, errText = run(t, "sweep", "ping", "--seeds", "1-3", "--resume", filepath.Join(t.TempDir(), "none"))
	if code != exitUsage || !strings.Contains(errText, "there is no results.jsonl to resume from") {
		t.Errorf("resume of nothing: exit %d, %q", code, errText)
	}
}

// The real signal, in a real process: SIGINT prints the partial summary,
// and SIGKILL loses no synced result.
func TestSweepSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "simulate")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		dir := filepath.Join(t.TempDir(), "out")
		results := filepath.Join(dir, "results.jsonl")
		cmd := exec.Command(bin, "sweep", "ping", "--seeds", "1-2000", "--jobs", "1", "--out", dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for countLines(results) < 3 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		n := len(readResults(t, results))
		if sig == syscall.SIGINT {
			if cmd.ProcessState.ExitCode() != exitInterrupted || !strings.Contains(out.String(), "INTERRUPTED sweep scenario=ping seeds=2000 passed="+strconv.Itoa(n)) {
				t.Fatalf("SIGINT: %v, output:\n%s", err, lastLines(out.String(), 5))
			}
		}
		printed := 0
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "PASS scenario=ping") {
				printed++
			}
		}
		if n < printed {
			t.Errorf("%v: %d seeds printed, only %d in results.jsonl", sig, printed, n)
		}
		resumed := exec.Command(bin, "sweep", "ping", "--seeds", "1-2000", "--jobs", "2", "--resume", dir)
		b, err := resumed.CombinedOutput()
		if err != nil {
			t.Fatalf("%v then resume: %v\n%s", sig, err, b)
		}
		if !strings.Contains(string(b), "PASS sweep scenario=ping seeds=2000 passed=2000") {
			t.Errorf("%v then resume:\n%s", sig, b)
		}
	}
}
