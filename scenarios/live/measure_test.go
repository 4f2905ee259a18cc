package live

import (
	"context"
	"testing"
	"time"
)

// TestMeasureMachine: the loopback and the disk of any machine this runs
// on give a round trip, a transfer rate and an fsync time that are
// positive and ordered (5th percentile <= median <= 95th), and no
// loopback is slower than a millisecond each way at its median or
// faster than 1 MB/s.
func TestMeasureMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 256 MiB and fsyncs 200 times: not with -short")
	}
	m, err := MeasureMachine(context.Background(), "127.0.0.1", "127.0.0.2", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", m)
	if m.RoundTrips != measureRoundTrips || m.Fsyncs != measureFsyncs || m.TransferBytes != measureTransfer {
		t.Fatalf("counts: %+v", m)
	}
	if !(0 < m.LatencyP5 && m.LatencyP5 <= m.OneWayLatency && m.OneWayLatency <= m.LatencyP95 && m.OneWayLatency < time.Millisecond) {
		t.Errorf("latency p5 %v, median %v, p95 %v", m.LatencyP5, m.OneWayLatency, m.LatencyP95)
	}
	if !(0 < m.Fsync && m.Fsync <= m.FsyncP95) {
		t.Errorf("fsync median %v, p95 %v", m.Fsync, m.FsyncP95)
	}
	if m.TransferBytesPerSecond < 1e6 {
		t.Errorf("transfer %v B/s", m.TransferBytesPerSecond)
	}
}

// TestMeasureMachineStopsOnCancel: a cancelled context ends the
// measurement with its error instead of numbers.
func TestMeasureMachineStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MeasureMachine(ctx, "127.0.0.1", "127.0.0.2", t.TempDir()); err == nil {
		t.Fatal("want an error from a cancelled measurement")
	}
}
