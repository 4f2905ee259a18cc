package redis

import (
	"testing"
	"time"

	"github.com/redsim/redsim/sim"
)

// BenchmarkClusterIdleHour is a 6-node cluster (3 masters, 3 replicas),
// with Redis's default cluster-node-timeout of 15 s, left idle for one
// virtual hour: its cron, PINGs and PONGs only. The figure to read is the
// virtual-to-wall ratio it reports.
func BenchmarkClusterIdleHour(b *testing.B) {
	t := &testing.T{}
	for range b.N {
		b.StopTimer()
		cw := newClusterWorldCfg(t, 1, 6, 3, func() Config {
			cfg := clusterConfig()
			cfg.Cluster.NodeTimeoutMs = 15000
			return cfg
		})
		cw.w.Trace().Keep(sim.LevelNone) // keep no events, as a scenario run does
		start := cw.w.Now().Duration()
		b.StartTimer()
		began := time.Now()
		cw.w.RunFor(time.Hour)
		wall := time.Since(began)
		b.ReportMetric(float64((cw.w.Now().Duration()-start))/float64(wall), "x-real-time")
	}
}
