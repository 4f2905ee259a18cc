package client

import (
	"github.com/redsim/redsim/internal/realbench"
	"testing"
	"time"

	"github.com/redsim/redsim/nodes/redis"
)

// BenchmarkClients50 runs 50 register clients (half GET, half SET, no think
// time) against one node over 200 µs links; one op is one operation
// recorded in the history, with its request, the node's work and the reply.
func BenchmarkClients50(b *testing.B) {
	benchClients(b, 50, -1)
}

// BenchmarkClients50Think is BenchmarkClients50 with the default think time
// (10 ms), the load of a scenario's clients.
func BenchmarkClients50Think(b *testing.B) {
	benchClients(b, 50, 0)
}

func benchClients(b *testing.B, n int, think time.Duration) {
	tw := newTestWorld(b, 1, lan(), redis.DefaultConfig())
	wl := NewRegister()
	for i := 0; i < n; i++ {
		o := tw.options(i, wl)
		o.Think = think
		tw.spawn(o)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := tw.w.Now()
	for tw.h.Len() < b.N {
		tw.w.RunFor(10 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(tw.h.Len())/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(tw.h.Len())/tw.w.Now().Sub(start).Seconds(), "ops/vs")
}

// BenchmarkClusterClient runs 50 cluster clients (register workload over 16
// keys, half GET, half SET, no think time) against a 3-master cluster
// without replicas over 200 µs links; one op is one operation recorded in
// the history, routed by its key's slot.
func BenchmarkClusterClient(b *testing.B) {
	cw := newClusterWorld(b, 1, 3, 3)
	wl := ForCluster(NewRegister(), 16)
	for i := 0; i < 50; i++ {
		o := cw.clusterOptions(i, wl)
		o.Think = -1
		cw.spawn(o)
	}
	cw.w.RunFor(100 * time.Millisecond) // the slot maps' first load
	b.ReportAllocs()
	b.ResetTimer()
	start, n0 := cw.w.Now(), cw.h.Len()
	events := 0
	for cw.h.Len()-n0 < b.N {
		events += cw.w.RunFor(10 * time.Millisecond)
	}
	b.StopTimer()
	n := cw.h.Len() - n0
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(n)/cw.w.Now().Sub(start).Seconds(), "ops/vs")
	b.ReportMetric(float64(events)/float64(n), "events/op")
	realbench.Report(b, float64(n)/b.Elapsed().Seconds())
}
