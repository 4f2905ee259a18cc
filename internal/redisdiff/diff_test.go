package redisdiff

import (
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var (
	flagSeeds   = flag.Int("redisdiff.seeds", 20, "number of seeds of TestRandom")
	flagSteps   = flag.Int("redisdiff.steps", 300, "commands per seed of TestRandom")
	flagLua     = flag.Bool("redisdiff.lua", true, "let TestRandom run some of its commands through EVAL")
	flagTrace   = flag.Bool("redisdiff.trace", false, "log every command of the scripts and Redis's reply")
	flagAgainst = flag.String("redisdiff.against", "node", `what is compared with real Redis: "node" (the Redsim node) or "redis" (a second real redis-server, to check the scripts themselves)`)
)

// sides starts the reference Redis and the server under test.
func sides(t *testing.T) (want, got Side) {
	t.Helper()
	want = Side{Name: "redis", Addr: StartRedis(t)}
	switch *flagAgainst {
	case "node":
		return want, Side{Name: "node", Addr: startNode(t)}
	case "redis":
		return want, Side{Name: "redis2", Addr: StartRedis(t)}
	}
	t.Fatalf(`-redisdiff.against=%q: want "node" or "redis"`, *flagAgainst)
	return
}

func TestScripts(t *testing.T) {
	// Parallel with the other script runners: each has its own servers,
	// and most of their time is !sleep and blocking timeouts on the wall
	// clock, not CPU.
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			// Each script on fresh servers of its own, so scripts run in
			// parallel and none sees what another left (a CONFIG SET, a
			// user, a key).
			t.Parallel()
			want, got := sides(t)
			runFile(t, f, want, got, *flagTrace)
		})
	}
}

func TestRandom(t *testing.T) {
	want, got := sides(t)
	seeds := uint64(*flagSeeds)
	if testing.Short() {
		seeds = min(seeds, 5)
	}
	for seed := range seeds {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			runRandom(t, seed, *flagSteps, want, got, *flagLua)
		})
	}
}
