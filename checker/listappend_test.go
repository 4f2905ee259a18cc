package checker

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// txn builds a transaction for hand-written histories, times in
// milliseconds; the reads of one that is not Ok are unknown.
func txn(p int, invoke, complete int64, outcome history.Outcome, mops ...history.Mop) history.Op {
	if outcome != history.Ok {
		mops = slices.Clone(mops)
		for i := range mops {
			mops[i].Elems = nil
		}
	}
	return history.Op{Process: p, Node: "n1", Kind: history.Txn, Mops: mops,
		Invoke: clock.Time(invoke) * ms, Complete: clock.Time(complete) * ms, Outcome: outcome}
}

func appendMop(key string, v int64) history.Mop {
	return history.Mop{Kind: history.Append, Key: key, Value: i64(v)}
}

func readMop(key string, elems ...int64) history.Mop {
	m := history.Mop{Kind: history.Read, Key: key, Elems: []history.Value{}}
	for _, e := range elems {
		m.Elems = append(m.Elems, i64(e))
	}
	return m
}

func finalList(node, key string, at int64, elems ...int64) history.Op {
	vs := make([]history.Value, len(elems))
	for i, e := range elems {
		vs[i] = str(strconv.FormatInt(e, 10)) // as Redis returns them
	}
	return finalRead(node, key, at, vs...)
}

