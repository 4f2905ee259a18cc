package client

import (
	"math/rand/v2"
	"strconv"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// Set is SADD of unique elements (add) to the keys s0 ... s{Keys-1}, with
// optional SMEMBERS reads; at the end each key is read on every node by
// FinalRead, and the lost-write checker compares.
type Set struct {
	// Keys is the number of sets; below 1 means 1.
	Keys int
	// ReadFraction is the share of SMEMBERS reads during the run, in [0, 1].
	// A read returns the whole set, so reads make the history grow with the
	// square of the run's length.
	ReadFraction float64
	// Rotation, when set, retires keys after its MaxWritesPerKey adds
	// (see Rotation): a long run's sets stay bounded. Final reads read the
	// current generations.
	Rotation *Rotation
}

// NewSet returns the default set workload: one key, adds only.
func NewSet() *Set { return &Set{Keys: 1} }

// Next implements Workload.
func (w *Set) Next(r *rand.Rand, uniq int64) (op history.Op, c [][]byte) {
	c = w.next(&op, r, uniq, &cmdBuf{})
	return op, c
}

func (w *Set) next(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte {
	return nextCollection(op, r, uniq, b, w.Rotation, w.Keys, w.ReadFraction, "s", history.Add, "SADD", "SMEMBERS")
}

// Decode implements Workload.
func (w *Set) Decode(op *history.Op, v resp.Value) error {
	return decodeCollection(op, v, history.Add)
}

// Final implements FinalReader.
func (w *Set) Final() []Request {
	return finals("s", w.Keys, w.Rotation.current, "SMEMBERS")
}

// ListAppend is RPUSH of unique elements (append) to the keys l0 ...
// l{Keys-1}, and LRANGE 0 -1 reads (read, with Elems); at the end each key is
// read on every node by FinalRead.
type ListAppend struct {
	// Keys is the number of lists; below 1 means 1.
	Keys int
	// ReadFraction is the share of reads, in [0, 1]. A read returns the
	// whole list, so reads make the history grow with the square of the
	// run's length.
	ReadFraction float64
	// Rotation, when set, retires keys after its MaxWritesPerKey appends
	// (see Rotation).
	Rotation *Rotation
}

// NewListAppend returns the default list-append workload: 4 keys, 2% reads.
func NewListAppend() *ListAppend { return &ListAppend{Keys: 4, ReadFraction: 0.02} }

// Next implements Workload.
func (w *ListAppend) Next(r *rand.Rand, uniq int64) (op history.Op, c [][]byte) {
	c = w.next(&op, r, uniq, &cmdBuf{})
	return op, c
}

func (w *ListAppend) next(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf) [][]byte {
	return nextCollection(op, r, uniq, b, w.Rotation, w.Keys, w.ReadFraction, "l", history.Append, "RPUSH", "LRANGE", "0", "-1")
}

// nextCollection is the set and list-append workloads' next operation:
// the rotation's pending deletion, else a read of the whole collection
// (read, then the key and the rest of read's arguments) with probability
// readFraction, else writeCmd of uniq, recorded as write, on one of keys
// keys named prefix0, prefix1, ...
func nextCollection(op *history.Op, r *rand.Rand, uniq int64, b *cmdBuf, ro *Rotation, keys int, readFraction float64,
	prefix string, write history.Kind, writeCmd string, read ...string) [][]byte {
	if c, ok := ro.deletionInto(op, b); ok {
		return c
	}
	key := b.key(r, prefix, keys)
	if readFraction > 0 && r.Float64() < readFraction {
		key = ro.current(key)
		*op = history.Op{Kind: history.Read, Key: key}
		b.str(read[0]).str(key)
		for _, a := range read[1:] {
			b.str(a)
		}
		return b.done()
	}
	key = ro.use(key, true)
	*op = history.Op{Kind: write, Key: key, Value: history.Int(uniq)}
	return b.str(writeCmd).str(key).int(uniq).done()
}

// Decode implements Workload.
func (w *ListAppend) Decode(op *history.Op, v resp.Value) error {
	return decodeCollection(op, v, history.Append)
}

// Final implements FinalReader.
func (w *ListAppend) Final() []Request {
	return finals("l", w.Keys, w.Rotation.current, "LRANGE", "0", "-1")
}

func decodeCollection(op *history.Op, v resp.Value, write history.Kind) error {
	switch op.Kind {
	case history.Read, history.FinalRead:
		elems, err := elemsValue(v)
		op.Elems = elems
		return err
	case write:
		_, err := intValue(v)
		return err
	case history.Delete:
		return decodeDelete(op, v)
	}
	return errUnexpected
}

// finals reads each key prefix0 ... with command; name, when set, gives a
// key's current name (a rotated key's generation).
func finals(prefix string, keys int, name func(string) string, command string, extra ...string) []Request {
	out := make([]Request, max(keys, 1))
	for i := range out {
		key := keyName(prefix, i)
		if name != nil {
			key = name(key)
		}
		out[i] = Request{
			Op:  history.Op{Kind: history.FinalRead, Key: key},
			Cmd: cmd(append([]string{command, key}, extra...)...),
		}
	}
	return out
}

// WaitAdd is SADD of unique elements to w0 ... w{Keys-1}, each followed in
// the same pipeline by WAIT Replicas TimeoutMS: an add's Result is the
// number of replicas WAIT counted as having acknowledged it, so a checker
// can tell writes confirmed by replicas from writes only the master took.
// A refused SADD fails the operation whatever WAIT says.
type WaitAdd struct {
	// Keys is the number of sets; below 1 means 1.
	Keys int
	// Replicas and TimeoutMS are WAIT's arguments.
	Replicas, TimeoutMS int
}

// Next implements Workload.
func (w *WaitAdd) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	key := pickKey(r, "w", w.Keys)
	return history.Op{Kind: history.Add, Key: key, Value: history.Int(uniq)},
		cmd("WAIT", strconv.Itoa(w.Replicas), strconv.Itoa(w.TimeoutMS))
}

// Decode implements Workload.
func (w *WaitAdd) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case history.FinalRead:
		elems, err := elemsValue(v)
		op.Elems = elems
		return err
	case history.Add:
		n, err := intValue(v)
		op.Result = history.Int(n)
		return err
	}
	return errUnexpected
}

// Final implements FinalReader.
func (w *WaitAdd) Final() []Request { return finals("w", w.Keys, nil, "SMEMBERS") }
