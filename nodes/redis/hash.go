package redis

import (
	"bytes"
	"math"
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// hash is a Redis hash: a listpack (insertion-ordered pairs) while small,
// a dict once a field or value is longer than hash-max-listpack-value or
// there are more than hash-max-listpack-entries fields, as in Redis (the
// order of HGETALL and HSCAN follows the encoding).
type hash struct {
	lp []hashPair
	ht *dict[[]byte]
}

type hashPair struct {
	field string
	val   []byte
}

func (h *hash) len() int {
	if h.ht != nil {
		return h.ht.Len()
	}
	return len(h.lp)
}

func (h *hash) get(f []byte) ([]byte, bool) {
	if h.ht != nil {
		return h.ht.Get(string(f))
	}
	for i := range h.lp {
		if h.lp[i].field == string(f) {
			return h.lp[i].val, true
		}
	}
	return nil, false
}

// set stores v under f (both copied) and reports whether f is new.
func (h *hash) set(s *Server, f, v []byte) bool {
	if h.ht == nil && (len(f) > s.cfg.HashMaxListpackValue || len(v) > s.cfg.HashMaxListpackValue) {
		h.convert()
	}
	v = bytes.Clone(v)
	if h.ht != nil {
		return h.ht.Set(string(f), v)
	}
	for i := range h.lp {
		if h.lp[i].field == string(f) {
			h.lp[i].val = v
			return false
		}
	}
	h.lp = append(h.lp, hashPair{string(f), v})
	if len(h.lp) > s.cfg.HashMaxListpackEntries {
		h.convert()
	}
	return true
}

func (h *hash) convert() {
	h.ht = &dict[[]byte]{}
	for _, p := range h.lp {
		h.ht.Set(p.field, p.val)
	}
	h.lp = nil
}

func (h *hash) del(f []byte) bool {
	if h.ht != nil {
		_, ok := h.ht.Delete(string(f))
		return ok
	}
	for i := range h.lp {
		if h.lp[i].field == string(f) {
			h.lp = append(h.lp[:i], h.lp[i+1:]...)
			return true
		}
	}
	return false
}

// each calls fn for every pair in the encoding's order.
func (h *hash) each(fn func(f, v []byte)) {
	if h.ht != nil {
		h.ht.All(func(k string, v []byte) bool { fn([]byte(k), v); return true })
		return
	}
	for _, p := range h.lp {
		fn([]byte(p.field), p.val)
	}
}

var hashCommands = []cmdSpec{
	{"hset", -4, fw, hsetCommand, oneKey},
	{"hmset", -4, fw, hsetCommand, oneKey},
	{"hsetnx", 4, fw, hsetnxCommand, oneKey},
	{"hget", 3, fr, hgetCommand, oneKey},
	{"hmget", -3, fr, hmgetCommand, oneKey},
	{"hgetall", 2, fr, func(c *client, a [][]byte) { hgetallGeneric(c, a, true, true) }, oneKey},
	{"hkeys", 2, fr, func(c *client, a [][]byte) { hgetallGeneric(c, a, true, false) }, oneKey},
	{"hvals", 2, fr, func(c *client, a [][]byte) { hgetallGeneric(c, a, false, true) }, oneKey},
	{"hdel", -3, fwn, hdelCommand, oneKey},
	{"hexists", 3, fr, hexistsCommand, oneKey},
	{"hlen", 2, fr, hlenCommand, oneKey},
	{"hstrlen", 3, fr, hstrlenCommand, oneKey},
	{"hincrby", 4, fw, hincrbyCommand, oneKey},
	{"hincrbyfloat", 4, fw, hincrbyfloatCommand, oneKey},
	{"hscan", -3, fr, hscanCommand, oneKey},
	{"hrandfield", -2, fr, hrandfieldCommand, oneKey},
}

// pairs copies the fields and values out in the encoding's order.
func (h *hash) pairs() []hashPair {
	if h.ht == nil {
		return h.lp
	}
	out := make([]hashPair, 0, h.ht.Len())
	h.ht.All(func(k string, v []byte) bool { out = append(out, hashPair{k, v}); return true })
	return out
}

// random is hashTypeRandomElement: a random pair from the node's stream.
func (h *hash) random(s *Server) hashPair {
	if h.ht != nil {
		k, v, _ := h.ht.Random(s.rng)
		return hashPair{k, v}
	}
	return h.lp[s.rng.IntN(len(h.lp))]
}

// hrandfieldCommand is HRANDFIELD key [count [WITHVALUES]].
func hrandfieldCommand(c *client, args [][]byte) {
	if len(args) == 2 {
		if o := c.readKind(kindHash, args[1], c.w.WriteNull); o != nil {
			c.w.WriteBulkString(o.hash.random(c.s).field)
		}
		return
	}
	l, withValues, ok := c.randCount(args, "withvalues")
	if !ok {
		return
	}
	o := c.readKind(kindHash, args[1], func() { c.w.WriteArrayLen(0) })
	if o == nil {
		return
	}
	if l == 0 {
		c.w.WriteArrayLen(0)
		return
	}
	write := func(p hashPair) {
		if withValues && c.resp > 2 {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(p.field)
		if withValues {
			c.w.WriteBulk(p.val)
		}
	}
	header := func(n int64) {
		if withValues && c.resp == 2 {
			n *= 2
		}
		c.w.WriteArrayLen(int(n))
	}
	size := int64(o.hash.len())
	if l < 0 || l == 1 {
		// CASE 1: with repetitions, in the order drawn.
		count := l
		if l < 0 {
			count = -l
		}
		mark := c.w.Len()
		header(count)
		for range count {
			write(o.hash.random(c.s))
			if c.sampleOverflow(mark) {
				return
			}
		}
		return
	}
	pairs := o.hash.pairs()
	if l >= size {
		header(size)
		for _, p := range pairs {
			write(p)
		}
		return
	}
	header(l)
	for _, i := range c.s.sampleDistinct(int(size), int(l), o.hash.ht == nil) {
		write(pairs[i])
	}
}

// getHash returns key's hash for writing, creating it when create; false
// means a WRONGTYPE reply was sent.
func (c *client) getHash(key []byte, create bool) (*object, bool) {
	o := c.db.lookup(key)
	if o != nil && o.kind != kindHash {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	if o == nil && create {
		o = &object{kind: kindHash, hash: &hash{}}
		c.db.add(string(key), o)
	}
	return o, true
}

func hsetCommand(c *client, args [][]byte) {
	if len(args)%2 != 0 {
		c.w.WriteError("ERR wrong number of arguments for '" + c.lastCmd + "' command")
		return
	}
	o, ok := c.getHash(args[1], true)
	if !ok {
		return
	}
	created := 0
	for i := 2; i < len(args); i += 2 {
		if o.hash.set(c.s, args[i], args[i+1]) {
			created++
		}
	}
	c.s.modified(c.db, args[1], (len(args)-2)/2)
	c.s.notify(notifyHash, "hset", args[1], c.db.id)
	if c.lastCmd == "hmset" {
		c.w.WriteOK()
	} else {
		c.w.WriteInt(int64(created))
	}
}

func hsetnxCommand(c *client, args [][]byte) {
	o, ok := c.getHash(args[1], false)
	if !ok {
		return
	}
	if o != nil {
		if _, exists := o.hash.get(args[2]); exists {
			c.w.WriteInt(0)
			return
		}
	} else {
		o, _ = c.getHash(args[1], true)
	}
	o.hash.set(c.s, args[2], args[3])
	c.s.modified(c.db, args[1], 1)
	c.s.notify(notifyHash, "hset", args[1], c.db.id)
	c.w.WriteInt(1)
}

func hgetCommand(c *client, args [][]byte) {
	o := c.readKind(kindHash, args[1], c.w.WriteNull)
	if o == nil {
		return
	}
	if v, ok := o.hash.get(args[2]); ok {
		c.w.WriteBulk(v)
	} else {
		c.w.WriteNull()
	}
}

func hmgetCommand(c *client, args [][]byte) {
	o := c.db.lookupRead(args[1])
	if o != nil && o.kind != kindHash {
		c.w.WriteError(errWrongType)
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, f := range args[2:] {
		var v []byte
		ok := false
		if o != nil {
			v, ok = o.hash.get(f)
		}
		if ok {
			c.w.WriteBulk(v)
		} else {
			c.w.WriteNull()
		}
	}
}

func hgetallGeneric(c *client, args [][]byte, keys, vals bool) {
	o := c.db.lookupRead(args[1])
	if o != nil && o.kind != kindHash {
		c.w.WriteError(errWrongType)
		return
	}
	n := 0
	if o != nil {
		n = o.hash.len()
	}
	if keys && vals {
		c.w.WriteMapLen(n)
	} else {
		c.w.WriteArrayLen(n)
	}
	if o == nil {
		return
	}
	o.hash.each(func(f, v []byte) {
		if keys {
			c.w.WriteBulk(f)
		}
		if vals {
			c.w.WriteBulk(v)
		}
	})
}

func hdelCommand(c *client, args [][]byte) {
	o := c.writeKind(kindHash, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	n := 0
	for _, f := range args[2:] {
		if o.hash.del(f) {
			n++
			if o.hash.len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		c.s.notifyChange(c.db, notifyHash, "hdel", args[1], c.removeIfEmpty(args[1], o))
		c.s.modified(c.db, args[1], n)
	}
	c.w.WriteInt(int64(n))
}

func hexistsCommand(c *client, args [][]byte) {
	o := c.readKind(kindHash, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	if _, ok := o.hash.get(args[2]); ok {
		c.w.WriteInt(1)
	} else {
		c.w.WriteInt(0)
	}
}

func hlenCommand(c *client, args [][]byte) {
	if o := c.readKind(kindHash, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.hash.len()))
	}
}

func hstrlenCommand(c *client, args [][]byte) {
	if o := c.readKind(kindHash, args[1], func() { c.w.WriteInt(0) }); o != nil {
		v, _ := o.hash.get(args[2])
		c.w.WriteInt(int64(len(v)))
	}
}

func hincrbyCommand(c *client, args [][]byte) {
	by, ok := rnum.ParseInt(args[3])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	o, ok := c.getHash(args[1], true)
	if !ok {
		return
	}
	var v int64
	if cur, exists := o.hash.get(args[2]); exists {
		if v, ok = rnum.ParseInt(cur); !ok {
			c.w.WriteError("ERR hash value is not an integer")
			return
		}
	}
	if (by < 0 && v < 0 && by < math.MinInt64-v) || (by > 0 && v > 0 && by > math.MaxInt64-v) {
		c.w.WriteError(errOverflow)
		return
	}
	v += by
	o.hash.set(c.s, args[2], strconv.AppendInt(nil, v, 10))
	c.s.modified(c.db, args[1], 1)
	c.s.notify(notifyHash, "hincrby", args[1], c.db.id)
	c.w.WriteInt(v)
}

func hincrbyfloatCommand(c *client, args [][]byte) {
	incr, ok := rnum.ParseLongDouble(args[3])
	if !ok {
		c.w.WriteError(errNotFloat)
		return
	}
	if !incr.IsFinite() {
		c.w.WriteError("ERR value is NaN or Infinity")
		return
	}
	o, ok := c.getHash(args[1], true)
	if !ok {
		return
	}
	v := rnum.LongDoubleFromInt64(0)
	if cur, exists := o.hash.get(args[2]); exists {
		if v, ok = rnum.ParseLongDouble(cur); !ok {
			c.w.WriteError("ERR hash value is not a float")
			return
		}
	}
	v = v.Add(incr)
	if !v.IsFinite() {
		c.w.WriteError(errNaN)
		return
	}
	out := rnum.AppendLongDouble(nil, v)
	o.hash.set(c.s, args[2], out)
	c.s.modified(c.db, args[1], 1)
	c.s.notify(notifyHash, "hincrbyfloat", args[1], c.db.id)
	c.w.WriteBulk(out)
	c.prop = [][]byte{[]byte("HSET"), args[1], args[2], out}
}

func hscanCommand(c *client, args [][]byte) {
	cursor, opts, o := scanArgs(c, args, kindHash)
	if o == nil {
		return
	}
	var out [][]byte
	if o.hash.ht == nil {
		o.hash.each(func(f, v []byte) { out = append(out, f, v) })
		cursor = 0
	} else {
		cursor = scanDict(o.hash.ht, cursor, opts.count, func(k string, v []byte) { out = append(out, []byte(k), v) }, func() int { return len(out) / 2 })
	}
	writeScanReply(c, cursor, filterScan(out, opts.pattern, 2))
}

// scanDict runs dictScan steps until about count elements were emitted
// (at most count*10 steps), as scanGenericCommand does.
func scanDict[V any](d *dict[V], cursor uint64, count int, emit func(string, V), n func() int) uint64 {
	maxIter := count * 10
	for {
		cursor = d.Scan(cursor, emit)
		maxIter--
		if cursor == 0 || maxIter <= 0 || n() >= count {
			return cursor
		}
	}
}

// scanArgs parses HSCAN/SSCAN/ZSCAN key cursor [MATCH p] [COUNT n] and
// looks the key up; a nil object means the reply was sent. As in Redis,
// the key is looked up between the cursor and the options: a missing key
// is an empty scan and a wrong type an error, whatever options follow.
func scanArgs(c *client, args [][]byte, k kind) (uint64, scanOpts, *object) {
	cursor, ok := parseCursor(c, args[2])
	if !ok {
		return 0, scanOpts{}, nil
	}
	o := c.readKind(k, args[1], func() { writeScanReply(c, 0, nil) })
	if o == nil {
		return 0, scanOpts{}, nil
	}
	opts, ok := parseScanOpts(c, args[3:], false)
	if !ok {
		return 0, scanOpts{}, nil
	}
	return cursor, opts, o
}

// filterScan keeps the groups of stride items (a member, or a field and
// its value) whose first item matches pattern.
func filterScan(items [][]byte, pattern []byte, stride int) [][]byte {
	if pattern == nil {
		return items
	}
	out := items[:0]
	for i := 0; i+stride <= len(items); i += stride {
		if globMatch(pattern, items[i]) {
			out = append(out, items[i:i+stride]...)
		}
	}
	return out
}

func writeScanReply(c *client, cursor uint64, items [][]byte) {
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(strconv.AppendUint(nil, cursor, 10))
	c.w.WriteArrayLen(len(items))
	for _, it := range items {
		c.w.WriteBulk(it)
	}
}
