package checker

import (
	"slices"
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

// Elements that are not integers are indexed apart from integers (lost.go's
// valueIndex): a string element is found, lost or phantom as an integer is,
// and the string "7" is the integer 7.
func TestSetStringElements(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", str("apple"), 0, 1, ok, none), // present: fine
		op(0, history.Add, "s", str("pear"), 2, 3, ok, none),  // absent: lost
		op(1, history.Add, "s", str("7"), 2, 3, ok, none),     // read back as 7
		finalRead("n1", "s", 100, str("apple"), i64(7), str("plum")),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	want := map[string]float64{"attempted": 3, "acknowledged": 3, "lost": 1, "phantom": 1}
	for name, v := range want {
		if got := metric(t, r, name); got != v {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	if !strings.Contains(r.Summary, "pear") {
		t.Errorf("summary does not name the lost element pear: %s", r.Summary)
	}
}

func TestSetAllFine(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),
		op(1, history.Add, "s", i64(2), 0, 1, info, none), // recovered everywhere
		op(1, history.Add, "s", i64(3), 2, 3, info, none), // recovered nowhere
		finalRead("n1", "s", 100, i64(2), i64(1)),
		finalRead("n2", "s", 100, i64(1), i64(2)),
	}
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok || metric(t, r, "recovered") != 1 {
		t.Errorf("verdict %v: %s", r.Verdict, r.Summary)
	}
}

// TestSetKeyWithoutFinalReadIsUnknown: the final reads of s2 all failed, so
// nothing shows whether its acknowledged element survived, though s1 was
// read.
func TestSetKeyWithoutFinalReadIsUnknown(t *testing.T) {
	failed := finalRead("n1", "s2", 100)
	failed.Outcome, failed.Elems = fail, nil
	ops := []history.Op{
		op(0, history.Add, "s1", i64(1), 0, 1, ok, none),
		op(0, history.Add, "s2", i64(2), 2, 3, ok, none),
		finalRead("n1", "s1", 100, i64(1)),
		failed,
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Unknown || metric(t, r, "unread_keys") != 1 || !strings.Contains(r.Summary, `first: "s2"`) {
		t.Errorf("verdict %v, want unknown naming s2: %s", r.Verdict, r.Summary)
	}
	// A violation on another key outranks it.
	ops = append(ops, op(0, history.Add, "s1", i64(3), 4, 5, ok, none))
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Violation {
		t.Errorf("verdict %v with a lost element on s1, want violation: %s", r.Verdict, r.Summary)
	}
}

// TestSetUnacknowledgedAddDivergent: after the final heal n1 has the
// timed-out add and n2 does not. Either would be fine; both is divergence.
func TestSetUnacknowledgedAddDivergent(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),
		op(1, history.Add, "s", i64(2), 2, 3, info, none),
		finalRead("n1", "s", 100, i64(1), i64(2)),
		finalRead("n2", "s", 100, i64(1)),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "divergent") != 1 || metric(t, r, "lost") != 0 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	if !strings.Contains(r.Summary, `first divergent: process 1's add of "s" 2 (info)`) || !strings.Contains(r.Summary, "present on n1 and absent on n2") {
		t.Errorf("summary does not name the add and the nodes: %s", r.Summary)
	}
	if len(r.Evidence.Ops) != 3 || r.Evidence.Key != "s" || len(r.Evidence.Notes) != 1 {
		t.Errorf("evidence is not the add and the two reads: %+v", r.Evidence)
	}
	// A final read that began while the add could still be in flight is no
	// evidence of disagreement.
	ops[1].Complete = 150 * ms
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok {
		t.Errorf("add unsettled when the nodes were read: verdict %v: %s", r.Verdict, r.Summary)
	}
}

// TestSetFinalReadBeforeTheAdd: a final read that completed before the add
// was invoked cannot show it, so it is no evidence of loss; a later read of
// the same node decides, and without one the add's fate there is unknown.
func TestSetFinalReadBeforeTheAdd(t *testing.T) {
	early := finalRead("n1", "s", 10)
	add := op(0, history.Add, "s", i64(1), 50, 60, ok, none)
	r := SetWrites([]history.Op{early, add, finalRead("n1", "s", 100, i64(1))}, SetOptions{})
	if r.Verdict != Ok {
		t.Errorf("present in the later read: verdict %v: %s", r.Verdict, r.Summary)
	}
	r = SetWrites([]history.Op{early, add, finalRead("n1", "s", 100)}, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "lost") != 1 {
		t.Errorf("absent from the later read: verdict %v: %s", r.Verdict, r.Summary)
	}
	during := finalRead("n1", "s", 55)
	for _, reads := range [][]history.Op{{early}, {during}, {early, during}} {
		r = SetWrites(append([]history.Op{add}, reads...), SetOptions{})
		if r.Verdict != Unknown || metric(t, r, "unjudged") != 1 || !strings.Contains(r.Summary, `first: process 0's add of "s" 1 [0.050000s, 0.060000s] on n1, and no final read of n1 began after it`) {
			t.Errorf("reads %v: verdict %v, want unknown naming the add: %s", reads, r.Verdict, r.Summary)
		}
	}
}

