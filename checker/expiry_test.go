package checker

import (
	"testing"
	"time"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

func TestExpiredReads(t *testing.T) {
	ms := clock.Time(time.Millisecond)
	set := history.Op{Process: 1, Node: "m", Kind: "set-px", Key: "e0", Value: history.Str("7.500"), Result: history.Int(1), Invoke: 0, Complete: 10 * ms, Outcome: history.Ok}
	read := func(at clock.Time, v history.Value) history.Op {
		return history.Op{Process: 2, Node: "r1", Kind: "get", Key: "e0", Result: v, Invoke: at, Complete: at + ms, Outcome: history.Ok}
	}
	slack := 100 * time.Millisecond
	for _, c := range []struct {
		name string
		ops  []history.Op
		want Verdict
	}{
		{"read before expiry", []history.Op{set, read(400*ms, history.Str("7.500"))}, Ok},
		{"read within slack", []history.Op{set, read(600*ms, history.Str("7.500"))}, Ok},
		{"missing after expiry", []history.Op{set, read(900*ms, history.None)}, Ok},
		{"served after expiry", []history.Op{set, read(700*ms, history.Str("7.500"))}, Violation},
		// A write that did not set the key (NX found one) set no TTL.
		{"NX refused", []history.Op{func() history.Op { s := set; s.Result = history.Int(0); return s }(), read(900*ms, history.Str("7.500"))}, Ok},
		// An Info write may have been applied late: not judged.
		{"info write", []history.Op{func() history.Op { s := set; s.Outcome = history.Info; return s }(), read(900*ms, history.Str("7.500"))}, Ok},
	} {
		res := ExpiredReads(c.ops, "set-px", "get", slack)
		if res.Verdict != c.want {
			t.Errorf("%s: %v, want %v: %s", c.name, res.Verdict, c.want, res.Summary)
		}
		if c.want == Violation && (len(res.Evidence.Ops) != 2 || res.Evidence.Key != "e0") {
			t.Errorf("%s: evidence %+v", c.name, res.Evidence)
		}
	}
}
