package client

import (
	"math/rand/v2"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// Register is GET and SET over the keys r0, r1, ... r{Keys-1}. Every write
// sets a value no other write of the run sets (the client's uniq), so a read
// names the write it saw.
type Register struct {
	// Keys is the size of the key space; below 1 means 1.
	Keys int
	// ReadFraction is the share of reads, in [0, 1]; the rest are writes.
	ReadFraction float64
}

// NewRegister returns the default register workload: 5 keys, half reads.
func NewRegister() *Register { return &Register{Keys: 5, ReadFraction: 0.5} }

// Next implements Workload.
func (w *Register) Next(r *rand.Rand, uniq int64) (op history.Op, cmd [][]byte) {
	cmd = w.next(&op, r, uniq, &cmdBuf{})
	return op, cmd
}

func (w *Register) next(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte {
	key := b.key(r, "r", w.Keys)
	if r.Float64() < w.ReadFraction {
		*op = history.Op{Kind: history.Read, Key: key}
		return b.str("GET").str(key).done()
	}
	*op = history.Op{Kind: history.Write, Key: key, Value: history.Int(uniq)}
	return b.str("SET").str(key).int(uniq).done()
}

// Decode implements Workload.
func (w *Register) Decode(op *history.Op, v resp.Value) error { return decodeRegister(op, v) }

func decodeRegister(op *history.Op, v resp.Value) error {
	var err error
	switch op.Kind {
	case history.Read:
		op.Result, err = bulkValue(v)
	case history.Write:
		err = okReply(v)
	case history.CAS:
		var n int64
		if n, err = intValue(v); err == nil && n != 0 && n != 1 {
			err = errUnexpected
		}
		op.Result = history.Int(n)
	default:
		err = errUnexpected
	}
	return err
}

// casScript sets KEYS[1] to ARGV[2] if it holds ARGV[1], atomically, and
// returns 1 if it did, 0 if not.
const casScript = "if redis.call('get',KEYS[1]) == ARGV[1] then redis.call('set',KEYS[1],ARGV[2]) return 1 else return 0 end"

// CASRegister is GET (read), SET (write) and a compare-and-set by EVAL (cas)
// over the keys r0 ... r{Keys-1}. Values are drawn from the small range
// [0, Values), as in Jepsen's cas-register, so that a cas often finds the
// value it expects; a cas's Result is Int(1) when it swapped, Int(0) when
// the comparison failed.
type CASRegister struct {
	// Keys is the size of the key space; below 1 means 1.
	Keys int
	// Values is the size of the value range; below 1 means 1.
	Values int
	// ReadFraction and WriteFraction are the shares of reads and writes,
	// summing to at most 1; the rest are cas.
	ReadFraction, WriteFraction float64
}

// NewCASRegister returns the default cas-register workload: 5 keys, values
// 0 to 4, 40% reads, 30% writes, 30% cas.
func NewCASRegister() *CASRegister {
	return &CASRegister{Keys: 5, Values: 5, ReadFraction: 0.4, WriteFraction: 0.3}
}

// Next implements Workload.
func (w *CASRegister) Next(r *rand.Rand, uniq int64) (op history.Op, cmd [][]byte) {
	cmd = w.next(&op, r, uniq, &cmdBuf{})
	return op, cmd
}

func (w *CASRegister) next(op *history.Op, r *rand.Rand, _ int64, b *cmdBuf) [][]byte {
	key := b.key(r, "r", w.Keys)
	n := max(w.Values, 1)
	x := r.Float64()
	switch {
	case x < w.ReadFraction:
		*op = history.Op{Kind: history.Read, Key: key}
		return b.str("GET").str(key).done()
	case x < w.ReadFraction+w.WriteFraction:
		v := int64(r.IntN(n))
		*op = history.Op{Kind: history.Write, Key: key, Value: history.Int(v)}
		return b.str("SET").str(key).int(v).done()
	}
	expect, v := int64(r.IntN(n)), int64(r.IntN(n))
	*op = history.Op{Kind: history.CAS, Key: key, Expect: history.Int(expect), Value: history.Int(v)}
	return b.str("EVAL").str(casScript).str("1").str(key).int(expect).int(v).done()
}

// Decode implements Workload.
func (w *CASRegister) Decode(op *history.Op, v resp.Value) error { return decodeRegister(op, v) }

// Counter is INCR (incr, Result the new value) and GET (read) over the keys
// n0 ... n{Keys-1}.
type Counter struct {
	// Keys is the size of the key space; below 1 means 1.
	Keys int
	// ReadFraction is the share of reads, in [0, 1]; the rest are INCR.
	ReadFraction float64
	// Deltas makes the writes INCR, INCRBY, DECR and DECRBY by small
	// amounts, Value holding the signed increment, instead of INCR alone.
	Deltas bool
}

// NewCounter returns the default counter workload: one key, half reads.
func NewCounter() *Counter { return &Counter{Keys: 1, ReadFraction: 0.5} }

// Next implements Workload.
func (w *Counter) Next(r *rand.Rand, uniq int64) (op history.Op, cmd [][]byte) {
	cmd = w.next(&op, r, uniq, &cmdBuf{})
	return op, cmd
}

func (w *Counter) next(op *history.Op, r *rand.Rand, _ int64, b *cmdBuf) [][]byte {
	key := b.key(r, "n", w.Keys)
	if r.Float64() < w.ReadFraction {
		*op = history.Op{Kind: history.Read, Key: key}
		return b.str("GET").str(key).done()
	}
	if !w.Deltas {
		*op = history.Op{Kind: history.Incr, Key: key, Value: history.Int(1)}
		return b.str("INCR").str(key).done()
	}
	switch d := int64(1 + r.IntN(100)); r.IntN(4) {
	case 0:
		*op = history.Op{Kind: history.Incr, Key: key, Value: history.Int(1)}
		return b.str("INCR").str(key).done()
	case 1:
		*op = history.Op{Kind: history.Incr, Key: key, Value: history.Int(-1)}
		return b.str("DECR").str(key).done()
	case 2:
		*op = history.Op{Kind: history.Incr, Key: key, Value: history.Int(d)}
		return b.str("INCRBY").str(key).int(d).done()
	default:
		*op = history.Op{Kind: history.Incr, Key: key, Value: history.Int(-d)}
		return b.str("DECRBY").str(key).int(d).done()
	}
}

// Decode implements Workload.
func (w *Counter) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case history.Read:
		res, err := bulkValue(v)
		if _, isInt := res.Int(); err == nil && !res.IsNone() && !isInt {
			err = errUnexpected
		}
		op.Result = res
		return err
	case history.Incr:
		n, err := intValue(v)
		op.Result = history.Int(n)
		return err
	}
	return errUnexpected
}
