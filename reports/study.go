package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Names of the files WriteStudy creates, besides one plot-<ID>.svg per plot.
const (
	StudyTableFile = "table.md"
	StudyCSVFile   = "table.csv"
	StudyPageFile  = "study.html"
)

// StudyPlotFile is the name of the SVG file WriteStudy draws plot id into.
func StudyPlotFile(id string) string { return "plot-" + id + ".svg" }

// Study is the outcome of a grid of scenarios, settings and seeds: how often
// each cell of the grid violated a check.
type Study struct {
	// Name names the study, as in "simulate study redlock".
	Name string
	// Seeds is the number of seeds run per cell.
	Seeds int
	// Command is the command that reproduces the whole study.
	Command string
	// Cases describe the scenarios, in the order the page shows them.
	Cases []StudyCase
	// Cells are the grid's cells, in the order the tables list them.
	Cells []StudyCell
	// Plots are drawn one per file, each under the cases its cells belong to.
	Plots []StudyPlot
	// Wall is the wall time the study took; only the page shows it.
	Wall time.Duration
}

// StudyCase is one scenario of a study and what its numbers show.
type StudyCase struct {
	// Name is the scenario's name, which StudyCell.Case refers to.
	Name string
	// Title heads the case's section of the page.
	Title string
	// Paragraph says what the numbers show; the page prints it as text.
	Paragraph string
}

// StudyPlot is one plot of violation rate against a parameter.
type StudyPlot struct {
	// ID names the plot in StudyCell.Plot and in its file name, so it holds
	// only letters, digits, '-', '_' and '.'.
	ID string
	// Title is drawn above the plot.
	Title string
	// XLabel labels the x axis, units included ("pause / TTL").
	XLabel string
}

// StudyCell is one setting of one scenario, run over Runs seeds.
type StudyCell struct {
	// Case is the scenario's name, e.g. "redlock-pause".
	Case string
	// Setting is a human label of the cell's settings, e.g. "pause=2s fenced=true".
	Setting string
	// Series is the line the cell belongs to in its plot, e.g. "fenced".
	Series string
	// Plot is the StudyPlot.ID the cell is drawn in; "" if none.
	Plot string
	// X is the cell's x value in that plot.
	X float64
	// Runs is the number of seeds that ran.
	Runs int
	// Violations is the number of those runs with a violation.
	Violations int
	// Replay is the command that replays the first violating seed; "" if none.
	Replay string
}

// rate is the share of runs with a violation, and false when nothing ran.
func (c *StudyCell) rate() (float64, bool) {
	if c.Runs == 0 {
		return 0, false
	}
	return float64(c.Violations) / float64(c.Runs), true
}

// wilsonZ is the standard normal quantile for a two-sided 95% interval.
const wilsonZ = 1.959963984540054

