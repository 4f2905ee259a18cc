package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/redsim/redsim/clock"
)

func sampleOps() []Op {
	return []Op{
		{Process: 0, Node: "n1", Kind: Write, Key: "k", Value: Int(7), Invoke: 10, Complete: 20, Outcome: Ok},
		{Process: 1, Node: "n2", Kind: Read, Key: "k", Invoke: 15, Complete: 25, Outcome: Ok},
		{Process: 2, Node: "n1", Kind: CAS, Key: "k", Expect: Str("a\"b\\c\n\x01\u2028é"), Value: Str(""), Result: Int(0), Invoke: 30, Complete: 40, Outcome: Ok},
		{Process: 3, Node: "n3", Kind: Add, Key: "s", Value: Int(-9), Invoke: 50, Complete: 60, Outcome: Info, Error: "timeout after 1s"},
		{Process: 4, Kind: Incr, Key: "c", Invoke: 55, Complete: 56, Outcome: Fail, Error: "dial refused"},
		{Process: 5, Node: "n1", Kind: FinalRead, Key: "s", Elems: []Value{}, Invoke: 70, Complete: 80, Outcome: Ok},
		{Process: 5, Node: "n2", Kind: FinalRead, Key: "s", Elems: []Value{Int(1), Str("2"), None}, Invoke: 70, Complete: clock.Never, Outcome: Ok},
		{Process: 6, Node: "n1", Kind: Txn, Mops: []Mop{{Kind: Append, Key: "t1", Value: Int(9)}, {Kind: Read, Key: "t2", Elems: []Value{Int(3), Int(4)}}, {Kind: Read, Key: "t3", Elems: []Value{}}}, Invoke: 90, Complete: 95, Outcome: Ok},
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	var h History
	for _, op := range sampleOps() {
		i := h.Invoke(op)
		if op.Kind == Txn {
			h.Complete(i, op.Complete, op.Outcome, op.Result, op.Error)
			continue
		}
		if op.Elems != nil {
			h.CompleteElems(i, op.Complete, op.Elems)
			continue
		}
		h.Complete(i, op.Complete, op.Outcome, op.Result, op.Error)
	}
	var buf bytes.Buffer
	if err := h.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(sampleOps()) {
		t.Fatalf("%d lines, want %d:\n%s", n, len(sampleOps()), buf.String())
	}
	// Every line must be JSON that encoding/json accepts, not only our reader.
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %s: %v", line, err)
		}
	}
	got, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Ops(), sampleOps()) {
		t.Errorf("round trip changed the history:\n got %+v\nwant %+v", got.Ops(), sampleOps())
	}
}

