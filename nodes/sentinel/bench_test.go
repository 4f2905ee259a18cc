package sentinel

import (
	"testing"
	"time"
)

// BenchmarkFailover simulates one failover with no client load: three
// Redis nodes and three sentinels (down-after 5 s), 20 s to discover each
// other, the master's host crashes, then 60 s more (SDOWN, ODOWN, the
// election, the promotion as far as the Redis node lets it go, and the
// failover-timeout's later attempts). virtual-x is virtual over wall time.
func BenchmarkFailover(b *testing.B) {
	var virtual time.Duration
	start := time.Now()
	for i := 0; i < b.N; i++ {
		tw := newWorld(b, worldOpts{seed: uint64(i + 1), replicas: 2, sentinels: 3, quorum: 2})
		t0 := tw.w.Now()
		tw.w.RunFor(20 * time.Second)
		tw.w.Host("r1").Crash()
		tw.w.RunFor(60 * time.Second)
		if tw.saw("+elected-leader") == 0 {
			b.Fatal("no leader elected")
		}
		virtual += tw.w.Now().Sub(t0)
	}
	wall := time.Since(start)
	b.ReportMetric(float64(virtual)/float64(wall), "virtual-x")
}
