package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/redsim/redsim/reports"
	"github.com/redsim/redsim/scenarios/builtin"
	"github.com/redsim/redsim/scenarios/sweep"
)

// shardArgs are the arguments of one shard of a sweep as a Kubernetes
// Indexed Job runs it: the index comes from JOB_COMPLETION_INDEX.
func shardArgs(dir string, i int, sweepArgs []string) []string {
	return append(append([]string{"sweep"}, sweepArgs...), "--shards", "3", "--jobs", "2",
		"--out", filepath.Join(dir, fmt.Sprintf("shard-%d", i)), "--junit", filepath.Join(dir, fmt.Sprintf("shard-%d.xml", i)))
}

// comparable is a results.jsonl line without what may differ between one
// machine and several: the wall time and the build.
func comparable(t *testing.T, es []reports.SweepEntry) []string {
	t.Helper()
	var out []string
	for _, e := range es {
		e.WallMS, e.Build = 0, ""
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// closing is a sweep's closing status line.
var closing = regexp.MustCompile(`(?m)^(PASS|FAIL|UNKNOWN|INCOMPLETE|INTERRUPTED) sweep scenario=.*$`)

// checkMergeEqualsSweep compares the merge written to merged with the
// single-machine sweep written to single: results.jsonl seed for seed,
// coverage.json, summary.md, the JUnit testcases and the closing status.
func checkMergeEqualsSweep(t *testing.T, single, merged, singleOut, mergedOut string) {
	t.Helper()
	want := comparable(t, readResults(t, filepath.Join(single, "results.jsonl")))
	got := comparable(t, readResults(t, filepath.Join(merged, "results.jsonl")))
	if len(got) != len(want) {
		t.Fatalf("merged results.jsonl has %d lines, the single sweep's %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("results.jsonl line %d:\nmerged %s\nsingle %s", i+1, got[i], want[i])
		}
	}
	for _, f := range []string{"coverage.json", "summary.md"} {
		if a, b := readFile(t, filepath.Join(merged, f)), readFile(t, filepath.Join(single, f)); a != b {
			t.Errorf("merged %s differs from the single sweep's:\n%s\n---\n%s", f, a, b)
		}
	}
	js, jm := readJUnit(t, single+".xml"), readJUnit(t, merged+".xml")
	if js.Tests != jm.Tests || js.Failures != jm.Failures || js.Errors != jm.Errors || js.Skipped != jm.Skipped ||
		len(jm.Suites) != 1 || !reflect.DeepEqual(js.Suites[0].Cases, jm.Suites[0].Cases) {
		t.Errorf("merged JUnit differs from the single sweep's:\n%+v\n%+v", jm, js)
	}
	if a, b := closing.FindString(mergedOut), closing.FindString(singleOut); a != b || a == "" {
		t.Errorf("merge closes with %q, the sweep with %q", a, b)
	}
}

// Three shards run as the pods of an Indexed Job would (JOB_COMPLETION_INDEX
// and --shards 3), merged, are the single-machine sweep seed for seed: the
// same results.jsonl, in the same order, coverage table, summary.md and
// JUnit testcases, and the same exit status.
func TestMergeEqualsSingleSweep(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		// Replication reaches coverage probes; failing ping has replay
		// commands and seed-N reports.
		{"replication", []string{"replication", "--seeds", "1-12", "--set", "duration=25s"}, exitPass},
		{"failing-ping", append([]string{"ping", "--seeds", "3-9,1"}, failingPing...), exitViolation},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			single := filepath.Join(dir, "single")
			code, singleOut, errOut := run(t, append(append([]string{"sweep"}, tt.args...), "--jobs", "2", "--out", single, "--junit", single+".xml")...)
			if code != tt.code {
				t.Fatalf("single sweep: exit %d, want %d\n%s\n%s", code, tt.code, singleOut, errOut)
			}
			var shards []string
			for i := range 3 {
				code, out, errOut := runEnv(t, map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i)}, shardArgs(dir, i, tt.args)...)
				if code != exitPass && code != exitViolation {
					t.Fatalf("shard %d: exit %d\n%s\n%s", i, code, out, errOut)
				}
				shards = append(shards, filepath.Join(dir, fmt.Sprintf("shard-%d", i)))
			}
			merged := filepath.Join(dir, "merged")
			// The order of the directories does not matter.
			code, mergedOut, errOut := run(t, "merge", shards[2], shards[0], shards[1], "--out", merged, "--junit", merged+".xml")
			if code != tt.code {
				t.Fatalf("merge: exit %d, want %d\n%s\n%s", code, tt.code, mergedOut, errOut)
			}
			checkMergeEqualsSweep(t, single, merged, singleOut, mergedOut)
			for _, e := range readResults(t, filepath.Join(merged, "results.jsonl")) {
				if e.Status == "pass" {
					continue
				}
				if _, err := os.Stat(filepath.Join(merged, fmt.Sprintf("seed-%d", e.Seed), "result.json")); err != nil {
					t.Errorf("failing seed %d has no report in the merge: %v", e.Seed, err)
				}
				if !strings.Contains(mergedOut, e.Replay) {
					t.Errorf("merge does not print seed %d's replay command %q:\n%s", e.Seed, e.Replay, mergedOut)
				}
			}
		})
	}
}

