package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n      int
		low, high float64
	}{
		{0, 0, 0, 0},
		{0, 50, 0, 0.0713},
		{50, 50, 0.9287, 1},
		{25, 50, 0.3664, 0.6336},
		{1, 10, 0.0179, 0.4042},
		{0, 1, 0, 0.7935},
		{3, 1000, 0.0010, 0.0088},
	} {
		low, high := Wilson(tc.k, tc.n)
		if math.Abs(low-tc.low) > 5e-5 || math.Abs(high-tc.high) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = (%.5f, %.5f), want (%.4f, %.4f)", tc.k, tc.n, low, high, tc.low, tc.high)
		}
	}
	// The bounds at the edges are exact, so a table prints 0 and 1.
	if low, _ := Wilson(0, 50); low != 0 {
		t.Errorf("Wilson(0, 50) low = %g, want exactly 0", low)
	}
	if _, high := Wilson(50, 50); high != 1 {
		t.Errorf("Wilson(50, 50) high = %g, want exactly 1", high)
	}
}

func sampleStudy() *Study {
	s := &Study{
		Name:    "redlock",
		Seeds:   50,
		Command: "simulate study redlock --seeds 50 --out study",
		Wall:    2*time.Minute + 13*time.Second + 400*time.Millisecond,
		Cases: []StudyCase{
			{Name: "redlock-pause", Title: "A client pauses past its validity", Paragraph: "Without fencing, a pause longer than the validity lets a second client write while the first still believes it holds the lock: <unsafe> & \"measured\"."},
			{Name: "redlock-drift", Title: "Clocks run fast", Paragraph: "Above the drift factor the lock expires early on the fast nodes."},
			{Name: "redlock-quiet", Title: "No faults", Paragraph: "Several clients contend without faults; no seed may violate."},
		},
		Plots: []StudyPlot{
			{ID: "pause", Title: "Violation rate against pause length", XLabel: "pause / TTL"},
			{ID: "drift", Title: "Violation rate against clock drift", XLabel: "clock drift / drift factor"},
		},
	}
	for i, ratio := range []float64{0.5, 1, 1.5, 2, 3} {
		for _, fenced := range []bool{false, true} {
			c := StudyCell{
				Case: "redlock-pause", Setting: fmt.Sprintf("pause=%gs fenced=%t", ratio*10, fenced),
				Series: "unfenced", Plot: "pause", X: ratio, Runs: 50,
			}
			if fenced {
				c.Series = "fenced"
			} else if ratio > 1 {
				c.Violations = 15 + 8*i
				c.Replay = fmt.Sprintf("simulate replay redlock-pause --seed %d --set pause=%gs --expect-hash 9f3a", i+2, ratio*10)
			}
			s.Cells = append(s.Cells, c)
		}
	}
	for i, ratio := range []float64{0.5, 0.9, 1.1, 2} {
		c := StudyCell{Case: "redlock-drift", Setting: fmt.Sprintf("drift=%g×factor", ratio), Series: "wall clock", Plot: "drift", X: ratio, Runs: 50}
		if ratio > 1 {
			c.Violations = 7 * i
			c.Replay = "simulate replay redlock-drift --seed 1"
		}
		s.Cells = append(s.Cells, c)
	}
	s.Cells = append(s.Cells, StudyCell{Case: "redlock-quiet", Setting: "clients=10", Runs: 50})
	return s
}