// wantAnomaly checks that r is a violation whose only anomaly is name,
// counted n times, and that its evidence holds every line of want, in
// order, each as a substring of some note.
func wantAnomaly(t *testing.T, r Result, name string, n int, want ...string) {
	t.Helper()
	if r.Verdict != Violation {
		t.Fatalf("verdict %v, want violation (%s): %s", r.Verdict, name, r.Summary)
	}
	for _, an := range laNames {
		got := metric(t, r, an)
		switch {
		case an == name && got != float64(n):
			t.Errorf("%s = %v, want %d: %s", an, got, n, r.Summary)
		case an != name && got != 0:
			t.Errorf("%s = %v, want 0 (only %s): %s", an, got, name, r.Summary)
		}
	}
	if !strings.HasPrefix(r.Evidence.Notes[0], name+": ") {
		t.Errorf("first note %q does not name %s", r.Evidence.Notes[0], name)
	}
	i := 0
	for _, note := range r.Evidence.Notes {
		if i < len(want) && strings.Contains(note, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("evidence lacks %q (in order); notes:\n%s", want[i], strings.Join(r.Evidence.Notes, "\n"))
	}
	if len(r.Evidence.Ops) == 0 || r.Evidence.From > r.Evidence.To {
		t.Errorf("evidence ops %d, window [%v, %v]", len(r.Evidence.Ops), r.Evidence.From, r.Evidence.To)
	}
}

func wantOk(t *testing.T, r Result) {
	t.Helper()
	if r.Verdict != Ok {
		t.Fatalf("verdict %v, want ok: %s\n%s", r.Verdict, r.Summary, strings.Join(r.Evidence.Notes, "\n"))
	}
	if !r.Evidence.Empty() {
		t.Errorf("evidence of an ok verdict: %+v", r.Evidence)
	}
}

var (
	serializable = ListAppendOptions{}
	strict       = ListAppendOptions{RealTime: true}
)

// TestListAppendCycles: each anomaly of a cycle is named, with its
// transactions and edges; the same history with the one read that makes
// the cycle changed passes.
func TestListAppendCycles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bad, good []history.Op
		want      []string
	}{{
		name: "G0", // writes interleave: x has T1 before T2, y T2 before T1
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), appendMop("y", 2)),
			txn(2, 0, 10, ok, appendMop("x", 3), appendMop("y", 4)),
			txn(3, 20, 30, ok, readMop("x", 1, 3), readMop("y", 4, 2)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), appendMop("y", 2)),
			txn(2, 0, 10, ok, appendMop("x", 3), appendMop("y", 4)),
			txn(3, 20, 30, ok, readMop("x", 1, 3), readMop("y", 2, 4)),
		},
		want: []string{"G0: a cycle of 2 transactions: T1 -ww-> T2 -ww-> T1",
			`T1 = process 1's txn [0.000000s, 0.010000s] ok: append("x", 1), append("y", 2)`,
			`T2 = process 2's txn [0.000000s, 0.010000s] ok: append("x", 3), append("y", 4)`,
			`T1 -ww-> T2: T1 appended 1 to "x", and T2 appended 3 right after it`,
			`T2 -ww-> T1: T2 appended 4 to "y", and T1 appended 2 right after it`},
	}, {
		name: "G1c", // each reads the other's append
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), readMop("y", 2)),
			txn(2, 0, 10, ok, appendMop("y", 2), readMop("x", 1)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), readMop("y")),
			txn(2, 0, 10, ok, appendMop("y", 2), readMop("x", 1)),
		},
		want: []string{"G1c: a cycle of 2 transactions: T1 -wr-> T2 -wr-> T1",
			`T1 -wr-> T2: T2 read "x" → [1], whose last element, 1, T1 appended`,
			`T2 -wr-> T1: T1 read "y" → [2], whose last element, 2, T2 appended`},
	}, {
		name: "G-single", // read skew: T1 misses T2's x but sees its y
		bad: []history.Op{
			txn(1, 0, 10, ok, readMop("x"), readMop("y", 3)),
			txn(2, 0, 10, ok, appendMop("x", 2), appendMop("y", 3)),
			txn(3, 20, 30, ok, readMop("x", 2)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, readMop("x", 2), readMop("y", 3)),
			txn(2, 0, 10, ok, appendMop("x", 2), appendMop("y", 3)),
			txn(3, 20, 30, ok, readMop("x", 2)),
		},
		want: []string{"G-single: a cycle of 2 transactions: T1 -rw-> T2 -wr-> T1",
			`T1 -rw-> T2: T1 read "x" → [], and T2 appended 2, its first element`,
			`T2 -wr-> T1: T1 read "y" → [3], whose last element, 3, T2 appended`},
	}, {
		name: "G2", // write skew: each misses the other's append
		bad: []history.Op{
			txn(1, 0, 10, ok, readMop("x"), appendMop("y", 1)),
			txn(2, 0, 10, ok, readMop("y"), appendMop("x", 2)),
			txn(3, 20, 30, ok, readMop("x", 2), readMop("y", 1)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, readMop("x"), appendMop("y", 1)),
			txn(2, 0, 10, ok, readMop("y", 1), appendMop("x", 2)),
			txn(3, 20, 30, ok, readMop("x", 2), readMop("y", 1)),
		},
		want: []string{"G2: a cycle of 2 transactions: T1 -rw-> T2 -rw-> T1",
			`T1 -rw-> T2: T1 read "x" → [], and T2 appended 2, its first element`,
			`T2 -rw-> T1: T2 read "y" → [], and T1 appended 1, its first element`},
	}, {
		name: "G-single", // a longer cycle: the rw edge closes a ww-wr chain
		bad: []history.Op{
			txn(1, 0, 10, ok, readMop("z"), readMop("y", 5)),
			txn(2, 0, 10, ok, appendMop("z", 4), appendMop("x", 2)),
			txn(3, 0, 10, ok, appendMop("x", 3), appendMop("y", 5)),
			txn(4, 20, 30, ok, readMop("x", 2, 3), readMop("z", 4)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, readMop("z", 4), readMop("y", 5)),
			txn(2, 0, 10, ok, appendMop("z", 4), appendMop("x", 2)),
			txn(3, 0, 10, ok, appendMop("x", 3), appendMop("y", 5)),
			txn(4, 20, 30, ok, readMop("x", 2, 3), readMop("z", 4)),
		},
		want: []string{"G-single: a cycle of 3 transactions: T1 -rw-> T2 -ww-> T3 -wr-> T1",
			`T1 = process 1's txn`, `T2 = process 2's txn`, `T3 = process 3's txn`,
			`T1 -rw-> T2: T1 read "z" → [], and T2 appended 4, its first element`,
			`T2 -ww-> T3: T2 appended 2 to "x", and T3 appended 3 right after it`,
			`T3 -wr-> T1: T1 read "y" → [5], whose last element, 5, T3 appended`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, opts := range []ListAppendOptions{serializable, strict} {
				wantAnomaly(t, ListAppend(tc.bad, opts), tc.name, 1, tc.want...)
				wantOk(t, ListAppend(tc.good, opts))
			}
		})
	}
}