// The shards as separate processes of a built simulate, run at once with
// JOB_COMPLETION_INDEX in their environment, as Kubernetes runs them.
func TestMergeShardProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "simulate")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	args := []string{"replication", "--seeds", "1-12", "--set", "duration=25s"}
	var wg sync.WaitGroup
	outs := make([][]byte, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			cmd := exec.Command(bin, shardArgs(dir, i, args)...)
			cmd.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	merged := filepath.Join(dir, "merged")
	m := exec.Command(bin, "merge", filepath.Join(dir, "shard-0"), filepath.Join(dir, "shard-1"), filepath.Join(dir, "shard-2"), "--out", merged, "--junit", merged+".xml")
	mergedOut, err := m.CombinedOutput()
	if err != nil {
		t.Fatalf("merge: %v\n%s", err, mergedOut)
	}
	single := filepath.Join(dir, "single")
	code, singleOut, errOut := run(t, append(append([]string{"sweep"}, args...), "--out", single, "--junit", single+".xml")...)
	if code != exitPass {
		t.Fatalf("single sweep: exit %d\n%s\n%s", code, singleOut, errOut)
	}
	checkMergeEqualsSweep(t, single, merged, singleOut, string(mergedOut))
}

// copyDir copies a shard's directory, for a test to spoil the copy.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit rewrites a file of dir with old replaced by new, and fails the test
// when old is not there (an edit that changes nothing tests nothing).
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b := readFile(t, path)
	if !strings.Contains(b, old) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(b, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Merge refuses directories that are not the shards of one sweep, naming
// them and the difference, with exit status 2, and lists the seeds of
// missing shards with exit status 3.
func TestMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	ping := []string{"ping", "--seeds", "1-6", "--set", "duration=6s"}
	shard := func(name string, i int, args ...string) string {
		t.Helper()
		out := filepath.Join(dir, name)
		code, stdout, errOut := runEnv(t, map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i)},
			append(append([]string{"sweep"}, args...), "--shards", "3", "--out", out)...)
		if code != exitPass {
			t.Fatalf("shard %s: exit %d\n%s\n%s", name, code, stdout, errOut)
		}
		return out
	}
	s0, s1, s2 := shard("s0", 0, ping...), shard("s1", 1, ping...), shard("s2", 2, ping...)
	if code, out, errOut := run(t, "merge", s0, s1, s2); code != exitPass {
		t.Fatalf("the unspoilt shards do not merge: exit %d\n%s\n%s", code, out, errOut)
	}
	otherScenario := shard("repl1", 1, "replication", "--seeds", "1-6", "--set", "duration=25s")
	otherParams := shard("nodes1", 1, append(ping, "--set", "nodes=3")...)
	otherSeeds := shard("seeds1", 1, "ping", "--seeds", "1-7", "--set", "duration=6s")
	// The framework's settings are the world's too (before, a shard with
	// --buggify on merged with shards without it).
	buggified := shard("buggify1", 1, append(ping, "--buggify", "on")...)
	// A scenario file edited between two shards runs another scenario.
	file := filepath.Join(dir, "calm.toml")
	if err := os.WriteFile(file, []byte("base = \"ping\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fileArgs := []string{file, "--seeds", "1-6", "--set", "duration=6s"}
	file0 := shard("file0", 0, fileArgs...)
	if err := os.WriteFile(file, []byte("base = \"ping\"\n[set]\nnodes = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file1 := shard("file1", 1, fileArgs...)

	otherBuild := copyDir(t, s1)
	edit(t, filepath.Join(otherBuild, "sweep.json"), `"build": "`, `"build": "go1.0 0123456789abcdef`)
	lineBuild := copyDir(t, s1)
	edit(t, filepath.Join(lineBuild, "results.jsonl"), `"build":"`, `"build":"go1.0 0123456789abcdef`)
	dupSeed := copyDir(t, s1)
	first, _, _ := strings.Cut(readFile(t, filepath.Join(s0, "results.jsonl")), "\n")
	edit(t, filepath.Join(dupSeed, "results.jsonl"), "\n", "\n"+first+"\n")
	noResults := copyDir(t, s1)
	os.Remove(filepath.Join(noResults, "results.jsonl"))
	noManifest := copyDir(t, s1)
	os.Remove(filepath.Join(noManifest, "sweep.json"))
	sameShard := copyDir(t, s0)

	for _, tt := range []struct {
		dirs []string
		msg  string
	}{
		{[]string{s0, otherScenario, s2}, s0 + " and " + otherScenario + " are not shards of one sweep: " + s0 + " is a sweep of scenario ping, " + otherScenario + " is a sweep of scenario replication; shards of different scenarios do not merge"},
		{[]string{s0, otherParams, s2}, s0 + " ran with nodes=5, " + otherParams + " ran with nodes=3; shards of one sweep have the same parameters"},
		{[]string{s0, otherSeeds}, s0 + " has --seeds 1-6, " + otherSeeds + " has --seeds 1-7"},
		{[]string{s0, buggified, s2}, s0 + " ran with buggify=off, " + buggified + " ran with buggify=on"},
		{[]string{file0, file1}, file0 + " ran a scenario file whose digest was "},
		{[]string{s0, otherBuild, s2}, "not shards of one sweep: " + s0 + ` was run by build "go`},
		{[]string{s0, otherBuild, s2}, otherBuild + ` was run by build "go1.0 0123456789abcdef`},
		{[]string{s0, lineBuild, s2}, filepath.Join(lineBuild, "results.jsonl") + `:1 was run by build "go1.0 0123456789abcdef`},
		{[]string{s0, dupSeed, s2}, "seed 1 has a result in both " + filepath.Join(s0, "results.jsonl") + ":1 and " + filepath.Join(dupSeed, "results.jsonl") + ":2"},
		{[]string{s0, noResults, s2}, noResults + " has no results.jsonl"},
		{[]string{s0, noManifest, s2}, noManifest + " has results.jsonl but no sweep.json"},
		{[]string{s0, sameShard}, s0 + " and " + sameShard + " are both shard 0/3"},
		{[]string{s0, s0}, "are the same directory"},
		{[]string{filepath.Join(dir, "nosuch")}, "nosuch is not a directory"},
		{nil, "merge needs the --out directories of the shards"},
	} {
		code, _, errOut := run(t, append([]string{"merge"}, tt.dirs...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.msg) {
			t.Errorf("merge %v: exit %d, stderr %q; want %d and %q", tt.dirs, code, errOut, exitUsage, tt.msg)
		}
	}
	if code, _, errOut := run(t, "merge", s0, s1, "--out", s1); code != exitUsage || !strings.Contains(errOut, "--out "+s1+" is the shard directory") {
		t.Errorf("merge into a shard: exit %d, %q", code, errOut)
	}
	// Paths that cannot be written are bad usage, found before merging
	// (they were framework failures after it).
	for _, args := range [][]string{{"--junit", filepath.Join(dir, "nosuch", "j.xml")}, {"--out", filepath.Join(s0, "results.jsonl", "x")}} {
		code, _, errOut := run(t, append([]string{"merge", s0, s1, s2}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, args[0]) {
			t.Errorf("merge %v: exit %d, %q; want %d", args, code, errOut, exitUsage)
		}
	}

	// A missing shard, and a shard killed while writing its last line.
	cut := copyDir(t, s2)
	b := readFile(t, filepath.Join(cut, "results.jsonl"))
	os.WriteFile(filepath.Join(cut, "results.jsonl"), []byte(b[:len(b)-10]), 0o644)
	merged := filepath.Join(dir, "merged")
	code, out, errOut := run(t, "merge", s0, cut, "--out", merged, "--junit", merged+".xml")
	want := "3 of 6 seeds have no result, so the sweep is incomplete: shard 1/3 (no directory given) lacks 2: 2, 5; shard 2/3 (" + cut + ") lacks 1: 6"
	if code != exitFramework || !strings.Contains(errOut, want) {
		t.Errorf("merge of an incomplete sweep: exit %d, stderr %q; want %d and %q", code, errOut, exitFramework, want)
	}
	if !strings.Contains(out, "INCOMPLETE sweep scenario=ping seeds=6 passed=3 failed=0 unknown=0 errors=0 skipped=3") {
		t.Errorf("merge of an incomplete sweep does not say so:\n%s", out)
	}
	if n := len(readResults(t, filepath.Join(merged, "results.jsonl"))); n != 3 {
		t.Errorf("the incomplete merge wrote %d results, want the 3 there are", n)
	}
	if j := readJUnit(t, merged+".xml"); j.Tests != 6 || j.Skipped != 3 {
		t.Errorf("the incomplete merge's JUnit has %d tests, %d skipped; want 6 and 3", j.Tests, j.Skipped)
	}

	// A resumed sweep does not mix in lines of another build either.
	code, _, errOut = runEnv(t, map[string]string{"JOB_COMPLETION_INDEX": "1"}, append(append([]string{"sweep"}, ping...), "--shards", "3", "--resume", lineBuild)...)
	if code != exitUsage || !strings.Contains(errOut, filepath.Join(lineBuild, "results.jsonl")+`:1 was run by build "go1.0 0123456789abcdef`) {
		t.Errorf("resume of another build's lines: exit %d, %q", code, errOut)
	}
}

// The Kubernetes Job runs a shard command the sweep accepts, with as many
// shards as the Job has completions and runs at once.
func TestK8sSweepJob(t *testing.T) {
	y := readFile(t, "../../deploy/k8s/sweep-job.yaml")
	for _, want := range []string{"kind: Job", "completionMode: Indexed", "restartPolicy: Never", "claimName: redsim-sweep-results", "simulate merge /results/shard-*"} {
		if !strings.Contains(y, want) {
			t.Errorf("deploy/k8s/sweep-job.yaml lacks %q", want)
		}
	}
	number := func(key string) string {
		m := regexp.MustCompile(`(?m)^\s+` + key + `: (\d+)$`).FindStringSubmatch(y)
		if m == nil {
			t.Fatalf("deploy/k8s/sweep-job.yaml has no %s", key)
		}
		return m[1]
	}
	completions, parallelism := number("completions"), number("parallelism")
	// args is written as a flow sequence, which is JSON.
	m := regexp.MustCompile(`(?m)^\s+args: (\[.*\])$`).FindStringSubmatch(y)
	if m == nil {
		t.Fatal("deploy/k8s/sweep-job.yaml has no args: [...] line")
	}
	var args []string
	if err := json.Unmarshal([]byte(m[1]), &args); err != nil {
		t.Fatalf("args %s: %v", m[1], err)
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", "5")
	}
	root := newRootCmd(nil, nil, func(string) string { return "" })
	cmd, rest, err := root.Find(args)
	if err != nil || cmd.Name() != "sweep" {
		t.Fatalf("the Job runs simulate %v, not a sweep: %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("simulate sweep does not accept the Job's arguments %v: %v", args, err)
	}
	positional := cmd.Flags().Args()
	if err := cmd.ValidateArgs(positional); err != nil {
		t.Fatalf("the Job's sweep: %v", err)
	}
	if _, err := builtin.Registry().Lookup(positional[0]); err != nil {
		t.Fatalf("the Job's sweep: %v", err)
	}
	get := func(name string) string { return cmd.Flags().Lookup(name).Value.String() }
	if _, err := sweep.ParseSeeds(get("seeds")); err != nil {
		t.Fatal(err)
	}
	f := sweepFlags{shard: get("shard")}
	fmt.Sscan(get("shards"), &f.shards)
	index, count, err := shardOf(f, func(k string) string { return map[string]string{"JOB_COMPLETION_INDEX": "5"}[k] })
	if err != nil || index != 5 || fmt.Sprint(count) != completions || completions != parallelism {
		t.Errorf("pod 5 of the Job (completions %s, parallelism %s) runs shard %d/%d (%v); want 5/%s", completions, parallelism, index, count, err, completions)
	}
	if out := get("out"); out != "/results/shard-5" || !strings.HasPrefix(get("junit"), out+"/") {
		t.Errorf("pod 5 writes --out %s --junit %s; want a directory per shard", out, get("junit"))
	}
}

// docs/ci.md's workflow runs commands simulate has, with flags they have,
// and a matrix of as many shards as it tells --shard.
func TestCIDocWorkflow(t *testing.T) {
	md := readFile(t, "../../docs/ci.md")
	root := newRootCmd(nil, nil, func(string) string { return "" })
	lines := regexp.MustCompile(`simulate (sweep|merge)((?:[^\n\\]|\\\n)*)`).FindAllStringSubmatch(md, -1)
	ran := map[string]bool{}
	for _, l := range lines {
		cmd, _, err := root.Find([]string{l[1]})
		if err != nil {
			t.Fatal(err)
		}
		ran[l[1]] = true
		for _, f := range regexp.MustCompile(`(?:^|\s)--([a-z-]+)`).FindAllStringSubmatch(l[2], -1) {
			if !hasFlag(cmd, f[1]) {
				t.Errorf("docs/ci.md: simulate %s has no flag --%s (in %q)", l[1], f[1], strings.TrimSpace(l[0]))
			}
		}
	}
	if !ran["sweep"] || !ran["merge"] {
		t.Errorf("docs/ci.md runs %v; want sweep and merge", ran)
	}
	shards := regexp.MustCompile(`(?m)^  SHARDS: (\d+)$`).FindStringSubmatch(md)
	matrix := regexp.MustCompile(`(?m)^        shard: \[([0-9, ]+)\]$`).FindStringSubmatch(md)
	if shards == nil || matrix == nil {
		t.Fatal("docs/ci.md has no SHARDS or no matrix of shards")
	}
	var want []string
	for i := range len(strings.Split(matrix[1], ",")) {
		want = append(want, fmt.Sprint(i))
	}
	if got := strings.Join(strings.Fields(strings.ReplaceAll(matrix[1], ",", " ")), ", "); got != strings.Join(want, ", ") || fmt.Sprint(len(want)) != shards[1] {
		t.Errorf("docs/ci.md: SHARDS: %s but the matrix is [%s]; want 0 to SHARDS-1", shards[1], matrix[1])
	}
}
