package reports

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// epochLines draws each node's currentEpoch as a thin dashed step line
// and, while it is a master, its configEpoch as a thick one, each node a
// little above or below the others so that equal epochs stay apart; each
// failover is a dot at the promoted node's new configEpoch, labelled.
type epochLines struct {
	st        *clusterStory
	fr        *canvasFrame
	failovers []clusterFailover
}

func (e epochLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	st := e.st
	n := len(st.nodes)
	var lines stepLines
	for k, ss := range st.samples {
		dy := (vg.Length(k) - vg.Length(n-1)/2) * 1.3
		col := e.fr.nodeColor(st.nodes[k])
		cfg, cur := stepLine{end: seconds(st.end), dy: dy, sty: draw.LineStyle{Color: col, Width: 2.4}},
			stepLine{end: seconds(st.end), dy: dy, sty: draw.LineStyle{Color: col, Width: 0.9, Dashes: []vg.Length{3, 1.5}}}
		for _, s := range ss {
			x := seconds(s.At)
			cfg.pts = append(cfg.pts, stepPoint{X: x, Y: float64(s.ConfigEpoch), Gap: s.Down || !s.Master})
			cur.pts = append(cur.pts, stepPoint{X: x, Y: float64(s.CurrentEpoch), Gap: s.Down})
		}
		lines = append(lines, cfg, cur)
	}
	lines.Plot(c, p)
	// The failovers, labelled, a label moved up out of the way of the ones
	// before it.
	sty := text.Style{Font: font.From(sansFont, 7), Color: colorEpoch, XAlign: draw.XLeft, YAlign: draw.YBottom, Handler: p.TextHandler}
	var placed []vg.Rectangle
	for _, f := range e.failovers {
		x, y := trX(seconds(f.At)), trY(float64(f.ConfigEpoch))
		c.StrokeLine2(draw.LineStyle{Color: colorEpoch, Width: 0.5, Dashes: []vg.Length{1, 1.5}}, x, c.Min.Y, x, y)
		c.DrawGlyph(draw.GlyphStyle{Color: e.fr.nodeColor(f.Node), Radius: 3, Shape: draw.CircleGlyph{}}, vg.Point{X: x, Y: y})
		c.DrawGlyph(draw.GlyphStyle{Color: colorEpoch, Radius: 3, Shape: draw.RingGlyph{}}, vg.Point{X: x, Y: y})
		label := f.Node + " replaces " + f.Replaced
		if f.Replaced == "" {
			label = f.Node + " promoted"
		}
		w := sty.Width(label)
		r := vg.Rectangle{Min: vg.Point{X: x + 4, Y: y + 3}, Max: vg.Point{X: x + 4 + w, Y: y + 3 + 8}}
		if r.Max.X > c.Max.X {
			r = r.Add(vg.Point{X: c.Max.X - r.Max.X})
		}
		for try := 0; try < 4 && overlapsAny(r, placed); try++ {
			r = r.Add(vg.Point{Y: 9})
		}
		if overlapsAny(r, placed) || r.Max.Y > c.Max.Y {
			continue
		}
		placed = append(placed, r)
		// On a light backing, to read over the bundle of epoch lines.
		fillRect(c, color.NRGBA{0xff, 0xff, 0xff, 0xc8}, r.Min.X-1, r.Min.Y-1, r.Max.X+1, r.Max.Y)
		c.FillText(sty, r.Min, label)
	}
}

func overlapsAny(r vg.Rectangle, rs []vg.Rectangle) bool {
	for _, q := range rs {
		if r.Min.X < q.Max.X && q.Min.X < r.Max.X && r.Min.Y < q.Max.Y && q.Min.Y < r.Max.Y {
			return true
		}
	}
	return false
}

// stepPoint is a value from X (seconds) on; a Gap point ends the line at
// X, until the next point that is not one.
type stepPoint struct {
	X, Y float64
	Gap  bool
}

// stepLine holds each value until the next point, or end; it is drawn
// dy points above its values, so that lines of equal values stay apart.
type stepLine struct {
	pts []stepPoint
	end float64
	sty draw.LineStyle
	dy  vg.Length
}

// stepLines draws step lines, rising or falling where the value changes.
type stepLines []stepLine

func (ls stepLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, l := range ls {
		var pts []vg.Point
		flush := func(x float64) {
			if len(pts) > 0 {
				pts = append(pts, vg.Point{X: trX(x), Y: pts[len(pts)-1].Y})
				c.StrokeLines(l.sty, c.ClipLinesXY(pts)...)
			}
			pts = pts[:0]
		}
		for _, pt := range l.pts {
			if pt.Gap {
				flush(pt.X)
				continue
			}
			x, y := trX(pt.X), trY(pt.Y)+l.dy
			if len(pts) > 0 {
				if pts[len(pts)-1].Y == y {
					continue
				}
				pts = append(pts, vg.Point{X: x, Y: pts[len(pts)-1].Y})
			}
			pts = append(pts, vg.Point{X: x, Y: y})
		}
		flush(l.end)
	}
}

// lineBox is a legend thumbnail: a line of that style.
type lineBox struct{ sty draw.LineStyle }

func (b lineBox) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(b.sty, c.Min.X, y, c.Max.X, y)
}

// glyphBox is a legend thumbnail: one glyph.
type glyphBox struct{ sty draw.GlyphStyle }

func (b glyphBox) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(b.sty, c.Center())
}

// epochTicks labels whole epochs at a spacing that gives at most eight
// labels.
func epochTicks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		step = s
		if (hi-lo)/s <= 8 {
			break
		}
	}
	var ts []plot.Tick
	for v := max(math.Ceil(lo/step)*step, 0); v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ts
}

func clusterEpochsFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "cluster-epochs",
		Title: "Cluster epochs",
		Caption: "Each node's currentEpoch (thin dashed line) and, while the node is a master, its own configEpoch (thick line), in the node's colour; " +
			"the lines of the nodes are drawn a point apart so that equal epochs stay visible. A dot marks a failover: a replica that turned master, " +
			"at the configEpoch it took, labelled with the master it replaced. Lines stop while a node is down.",
	}
	if len(r.Cluster) == 0 {
		return fig, nil
	}
	st := clusterStoryOf(fr, r)
	e := epochLines{st: st, fr: fr, failovers: st.failovers()}
	top := uint64(0)
	for _, ss := range st.samples {
		for _, s := range ss {
			top = max(top, s.CurrentEpoch, s.ConfigEpoch)
		}
	}
	p := fr.newPlot("Each node's currentEpoch and each master's configEpoch", "epoch")
	p.Y.Min, p.Y.Max = -0.5, float64(top)+1.5
	p.Y.Tick.Marker = plot.TickerFunc(epochTicks)
	p.Add(e)
	l := newLegend()
	for _, name := range st.nodes {
		l.Add(name, colorBox{fr.nodeColor(name)})
	}
	l.Add("currentEpoch", lineBox{draw.LineStyle{Color: colorEpoch, Width: 0.9, Dashes: []vg.Length{3, 1.5}}})
	l.Add("configEpoch", lineBox{draw.LineStyle{Color: colorEpoch, Width: 2.4}})
	if len(e.failovers) > 0 {
		l.Add("failover", glyphBox{draw.GlyphStyle{Color: colorEpoch, Radius: 3, Shape: draw.RingGlyph{}}})
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	h := max(vg.Length(240), vg.Length(14*(len(st.nodes)+5)+labelRows*labelRowPt+60))
	svg, err := render(p, &l, h)
	fig.SVG = svg
	return fig, err
}
