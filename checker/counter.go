package checker

import (
	"strconv"

	"github.com/redsim/redsim/history"
)

// Counter is INCR (incr, whose result is the new value) and GET (read).
// A counter no INCR has made reads as None; once made it reads as its
// value, 0 included: INCRBY 5 then DECRBY 5 leaves "0", and a None then
// means the key was lost.
var Counter = Model{
	Name:  "counter",
	Kinds: []history.Kind{history.Read, history.Incr},
	Init:  func() any { return counterState{} },
	Step:  stepCounter,
	Hash: func(s any) uint64 {
		c := s.(counterState)
		h := uint64(c.v) * 0x9e3779b97f4a7c15
		if c.made {
			h ^= 0xbf58476d1ce4e5b9
		}
		return h
	},
	DescribeState: func(s any) string {
		c := s.(counterState)
		if !c.made {
			return "missing"
		}
		return strconv.FormatInt(c.v, 10)
	},
}

// counterState is a counter's value and whether an INCR has made the key.
type counterState struct {
	v    int64
	made bool
}

func stepCounter(s any, op *history.Op) (bool, any) {
	state := s.(counterState)
	switch op.Kind {
	case history.Read:
		if op.Outcome == history.Info {
			return true, state
		}
		if op.Result.IsNone() {
			return !state.made, state
		}
		n, ok := op.Result.Int()
		return ok && state.made && n == state.v, state
	case history.Incr:
		delta := int64(1)
		if d, ok := op.Value.Int(); ok {
			delta = d
		}
		next := counterState{v: state.v + delta, made: true}
		if op.Outcome == history.Info || op.Result.IsNone() {
			return true, next
		}
		n, ok := op.Result.Int()
		return ok && n == next.v, next
	}
	return false, state
}
