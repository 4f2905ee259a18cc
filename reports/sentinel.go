package reports

import (
	"image/color"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours of the sentinels' plot beyond the node colours: what a sentinel
// thinks of the master it names, in a strip under its bar.
var (
	colorSDown = color.NRGBA{0xff, 0xbb, 0x78, 0xff} // light orange
	colorODown = color.NRGBA{0xd6, 0x27, 0x28, 0xff}
	colorTilt  = color.NRGBA{0x00, 0x00, 0x00, 0xb0}
	colorEpoch = color.NRGBA{0x30, 0x30, 0x30, 0xff}
)

// sentinelRowH is the height of a sentinel's row: its bar, the status
// strip and the epochs' labels.
const sentinelRowH vg.Length = 30 // points

// sentinelRow is one sentinel's view of one master over time.
type sentinelRow struct {
	sentinel, label string
	samples         []SentinelSample
}

// sentinelRows groups samples by sentinel and master, sentinels in natural
// order and masters by name. A Down sample that names no master (the
// sentinel was never seen up) applies to each of that sentinel's rows.
func sentinelRows(ss []SentinelSample) []sentinelRow {
	type key struct{ sentinel, master string }
	by := map[key][]SentinelSample{}
	masters := map[string]bool{}
	for _, s := range ss {
		if s.Master != "" {
			masters[s.Master] = true
		}
		by[key{s.Sentinel, s.Master}] = append(by[key{s.Sentinel, s.Master}], s)
	}
	keys := make([]key, 0, len(by))
	for k := range by {
		if k.master != "" || len(masters) == 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].sentinel != keys[j].sentinel {
			return naturalLess(keys[i].sentinel, keys[j].sentinel)
		}
		return keys[i].master < keys[j].master
	})
	seen := map[string]bool{}
	var rows []sentinelRow
	for _, k := range keys {
		seen[k.sentinel] = true
		row := sentinelRow{sentinel: k.sentinel, label: k.sentinel, samples: by[k]}
		if len(masters) > 1 {
			row.label = k.sentinel + " " + k.master
		}
		if k.master != "" {
			row.samples = append(row.samples, by[key{k.sentinel, ""}]...)
		}
		sort.SliceStable(row.samples, func(i, j int) bool { return row.samples[i].At < row.samples[j].At })
		rows = append(rows, row)
	}
	// A sentinel that was down at every sample keeps a row, in its place.
	for k, ss := range by { //redsim:ordered sorted below
		if k.master == "" && !seen[k.sentinel] {
			rows = append(rows, sentinelRow{sentinel: k.sentinel, label: k.sentinel, samples: ss})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return naturalLess(rows[i].sentinel, rows[j].sentinel) })
	return rows
}

// sentinelView draws each row: a bar in the colour of the node the
// sentinel names as master (black while the sentinel is down, faded while
// it is paused, hatched while it is in TILT), a strip under it while it
// sees that master SDOWN or ODOWN, the master's configuration epoch
// written in the bar where it changes, and the sentinel's current epoch
// above the bar where it changes.
type sentinelView struct {
	rows []sentinelRow
	fr   *canvasFrame
}

func (v sentinelView) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(v.rows)
	small := text.Style{Font: font.From(sansFont, 6.5), XAlign: draw.XLeft, YAlign: draw.YBottom, Handler: p.TextHandler}
	for i, row := range v.rows {
		mid := trY(float64(n - 1 - i))
		// In points from the row's middle: the bar, the status strip
		// under it, the current epoch's labels above it.
		barLo, barHi := mid-5, mid+5
		stripLo := barLo - 3.5
		// The bars first, each run of one colour as one rectangle (no
		// seams between samples), then the labels over them.
		sameBar := func(a, b *SentinelSample) bool {
			return a.Down == b.Down && a.Tilt == b.Tilt && v.segmentColor(a) == v.segmentColor(b)
		}
		sameStrip := func(a, b *SentinelSample) bool { return a.Down == b.Down && a.Status == b.Status }
		v.runs(row, trX, sameBar, func(x0, x1 vg.Length, s *SentinelSample) {
			fillRect(c, v.segmentColor(s), x0, barLo, x1, barHi)
			if s.Tilt && !s.Down {
				hatch(c, x0, barLo, x1, barHi)
			}
		})
		v.runs(row, trX, sameStrip, func(x0, x1 vg.Length, s *SentinelSample) {
			switch {
			case s.Down:
			case s.Status == "odown":
				fillRect(c, colorODown, x0, stripLo, x1, barLo-0.5)
			case s.Status == "sdown":
				fillRect(c, colorSDown, x0, stripLo, x1, barLo-0.5)
			}
		})
		var cfgEnd, curEnd vg.Length = c.Min.X - 100, c.Min.X - 100
		var prev *SentinelSample
		for j := range row.samples {
			s := &row.samples[j]
			if s.Down {
				prev = nil
				continue
			}
			x0 := trX(seconds(s.At))
			if prev == nil || prev.ConfigEpoch != s.ConfigEpoch {
				sty := small
				sty.Color = textOn(v.segmentColor(s))
				cfgEnd = epochLabel(c, sty, x0, barLo+2, cfgEnd, "e"+strconv.FormatUint(s.ConfigEpoch, 10))
			}
			if prev == nil || prev.CurrentEpoch != s.CurrentEpoch {
				sty := small
				sty.Color = colorEpoch
				if curEnd < x0 {
					c.StrokeLine2(draw.LineStyle{Color: colorEpoch, Width: 0.5}, x0, barHi, x0, barHi+2.5)
				}
				curEnd = epochLabel(c, sty, x0, barHi+1.5, curEnd, "c"+strconv.FormatUint(s.CurrentEpoch, 10))
			}
			prev = s
		}
	}
}

