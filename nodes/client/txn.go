package client

import (
	"math/rand/v2"
	"strconv"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// Txn is list-append transactions in the manner of Elle's list-append
// workload: each operation runs one to MaxMops micro-operations, each an
// RPUSH of a unique element or an LRANGE 0 -1 of a whole list, over the keys
// t0 ... t{Keys-1}, atomically: as MULTI ... EXEC, or (Script) as one EVAL.
// The list-append checker infers every key's order of appends from the
// reads and looks for cycles among the transactions.
type Txn struct {
	// Keys is the number of lists; below 1 means 1.
	Keys int
	// MaxMops is the most micro-operations in one transaction; below 1
	// means 1.
	MaxMops int
	// ReadFraction is the share of reads among micro-operations, in [0, 1].
	ReadFraction float64
	// Script runs each transaction as an EVAL of txnScript instead of
	// MULTI/EXEC.
	Script bool
	// HashTags, when positive, puts the keys in that many groups, each
	// under its own hash tag ("{t2}t7" is key 7, in group 7 mod
	// HashTags), and draws all of a transaction's keys from one group, so
	// that they share a slot, as Redis Cluster requires of MULTI/EXEC and
	// of a script's keys. Zero names the keys t0, t1, ... and mixes them
	// freely.
	HashTags int
	// Rotation, when set, retires lists after its MaxWritesPerKey
	// appends (see Rotation); the retired lists' deletions are operations
	// of their own.
	Rotation *Rotation
}

// NewTxn returns the default transaction workload: 20 lists, up to 4
// micro-operations, half of them reads, as MULTI/EXEC.
func NewTxn() *Txn { return &Txn{Keys: 20, MaxMops: 4, ReadFraction: 0.5} }

// txnScript runs KEYS[i] with ARGV[i]: an RPUSH of ARGV[i], or an LRANGE
// 0 -1 when ARGV[i] is empty, and returns each command's reply in order.
const txnScript = "local r = {} for i, k in ipairs(KEYS) do if ARGV[i] == '' then r[i] = redis.call('lrange', k, 0, -1) else r[i] = redis.call('rpush', k, ARGV[i]) end end return r"

// Next implements Workload. A MULTI/EXEC transaction's command is EXEC: the
// client queues MULTI and one command per micro-operation before it (see
// queued).
func (w *Txn) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	if op, c, ok := w.Rotation.deletion(); ok {
		return op, c
	}
	n := 1 + r.IntN(max(w.MaxMops, 1))
	mops := make([]history.Mop, n)
	tags, group := w.tags(), 0
	if tags > 0 {
		group = r.IntN(tags)
	}
	for i := range mops {
		var key string
		if tags > 0 {
			members := (max(w.Keys, 1) - group + tags - 1) / tags
			key = w.key(group + tags*r.IntN(members))
		} else {
			key = pickKey(r, "t", w.Keys)
		}
		if r.Float64() < w.ReadFraction {
			mops[i] = history.Mop{Kind: history.Read, Key: w.Rotation.current(key)}
			continue
		}
		key = w.Rotation.use(key, true)
		mops[i] = history.Mop{Kind: history.Append, Key: key, Value: history.Int(uniq*txnStride + int64(i))}
	}
	op := history.Op{Kind: history.Txn, Mops: mops}
	if !w.Script {
		return op, cmd("EXEC")
	}
	args := make([]string, 0, 3+2*n)
	args = append(args, "EVAL", txnScript, strconv.Itoa(n))
	for _, m := range mops {
		args = append(args, m.Key)
	}
	for _, m := range mops {
		if m.Kind == history.Append {
			args = append(args, elemText(m.Value))
		} else {
			args = append(args, "")
		}
	}
	return op, cmd(args...)
}

// txnStride separates the elements of one transaction: its i-th append
// writes uniq*txnStride+i, unique in the run as uniq is.
const txnStride = 16

// Decode implements Workload: EXEC's or the script's reply is one reply per
// micro-operation, an integer for an append and the list for a read.
func (w *Txn) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case history.Delete:
		return decodeDelete(op, v)
	case history.FinalRead:
		// Final's LRANGE of one list.
		elems, err := elemsValue(v)
		op.Elems = elems
		return err
	}
	return decodeTxn(op, v)
}

func decodeTxn(op *history.Op, v resp.Value) error {
	if op.Kind != history.Txn || v.Kind != resp.KindArray || v.IsNull || len(v.Elems) != len(op.Mops) {
		return errUnexpected
	}
	mops := make([]history.Mop, len(op.Mops))
	for i, m := range op.Mops {
		mops[i] = m
		switch m.Kind {
		case history.Append:
			if _, err := intValue(v.Elems[i]); err != nil {
				return err
			}
		case history.Read:
			elems, err := elemsValue(v.Elems[i])
			if err != nil {
				return err
			}
			mops[i].Elems = elems
		default:
			return errUnexpected
		}
	}
	op.Mops = mops
	return nil
}

// Final implements FinalReader: every list, read whole.
func (w *Txn) Final() []Request {
	current := w.Rotation.current
	if w.tags() == 0 {
		return finals("t", w.Keys, current, "LRANGE", "0", "-1")
	}
	out := make([]Request, max(w.Keys, 1))
	for i := range out {
		key := current(w.key(i))
		out[i] = Request{Op: history.Op{Kind: history.FinalRead, Key: key}, Cmd: cmd("LRANGE", key, "0", "-1")}
	}
	return out
}

// tags is the number of hash-tag groups, at most one per key.
func (w *Txn) tags() int { return min(max(w.HashTags, 0), max(w.Keys, 1)) }

// key is the name of key i: "t7", or "{t2}t7" with hash tags.
func (w *Txn) key(i int) string {
	if t := w.tags(); t > 0 {
		return "{t" + strconv.Itoa(i%t) + "}" + keyName("t", i)
	}
	return keyName("t", i)
}

// queued is what a client sends in the same pipeline before an
// operation's command: MULTI and one command per micro-operation before a
// transaction's EXEC, the SADD before a WaitAdd's WAIT. It is nil for any
// other operation. If Redis refuses a queued command, the operation fails
// (an EXEC after a refused command answers EXECABORT).
func queued(op *history.Op, command [][]byte) [][][]byte {
	if op.Kind == history.Add && len(command) > 0 && string(command[0]) == "WAIT" {
		return [][][]byte{cmd("SADD", op.Key, elemText(op.Value))}
	}
	if op.Kind != history.Txn || len(command) != 1 || string(command[0]) != "EXEC" {
		return nil
	}
	out := make([][][]byte, 0, 1+len(op.Mops))
	out = append(out, cmd("MULTI"))
	for _, m := range op.Mops {
		if m.Kind == history.Append {
			out = append(out, cmd("RPUSH", m.Key, elemText(m.Value)))
		} else {
			out = append(out, cmd("LRANGE", m.Key, "0", "-1"))
		}
	}
	return out
}

func elemText(v history.Value) string {
	n, _ := v.Int()
	return strconv.FormatInt(n, 10)
}
