package client

import (
	"math/rand/v2"
	"strconv"

	"github.com/redsim/redsim/history"
	"github.com/redsim/redsim/nodes/resp"
)

// The kinds of the TTL and float workloads' operations. No checker models
// them; what they test is judged by the nodes' digests, which cover every
// key's expiry time, and by PEXPIRETIME compared across nodes.
const (
	// SetPX is SET key value PX ms NX: Result Int(1) when it set the key,
	// Int(0) when the key existed.
	SetPX history.Kind = "set-px"
	// Expire is EXPIRE, PEXPIRE, PEXPIREAT or EXPIRE ... NX: Result Int(1)
	// when a TTL was set.
	Expire history.Kind = "expire"
	// Persist is PERSIST: Result Int(1) when a TTL was removed.
	Persist history.Kind = "persist"
	// GetEx is GETEX key PX ms, or GET of a TTL key: Result is the value.
	GetEx history.Kind = "getex"
	// IncrFloat is INCRBYFLOAT key Value: Result is the new value.
	IncrFloat history.Kind = "incrbyfloat"
)

// TTL is keys with a time to live, written once and never rewritten, over
// x0 ... x{Keys-1}: SET PX NX creates a key that expires within seconds
// (and may be created again, with a new value, once it has), EXPIRE and
// PEXPIRE change its TTL, PEXPIREAT moves it far into the future, PERSIST
// removes it, GETEX PX reads and changes it, GET reads. It exercises how
// a master propagates relative and absolute expiry times, its active and
// lazy expiry, and the DELs these propagate.
type TTL struct {
	// Keys is the number of keys; below 1 means 1.
	Keys int
}

// NewTTL returns the default TTL workload: 50 keys.
func NewTTL() *TTL { return &TTL{Keys: 50} }

// farFuture is 2100-01-01 in Unix milliseconds: a PEXPIREAT that no run
// reaches, whatever the nodes' clocks say.
const farFuture = 4102444800000

// Next implements Workload.
func (w *TTL) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	key := pickKey(r, "x", w.Keys)
	ms := func() string { return strconv.Itoa(200 + r.IntN(5000)) }
	switch x := r.IntN(20); {
	case x < 6:
		return history.Op{Kind: SetPX, Key: key, Value: history.Int(uniq)},
			cmd("SET", key, strconv.FormatInt(uniq, 10), "PX", ms(), "NX")
	case x < 8:
		return history.Op{Kind: Expire, Key: key}, cmd("EXPIRE", key, strconv.Itoa(1+r.IntN(8)))
	case x < 10:
		return history.Op{Kind: Expire, Key: key}, cmd("PEXPIRE", key, ms())
	case x < 11:
		return history.Op{Kind: Expire, Key: key}, cmd("PEXPIREAT", key, strconv.FormatInt(farFuture-int64(r.IntN(1<<30)), 10))
	case x < 12:
		return history.Op{Kind: Persist, Key: key}, cmd("PERSIST", key)
	case x < 15:
		return history.Op{Kind: GetEx, Key: key}, cmd("GETEX", key, "PX", ms())
	}
	return history.Op{Kind: GetEx, Key: key}, cmd("GET", key)
}

// Decode implements Workload.
func (w *TTL) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case SetPX:
		if v.IsNull {
			op.Result = history.Int(0)
			return nil
		}
		op.Result = history.Int(1)
		return okReply(v)
	case Expire, Persist:
		n, err := intValue(v)
		op.Result = history.Int(n)
		return err
	case GetEx:
		var err error
		op.Result, err = bulkValue(v)
		return err
	}
	return errUnexpected
}

// Float is INCRBYFLOAT over f0 ... f{Keys-1}, each key given a TTL far
// longer than a run by EXPIRE ... NX, so that how INCRBYFLOAT is propagated
// (as SET ... KEEPTTL since Redis 6.2) decides whether replicas keep it.
type Float struct {
	// Keys is the number of keys; below 1 means 1.
	Keys int
}

// NewFloat returns the default float workload: 20 keys.
func NewFloat() *Float { return &Float{Keys: 20} }

// Next implements Workload.
func (w *Float) Next(r *rand.Rand, _ int64) (history.Op, [][]byte) {
	key := pickKey(r, "f", w.Keys)
	if r.IntN(5) == 0 {
		return history.Op{Kind: Expire, Key: key}, cmd("EXPIRE", key, "100000", "NX")
	}
	// Halves and quarters: exact in binary, so every node's sum is the same.
	d := strconv.FormatFloat(float64(r.IntN(41)-20)/4, 'f', -1, 64)
	return history.Op{Kind: IncrFloat, Key: key, Value: history.Str(d)}, cmd("INCRBYFLOAT", key, d)
}

// Decode implements Workload.
func (w *Float) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case Expire:
		n, err := intValue(v)
		op.Result = history.Int(n)
		return err
	case IncrFloat:
		var err error
		op.Result, err = bulkValue(v)
		if err == nil && op.Result.IsNone() {
			err = errUnexpected
		}
		return err
	}
	return errUnexpected
}

// Expiring is keys that expire on their own, over e0 ... e{Keys-1}: SET
// key "U.MS" PX MS NX, whose value carries its own time to live (U makes it
// unique), and GET. With ReadOnly it only reads, for clients on replicas:
// a replica must not serve a key its clock says has expired, though it
// keeps it until its master's DEL arrives (checker.ExpiredReads).
type Expiring struct {
	// Keys is the number of keys; below 1 means 1.
	Keys int
	// ReadOnly makes every operation a GET.
	ReadOnly bool
}

// Next implements Workload.
func (w *Expiring) Next(r *rand.Rand, uniq int64) (history.Op, [][]byte) {
	key := pickKey(r, "e", w.Keys)
	if w.ReadOnly || r.IntN(2) == 0 {
		return history.Op{Kind: GetEx, Key: key}, cmd("GET", key)
	}
	ms := strconv.Itoa(100 + r.IntN(3000))
	v := strconv.FormatInt(uniq, 10) + "." + ms
	return history.Op{Kind: SetPX, Key: key, Value: history.Str(v)}, cmd("SET", key, v, "PX", ms, "NX")
}

// Decode implements Workload.
func (w *Expiring) Decode(op *history.Op, v resp.Value) error {
	switch op.Kind {
	case SetPX:
		if v.IsNull {
			op.Result = history.Int(0)
			return nil
		}
		op.Result = history.Int(1)
		return okReply(v)
	case GetEx:
		var err error
		op.Result, err = bulkValue(v)
		return err
	}
	return errUnexpected
}
