package reports

import (
	"image/color"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Role colours of the timeline. A master is drawn in its node's own colour,
// so that a client's belief row and the node it believes in match.
var (
	colorReplica   = color.NRGBA{0xc8, 0xc8, 0xc8, 0xff}
	colorDown      = color.NRGBA{0x30, 0x30, 0x30, 0xff}
	colorOtherRole = color.NRGBA{0xf2, 0xc1, 0x4e, 0xff}
)

// timelineRow is one line of the timeline: a node's roles or a client's
// beliefs, as coloured segments.
type timelineRow struct {
	label string
	segs  []segment
}

type segment struct {
	from, to float64
	color    color.Color
}

// add appends a segment, or extends the last one when it continues it in
// the same colour: samples every 500ms would otherwise be drawn as
// rectangles with hairline seams between them.
func (row *timelineRow) add(s segment) {
	if n := len(row.segs); n > 0 && row.segs[n-1].to == s.from && row.segs[n-1].color == s.color {
		row.segs[n-1].to = s.to
		return
	}
	row.segs = append(row.segs, s)
}

// timeline draws rows of segments; row 0 is at the top.
type timeline struct {
	rows []timelineRow
	// split is the index of the first client row, where a separator is drawn.
	split int
}

func (t timeline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(t.rows)
	for i, row := range t.rows {
		y := float64(n - 1 - i)
		y0, y1 := trY(y-0.36), trY(y+0.36)
		for _, s := range row.segs {
			x0, x1 := trX(s.from), trX(s.to)
			if x1 <= x0 {
				x1 = x0 + 0.5
			}
			c.FillPolygon(s.color, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		}
	}
	if t.split > 0 && t.split < n {
		y := trY(float64(n-t.split) - 0.5)
		c.StrokeLine2(draw.LineStyle{Color: colorBandLabel, Width: 0.6, Dashes: []vg.Length{3, 2}}, c.Min.X, y, c.Max.X, y)
	}
}

func (t timeline) ticks() plot.ConstantTicks {
	n := len(t.rows)
	ts := make(plot.ConstantTicks, n)
	for i, row := range t.rows {
		ts[i] = plot.Tick{Value: float64(n - 1 - i), Label: row.label}
	}
	return ts
}

func timelineFigure(fr *canvasFrame, r *Run) (figure, error) {
	fig := figure{ID: "timeline", Title: "Roles and beliefs"}
	// The caption describes the rows drawn: a cluster run samples no
	// client's master, so it has no client rows.
	const roleText = "its own colour while it is a master, grey as a replica, black while down"
	const beliefText = "the node each client sent its writes to as the master, in that node's colour; blank while it knew of none"
	switch {
	case len(r.Roles) > 0 && len(r.Beliefs) > 0:
		fig.Caption = "Above the dashed line, each node's role: " + roleText + ". Below, " + beliefText + ". Two colours in the node rows at once is a split brain."
	case len(r.Roles) > 0:
		fig.Caption = "Each node's role: " + roleText + ". Two colours at once is a split brain."
	default:
		fig.Caption = "For each client, " + beliefText + "."
	}
	if len(r.Roles) == 0 && len(r.Beliefs) == 0 {
		fig.Note = "No roles or beliefs plot: the run sampled neither node roles nor clients' masters."
		return fig, nil
	}
	var t timeline
	byNode := map[string][]RoleSample{}
	for _, s := range r.Roles {
		byNode[s.Node] = append(byNode[s.Node], s)
	}
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return naturalLess(nodes[i], nodes[j]) })
	roles := map[string]bool{}
	masters := map[string]bool{}
	for _, n := range nodes {
		ss := byNode[n]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].At < ss[j].At })
		row := timelineRow{label: n}
		for i, s := range ss {
			end := fr.end
			if i+1 < len(ss) {
				end = seconds(ss[i+1].At)
			}
			roles[s.Role] = true
			if s.Role == "master" {
				masters[n] = true
			}
			row.add(segment{seconds(s.At), end, fr.roleColor(n, s.Role)})
		}
		t.rows = append(t.rows, row)
	}
	t.split = len(t.rows)

	byProc := map[int][]BeliefSample{}
	for _, s := range r.Beliefs {
		byProc[s.Process] = append(byProc[s.Process], s)
	}
	procs := make([]int, 0, len(byProc))
	for p := range byProc {
		procs = append(procs, p)
	}
	sort.Ints(procs)
	for _, pid := range procs {
		ss := byProc[pid]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].At < ss[j].At })
		row := timelineRow{label: "client " + strconv.Itoa(pid)}
		for i, s := range ss {
			if s.Master == "" {
				continue
			}
			end := fr.end
			if i+1 < len(ss) {
				end = seconds(ss[i+1].At)
			}
			masters[s.Master] = true
			row.add(segment{seconds(s.At), end, fr.nodeColor(s.Master)})
		}
		t.rows = append(t.rows, row)
	}

	title := "Node roles and each client's master"
	if len(procs) == 0 {
		title = "Node roles"
	}
	p := fr.newPlot(title, "")
	p.Y.Min, p.Y.Max = -0.6, float64(len(t.rows))-0.4
	p.Y.Tick.Marker = t.ticks()
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(t)

	l := newLegend()
	for _, n := range fr.order {
		if masters[n] {
			l.Add("master "+n, colorBox{fr.nodeColor(n)})
		}
	}
	if roles["slave"] || roles["replica"] {
		l.Add("replica", colorBox{colorReplica})
	}
	if roles["down"] {
		l.Add("down", colorBox{colorDown})
	}
	other := make([]string, 0)
	for role := range roles {
		if !knownRole(role) {
			other = append(other, role)
		}
	}
	sort.Strings(other)
	for _, role := range other {
		l.Add(role, colorBox{colorOtherRole})
	}
	if len(fr.faults) > 0 {
		l.Add("fault window", bandBox{})
	}
	h := vg.Length(16*len(t.rows)) + 90
	h = max(h, vg.Length(14*(len(masters)+len(roles)+1)+labelRows*labelRowPt+60))
	svg, err := render(p, &l, h)
	fig.SVG = svg
	return fig, err
}

func knownRole(role string) bool {
	switch role {
	case "master", "slave", "replica", "down":
		return true
	}
	return false
}

func (fr *canvasFrame) roleColor(node, role string) color.Color {
	switch role {
	case "master":
		return fr.nodeColor(node)
	case "slave", "replica":
		return colorReplica
	case "down":
		return colorDown
	}
	return colorOtherRole
}
