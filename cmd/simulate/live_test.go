package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/redsim/redsim/scenarios/live"
)

// TestLiveRefusals: --live is refused with exit 2 for a scenario that
// builds its world without a deployment (ping), for flags that only mean
// something in simulation, and, on a machine without root, redis-server
// or iptables, with a message that says how to get them.
func TestLiveRefusals(t *testing.T) {
	missing := live.Check()
	code, _, errOut := run(t, "run", "ping", "--live")
	switch {
	case missing != nil && (code != 2 || !strings.Contains(errOut, "apt-get install") && !strings.Contains(errOut, "root")):
		t.Fatalf("without %v: exit %d, stderr %q; want 2 and how to install it", missing, code, errOut)
	case missing == nil && (code != 2 || !strings.Contains(errOut, "cannot run live")):
		t.Fatalf("ping --live: exit %d, stderr %q; want 2, cannot run live", code, errOut)
	}
	if code, _, errOut := run(t, "run", "standalone-crash", "--live", "--check-determinism"); code != 2 || !strings.Contains(errOut, "simulated runs") {
		t.Fatalf("--live --check-determinism: exit %d, stderr %q; want 2", code, errOut)
	}
}

// TestLiveRunStatusLine: a live run through the command ends with its
// closing line, which says it is not deterministic, and exits 0 for a
// passing standalone-crash.
func TestLiveRunStatusLine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real redis-server processes")
	}
	if err := live.Check(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %v", err)
		}
		t.Skip(err)
	}
	// quiet 10 s makes the liveness bound (quiet/8) 1.25 s, room for a
	// real restart and a client's 512 ms backoff (see scenarios/live's
	// TestStandaloneCrashAlways); the faults keep their 4 s.
	code, out, errOut := run(t, "run", "standalone-crash", "--live", "--seed", "3", "--set", "duration=14s", "--set", "quiet=10s", "--set", "appendfsync=always")
	line := regexp.MustCompile(`(?m)^PASS scenario=standalone-crash seed=3 hash=live \(live run: not deterministic; no hash to compare\)\n\z`)
	if code != 0 || !line.MatchString(out) || !strings.Contains(out, "live run: real redis-server processes") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