// TestListAppendRealTime: each cycle that needs a real-time edge is found
// with RealTime and only with it.
func TestListAppendRealTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []history.Op
		want []string
	}{{
		name: "G0-realtime", // T2 appended after T1 completed, yet comes first
		ops: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, appendMop("x", 2)),
			txn(3, 40, 50, ok, readMop("x", 2, 1)),
		},
		want: []string{"G0-realtime: a cycle of 2 transactions: T1 -rt-> T2 -ww-> T1",
			"T1 -rt-> T2: T1 completed at 0.010000s, before T2 was invoked at 0.020000s",
			`T2 -ww-> T1: T2 appended 2 to "x", and T1 appended 1 right after it`},
	}, {
		name: "G1c-realtime", // T1 read what T2 appended only after T1 completed
		ops: []history.Op{
			txn(1, 0, 10, ok, readMop("x", 5)),
			txn(2, 20, 30, ok, appendMop("x", 5)),
		},
		want: []string{"G1c-realtime: a cycle of 2 transactions: T1 -rt-> T2 -wr-> T1"},
	}, {
		name: "G-single-realtime", // a stale read
		ops: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x")),
			txn(3, 40, 50, ok, readMop("x", 1)),
		},
		want: []string{"G-single-realtime: a cycle of 2 transactions: T1 -rt-> T2 -rw-> T1",
			`T2 -rw-> T1: T2 read "x" → [], and T1 appended 1, its first element`},
	}, {
		name: "G2-realtime", // A misses B's x, B misses C's y, C completed before A began
		ops: []history.Op{
			txn(1, 20, 30, ok, readMop("x")),
			txn(2, 0, 40, ok, appendMop("x", 1), readMop("y")),
			txn(3, 0, 10, ok, appendMop("y", 2)),
			txn(4, 50, 60, ok, readMop("x", 1), readMop("y", 2)),
		},
		want: []string{"G2-realtime: a cycle of 3 transactions: T1 -rw-> T2 -rw-> T3 -rt-> T1",
			`T1 = process 1's txn`, `T2 = process 2's txn`, `T3 = process 3's txn`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			wantAnomaly(t, ListAppend(tc.ops, strict), tc.name, 1, tc.want...)
			wantOk(t, ListAppend(tc.ops, serializable))
		})
	}
}

// TestListAppendReads: reads that no committed order explains.
func TestListAppendReads(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bad, good []history.Op
		want      []string
	}{{
		name: "G1a", // a failed append read
		bad: []history.Op{
			txn(1, 0, 10, fail, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1)),
		},
		good: []history.Op{ // a failed append never read is fine
			txn(1, 0, 10, fail, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x")),
		},
		want: []string{`G1a: process 2's txn [0.020000s, 0.030000s] ok: read("x") → [1] reads "x" → [1], holding 1, appended only by process 1's txn [0.000000s, 0.010000s] fail: append("x", 1), which failed`},
	}, {
		// A read between two appends of one transaction. Once a read
		// shows the second, the reader's rw edge to the writer closes a
		// G-single too (TestListAppendG1bCycle); here nobody does.
		name: "G1b",
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), appendMop("x", 2)),
			txn(2, 0, 10, ok, readMop("x", 1)),
		},
		good: []history.Op{ // a transaction reads its own intermediate state
			txn(1, 0, 10, ok, appendMop("x", 1), readMop("x", 1), appendMop("x", 2)),
			txn(2, 0, 10, ok, readMop("x", 1, 2)),
		},
		want: []string{`G1b: process 2's txn [0.000000s, 0.010000s] ok: read("x") → [1] reads "x" → [1], ending with 1, but process 1's txn`},
	}, {
		name: "internal", // a transaction that does not see its own append
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), readMop("x")),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1), readMop("x", 1)),
		},
		want: []string{`internal: process 1's txn [0.000000s, 0.010000s] ok: append("x", 1), read("x") → [] reads "x" → [], but it ends without its own appends [1]`},
	}, {
		name: "internal", // a transaction that reads again, without its append
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1), appendMop("x", 2), readMop("x", 1)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1), appendMop("x", 2), readMop("x", 1, 2)),
		},
		want: []string{`reads "x" → [1], but it read [1] before and appended [2] since`},
	}, {
		name: "duplicate-elements",
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1, 1)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1)),
		},
		want: []string{`duplicate-elements: process 2's txn [0.020000s, 0.030000s] ok: read("x") → [1 1] reads "x" → [1 1], holding 1 more than once`},
	}, {
		name: "garbage-read",
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1, 9)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 20, 30, ok, readMop("x", 1)),
		},
		want: []string{`garbage-read: process 2's txn [0.020000s, 0.030000s] ok: read("x") → [1 9] reads "x" → [1 9], holding 9, which no transaction appended`},
	}, {
		name: "incompatible-order", // two reads neither a prefix of the other
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 0, 10, ok, appendMop("x", 2)),
			txn(3, 20, 30, ok, readMop("x", 1, 2)),
			txn(4, 20, 30, ok, readMop("x", 2, 1)),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 0, 10, ok, appendMop("x", 2)),
			txn(3, 5, 30, ok, readMop("x", 2)),
			txn(4, 20, 30, ok, readMop("x", 2, 1)),
		},
		want: []string{`incompatible-order: process 4's txn [0.020000s, 0.030000s] ok: read("x") → [2 1] reads "x" → [2 1] and process 3's txn [0.020000s, 0.030000s] ok: read("x") → [1 2] reads "x" → [1 2], which differ at position 0 (2, 1)`},
	}, {
		name: "incompatible-order", // two nodes' final reads disagree on the order
		bad: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 0, 10, ok, appendMop("x", 2)),
			finalList("n1", "x", 100, 1, 2),
			finalList("n2", "x", 100, 2, 1),
		},
		good: []history.Op{
			txn(1, 0, 10, ok, appendMop("x", 1)),
			txn(2, 0, 10, ok, appendMop("x", 2)),
			finalList("n1", "x", 100, 2, 1),
			finalList("n2", "x", 100, 2, 1),
		},
		want: []string{`incompatible-order: the final read on n2 [0.100000s, 0.101000s] reads "x" → [2 1] and the final read on n1 [0.100000s, 0.101000s] reads "x" → [1 2]`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, opts := range []ListAppendOptions{serializable, strict} {
				wantAnomaly(t, ListAppend(tc.bad, opts), tc.name, 1, tc.want...)
				wantOk(t, ListAppend(tc.good, opts))
			}
		})
	}
}

