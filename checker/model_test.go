package checker_test

import (
	"bytes"
	"hash/maphash"
	"slices"
	"strings"
	"testing"

	"github.com/redsim/redsim/checker"
	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

// listModel is a model the package does not ship, written as a user would:
// a list that Append (RPUSH) grows at the tail and Read (LRANGE 0 -1) returns
// whole, in Elems. Its state, a []history.Value, is not comparable with ==,
// so it brings Equal and Hash.
var listModel = checker.Model{
	Name:  "list",
	Kinds: []history.Kind{history.Append, history.Read},
	Init:  func() any { return []history.Value(nil) },
	Step: func(s any, op *history.Op) (bool, any) {
		list := s.([]history.Value)
		switch op.Kind {
		case history.Append:
			// Clip: appending must not write into a state another branch
			// of the search still holds.
			return true, append(slices.Clip(list), op.Value)
		case history.Read:
			return slices.Equal(list, op.Elems), list
		}
		return false, list
	},
	Equal: func(a, b any) bool { return slices.Equal(a.([]history.Value), b.([]history.Value)) },
	Hash: func(s any) uint64 {
		var h maphash.Hash
		h.SetSeed(listSeed)
		for _, v := range s.([]history.Value) {
			h.WriteString(v.String())
			h.WriteByte(0)
		}
		return h.Sum64()
	},
	DescribeState: func(s any) string {
		var b strings.Builder
		for i, v := range s.([]history.Value) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		return "[" + b.String() + "]"
	},
}

var listSeed = maphash.MakeSeed()

const msec = clock.Time(1e6)

func appendOp(p int, v int64, invoke, complete clock.Time, out history.Outcome) history.Op {
	return history.Op{Process: p, Node: "n1", Kind: history.Append, Key: "l", Value: history.Int(v),
		Invoke: invoke * msec, Complete: complete * msec, Outcome: out}
}

func readOp(p int, invoke, complete clock.Time, elems ...history.Value) history.Op {
	if elems == nil {
		elems = []history.Value{}
	}
	return history.Op{Process: p, Node: "n1", Kind: history.Read, Key: "l", Elems: elems,
		Invoke: invoke * msec, Complete: complete * msec, Outcome: history.Ok}
}

func TestUserModelList(t *testing.T) {
	one, two, three := history.Int(1), history.Int(2), history.Int(3)
	tests := []struct {
		name string
		ops  []history.Op
		want checker.Verdict
	}{
		{"concurrent appends in either order", []history.Op{
			readOp(2, 0, 1),
			appendOp(0, 1, 2, 10, history.Ok),
			appendOp(1, 2, 5, 15, history.Ok),
			readOp(2, 20, 30, two, one),
		}, checker.Ok},
		{"an info append shows up late", []history.Op{
			appendOp(0, 1, 0, 10, history.Ok),
			appendOp(1, 3, 20, 25, history.Info),
			readOp(2, 30, 40, one),
			readOp(2, 50, 60, one, three),
		}, checker.Ok},
		{"values are canonical: a string read matches an integer append", []history.Op{
			appendOp(0, 1, 0, 10, history.Ok),
			readOp(2, 20, 30, history.Str("1")),
		}, checker.Ok},
		{"a failed append never happened", []history.Op{
			appendOp(0, 1, 0, 10, history.Ok),
			appendOp(1, 2, 20, 30, history.Fail),
			readOp(2, 40, 50, one, two),
		}, checker.Violation},
		{"appends seen out of order", []history.Op{
			appendOp(0, 1, 0, 10, history.Ok),
			appendOp(1, 2, 20, 30, history.Ok),
			readOp(2, 40, 50, two, one),
		}, checker.Violation},
		{"an element seen, then gone", []history.Op{
			appendOp(0, 1, 0, 10, history.Ok),
			appendOp(1, 3, 20, 25, history.Info),
			readOp(2, 30, 40, one, three),
			readOp(2, 50, 60, one),
		}, checker.Violation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := checker.Linearizable(listModel, tt.ops, checker.LinearizableOptions{})
			if r.Verdict != tt.want {
				t.Fatalf("verdict %v, want %v: %s", r.Verdict, tt.want, r.Summary)
			}
			if r.Checker != "linearizable/list" {
				t.Errorf("checker %q, want linearizable/list", r.Checker)
			}
			if tt.want == checker.Violation && (r.Evidence.Key != "l" || !strings.Contains(r.Summary, "process 2's read of \"l\" → [")) {
				t.Errorf("evidence on key %q, summary %q: want key l and the read named", r.Evidence.Key, r.Summary)
			}
		})
	}
}

