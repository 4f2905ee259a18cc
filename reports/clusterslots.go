package reports

import (
	"image/color"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours of the cluster plots beyond the node colours.
var (
	colorUnassigned = color.NRGBA{0xee, 0xee, 0xee, 0xff}
	colorOverlap    = color.NRGBA{0xd6, 0x27, 0x28, 0xff}
	colorStateFail  = color.NRGBA{0xff, 0x7f, 0x0e, 0xff}
)

// clusterRowH is the height of an observing node's row in the slots plot.
const clusterRowH vg.Length = 50 // points

// clusterStoryOf is r's cluster story up to the frame's end, made once
// for the frame's plots.
func clusterStoryOf(fr *canvasFrame, r *Run) *clusterStory {
	if fr.cluster == nil {
		fr.cluster = newClusterStory(r.Cluster, max(r.Duration, time.Duration(fr.end*float64(time.Second))))
	}
	return fr.cluster
}

// slotsView draws one row per observing node: a band in which slot 0 is
// at the bottom and slot 16383 at the top, coloured by the node that
// serves each slot in that node's table (black while it is down, faded
// while it is paused, light grey where a slot is unassigned), hatched
// where its table differs from most running nodes' tables, outlined in
// red where two masters both claim the slots, with an orange strip under
// it while it says the cluster is in state fail.
type slotsView struct {
	st       *clusterStory
	fr       *canvasFrame
	overlaps []clusterOverlap
}

func (v slotsView) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	st := v.st
	n := len(st.nodes)
	unit := trY(1) - trY(0)
	half := unit * 0.36
	band := func(k int) (lo, hi vg.Length) {
		mid := trY(float64(n - 1 - k))
		return mid - half, mid + half
	}
	slotY := func(lo, hi vg.Length, slot int) vg.Length {
		return lo + (hi-lo)*vg.Length(slot)/ClusterSlots
	}
	xEnd := func(t time.Duration) vg.Length { return trX(seconds(t)) }
	small := text.Style{Font: font.From(sansFont, 6.5), XAlign: draw.XLeft, YAlign: -0.5, Handler: p.TextHandler}
	// The owners' names go on last, over the hatching and outlines.
	type ownerLabel struct {
		sty  text.Style
		at   vg.Point
		name string
	}
	var labels []ownerLabel
	for k, ss := range st.samples {
		lo, hi := band(k)
		v.fills(c, ss, lo, hi, xEnd, slotY)
		for i := range ss {
			s := &ss[i]
			if s.Down {
				continue
			}
			x0 := xEnd(s.At)
			// The owner's name where it starts serving the run's slots in
			// this node's view, if it fits before that changes.
			var prev *ClusterSample
			if i > 0 && !ss[i-1].Down {
				prev = &ss[i-1]
			}
			for _, r := range s.Slots {
				y0, y1 := slotY(lo, hi, r.Start), slotY(lo, hi, r.End+1)
				mid := (r.Start + r.End) / 2
				if prev != nil && prev.ownerOf(mid) == r.Owner || y1-y0 < 7 {
					continue
				}
				until := st.end
				for j := i + 1; j < len(ss); j++ {
					if ss[j].Down || ss[j].ownerOf(mid) != r.Owner {
						until = ss[j].At
						break
					}
				}
				if xEnd(until)-x0 < small.Width(r.Owner)+3 {
					continue
				}
				sty := small
				sty.Color = textOn(v.ownerColor(r.Owner, s.Paused))
				labels = append(labels, ownerLabel{sty, vg.Point{X: x0 + 1.5, Y: (y0 + y1) / 2}, r.Owner})
			}
		}
	}
	// Where a node's table differs from most running nodes', span by span,
	// a span joined to the one before when the node differs alike.
	dissent := make([][]slotSeg, n)
	from := make([]time.Duration, n)
	flush := func(k int, to time.Duration) {
		lo, hi := band(k)
		for _, sg := range dissent[k] {
			y0, y1 := atLeast(slotY(lo, hi, sg.Start), slotY(lo, hi, sg.End+1), 2.5)
			hatch(c, xEnd(from[k]), y0, max(xEnd(to), xEnd(from[k])+0.5), y1)
		}
	}
	for i := range st.spans {
		for k := range st.nodes {
			d := st.dissentAt(i, k)
			if slices.Equal(d, dissent[k]) {
				continue
			}
			flush(k, st.spans[i].from)
			dissent[k], from[k] = d, st.spans[i].from
		}
	}
	for k := range st.nodes {
		flush(k, st.end)
	}
	// Two masters claiming the same slots: outlined in both masters' rows.
	idx := map[string]int{}
	for k, name := range st.nodes {
		idx[name] = k
	}
	line := draw.LineStyle{Color: colorOverlap, Width: 1.3}
	for _, o := range v.overlaps {
		x0, x1 := xEnd(o.From), max(xEnd(o.To), xEnd(o.From)+1)
		for _, name := range []string{o.A, o.B} {
			lo, hi := band(idx[name])
			for _, r := range o.Slots {
				y0, y1 := atLeast(slotY(lo, hi, r[0]), slotY(lo, hi, r[1]+1), 2.5)
				c.StrokeLines(line, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
			}
		}
	}
	for _, lb := range labels {
		c.FillText(lb.sty, lb.at, lb.name)
	}
	// The slot scale, once, left of the top row.
	if n > 0 {
		lo, hi := band(0)
		sty := text.Style{Font: font.From(sansFont, 5.5), Color: colorBandLabel, XAlign: draw.XRight, Handler: p.TextHandler}
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X - 2, Y: hi}, strconv.Itoa(ClusterSlots-1))
		sty.YAlign = draw.YBottom
		c.FillText(sty, vg.Point{X: c.Min.X - 2, Y: lo}, "0")
	}
}

