package checker

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/redsim/redsim/clock"
	"github.com/redsim/redsim/history"
)

const ms = clock.Time(1e6)

// op builds an operation for hand-written histories; times in milliseconds.
func op(p int, kind history.Kind, key string, value history.Value, invoke, complete int64, outcome history.Outcome, result history.Value) history.Op {
	return history.Op{Process: p, Node: "n1", Kind: kind, Key: key, Value: value, Result: result,
		Invoke: clock.Time(invoke) * ms, Complete: clock.Time(complete) * ms, Outcome: outcome}
}

// genRegister returns a linearizable register history of n operations over
// keys keys and clients clients: each operation takes effect at a point
// inside its interval, and a fraction info of the writes time out (half of
// them take effect later, half never).
func genRegister(seed uint64, n, keys, clients int, info float64) []history.Op {
	rng := rand.New(rand.NewPCG(seed, 1))
	type gen struct {
		op history.Op
		lp clock.Time // linearization point; clock.Never: never applied
	}
	ops := make([]gen, 0, n)
	now := make([]clock.Time, clients)
	next := 0
	for len(ops) < n {
		p := rng.IntN(clients)
		k := "k" + strconv.Itoa(rng.IntN(keys))
		inv := now[p] + clock.Time(rng.Int64N(int64(ms)))
		lp := inv + clock.Time(rng.Int64N(int64(2*ms))+1)
		done := lp + clock.Time(rng.Int64N(int64(2*ms))+1)
		g := gen{op: history.Op{Process: p, Node: "n1", Key: k, Invoke: inv, Complete: done, Outcome: history.Ok}, lp: lp}
		if rng.IntN(2) == 0 {
			g.op.Kind = history.Read
		} else {
			next++
			g.op.Kind, g.op.Value = history.Write, history.Int(int64(next))
			if rng.Float64() < info {
				g.op.Outcome, g.op.Error = history.Info, "timeout"
				g.op.Complete = inv + 5*ms
				done = g.op.Complete
				switch rng.IntN(2) {
				case 0:
					g.lp = clock.Never
				default:
					g.lp = inv + clock.Time(rng.Int64N(int64(20*ms)))
				}
			}
		}
		now[p] = done
		ops = append(ops, g)
	}
	order := make([]int, len(ops))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpInt64(int64(ops[a].lp), int64(ops[b].lp)) })
	state := map[string]history.Value{}
	for _, i := range order {
		g := &ops[i]
		if g.lp == clock.Never {
			continue
		}
		switch g.op.Kind {
		case history.Read:
			g.op.Result = state[g.op.Key]
		case history.Write:
			state[g.op.Key] = g.op.Value
		}
	}
	out := make([]history.Op, len(ops))
	for i := range ops {
		out[i] = ops[i].op
	}
	slices.SortStableFunc(out, func(a, b history.Op) int { return cmpInt64(int64(a.Invoke), int64(b.Invoke)) })
	return out
}

// genConcurrentWrites returns a linearizable register history on key that
// makes porcupine search hard: in each of rounds rounds, writers processes
// write distinct values in overlapping intervals, then a read sees the value
// of the first writer. Porcupine tries the writes in invocation order, so it
// must go through most orders of the others before it puts the first writer
// last: the search takes about writers * 2^(writers-1) steps a round.
func genConcurrentWrites(key string, writers, rounds int) []history.Op {
	var ops []history.Op
	t := int64(0) // µs
	us := clock.Time(1000)
	for r := range rounds {
		for w := range writers {
			v := history.Int(int64(r*writers + w + 1))
			ops = append(ops, history.Op{Process: w, Node: "n1", Kind: history.Write, Key: key, Value: v,
				Invoke: clock.Time(t+int64(w)) * us, Complete: clock.Time(t+10_000+int64(w)) * us, Outcome: history.Ok})
		}
		ops = append(ops, history.Op{Process: writers, Node: "n1", Kind: history.Read, Key: key, Result: history.Int(int64(r*writers + 1)),
			Invoke: clock.Time(t+11_000) * us, Complete: clock.Time(t+12_000) * us, Outcome: history.Ok})
		t += 20_000
	}
	return ops
}

// injectStaleRead makes the first Ok read in the second half of ops that can
// be made stale return the value of an Ok write that another Ok write of its
// key overwrote before the read was invoked: no linearization explains it,
// as the written values are unique. It returns the read's index, or -1.
func injectStaleRead(ops []history.Op) int {
	for i := len(ops) / 2; i < len(ops); i++ {
		r := &ops[i]
		if r.Kind != history.Read || r.Outcome != history.Ok {
			continue
		}
		var later *history.Op // the overwriting write
		for j := i - 1; j >= 0; j-- {
			w := &ops[j]
			if w.Key != r.Key || w.Kind != history.Write || w.Outcome != history.Ok {
				continue
			}
			if later == nil {
				if w.Complete < r.Invoke {
					later = w
				}
				continue
			}
			if w.Complete < later.Invoke {
				r.Result = w.Value
				return i
			}
		}
	}
	return -1
}
