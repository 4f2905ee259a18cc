package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A sweep allocates fast and keeps little: each world's live heap is a few
// tens of MB, so Go's default GOGC=100 collects every few tens of MB and the
// collector took about a fifth of a sweep's CPU. A sweep therefore lets the
// heap grow to sweepGCPercent over what is live, as long as that stays under
// a memory limit of sweepMemPerJob per job (sweepMemMin at least); a
// sweep whose worlds are so large that the default would already exceed
// the limit gets the default back, so that the limit never makes the
// collector run back to back. GOGC or GOMEMLIMIT in the environment are
// the user's choice and turn all this off.
const (
	sweepGCPercent = 400
	sweepMemPerJob = 160 << 20
	sweepMemMin    = 320 << 20
)

// gcPolicy is what the collector should do with live bytes on the heap
// after a collection, under memory limit limit: GOGC and the memory limit
// to set.
func gcPolicy(live, limit uint64) (percent int, memLimit int64) {
	if live*2 > limit {
		// Even GOGC=100 would pass the limit: Go's defaults.
		return 100, math.MaxInt64
	}
	return sweepGCPercent, int64(limit)
}

// sweepMemLimit is the memory limit of a sweep of jobs worlds at once.
func sweepMemLimit(jobs int) uint64 {
	return max(sweepMemMin, uint64(jobs)*sweepMemPerJob)
}

// tuneGC applies gcPolicy to a sweep of jobs worlds at once, after every
// collection, until the returned function restores the settings it found.
// With GOGC or GOMEMLIMIT set it does nothing.
func tuneGC(jobs int, getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := sweepMemLimit(jobs)
	percent, memLimit := gcPolicy(0, limit)
	oldPercent := debug.SetGCPercent(percent)
	oldLimit := debug.SetMemoryLimit(memLimit)
	var (
		mu      sync.Mutex // held while the settings change
		stopped bool
	)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	// A finalizer runs after each collection that finds its object
	// unreachable, so re-arming it in the finalizer hooks every cycle.
	// (The object is large enough not to share a tiny block, which could
	// keep it reachable.)
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new([32]byte), func(*[32]byte) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				p, l := gcPolicy(sample[0].Value.Uint64(), limit)
				debug.SetGCPercent(p)
				debug.SetMemoryLimit(l)
			}
			arm()
		})
	}
	arm()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
