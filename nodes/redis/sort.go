package redis

import (
	"bytes"
	"math"
	"slices"

	"github.com/redsim/redsim/nodes/redis/acl"
	"github.com/redsim/redsim/nodes/rnum"
)

// SORT and SORT_RO, after Redis's sort.c. Alphabetic sorting compares as
// strcoll does in the C locale (strcmp, up to a NUL byte), and as
// memcmp with STORE; Redis uses the collation of its environment's
// LC_COLLATE, which is the C locale's on a server started without one.

var sortCommands = []cmdSpec{
	{"sort", -2, fw, func(c *client, a [][]byte) { sortGeneric(c, a, false) }, sortKeys},
	{"sort_ro", -2, fr, func(c *client, a [][]byte) { sortGeneric(c, a, true) }, sortROKeys},
}

// sortItem is redisSortObject: an element and what it sorts by.
type sortItem struct {
	obj    []byte
	score  float64
	cmpobj []byte // BY pattern's value with ALPHA; nil when missing
}

// sortGeneric is sortCommandGeneric; SORT ... STORE propagates as it came.
func sortGeneric(c *client, args [][]byte, readonly bool) {
	desc, alpha, dontsort := false, false, false
	limitStart, limitCount := int64(0), int64(-1)
	var sortby, storekey []byte
	var gets [][]byte
	// BY with a pattern and GET read keys the command does not name: a
	// cluster refuses them, and so does an ACL user without access to
	// every key.
	fullKeyAccess := c.user == nil || c.user.AllowsAll()
	if !fullKeyAccess {
		if cmd := c.s.lookup(args); cmd != nil {
			req := c.s.aclRequest(cmd, args)
			fullKeyAccess = req.Command == nil || c.user.CheckWithUnrestrictedKeys(&req, acl.KeyAccess)
		}
	}
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch {
		case cEqualFold(args[j], "asc"):
			desc = false
		case cEqualFold(args[j], "desc"):
			desc = true
		case cEqualFold(args[j], "alpha"):
			alpha = true
		case cEqualFold(args[j], "limit") && left >= 2:
			s, ok1 := rnum.ParseInt(args[j+1])
			n, ok2 := rnum.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				c.w.WriteError(errNotInt)
				return
			}
			limitStart, limitCount = s, n
			j += 2
		case !readonly && cEqualFold(args[j], "store") && left >= 1:
			storekey = args[j+1]
			j++
		case cEqualFold(args[j], "by") && left >= 1:
			sortby = args[j+1]
			// A constant BY (no '*') means no sorting at all, for good: a
			// later BY with a pattern does not undo it (sort.c never
			// clears dontsort).
			switch {
			case bytes.IndexByte(cbytes(sortby), '*') < 0:
				dontsort = true
			case c.s.clusterEnabled():
				c.w.WriteError("ERR BY option of SORT denied in Cluster mode.")
				return
			case !fullKeyAccess:
				c.w.WriteError("ERR BY option of SORT denied due to insufficient ACL permissions.")
				return
			}
			j++
		case cEqualFold(args[j], "get") && left >= 1:
			if c.s.clusterEnabled() {
				c.w.WriteError("ERR GET option of SORT denied in Cluster mode.")
				return
			}
			if !fullKeyAccess {
				c.w.WriteError("ERR GET option of SORT denied due to insufficient ACL permissions.")
				return
			}
			gets = append(gets, args[j+1])
			j++
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	o := c.db.lookupRead(args[1])
	if o != nil && o.kind != kindSet && o.kind != kindList && o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	if o == nil {
		o = &object{kind: kindList, list: &list{}}
	}
	// A set in hash-table order would reach replicas and scripts in
	// another order: sort it.
	if dontsort && o.kind == kindSet && (storekey != nil || (c.isFake && c.s.inScript)) {
		dontsort, alpha, sortby = false, true, nil
	}
	if o.kind == kindZSet {
		o.zset.SetListpack(false) // zsetConvert to a skiplist, for good
	}
	var vectorlen int64
	switch o.kind {
	case kindList:
		vectorlen = int64(o.list.Len())
	case kindSet:
		vectorlen = int64(o.set.len())
	case kindZSet:
		vectorlen = int64(o.zset.Len())
	}
	start := min(max(limitStart, 0), vectorlen)
	limitCount = min(max(limitCount, -1), vectorlen)
	end := vectorlen - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= vectorlen {
		start, end = vectorlen-1, vectorlen-2
	}
	if end >= vectorlen {
		end = vectorlen - 1
	}
	if (o.kind == kindZSet || o.kind == kindList) && dontsort && (start != 0 || end != vectorlen-1) {
		vectorlen = end - start + 1
	}
	vector := make([]sortItem, 0, max(vectorlen, 0))
	switch {
	case o.kind == kindList && dontsort:
		if end >= start {
			n := int64(o.list.Len())
			for k := int64(0); k < vectorlen; k++ {
				i := start + k
				if desc {
					i = n - start - 1 - k
				}
				vector = append(vector, sortItem{obj: o.list.At(int(i))})
			}
			end -= start
			start = 0
		}
	case o.kind == kindList:
		for i := range o.list.Len() {
			vector = append(vector, sortItem{obj: o.list.At(i)})
		}
	case o.kind == kindSet:
		o.set.each(func(m []byte) { vector = append(vector, sortItem{obj: m}) })
	case o.kind == kindZSet && dontsort:
		for m := range o.zset.RangeByRank(int(start), int(start+vectorlen-1), desc) {
			vector = append(vector, sortItem{obj: []byte(m)})
		}
		end -= start
		start = 0
	default:
		for m := range o.zset.All() {
			vector = append(vector, sortItem{obj: []byte(m)})
		}
	}
	convErr := false
	if !dontsort {
		for j := range vector {
			byval := vector[j].obj
			if sortby != nil {
				v, ok := c.lookupByPattern(sortby, vector[j].obj)
				if !ok {
					continue
				}
				byval = v
			}
			if alpha {
				if sortby != nil {
					vector[j].cmpobj = byval
				}
				continue
			}
			sc, ok := sortScore(byval)
			vector[j].score = sc
			convErr = convErr || !ok
		}
		store := storekey != nil
		slices.SortStableFunc(vector, func(a, b sortItem) int {
			var cmp int
			switch {
			case !alpha:
				switch {
				case a.score > b.score:
					cmp = 1
				case a.score < b.score:
					cmp = -1
				default:
					cmp = bytes.Compare(a.obj, b.obj)
				}
			case sortby != nil:
				switch {
				case a.cmpobj == nil || b.cmpobj == nil:
					switch {
					case a.cmpobj == nil && b.cmpobj == nil:
					case a.cmpobj == nil:
						cmp = -1
					default:
						cmp = 1
					}
				case store:
					cmp = bytes.Compare(a.cmpobj, b.cmpobj)
				default:
					cmp = bytes.Compare(cbytes(a.cmpobj), cbytes(b.cmpobj))
				}
			case store:
				cmp = bytes.Compare(a.obj, b.obj)
			default:
				cmp = bytes.Compare(cbytes(a.obj), cbytes(b.obj))
			}
			if desc {
				return -cmp
			}
			return cmp
		})
	}
	outputlen := end - start + 1
	if len(gets) > 0 {
		outputlen *= int64(len(gets))
	}
	if convErr {
		c.w.WriteError("ERR One or more scores can't be converted into double")
		return
	}
	if storekey == nil {
		c.w.WriteArrayLen(int(max(outputlen, 0)))
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				c.w.WriteBulk(vector[j].obj)
			}
			for _, g := range gets {
				if v, ok := c.lookupByPattern(g, vector[j].obj); ok {
					c.w.WriteBulk(v)
				} else {
					c.w.WriteNull()
				}
			}
		}
		return
	}
	l := &list{}
	for j := start; j <= end; j++ {
		if len(gets) == 0 {
			l.pushBack(bytes.Clone(vector[j].obj))
		}
		for _, g := range gets {
			v, _ := c.lookupByPattern(g, vector[j].obj)
			l.pushBack(bytes.Clone(v))
		}
	}
	if outputlen > 0 {
		c.db.set(string(storekey), &object{kind: kindList, list: l}, false)
		c.s.notify(notifyList, "sortstore", storekey, c.db.id)
		c.s.dirty += outputlen
	} else if c.db.del(storekey) {
		c.s.notify(notifyGeneric, "del", storekey, c.db.id)
		c.s.dirty++
	}
	c.w.WriteInt(max(outputlen, 0))
}