// Wilson returns the Wilson score 95% interval for k successes in n trials
// (0,0 when n==0). Unlike the normal approximation it stays inside [0,1] and
// is not empty at k=0 or k=n, which is where a safety study's cells sit.
func Wilson(k, n int) (low, high float64) {
	if n <= 0 {
		return 0, 0
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := wilsonZ * wilsonZ
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := wilsonZ * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	low, high = max(centre-half, 0), min(centre+half, 1)
	// At the edges the bound is exact; do not leave 1e-17 of rounding.
	if k <= 0 {
		low = 0
	}
	if k >= n {
		high = 1
	}
	return low, high
}

// WriteStudy creates dir and writes the study into it: table.md and
// table.csv (one row per cell, in the given order), plot-<ID>.svg for each
// plot, and study.html, one self-contained page tying them together.
func WriteStudy(dir string, s *Study) error {
	if err := s.validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	if err := writeFiles(dir,
		textFile(StudyTableFile, func(b *bytes.Buffer) { writeStudyTable(b, s) }),
		fileWriter{StudyCSVFile, func(b *bytes.Buffer) error { return writeStudyCSV(b, s) }}); err != nil {
		return err
	}
	svgs := make(map[string]template.HTML, len(s.Plots))
	for i := range s.Plots {
		pl := &s.Plots[i]
		svg, err := studyPlotSVG(s, pl)
		if err != nil {
			return err
		}
		svgs[pl.ID] = svg
		file := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + string(svg)
		if err := writeFile(dir, StudyPlotFile(pl.ID), []byte(file)); err != nil {
			return err
		}
	}
	return writeFiles(dir, fileWriter{StudyPageFile, func(b *bytes.Buffer) error { return writeStudyHTML(b, s, svgs) }})
}

// validate reports what in s would give a wrong or unwritable study.
func (s *Study) validate() error {
	ids := make(map[string]bool, len(s.Plots))
	var known []string
	for i, pl := range s.Plots {
		if !validPlotID(pl.ID) {
			return fmt.Errorf("reports: study %s: plot %d has ID %q; an ID names a file, so use only letters, digits, '-', '_' and '.'", s.Name, i+1, pl.ID)
		}
		if ids[pl.ID] {
			return fmt.Errorf("reports: study %s: two plots have ID %q; IDs must differ", s.Name, pl.ID)
		}
		ids[pl.ID] = true
		known = append(known, pl.ID)
	}
	for i := range s.Cells {
		c := &s.Cells[i]
		where := fmt.Sprintf("reports: study %s: cell %d (%s %s)", s.Name, i+1, c.Case, c.Setting)
		if c.Plot != "" && !ids[c.Plot] {
			list := "Study.Plots is empty"
			if len(known) > 0 {
				list = "one of " + strings.Join(known, ", ")
			}
			return fmt.Errorf("%s names plot %q, which the study does not have; %s", where, c.Plot, list)
		}
		if c.Runs < 0 || c.Violations < 0 || c.Violations > c.Runs {
			return fmt.Errorf("%s has %d violations in %d runs; want 0 <= violations <= runs", where, c.Violations, c.Runs)
		}
		if math.IsNaN(c.X) || math.IsInf(c.X, 0) {
			return fmt.Errorf("%s has x %v; want a finite number", where, c.X)
		}
	}
	return nil
}

func validPlotID(id string) bool {
	if id == "" || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// fraction prints a rate or bound in [0,1] with the given decimals.
func fraction(v float64, decimals int) string {
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// writeStudyTable writes table.md: the command, then one table of all cells,
// ready to paste into a README.
func writeStudyTable(b *bytes.Buffer, s *Study) {
	fmt.Fprintf(b, "# Study %s\n\n", mdText(s.Name))
	fmt.Fprintf(b, "%d %s per cell; the rate is the share of runs with a violation, with its Wilson 95%% interval.", s.Seeds, plural(s.Seeds, "seed", "seeds"))
	if s.Command != "" {
		fmt.Fprintf(b, " Reproduce with `%s`.", mdCode(s.Command))
	}
	b.WriteString("\n\n| case | setting | runs | violations | rate | 95% interval | first violating seed |\n|---|---|---:|---:|---:|---|---|\n")
	for i := range s.Cells {
		c := &s.Cells[i]
		rate, interval := "–", "–"
		if r, ok := c.rate(); ok {
			lo, hi := Wilson(c.Violations, c.Runs)
			rate, interval = fraction(r, 3), fraction(lo, 3)+"–"+fraction(hi, 3)
		}
		replay := ""
		if c.Replay != "" {
			replay = "`" + strings.ReplaceAll(mdCode(c.Replay), "|", `\|`) + "`"
		}
		fmt.Fprintf(b, "| %s | %s | %d | %d | %s | %s | %s |\n",
			mdCell(c.Case), mdCell(c.Setting), c.Runs, c.Violations, rate, interval, replay)
	}
}

// studyCSVHeader names the columns of table.csv. The plot, series and x of a
// cell come last so that the file can be re-plotted without the page.
var studyCSVHeader = []string{"case", "setting", "runs", "violations", "rate", "wilson_low", "wilson_high", "replay", "plot", "series", "x"}

func writeStudyCSV(b *bytes.Buffer, s *Study) error {
	rows := make([][]string, 0, len(s.Cells))
	for i := range s.Cells {
		c := &s.Cells[i]
		var rate, lo, hi string
		if r, ok := c.rate(); ok {
			l, h := Wilson(c.Violations, c.Runs)
			rate, lo, hi = fraction(r, 4), fraction(l, 4), fraction(h, 4)
		}
		x := ""
		if c.Plot != "" {
			x = strconv.FormatFloat(c.X, 'g', -1, 64)
		}
		rows = append(rows, []string{c.Case, c.Setting, strconv.Itoa(c.Runs), strconv.Itoa(c.Violations), rate, lo, hi, c.Replay, c.Plot, c.Series, x})
	}
	return writeCSV(b, studyCSVHeader, rows)
}

//go:embed study.html.tmpl
var studyTemplateText string

var studyTemplate = template.Must(template.New("study").Parse(studyTemplateText))

// studyPage is what study.html.tmpl renders.
type studyPage struct {
	Name       string
	Command    string
	Seeds      int
	Cells      int
	Runs       int
	Violating  int
	Wall       string
	Sections   []studySection
	OtherPlots []figure
	Files      []string
}

// studySection is one case of the page with its rows and plots.
type studySection struct {
	ID, Name, Title, Paragraph string
	Rows                       []studyRow
	Figures                    []figure
}

// studyRow is one cell as the page shows it. The *Pct fields place the rate
// and its interval on a 0..100 bar.
type studyRow struct {
	Setting, Rate, Interval   string
	Replay                    []string // the command's words
	Runs, Violations          int
	Ran                       bool
	RatePct, LowPct, WidthPct string
}

func writeStudyHTML(b *bytes.Buffer, s *Study, svgs map[string]template.HTML) error {
	pg := studyPage{
		Name: s.Name, Command: s.Command, Seeds: s.Seeds, Cells: len(s.Cells),
		Wall:  readableDuration(s.Wall),
		Files: []string{StudyTableFile, StudyCSVFile},
	}
	for _, pl := range s.Plots {
		pg.Files = append(pg.Files, StudyPlotFile(pl.ID))
	}
	// Sections follow s.Cases, then any case a cell names that s.Cases
	// lacks, in the order of its first cell.
	index := map[string]int{}
	for _, c := range s.Cases {
		if _, dup := index[c.Name]; dup {
			continue
		}
		index[c.Name] = len(pg.Sections)
		pg.Sections = append(pg.Sections, studySection{Name: c.Name, Title: c.Title, Paragraph: c.Paragraph})
	}
	plotsOf := make([]map[string]bool, len(pg.Sections))
	for i := range s.Cells {
		c := &s.Cells[i]
		k, ok := index[c.Case]
		if !ok {
			k = len(pg.Sections)
			index[c.Case] = k
			pg.Sections = append(pg.Sections, studySection{Name: c.Case})
			plotsOf = append(plotsOf, nil)
		}
		if c.Plot != "" {
			if plotsOf[k] == nil {
				plotsOf[k] = map[string]bool{}
			}
			plotsOf[k][c.Plot] = true
		}
		pg.Runs += c.Runs
		if c.Violations > 0 {
			pg.Violating++
		}
		pg.Sections[k].Rows = append(pg.Sections[k].Rows, studyRowOf(c))
	}
	shown := map[string]bool{}
	for k := range pg.Sections {
		sec := &pg.Sections[k]
		sec.ID = "case-" + sec.Name
		if sec.Title == "" {
			sec.Title = sec.Name
		}
		for _, pl := range s.Plots {
			if plotsOf[k][pl.ID] {
				sec.Figures = append(sec.Figures, studyFigure(s, &pl, svgs[pl.ID]))
				shown[pl.ID] = true
			}
		}
	}
	for _, pl := range s.Plots {
		if !shown[pl.ID] {
			pg.OtherPlots = append(pg.OtherPlots, studyFigure(s, &pl, svgs[pl.ID]))
		}
	}
	if err := studyTemplate.Execute(b, &pg); err != nil {
		return fmt.Errorf("reports: study page: %v", err)
	}
	return nil
}

func studyRowOf(c *StudyCell) studyRow {
	row := studyRow{Setting: c.Setting, Runs: c.Runs, Violations: c.Violations, Replay: strings.Fields(c.Replay), Rate: "–", Interval: "–"}
	if r, ok := c.rate(); ok {
		lo, hi := Wilson(c.Violations, c.Runs)
		row.Ran = true
		row.Rate = fraction(r, 3)
		row.Interval = fraction(lo, 3) + "–" + fraction(hi, 3)
		row.RatePct = fraction(r*100, 1)
		row.LowPct = fraction(lo*100, 1)
		row.WidthPct = fraction((hi-lo)*100, 1)
	}
	return row
}

func studyFigure(s *Study, pl *StudyPlot, svg template.HTML) figure {
	series := plotSeries(s, pl.ID)
	fig := figure{ID: "plot-" + pl.ID, Title: pl.Title, SVG: svg}
	if len(series) == 0 {
		fig.Caption = "No cell of the study belongs to this plot."
		return fig
	}
	fig.Caption = "Share of runs with a violation at each " + pl.XLabel + ", with its Wilson 95% interval as an error bar."
	if len(series) > 1 {
		fig.Caption += " Points of different lines at the same x are drawn slightly apart so that their bars stay visible."
	}
	if s.Seeds > 0 {
		fig.Caption += fmt.Sprintf(" %d %s per point.", s.Seeds, plural(s.Seeds, "seed", "seeds"))
	}
	return fig
}

// readableDuration rounds d to what a reader wants to know of a wall time.
func readableDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// studyPalette colours the lines of a study plot in the order they first
// appear; unlike the run report there are no outcomes to keep colours for.
var studyPalette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x39, 0x3b, 0x79, 0xff}, // navy
}

// studyGlyphs tell the lines apart without colour.
var studyGlyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}