// TestListAppendLost: an acknowledged append that vanished.
func TestListAppendLost(t *testing.T) {
	appends := []history.Op{
		txn(1, 0, 10, ok, appendMop("x", 1)),
		txn(2, 20, 30, ok, appendMop("x", 2)),
		txn(3, 20, 30, info, appendMop("x", 3)),
	}
	with := func(more ...history.Op) []history.Op { return append(slices.Clone(appends), more...) }

	t.Run("lost-append", func(t *testing.T) {
		bad := with(finalList("n1", "x", 100, 2), finalList("n2", "x", 100, 2))
		for _, opts := range []ListAppendOptions{serializable, strict} {
			wantAnomaly(t, ListAppend(bad, opts), "lost-append", 1,
				`lost-append: process 1's txn [0.000000s, 0.010000s] ok: append("x", 1) appended 1 to "x", acknowledged, and no final read begun after it holds it:`,
				`the final read on n1 [0.100000s, 0.101000s]: "x" → [2]`, `the final read on n2 [0.100000s, 0.101000s]: "x" → [2]`)
		}
		// The Info append 3 is in no final read either: it may never
		// have happened.
		wantOk(t, ListAppend(with(finalList("n1", "x", 100, 1, 2), finalList("n2", "x", 100, 1, 2)), strict))
		// A final read begun before the acknowledgement shows nothing.
		early := []history.Op{txn(1, 0, 10, ok, appendMop("x", 1)), txn(2, 20, 30, ok, readMop("x", 1)), finalList("n1", "x", 5)}
		wantOk(t, ListAppend(early, serializable))
	})

	t.Run("divergence", func(t *testing.T) {
		// Present on one node and not on the other: the nodes diverged,
		// whether the append was acknowledged or not.
		for _, bad := range [][]history.Op{
			with(finalList("n1", "x", 100, 1, 2, 3), finalList("n2", "x", 100, 1, 2)),
			with(finalList("n1", "x", 100, 1), finalList("n2", "x", 100, 1, 2)),
		} {
			wantAnomaly(t, ListAppend(bad, serializable), "divergence", 1, "divergence: the final read on n")
		}
		// An append whose client gave up only after the final reads began
		// may still have been on its way to the second node.
		late := slices.Clone(appends)
		late[2].Complete = 150 * ms
		late = append(late, finalList("n1", "x", 100, 1, 2, 3), finalList("n2", "x", 100, 1, 2))
		wantOk(t, ListAppend(late, serializable))
		// The info append 3 observed counts as committed, and agreeing nodes
		// are fine.
		wantOk(t, ListAppend(with(finalList("n1", "x", 100, 1, 2, 3), finalList("n2", "x", 100, 1, 2, 3)), strict))
	})

	t.Run("lost-append-realtime", func(t *testing.T) {
		// No read holds 1, though a read began after it was acknowledged:
		// a strictly serializable store shows it there.
		bad := with(txn(4, 40, 50, ok, readMop("x", 2)))
		wantAnomaly(t, ListAppend(bad, strict), "lost-append-realtime", 1,
			`lost-append-realtime: process 1's txn [0.000000s, 0.010000s] ok: append("x", 1) appended 1 to "x", acknowledged, and no read holds it, though process 4's txn [0.040000s, 0.050000s] ok: read("x") → [2] began after and reads "x" → [2]`)
		wantOk(t, ListAppend(bad, serializable))
		// A read concurrent with the append may miss it.
		wantOk(t, ListAppend(with(txn(4, 5, 50, ok, readMop("x", 2))), strict))
	})
}