// TestListOrderAgainstRealTime: 1 was acknowledged before 2 was invoked, so
// a list holding 2 before 1 is wrong; when the appends overlap, either order
// is fine.
func TestListOrderAgainstRealTime(t *testing.T) {
	ops := []history.Op{
		op(0, history.Append, "l", i64(1), 0, 1, ok, none),
		op(1, history.Append, "l", i64(2), 2, 3, info, none),
		finalRead("n1", "l", 100, i64(2), i64(1)),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "reordered") != 1 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	if !strings.Contains(r.Summary, `first out of real-time order: on n1, "l" holds 2 before 1, but 1 was acknowledged at 0.001000s, before 2 was first invoked at 0.002000s`) {
		t.Errorf("summary: %s", r.Summary)
	}
	if len(r.Evidence.Ops) != 3 {
		t.Errorf("evidence is not the two appends and the read: %+v", r.Evidence.Ops)
	}
	ops[1].Invoke = 0
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok {
		t.Errorf("overlapping appends: verdict %v: %s", r.Verdict, r.Summary)
	}
}

// TestListReadsInConflictingOrder: two replicas hold the same elements in
// different orders.
func TestListReadsInConflictingOrder(t *testing.T) {
	ops := []history.Op{
		op(0, history.Append, "l", i64(1), 0, 10, ok, none),
		op(1, history.Append, "l", i64(2), 0, 10, ok, none),
		op(2, history.Append, "l", i64(3), 20, 30, ok, none),
		finalRead("n1", "l", 100, i64(1), i64(2), i64(3)),
		finalRead("n2", "l", 100, i64(2), i64(1), i64(3)),
		finalRead("n3", "l", 100, i64(1), i64(2), i64(3)),
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "order_conflicts") != 2 || metric(t, r, "reordered") != 0 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	if !strings.Contains(r.Summary, `first conflicting order: n1 reads 1 before 2 in "l", n2 reads 2 before 1`) {
		t.Errorf("summary: %s", r.Summary)
	}
}