// rateSeries is one line of a study plot.
type rateSeries struct {
	name string
	pts  []ratePoint // by x
}

type ratePoint struct{ x, rate, low, high float64 }

// plotSeries groups the cells of plot id that ran by series, in the order
// each series first appears; each line's points are ordered by x, since a
// line drawn in any other order zigzags.
func plotSeries(s *Study, id string) []rateSeries {
	var out []rateSeries
	index := map[string]int{}
	for i := range s.Cells {
		c := &s.Cells[i]
		r, ok := c.rate()
		if c.Plot != id || !ok {
			continue
		}
		k, seen := index[c.Series]
		if !seen {
			k = len(out)
			index[c.Series] = k
			out = append(out, rateSeries{name: c.Series})
		}
		lo, hi := Wilson(c.Violations, c.Runs)
		out[k].pts = append(out[k].pts, ratePoint{x: c.X, rate: r, low: lo, high: hi})
	}
	for k := range out {
		sort.SliceStable(out[k].pts, func(i, j int) bool { return out[k].pts[i].x < out[k].pts[j].x })
	}
	return out
}

// studyPlotSVG draws plot pl: violation rate against x, a line with points
// and Wilson error bars per series.
func studyPlotSVG(s *Study, pl *StudyPlot) (template.HTML, error) {
	series := plotSeries(s, pl.ID)
	p := plot.New()
	p.Title.Text = pl.Title
	p.Title.TextStyle.Font = font.From(sansFont, 11)
	p.Title.Padding = 8
	p.X.Label.Text = pl.XLabel
	p.Y.Label.Text = "violation rate"
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 9)
		a.Tick.Label.Font = font.From(sansFont, 8)
	}
	p.X.Label.Padding = 2
	// A little room beyond 0 and 1 keeps the points that sit there, the
	// usual ones in a safety study, off the axis lines.
	p.Y.Min, p.Y.Max = -0.04, 1.04
	p.Y.Tick.Marker = plot.TickerFunc(rateTicks)
	var xs []float64
	for _, sr := range series {
		for _, q := range sr.pts {
			xs = append(xs, q.x)
		}
	}
	p.X.Min, p.X.Max, p.X.Tick.Marker = xAxis(xs)
	p.Add(grid{})
	l := newLegend()
	l.YOffs = -24
	const dodgeStep = 6 // points between lines at the same x
	for i, sr := range series {
		rl := &rateLine{
			pts:   sr.pts,
			dodge: vg.Length(float64(i)-float64(len(series)-1)/2) * dodgeStep,
			color: studyPalette[i%len(studyPalette)],
			glyph: studyGlyphs[i%len(studyGlyphs)],
		}
		p.Add(rl)
		if sr.name != "" {
			l.Add(sr.name, rl)
		}
	}
	return render(p, &l, 280)
}

