package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"github.com/redsim/redsim/history"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// figure is one plot of the report: inline SVG, or a note saying why there
// is none.
type figure struct {
	ID      string
	Title   string
	Caption string
	SVG     template.HTML
	Note    string
}

// The plots are drawn in points; the page scales them to its width. Liberation
// Sans has Arial's metrics, so text measured by gonum fits when the browser
// falls back to Arial or Helvetica.
const (
	plotWidth   vg.Length = 720 // points
	legendWidth vg.Length = 100
	// yAxisWidth is the room left of every plot's data area, so that the
	// time axes of the plots line up one above the other.
	yAxisWidth vg.Length = 84
	labelRows            = 3
	labelRowPt           = 9
)

var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Colours: outcomes as Jepsen draws them; fault bands light grey.
var (
	colorOk        = color.NRGBA{0x2c, 0xa0, 0x2c, 0xff}
	colorFail      = color.NRGBA{0xd6, 0x27, 0x28, 0xff}
	colorInfo      = color.NRGBA{0xff, 0x7f, 0x0e, 0xff}
	colorBand      = color.NRGBA{0x00, 0x00, 0x00, 0x14}
	colorBandLine  = color.NRGBA{0x60, 0x60, 0x60, 0xa0}
	colorBandLabel = color.NRGBA{0x40, 0x40, 0x40, 0xff}
	colorGrid      = color.NRGBA{0x00, 0x00, 0x00, 0x18}
)

// nodePalette colours nodes by their sorted position; it avoids the green,
// red and orange of outcomes.
var nodePalette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x39, 0x3b, 0x79, 0xff}, // navy
	{0x84, 0x3c, 0x39, 0xff}, // maroon
	{0x63, 0x79, 0x39, 0xff}, // moss
	{0x7b, 0x41, 0x73, 0xff}, // plum
}

// canvasFrame is what the four time plots share: the x range, so that they
// line up when read one above the other, and the fault schedule.
type canvasFrame struct {
	end    float64 // seconds
	faults []Fault
	nodes  map[string]color.Color
	order  []string // node names in natural order
	// cluster is the run's cluster story, made by the first cluster
	// plot (clusterStoryOf).
	cluster *clusterStory
}

func newFrame(r *Run) *canvasFrame {
	end := r.Duration
	names := map[string]bool{}
	for i := range r.History {
		end = max(end, r.History[i].Complete.Duration())
	}
	if r.Streamed != nil {
		end = max(end, r.Streamed.Last.Duration())
	}
	for _, f := range r.Faults {
		end = max(end, f.End, f.At)
	}
	for _, s := range r.Roles {
		end = max(end, s.At)
		names[s.Node] = true
	}
	for _, s := range r.Beliefs {
		end = max(end, s.At)
		if s.Master != "" {
			names[s.Master] = true
		}
	}
	for _, s := range r.Lag {
		end = max(end, s.At)
		names[s.Node] = true
	}
	for _, s := range r.Sentinels {
		end = max(end, s.At)
		if s.Addr != "" {
			names[hostOf(s.Addr)] = true
		}
	}
	for _, s := range r.Cluster {
		end = max(end, s.At)
		names[s.Node] = true
		for _, o := range s.Slots {
			names[o.Owner] = true
		}
	}
	fr := &canvasFrame{end: seconds(end), faults: r.Faults, nodes: map[string]color.Color{}}
	if fr.end <= 0 {
		fr.end = 1
	}
	for n := range names {
		fr.order = append(fr.order, n)
	}
	sort.Slice(fr.order, func(i, j int) bool { return naturalLess(fr.order[i], fr.order[j]) })
	for i, n := range fr.order {
		fr.nodes[n] = nodePalette[i%len(nodePalette)]
	}
	return fr
}

func (fr *canvasFrame) nodeColor(n string) color.Color {
	if c, ok := fr.nodes[n]; ok {
		return c
	}
	return color.NRGBA{0x80, 0x80, 0x80, 0xff}
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// newPlot returns a plot with the report's fonts, a time x axis over the whole
// run, a strip above the data for fault labels and light grid lines.
func (fr *canvasFrame) newPlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, 11)
	p.Title.Padding = labelRows*labelRowPt + 4
	p.X.Label.Text = "virtual time (s)"
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 9)
		a.Tick.Label.Font = font.From(sansFont, 8)
	}
	p.X.Label.Padding = 2
	p.X.Min, p.X.Max = 0, fr.end
	p.X.Tick.Marker = plot.TickerFunc(timeTicks)
	p.Add(grid{})
	p.Add(faultBands{faults: fr.faults})
	return p
}

// newLegend returns a legend for the strip right of the plot.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sansFont, 9)
	l.Padding = 3
	l.Top, l.Left = true, true
	l.ThumbnailWidth = 12
	l.YOffs = -(labelRows*labelRowPt + 22)
	l.XOffs = 6
	return l
}

