package reports

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// legendSwatches returns the colour of each legend thumbnail in svg as it
// shows on white, its fill's opacity applied.
func legendSwatches(t *testing.T, svg string) [][3]float64 {
	t.Helper()
	// The legend strip starts 6pt right of the plot area (newLegend's XOffs).
	x := strconv.Itoa(int(plotWidth-legendWidth) + 6)
	// A black fill is left out, its opacity kept.
	re := regexp.MustCompile(`<path d="M` + x + `,[^"]*Z" style="(?:fill:#([0-9A-F]{6});?)?(?:fill-opacity:([0-9.]+))?"`)
	var out [][3]float64
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		a := 1.0
		if m[2] != "" {
			a, _ = strconv.ParseFloat(m[2], 64)
		}
		if m[1] == "" {
			m[1] = "000000"
		}
		var c [3]float64
		for i := range c {
			v, _ := strconv.ParseUint(m[1][2*i:2*i+2], 16, 8)
			c[i] = a*float64(v) + (1-a)*255
		}
		out = append(out, c)
	}
	return out
}

// The roles timeline of a run sampled every 500ms draws one rectangle per
// stretch of a role, not one per sample (they showed white seams); its
// legend's replica and fault window swatches are told apart (both were the
// same grey); and a run without clients' beliefs (a cluster run) has a
// caption that promises no client rows.
func TestTimelineRolesSampled(t *testing.T) {
	r := &Run{Scenario: "s", Duration: 60 * time.Second,
		Faults: []Fault{{At: 10 * time.Second, End: 20 * time.Second, Op: "partition", Text: "partition n1"}}}
	for at := time.Duration(0); at < r.Duration; at += 500 * time.Millisecond {
		r.Roles = append(r.Roles, RoleSample{at, "n1", "master"}, RoleSample{at, "n2", "slave"})
	}
	fig, err := timelineFigure(newFrame(r), r)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(fig.SVG)
	// One rectangle for n2's minute as a replica, one swatch in the legend.
	if n := strings.Count(svg, `style="fill:#C8C8C8"`); n != 2 {
		t.Errorf("%d replica-grey shapes, want n2's one stretch and the legend's swatch", n)
	}
	sw := legendSwatches(t, svg)
	if len(sw) != 3 {
		t.Fatalf("%d legend swatches, want master n1, replica and fault window", len(sw))
	}
	for i := range sw {
		for j := range i {
			d := 0.0
			for k := range 3 {
				d = max(d, sw[i][k]-sw[j][k], sw[j][k]-sw[i][k])
			}
			if d < 24 {
				t.Errorf("legend swatches %d and %d look alike: %v and %v", j, i, sw[j], sw[i])
			}
		}
	}
	if strings.Contains(fig.Caption, "client") {
		t.Errorf("the caption of a run without client rows mentions clients: %s", fig.Caption)
	}
}
