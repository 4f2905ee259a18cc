package builtin

import (
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/scenarios"
)

// BenchmarkPing runs the ping scenario (5 nodes, 30s of virtual time, faults
// every second) and reports simulated seconds per wall second.
func BenchmarkPing(b *testing.B) {
	s, _ := Registry().Lookup("ping")
	var virtual time.Duration
	for i := 0; i < b.N; i++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: uint64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
		virtual += res.Duration
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
}

// BenchmarkReplication runs the replication scenario (a master, two
// replicas, five clients, faults every 3 s, 60 s of virtual time) and
// reports simulated seconds and client operations per wall second.
func BenchmarkReplication(b *testing.B) {
	s, _ := Registry().Lookup("replication")
	var virtual time.Duration
	for i := 0; i < b.N; i++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: uint64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
		virtual += res.Duration
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
}

// BenchmarkFailoverPartition runs the failover-partition scenario for 60
// virtual seconds, checkers included, and reports simulated s per wall s.
func BenchmarkFailoverPartition(b *testing.B) {
	s, _ := Registry().Lookup("failover-partition")
	var virtual time.Duration
	for i := 0; i < b.N; i++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: uint64(i + 1), Set: map[string]string{"duration": "60s"}})
		if err != nil {
			b.Fatal(err)
		}
		virtual += res.Duration
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
}

// BenchmarkPorcupineLargestDefault times the linearizability check alone on
// the register history of a default linearizable-master run (the largest
// register history a default built-in produces), which passes, so porcupine
// must search it all.
func BenchmarkPorcupineLargestDefault(b *testing.B) {
	s, _ := Registry().Lookup("linearizable-master")
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ops := scenarios.KeyPrefix(res.History, 'r')
	b.ReportMetric(float64(len(ops)), "ops")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := (&scenarios.Run{}).Linearizable(ops); v.Verdict != checker.Ok {
			b.Fatal(v.Summary)
		}
	}
}

// BenchmarkSentinelPartition runs sentinel-partition (Jepsen 2013: five
// nodes, five sentinels, ten clients, 80 virtual seconds), checkers
// included, and reports simulated s per wall s (issue 14 asks 100x).
func BenchmarkSentinelPartition(b *testing.B) {
	s, _ := Registry().Lookup("sentinel-partition")
	var virtual time.Duration
	for i := 0; i < b.N; i++ {
		res, err := scenarios.Execute(s, scenarios.Options{Seed: uint64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
		virtual += res.Duration
	}
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "sim-s/s")
}
