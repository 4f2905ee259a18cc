package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/history"
)

// Model is the sequential specification that Linearizable checks a history
// against, in porcupine's shape: a struct of pure functions. Each key is a
// separate object that starts in Init's state, so a model describes one key.
// Register, CASRegister and Counter are built in; a user states another
// behaviour (a list, a lock, a queue over a workload's own kinds) by filling
// in a Model, without changing this package.
//
// Linearizable hands a model only Ok and Info operations of its Kinds: Fail
// operations never happened, and Info operations of kind history.Read are
// left out because a read changes nothing and an unknown result constrains
// nothing. A model's Step must therefore leave the state of a Read as it was.
type Model struct {
	// Name names the model in a Result's Checker ("linearizable/" + Name)
	// and in messages; ParseModel knows the built-in models by it.
	Name string
	// Kinds are the operation kinds the model covers; Linearizable skips
	// operations of other kinds.
	Kinds []history.Kind
	// Init returns the state of a key that no operation has touched.
	Init func() any
	// Step reports whether op can take effect on state with the result it
	// had, and returns the state after it. It must modify neither state nor
	// op, and it counts against the search budget (LinearizableOptions.MaxSteps)
	// once per call. The values in op are canonical (history.Value.Canonical),
	// so == compares what Redis would, and op.Outcome is Ok or Info. An Info
	// operation may have taken effect with any result: Step accepts it
	// wherever it could take effect. (The search may also place it after
	// every other operation, which covers its never having happened.)
	Step func(state any, op *history.Op) (bool, any)
	// Equal reports whether two states are the same; nil means ==, which
	// suits states of comparable types.
	Equal func(a, b any) bool
	// Hash returns a hash of a state, equal for Equal states; it speeds up
	// the search's cache and may be nil.
	Hash func(state any) uint64
	// DescribeOperation is how the visualization labels an operation; nil
	// means a label like "write(1)", "cas(1→2) → failed" or "read() → 2".
	DescribeOperation func(op *history.Op) string
	// DescribeState is how the visualization shows a state; nil means %v.
	DescribeState func(state any) string
	// RegisterReadWrite declares that the model's Write and Read are a
	// register's: Init returns a history.Value, a Write makes the state its
	// Value whatever the state was, and a Read returns the state as Result.
	// On a key with only reads and writes, the checker then drops the Info
	// writes whose value no read returned and closes those whose value only
	// they write at the first read of it (see infowrites.go), which keeps the
	// verdict and makes the search far shorter when writes time out. Leave
	// it false for a model whose Read or Write means anything else.
	RegisterReadWrite bool
}

// String returns the model's name.
func (m Model) String() string { return m.Name }

// covers reports whether operations of kind k belong to m.
func (m Model) covers(k history.Kind) bool { return slices.Contains(m.Kinds, k) }

// incomplete says what m lacks to be checked against, or "" when nothing.
func (m Model) incomplete() string {
	if m.Name == "" && m.Kinds == nil && m.Init == nil && m.Step == nil {
		return "the linearizability model is the zero Model; give checker.Register, checker.CASRegister, checker.Counter or a Model with Name, Kinds, Init and Step"
	}
	var missing []string
	if m.Name == "" {
		missing = append(missing, "Name")
	}
	if len(m.Kinds) == 0 {
		missing = append(missing, "Kinds")
	}
	if m.Init == nil {
		missing = append(missing, "Init")
	}
	if m.Step == nil {
		missing = append(missing, "Step")
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("linearizability model %q has no %s; a Model needs Name, Kinds, Init and Step", m.Name, strings.Join(missing, ", "))
}

// builtins are the models ParseModel knows, in the order its error lists them.
var builtins = []Model{Register, CASRegister, Counter}

// ParseModel returns the built-in model called s.
func ParseModel(s string) (Model, error) {
	names := make([]string, len(builtins))
	for i, m := range builtins {
		if m.Name == s {
			return m, nil
		}
		names[i] = m.Name
	}
	return Model{}, fmt.Errorf("linearizability model %q is unknown; one of %s", s, strings.Join(names, ", "))
}

// porcupine returns m as porcupine sees it: each operation's Input is the
// *history.Op that m.Step takes, and its Output is unused. There is no
// Partition: the checker searches one key at a time (see budget.go), and
// searchKey replaces Step with one that keeps to the budget.
func (m Model) porcupine() porcupine.Model {
	step, describe := m.Step, m.DescribeOperation
	if describe == nil {
		describe = describeOperation
	}
	return porcupine.Model{
		Init:              m.Init,
		Step:              func(s, in, _ any) (bool, any) { return step(s, in.(*history.Op)) },
		Equal:             m.Equal,
		Hash:              m.Hash,
		DescribeOperation: func(in, _ any) string { return describe(in.(*history.Op)) },
		DescribeState:     m.DescribeState,
	}
}

// stepInput returns op as a model's Step sees it: values canonical, and a
// Pending outcome (one that never completed) as Info. An op that already is
// so is returned itself; otherwise the copy is made in spare, whose chunks
// never grow in place, so earlier pointers stay valid.
func stepInput(op *history.Op, spare *[]history.Op) *history.Op {
	if op.Outcome != history.Pending && canonical(op.Value) && canonical(op.Expect) && canonical(op.Result) && allCanonical(op.Elems) {
		return op
	}
	c := *op
	if c.Outcome == history.Pending {
		c.Outcome = history.Info
	}
	c.Value, c.Expect, c.Result = c.Value.Canonical(), c.Expect.Canonical(), c.Result.Canonical()
	if !allCanonical(c.Elems) {
		c.Elems = make([]history.Value, len(op.Elems))
		for i, v := range op.Elems {
			c.Elems[i] = v.Canonical()
		}
	}
	if len(*spare) == cap(*spare) {
		*spare = make([]history.Op, 0, 64)
	}
	*spare = append(*spare, c)
	return &(*spare)[len(*spare)-1]
}

func canonical(v history.Value) bool { return v.Canonical() == v }

func allCanonical(vs []history.Value) bool {
	for _, v := range vs {
		if !canonical(v) {
			return false
		}
	}
	return true
}

// describeOperation is the default DescribeOperation.
func describeOperation(op *history.Op) string {
	var s string
	switch {
	case op.Kind == history.CAS:
		s = fmt.Sprintf("cas(%v→%v)", op.Expect, op.Value)
	case op.Kind == history.Write || op.Kind == history.Incr || !op.Value.IsNone():
		s = fmt.Sprintf("%s(%v)", op.Kind, op.Value)
	default:
		s = string(op.Kind) + "()"
	}
	switch {
	case op.Outcome != history.Ok:
		return s + " → ?"
	case op.Kind == history.CAS && op.Result == casFailed:
		return s + " → failed"
	case op.Kind == history.CAS || op.Kind == history.Write:
		return s
	case op.Elems != nil:
		return s + " → " + fmt.Sprint(op.Elems)
	case op.Result.IsNone() && op.Kind != history.Read && op.Kind != history.Incr:
		return s
	}
	return s + " → " + op.Result.String()
}
