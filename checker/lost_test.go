package checker

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/history"
)

func finalRead(node, key string, at int64, elems ...history.Value) history.Op {
	o := op(9, history.FinalRead, key, none, at, at+1, ok, none)
	o.Node, o.Elems = node, append([]history.Value{}, elems...)
	return o
}

func metric(t *testing.T, r Result, name string) float64 {
	t.Helper()
	v, found := r.Metric(name)
	if !found {
		t.Fatalf("no metric %q in %+v", name, r.Metrics)
	}
	return v
}

func TestSetLostAndPhantom(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),   // present: fine
		op(0, history.Add, "s", i64(2), 2, 3, ok, none),   // absent: lost
		op(1, history.Add, "s", i64(3), 2, 3, info, none), // present: recovered, fine
		op(1, history.Add, "s", i64(4), 4, 5, info, none), // absent: fine
		op(2, history.Add, "s", i64(5), 4, 5, fail, none), // present: said it failed
		op(2, history.Add, "s", i64(6), 6, 7, fail, none), // absent: fine
		finalRead("n1", "s", 100, str("1"), str("3"), str("5"), str("99")),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	want := map[string]float64{"attempted": 6, "acknowledged": 2, "lost": 1, "lost_rate": 0.5, "phantom": 1, "failed_present": 1, "recovered": 1, "duplicated": 0}
	for name, v := range want {
		if got := metric(t, r, name); got != v {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	if !strings.Contains(r.Summary, "1 of 2 acknowledged elements lost") || !strings.Contains(r.Summary, "absent on n1") {
		t.Errorf("summary: %s", r.Summary)
	}
	var lostShown, failShown bool
	for _, o := range r.Evidence.Ops {
		if o.Kind == history.Add && o.Value == i64(2) {
			lostShown = true
		}
		if o.Kind == history.Add && o.Value == i64(5) {
			failShown = true
		}
	}
	if !lostShown || !failShown {
		t.Errorf("evidence lacks the lost add or the failed-but-present add: %+v", r.Evidence.Ops)
	}
}

func TestSetAllFine(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),
		op(1, history.Add, "s", i64(2), 0, 1, info, none),
		finalRead("n1", "s", 100, i64(1)),
		finalRead("n2", "s", 100, i64(1), i64(2)),
	}
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok {
		t.Errorf("verdict %v: %s", r.Verdict, r.Summary)
	}
}

func TestSetLostOnOneNode(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),
		finalRead("n1", "s", 100, i64(1)),
		finalRead("n2", "s", 100),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "lost") != 1 || !strings.Contains(r.Summary, "absent on n2") {
		t.Errorf("verdict %v: %s", r.Verdict, r.Summary)
	}
}

func TestSetWithoutFinalReadIsUnknown(t *testing.T) {
	ops := []history.Op{op(0, history.Add, "s", i64(1), 0, 1, ok, none)}
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Unknown {
		t.Errorf("verdict %v without a final read: %s", r.Verdict, r.Summary)
	}
}

func TestListAppendDuplicate(t *testing.T) {
	ops := []history.Op{
		op(0, history.Append, "l", i64(1), 0, 1, ok, none),
		op(0, history.Append, "l", i64(2), 2, 3, ok, none),
		finalRead("n1", "l", 100, i64(1), i64(2), i64(1)),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Checker != "list-append" || r.Verdict != Violation || metric(t, r, "duplicated") != 1 {
		t.Errorf("%s verdict %v: %s", r.Checker, r.Verdict, r.Summary)
	}
}

// BenchmarkSetWrites checks 100,000 adds (1% lost, 2% info) against final
// reads on three nodes.
func BenchmarkSetWrites(b *testing.B) {
	const n = 100000
	ops := make([]history.Op, 0, n+3)
	var present []history.Value
	for i := 0; i < n; i++ {
		out := ok
		if i%50 == 0 {
			out = info
		}
		ops = append(ops, op(i%10, history.Add, "s", i64(int64(i)), int64(i), int64(i)+1, out, none))
		if i%100 != 7 {
			present = append(present, str(strconv.Itoa(i)))
		}
	}
	for _, node := range []string{"n1", "n2", "n3"} {
		ops = append(ops, finalRead(node, "s", n+10, present...))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := SetWrites(ops, SetOptions{}); r.Verdict != Violation {
			b.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
		}
	}
}