// runs calls draw once per run of samples that same says draw alike,
// from the run's first sample to the next run's or the end.
func (v sentinelView) runs(row sentinelRow, trX func(float64) vg.Length, same func(a, b *SentinelSample) bool, draw func(x0, x1 vg.Length, s *SentinelSample)) {
	for j := 0; j < len(row.samples); {
		s := &row.samples[j]
		k := j + 1
		for k < len(row.samples) && same(s, &row.samples[k]) {
			k++
		}
		end := v.fr.end
		if k < len(row.samples) {
			end = seconds(row.samples[k].At)
		}
		x0, x1 := trX(seconds(s.At)), trX(end)
		if x1 <= x0 {
			x1 = x0 + 0.5
		}
		draw(x0, x1, s)
		j = k
	}
}

// epochLabel writes label at x (or just after the previous label of its
// kind, ending at after, if they would overlap) unless it would leave the
// data area; it returns where the labels of its kind now end.
func epochLabel(c draw.Canvas, sty text.Style, x, y, after vg.Length, label string) vg.Length {
	x = max(x+1, after+2)
	w := sty.Width(label)
	if x+w > c.Max.X {
		return after
	}
	c.FillText(sty, vg.Point{X: x, Y: y}, label)
	return x + w
}

func (v sentinelView) segmentColor(s *SentinelSample) color.Color {
	switch {
	case s.Down:
		return colorDown
	case s.Addr == "":
		return colorOtherRole
	}
	col := v.fr.nodeColor(hostOf(s.Addr))
	if s.Paused {
		r, g, b, _ := col.RGBA()
		return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x50}
	}
	return col
}

// textOn is black or white, whichever reads better on bg.
func textOn(bg color.Color) color.Color {
	r, g, b, a := bg.RGBA()
	if a < 0x8000 {
		return color.Black
	}
	if 299*r+587*g+114*b > 1000*0x9000 {
		return color.Black
	}
	return color.White
}

func fillRect(c draw.Canvas, col color.Color, x0, y0, x1, y1 vg.Length) {
	c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
}

// hatch strokes diagonal lines over the rectangle, clipped to it.
func hatch(c draw.Canvas, x0, y0, x1, y1 vg.Length) {
	sty := draw.LineStyle{Color: colorTilt, Width: 0.6}
	h := y1 - y0
	for a := x0 - h; a < x1; a += 3.5 {
		// The line from (a, y0) to (a+h, y1), clipped to [x0, x1].
		lx0, lx1 := max(a, x0), min(a+h, x1)
		if lx1 <= lx0 {
			continue
		}
		c.StrokeLine2(sty, lx0, y0+(lx0-a), lx1, y0+(lx1-a))
	}
}

// hatchBox is the legend thumbnail of TILT.
type hatchBox struct{}

func (hatchBox) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	m := (r.Max.Y - r.Min.Y) * 0.1
	hatch(*c, r.Min.X, r.Min.Y+m, r.Max.X, r.Max.Y-m)
}

// hostOf is the host part of "host:port".
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[:i]
	}
	return addr
}

func sentinelFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "sentinels",
		Title: "Sentinels' view",
		Caption: "Each sentinel's answer to SENTINEL GET-MASTER-ADDR-BY-NAME over time, in the colour of the node it names " +
			"(the same colours as the roles above); black while the sentinel is down, hatched while it is in TILT. " +
			"The strip under a bar is orange while the sentinel sees the master it monitors subjectively down (SDOWN), red while " +
			"objectively down (ODOWN); during a failover that is still the old master, until +switch-master, although the leader " +
			"already names the promoted replica. In the bar, eN is the master's configuration epoch in the sentinel's view, written where it " +
			"changes; above the bar, cN is the sentinel's current epoch (it rises with each failover attempt and vote). " +
			"Sentinels naming different masters at once disagree; the events table below says why.",
	}
	if len(r.Sentinels) == 0 {
		return fig, nil
	}
	rows := sentinelRows(r.Sentinels)
	p := fr.newPlot("Which master each sentinel names, with the epochs", "")
	labels := make([]string, len(rows))
	for i, row := range rows {
		labels[i] = row.label
	}
	rowAxis(p, labels, -0.7, 0.3)
	p.Add(sentinelView{rows: rows, fr: fr})

	named := map[string]bool{}
	var down, tilt, sdown, odown, paused, none bool
	for _, s := range r.Sentinels {
		switch {
		case s.Down:
			down = true
			continue
		case s.Addr == "":
			none = true
		default:
			named[hostOf(s.Addr)] = true
		}
		tilt = tilt || s.Tilt
		paused = paused || s.Paused
		sdown = sdown || s.Status == "sdown"
		odown = odown || s.Status == "odown"
	}
	svg, err := fr.renderRows(p, len(rows), sentinelRowH, "names ", named, []legendEntry{
		{none, "names none", colorBox{colorOtherRole}},
		{down, "down", colorBox{colorDown}},
		{paused, "paused (faded)", colorBox{withAlpha(nodePalette[0], 0x50)}},
		{tilt, "TILT", hatchBox{}},
		{sdown, "sees SDOWN", colorBox{colorSDown}},
		{odown, "sees ODOWN", colorBox{colorODown}},
	})
	fig.SVG = svg
	return fig, err
}
