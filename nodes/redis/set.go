package redis

import (
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/redsim/redsim/nodes/rnum"
)

// set is a Redis set: an intset (sorted int64s) while every member is an
// integer and there are at most set-max-intset-entries, else a dict, as in
// Redis 7.0 (SMEMBERS of an intset is in numeric order).
type set struct {
	ints []int64
	ht   *dict[struct{}]
}

func newSetFor(first []byte) *set {
	if _, ok := rnum.ParseInt(first); ok {
		return &set{}
	}
	return &set{ht: &dict[struct{}]{}}
}

func (st *set) len() int {
	if st.ht != nil {
		return st.ht.Len()
	}
	return len(st.ints)
}

func (st *set) convert() {
	st.ht = &dict[struct{}]{}
	for _, v := range st.ints {
		st.ht.Set(strconv.FormatInt(v, 10), struct{}{})
	}
	st.ints = nil
}

// add inserts m and reports whether it is new.
func (st *set) add(s *Server, m []byte) bool {
	if st.ht == nil {
		v, ok := rnum.ParseInt(m)
		if ok {
			i, found := slices.BinarySearch(st.ints, v)
			if found {
				return false
			}
			st.ints = slices.Insert(st.ints, i, v)
			if len(st.ints) > s.cfg.SetMaxIntsetEntries {
				st.convert()
			}
			return true
		}
		st.convert()
	}
	return st.ht.Set(string(m), struct{}{})
}

func (st *set) remove(m []byte) bool {
	if st.ht != nil {
		_, ok := st.ht.Delete(string(m))
		return ok
	}
	v, ok := rnum.ParseInt(m)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(st.ints, v)
	if found {
		st.ints = slices.Delete(st.ints, i, i+1)
	}
	return found
}