// xAxis returns the range of the x axis over xs, with some room at both
// ends, and ticks: at the values themselves when there are few and they are
// far enough apart to label, else round ones.
func xAxis(xs []float64) (lo, hi float64, ticks plot.Ticker) {
	if len(xs) == 0 {
		return 0, 1, plainTicks()
	}
	lo, hi = slices.Min(xs), slices.Max(xs)
	span := hi - lo
	if span == 0 {
		span = max(math.Abs(lo), 1)
	}
	ticks = plainTicks()
	distinct := slices.Clone(xs)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(distinct) <= 12 {
		apart := true
		for i := 1; i < len(distinct); i++ {
			if distinct[i]-distinct[i-1] < span/14 {
				apart = false
			}
		}
		if apart {
			ticks = plot.TickerFunc(func(float64, float64) []plot.Tick {
				ts := make([]plot.Tick, len(distinct))
				for i, v := range distinct {
					ts[i] = plot.Tick{Value: v, Label: strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)}
				}
				return ts
			})
		}
	}
	return lo - span*0.06, hi + span*0.06, ticks
}

// rateTicks labels 0 to 1 in fifths, with unlabelled tenths.
func rateTicks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		if v < lo || v > hi {
			continue
		}
		t := plot.Tick{Value: v}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// rateLine draws one series: a line through the rates, an error bar from
