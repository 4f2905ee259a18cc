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
	var byOutcome [4]plotter.XYs
	lo, hi := math.Inf(1), 0.0
	ops := r.History
	if r.Streamed != nil {
		// The streamed operations' sample, then the kept tail: a sample
		// of stride k stands for k operations, which the caption says.
		var all []history.Op
		for _, o := range []history.Outcome{history.Ok, history.Fail, history.Info} {
			sample, k := r.Streamed.Sample(o)
			all = append(all, sample...)
			if k > 1 {
				fig.Caption += fmt.Sprintf(" Of the %s operations before %s (streamed), every %s is drawn.", o, streamedUntil(r), ordinal(k))
			}
		}
		ops = append(all, ops...)
	}
	for i := range ops {
		op := &ops[i]
		if op.Outcome == history.Pending || int(op.Outcome) >= len(byOutcome) {
			continue
		}
		ms := float64(op.Complete-op.Invoke) / 1e6
		if ms > 0 {
			lo = min(lo, ms)
		}
		hi = max(hi, ms)
		byOutcome[op.Outcome] = append(byOutcome[op.Outcome], plotter.XY{X: seconds(op.Invoke.Duration()), Y: ms})
	}
	n := len(byOutcome[history.Ok]) + len(byOutcome[history.Fail]) + len(byOutcome[history.Info])
	if n == 0 {
		fig.Note = "No latency plot: the run recorded no completed operations."
		return fig, nil
	}
	// Thin deterministically, by stride: rare outcomes first.
	budget := maxLatencyPoints
	rare := len(byOutcome[history.Fail]) + len(byOutcome[history.Info])
	var thinned []string
	for _, o := range []history.Outcome{history.Fail, history.Info, history.Ok} {
		share := budget
		if o != history.Ok && rare > maxLatencyPoints/2 {
			share = maxLatencyPoints / 2 * len(byOutcome[o]) / rare
		}
		pts, k := stride(byOutcome[o], share)
		byOutcome[o] = pts
		budget -= len(pts)
		if k > 1 {
			thinned = append(thinned, fmt.Sprintf("every %s %s operation", ordinal(k), o))
		}
	}
	if len(thinned) > 0 {
		fig.Caption += " To keep the page light only " + joinAnd(thinned) + " is drawn."
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
		if len(byOutcome[o]) == 0 {
			continue
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
		l.Add(o.String()+" ("+strconv.Itoa(counts[o])+")", colorBox{outcomeColor(o)})
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", colorBox{withAlpha(colorBandLine, 0x50)})
	}
	svg, err := render(p, &l, 300)
	fig.SVG = svg
	return fig, err
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