// TestListAppendG1bCycle: an intermediate read that a later read places
// before the writer's second append also closes a cycle: the reader
// precedes that append (rw) and follows the first (wr).
func TestListAppendG1bCycle(t *testing.T) {
	ops := []history.Op{
		txn(1, 0, 10, ok, appendMop("x", 1), appendMop("x", 2)),
		txn(2, 0, 10, ok, readMop("x", 1)),
		txn(3, 20, 30, ok, readMop("x", 1, 2)),
	}
	r := ListAppend(ops, serializable)
	if metric(t, r, "G1b") != 1 || metric(t, r, "G-single") != 1 {
		t.Errorf("%s", r.Summary)
	}
}

// TestListAppendInfo: an Info transaction whose append a read shows
// committed, and takes its part in cycles; one nobody saw is no evidence.
func TestListAppendInfo(t *testing.T) {
	observed := []history.Op{
		txn(1, 0, 10, info, appendMop("x", 1), readMop("y", 7)),
		txn(2, 20, 30, ok, readMop("x", 1)),
		txn(3, 40, 50, fail, appendMop("x", 2)),
	}
	for _, opts := range []ListAppendOptions{serializable, strict} {
		r := ListAppend(observed, opts)
		wantOk(t, r)
		if metric(t, r, "committed") != 2 || metric(t, r, "txns_info") != 1 || metric(t, r, "txns_fail") != 1 {
			t.Errorf("metrics %+v", r.Metrics)
		}
	}
	g0 := []history.Op{
		txn(1, 0, 10, info, appendMop("x", 1), appendMop("y", 2)),
		txn(2, 0, 10, ok, appendMop("x", 3), appendMop("y", 4)),
		txn(3, 20, 30, ok, readMop("x", 1, 3), readMop("y", 4, 2)),
	}
	wantAnomaly(t, ListAppend(g0, serializable), "G0", 1, "G0: a cycle of 2 transactions",
		`process 1's txn [0.000000s, 0.010000s] info: append("x", 1), append("y", 2)`)
	// Info completes at infinity: no real-time edge leaves it, so its
	// element may come after one acknowledged later.
	late := []history.Op{
		txn(1, 0, 10, info, appendMop("x", 1)),
		txn(2, 20, 30, ok, appendMop("x", 2)),
		txn(3, 40, 50, ok, readMop("x", 2, 1)),
	}
	wantOk(t, ListAppend(late, strict))
}

// TestListAppendEvidenceBounds: MaxCycles bounds the cycles shown, not
// those counted.
func TestListAppendEvidenceBounds(t *testing.T) {
	var ops []history.Op
	for i := range int64(5) {
		x, y := "x"+strconv.FormatInt(i, 10), "y"+strconv.FormatInt(i, 10)
		ops = append(ops,
			txn(int(3*i), 0, 10, ok, appendMop(x, 1), appendMop(y, 2)),
			txn(int(3*i+1), 0, 10, ok, appendMop(x, 3), appendMop(y, 4)),
			txn(int(3*i+2), 20, 30, ok, readMop(x, 1, 3), readMop(y, 4, 2)))
	}
	r := ListAppend(ops, ListAppendOptions{MaxCycles: 2})
	if metric(t, r, "G0") != 5 || metric(t, r, "cyclic_components") != 5 {
		t.Fatalf("%s", r.Summary)
	}
	headers := 0
	for _, n := range r.Evidence.Notes {
		if strings.HasPrefix(n, "G0: ") {
			headers++
		}
	}
	if headers != 2 {
		t.Errorf("%d cycles shown, want 2:\n%s", headers, strings.Join(r.Evidence.Notes, "\n"))
	}
	if !strings.HasPrefix(r.Summary, "5 anomalies in 15 transactions on 10 keys (G0 5); first: G0: a cycle of 2 transactions") {
		t.Errorf("summary: %s", r.Summary)
	}
}

func TestListAppendUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []history.Op
		opts ListAppendOptions
		want string
	}{
		{"no transaction", []history.Op{op(1, history.Write, "r", i64(1), 0, 1, ok, none)}, serializable, "no transaction to check"},
		{"no read", []history.Op{txn(1, 0, 10, ok, appendMop("x", 1)), txn(2, 0, 10, info, readMop("x"))}, serializable, "no read succeeded"},
		{"within budget", []history.Op{txn(1, 0, 10, ok, appendMop("x", 1)), txn(2, 20, 30, ok, readMop("x", 1))}, ListAppendOptions{MaxSteps: 1}, ""},
		{"over budget", []history.Op{txn(1, 0, 10, ok, appendMop("x", 1), appendMop("x", 2)), txn(2, 20, 30, ok, readMop("x", 1, 2))}, ListAppendOptions{MaxSteps: 1}, "over the budget of 1 steps"},
		{"not unique", []history.Op{txn(1, 0, 10, ok, appendMop("x", 1)), txn(2, 0, 10, fail, appendMop("x", 1))}, serializable, "1 is appended to \"x\" twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ListAppend(tc.ops, tc.opts)
			if tc.want == "" {
				wantOk(t, r)
				return
			}
			if r.Verdict != Unknown || !strings.Contains(r.Summary, tc.want) {
				t.Errorf("verdict %v, want unknown with %q: %s", r.Verdict, tc.want, r.Summary)
			}
		})
	}
}

// genListAppend returns a strictly serializable list-append history of n
// transactions of one to four micro-operations over keys lists, by clients
// processes, a fraction reads of the micro-ops being reads: each Ok
// transaction takes effect at one point inside its interval, a fraction
// info time out (half of them take effect, maybe after the client gave up)
// and a fraction fail. Three nodes read every list at the end.
func genListAppend(seed uint64, n, keys, clients int, reads, info, fail float64) []history.Op {
	rng := rand.New(rand.NewPCG(seed, 7))
	type gen struct {
		op history.Op
		lp clock.Time // when it takes effect; clock.Never: never
	}
	txns := make([]gen, 0, n)
	now := make([]clock.Time, clients)
	next := int64(0)
	end := clock.Time(0)
	for range n {
		p := rng.IntN(clients)
		inv := now[p] + clock.Time(rng.Int64N(int64(ms)))
		lp := inv + clock.Time(rng.Int64N(int64(2*ms))+1)
		done := lp + clock.Time(rng.Int64N(int64(2*ms))+1)
		mops := make([]history.Mop, 1+rng.IntN(4))
		for j := range mops {
			key := "t" + strconv.Itoa(rng.IntN(keys))
			if rng.Float64() < reads {
				mops[j] = history.Mop{Kind: history.Read, Key: key}
			} else {
				next++
				mops[j] = history.Mop{Kind: history.Append, Key: key, Value: history.Int(next)}
			}
		}
		g := gen{op: history.Op{Process: p, Node: "n1", Kind: history.Txn, Mops: mops, Invoke: inv, Outcome: history.Ok}, lp: lp}
		switch x := rng.Float64(); {
		case x < fail:
			g.op.Outcome, g.op.Error, g.lp = history.Fail, "READONLY", clock.Never
		case x < fail+info:
			g.op.Outcome, g.op.Error = history.Info, "timeout"
			done = inv + 5*ms
			g.lp = clock.Never
			if rng.IntN(2) == 0 {
				g.lp = inv + clock.Time(rng.Int64N(int64(20*ms)))
			}
		}
		g.op.Complete = done
		now[p] = done
		end = max(end, done)
		if g.lp != clock.Never {
			end = max(end, g.lp)
		}
		txns = append(txns, g)
	}
	order := make([]int, len(txns))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpInt64(int64(txns[a].lp), int64(txns[b].lp)) })
	lists := map[string][]history.Value{}
	for _, i := range order {
		g := &txns[i]
		if g.lp == clock.Never {
			continue
		}
		for j := range g.op.Mops {
			m := &g.op.Mops[j]
			if m.Kind == history.Append {
				lists[m.Key] = append(lists[m.Key], m.Value)
			} else if g.op.Outcome == history.Ok {
				m.Elems = append([]history.Value{}, lists[m.Key]...)
			}
		}
	}
	out := make([]history.Op, len(txns))
	for i := range txns {
		out[i] = txns[i].op
	}
	slices.SortStableFunc(out, func(a, b history.Op) int { return cmpInt64(int64(a.Invoke), int64(b.Invoke)) })
	for k := range keys {
		key := "t" + strconv.Itoa(k)
		for _, node := range []string{"n1", "n2", "n3"} {
			out = append(out, history.Op{Process: clients, Node: node, Kind: history.FinalRead, Key: key,
				Elems: append([]history.Value{}, lists[key]...), Invoke: end + 100*ms, Complete: end + 101*ms, Outcome: history.Ok})
		}
	}
	return out
}