// each interval's low to its high, and a glyph at each rate. It is shifted
// dodge points to the right so that lines sharing an x keep their bars
// apart.
type rateLine struct {
	pts   []ratePoint
	dodge vg.Length
	color color.NRGBA
	glyph draw.GlyphDrawer
}

func (r *rateLine) lineStyle() draw.LineStyle {
	return draw.LineStyle{Color: r.color, Width: 1.2}
}

func (r *rateLine) glyphStyle() draw.GlyphStyle {
	return draw.GlyphStyle{Shape: r.glyph, Radius: 2.6, Color: r.color}
}

func (r *rateLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(r.pts))
	for i, q := range r.pts {
		pts[i] = vg.Point{X: trX(q.x) + r.dodge, Y: trY(q.rate)}
	}
	if len(pts) > 1 {
		c.StrokeLines(r.lineStyle(), c.ClipLinesXY(pts)...)
	}
	bar := draw.LineStyle{Color: withAlpha(r.color, 0xb0), Width: 1}
	const capHalf = 2.5
	for i, q := range r.pts {
		x := pts[i].X
		y0, y1 := trY(q.low), trY(q.high)
		c.StrokeLine2(bar, x, y0, x, y1)
		c.StrokeLine2(bar, x-capHalf, y0, x+capHalf, y0)
		c.StrokeLine2(bar, x-capHalf, y1, x+capHalf, y1)
		c.DrawGlyph(r.glyphStyle(), pts[i])
	}
}

// Thumbnail draws the legend entry: the line with its glyph in the middle.
func (r *rateLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.lineStyle(), c.Min.X, y, c.Max.X, y)
	c.DrawGlyph(r.glyphStyle(), c.Center())
}