func (st *set) contains(m []byte) bool {
	if st.ht != nil {
		_, ok := st.ht.Get(string(m))
		return ok
	}
	v, ok := rnum.ParseInt(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(st.ints, v)
	return found
}

// each calls fn for every member in the encoding's order.
func (st *set) each(fn func(m []byte)) {
	if st.ht != nil {
		st.ht.All(func(k string, _ struct{}) bool { fn([]byte(k)); return true })
		return
	}
	for _, v := range st.ints {
		fn(strconv.AppendInt(nil, v, 10))
	}
}

// eachView is each for a caller that only reads a member, and only while
// fn runs (a reply, a lookup, a digest): the bytes are the dict's own key
// or a scratch number that the next member overwrites, so a large set's
// walk neither allocates nor copies per member. fn must not write them.
func (st *set) eachView(fn func(m []byte)) {
	if st.ht != nil {
		st.ht.All(func(k string, _ struct{}) bool {
			fn(unsafe.Slice(unsafe.StringData(k), len(k)))
			return true
		})
		return
	}
	var tmp [20]byte
	for _, v := range st.ints {
		fn(strconv.AppendInt(tmp[:0], v, 10))
	}
}

// packedMembers is members in one block: each member a slice of it. The
// slices are not to be grown (rdbValue, whose reader only reads them).
func (st *set) packedMembers() [][]byte {
	if st.ht == nil {
		return st.members()
	}
	size := 0
	st.ht.All(func(k string, _ struct{}) bool { size += len(k); return true })
	buf := make([]byte, 0, size)
	out := make([][]byte, 0, st.ht.Len())
	st.ht.All(func(k string, _ struct{}) bool {
		buf = append(buf, k...)
		out = append(out, buf[len(buf)-len(k):len(buf):len(buf)])
		return true
	})
	return out
}

func (st *set) members() [][]byte {
	out := make([][]byte, 0, st.len())
	st.each(func(m []byte) { out = append(out, m) })
	return out
}

// random returns a random member, drawing from the node's stream.
func (st *set) random(s *Server) []byte {
	if st.ht != nil {
		k, _, _ := st.ht.Random(s.rng)
		return []byte(k)
	}
	return strconv.AppendInt(nil, st.ints[s.rng.IntN(len(st.ints))], 10)
}

var setCommands = []cmdSpec{
	{"sadd", -3, fw, saddCommand, oneKey},
	{"srem", -3, fwn, sremCommand, oneKey},
	{"smembers", 2, fr, smembersCommand, oneKey},
	{"sismember", 3, fr, sismemberCommand, oneKey},
	{"smismember", -3, fr, smismemberCommand, oneKey},
	{"scard", 2, fr, scardCommand, oneKey},
	{"spop", -2, fwn, spopCommand, oneKey},
	{"srandmember", -2, fr, srandmemberCommand, oneKey},
	{"smove", 4, fw, smoveCommand, twoKeys},
	{"sinter", -2, fr, func(c *client, a [][]byte) { setOpGeneric(c, a[1:], nil, opInter) }, allKeys},
	{"sinterstore", -3, fw, func(c *client, a [][]byte) { setOpGeneric(c, a[2:], a[1], opInter) }, destThenKeys},
	{"sunion", -2, fr, func(c *client, a [][]byte) { setOpGeneric(c, a[1:], nil, opUnion) }, allKeys},
	{"sunionstore", -3, fw, func(c *client, a [][]byte) { setOpGeneric(c, a[2:], a[1], opUnion) }, destThenKeys},
	{"sdiff", -2, fr, func(c *client, a [][]byte) { setOpGeneric(c, a[1:], nil, opDiff) }, allKeys},
	{"sdiffstore", -3, fw, func(c *client, a [][]byte) { setOpGeneric(c, a[2:], a[1], opDiff) }, destThenKeys},
	{"sscan", -3, fr, sscanCommand, oneKey},
	{"sintercard", -3, fr, sintercardCommand, countKeysAt(1)},
}

// sintercardCommand is SINTERCARD numkeys key... [LIMIT n]: the size of
// the intersection, counting stopped at n (0: no limit).
func sintercardCommand(c *client, args [][]byte) {
	numkeys, ok := rnum.ParseInt(args[1])
	if !ok || numkeys < 1 {
		c.w.WriteError("ERR numkeys should be greater than 0")
		return
	}
	if numkeys > int64(len(args)-2) {
		c.w.WriteError("ERR Number of keys can't be greater than number of args")
		return
	}
	limit := int64(0)
	for j := 2 + numkeys; j < int64(len(args)); j++ {
		if !cEqualFold(args[j], "limit") || j+1 >= int64(len(args)) {
			c.w.WriteError(errSyntax)
			return
		}
		j++
		v, ok := rnum.ParseInt(args[j])
		if !ok || v < 0 {
			c.w.WriteError("ERR LIMIT can't be negative")
			return
		}
		limit = v
	}
	sets := make([]*set, 0, numkeys)
	empty := false
	for _, k := range args[2 : 2+numkeys] {
		o := c.db.lookupRead(k)
		if o == nil {
			empty = true
			continue
		}
		if o.kind != kindSet {
			c.w.WriteError(errWrongType)
			return
		}
		sets = append(sets, o.set)
	}
	if empty {
		c.w.WriteInt(0)
		return
	}
	slices.SortStableFunc(sets, func(a, b *set) int { return a.len() - b.len() })
	n := int64(0)
	sets[0].each(func(m []byte) {
		if limit > 0 && n >= limit {
			return
		}
		for _, st := range sets[1:] {
			if !st.contains(m) {
				return
			}
		}
		n++
	})
	c.w.WriteInt(n)
}

func (c *client) getSet(key []byte) (*object, bool) {
	o := c.db.lookup(key)
	if o != nil && o.kind != kindSet {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	return o, true
}

func saddCommand(c *client, args [][]byte) {
	o, ok := c.getSet(args[1])
	if !ok {
		return
	}
	if o == nil {
		o = &object{kind: kindSet, set: newSetFor(args[2])}
		c.db.add(string(args[1]), o)
	}
	n := 0
	for _, m := range args[2:] {
		if o.set.add(c.s, m) {
			n++
		}
	}
	if n > 0 {
		c.s.modified(c.db, args[1], n)
		c.s.notify(notifySet, "sadd", args[1], c.db.id)
	}
	c.w.WriteInt(int64(n))
}

func sremCommand(c *client, args [][]byte) {
	o := c.writeKind(kindSet, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	n := 0
	for _, m := range args[2:] {
		if o.set.remove(m) {
			n++
			if o.set.len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		c.s.notifyChange(c.db, notifySet, "srem", args[1], c.removeIfEmpty(args[1], o))
		c.s.modified(c.db, args[1], n)
	}
	c.w.WriteInt(int64(n))
}

func smembersCommand(c *client, args [][]byte) {
	o := c.readKind(kindSet, args[1], func() { c.w.WriteSetLen(0) })
	if o == nil {
		return
	}
	c.w.WriteSetLen(o.set.len())
	o.set.eachView(func(m []byte) { c.w.WriteBulk(m) })
}

func sismemberCommand(c *client, args [][]byte) {
	o := c.readKind(kindSet, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	if o.set.contains(args[2]) {
		c.w.WriteInt(1)
	} else {
		c.w.WriteInt(0)
	}
}

func smismemberCommand(c *client, args [][]byte) {
	o := c.db.lookupRead(args[1])
	if o != nil && o.kind != kindSet {
		c.w.WriteError(errWrongType)
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if o != nil && o.set.contains(m) {
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
	}
}

func scardCommand(c *client, args [][]byte) {
	if o := c.readKind(kindSet, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.set.len()))
	}
}

func spopCommand(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.WriteError(errSyntax)
		return
	}
	key := args[1]
	if len(args) == 2 {
		o := c.writeKind(kindSet, key, c.w.WriteNull)
		if o == nil {
			return
		}
		m := o.set.random(c.s)
		o.set.remove(m)
		c.w.WriteBulk(m)
		c.s.notifyChange(c.db, notifySet, "spop", key, c.removeIfEmpty(key, o))
		c.s.modified(c.db, key, 1)
		c.prop = [][]byte{[]byte("SREM"), key, m}
		return
	}
	count, ok := c.positiveCount(args[2])
	if !ok {
		return
	}
	o := c.writeKind(kindSet, key, func() { c.w.WriteSetLen(0) })
	if o == nil {
		return
	}
	if count == 0 {
		c.w.WriteSetLen(0)
		return
	}
	if count >= int64(o.set.len()) {
		ms := o.set.members()
		c.w.WriteSetLen(len(ms))
		for _, m := range ms {
			c.w.WriteBulk(m)
		}
		c.db.remove(string(key))
		c.s.notifyChange(c.db, notifySet, "spop", key, true)
		c.s.modified(c.db, key, len(ms))
		c.prop = [][]byte{[]byte("DEL"), key}
		return
	}
	popped := [][]byte{[]byte("SREM"), key}
	c.w.WriteSetLen(int(count))
	for i := int64(0); i < count; i++ {
		m := o.set.random(c.s)
		o.set.remove(m)
		c.w.WriteBulk(m)
		popped = append(popped, m)
	}
	c.s.notify(notifySet, "spop", key, c.db.id)
	c.s.modified(c.db, key, int(count))
	c.prop = popped
}

func srandmemberCommand(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.WriteError(errSyntax)
		return
	}
	if len(args) == 2 {
		o := c.readKind(kindSet, args[1], c.w.WriteNull)
		if o != nil {
			c.w.WriteBulk(o.set.random(c.s))
		}
		return
	}
	count, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if count == math.MinInt64 {
		c.w.WriteError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	o := c.readKind(kindSet, args[1], func() { c.w.WriteArrayLen(0) })
	if o == nil {
		return
	}
	switch {
	case count == 0:
		c.w.WriteArrayLen(0)
	case count < 0:
		mark := c.w.Len()
		c.w.WriteArrayLen(int(-count))
		for i := int64(0); i < -count; i++ {
			c.w.WriteBulk(o.set.random(c.s))
			if c.sampleOverflow(mark) {
				return
			}
		}
	case count >= int64(o.set.len()):
		c.w.WriteArrayLen(o.set.len())
		o.set.eachView(func(m []byte) { c.w.WriteBulk(m) })
	default:
		// Distinct members: a partial shuffle of the members drawn from
		// the node's stream.
		ms := o.set.members()
		for i := 0; i < int(count); i++ {
			j := i + c.s.rng.IntN(len(ms)-i)
			ms[i], ms[j] = ms[j], ms[i]
		}
		c.w.WriteArrayLen(int(count))
		for _, m := range ms[:count] {
			c.w.WriteBulk(m)
		}
	}
}

func smoveCommand(c *client, args [][]byte) {
	src, dst, m := args[1], args[2], args[3]
	// Both keys are looked up (and expired) first; a missing source is 0
	// whatever the destination holds, and only then are the types checked.
	so, do := c.db.lookup(src), c.db.lookup(dst)
	if so == nil {
		c.w.WriteInt(0)
		return
	}
	if so.kind != kindSet || do != nil && do.kind != kindSet {
		c.w.WriteError(errWrongType)
		return
	}
	if string(src) == string(dst) {
		if so.set.contains(m) {
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
		return
	}
	if !so.set.remove(m) {
		c.w.WriteInt(0)
		return
	}
	c.s.notifyChange(c.db, notifySet, "srem", src, c.removeIfEmpty(src, so))
	if do == nil {
		do = &object{kind: kindSet, set: newSetFor(m)}
		c.db.add(string(dst), do)
	}
	added := do.set.add(c.s, m)
	c.s.modified(c.db, src, 1)
	// The destination changes (and its WATCHers abort) only when the
	// member was new to it.
	if added {
		c.s.modified(c.db, dst, 1)
		c.s.notify(notifySet, "sadd", dst, c.db.id)
	}
	c.w.WriteInt(1)
}

const (
	opInter = iota
	opUnion
	opDiff
)

func setOpGeneric(c *client, keys [][]byte, dst []byte, op int) {
	sets := make([]*set, len(keys))
	for i, k := range keys {
		var o *object
		if dst != nil {
			o = c.db.lookup(k)
		} else {
			o = c.db.lookupRead(k)
		}
		if o != nil && o.kind != kindSet {
			c.w.WriteError(errWrongType)
			return
		}
		if o != nil {
			sets[i] = o.set
		}
	}
	var result [][]byte
	switch op {
	case opInter:
		// Walk the smallest set, as Redis does; a missing key empties the
		// result.
		order := slices.Clone(sets)
		empty := false
		for _, st := range order {
			if st == nil {
				empty = true
			}
		}
		if !empty {
			slices.SortStableFunc(order, func(a, b *set) int { return a.len() - b.len() })
			order[0].each(func(m []byte) {
				for _, st := range order[1:] {
					if !st.contains(m) {
						return
					}
				}
				result = append(result, m)
			})
		}
	case opUnion, opDiff:
		acc := &set{}
		for i, st := range sets {
			if st == nil {
				continue
			}
			if op == opDiff && i > 0 {
				st.eachView(func(m []byte) { acc.remove(m) })
				continue
			}
			if op == opDiff && i == 0 || op == opUnion {
				st.eachView(func(m []byte) { acc.add(c.s, m) })
			}
		}
		if op == opDiff && sets[0] == nil {
			acc = &set{}
		}
		result = acc.members()
	}
	if dst == nil {
		c.w.WriteSetLen(len(result))
		for _, m := range result {
			c.w.WriteBulk(m)
		}
		return
	}
	existed := c.db.lookup(dst) != nil
	if len(result) == 0 {
		if existed {
			c.db.del(dst)
			c.s.notify(notifyGeneric, "del", dst, c.db.id)
			c.s.dirty++
		}
		c.w.WriteInt(0)
		return
	}
	st := newSetFor(result[0])
	for _, m := range result {
		st.add(c.s, m)
	}
	c.db.set(string(dst), &object{kind: kindSet, set: st}, false)
	c.s.notify(notifySet, [...]string{opInter: "sinterstore", opUnion: "sunionstore", opDiff: "sdiffstore"}[op], dst, c.db.id)
	c.s.dirty++
	c.w.WriteInt(int64(st.len()))
}

func sscanCommand(c *client, args [][]byte) {
	cursor, opts, o := scanArgs(c, args, kindSet)
	if o == nil {
		return
	}
	var out [][]byte
	if o.set.ht == nil {
		out = o.set.members()
		cursor = 0
	} else {
		cursor = scanDict(o.set.ht, cursor, opts.count, func(k string, _ struct{}) { out = append(out, []byte(k)) }, func() int { return len(out) })
	}
	writeScanReply(c, cursor, filterScan(out, opts.pattern, 1))
}