// cbytes is a C string's view of b: up to its first NUL.
func cbytes(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortScore is SORT's strtod check: the whole string (up to a NUL) must
// convert, without overflow or NaN; an empty string is 0.
func sortScore(b []byte) (float64, bool) {
	s := cbytes(b)
	v, n, rangeErr := rnum.ParseFloatPrefix(s)
	if n != len(s) || rangeErr || math.IsNaN(v) {
		return v, false
	}
	return v, true
}

// lookupByPattern is lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' is replaced by the element, and a "->field"
// after it reads that field of a hash instead of a string. ok is false
// when there is no such value (no '*', no key, another type, no field).
func (c *client) lookupByPattern(pattern, subst []byte) ([]byte, bool) {
	cp := cbytes(pattern)
	if len(cp) == 1 && cp[0] == '#' {
		return subst, true
	}
	p := bytes.IndexByte(cp, '*')
	if p < 0 {
		return nil, false
	}
	var field []byte
	fieldlen := 0
	if f := bytes.Index(cp[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(cp) {
		f += p + 1
		fieldlen = len(pattern) - f - 2
		field = pattern[f+2:]
	}
	postfixlen := len(pattern) - (p + 1)
	if fieldlen > 0 {
		postfixlen -= fieldlen + 2
	}
	key := make([]byte, 0, p+len(subst)+postfixlen)
	key = append(key, pattern[:p]...)
	key = append(key, subst...)
	key = append(key, pattern[p+1:p+1+postfixlen]...)
	o := c.db.lookupRead(key)
	if o == nil {
		return nil, false
	}
	if field != nil {
		if o.kind != kindHash {
			return nil, false
		}
		return o.hash.get(field)
	}
	if o.kind != kindString {
		return nil, false
	}
	return o.str, true
}