// TestListAppendedTwice: a value appended twice may be in the list twice;
// more copies than appends is a duplicate, fewer than acknowledged appends a
// loss.
func TestListAppendedTwice(t *testing.T) {
	base := []history.Op{
		op(0, history.Append, "l", i64(1), 0, 1, ok, none),
		op(1, history.Append, "l", i64(1), 2, 3, ok, none),
	}
	tests := []struct {
		name   string
		elems  []history.Value
		want   Verdict
		metric string
	}{
		{"both copies", []history.Value{i64(1), i64(1)}, Ok, ""},
		{"three copies", []history.Value{i64(1), i64(1), i64(1)}, Violation, "duplicated"},
		{"one copy", []history.Value{i64(1)}, Violation, "lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := append(slices.Clone(base), finalRead("n1", "l", 100, tt.elems...))
			r := SetWrites(ops, SetOptions{})
			if r.Verdict != tt.want || tt.metric != "" && metric(t, r, tt.metric) != 1 {
				t.Errorf("verdict %v, want %v with one %s: %s", r.Verdict, tt.want, tt.metric, r.Summary)
			}
		})
	}
	// An unacknowledged append may have been applied too.
	ops := []history.Op{base[0], op(1, history.Append, "l", i64(1), 2, 3, info, none), finalRead("n1", "l", 100, i64(1), i64(1))}
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok {
		t.Errorf("one acknowledged and one unknown append, two copies: verdict %v: %s", r.Verdict, r.Summary)
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

// BenchmarkListAppend checks 100,000 appends (1% lost, 2% info) against
// final reads on three nodes, order included.
func BenchmarkListAppend(b *testing.B) {
	const n = 100000
	ops := make([]history.Op, 0, n+3)
	var present []history.Value
	for i := 0; i < n; i++ {
		out := ok
		if i%50 == 0 {
			out = info
		}
		ops = append(ops, op(i%10, history.Append, "l", i64(int64(i)), int64(i), int64(i)+1, out, none))
		if i%100 != 7 {
			present = append(present, str(strconv.Itoa(i)))
		}
	}
	for _, node := range []string{"n1", "n2", "n3"} {
		ops = append(ops, finalRead(node, "l", n+10, present...))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := SetWrites(ops, SetOptions{}); r.Verdict != Violation {
			b.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
		}
	}
}

// A key the workload deleted (a rotated key's retired generation) has no
// final read and is left out; its current generation is judged.
func TestSetDeletedKeyLeftOut(t *testing.T) {
	ops := []history.Op{
		op(0, history.Add, "s0", i64(1), 0, 1, ok, none),
		op(0, history.Add, "s0:1", i64(2), 2, 3, ok, none),
		op(0, history.Delete, "s0", none, 4, 5, ok, i64(1)),
		finalRead("n1", "s0:1", 100, i64(2)),
	}
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Ok || metric(t, r, "attempted") != 1 {
		t.Errorf("verdict %v: %s", r.Verdict, r.Summary)
	}
	ops[3] = finalRead("n1", "s0:1", 100)
	if r := SetWrites(ops, SetOptions{}); r.Verdict != Violation {
		t.Errorf("the current generation lost its element, verdict %v: %s", r.Verdict, r.Summary)
	}
}

// TestSetRunReads: a read taken while the workload ran may lack what was
// acknowledged (a lagging node, a moment before the write), but it must
// not hold an element never attempted, nor one whose attempt failed.
func TestSetRunReads(t *testing.T) {
	runRead := func(at int64, elems ...history.Value) history.Op {
		o := op(3, history.Read, "s", none, at, at+1, ok, none)
		o.Node, o.Elems = "n2", append([]history.Value{}, elems...)
		return o
	}
	base := []history.Op{
		op(0, history.Add, "s", i64(1), 0, 1, ok, none),
		op(2, history.Add, "s", i64(5), 4, 5, fail, none),
		finalRead("n1", "s", 100, str("1")),
	}
	for _, tc := range []struct {
		name string
		read history.Op
		want Verdict
		what string
	}{
		{"lacks an acknowledged element", runRead(2), Ok, ""},
		{"phantom", runRead(2, str("1"), str("999")), Violation, "phantom"},
		{"failed but present", runRead(6, str("1"), str("5")), Violation, "failed_present"},
	} {
		ops := append(slices.Clone(base), tc.read)
		r := SetWrites(ops, SetOptions{})
		if r.Verdict != tc.want {
			t.Errorf("%s: %v (%s)", tc.name, r.Verdict, r.Summary)
			continue
		}
		if tc.what != "" && metric(t, r, tc.what) != 1 {
			t.Errorf("%s: %s = %v, want 1", tc.name, tc.what, metric(t, r, tc.what))
		}
	}
}

// The summary names the first lost element in time, not in key-name order
// ("s10" sorts before "s2"), says when the lost ones were attempted and who
// acknowledged them, and the evidence shows several keys (cluster-partition-
// minority seed 1 named s10 at 15.008 s while s2 at 15.005 s was earlier;
// wait-failover's evidence held 20 operations of w0 alone).
func TestSetFirstLostIsFirstInTime(t *testing.T) {
	var ops []history.Op
	keys := []string{"s10", "s11", "s12", "s2"}
	// Each key loses 30 adds, invoked 1 ms apart; s2's begin earliest,
	// then s12's, s11's and s10's. n2 acknowledged s11's adds, n1 the rest.
	for ki, key := range keys {
		start := int64(1000 * (len(keys) - ki))
		for j := range 30 {
			o := op(ki, history.Add, key, i64(int64(j)), start+int64(j), start+int64(j)+1, ok, none)
			if key == "s11" {
				o.Node = "n2"
			}
			ops = append(ops, o)
		}
		ops = append(ops, finalRead("n1", key, 10000))
	}
	r := SetWrites(ops, SetOptions{})
	if r.Verdict != Violation || metric(t, r, "lost") != 120 {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	if !strings.Contains(r.Summary, `first lost: process 3's add of "s2" 0 [1.000000s, 1.001000s]`) {
		t.Errorf("the summary does not name s2's first add as the first lost: %s", r.Summary)
	}
	if !strings.Contains(r.Summary, "invoked from 1.000000s to 4.029000s, acknowledged by n1 (90), n2 (30)") {
		t.Errorf("the summary does not say when the lost were attempted and who acknowledged them: %s", r.Summary)
	}
	if r.Evidence.Key != "s2" {
		t.Errorf("evidence key %q, want s2", r.Evidence.Key)
	}
	shown := map[string]bool{}
	for _, o := range r.Evidence.Ops {
		shown[o.Key] = true
	}
	notes := strings.Join(r.Evidence.Notes, "\n")
	for _, key := range keys {
		if !shown[key] || !strings.Contains(notes, strconv.Quote(key)) {
			t.Errorf("the evidence shows no loss of %s: keys %v, notes\n%s", key, shown, notes)
		}
	}
	if !strings.HasPrefix(r.Evidence.Notes[0], `lost: process 3's add of "s2" 0 `) {
		t.Errorf("the first note is not the first loss: %s", r.Evidence.Notes[0])
	}
}
