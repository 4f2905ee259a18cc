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
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Names of the files WriteCalibration creates.
const (
	CalibrationTableFile = "calibration.md"
	CalibrationCSVFile   = "calibration.csv"
	CalibrationPageFile  = "calibration.html"
)

// The units a calibration figure is in; they decide how values print.
const (
	UnitFraction  = "fraction" // a share in [0,1], printed as a percentage
	UnitSeconds   = "s"        // a duration in seconds
	UnitPerSecond = "ops/s"    // a rate
)

// Calibration compares the figures of a scenario's live runs (real
// processes on this machine) with their distribution over simulated seeds.
type Calibration struct {
	// Scenario names the scenario; Command reproduces the calibration.
	Scenario, Command string
	// Seeds is the simulated seeds as given ("1-100"); SimRuns and
	// LiveRuns count the runs that produced a result.
	Seeds             string
	SimRuns, LiveRuns int
	// Figures are compared one by one, in this order.
	Figures []CalibrationFigure
	// Measured are this machine's values of what the simulator draws
	// from defaults, and the parameter that takes each.
	Measured []CalibrationParam
	// Notes are lines on what did not go as planned (a live run that
	// failed), printed under the table.
	Notes []string
	// Wall is the wall time the calibration took; only the page shows it.
	Wall time.Duration
}

// CalibrationFigure is one figure: each run's value, the simulated
// distribution's summary, the live value and the verdict.
type CalibrationFigure struct {
	// Name names the figure; Unit is one of the Unit constants; Doc says
	// how a run's value is measured.
	Name, Unit, Doc string
	// Rate marks a figure that is 0 or 1 per run (whether a check found
	// a violation): its simulated band is that of the share of LiveRuns
	// runs, drawn from the simulated rate (Expected), not a percentile of
	// Sim.
	Rate bool
	// Sim and Live are the runs' values, in run order; runs without the
	// figure (no failover happened) are left out.
	Sim, Live []float64
	// SimMedian, SimLow and SimHigh are the simulated median and 5th and
	// 95th percentiles; for a Rate, the simulated rate and the 5th and
	// 95th percentile of the share of len(Live) runs with it.
	SimMedian, SimLow, SimHigh float64
	// LiveValue is the live median, or for a Rate the live share.
	LiveValue float64
	// Expected is, for a Rate, the probability that k of the len(Live)
	// live runs have it (k = 0..len(Live)) if the simulated rate held.
	Expected []float64
	// Verdict is whether LiveValue lies in [SimLow, SimHigh].
	Verdict CalibrationVerdict
}

// CalibrationVerdict is one figure's conclusion.
type CalibrationVerdict struct {
	// Judged is false when the live or the simulated runs lack the
	// figure; Inside is whether the live value lies in the band.
	Judged, Inside bool
	// Text says it in words, with how far outside and how many live runs
	// fell inside.
	Text string
}

// CalibrationParam is one machine value the simulator takes from a
// default, as measured here.
type CalibrationParam struct {
	// What names the quantity; Measured is its value here and How how
	// it was measured.
	What, Measured, How string
	// Param is the scenario parameter that takes it ("" when the scenario
	// has none); Current its value in the calibrated runs; Suggest the
	// --set that would match this machine ("" when none is needed).
	Param, Current, Suggest string
}

