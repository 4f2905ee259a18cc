package checker

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/redsim/redsim/history"
)

var (
	ok   = history.Ok
	fail = history.Fail
	info = history.Info
	none = history.None
	i64  = history.Int
	str  = history.Str
)

func TestLinearizableRegisterPasses(t *testing.T) {
	ops := []history.Op{
		op(0, history.Read, "x", none, 0, 5, ok, none), // missing key
		op(0, history.Write, "x", i64(1), 10, 20, ok, none),
		op(1, history.Read, "x", none, 15, 25, ok, i64(0)), // concurrent with the write: old or new
		op(2, history.Read, "x", none, 30, 40, ok, str("1")),
		op(1, history.Write, "x", i64(2), 35, 45, fail, none), // never happened
		op(2, history.Read, "x", none, 50, 60, ok, i64(1)),
	}
	ops[2].Result = none
	if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Ok {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	gen := genRegister(1, 2000, 5, 8, 0.05)
	if r := Linearizable(Register, gen, LinearizableOptions{}); r.Verdict != Ok {
		t.Fatalf("generated linearizable history: verdict %v: %s", r.Verdict, r.Summary)
	}
	// The same history with one read of a value nobody wrote must fail.
	for i := len(gen) / 2; i < len(gen); i++ {
		if gen[i].Kind == history.Read {
			gen[i].Result = i64(-1)
			break
		}
	}
	if r := Linearizable(Register, gen, LinearizableOptions{}); r.Verdict != Violation {
		t.Fatalf("a read of a value never written passed: %v: %s", r.Verdict, r.Summary)
	}
}

func TestStaleReadIsViolation(t *testing.T) {
	ops := []history.Op{
		op(0, history.Write, "a", i64(7), 0, 100, ok, none), // another key, fine
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(2), 20, 30, ok, none),
		op(2, history.Read, "x", none, 40, 50, ok, i64(1)), // stale: 2 was acknowledged at 30
		op(1, history.Read, "a", none, 110, 120, ok, i64(7)),
	}
	r := Linearizable(Register, ops, LinearizableOptions{})
	if r.Verdict != Violation {
		t.Fatalf("verdict %v, want violation: %s", r.Verdict, r.Summary)
	}
	if r.Evidence.Key != "x" {
		t.Errorf("evidence key %q, want x", r.Evidence.Key)
	}
	found := false
	for _, o := range r.Evidence.Ops {
		if o.Kind == history.Read && o.Process == 2 && o.Key == "x" {
			found = true
		}
		if o.Key != "x" {
			t.Errorf("evidence holds an op of another key: %+v", o)
		}
	}
	if !found {
		t.Errorf("the stale read is not in the evidence: %+v", r.Evidence.Ops)
	}
	if !strings.Contains(r.Summary, "process 2's read") {
		t.Errorf("summary does not name the stale read: %s", r.Summary)
	}
	if r.Evidence.To != ops[3].Complete || r.Evidence.From > ops[2].Invoke {
		t.Errorf("window [%v, %v] does not cover the write of 2 and the read", r.Evidence.From, r.Evidence.To)
	}
}

func TestInfoWriteMayOrMayNotHaveHappened(t *testing.T) {
	base := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(2), 20, 30, info, none), // timed out
	}
	tests := []struct {
		name  string
		reads []history.Op
		want  Verdict
	}{
		{"seen", []history.Op{op(2, history.Read, "x", none, 40, 50, ok, i64(2))}, Ok},
		{"not seen", []history.Op{op(2, history.Read, "x", none, 40, 50, ok, i64(1))}, Ok},
		{"seen much later", []history.Op{
			op(2, history.Read, "x", none, 40, 50, ok, i64(1)),
			op(2, history.Read, "x", none, 1000, 1010, ok, i64(2)),
		}, Ok},
		{"seen then unseen", []history.Op{
			op(2, history.Read, "x", none, 40, 50, ok, i64(2)),
			op(2, history.Read, "x", none, 60, 70, ok, i64(1)),
		}, Violation},
		{"seen before it was sent", []history.Op{op(2, history.Read, "x", none, 12, 18, ok, i64(2))}, Violation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := append(append([]history.Op(nil), base...), tt.reads...)
			if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != tt.want {
				t.Errorf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
		})
	}
}

