package reports

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/redsim/redsim/history"
)

func throughputFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{ID: "throughput", Title: "Throughput"}
	bucket := time.Second
	if fr.end < 10 {
		bucket = 100 * time.Millisecond
	}
	fig.Caption = fmt.Sprintf("Operations completed per second, counted in %v buckets by completion time, by outcome.", bucket)
	n := int(math.Ceil(fr.end / bucket.Seconds()))
	var counts [4][]float64
	for o := range counts {
		counts[o] = make([]float64, n+1)
	}
	total := 0
	if r.Streamed != nil && bucket == time.Second {
		for o := range counts {
			for sec, c := range r.Streamed.Completed[o] {
				counts[o][min(sec, n-1)] += float64(c)
				total += c
			}
		}
	}
	for i := range r.History {
		op := &r.History[i]
		if op.Outcome == history.Pending || int(op.Outcome) >= len(counts) {
			continue
		}
		b := min(int(op.Complete.Duration()/bucket), n-1)
		counts[op.Outcome][b]++
		total++
	}
	if total == 0 {
		fig.Note = "No throughput plot: the run recorded no completed operations."
		return fig, nil
	}
	p := fr.newPlot("Throughput by outcome", "operations per second")
	p.Y.Min = 0
	p.Y.Tick.Marker = plainTicks()
	l := newLegend()
	perSecond := 1 / bucket.Seconds()
	for _, o := range []history.Outcome{history.Ok, history.Info, history.Fail} {
		pts := make(plotter.XYs, n+1)
		sum := 0.0
		for b := 0; b <= n; b++ {
			c := counts[o][min(b, n-1)]
			pts[b] = plotter.XY{X: min(float64(b)*bucket.Seconds(), fr.end), Y: c * perSecond}
			if b < n {
				sum += c
			}
		}
		if sum == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fig, fmt.Errorf("reports: throughput plot: %v", err)
		}
		line.StepStyle = plotter.PostStep
		line.LineStyle = draw.LineStyle{Color: outcomeColor(o), Width: 1.2}
		p.Add(line)
		l.Add(o.String(), line)
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	svg, err := render(p, &l, 220)
	fig.SVG = svg
	return fig, err
}
