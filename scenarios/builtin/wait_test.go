package builtin

import (
	"strings"
	"testing"
	"time"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// wait-failover passes every seed, and has teeth: in most seeds some adds
// only the master acknowledged are lost in the failover, which the check
// allows, while no WAIT-confirmed add ever is.
func TestWaitFailover(t *testing.T) {
	t.Parallel() // worlds of its own
	n := uint64(30)
	if testing.Short() {
		n = 10
	}
	withLoss := 0
	for i, res := range sweepSeeds(t, "wait-failover", n, nil) {
		if res == nil {
			continue
		}
		if !res.Passed() {
			t.Errorf("seed %d: %s\n%+v", i+1, res.StatusLine(), res.Verdicts)
		}
		for _, f := range res.Facts {
			if strings.HasPrefix(f, "adds:") && !strings.HasSuffix(f, "of which 0 lost") {
				withLoss++
			}
		}
	}
	if withLoss < int(n)/2 {
		t.Errorf("master-only adds were lost in %d of %d seeds: the failover does not bite", withLoss, n)
	}
}

func TestWaitConfirmedJudgesOnlyConfirmedAdds(t *testing.T) {
	add := func(v, waited int64) history.Op {
		return history.Op{Process: int(v), Kind: history.Add, Key: "w0", Value: history.Int(v), Result: history.Int(waited), Invoke: clock.Time(v), Complete: clock.Time(v + 1), Outcome: history.Ok}
	}
	final := history.Op{Process: 9, Node: "r1", Kind: history.FinalRead, Key: "w0", Elems: []history.Value{history.Int(1)}, Invoke: 100, Complete: 101, Outcome: history.Ok}
	// Element 2 was only on the master: lost, allowed.
	ops := []history.Op{add(1, 1), add(2, 0), final}
	judged, confirmed, masterOnly := WaitConfirmed(ops, 1)
	if confirmed != 1 || masterOnly != 1 {
		t.Fatalf("confirmed %d, master-only %d", confirmed, masterOnly)
	}
	if res := checker.SetWrites(judged, checker.SetOptions{}); res.Verdict != checker.Ok {
		t.Fatalf("a lost master-only add is a violation: %+v", res)
	}
	// Element 3 was confirmed by WAIT and is missing: lost.
	ops = []history.Op{add(1, 1), add(3, 1), final}
	judged, _, _ = WaitConfirmed(ops, 1)
	res := checker.SetWrites(judged, checker.SetOptions{})
	if res.Verdict != checker.Violation {
		t.Fatalf("a lost WAIT-confirmed add passed: %+v", res)
	}
	if lost, _ := res.Metric("lost"); lost != 1 {
		t.Fatalf("lost = %v, want 1: %+v", lost, res)
	}
}

// min-replicas passes every seed: the master stops taking writes within
// the bound after each cut, and replicas never serve expired keys.
func TestMinReplicas(t *testing.T) {
	t.Parallel() // worlds of its own
	n := uint64(30)
	if testing.Short() {
		n = 10
	}
	for i, res := range sweepSeeds(t, "min-replicas", n, nil) {
		if res != nil && !res.Passed() {
			t.Errorf("seed %d: %s\n%+v", i+1, res.StatusLine(), res.Verdicts)
		}
	}
}

func TestMinReplicasWindow(t *testing.T) {
	cut := [][2]time.Duration{{10 * time.Second, 20 * time.Second}}
	at := func(d time.Duration) history.Op {
		return history.Op{Kind: history.Add, Key: "s0", Invoke: clock.Time(d), Complete: clock.Time(d + time.Millisecond), Outcome: history.Ok}
	}
	bound := 4500 * time.Millisecond
	late := at(19*time.Second + 999*time.Millisecond) // answered after the heal
	res, w := minReplicasWindow([]history.Op{at(9 * time.Second), at(12 * time.Second), late, at(21 * time.Second)}, cut, bound)
	if res.Verdict != checker.Ok || w != 2*time.Second {
		t.Fatalf("writes within the bound: %+v, window %v", res, w)
	}
	res, w = minReplicasWindow([]history.Op{at(12 * time.Second), at(15 * time.Second)}, cut, bound)
	if res.Verdict != checker.Violation || w != 5*time.Second || len(res.Evidence.Ops) != 1 {
		t.Fatalf("a write 5s after the cut: %+v, window %v", res, w)
	}
}
