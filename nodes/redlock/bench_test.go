package redlock

import (
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
)

// BenchmarkAcquisitions is lock acquisitions simulated per wall second: 5
// masters, 10 contending clients, 10 s of virtual time per iteration, the
// tests' defaults otherwise (1 s TTL, 5-20 ms of work, 5-15 ms of think).
func BenchmarkAcquisitions(b *testing.B) {
	b.ReportAllocs()
	acquired, attempts := 0, 0
	for i := 0; i < b.N; i++ {
		tw := newTestWorld(b, worldConfig{seed: uint64(i + 1)})
		for id := 0; id < 10; id++ {
			tw.spawn(tw.options(id), clock.Config{})
		}
		tw.run(10 * time.Second)
		n, ok := tw.acquires()
		attempts += n
		acquired += ok
	}
	b.ReportMetric(float64(acquired)/b.Elapsed().Seconds(), "acq/s")
	b.ReportMetric(float64(attempts)/b.Elapsed().Seconds(), "attempts/s")
	b.ReportMetric(float64(acquired)/float64(b.N), "acq/op")
}