// rowAxis makes p a chart of rows: labels down the Y axis, the first at
// the top, the axis from lo to len(labels)-hi (row i spans i-0.5 to i+0.5).
func rowAxis(p *plot.Plot, labels []string, lo, hi float64) {
	n := len(labels)
	p.Y.Min, p.Y.Max = lo, float64(n)-hi
	ts := make(plot.ConstantTicks, n)
	for i, l := range labels {
		ts[i] = plot.Tick{Value: float64(n - 1 - i), Label: l}
	}
	p.Y.Tick.Marker = ts
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	p.X.Padding, p.Y.Padding = 0, 0
}

// legendEntry is a line of a legend shown only when on.
type legendEntry struct {
	on    bool
	label string
	th    plot.Thumbnailer
}

// renderRows draws a chart of rows rowH high with its legend: prefix and
// each node in shown, in the frame's order and in the node's colour, then
// the entries that are on and, when the run had faults, the fault window.
func (fr *canvasFrame) renderRows(p *plot.Plot, rows int, rowH vg.Length, prefix string, shown map[string]bool, entries []legendEntry) (template.HTML, error) {
	l := newLegend()
	lines := 0
	for _, name := range fr.order {
		if shown[name] {
			l.Add(prefix+name, colorBox{fr.nodeColor(name)})
			lines++
		}
	}
	entries = append(entries, legendEntry{len(fr.faults) > 0, "fault window", bandBox{}})
	for _, e := range entries {
		if e.on {
			l.Add(e.label, e.th)
			lines++
		}
	}
	h := rowH*vg.Length(rows) + 80
	h = max(h, vg.Length(14*(lines+1)+labelRows*labelRowPt+60))
	return render(p, &l, h)
}

// render draws p, with legend l (if any) in a strip to its right, as inline
// SVG without the XML prolog.
func render(p *plot.Plot, l *plot.Legend, h vg.Length) (template.HTML, error) {
	c := vgsvg.New(plotWidth, h)
	dc := draw.New(c)
	area := draw.Crop(dc, yAxisWidth-yAxisSize(&p.Y), -legendWidth, 0, 0)
	if l != nil {
		l.Draw(draw.Crop(dc, plotWidth-legendWidth, 0, 0, 0))
	}
	p.Draw(area)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("reports: drawing %q: %v", p.Title.Text, err)
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	// gonum writes text only through html.EscapeString and numbers through
	// fmt, so the SVG holds no unescaped input.
	return template.HTML(s), nil
}

// yAxisSize measures the room the y axis a takes left of the data area, as
// gonum's verticalAxis.size does; render shifts the plot right by what is
// left of yAxisWidth.
func yAxisSize(a *plot.Axis) vg.Length {
	var w vg.Length
	if a.Label.Text != "" {
		w += a.Label.TextStyle.FontExtents().Descent + a.Label.TextStyle.Height(a.Label.Text) + a.Label.Padding
	}
	if marks := a.Tick.Marker.Ticks(a.Min, a.Max); len(marks) > 0 {
		var lw vg.Length
		for _, t := range marks {
			if !t.IsMinor() {
				r := a.Tick.Label.Rectangle(t.Label)
				lw = max(lw, r.Max.X-r.Min.X)
			}
		}
		if lw > 0 {
			w += lw + a.Label.TextStyle.Width(" ")
		}
		if a.Tick.Width > 0 && a.Tick.Length > 0 {
			w += a.Tick.Length
		}
	}
	return min(w+a.Width/2+a.Padding, yAxisWidth)
}

// grid draws light vertical and horizontal lines at the major ticks.
type grid struct{}

func (grid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: colorGrid, Width: 0.5}
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.IsMinor() || t.Value < p.X.Min || t.Value > p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() || t.Value < p.Y.Min || t.Value > p.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// faultBands shades each fault window light grey, draws an instantaneous
// fault as a thin line, and labels them in rows above the data area, skipping
// a label that would overlap the ones before it in every row.
type faultBands struct {
	faults []Fault
}

