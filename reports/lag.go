package reports

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

func lagFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:      "lag",
		Title:   "Replication lag",
		Caption: "How many bytes of the replication stream each replica was behind its master's offset.",
	}
	if len(r.Lag) == 0 {
		fig.Note = "No replication lag plot: the run sampled no replica offsets."
		return fig, nil
	}
	byNode := map[string]plotter.XYs{}
	for _, s := range r.Lag {
		byNode[s.Node] = append(byNode[s.Node], plotter.XY{X: seconds(s.At), Y: float64(s.Bytes)})
	}
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return naturalLess(nodes[i], nodes[j]) })
	p := fr.newPlot("Replication offset lag per replica", "bytes behind the master")
	p.Y.Min = 0
	p.Y.Tick.Marker = plot.TickerFunc(bytesTicks)
	l := newLegend()
	for _, n := range nodes {
		pts := byNode[n]
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fig, fmt.Errorf("reports: lag plot: %v", err)
		}
		line.LineStyle = draw.LineStyle{Color: fr.nodeColor(n), Width: 1.2}
		p.Add(line)
		l.Add(n, line)
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", colorBox{withAlpha(colorBandLine, 0x50)})
	}
	svg, err := render(p, &l, 220)
	fig.SVG = svg
	return fig, err
}
