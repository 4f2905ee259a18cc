package checker

import (
	"slices"

	"github.com/anishathalye/porcupine"

	"github.com/redsim/redsim/history"
)

// Timed-out writes are what makes a register's search hard: porcupine sees an
// Info write return at +infinity, so the search may place it anywhere after
// its invocation, and every such write stays open to the end of the history,
// multiplying the orders to try before a stale read is proven one. When the
// model's Read and Write are a register's (Model.RegisterReadWrite) and a key
// holds nothing else, trimInfoWrites rewrites the key's history H into a
// history H' that is linearizable exactly when H is, with fewer open writes.
//
// Let w be an Info write of value v, and L a linearization of H: a total
// order of H's operations (w included, or w left out: an Info operation may
// never have happened) that respects real time (a before b when a returned
// before b was called) in which every read returns the value of the last
// write before it, or the initial value when there is none.
//
// Drop: no Ok read returned v. Then H' = H without w. If L linearizes H,
// L without w linearizes H': the order of the others and real time among
// them are unchanged, and only the reads between w and the next write in L
// could change what they see, but they saw v, and no read did. If L'
// linearizes H', then L' with w placed last linearizes H: w returned at
// +infinity, so nothing must follow it, and nothing reads after it. Nothing
// about other writes is assumed, so v may be written twice.
//
// Close: some Ok read returned v, no other write writes v, and v is not the
// initial value. Let t be the earliest return among the reads of v. Then H'
// = H with w returning at max(t, w's call) instead of +infinity. If L
// linearizes H, let r be a read of v returning at t: in L it follows a write
// of v, which can only be w, so w precedes r; any operation called after t
// follows r in real time, hence w, so L respects H''s real time too (and t is
// at least w's call, or no read could have seen w). If L' linearizes H', it
// linearizes H, whose real-time constraints are a subset of H''s.
//
// The conditions depend only on the values of the key's operations, which
// trimming leaves alone, and each argument holds whatever the other
// operations' times are, so trimming every Info write at once is trimming
// them one after the other, each step keeping the verdict.
//
// Both arguments need every operation that observes the state to be a read
// that returns it, and every operation that sets it to be a write: with a
// cas on the key, a failed compare observes the state without naming the
// write it saw, so a key with any other kind of operation is left as is.

// trimInfoWrites drops or closes the Info writes of kh as the comment above
// says, when m declares RegisterReadWrite and kh holds only reads and writes.
func trimInfoWrites(m Model, kh *keyHistory) {
	if !m.RegisterReadWrite || !slices.ContainsFunc(kh.ops, isOpenWrite) {
		return
	}
	init, initIsValue := m.Init().(history.Value)
	// Per value of an open write: how many writes write it, and the
	// earliest return of a read of it (read false when none).
	type seen struct {
		writes    int
		read      bool
		firstRead int64
	}
	values := map[history.Value]*seen{}
	for _, o := range kh.ops {
		if isOpenWrite(o) {
			values[o.Input.(*history.Op).Value] = &seen{}
		}
	}
	for _, o := range kh.ops {
		op := o.Input.(*history.Op)
		switch op.Kind {
		case history.Write:
			if v := values[op.Value]; v != nil {
				v.writes++
			}
		case history.Read:
			// Info reads are left out of kh, so every read here is Ok.
			if v := values[op.Result]; v != nil && (!v.read || o.Return < v.firstRead) {
				v.read, v.firstRead = true, o.Return
			}
		default:
			return
		}
	}
	kept := kh.ops[:0]
	for _, o := range kh.ops {
		op := o.Input.(*history.Op)
		if isOpenWrite(o) {
			switch v := *values[op.Value]; {
			case !v.read:
				kh.dropped++
				continue
			case v.writes == 1 && initIsValue && op.Value != init:
				o.Return = max(v.firstRead, o.Call)
				kh.closed++
			}
		}
		kept = append(kept, o)
	}
	clear(kh.ops[len(kept):])
	kh.ops = kept
}

// isOpenWrite reports whether o is a write porcupine would see return at
// +infinity: an Info or pending one.
func isOpenWrite(o porcupine.Operation) bool {
	op := o.Input.(*history.Op)
	return op.Kind == history.Write && op.Outcome != history.Ok
}
