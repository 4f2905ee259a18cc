package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --cpuprofile and --memprofile write gzipped pprof profiles for any
// command, a failing run's too; a file that cannot be created is bad
// usage.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	code, _, stderr := run(t, "run", "failover-partition", "--seed", "1", "--cpuprofile", cpu, "--memprofile", mem)
	if code != exitViolation {
		t.Fatalf("exit %d, want %d (failover-partition loses writes): %s", code, exitViolation, stderr)
	}
	for _, f := range []string{cpu, mem} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 100 || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a gzipped profile (%d bytes)", f, len(b))
		}
	}
	code, _, stderr = run(t, "sweep", "ping", "--seeds", "1-2", "--cpuprofile", filepath.Join(dir, "nosuch", "cpu.pprof"))
	if code != exitUsage || !strings.Contains(stderr, "--cpuprofile") {
		t.Fatalf("an uncreatable profile: exit %d, %s", code, stderr)
	}
}
