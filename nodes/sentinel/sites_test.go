package sentinel

import (
	"testing"
	"time"
)

// sentinel/timer-late, forced, makes every tick late (fewer ticks in 10 s,
// still no TILT); with buggify off the ticks keep hz 10-19.
func TestSiteTimerLate(t *testing.T) {
	for _, force := range []bool{false, true} {
		tw := newWorld(t, worldOpts{replicas: 1, sentinels: 1, quorum: 1})
		if force {
			if err := tw.w.ForceSite("sentinel/timer-late"); err != nil {
				t.Fatal(err)
			}
		}
		tw.w.RunFor(time.Second)
		s := tw.sentinel(0)
		before := s.cronloops
		tw.w.RunFor(10 * time.Second)
		n := s.cronloops - before
		if late := n < 60; late != force {
			t.Errorf("forced=%v: %d ticks in 10 s", force, n)
		}
		if tw.saw("+tilt") != 0 {
			t.Errorf("forced=%v: TILT", force)
		}
	}
}
