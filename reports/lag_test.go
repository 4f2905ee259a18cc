package reports

import (
	"testing"
	"time"

	"gonum.org/v1/plot/plotter"
)

// A replica's lag line stops where a sampling instant passed without a
// sample (it or its master was down), rather than joining across.
func TestLagRunsBreakAtGaps(t *testing.T) {
	ms := time.Millisecond
	samples := []LagSample{{0, "r1", 0}, {0, "r2", 5}, {500 * ms, "r1", 10}, {500 * ms, "r2", 5}, {1000 * ms, "r2", 5}, {2500 * ms, "r1", 7}, {3000 * ms, "r1", 8}}
	period := lagPeriod(samples)
	if period != 500*ms {
		t.Fatalf("period %v, want 500ms", period)
	}
	var r1 plotter.XYs
	for _, s := range samples {
		if s.Node == "r1" {
			r1 = append(r1, plotter.XY{X: seconds(s.At), Y: float64(s.Bytes)})
		}
	}
	runs := lagRuns(r1, seconds(period))
	if len(runs) != 2 || len(runs[0]) != 2 || len(runs[1]) != 2 || runs[1][0].X != 2.5 {
		t.Errorf("runs %v, want [0 0.5] and [2.5 3]", runs)
	}
	if runs := lagRuns(r1[:1], seconds(period)); len(runs) != 1 || len(runs[0]) != 1 {
		t.Errorf("one sample: runs %v", runs)
	}
}
