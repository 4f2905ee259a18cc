package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/history"
)

// Fault labels name the fault's target ("crash n4", not four "crash"
// labels that say nothing of which node), and when the rows above a plot
// are full, the plot says how many labels it left out.
func TestFaultLabelsNameTargetsAndCountDropped(t *testing.T) {
	r := &Run{Scenario: "s", Duration: 60 * time.Second}
	for i := range 100 {
		r.History = append(r.History, latencyOp(time.Duration(i)*500*time.Millisecond, history.Ok))
	}
	const faults = 40
	for i := range faults {
		at := 10*time.Second + time.Duration(i)*200*time.Millisecond
		node := fmt.Sprintf("n%d", i%5+1)
		r.Faults = append(r.Faults, Fault{At: at, End: at, Op: "crash", Target: node, Text: "crash " + node})
	}
	fig, err := latencyFigure(newFrame(r), r)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(fig.SVG)
	drawn := len(regexp.MustCompile(`>crash n[1-5]<`).FindAllString(svg, -1))
	if drawn == 0 || strings.Contains(svg, ">crash<") {
		t.Fatalf("%d labels name a target; a label without one: %v", drawn, strings.Contains(svg, ">crash<"))
	}
	m := regexp.MustCompile(`>\+([0-9]+) more<`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("%d of %d labels drawn, and no \"+N more\"", drawn, faults)
	}
	if n, _ := strconv.Atoi(m[1]); drawn+n != faults {
		t.Errorf("%d labels drawn and \"+%d more\", want %d in all", drawn, n, faults)
	}
}
