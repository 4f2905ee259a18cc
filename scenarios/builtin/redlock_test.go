package builtin

import (
	"fmt"
	"testing"
)

// TestRedlockCases: each case's expected outcome over 100 seeds: the
// unsafe configurations violate safety in a clear majority of seeds, the
// safe ones in none.
func TestRedlockCases(t *testing.T) {
	n := uint64(100)
	if testing.Short() {
		n = 10
	}
	for _, tc := range []struct {
		scenario string
		set      map[string]string
		unsafe   bool
	}{
		{"redlock-quiet", nil, false},
		{"redlock-holder-crash", nil, false},
		// A bound tighter than the retry delay cannot hold: the bounded
		// liveness check fails when waits exceed it. (Masters that expire
		// keys 2 s late fail the default bound in 19 of 20 seeds.)
		{"redlock-holder-crash", map[string]string{"liveness-bound": "20ms"}, true},
		{"redlock-pause", nil, true},
		{"redlock-pause", map[string]string{"fenced": "true"}, false},
		{"redlock-clock-jump", nil, true},
		{"redlock-clock-jump", map[string]string{"expire-clock": "mono"}, false},
		{"redlock-crash-restart", nil, true},
		{"redlock-crash-restart", map[string]string{"appendfsync": "always"}, false},
		{"redlock-crash-restart", map[string]string{"restart-delay": "2s"}, false},
		{"redlock-slow-network", nil, false},
		{"redlock-slow-network", map[string]string{"skip-validity": "true"}, true},
		{"redlock-drift", nil, true},
		{"redlock-drift", map[string]string{"drift-ppm": "5000"}, false},
	} {
		name := fmt.Sprintf("%s%v", tc.scenario, tc.set)
		failed := 0
		for _, res := range sweepSeeds(t, tc.scenario, n, tc.set) {
			if res != nil && !res.Passed() {
				failed++
				if !tc.unsafe {
					t.Errorf("%s: seed %d violated safety: %+v", name, res.Seed, res.Verdicts)
				}
			}
		}
		t.Logf("%s: %d of %d seeds unsafe", name, failed, n)
		if tc.unsafe && failed*2 <= int(n) {
			t.Errorf("%s: unsafe in only %d of %d seeds", name, failed, n)
		}
	}
}
