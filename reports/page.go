package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/redsim/redsim/history"
)

//go:embed report.html.tmpl
var pageTemplateText string

var pageTemplate = template.Must(template.New("report").Parse(pageTemplateText))

// page is what report.html.tmpl renders.
type page struct {
	Title      string
	Status     string
	Bugs       []string
	Scenario   string
	Seed       uint64
	Hash       string
	StatusLine string
	Replay     string
	Duration   string
	Events     uint64
	Ops        int
	Counts     outcomeCounts
	Verdicts   []verdictView
	Lin        linearizabilityLink
	LinAsked   bool
	LinSize    string
	Figures    []figure
	Windows    []historyWindow
	Faults     []faultView
	Sentinel   *eventsView
	Cluster    *clusterTables
	Params     []Param
	Facts      []string
	Probes     []probeView
	Files      []string
}

type probeView struct {
	Name, First string
	Count       int
}

type outcomeCounts struct{ Ok, Fail, Info int }

type verdictView struct {
	Check    string
	Kind     string
	Outcome  string
	Summary  string
	Window   string
	Evidence []string
}

type faultView struct {
	At, End, Length, Op, Text string
}

func writeHTML(b *bytes.Buffer, r *Run, lin linearizabilityLink) error {
	fr := newFrame(r)
	pg := page{
		Status: statusWord(r.Status), Bugs: r.Bugs, Scenario: r.Scenario, Seed: r.Seed, Hash: r.Hash,
		StatusLine: r.StatusLine, Replay: r.Replay,
		Duration: r.Duration.String(), Events: r.Events, Ops: r.Operations(),
		Lin: lin, LinAsked: r.Linearizability != nil,
		Windows: historyWindows(r),
		Params:  r.Params, Facts: r.Facts,
		Files: []string{ResultFile, HistoryFile, SummaryFile},
	}
	pg.Title = fmt.Sprintf("%s %s seed %d", statusWord(r.Status), r.Scenario, r.Seed) + plantedBugs(r.Bugs)
	for _, p := range r.Probes {
		pg.Probes = append(pg.Probes, probeView{Name: p.Name, First: instant(p.First), Count: p.Count})
	}
	if lin.Href != "" {
		pg.LinSize = byteSize(lin.Bytes)
		pg.Files = append(pg.Files, lin.Href)
	}
	counts := r.outcomeCounts()
	pg.Counts.Ok, pg.Counts.Fail, pg.Counts.Info = counts[history.Ok], counts[history.Fail], counts[history.Info]
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		vv := verdictView{Check: v.Checker, Kind: v.Kind.String(), Outcome: v.Verdict.String(), Summary: v.Summary, Evidence: v.Evidence.Lines()}
		if ev := &v.Evidence; ev.From != 0 || ev.To != 0 {
			vv.Window = instant(ev.From.Duration()) + " to " + instant(ev.To.Duration())
		}
		pg.Verdicts = append(pg.Verdicts, vv)
	}
	for _, f := range r.Faults {
		fv := faultView{At: instant(f.At), Op: f.Op, Text: f.Text}
		if f.End != f.At {
			fv.End = instant(f.End)
			fv.Length = (f.End - f.At).String()
		}
		pg.Faults = append(pg.Faults, fv)
	}
	pg.Sentinel = sentinelEvents(r)
	pg.Cluster = newClusterTables(r)
	for _, draw := range []func(*canvasFrame, *Run) (figure, error){latencyFigure, throughputFigure, timelineFigure, sentinelFigure, clusterSlotsFigure, clusterSlotCountsFigure, clusterEpochsFigure, lagFigure} {
		fig, err := draw(fr, r)
		if err != nil {
			return err
		}
		if fig.SVG == "" && fig.Note == "" {
			continue // a plot of what the run did not have, such as sentinels
		}
		pg.Figures = append(pg.Figures, fig)
	}
	return pageTemplate.Execute(b, &pg)
}

// plantedBugs is what a title adds for the run's planted bugs: " (planted
// bug: wait-ignores-ack-offset)", or "" when it had none.
func plantedBugs(bugs []string) string {
	switch len(bugs) {
	case 0:
		return ""
	case 1:
		return " (planted bug: " + bugs[0] + ")"
	}
	return " (planted bugs: " + strings.Join(bugs, ", ") + ")"
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KiB"
	}
	return strconv.Itoa(n) + " B"
}
