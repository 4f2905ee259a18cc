package checker

import (
	"strconv"

	"github.com/redsim/redsim/history"
)

// Counter is INCR (incr, whose result is the new value) and GET (read); a
// missing counter reads as None or 0.
var Counter = Model{
	Name:          "counter",
	Kinds:         []history.Kind{history.Read, history.Incr},
	Init:          func() any { return int64(0) },
	Step:          stepCounter,
	Hash:          func(s any) uint64 { return uint64(s.(int64)) * 0x9e3779b97f4a7c15 },
	DescribeState: func(s any) string { return strconv.FormatInt(s.(int64), 10) },
}

// A counter's state is its int64 value.
func stepCounter(s any, op *history.Op) (bool, any) {
	state := s.(int64)
	switch op.Kind {
	case history.Read:
		if op.Outcome == history.Info {
			return true, state
		}
		if op.Result.IsNone() {
			return state == 0, state
		}
		n, ok := op.Result.Int()
		return ok && n == state, state
	case history.Incr:
		delta := int64(1)
		if d, ok := op.Value.Int(); ok {
			delta = d
		}
		next := state + delta
		if op.Outcome == history.Info || op.Result.IsNone() {
			return true, next
		}
		n, ok := op.Result.Int()
		return ok && n == next, next
	}
	return false, state
}
