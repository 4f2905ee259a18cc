package checker

import (
	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/history"
)

// A linearizability search is bounded by work, not by time, so that the same
// history gets the same verdict on any machine. Porcupine's search on one
// history is deterministic (it sorts the entries and only looks its cache
// up), but it runs partitions on parallel goroutines, so one budget shared by
// the keys would be spent in a different order each run. Each key therefore
// gets its own search with its own budget, one after the other.

// searchKey runs porcupine on one key's operations, allowing maxSteps calls of
// the model's Step, built-in or not. Once they are spent every further step
// is refused, which makes porcupine unwind to the root quickly, and the
// result is Unknown whatever porcupine concluded. It returns the steps taken,
// and the partial linearizations when verbose.
func searchKey(m Model, ops []porcupine.Operation, maxSteps int64, verbose bool) (porcupine.CheckResult, porcupine.LinearizationInfo, int64) {
	pm := m.porcupine()
	var steps int64
	spent := false
	step := m.Step
	pm.Step = func(s, in, _ any) (bool, any) {
		if steps >= maxSteps {
			spent = true
			return false, s
		}
		steps++
		return step(s, in.(*history.Op))
	}
	// A zero timeout never stops the search; only the budget does.
	var res porcupine.CheckResult
	var info porcupine.LinearizationInfo
	if verbose {
		res, info = porcupine.CheckOperationsVerbose(pm, ops, 0)
	} else {
		res = porcupine.CheckOperationsTimeout(pm, ops, 0)
	}
	if spent {
		res = porcupine.Unknown
	}
	return res, info, steps
}

func maxSteps(n int64) int64 {
	if n <= 0 {
		return DefaultMaxSteps
	}
	return n
}
