package history

import (
	"math"

	"github.com/redsim/redsim/clock"
)

// rec is one operation as a History stores it: 56 bytes and no pointers,
// so that recording writes a quarter of an Op and a chunk of records is
// memory the garbage collector never scans, however long the history.
// Its strings are indexes in its chunk's table, its kind an index in the
// history's; the fields few operations have (an expected value, elements,
// micro-operations) are in the chunk's extras. decode gives the Op back
// exactly as it was recorded.
type rec struct {
	invoke, complete clock.Time
	// value and result are an Int's number or a Str's index in the
	// chunk's strs, as vk and rk say.
	value, result int64
	// process is the Op's, or bigProcess when it does not fit (then it is
	// the extra's).
	process int32
	// key, node and err are indexes in the chunk's strs (0 is "").
	key, node, err uint32
	// extra is 1 + the index of the operation's extra, or 0 when it has
	// none.
	extra uint32
	// kind is an index in the history's kinds, or kindInExtra.
	kind    uint8
	outcome Outcome
	vk, rk  valueKind
}

const (
	bigProcess  = math.MinInt32
	kindInExtra = math.MaxUint8
)

// extra holds what an operation has beyond a rec's room.
type extra struct {
	process int
	kind    Kind
	expect  Value
	elems   []Value
	mops    []Mop
}

// chunk holds chunkLen operations, in invocation order.
type chunk struct {
	recs []rec
	// strs are the strings of the chunk's operations; strs[0] is "".
	// index finds them while operations of the chunk may still record
	// strings (it is dropped once the chunk is full and complete, and is
	// only a way to store each string once: without it, strings are
	// appended again).
	strs  []string
	index map[string]uint32
	// recent is a cache in front of index: recent[strHash(s)] is the
	// index of the last string stored or found with that hash (0: none).
	// Operations repeat a few keys and nodes, which it finds without the
	// map.
	recent  [recentLen]uint32
	extras  []extra
	pending int // the chunk's operations not yet completed
}

const recentBits = 7
const recentLen = 1 << recentBits

// strHash is a cheap hash of s's length and first 16 bytes (FNV-1a's
// step, seeded with the length), for recent: a collision only costs a map
// lookup, since a slot's string is compared before it is used.
func strHash(s string) uint32 {
	h := uint32(len(s)) * 0x9e3779b1
	for i := 0; i < len(s) && i < 16; i++ {
		h = (h ^ uint32(s[i])) * 0x01000193
	}
	return h * 0x9e3779b1 >> (32 - recentBits)
}

func newChunk() *chunk {
	return &chunk{recs: make([]rec, 0, chunkLen), strs: []string{""}, index: map[string]uint32{}}
}

// str is the index of s in c.strs, which it joins if new.
func (c *chunk) str(s string) uint32 {
	if s == "" {
		return 0
	}
	slot := &c.recent[strHash(s)]
	if i := *slot; i != 0 && c.strs[i] == s {
		return i
	}
	i, ok := c.index[s]
	if !ok {
		i = uint32(len(c.strs))
		c.strs = append(c.strs, s)
		if c.index != nil {
			c.index[s] = i
		}
	}
	*slot = i
	return i
}

// value encodes v as a rec's number and kind.
func (c *chunk) value(v Value) (int64, valueKind) {
	switch v.kind {
	case intKind:
		return v.num, intKind
	case strKind:
		return int64(c.str(v.str)), strKind
	}
	return 0, noneKind
}

func (c *chunk) decodeValue(n int64, k valueKind) Value {
	switch k {
	case intKind:
		return Value{num: n, kind: intKind}
	case strKind:
		return Value{str: c.strs[n], kind: strKind}
	}
	return None
}

// extraOf is r's extra, made if it has none.
func (c *chunk) extraOf(r *rec) *extra {
	if r.extra == 0 {
		c.extras = append(c.extras, extra{})
		r.extra = uint32(len(c.extras))
	}
	return &c.extras[r.extra-1]
}

// completed notes that one of c's operations completed.
func (c *chunk) completed() {
	c.pending--
	if c.pending == 0 && len(c.recs) == chunkLen {
		c.index = nil // no string will be recorded in c any more
	}
}

// kindIndex is k's index in h.kinds, which it joins if new.
func (h *History) kindIndex(k Kind) uint8 {
	for i, x := range h.kinds {
		if x == k {
			return uint8(i)
		}
	}
	if len(h.kinds) == kindInExtra {
		return kindInExtra
	}
	h.kinds = append(h.kinds, k)
	return uint8(len(h.kinds) - 1)
}

// encodeInvoke stores op's invocation fields (and its Mops) in r.
func (h *History) encodeInvoke(c *chunk, r *rec, op *Op) {
	r.invoke = op.Invoke
	r.process = int32(op.Process)
	if int(r.process) != op.Process || r.process == bigProcess {
		r.process = bigProcess
		c.extraOf(r).process = op.Process
	}
	if r.kind = h.kindIndex(op.Kind); r.kind == kindInExtra {
		c.extraOf(r).kind = op.Kind
	}
	r.key, r.node = c.str(op.Key), c.str(op.Node)
	r.value, r.vk = c.value(op.Value)
	if !op.Expect.IsNone() {
		c.extraOf(r).expect = op.Expect
	}
	if op.Mops != nil {
		c.extraOf(r).mops = op.Mops
	}
}

// decode is the Op that r stores.
func (h *History) decode(c *chunk, r *rec, op *Op) {
	*op = Op{
		Process:  int(r.process),
		Node:     c.strs[r.node],
		Key:      c.strs[r.key],
		Value:    c.decodeValue(r.value, r.vk),
		Result:   c.decodeValue(r.result, r.rk),
		Invoke:   r.invoke,
		Complete: r.complete,
		Outcome:  r.outcome,
		Error:    c.strs[r.err],
	}
	if r.kind != kindInExtra {
		op.Kind = h.kinds[r.kind]
	}
	if r.extra != 0 {
		x := &c.extras[r.extra-1]
		if r.process == bigProcess {
			op.Process = x.process
		}
		if r.kind == kindInExtra {
			op.Kind = x.kind
		}
		op.Expect, op.Elems, op.Mops = x.expect, x.elems, x.mops
	}
}