// fill is a rectangle of one colour in a row, from one sample to a
// later one: a run of slots with one owner, the row's background, the
// node down, or the state-fail strip.
type fill struct {
	y0, y1 vg.Length
	col    color.Color
	layer  int // 0 under 1
}

// fills draws a node's row, each fill as one rectangle from the sample
// where it appears to the one where it goes (not one per sample: no
// seams, and a few rectangles for a long run); the background and the
// node down first, then the slots and the strip.
func (v slotsView) fills(c draw.Canvas, ss []ClusterSample, lo, hi vg.Length, xEnd func(time.Duration) vg.Length, slotY func(lo, hi vg.Length, slot int) vg.Length) {
	type open struct {
		fill
		from time.Duration
	}
	var layers [2][]fill
	var xs [2][][2]vg.Length
	var cur, next []open
	close := func(o open, to time.Duration) {
		x0, x1 := xEnd(o.from), xEnd(to)
		if x1 <= x0 {
			x1 = x0 + 0.5
		}
		layers[o.layer] = append(layers[o.layer], o.fill)
		xs[o.layer] = append(xs[o.layer], [2]vg.Length{x0, x1})
	}
	for i := range ss {
		s := &ss[i]
		var want []fill
		switch {
		case s.Down:
			want = append(want, fill{lo, hi, colorDown, 0})
		default:
			want = append(want, fill{lo, hi, colorUnassigned, 0})
			for _, r := range s.Slots {
				y0, y1 := atLeast(slotY(lo, hi, r.Start), slotY(lo, hi, r.End+1), 1)
				want = append(want, fill{y0, y1, v.ownerColor(r.Owner, s.Paused), 1})
			}
			if s.State == "fail" {
				want = append(want, fill{lo - 4, lo - 1, colorStateFail, 1})
			}
		}
		next = next[:0]
		for _, f := range want {
			from := s.At
			for j, o := range cur {
				if o.fill == f {
					from = o.from
					cur[j].layer = -1 // kept
					break
				}
			}
			next = append(next, open{f, from})
		}
		for _, o := range cur {
			if o.layer >= 0 {
				close(o, s.At)
			}
		}
		cur, next = next, cur
	}
	for _, o := range cur {
		close(o, v.st.end)
	}
	for l := range layers {
		for i, f := range layers[l] {
			fillRect(c, f.col, xs[l][i][0], f.y0, xs[l][i][1], f.y1)
		}
	}
}

// atLeast widens y0..y1 about its middle to at least h, so that a few
// slots' marks stay visible.
func atLeast(y0, y1, h vg.Length) (vg.Length, vg.Length) {
	if y1-y0 >= h {
		return y0, y1
	}
	mid := (y0 + y1) / 2
	return mid - h/2, mid + h/2
}

func (v slotsView) ownerColor(owner string, paused bool) color.Color {
	col := v.fr.nodeColor(owner)
	if paused {
		r, g, b, _ := col.RGBA()
		return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x50}
	}
	return col
}

// outlineBox is the legend thumbnail of an ownership overlap.
type outlineBox struct{ c color.Color }

func (b outlineBox) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	m := (r.Max.Y - r.Min.Y) * 0.15
	c.StrokeLines(draw.LineStyle{Color: b.c, Width: 1.3}, []vg.Point{
		{X: r.Min.X + 0.7, Y: r.Min.Y + m}, {X: r.Max.X - 0.7, Y: r.Min.Y + m},
		{X: r.Max.X - 0.7, Y: r.Max.Y - m}, {X: r.Min.X + 0.7, Y: r.Max.Y - m}, {X: r.Min.X + 0.7, Y: r.Min.Y + m},
	})
}

func clusterSlotsFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "cluster-slots",
		Title: "Slot ownership",
		Caption: "One row per cluster node: its slot table over time, slot 0 at the bottom of the row and 16383 at the top, " +
			"each slot in the colour of the node that serves it in that table (the same colours as the roles above); the owner's name is " +
			"written where it takes the slots. Light grey slots are unassigned, black is the node down, faded is the node paused. " +
			"Hatched slots are where the node's table differs from most running nodes' tables (all of them when there is no majority). " +
			"A red outline marks two masters that each claim the slots in their own tables at once, the windows the cluster-ownership " +
			"check measures; an orange strip under a row is the node saying cluster_state:fail.",
	}
	if len(r.Cluster) == 0 {
		return fig, nil
	}
	st := clusterStoryOf(fr, r)
	v := slotsView{st: st, fr: fr, overlaps: st.overlaps()}
	p := fr.newPlot("Which node serves each slot, in each node's table", "")
	rowAxis(p, st.nodes, -0.55, 0.45)
	p.Add(v)

	owners := map[string]bool{}
	var down, paused, unassigned, fail bool
	for _, ss := range st.samples {
		for _, s := range ss {
			down = down || s.Down
			if s.Down {
				continue
			}
			paused = paused || s.Paused
			fail = fail || s.State == "fail"
			covered := 0
			for _, o := range s.Slots {
				owners[o.Owner] = true
				covered += o.End - o.Start + 1
			}
			unassigned = unassigned || covered < ClusterSlots
		}
	}
	differ := false
	for i := range st.spans {
		for k := range st.nodes {
			differ = differ || len(st.dissentAt(i, k)) > 0
		}
	}
	svg, err := fr.renderRows(p, len(st.nodes), clusterRowH, "served by ", owners, []legendEntry{
		{unassigned, "unassigned", colorBox{colorUnassigned}},
		{down, "down", colorBox{colorDown}},
		{paused, "paused (faded)", colorBox{withAlpha(nodePalette[0], 0x50)}},
		{differ, "differs from most", hatchBox{}},
		{len(v.overlaps) > 0, "claimed twice", outlineBox{colorOverlap}},
		{fail, "state fail", colorBox{colorStateFail}},
	})
	fig.SVG = svg
	return fig, err
}

// slotCounts is how many slots each owner serves in most running nodes'
// tables, span by span: the owners in natural order, a step line's
// points for each, and the points of the slots with no majority (nil if
// there are never any).
func (st *clusterStory) slotCounts() (owners []string, series [][]stepPoint, split []stepPoint) {
	idx := map[string]int{}
	var rows [][]int // per span, per owner
	var splits []int
	for i := range st.spans {
		counts := make([]int, len(owners))
		nosplit := 0
		for _, m := range st.majorityAt(i) {
			n := m.End - m.Start + 1
			switch {
			case m.Split:
				nosplit += n
			case m.Owner != "":
				k, ok := idx[m.Owner]
				if !ok {
					k = len(owners)
					idx[m.Owner] = k
					owners = append(owners, m.Owner)
					counts = append(counts, 0)
				}
				counts[k] += n
			}
		}
		rows = append(rows, counts)
		splits = append(splits, nosplit)
	}
	order := slices.Clone(owners)
	slices.SortFunc(order, func(a, b string) int {
		switch {
		case naturalLess(a, b):
			return -1
		case naturalLess(b, a):
			return 1
		}
		return 0
	})
	for _, o := range order {
		k := idx[o]
		var pts []stepPoint
		for i, counts := range rows {
			v := 0
			if k < len(counts) {
				v = counts[k]
			}
			pts = append(pts, stepPoint{X: seconds(st.spans[i].from), Y: float64(v)})
		}
		series = append(series, pts)
	}
	if slices.ContainsFunc(splits, func(n int) bool { return n > 0 }) {
		for i, n := range splits {
			split = append(split, stepPoint{X: seconds(st.spans[i].from), Y: float64(n)})
		}
	}
	return order, series, split
}

func clusterSlotCountsFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{
		ID:    "cluster-slot-counts",
		Title: "Slots per node",
		Caption: "How many of the 16384 slots each node serves in most running nodes' tables, in the node's colour: a failover moves a " +
			"master's count to its replica, a reshard moves a few slots from one master to another. A grey dashed line counts the slots on " +
			"which the running nodes' tables have no majority.",
	}
	if len(r.Cluster) == 0 {
		return fig, nil
	}
	st := clusterStoryOf(fr, r)
	owners, series, split := st.slotCounts()
	if len(owners) == 0 && split == nil {
		fig.Note = "No slots-per-node plot: no slot was ever assigned."
		return fig, nil
	}
	p := fr.newPlot("Slots each node serves, as most nodes' tables say", "slots")
	top := 0.0
	for _, pts := range append(series, split) {
		for _, pt := range pts {
			top = max(top, pt.Y)
		}
	}
	p.Y.Min, p.Y.Max = 0, min(ClusterSlots, top*1.15+1)
	p.Y.Tick.Marker = plainTicks()
	var lines stepLines
	l := newLegend()
	n := len(owners)
	for i, o := range owners {
		sty := draw.LineStyle{Color: fr.nodeColor(o), Width: 1.6}
		lines = append(lines, stepLine{pts: series[i], end: fr.end, sty: sty, dy: (vg.Length(i) - vg.Length(n-1)/2) * 1.6})
		l.Add(o, lineBox{sty})
	}
	if split != nil {
		sty := draw.LineStyle{Color: colorBandLine, Width: 1.2, Dashes: []vg.Length{3, 2}}
		lines = append(lines, stepLine{pts: split, end: fr.end, sty: sty})
		l.Add("no majority", lineBox{sty})
	}
	p.Add(lines)
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	svg, err := render(p, &l, 220)
	fig.SVG = svg
	return fig, err
}