func TestFailedWriteNeverHappened(t *testing.T) {
	ops := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(2), 20, 30, fail, none),
		op(2, history.Read, "x", none, 40, 50, ok, i64(2)),
	}
	if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Violation {
		t.Errorf("a read of a failed write passed: %s", r.Summary)
	}
}

func TestCASRegister(t *testing.T) {
	cas := func(p int, expect, value int64, a, b int64, out history.Outcome, swapped int64) history.Op {
		o := op(p, history.CAS, "x", i64(value), a, b, out, i64(swapped))
		o.Expect = i64(expect)
		return o
	}
	tests := []struct {
		name string
		ops  []history.Op
		want Verdict
	}{
		{"swap then compare fails", []history.Op{
			op(0, history.Write, "x", i64(1), 0, 10, ok, none),
			cas(1, 1, 2, 20, 30, ok, 1),
			cas(2, 1, 3, 40, 50, ok, 0),
			op(0, history.Read, "x", none, 60, 70, ok, i64(2)),
		}, Ok},
		{"compare failed on a matching value", []history.Op{
			op(0, history.Write, "x", i64(1), 0, 10, ok, none),
			cas(1, 1, 2, 20, 30, ok, 0),
		}, Violation},
		{"two swaps from the same value", []history.Op{
			op(0, history.Write, "x", i64(1), 0, 10, ok, none),
			cas(1, 1, 2, 20, 30, ok, 1),
			cas(2, 1, 3, 20, 30, ok, 1),
		}, Violation},
		{"info cas seen", []history.Op{
			op(0, history.Write, "x", i64(1), 0, 10, ok, none),
			cas(1, 1, 2, 20, 30, info, 0),
			op(0, history.Read, "x", none, 60, 70, ok, i64(2)),
		}, Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := Linearizable(CASRegister, tt.ops, LinearizableOptions{}); r.Verdict != tt.want {
				t.Errorf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
		})
	}
}

func TestCounter(t *testing.T) {
	tests := []struct {
		name string
		ops  []history.Op
		want Verdict
	}{
		{"concurrent increments", []history.Op{
			op(0, history.Read, "c", none, 0, 5, ok, none),
			op(0, history.Incr, "c", none, 10, 20, ok, i64(2)),
			op(1, history.Incr, "c", none, 10, 20, ok, i64(1)),
			op(2, history.Incr, "c", none, 10, 20, info, none),
			op(1, history.Read, "c", none, 30, 40, ok, str("3")),
		}, Ok},
		{"duplicate result", []history.Op{
			op(0, history.Incr, "c", none, 10, 20, ok, i64(1)),
			op(1, history.Incr, "c", none, 10, 20, ok, i64(1)),
		}, Violation},
		{"lost increment", []history.Op{
			op(0, history.Incr, "c", none, 10, 20, ok, i64(1)),
			op(1, history.Incr, "c", none, 30, 40, ok, i64(2)),
			op(1, history.Read, "c", none, 50, 60, ok, i64(1)),
		}, Violation},
		// INCRBY 5 then DECRBY 5 leaves the key holding "0": a missing
		// key then is a lost one, though its value would be 0.
		{"lost key at zero", []history.Op{
			op(0, history.Incr, "c", i64(5), 10, 20, ok, i64(5)),
			op(0, history.Incr, "c", i64(-5), 30, 40, ok, i64(0)),
			op(0, history.Read, "c", none, 50, 60, ok, none),
		}, Violation},
		{"key at zero", []history.Op{
			op(0, history.Incr, "c", i64(5), 10, 20, ok, i64(5)),
			op(0, history.Incr, "c", i64(-5), 30, 40, ok, i64(0)),
			op(0, history.Read, "c", none, 50, 60, ok, str("0")),
		}, Ok},
		{"zero before any increment", []history.Op{
			op(0, history.Read, "c", none, 0, 5, ok, str("0")),
		}, Violation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := Linearizable(Counter, tt.ops, LinearizableOptions{}); r.Verdict != tt.want {
				t.Errorf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
		})
	}
}

