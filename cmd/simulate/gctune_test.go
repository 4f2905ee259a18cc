package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGCPolicyTradesMemoryForCPUUnderTheLimit(t *testing.T) {
	limit := sweepMemLimit(2)
	if limit != 320<<20 || sweepMemLimit(8) != 1280<<20 {
		t.Fatalf("limits: %d for 2 jobs, %d for 8", limit, sweepMemLimit(8))
	}
	for _, tt := range []struct {
		live     uint64
		percent  int
		memLimit int64
	}{
		{0, sweepGCPercent, int64(limit)},
		{60 << 20, sweepGCPercent, int64(limit)},
		{limit / 2, sweepGCPercent, int64(limit)},
		// GOGC=100 alone would pass the limit: the defaults, so that the
		// limit does not make the collector run back to back.
		{limit/2 + 1, 100, math.MaxInt64},
		{2 * limit, 100, math.MaxInt64},
	} {
		p, l := gcPolicy(tt.live, limit)
		if p != tt.percent || l != tt.memLimit {
			t.Errorf("gcPolicy(%d, %d) = %d, %d; want %d, %d", tt.live, limit, p, l, tt.percent, tt.memLimit)
		}
	}
}

func TestTuneGCSetsAndRestores(t *testing.T) {
	before := gcPercent()
	beforeLimit := debug.SetMemoryLimit(-1)
	noEnv := func(string) string { return "" }

	restore := tuneGC(2, noEnv)
	runtime.GC() // the hook runs after a collection and keeps the policy
	runtime.GC()
	if p := gcPercent(); p != sweepGCPercent {
		t.Errorf("during a sweep GOGC is %d, want %d", p, sweepGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != int64(sweepMemLimit(2)) {
		t.Errorf("during a sweep the memory limit is %d, want %d", l, sweepMemLimit(2))
	}
	restore()
	runtime.GC()
	if p, l := gcPercent(), debug.SetMemoryLimit(-1); p != before || l != beforeLimit {
		t.Errorf("after the sweep GOGC=%d and limit %d, want %d and %d", p, l, before, beforeLimit)
	}

	// GOGC or GOMEMLIMIT in the environment are the user's.
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		restore := tuneGC(2, func(k string) string {
			if k == env {
				return "50"
			}
			return ""
		})
		if p := gcPercent(); p != before {
			t.Errorf("with %s set, GOGC became %d", env, p)
		}
		restore()
	}
}

// gcPercent reads GOGC's current value (setting it back at once).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