func TestWriteStudy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "study")
	s := sampleStudy()
	if err := WriteStudy(dir, s); err != nil {
		t.Fatal(err)
	}

	rows, err := csv.NewReader(bytes.NewReader(read(t, dir, StudyCSVFile))).ReadAll()
	if err != nil {
		t.Fatalf("table.csv does not parse: %v", err)
	}
	if len(rows) != len(s.Cells)+1 {
		t.Fatalf("table.csv has %d rows, want a header and %d cells", len(rows), len(s.Cells))
	}
	if got := strings.Join(rows[0][:8], ","); got != "case,setting,runs,violations,rate,wilson_low,wilson_high,replay" {
		t.Errorf("table.csv header = %q", got)
	}
	// Cells keep the caller's order; the fourth cell is pause=15s unfenced.
	if got, want := strings.Join(rows[5][:8], ","), "redlock-pause,pause=15s fenced=false,50,31,0.6200,0.4815,0.7414,simulate replay redlock-pause --seed 4 --set pause=15s --expect-hash 9f3a"; got != want {
		t.Errorf("table.csv row 5 = %q, want %q", got, want)
	}

	md := string(read(t, dir, StudyTableFile))
	for _, want := range []string{
		"`simulate study redlock --seeds 50 --out study`",
		"| redlock-pause | pause=15s fenced=false | 50 | 31 | 0.620 | 0.482–0.741 | `simulate replay redlock-pause --seed 4 --set pause=15s --expect-hash 9f3a` |",
		"| redlock-quiet | clients=10 | 50 | 0 | 0.000 | 0.000–0.071 |  |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table.md lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "\n| redlock-"); n != len(s.Cells) {
		t.Errorf("table.md has %d cell rows, want %d", n, len(s.Cells))
	}

	for _, pl := range s.Plots {
		svg := string(read(t, dir, StudyPlotFile(pl.ID)))
		if !strings.Contains(svg, "<svg") || !strings.Contains(svg, `xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(svg, pl.XLabel) {
			t.Errorf("%s is not a standalone SVG labelled %q", StudyPlotFile(pl.ID), pl.XLabel)
		}
	}
	if svg := string(read(t, dir, StudyPlotFile("pause"))); !strings.Contains(svg, ">unfenced<") || !strings.Contains(svg, ">fenced<") {
		t.Errorf("the pause plot lacks a legend entry per series")
	}

	page := string(read(t, dir, StudyPageFile))
	for _, c := range s.Cases {
		if !strings.Contains(page, html.EscapeString(c.Paragraph)) {
			t.Errorf("study.html lacks the escaped paragraph of %s", c.Name)
		}
	}
	if strings.Contains(page, "<unsafe>") {
		t.Errorf("study.html holds a paragraph unescaped")
	}
	if n := strings.Count(page, "<svg"); n != len(s.Plots) {
		t.Errorf("study.html inlines %d SVGs, want %d", n, len(s.Plots))
	}
	// Each plot sits in the section of its case, after that case's table.
	pause, drift, quiet := strings.Index(page, `id="case-redlock-pause"`), strings.Index(page, `id="case-redlock-drift"`), strings.Index(page, `id="case-redlock-quiet"`)
	pausePlot, driftPlot := strings.Index(page, `id="plot-pause"`), strings.Index(page, `id="plot-drift"`)
	if !(pause < pausePlot && pausePlot < drift && drift < driftPlot && driftPlot < quiet) {
		t.Errorf("sections and plots out of order: pause %d, its plot %d, drift %d, its plot %d, quiet %d", pause, pausePlot, drift, driftPlot, quiet)
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, "")
	for _, want := range []string{s.Command, "2m13s", "simulate replay redlock-drift --seed 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("study.html lacks %q", want)
		}
	}
	checkWellFormed(t, page)
}

func TestWriteStudyIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := WriteStudy(dir, sampleStudy()); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{StudyTableFile, StudyCSVFile, StudyPageFile, StudyPlotFile("pause"), StudyPlotFile("drift")}
	entries, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(files) {
		t.Errorf("WriteStudy wrote %d files, want %d", len(entries), len(files))
	}
	for _, f := range files {
		if !bytes.Equal(read(t, a, f), read(t, b, f)) {
			t.Errorf("%s differs between two writes of the same study", f)
		}
	}
}

func TestWriteStudyRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Study)
		want string
	}{
		{"unknown plot", func(s *Study) { s.Cells[0].Plot = "ttl" }, `names plot "ttl", which the study does not have; one of pause, drift`},
		{"plot ID with a slash", func(s *Study) { s.Plots[0].ID = "../pause" }, `plot 1 has ID "../pause"`},
		{"duplicate plot", func(s *Study) { s.Plots[1].ID = "pause" }, `two plots have ID "pause"`},
		{"more violations than runs", func(s *Study) { s.Cells[2].Violations = 51 }, "has 51 violations in 50 runs"},
	} {
		s := sampleStudy()
		tc.edit(s)
		err := WriteStudy(t.TempDir(), s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: WriteStudy error = %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

func TestWriteStudyWithoutPlotsOrCases(t *testing.T) {
	dir := t.TempDir()
	s := &Study{Name: "tiny", Seeds: 2, Cells: []StudyCell{{Case: "quiet", Setting: "default", Runs: 0}, {Case: "quiet", Setting: "x", Runs: 2, Violations: 1}}}
	if err := WriteStudy(dir, s); err != nil {
		t.Fatal(err)
	}
	page := string(read(t, dir, StudyPageFile))
	if !strings.Contains(page, `id="case-quiet"`) || strings.Contains(page, "<svg") {
		t.Errorf("a study without cases or plots should show its cells under their case name and draw nothing")
	}
	if md := string(read(t, dir, StudyTableFile)); !strings.Contains(md, "| quiet | default | 0 | 0 | – | – |  |") {
		t.Errorf("a cell that never ran should print no rate:\n%s", md)
	}
}