func (fb faultBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	line := draw.LineStyle{Color: colorBandLine, Width: 0.6}
	sty := text.Style{
		Color: colorBandLabel, Font: font.From(sansFont, 7),
		XAlign: draw.XLeft, YAlign: draw.YBottom, Handler: p.TextHandler,
	}
	var rowEnd [labelRows]vg.Length
	for i := range rowEnd {
		rowEnd[i] = c.Min.X - 1000
	}
	dropped := 0
	for _, f := range fb.faults {
		x0, x1 := trX(seconds(f.At)), trX(seconds(f.End))
		if x1 < c.Min.X || x0 > c.Max.X {
			continue
		}
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1-x0 >= 1 {
			c.FillPolygon(colorBand, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		} else {
			c.StrokeLine2(line, x0, c.Min.Y, x0, c.Max.Y)
		}
		if f.Op == "" {
			continue
		}
		label := f.Op
		if f.Target != "" {
			label += " " + f.Target
		}
		w := sty.Width(label)
		lx := min(x0+1.5, c.Max.X-w)
		placed := false
		for row := range rowEnd {
			if lx > rowEnd[row]+3 {
				y := c.Max.Y + 2 + vg.Length(row*labelRowPt)
				c.StrokeLine2(line, x0, c.Max.Y, x0, y+labelRowPt-2)
				c.FillText(sty, vg.Point{X: lx, Y: y}, label)
				rowEnd[row] = lx + w
				placed = true
				break
			}
		}
		if !placed {
			dropped++
		}
	}
	if dropped > 0 {
		// Say that labels are missing, so that an unlabelled line is not
		// read as a fault without a name: the fault table has them all.
		more := sty
		more.XAlign = draw.XRight
		c.FillText(more, vg.Point{X: c.Max.X, Y: c.Max.Y + 2 + vg.Length(labelRows*labelRowPt)}, "+"+strconv.Itoa(dropped)+" more")
	}
}

// colorBox is a legend thumbnail: a filled square.
type colorBox struct{ c color.Color }

func (b colorBox) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	m := (r.Max.Y - r.Min.Y) * 0.1
	c.FillPolygon(b.c, []vg.Point{
		{X: r.Min.X, Y: r.Min.Y + m}, {X: r.Max.X, Y: r.Min.Y + m},
		{X: r.Max.X, Y: r.Max.Y - m}, {X: r.Min.X, Y: r.Max.Y - m},
	})
}

// bandBox is the legend thumbnail of a fault window: the band's light
// shade, outlined in the band's line colour, so that it is not taken for a
// solid grey (a replica in the timeline).
type bandBox struct{}

func (bandBox) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	m := (r.Max.Y - r.Min.Y) * 0.1
	pts := []vg.Point{
		{X: r.Min.X, Y: r.Min.Y + m}, {X: r.Max.X, Y: r.Min.Y + m},
		{X: r.Max.X, Y: r.Max.Y - m}, {X: r.Min.X, Y: r.Max.Y - m},
	}
	c.FillPolygon(colorBand, pts)
	c.StrokeLines(draw.LineStyle{Color: colorBandLine, Width: 0.6}, append(pts, pts[0]))
}

// naturalLess orders "n2" before "n10".
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if na != nb {
				return na < nb
			}
			if da != db {
				return da < db
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && i < 18 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// humanTicks labels the default ticks with f.
func humanTicks(f func(float64) string) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = f(ts[i].Value)
			}
		}
		return ts
	})
}

// timeSteps are the spacings of labelled time ticks, in seconds.
var timeSteps = []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200}

// timeTicks labels seconds at a round spacing that gives at most a dozen
// labels, with an unlabelled tick halfway between.
func timeTicks(lo, hi float64) []plot.Tick {
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if (hi-lo)/s <= 12 {
			step = s
			break
		}
	}
	var ts []plot.Tick
	for i := math.Ceil(lo / step * 2); i/2*step <= hi*(1+1e-9); i++ {
		v := math.Round(i/2*step*1000) / 1000
		t := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// plainTicks are the default ticks labelled without trailing zeros.
func plainTicks() plot.Ticker {
	return humanTicks(func(v float64) string {
		return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
	})
}

// bytesTicks puts ticks at round numbers of the binary unit that fits the
// range: 0, 512 KiB, 1 MiB, ... rather than 1.91 MiB.
func bytesTicks(lo, hi float64) []plot.Tick {
	unit, name := 1.0, "B"
	for _, u := range []struct {
		size float64
		name string
	}{{1 << 10, "KiB"}, {1 << 20, "MiB"}, {1 << 30, "GiB"}} {
		if max(hi, -lo) >= u.size {
			unit, name = u.size, u.name
		}
	}
	ts := plot.DefaultTicks{}.Ticks(lo/unit, hi/unit)
	for i := range ts {
		v := ts[i].Value
		ts[i].Value = v * unit
		switch {
		case ts[i].Label == "":
		case v == 0:
			ts[i].Label = "0"
		default:
			ts[i].Label = strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64) + " " + name
		}
	}
	return ts
}

func outcomeColor(o history.Outcome) color.Color {
	switch o {
	case history.Ok:
		return colorOk
	case history.Fail:
		return colorFail
	case history.Info:
		return colorInfo
	}
	return color.NRGBA{0x80, 0x80, 0x80, 0xff}
}

func withAlpha(c color.NRGBA, a uint8) color.NRGBA {
	c.A = a
	return c
}
