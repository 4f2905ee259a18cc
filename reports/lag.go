package reports

import (
	"fmt"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

func lagFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "lag",
		Title: "Replication lag",
	}
	if len(r.Lag) == 0 {
		fig.Note = "No replication lag plot: the run sampled no replica offsets."
		return fig, nil
	}
	period := lagPeriod(r.Lag)
	fig.Caption = fmt.Sprintf("How many bytes of its master's replication stream each replica had not applied: "+
		"the master_repl_offset of the master it follows less its own, sampled every %v. "+
		"A line stops where there is no such figure: the replica or its master was down, or the replica followed no master. "+
		"Below zero, the replica's offset was past its master's, as a demoted master's is until it resyncs.", period)
	byNode := map[string]plotter.XYs{}
	lo := 0.0
	for _, s := range r.Lag {
		byNode[s.Node] = append(byNode[s.Node], plotter.XY{X: seconds(s.At), Y: float64(s.Bytes)})
		lo = min(lo, float64(s.Bytes))
	}
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return naturalLess(nodes[i], nodes[j]) })
	p := fr.newPlot("Replication offset lag per replica", "bytes behind its master")
	p.Y.Min = lo
	p.Y.Tick.Marker = plot.TickerFunc(bytesTicks)
	l := newLegend()
	for _, n := range nodes {
		pts := byNode[n]
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
		style := draw.LineStyle{Color: fr.nodeColor(n), Width: 1.2}
		for _, run := range lagRuns(pts, seconds(period)) {
			if len(run) == 1 {
				// A lone sample between gaps: a dot, as a line needs two.
				sc, err := plotter.NewScatter(run)
				if err != nil {
					return fig, fmt.Errorf("reports: lag plot: %v", err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: 1.5, Shape: draw.CircleGlyph{}}
				p.Add(sc)
				continue
			}
			line, err := plotter.NewLine(run)
			if err != nil {
				return fig, fmt.Errorf("reports: lag plot: %v", err)
			}
			line.LineStyle = style
			p.Add(line)
		}
		l.Add(n, &plotter.Line{LineStyle: style})
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	svg, err := render(p, &l, 220)
	fig.SVG = svg
	return fig, err
}

// lagPeriod is the interval at which the run sampled offsets: the shortest
// step between two sampling instants (every replica is sampled at each).
func lagPeriod(samples []LagSample) time.Duration {
	var period time.Duration
	for i := 1; i < len(samples); i++ {
		if d := samples[i].At - samples[i-1].At; d > 0 && (period == 0 || d < period) {
			period = d
		}
	}
	return period
}

// lagRuns splits a replica's samples, in time order, where a sampling
// instant passed without one (a step longer than one and a half periods).
func lagRuns(pts plotter.XYs, period float64) []plotter.XYs {
	var runs []plotter.XYs
	start := 0
	for i := 1; i <= len(pts); i++ {
		if i == len(pts) || (period > 0 && pts[i].X-pts[i-1].X > 1.5*period) {
			runs = append(runs, pts[start:i])
			start = i
		}
	}
	return runs
}