// FormatFigure prints v in unit.
func FormatFigure(unit string, v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	switch unit {
	case UnitFraction:
		return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
	case UnitSeconds:
		d := time.Duration(v * float64(time.Second))
		switch {
		case d == 0:
			return "0s"
		case d.Abs() >= time.Second:
			return d.Round(time.Millisecond).String()
		case d.Abs() >= time.Millisecond:
			return d.Round(10 * time.Microsecond).String()
		}
		return d.Round(time.Microsecond).String()
	case UnitPerSecond:
		if math.Abs(v) < 100 {
			return strconv.FormatFloat(v, 'g', 3, 64) + " ops/s"
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + " ops/s"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Percentile is the nearest-rank percentile p (0..1) of sorted vs; NaN
// when vs is empty.
func Percentile(vs []float64, p float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	i := int(p*float64(len(vs))+0.999999) - 1
	return vs[min(max(i, 0), len(vs)-1)]
}

// WriteCalibration creates dir and writes calibration.md (the table and
// the measured parameters), calibration.csv (one row per figure, with
// every run's value) and calibration.html (the table, a plot per figure
// and the parameters).
func WriteCalibration(dir string, c *Calibration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: %v", err)
	}
	return writeFiles(dir,
		textFile(CalibrationTableFile, func(b *bytes.Buffer) { writeCalibrationMarkdown(b, c) }),
		fileWriter{CalibrationCSVFile, func(b *bytes.Buffer) error { return writeCalibrationCSV(b, c) }},
		fileWriter{CalibrationPageFile, func(b *bytes.Buffer) error { return writeCalibrationHTML(b, c) }})
}

// CalibrationTable is the table of calibration.md alone, for a terminal
// or a README.
func CalibrationTable(c *Calibration) string {
	var b bytes.Buffer
	b.WriteString("| figure | simulated median | simulated 5th-95th | live | verdict |\n|---|---:|---:|---:|---|\n")
	for i := range c.Figures {
		f := &c.Figures[i]
		sim, band := "–", "–"
		if len(f.Sim) > 0 {
			sim = FormatFigure(f.unit(), f.SimMedian)
			band = FormatFigure(f.unit(), f.SimLow) + " – " + FormatFigure(f.unit(), f.SimHigh)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(f.Name), sim, band, mdCell(f.liveText()), mdCell(f.Verdict.Text))
	}
	return b.String()
}

// unit is the unit values print in: a Rate's shares are fractions.
func (f *CalibrationFigure) unit() string {
	if f.Rate {
		return UnitFraction
	}
	return f.Unit
}

// liveText is the live value with the runs behind it: "30.95% (5 runs:
// 30.1%, ...)" or, for a Rate, "2 of 5 runs".
func (f *CalibrationFigure) liveText() string {
	if len(f.Live) == 0 {
		return "–"
	}
	if f.Rate {
		k := 0
		for _, v := range f.Live {
			if v != 0 {
				k++
			}
		}
		return fmt.Sprintf("%d of %d runs", k, len(f.Live))
	}
	vals := make([]string, len(f.Live))
	for i, v := range f.Live {
		vals[i] = FormatFigure(f.Unit, v)
	}
	if len(f.Live) == 1 {
		return vals[0]
	}
	return FormatFigure(f.Unit, f.LiveValue) + " (median of " + strings.Join(vals, ", ") + ")"
}

func writeCalibrationMarkdown(b *bytes.Buffer, c *Calibration) {
	fmt.Fprintf(b, "# Calibration of %s\n\n", mdText(c.Scenario))
	fmt.Fprintf(b, "%d live %s on this machine against %d simulated %s (seeds %s). A figure is inside when the live median lies in the simulated runs' 5th-95th percentile band; for the share of runs with a violation, the band is that of the share among %d runs drawn at the simulated rate.",
		c.LiveRuns, plural(c.LiveRuns, "run", "runs"), c.SimRuns, plural(c.SimRuns, "run", "runs"), mdText(c.Seeds), c.LiveRuns)
	if c.Command != "" {
		fmt.Fprintf(b, " Reproduce with `%s`.", mdCode(c.Command))
	}
	b.WriteString("\n\n")
	b.WriteString(CalibrationTable(c))
	for _, n := range c.Notes {
		fmt.Fprintf(b, "\n- %s", mdText(n))
	}
	if len(c.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("\n## Figures\n\n")
	for i := range c.Figures {
		f := &c.Figures[i]
		fmt.Fprintf(b, "- **%s**: %s\n", mdText(f.Name), mdText(f.Doc))
	}
	if len(c.Measured) > 0 {
		b.WriteString("\n## Calibration parameters measured on this machine\n\n")
		writeMeasuredTable(b, c.Measured)
	}
}

func writeMeasuredTable(b *bytes.Buffer, ps []CalibrationParam) {
	b.WriteString("| quantity | measured here | how | scenario parameter | value in these runs | to match this machine |\n|---|---:|---|---|---:|---|\n")
	for _, p := range ps {
		param, cur, set := "none", "–", "–"
		if p.Param != "" {
			param, cur = "`"+mdCode(p.Param)+"`", mdCell(p.Current)
		}
		if p.Suggest != "" {
			set = "`" + mdCode(p.Suggest) + "`"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", mdCell(p.What), mdCell(p.Measured), mdCell(p.How), param, cur, set)
	}
}

// calibrationCSVHeader names the columns of calibration.csv; values are in
// the figure's unit (fractions as fractions, times in seconds), the runs'
// values separated by spaces.
var calibrationCSVHeader = []string{"figure", "unit", "rate", "sim_runs", "sim_median", "sim_p5", "sim_p95", "live_runs", "live_value", "judged", "inside", "verdict", "live_values", "sim_values"}

func writeCalibrationCSV(b *bytes.Buffer, c *Calibration) error {
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	list := func(vs []float64) string {
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = num(v)
		}
		return strings.Join(s, " ")
	}
	rows := make([][]string, len(c.Figures))
	for i := range c.Figures {
		f := &c.Figures[i]
		rows[i] = []string{f.Name, f.unit(), strconv.FormatBool(f.Rate), strconv.Itoa(len(f.Sim)), num(f.SimMedian), num(f.SimLow), num(f.SimHigh),
			strconv.Itoa(len(f.Live)), num(f.LiveValue), strconv.FormatBool(f.Verdict.Judged), strconv.FormatBool(f.Verdict.Inside), f.Verdict.Text, list(f.Live), list(f.Sim)}
	}
	return writeCSV(b, calibrationCSVHeader, rows)
}

//go:embed calibrate.html.tmpl
var calibrationPageText string

var calibrationTemplate = template.Must(template.New("calibration").Parse(calibrationPageText))

type calibrationPage struct {
	*Calibration
	Wall     string
	Rows     []calibrationRow
	Measured template.HTML
	Files    []string
}

type calibrationRow struct {
	ID, Name, Doc, SimMedian, Band, Live, Verdict string
	Judged, Inside                                bool
	Figure                                        figure
}

func writeCalibrationHTML(b *bytes.Buffer, c *Calibration) error {
	pg := calibrationPage{Calibration: c, Wall: readableDuration(c.Wall), Files: []string{CalibrationTableFile, CalibrationCSVFile}}
	for i := range c.Figures {
		f := &c.Figures[i]
		row := calibrationRow{ID: fmt.Sprintf("figure-%d", i+1), Name: f.Name, Doc: f.Doc, SimMedian: "–", Band: "–", Live: f.liveText(),
			Verdict: f.Verdict.Text, Judged: f.Verdict.Judged, Inside: f.Verdict.Inside}
		if len(f.Sim) > 0 {
			row.SimMedian = FormatFigure(f.unit(), f.SimMedian)
			row.Band = FormatFigure(f.unit(), f.SimLow) + " – " + FormatFigure(f.unit(), f.SimHigh)
		}
		row.Figure = figure{ID: row.ID, Title: f.Name}
		if len(f.Sim) == 0 {
			row.Figure.Note = "No simulated run has this figure."
		} else {
			svg, err := calibrationPlotSVG(f)
			if err != nil {
				return err
			}
			row.Figure.SVG = svg
			row.Figure.Caption = calibrationCaption(f)
		}
		pg.Rows = append(pg.Rows, row)
	}
	if len(c.Measured) > 0 {
		var mb bytes.Buffer
		mb.WriteString("<table>\n<tr><th>quantity</th><th class=\"num\">measured here</th><th>how</th><th>scenario parameter</th><th class=\"num\">value in these runs</th><th>to match this machine</th></tr>\n")
		for _, p := range c.Measured {
			param, cur, set := "none", "–", "–"
			if p.Param != "" {
				param, cur = "<code>"+template.HTMLEscapeString(p.Param)+"</code>", template.HTMLEscapeString(p.Current)
			}
			if p.Suggest != "" {
				set = "<code>" + template.HTMLEscapeString(p.Suggest) + "</code>"
			}
			fmt.Fprintf(&mb, "<tr><td>%s</td><td class=\"num\">%s</td><td>%s</td><td>%s</td><td class=\"num\">%s</td><td>%s</td></tr>\n",
				template.HTMLEscapeString(p.What), template.HTMLEscapeString(p.Measured), template.HTMLEscapeString(p.How), param, cur, set)
		}
		mb.WriteString("</table>")
		pg.Measured = template.HTML(mb.String())
	}
	if err := calibrationTemplate.Execute(b, &pg); err != nil {
		return fmt.Errorf("reports: calibration page: %v", err)
	}
	return nil
}

func calibrationCaption(f *CalibrationFigure) string {
	if f.Rate {
		return fmt.Sprintf("Bars: the probability that k of %d runs have a violation if each has one at the simulated rate %s (%d simulated runs); the shaded bars are the 5th-95th percentile band. Red: the live share.",
			len(f.Live), FormatFigure(UnitFraction, f.SimMedian), len(f.Sim))
	}
	return fmt.Sprintf("Histogram of %d simulated runs; the shaded band is their 5th-95th percentile, the dashed line their median. Red marks: the %d live runs (the tall one is their median).",
		len(f.Sim), len(f.Live))
}

var (
	colorSimBar  = color.NRGBA{0x1f, 0x77, 0xb4, 0xc0}
	colorSimBand = color.NRGBA{0x1f, 0x77, 0xb4, 0x22}
)

// calibrationPlotSVG draws one figure: the simulated histogram (or, for a
// Rate, the distribution of the live share expected from the simulated
// rate), its band, and the live runs.
func calibrationPlotSVG(f *CalibrationFigure) (template.HTML, error) {
	p := plot.New()
	p.Title.Text = f.Name
	p.Title.TextStyle.Font = font.From(sansFont, 11)
	p.Title.Padding = 8
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 9)
		a.Tick.Label.Font = font.From(sansFont, 8)
	}
	p.X.Label.Padding = 2
	unit := f.unit()
	p.X.Label.Text = map[string]string{UnitFraction: "share (%)", UnitSeconds: "seconds", UnitPerSecond: "operations per second"}[unit]
	h := &calibrationHist{fig: f}
	if f.Rate {
		n := len(f.Expected) - 1
		h.width = 1 / float64(max(n, 1))
		for k, pr := range f.Expected {
			h.bars = append(h.bars, calibrationBar{x: float64(k) / float64(max(n, 1)), height: pr})
		}
		p.Y.Label.Text = "probability"
		p.X.Min, p.X.Max = -h.width, 1+h.width
	} else {
		lo, hi := slices.Min(f.Sim), slices.Max(f.Sim)
		if len(f.Live) > 0 {
			lo, hi = min(lo, slices.Min(f.Live)), max(hi, slices.Max(f.Live))
		}
		span := hi - lo
		if span == 0 {
			span = max(math.Abs(lo)*0.02, 1e-9)
		}
		const bins = 30
		h.width = span / bins
		counts := make([]float64, bins+1)
		for _, v := range f.Sim {
			counts[min(int((v-lo)/h.width), bins)]++
		}
		for i, c := range counts {
			h.bars = append(h.bars, calibrationBar{x: lo + (float64(i)+0.5)*h.width, height: c})
		}
		p.Y.Label.Text = "simulated runs"
		p.X.Min, p.X.Max = lo-span*0.05, hi+span*0.08
	}
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = calibrationTick(unit, ts[i].Value)
			}
		}
		return ts
	})
	p.Y.Min = 0
	p.Y.Max = 0
	for _, b := range h.bars {
		p.Y.Max = max(p.Y.Max, b.height)
	}
	p.Y.Max *= 1.15
	if p.Y.Max == 0 {
		p.Y.Max = 1
	}
	p.Add(grid{})
	p.Add(h)
	return render(p, nil, 220)
}