// TestListAppendGenerated: a strictly serializable history of concurrent
// transactions, some timed out and some failed, passes either way, and the
// verdict is the same byte for byte from run to run.
func TestListAppendGenerated(t *testing.T) {
	ops := genListAppend(1, 3000, 20, 10, 0.3, 0.05, 0.02)
	for _, opts := range []ListAppendOptions{serializable, strict} {
		r := ListAppend(ops, opts)
		wantOk(t, r)
		if metric(t, r, "txns_info") == 0 || metric(t, r, "txns_fail") == 0 || metric(t, r, "committed") <= metric(t, r, "txns_ok") {
			t.Errorf("the history lacks info, fail or observed info transactions: %+v", r.Metrics)
		}
	}
	// Without the final reads, the last appends of each key are never
	// read: nothing is lost.
	var txns []history.Op
	for _, o := range ops {
		if o.Kind == history.Txn {
			txns = append(txns, o)
		}
	}
	wantOk(t, ListAppend(txns, strict))
}

// TestListAppendGeneratedStaleRead: one read made stale in a large valid
// history (its last element dropped, though that element's append was
// acknowledged before the read began) is a violation of strict
// serializability, and the evidence is the same byte for byte every time.
func TestListAppendGeneratedStaleRead(t *testing.T) {
	ops := genListAppend(2, 5000, 50, 20, 0.3, 0.05, 0.02)
	writer := map[history.Value]*history.Op{}
	for i := range ops {
		for _, m := range ops[i].Mops {
			if m.Kind == history.Append {
				writer[m.Value] = &ops[i]
			}
		}
	}
	injected := false
	for i := len(ops) / 2; i < len(ops) && !injected; i++ {
		o := &ops[i]
		if o.Kind != history.Txn || o.Outcome != history.Ok || len(o.Mops) != 1 || o.Mops[0].Kind != history.Read {
			continue
		}
		m := &o.Mops[0]
		if n := len(m.Elems); n > 1 {
			w := writer[m.Elems[n-1]]
			if w.Outcome == history.Ok && w.Complete < o.Invoke {
				m.Elems = m.Elems[: n-1 : n-1]
				injected = true
			}
		}
	}
	if !injected {
		t.Fatal("no read to make stale")
	}
	r := ListAppend(ops, strict)
	if r.Verdict != Violation || metric(t, r, "G-single-realtime")+metric(t, r, "G-single")+metric(t, r, "G1b") == 0 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	first, _ := json.Marshal(r)
	for range 3 {
		again, _ := json.Marshal(ListAppend(ops, strict))
		if string(again) != string(first) {
			t.Fatalf("two runs differ:\n%s\n%s", first, again)
		}
	}
}

func BenchmarkListAppend10k(b *testing.B) {
	ops := genListAppend(3, 10_000, 100, 20, 0.2, 0.05, 0.01)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if r := ListAppend(ops, strict); r.Verdict != Ok {
			b.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
		}
	}
}