func TestUserModelKeepsToTheBudget(t *testing.T) {
	// Six appends overlapping one another, then a read that sees them in the
	// reverse of their invocation order: the search has to try many orders.
	var ops []history.Op
	var seen []history.Value
	for p := range 6 {
		ops = append(ops, appendOp(p, int64(p), clock.Time(p), 100, history.Ok))
		seen = append([]history.Value{history.Int(int64(p))}, seen...)
	}
	ops = append(ops, readOp(9, 200, 210, seen...))
	r := checker.Linearizable(listModel, ops, checker.LinearizableOptions{})
	need, _ := r.Metric("key_steps_max")
	if r.Verdict != checker.Ok || need < 20 {
		t.Fatalf("verdict %v after %v steps, want ok after a search of some length: %s", r.Verdict, need, r.Summary)
	}
	for i := range 10 {
		again := checker.Linearizable(listModel, ops, checker.LinearizableOptions{})
		if steps, _ := again.Metric("key_steps_max"); steps != need {
			t.Fatalf("check %d took %v steps, the first %v", i+2, steps, need)
		}
	}
	if r := checker.Linearizable(listModel, ops, checker.LinearizableOptions{MaxSteps: int64(need)}); r.Verdict != checker.Ok {
		t.Errorf("budget %v, exactly the steps needed: verdict %v: %s", need, r.Verdict, r.Summary)
	}
	r = checker.Linearizable(listModel, ops, checker.LinearizableOptions{MaxSteps: int64(need) - 1})
	if steps, _ := r.Metric("key_steps_max"); r.Verdict != checker.Unknown || steps != need-1 {
		t.Errorf("budget %v, one step short: verdict %v after %v steps, want unknown after %v: %s", need-1, r.Verdict, steps, need-1, r.Summary)
	}
}

func TestUserModelVisualization(t *testing.T) {
	ops := []history.Op{
		appendOp(0, 1, 0, 10, history.Ok),
		appendOp(1, 2, 20, 30, history.Ok),
		readOp(2, 40, 50, history.Int(2), history.Int(1)),
	}
	var buf bytes.Buffer
	if err := checker.WriteVisualization(&buf, listModel, ops, checker.VisualizationOptions{}); err != nil {
		t.Fatal(err)
	}
	// The default label of an operation and the model's own DescribeState.
	for _, want := range []string{"<html", "append(2)", "read() → [2 1]", "[1, 2]"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("visualization lacks %q (%d bytes)", want, buf.Len())
		}
	}
}

func TestIncompleteModelIsUnknown(t *testing.T) {
	ops := []history.Op{appendOp(0, 1, 0, 10, history.Ok), readOp(1, 20, 30, history.Int(1))}
	for _, tt := range []struct {
		name string
		m    checker.Model
		want []string
	}{
		{"zero", checker.Model{}, []string{"zero Model", "checker.Register"}},
		{"no step", checker.Model{Name: "list", Kinds: listModel.Kinds, Init: listModel.Init}, []string{`"list" has no Step`}},
		{"nothing but a name", checker.Model{Name: "list"}, []string{"no Kinds, Init, Step"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := checker.Linearizable(tt.m, ops, checker.LinearizableOptions{})
			if r.Verdict != checker.Unknown {
				t.Fatalf("verdict %v, want unknown: %s", r.Verdict, r.Summary)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Summary, w) {
					t.Errorf("summary lacks %q: %s", w, r.Summary)
				}
			}
			var buf bytes.Buffer
			if err := checker.WriteVisualization(&buf, tt.m, ops, checker.VisualizationOptions{}); err == nil || buf.Len() != 0 {
				t.Errorf("visualization of an incomplete model: err %v, %d bytes", err, buf.Len())
			}
		})
	}
}

func TestParseModelNamesTheBuiltins(t *testing.T) {
	for _, name := range []string{"register", "cas-register", "counter"} {
		m, err := checker.ParseModel(name)
		if err != nil || m.Name != name || m.String() != name {
			t.Errorf("ParseModel(%q) = %q, %v", name, m.Name, err)
		}
	}
	m, _ := checker.ParseModel("register")
	ops := []history.Op{{Kind: history.Write, Key: "x", Value: history.Int(1), Invoke: 0, Complete: 10, Outcome: history.Ok}}
	if r := checker.Linearizable(m, ops, checker.LinearizableOptions{}); r.Checker != "linearizable/register" || r.Verdict != checker.Ok {
		t.Errorf("checker %q verdict %v, want linearizable/register ok: %s", r.Checker, r.Verdict, r.Summary)
	}
	_, err := checker.ParseModel("list")
	if want := `linearizability model "list" is unknown; one of register, cas-register, counter`; err == nil || err.Error() != want {
		t.Errorf("ParseModel(list) error %v, want %q", err, want)
	}
}
