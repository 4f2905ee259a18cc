package reports

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/redsim/redsim/history"
)

// maxLatencyPoints bounds the points of the latency plot, so that a long run
// draws a page a browser opens quickly. Fail and info operations, the rare
// and interesting ones, keep at least half of the budget.
const maxLatencyPoints = 6000

// latencyFloorMS is where a zero latency is drawn on a log scale.
const latencyFloorMS = 0.001

func latencyFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "latency",
		Title: "Operation latency",
		Caption: "Each operation at the time it was invoked, by how long the client waited: " +
			"green ok, red fail (certainly not applied), orange info (unknown: timeout or reset). " +
			"Grey bands are fault windows, thin lines instantaneous faults.",
	}
	lp := thinLatency(r)
	byOutcome, lo, hi := lp.pts, lp.lo, lp.hi
	if len(byOutcome[history.Ok])+len(byOutcome[history.Fail])+len(byOutcome[history.Info]) == 0 {
		fig.Note = "No latency plot: the run recorded no completed operations."
		return fig, nil
	}
	var thinned []string
	for _, o := range []history.Outcome{history.Ok, history.Fail, history.Info} {
		if lp.stride[o] > 1 {
			thinned = append(thinned, fmt.Sprintf("every %s %s operation", ordinal(lp.stride[o]), o))
		}
	}
	if len(thinned) > 0 {
		fig.Caption += " To keep the page light only " + joinAnd(thinned) + " is drawn"
		if r.Streamed != nil {
			fig.Caption += ", before " + streamedUntil(r) + " (streamed) as after"
		}
		fig.Caption += "."
	}

	logScale := lo < math.Inf(1) && hi/lo > 30
	p := fr.newPlot("Operation latency by invocation time", "latency (ms)")
	if logScale {
		// Plot log10(ms) on a linear axis with decade ticks: gonum's
		// LogScale centres the axis label on the arithmetic midpoint of
		// the range, which pads the top of the plot by half the label.
		floor := max(lo/2, latencyFloorMS)
		for _, o := range []history.Outcome{history.Ok, history.Fail, history.Info} {
			for i := range byOutcome[o] {
				byOutcome[o][i].Y = math.Log10(max(byOutcome[o][i].Y, floor))
			}
		}
		p.Y.Min, p.Y.Max = math.Log10(floor), math.Log10(hi*1.6)
		p.Y.Tick.Marker = plot.TickerFunc(decadeTicks)
		p.Y.Label.Text = "latency (ms, log scale)"
	} else {
		p.Y.Min, p.Y.Max = 0, hi*1.08
		p.Y.Tick.Marker = plainTicks()
	}
	l := newLegend()
	counts := r.outcomeCounts()
	for _, o := range []history.Outcome{history.Ok, history.Info, history.Fail} {
		if counts[o] == 0 {
			continue
		}
		l.Add(o.String()+" ("+strconv.Itoa(counts[o])+")", colorBox{outcomeColor(o)})
		if len(byOutcome[o]) == 0 {
			continue // pending at the end, or streamed and not sampled
		}
		s, err := plotter.NewScatter(byOutcome[o])
		if err != nil {
			return fig, fmt.Errorf("reports: latency plot: %v", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: 1.4, Color: outcomeColor(o)}
		if o == history.Ok {
			s.GlyphStyle.Color = withAlpha(colorOk, 0x99)
		}
		p.Add(s)
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	svg, err := render(p, &l, 300)
	fig.SVG = svg
	return fig, err
}

// latencyPoints is what the latency plot draws: by outcome, the points
// and how many operations each stands for, and the range of latencies (ms)
// of every operation the run kept.
type latencyPoints struct {
	pts    [4]plotter.XYs
	stride [4]int
	lo, hi float64
}

// minOutcomePoints is the fewest points thinning leaves an outcome: a
// handful of info operations among thousands of fails are what a reader
// looks for, so an outcome that has fewer is drawn whole.
const minOutcomePoints = 300

// thinLatency gathers the points of r's latency plot and thins them, by
// stride so that the result is deterministic and each outcome's density
// follows the load. A streamed run's operations before its tail are a
// sample of stride k (history.Summary); the tail is thinned to the same k,
// continuing the sample's count, so that a point stands for as many
// operations on both sides of where streaming stopped.
func thinLatency(r *Run) latencyPoints {
	lp := latencyPoints{lo: math.Inf(1)}
	var seen [4]int // operations of each outcome before the tail
	// The axis spans every operation the run kept, drawn or not.
	add := func(op *history.Op, drawn bool) {
		ms := float64(op.Complete-op.Invoke) / 1e6
		if ms > 0 {
			lp.lo = min(lp.lo, ms)
		}
		lp.hi = max(lp.hi, ms)
		if drawn {
			lp.pts[op.Outcome] = append(lp.pts[op.Outcome], plotter.XY{X: seconds(op.Invoke.Duration()), Y: ms})
		}
	}
	for o := range lp.stride {
		lp.stride[o] = 1
	}
	if r.Streamed != nil {
		for _, o := range []history.Outcome{history.Ok, history.Fail, history.Info} {
			sample, k := r.Streamed.Sample(o)
			for i := range sample {
				add(&sample[i], true)
			}
			lp.stride[o], seen[o] = k, r.Streamed.Outcomes[o]
		}
	}
	for i := range r.History {
		op := &r.History[i]
		o := op.Outcome
		if o == history.Pending || int(o) >= len(lp.pts) {
			continue
		}
		add(op, seen[o]%lp.stride[o] == 0)
		seen[o]++
	}
	// Rare outcomes first: fail and info keep up to half of the budget
	// between them, shared by their sizes, and none fewer than
	// minOutcomePoints; ok has what is left.
	budget := maxLatencyPoints
	rare := len(lp.pts[history.Fail]) + len(lp.pts[history.Info])
	for _, o := range []history.Outcome{history.Fail, history.Info, history.Ok} {
		share := budget
		if o != history.Ok && rare > maxLatencyPoints/2 {
			share = maxLatencyPoints / 2 * len(lp.pts[o]) / rare
		}
		share = max(share, min(len(lp.pts[o]), minOutcomePoints))
		pts, k := stride(lp.pts[o], share)
		lp.pts[o] = pts
		lp.stride[o] *= k
		budget -= len(pts)
	}
	return lp
}

// stride keeps every k-th point, the smallest k that brings pts within
// limit.
func stride(pts plotter.XYs, limit int) (plotter.XYs, int) {
	if limit <= 0 {
		return nil, 0
	}
	if len(pts) <= limit {
		return pts, 1
	}
	k := (len(pts) + limit - 1) / limit
	out := make(plotter.XYs, 0, len(pts)/k+1)
	for i := 0; i < len(pts); i += k {
		out = append(out, pts[i])
	}
	return out, k
}

func ordinal(k int) string {
	suffix := "th"
	switch {
	case k%100 >= 11 && k%100 <= 13:
	case k%10 == 1:
		suffix = "st"
	case k%10 == 2:
		suffix = "nd"
	case k%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(k) + suffix
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}

// decadeTicks ticks a log10 axis: labels at whole decades, minor ticks at
// 2 to 9 times each.
func decadeTicks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for d := math.Floor(lo); d <= hi; d++ {
		for m := 1; m < 10; m++ {
			v := d + math.Log10(float64(m))
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(math.Pow(10, d), 'f', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