func TestJSONLTxnForm(t *testing.T) {
	op := Op{Process: 1, Kind: Txn, Mops: []Mop{{Kind: Append, Key: "t1", Value: Int(9)}, {Kind: Read, Key: "t2", Elems: []Value{Int(3)}}}, Invoke: 1, Complete: 2, Outcome: Ok}
	want := `{"process":1,"kind":"txn","invoke_ns":1,"complete_ns":2,"outcome":"ok","mops":[{"kind":"append","key":"t1","value":9},{"kind":"read","key":"t2","elems":[3]}]}`
	if got := string(op.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestJSONLStableFieldNames(t *testing.T) {
	op := Op{Process: 3, Node: "n1", Kind: Write, Key: "k2", Value: Int(7), Invoke: 1500000, Complete: 2100000, Outcome: Ok}
	want := `{"process":3,"node":"n1","kind":"write","key":"k2","value":7,"invoke_ns":1500000,"complete_ns":2100000,"outcome":"ok"}`
	if got := string(op.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestReadJSONLNamesTheBadLine(t *testing.T) {
	in := `{"process":0,"kind":"read","invoke_ns":1,"complete_ns":2,"outcome":"ok"}

{"process":0,"kind":"read","invoke_ns":1,"complete_ns":2,"outcome":"maybe"}
`
	_, err := ReadJSONL(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), `"maybe"`) {
		t.Fatalf("err = %v, want one naming line 3 and the bad outcome", err)
	}
}

func TestFinishTurnsPendingIntoInfo(t *testing.T) {
	var h History
	a := h.Invoke(Op{Process: 0, Kind: Write, Key: "k", Value: Int(1), Invoke: 5})
	b := h.Invoke(Op{Process: 1, Kind: Read, Key: "k", Invoke: 6})
	h.Complete(b, 9, Ok, Int(1), "")
	if h.Pending() != 1 {
		t.Fatalf("Pending() = %d, want 1", h.Pending())
	}
	h.Finish(100)
	op := h.Ops()[a]
	if op.Outcome != Info || op.Complete != 100 || op.Error == "" {
		t.Errorf("pending op after Finish = %+v, want Info completing at 100 with an error", op)
	}
	if h.Ops()[b].Outcome != Ok {
		t.Errorf("completed op changed by Finish: %+v", h.Ops()[b])
	}
	if h.Pending() != 0 {
		t.Errorf("Pending() = %d after Finish", h.Pending())
	}
}

func TestCompleteTwicePanics(t *testing.T) {
	var h History
	i := h.Invoke(Op{Kind: Write, Key: "k", Invoke: 1})
	h.Complete(i, 2, Info, None, "timeout")
	defer func() {
		if recover() == nil {
			t.Error("second Complete did not panic")
		}
	}()
	h.Complete(i, 3, Ok, None, "")
}

func TestValueEqualMatchesRedisStrings(t *testing.T) {
	tests := []struct {
		a, b Value
		want bool
	}{
		{Int(5), Str("5"), true},
		{Int(5), Str("05"), false},
		{Int(5), Str("+5"), false},
		{Int(0), Str("0"), true},
		{Int(0), Str("-0"), false},
		{Int(-9223372036854775808), Str("-9223372036854775808"), true},
		{Int(1), Str("99999999999999999999"), false},
		{Int(-3), Str("-3"), true},
		{Str("x"), Str("x"), true},
		{None, Str(""), false},
		{None, None, true},
		{Int(0), None, false},
	}
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestOutcomeText(t *testing.T) {
	for _, o := range []Outcome{Pending, Ok, Fail, Info} {
		b, err := o.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Outcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("%v: round trip gave %v, %v", o, back, err)
		}
	}
}

// BenchmarkRecord is one operation invoked and completed, in histories of
// 10,000 operations (a default run's size).
func BenchmarkRecord(b *testing.B) {
	var h History
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%10000 == 0 {
			h = History{}
		}
		t := clock.Time(i)
		j := h.Invoke(Op{Process: i % 10, Node: "n1", Kind: Write, Key: "k", Value: Int(int64(i)), Invoke: t})
		h.Complete(j, t+1, Ok, None, "")
	}
}

// BenchmarkSelectByKey picks a third of a 30,000-operation history (a
// failover-partition run's size) by key, as scenarios.KeyOps does.
func BenchmarkSelectByKey(b *testing.B) {
	var h History
	keys := []string{"r1", "s1", "c1"}
	for i := 0; i < 30000; i++ {
		t := clock.Time(i)
		j := h.Invoke(Op{Process: i % 12, Node: "n1", Kind: Write, Key: keys[i%3], Value: Int(int64(i)), Invoke: t})
		h.Complete(j, t+1, Ok, None, "")
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if got := h.SelectByKey(func(key string) bool { return key[0] == 's' }); len(got) != 10000 {
			b.Fatalf("SelectByKey kept %d operations, want 10000", len(got))
		}
	}
}

func BenchmarkWriteJSONL(b *testing.B) {
	ops := make([]Op, 10000)
	for i := range ops {
		ops[i] = Op{Process: i % 10, Node: "n1", Kind: Write, Key: "k3", Value: Int(int64(i)), Invoke: clock.Time(i * 1000), Complete: clock.Time(i*1000 + 500), Outcome: Ok}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := WriteJSONL(io.Discard, ops); err != nil {
			b.Fatal(err)
		}
	}
}

// A streaming history passes on, in invocation order, each operation
// invoked before its keepFrom once every earlier one has completed, and
// keeps the rest; a pending operation holds back the ones after it.
func TestStream(t *testing.T) {
	var h History
	var got []string
	h.Stream(clock.Time(100), func(op *Op) { got = append(got, op.Key+"/"+op.Outcome.String()) })
	total := 3*chunkLen + 5
	idx := make([]int, total)
	for i := range idx {
		at := clock.Time(i % 100)
		if i >= total-3 {
			at = 100 // the kept tail
		}
		idx[i] = h.Invoke(Op{Process: i, Kind: Write, Key: fmt.Sprint(i), Invoke: at})
	}
	// Complete all but operation 1 (and the tail): only operation 0 goes.
	for i := range idx {
		if i != 1 {
			h.Complete(idx[i], 200, Ok, Int(int64(i)), "")
		}
	}
	if len(got) != 1 || got[0] != "0/ok" || h.Streamed() != 1 {
		t.Fatalf("with operation 1 pending, streamed %v (Streamed %d), want only 0", got, h.Streamed())
	}
	h.Complete(idx[1], 200, Fail, None, "ERR")
	if h.Streamed() != total-3 || len(got) != total-3 || got[1] != "1/fail" || got[len(got)-1] != fmt.Sprint(total-4)+"/ok" {
		t.Fatalf("streamed %d (%d passed on), want %d in order", h.Streamed(), len(got), total-3)
	}
	ops := h.Ops()
	if len(ops) != 3 || ops[0].Key != fmt.Sprint(total-3) || h.Len() != total {
		t.Fatalf("kept %d ops starting %q, Len %d; want the 3 of the tail, Len %d", len(ops), ops[0].Key, h.Len(), total)
	}
	even := 0
	for p := total - 3; p < total; p++ {
		even += 1 - p%2
	}
	evenKey := func(key string) bool { return (key[len(key)-1]-'0')%2 == 0 } // the key is the process
	if sel := h.SelectByKey(evenKey); len(sel) != even {
		t.Fatalf("SelectByKey over the kept tail gave %d", len(sel))
	}
	for c := 0; c < 3; c++ {
		if h.chunks[c] != nil {
			t.Fatalf("chunk %d, wholly streamed, is still held", c)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Op of a streamed operation did not panic")
		}
	}()
	h.Op(0)
}

// Finish streams the operations it turns to Info.
func TestStreamFinish(t *testing.T) {
	var h History
	n := 0
	h.Stream(clock.Time(50), func(op *Op) {
		n++
		if op.Outcome != Info {
			t.Errorf("streamed %v, want info", op.Outcome)
		}
	})
	h.Invoke(Op{Kind: Read, Key: "a", Invoke: 10})
	h.Invoke(Op{Kind: Read, Key: "b", Invoke: 60})
	h.Finish(100)
	if n != 1 || len(h.Ops()) != 1 || h.Ops()[0].Key != "b" {
		t.Fatalf("streamed %d, kept %v", n, h.Ops())
	}
}

// A Summary counts every operation and keeps an even sample of bounded
// size.
func TestSummary(t *testing.T) {
	var s Summary
	n := 5*SummarySampleMax + 7
	for i := 0; i < n; i++ {
		o := Ok
		if i%10 == 0 {
			o = Info
		}
		s.Add(&Op{Process: i, Outcome: o, Invoke: clock.Time(i) * 1e6, Complete: clock.Time(i)*1e6 + 5e5, Elems: []Value{Int(1)}})
	}
	if s.Ops != n || s.Outcomes[Info] != (n+9)/10 || s.Outcomes[Ok] != n-(n+9)/10 {
		t.Fatalf("counts %d %v", s.Ops, s.Outcomes)
	}
	total := 0
	for _, c := range s.Completed[Ok] {
		total += c
	}
	if total != s.Outcomes[Ok] || len(s.Completed[Ok]) != (n-1)/1000+1 {
		t.Fatalf("per-second counts add to %d over %d seconds", total, len(s.Completed[Ok]))
	}
	ok, stride := s.Sample(Ok)
	if len(ok) >= SummarySampleMax || len(ok) < SummarySampleMax/2 || stride < 8 {
		t.Fatalf("ok sample %d ops, stride %d", len(ok), stride)
	}
	if ok[0].Process != 1 || ok[1].Process-ok[0].Process < 8 || ok[0].Elems != nil {
		t.Fatalf("sample starts %d, %d (elems %v)", ok[0].Process, ok[1].Process, ok[0].Elems)
	}
	if info, st := s.Sample(Info); len(info)*st < s.Outcomes[Info]-st || st < 1 {
		t.Fatalf("info sample %d ops at stride %d for %d", len(info), st, s.Outcomes[Info])
	}
}
