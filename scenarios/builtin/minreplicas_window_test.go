package builtin

import (
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// TestMinReplicasWindowVacuous: with no cut longer than the bound, a
// master that never refused a write passes as well as one that did: the
// window check says unknown, not ok. A cut longer than the bound judges.
func TestMinReplicasWindowVacuous(t *testing.T) {
	var ops []history.Op // a write every 100 ms, never refused
	for at := 6 * time.Second; at < 60*time.Second; at += 100 * time.Millisecond {
		ops = append(ops, history.Op{Kind: history.Add, Key: "s1", Outcome: history.Ok,
			Invoke: clock.Time(at), Complete: clock.Time(at + time.Millisecond)})
	}
	bound := 10*time.Second + 2*time.Second + minReplicasSlack
	short := [][2]time.Duration{{6 * time.Second, 18 * time.Second}, {25 * time.Second, 33 * time.Second}}
	if res, _ := minReplicasWindow(ops, short, bound); res.Verdict != checker.Unknown {
		t.Errorf("cuts shorter than the bound: %v (%s), want unknown", res.Verdict, res.Summary)
	}
	long := [][2]time.Duration{{6 * time.Second, 30 * time.Second}}
	if res, _ := minReplicasWindow(ops, long, bound); res.Verdict != checker.Violation {
		t.Errorf("a cut longer than the bound, writes throughout: %v (%s), want violation", res.Verdict, res.Summary)
	}
}