func TestNothingToCheckIsUnknown(t *testing.T) {
	ops := []history.Op{op(0, history.Add, "s", i64(1), 0, 1, ok, none)}
	if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Unknown {
		t.Errorf("verdict %v on a history with no register op", r.Verdict)
	}
	if _, err := ParseModel("registr"); err == nil || !strings.Contains(err.Error(), "cas-register") {
		t.Errorf("ParseModel error %v does not list the models", err)
	}
}

func TestWriteVisualization(t *testing.T) {
	ops := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(2), 20, 30, ok, none),
		op(2, history.Read, "x", none, 40, 50, ok, i64(1)),
	}
	var buf bytes.Buffer
	if err := WriteVisualization(&buf, Register, ops, VisualizationOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<html") || !strings.Contains(buf.String(), "read() → 1") {
		t.Errorf("visualization lacks the page or the stale read (%d bytes)", buf.Len())
	}
	buf.Reset()
	err := WriteVisualization(&buf, Register, ops, VisualizationOptions{MaxBytes: 1000})
	if !errors.Is(err, ErrVisualizationTooLarge) || buf.Len() != 0 {
		t.Errorf("over the cap: err %v, %d bytes written; want ErrVisualizationTooLarge and nothing", err, buf.Len())
	}
}

// TestTimedOutWritesDoNotHideAStaleRead: 10,000 operations over 5 keys, 5%
// of the writes timing out, and one stale read. Each timed-out write used to
// stay open to the end of the history, and the search spent its budget
// before it could refute every order; dropped (nobody read its value) or
// closed (at the first read of it), they leave a search that ends at once.
func TestTimedOutWritesDoNotHideAStaleRead(t *testing.T) {
	ops := genRegister(7, 10000, 5, 10, 0.05)
	r := Linearizable(Register, ops, LinearizableOptions{})
	if r.Verdict != Ok {
		t.Fatalf("the linearizable history: verdict %v: %s", r.Verdict, r.Summary)
	}
	if metric(t, r, "info_writes_dropped") == 0 || metric(t, r, "info_writes_closed") == 0 || metric(t, r, "ops") != 10000 {
		t.Errorf("no timed-out write was trimmed, or the ops are miscounted: %+v", r.Metrics)
	}
	stale := injectStaleRead(ops)
	if stale < 0 {
		t.Fatal("no read could be made stale")
	}
	for _, m := range []Model{Register, CASRegister} {
		r = Linearizable(m, ops, LinearizableOptions{})
		if r.Verdict != Violation || r.Evidence.Key != ops[stale].Key {
			t.Fatalf("%s: verdict %v on key %q, want a violation on %q: %s", m.Name, r.Verdict, r.Evidence.Key, ops[stale].Key, r.Summary)
		}
		if !strings.Contains(r.Summary, describeOp(&ops[stale])) {
			t.Errorf("%s: the summary does not name the stale read %s: %s", m.Name, describeOp(&ops[stale]), r.Summary)
		}
		if steps := metric(t, r, "key_steps_max"); steps > 100_000 {
			t.Errorf("%s: the search took %v steps", m.Name, steps)
		}
	}
}

// TestTrimmingInfoWritesKeepsTheVerdict compares the verdicts with and
// without trimming on small random histories, many of them broken: a read
// given another value, a write given a value already written, a write timed
// out. infowrites.go argues they must agree.
func TestTrimmingInfoWritesKeepsTheVerdict(t *testing.T) {
	untrimmed := Register
	untrimmed.RegisterReadWrite = false
	rng := rand.New(rand.NewPCG(1, 2))
	verdicts, trimmed := map[Verdict]int{}, 0
	for i := range 3000 {
		n := 4 + rng.IntN(30)
		ops := genRegister(uint64(i), n, 1+rng.IntN(2), 2+rng.IntN(4), rng.Float64()*0.6)
		for range rng.IntN(3) {
			o := &ops[rng.IntN(len(ops))]
			switch v := history.Int(int64(rng.IntN(n/2 + 1))); {
			case o.Kind == history.Read && rng.IntN(4) == 0:
				o.Result = none
			case o.Kind == history.Read:
				o.Result = v
			case rng.IntN(2) == 0:
				o.Value = v
			default:
				o.Outcome = info
			}
		}
		got := Linearizable(Register, ops, LinearizableOptions{})
		want := Linearizable(untrimmed, ops, LinearizableOptions{})
		if got.Verdict != want.Verdict {
			t.Fatalf("history %d: trimmed %v, untrimmed %v:\n%s\n%s\n%+v", i, got.Verdict, want.Verdict, got.Summary, want.Summary, ops)
		}
		verdicts[got.Verdict]++
		if metric(t, got, "info_writes_dropped")+metric(t, got, "info_writes_closed") > 0 {
			trimmed++
		}
	}
	if verdicts[Ok] < 500 || verdicts[Violation] < 500 || trimmed < 1000 {
		t.Errorf("the histories do not exercise the trimming: %v, %d trimmed", verdicts, trimmed)
	}
}

