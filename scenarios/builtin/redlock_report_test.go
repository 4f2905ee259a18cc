package builtin

import (
	"testing"
	"time"

	"github.com/redsim/redsim/scenarios"
)

// redlock-pause's report shades client 0's stop-the-world pauses as
// faults: they are what makes it fail, and the schedule holds none.
func TestRedlockPauseIsAFaultInTheReport(t *testing.T) {
	s, err := Registry().Lookup("redlock-pause")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scenarios.Execute(s, scenarios.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Report().Faults {
		if f.Op == "client-pause" {
			n++
			if f.End-f.At != 2*time.Second || f.Target != "c0" {
				t.Errorf("pause %+v: want 2s on c0", f)
			}
		}
	}
	if n == 0 {
		t.Errorf("the report has no client pause among its faults")
	}
}
