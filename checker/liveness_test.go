package checker

import (
	"strings"
	"testing"

	"github.com/redsim/redsim/history"
)

func TestLiveness(t *testing.T) {
	ops := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(1), 5, 20, ok, none),
		op(0, history.Write, "x", i64(2), 100, 200, info, none),
		op(1, history.Write, "x", i64(2), 150, 160, fail, none),
		op(0, history.Write, "x", i64(3), 1000, 1100, ok, none), // recovers late
		op(1, history.Write, "x", i64(3), 400, 450, ok, none),   // recovers early
		op(1, history.Read, "x", none, 2000, 2001, ok, i64(3)),
	}
	stop := 100 * ms
	tests := []struct {
		name string
		opts LivenessOptions
		want Verdict
		says string
	}{
		{"overall within bound", LivenessOptions{FaultsStopped: stop, Bound: 500 * ms.Duration()}, Ok, "350ms after"},
		{"overall too slow", LivenessOptions{FaultsStopped: stop, Bound: 300 * ms.Duration()}, Violation, "last ok before faults stopped completed at 0.020000s"},
		{"per process: one too slow", LivenessOptions{FaultsStopped: stop, Bound: 500 * ms.Duration(), PerProcess: true}, Violation, "0 (last ok at 0.010000s)"},
		{"per process: all within bound", LivenessOptions{FaultsStopped: stop, Bound: 1500 * ms.Duration(), PerProcess: true}, Ok, "all 2"},
		{"run too short", LivenessOptions{FaultsStopped: stop, Bound: 300 * ms.Duration(), End: 300 * ms}, Unknown, "ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Liveness(ops, tt.opts)
			if r.Verdict != tt.want || !strings.Contains(r.Summary, tt.says) {
				t.Errorf("verdict %v, want %v saying %q: %s", r.Verdict, tt.want, tt.says, r.Summary)
			}
		})
	}
}

// TestLivenessHungServer: every process had an operation in flight when
// the faults stopped, and none completed an ok one within the bound (a
// server that never answers again): per process, they are judged, not
// left out as inactive (which made the verdict unknown).
func TestLivenessHungServer(t *testing.T) {
	stop := 20_000 * ms
	var ops []history.Op
	for p := range 5 {
		inv := int64(19_000 + 150*p)
		ops = append(ops, op(p, history.Write, "x", i64(1), inv, inv+3000, info, none),
			op(p, history.Write, "x", i64(2), inv+3300, inv+6300, info, none))
	}
	r := Liveness(ops, LivenessOptions{FaultsStopped: stop, Bound: 1e9, PerProcess: true, End: 30_000 * ms})
	if r.Verdict != Violation {
		t.Errorf("a server silent after the faults: %v (%s)", r.Verdict, r.Summary)
	}
}