// calibrationTick labels an x tick: a share as a percentage, seconds as
// themselves.
func calibrationTick(unit string, v float64) string {
	if unit == UnitFraction {
		return strconv.FormatFloat(math.Round(v*1e6)/1e4, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*1e9)/1e9, 'g', 6, 64)
}

type calibrationBar struct{ x, height float64 }

// calibrationHist draws the band, the bars, the simulated median and the
// live runs of one figure.
type calibrationHist struct {
	fig   *CalibrationFigure
	bars  []calibrationBar
	width float64
}

func (h *calibrationHist) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	f := h.fig
	half := h.width / 2
	if len(f.Sim) > 0 {
		x0, x1 := trX(f.SimLow), trX(f.SimHigh)
		if f.Rate {
			x0, x1 = trX(f.SimLow-half), trX(f.SimHigh+half)
		}
		c.FillPolygon(colorSimBand, c.ClipPolygonXY([]vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}))
	}
	for _, b := range h.bars {
		if b.height <= 0 {
			continue
		}
		x0, x1 := trX(b.x-half*0.9), trX(b.x+half*0.9)
		y0, y1 := trY(0), trY(b.height)
		c.FillPolygon(colorSimBar, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
	}
	if len(f.Sim) > 0 && !f.Rate {
		x := trX(f.SimMedian)
		c.StrokeLine2(draw.LineStyle{Color: colorBandLine, Width: 1, Dashes: []vg.Length{3, 2}}, x, c.Min.Y, x, c.Max.Y)
	}
	live := draw.LineStyle{Color: colorFail, Width: 1.5}
	if f.Rate {
		if len(f.Live) > 0 {
			x := trX(f.LiveValue)
			c.StrokeLine2(draw.LineStyle{Color: colorFail, Width: 2}, x, c.Min.Y, x, c.Max.Y)
		}
		return
	}
	for _, v := range f.Live {
		x := trX(v)
		c.StrokeLine2(live, x, c.Max.Y-(c.Max.Y-c.Min.Y)*0.25, x, c.Max.Y)
	}
	if len(f.Live) > 0 {
		x := trX(f.LiveValue)
		c.StrokeLine2(draw.LineStyle{Color: colorFail, Width: 2}, x, c.Min.Y, x, c.Max.Y)
	}
}