// TestInfoWritesUntrimmedBesideACAS: a failed cas observes the state without
// naming the write it saw, so a key with a cas keeps its timed-out writes
// open. The timed-out write of 2 is read by nobody, but only it explains
// why the cas expecting 1 failed.
func TestInfoWritesUntrimmedBesideACAS(t *testing.T) {
	cas := op(2, history.CAS, "x", i64(3), 40, 50, ok, i64(0))
	cas.Expect = i64(1)
	ops := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
		op(1, history.Write, "x", i64(2), 20, 30, info, none),
		cas,
	}
	r := Linearizable(CASRegister, ops, LinearizableOptions{})
	if r.Verdict != Ok || metric(t, r, "info_writes_dropped") != 0 {
		t.Errorf("verdict %v: %s %+v", r.Verdict, r.Summary, r.Metrics)
	}
}

// BenchmarkLinearizableRegister checks a 10,000-operation register history
// over 10 keys from 10 clients, 2% of the writes timing out.
func BenchmarkLinearizableRegister(b *testing.B) {
	ops := genRegister(3, 10000, 10, 10, 0.02)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Ok {
			b.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
		}
	}
}

// TestProcessOrderAtEqualTimes: a process's read invoked the instant its
// write completed follows the write, though porcupine alone would take
// the two for concurrent.
func TestProcessOrderAtEqualTimes(t *testing.T) {
	ops := []history.Op{
		op(1, history.Write, "k", i64(7), 0, 10, ok, none),
		op(1, history.Read, "k", none, 10, 20, ok, none),
	}
	if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Violation {
		t.Errorf("a process's read of nothing right after its own write: %v (%s)", r.Verdict, r.Summary)
	}
	ops[1].Process = 2 // another process: concurrent at that instant
	if r := Linearizable(Register, ops, LinearizableOptions{}); r.Verdict != Ok {
		t.Errorf("another process's read at the write's completion: %v (%s)", r.Verdict, r.Summary)
	}
}

// A stale read's evidence names the write of the value it read, however
// long before the window around the read it came: where the value was
// taken (an old master, say) is what a reader needs.
func TestStaleReadEvidenceNamesTheValuesWrite(t *testing.T) {
	ops := []history.Op{
		op(0, history.Write, "x", i64(1), 0, 10, ok, none),
	}
	// Many later writes and reads, then a read of the first value.
	for i := int64(0); i < 40; i++ {
		ops = append(ops, op(1, history.Write, "x", i64(100+i), 1000+i*100, 1000+i*100+10, ok, none))
		ops = append(ops, op(2, history.Read, "x", none, 1000+i*100+20, 1000+i*100+30, ok, i64(100+i)))
	}
	ops = append(ops, op(3, history.Read, "x", none, 9000, 9010, ok, i64(1)))
	r := Linearizable(Register, ops, LinearizableOptions{})
	if r.Verdict != Violation {
		t.Fatalf("verdict %v: %s", r.Verdict, r.Summary)
	}
	found := false
	for _, o := range r.Evidence.Ops {
		if o.Kind == history.Write && o.Value.Equal(i64(1)) {
			found = true
		}
	}
	if !found || len(r.Evidence.Notes) == 0 || !strings.Contains(r.Evidence.Notes[0], "was written by process 0's write") || r.Evidence.From < 1000 {
		t.Errorf("evidence %+v: want the write of 1 and a note naming it", r.Evidence)
	}
}
