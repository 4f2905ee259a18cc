package reports

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// latencyOp is an operation of process 1 invoked at t that took 1ms.
func latencyOp(t time.Duration, o history.Outcome) history.Op {
	return history.Op{Process: 1, Node: "n1", Kind: history.Write, Key: "k", Value: history.Int(1),
		Invoke: clock.Time(t), Complete: clock.Time(t + time.Millisecond), Outcome: o}
}

// circleXs returns the x (points from the left) of every circle drawn in
// colour fill ("#FF7F0E") in svg: the points of a scatter plot.
func circleXs(t *testing.T, svg, fill string) []float64 {
	t.Helper()
	var xs []float64
	re := regexp.MustCompile(`<path d="M([0-9.]+),[0-9.]+A[^"]*" style="fill:` + fill + `[";]`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		x, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	return xs
}

// A handful of info operations among thousands of fails are drawn, every
// one, and named in the legend (failover-partition seed 1 has 6 info
// operations among 35821 fails: none was drawn).
func TestLatencyDrawsRareOutcomes(t *testing.T) {
	r := &Run{Scenario: "s", Duration: 60 * time.Second}
	for i := range 40000 {
		o := history.Ok
		if i%2 == 0 {
			o = history.Fail
		}
		if i%5000 == 1 {
			o = history.Info
		}
		r.History = append(r.History, latencyOp(time.Duration(i)*time.Millisecond, o))
	}
	counts := r.outcomeCounts()
	if counts[history.Info] != 8 {
		t.Fatalf("the run has %d info operations, want 8", counts[history.Info])
	}
	fig, err := latencyFigure(newFrame(r), r)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(circleXs(t, string(fig.SVG), "#FF7F0E")); n != 8 {
		t.Errorf("%d info operations drawn, want all 8", n)
	}
	if n := len(circleXs(t, string(fig.SVG), "#D62728")); n == 0 || n > maxLatencyPoints {
		t.Errorf("%d fail operations drawn, want some and at most %d", n, maxLatencyPoints)
	}
	if !strings.Contains(string(fig.SVG), "info (8)") {
		t.Error("the legend has no info entry")
	}
	if strings.Contains(fig.Caption, "info operation") {
		t.Errorf("the caption says info operations were thinned: %s", fig.Caption)
	}
}

// A streamed run's plot has the same density of points before and after
// the tail it kept, and its caption one stride per outcome (replication
// --duration 11m drew 1 ok operation in 128 before 620 s and 1 in 8 after,
// a fake 16-fold jump in load).
func TestLatencyStreamedDensityIsUniform(t *testing.T) {
	const perSecond = 1000
	split, end := 200*time.Second, 240*time.Second
	r := &Run{Scenario: "s", Duration: end, Streamed: &history.Summary{}}
	for t := time.Duration(0); t < end; t += time.Second / perSecond {
		op := latencyOp(t, history.Ok)
		if t < split {
			r.Streamed.Add(&op)
		} else {
			r.History = append(r.History, op)
		}
	}
	if _, k := r.Streamed.Sample(history.Ok); k < 2 {
		t.Fatalf("the streamed sample has stride %d; the test needs more operations", k)
	}
	fig, err := latencyFigure(newFrame(r), r)
	if err != nil {
		t.Fatal(err)
	}
	// The circles span the run, from 0 to end: split is at split/end of
	// the way.
	xs := circleXs(t, string(fig.SVG), "#2BA02B") // ok's green with alpha, as the SVG writer rounds it
	if len(xs) < 100 {
		t.Fatalf("%d ok operations drawn", len(xs))
	}
	x0, x1 := slices.Min(xs), slices.Max(xs)
	at := func(d time.Duration) float64 { return x0 + (x1-x0)*seconds(d)/seconds(end) }
	perSec := func(from, to time.Duration) float64 {
		n := 0
		for _, x := range xs {
			if x >= at(from) && x < at(to) {
				n++
			}
		}
		return float64(n) / seconds(to-from)
	}
	before, after := perSec(split-40*time.Second, split), perSec(split, end)
	if before == 0 || after < before*0.9 || after > before*1.1 {
		t.Errorf("%.1f points a second before %v, %.1f after: want the same density", before, split, after)
	}
	if n := strings.Count(fig.Caption, "ok operation"); n != 1 {
		t.Errorf("the caption states %d strides for ok operations, want 1: %s", n, fig.Caption)
	}
	if k := math.Round(perSecond / before); !strings.Contains(fig.Caption, "every "+ordinal(int(k))+" ok operation") {
		t.Errorf("%.1f points a second for %d operations: the caption does not say every %s: %s", before, perSecond, ordinal(int(k)), fig.Caption)
	}
}