// TestListAppendWeakestFirst: a component with cycles of several kinds is
// named by the weakest, even when a cycle of a stronger kind is shorter,
// and its shortest cycle of that kind is shown.
func TestListAppendWeakestFirst(t *testing.T) {
	// T1 and T2 skew on x and y (G2, two transactions); T1 -rw-> T2 -ww->
	// T3 -wr-> T1 has a single rw edge (G-single, three).
	single := []history.Op{
		txn(1, 0, 10, ok, readMop("x"), appendMop("y", 1), readMop("w", 7)),
		txn(2, 0, 10, ok, readMop("y"), appendMop("x", 2), appendMop("z", 5)),
		txn(3, 0, 10, ok, appendMop("z", 6), appendMop("w", 7)),
		txn(4, 20, 30, ok, readMop("x", 2), readMop("y", 1), readMop("z", 5, 6)),
	}
	wantAnomaly(t, ListAppend(single, serializable), "G-single", 1,
		"G-single: a cycle of 3 transactions: T1 -rw-> T2 -ww-> T3 -wr-> T1")
	// T1 and T2 read each other's appends (G1c, two transactions); T1, T2
	// and T3 append in a circle (G0, three).
	g0 := []history.Op{
		txn(1, 0, 10, ok, appendMop("a", 1), readMop("b", 2), appendMop("p", 10), appendMop("r", 15)),
		txn(2, 0, 10, ok, appendMop("b", 2), readMop("a", 1), appendMop("p", 11), appendMop("q", 12)),
		txn(3, 0, 10, ok, appendMop("q", 13), appendMop("r", 14)),
		txn(4, 20, 30, ok, readMop("p", 10, 11), readMop("q", 12, 13), readMop("r", 14, 15)),
	}
	wantAnomaly(t, ListAppend(g0, serializable), "G0", 1,
		"G0: a cycle of 3 transactions: T1 -ww-> T2 -ww-> T3 -ww-> T1")
	// T1 -ww-> T2 -ww-> T3 -ww-> T1, and T2 and T3 also in a circle of
	// two: the shorter is shown, though T1 comes first.
	short := []history.Op{
		txn(1, 0, 10, ok, appendMop("p", 1), appendMop("r", 6)),
		txn(2, 0, 10, ok, appendMop("p", 2), appendMop("q", 3), appendMop("s", 8)),
		txn(3, 0, 10, ok, appendMop("q", 4), appendMop("r", 5), appendMop("s", 7)),
		txn(4, 20, 30, ok, readMop("p", 1, 2), readMop("q", 3, 4), readMop("r", 5, 6), readMop("s", 7, 8)),
	}
	wantAnomaly(t, ListAppend(short, serializable), "G0", 1,
		"G0: a cycle of 2 transactions (in a strongly connected component of 3): T1 -ww-> T2 -ww-> T1",
		`T1 = process 2's txn`, `T2 = process 3's txn`)
	// A budget spent before the search for a single rw edge names the
	// cycle it has, and says so.
	r := ListAppend(single, ListAppendOptions{MaxSteps: 5})
	if r.Verdict != Violation || metric(t, r, "G2") != 1 || !strings.Contains(strings.Join(r.Evidence.Notes, "\n"), "spent its budget of 5 steps in 1 components") {
		t.Errorf("%s\n%s", r.Summary, strings.Join(r.Evidence.Notes, "\n"))
	}
}

// TestListAppendRealTimeIsStrict: a transaction invoked at the instant
// another completed is concurrent with it.
func TestListAppendRealTimeIsStrict(t *testing.T) {
	ops := []history.Op{
		txn(1, 0, 10, ok, appendMop("x", 1)),
		txn(2, 10, 20, ok, readMop("x")),
		txn(3, 30, 40, ok, readMop("x", 1)),
	}
	wantOk(t, ListAppend(ops, strict))
	ops[1].Invoke++
	wantAnomaly(t, ListAppend(ops, strict), "G-single-realtime", 1)
}

// TestObservedInfoAppendLost: a transaction of unknown outcome that a
// read showed committed must keep its appends: one missing from every
// final read after that read is lost, and so is the half of it on a key
// no read showed.
func TestObservedInfoAppendLost(t *testing.T) {
	lost := []history.Op{
		txn(1, 0, 10, ok, appendMop("x", 1)),
		txn(2, 0, 10, info, appendMop("x", 2)),
		txn(3, 20, 30, ok, readMop("x", 1, 2)),
		finalList("n1", "x", 100, 1),
		finalList("n2", "x", 100, 1),
	}
	for _, o := range []ListAppendOptions{serializable, strict} {
		if r := ListAppend(lost, o); r.Verdict != Violation || !strings.Contains(r.Summary, "lost-append") {
			t.Errorf("an observed info append missing from the final reads: %v (%s)", r.Verdict, r.Summary)
		}
	}
	fractured := []history.Op{
		txn(1, 0, 10, info, appendMop("x", 1), appendMop("y", 2)),
		txn(2, 20, 30, ok, readMop("x", 1)),
		txn(3, 20, 30, ok, appendMop("y", 3)),
		finalList("n1", "x", 100, 1), finalList("n1", "y", 100, 3),
		finalList("n2", "x", 100, 1), finalList("n2", "y", 100, 3),
	}
	if r := ListAppend(fractured, strict); r.Verdict != Violation || !strings.Contains(r.Summary, "lost-append") {
		t.Errorf("half of an observed info transaction missing: %v (%s)", r.Verdict, r.Summary)
	}
	// Never shown by a read: it may not have happened at all.
	unseen := []history.Op{
		txn(1, 0, 10, ok, appendMop("x", 1)),
		txn(2, 0, 10, info, appendMop("x", 2)),
		finalList("n1", "x", 100, 1),
	}
	if r := ListAppend(unseen, strict); r.Verdict != Ok {
		t.Errorf("an info append no read showed, absent at the end: %v (%s)", r.Verdict, r.Summary)
	}
}
