package scripting

import (
	"strings"
	"testing"
)

// A pattern that backtracks exponentially is cut by the step budget, as
// a runaway loop of Lua instructions is, instead of holding the node (and
// its world) for ever.
func TestPatternBacktrackingIsCutByTheBudget(t *testing.T) {
	e := New()
	e.MaxSteps = 1_000_000
	got := evalCase{script: `return string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40) .. 'b')`}.run(t, e)
	if !strings.HasPrefix(got, "-ERR Script killed by redsim after 1000000 Lua instructions") {
		t.Fatalf("got %q", got)
	}
	// The next run has its budget again.
	if got := (evalCase{script: `return {string.find('abc', 'b')}`}).run(t, e); got != "*2\r\n:2\r\n:2\r\n" {
		t.Fatalf("after the cut: %q", got)
	}
}
