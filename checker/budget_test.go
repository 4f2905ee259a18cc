package checker

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/redsim/redsim/history"
)

// hardOps is a linearizable history on key "h" whose search takes about
// 110,000 steps; hardViolation is the same with a last read of a value
// nobody wrote, which the search must exhaust every order to refute.
func hardOps() []history.Op { return genConcurrentWrites("h", 12, 2) }

func hardViolation() []history.Op {
	ops := hardOps()
	ops[len(ops)-1].Result = i64(-1)
	return ops
}

// staleRead is a key whose third operation reads a value overwritten before
// it was invoked.
func staleRead(key string) []history.Op {
	return []history.Op{
		op(20, history.Write, key, i64(1), 0, 10, ok, none),
		op(21, history.Write, key, i64(2), 20, 30, ok, none),
		op(22, history.Read, key, none, 40, 50, ok, i64(1)),
	}
}

func steps(t *testing.T, r Result) int64 {
	t.Helper()
	n, found := r.Metric("key_steps_max")
	if !found {
		t.Fatalf("no key_steps_max metric in %+v", r.Metrics)
	}
	return int64(n)
}

func TestSpentBudgetIsUnknownAndTheSameEveryTime(t *testing.T) {
	for _, tt := range []struct {
		name string
		ops  []history.Op
	}{
		{"linearizable", hardOps()},
		{"violation", hardViolation()},
		{"several keys", append(append(hardOps(), genConcurrentWrites("j", 12, 1)...), genRegister(4, 2000, 3, 5, 0.05)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := LinearizableOptions{MaxSteps: 1000}
			first := Linearizable(Register, tt.ops, opts)
			if first.Verdict != Unknown {
				t.Fatalf("verdict %v within 1000 steps, want unknown: %s", first.Verdict, first.Summary)
			}
			for _, want := range []string{`key "h"`, "budget of 1000 steps", "LinearizableOptions.MaxSteps"} {
				if !strings.Contains(first.Summary, want) {
					t.Errorf("summary lacks %q: %s", want, first.Summary)
				}
			}
			if got := steps(t, first); got != 1000 {
				t.Errorf("key_steps_max %d, want the whole budget, 1000", got)
			}
			for i := range 50 {
				if r := Linearizable(Register, tt.ops, opts); !reflect.DeepEqual(r, first) {
					t.Fatalf("check %d differs from the first:\n%+v\n%+v", i+2, r, first)
				}
			}
		})
	}
}

func TestDefaultBudgetDecidesAHardSearch(t *testing.T) {
	r := Linearizable(Register, hardOps(), LinearizableOptions{})
	if r.Verdict != Ok {
		t.Fatalf("verdict %v with the default budget, want ok: %s", r.Verdict, r.Summary)
	}
	need := steps(t, r)
	if need < 50_000 {
		t.Fatalf("the search took %d steps; the history is too easy to test a budget", need)
	}
	// The budget counts exactly the steps the search takes: just enough
	// decides it, one fewer does not.
	if r := Linearizable(Register, hardOps(), LinearizableOptions{MaxSteps: need}); r.Verdict != Ok || steps(t, r) != need {
		t.Errorf("budget %d, exactly the steps needed: verdict %v after %d steps: %s", need, r.Verdict, steps(t, r), r.Summary)
	}
	if r := Linearizable(Register, hardOps(), LinearizableOptions{MaxSteps: need - 1}); r.Verdict != Unknown {
		t.Errorf("budget %d, one step short: verdict %v, want unknown: %s", need-1, r.Verdict, r.Summary)
	}
	if r := Linearizable(Register, hardViolation(), LinearizableOptions{}); r.Verdict != Violation || r.Evidence.Key != "h" {
		t.Errorf("verdict %v on key %q with the default budget, want a violation on h: %s", r.Verdict, r.Evidence.Key, r.Summary)
	}
}

func TestViolationOutranksAnUndecidedKey(t *testing.T) {
	opts := LinearizableOptions{MaxSteps: 1000}
	// "h" sorts before "x" and "y": it is searched first and left undecided.
	ops := append(hardOps(), staleRead("x")...)
	r := Linearizable(Register, ops, opts)
	if r.Verdict != Violation || r.Evidence.Key != "x" {
		t.Fatalf("verdict %v on key %q, want a violation on x: %s", r.Verdict, r.Evidence.Key, r.Summary)
	}
	if !strings.Contains(r.Summary, "process 22's read") {
		t.Errorf("summary does not name the stale read: %s", r.Summary)
	}
	// Without the violation the check is undecided, and says which key
	// and how many others are.
	fine := staleRead("y")
	fine[2].Result = i64(2)
	r = Linearizable(Register, append(hardOps(), fine...), opts)
	if r.Verdict != Unknown || !strings.Contains(r.Summary, `key "h"`) || strings.Contains(r.Summary, "later key") {
		t.Errorf("verdict %v, want unknown naming h alone: %s", r.Verdict, r.Summary)
	}
	r = Linearizable(Register, append(append(hardOps(), fine...), genConcurrentWrites("z", 12, 1)...), opts)
	if r.Verdict != Unknown || !strings.Contains(r.Summary, `key "h"`) || !strings.Contains(r.Summary, "as did one later key") {
		t.Errorf("verdict %v, want unknown naming h and one later key: %s", r.Verdict, r.Summary)
	}
}

func TestVisualizationKeepsToTheBudget(t *testing.T) {
	var buf bytes.Buffer
	err := WriteVisualization(&buf, Register, hardViolation(), VisualizationOptions{MaxSteps: 1000})
	if err == nil || !strings.Contains(err.Error(), "VisualizationOptions.MaxSteps") || buf.Len() != 0 {
		t.Errorf("a violation found only past the budget was drawn: err %v, %d bytes", err, buf.Len())
	}
	if err := WriteVisualization(&buf, Register, hardViolation(), VisualizationOptions{}); err != nil || !strings.Contains(buf.String(), "<html") {
		t.Errorf("the default budget draws nothing: err %v, %d bytes", err, buf.Len())
	}
}
