package redis

import (
	"math"
	"slices"
	"strings"

	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// The set operations of sorted sets (zunionInterDiffGenericCommand):
// ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD. Plain sets
// take part with every score 1.

var zsetOpCommands = []cmdSpec{
	{"zunion", -3, fr, func(c *client, a [][]byte) { zsetOpGeneric(c, a, nil, 1, opUnion, false) }, countKeysAt(1)},
	{"zinter", -3, fr, func(c *client, a [][]byte) { zsetOpGeneric(c, a, nil, 1, opInter, false) }, countKeysAt(1)},
	{"zdiff", -3, fr, func(c *client, a [][]byte) { zsetOpGeneric(c, a, nil, 1, opDiff, false) }, countKeysAt(1)},
	{"zunionstore", -4, fw, func(c *client, a [][]byte) { zsetOpGeneric(c, a, a[1], 2, opUnion, false) }, destCountKeys},
	{"zinterstore", -4, fw, func(c *client, a [][]byte) { zsetOpGeneric(c, a, a[1], 2, opInter, false) }, destCountKeys},
	{"zdiffstore", -4, fw, func(c *client, a [][]byte) { zsetOpGeneric(c, a, a[1], 2, opDiff, false) }, destCountKeys},
	{"zintercard", -3, fr, func(c *client, a [][]byte) { zsetOpGeneric(c, a, nil, 1, opInter, true) }, countKeysAt(1)},
	{"zrangestore", -5, fw, func(c *client, a [][]byte) { zrangeStore(c, a) }, twoKeys},
}

// zsrc is one input of a set operation: a sorted set or a set, or
// neither for a missing key.
type zsrc struct {
	z      *zset.Set
	set    *set
	weight float64
}

func (s zsrc) length() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.len()
	}
	return 0
}

// each calls fn for every member in the encoding's order.
func (s zsrc) each(fn func(m string, score float64)) {
	switch {
	case s.z != nil:
		for m, sc := range s.z.All() {
			fn(m, sc)
		}
	case s.set != nil:
		s.set.each(func(m []byte) { fn(string(m), 1) })
	}
}

func (s zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.set != nil:
		return 1, s.set.contains([]byte(m))
	}
	return 0, false
}

// Aggregates of ZUNION and ZINTER.
const (
	aggrSum = iota
	aggrMin
	aggrMax
)

// aggregate is zunionInterAggregate; a sum that is NaN (inf + -inf) is 0.
func aggregate(target *float64, v float64, aggr int) {
	switch aggr {
	case aggrSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if v < *target {
			*target = v
		}
	case aggrMax:
		if v > *target {
			*target = v
		}
	}
}

// zsetOpGeneric is zunionInterDiffGenericCommand: numkeys at argument nk,
// then the keys and the options; dst is the STORE form's destination.
func zsetOpGeneric(c *client, args [][]byte, dst []byte, nk int, op int, cardOnly bool) {
	setnum, ok := rnum.ParseInt(args[nk])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if setnum < 1 {
		c.w.WriteError("ERR at least 1 input key is needed for '" + c.lastCmd + "' command")
		return
	}
	if setnum > int64(len(args)-(nk+1)) {
		c.w.WriteError(errSyntax)
		return
	}
	n := int(setnum)
	srcs := make([]zsrc, n)
	for i, k := range args[nk+1 : nk+1+n] {
		srcs[i].weight = 1
		o := c.db.lookupRead(k)
		if o == nil {
			continue
		}
		switch o.kind {
		case kindZSet:
			srcs[i].z = o.zset
		case kindSet:
			srcs[i].set = o.set
		default:
			c.w.WriteError(errWrongType)
			return
		}
	}
	aggr, withScores, limit := aggrSum, false, int64(0)
	for j := nk + 1 + n; j < len(args); {
		remaining := len(args) - j
		switch {
		case op != opDiff && !cardOnly && remaining >= n+1 && cEqualFold(args[j], "weights"):
			j++
			for i := range srcs {
				w, ok := rnum.ParseFloat(args[j])
				if !ok {
					c.w.WriteError("ERR weight value is not a float")
					return
				}
				srcs[i].weight = w
				j++
			}
		case op != opDiff && !cardOnly && remaining >= 2 && cEqualFold(args[j], "aggregate"):
			switch {
			case cEqualFold(args[j+1], "sum"):
				aggr = aggrSum
			case cEqualFold(args[j+1], "min"):
				aggr = aggrMin
			case cEqualFold(args[j+1], "max"):
				aggr = aggrMax
			default:
				c.w.WriteError(errSyntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && cEqualFold(args[j], "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && cEqualFold(args[j], "limit"):
			v, ok := rnum.ParseInt(args[j+1])
			if !ok || v < 0 {
				c.w.WriteError("ERR LIMIT can't be negative")
				return
			}
			limit = v
			j += 2
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	if op != opDiff {
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return a.length() - b.length() })
	}
	var result []zset.Element
	switch op {
	case opInter:
		if srcs[0].length() == 0 {
			if cardOnly {
				c.w.WriteInt(0) // ZINTERCARD counts, even when a key is empty
				return
			}
			break
		}
		card := int64(0)
		srcs[0].each(func(m string, sc float64) {
			if cardOnly && limit > 0 && card >= limit {
				return
			}
			score := srcs[0].weight * sc
			if math.IsNaN(score) {
				score = 0
			}
			for _, s := range srcs[1:] {
				v, ok := s.find(m)
				if !ok {
					return
				}
				aggregate(&score, v*s.weight, aggr)
			}
			card++
			if !cardOnly {
				result = append(result, zset.Element{Member: m, Score: score})
			}
		})
		if cardOnly {
			c.w.WriteInt(card)
			return
		}
	case opUnion:
		acc := map[string]int{} // member -> index in result
		for _, s := range srcs {
			s.each(func(m string, sc float64) {
				score := s.weight * sc
				if math.IsNaN(score) {
					score = 0
				}
				if i, ok := acc[m]; ok {
					aggregate(&result[i].Score, score, aggr)
					return
				}
				acc[m] = len(result)
				result = append(result, zset.Element{Member: m, Score: score})
			})
		}
	case opDiff:
		srcs[0].each(func(m string, sc float64) {
			for _, s := range srcs[1:] {
				if _, ok := s.find(m); ok {
					return
				}
			}
			result = append(result, zset.Element{Member: m, Score: sc})
		})
	}
	sortElements(result)
	if dst == nil {
		c.writeElements(result, withScores)
		return
	}
	event := [...]string{opInter: "zinterstore", opUnion: "zunionstore", opDiff: "zdiffstore"}[op]
	c.storeZSet(dst, event, result, func(z *zset.Set) {
		// zsetConvertToListpackIfNeeded: the result is built as a skiplist.
		maxLen := 0
		for _, e := range result {
			maxLen = max(maxLen, len(e.Member))
		}
		if z.Len() <= c.s.cfg.ZSetMaxListpackEntries && maxLen <= c.s.cfg.ZSetMaxListpackValue {
			z.SetListpack(true)
		}
	}, false)
}

// sortElements orders elements as a skiplist does: by score, then by
// member bytes.
func sortElements(els []zset.Element) {
	slices.SortFunc(els, func(a, b zset.Element) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return strings.Compare(a.Member, b.Member)
	})
}

// writeElements replies with members, and scores (flat in RESP2, pairs
// in RESP3).
func (c *client) writeElements(els []zset.Element, withScores bool) {
	if withScores && c.resp == 2 {
		c.w.WriteArrayLen(2 * len(els))
	} else {
		c.w.WriteArrayLen(len(els))
	}
	for _, e := range els {
		if withScores && c.resp > 2 {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(e.Member)
		if withScores {
			c.w.WriteDouble(e.Score)
		}
	}
}

// storeZSet stores els (in order) at dst as a new sorted set, notified as
// event, and replies with its size, or deletes dst and replies 0 when
// there are none.
// encode picks the encoding once the members are in; with listpackFirst
// the set starts as a listpack and converts as members come, as
// zsetAdd does.
func (c *client) storeZSet(dst []byte, event string, els []zset.Element, encode func(z *zset.Set), listpackFirst bool) {
	if len(els) == 0 {
		c.w.WriteInt(0)
		if c.db.del(dst) {
			c.s.notify(notifyGeneric, "del", dst, c.db.id)
			c.s.dirty++
		}
		return
	}
	z := zset.New(c.s.rng)
	z.SetListpack(listpackFirst)
	for _, e := range els {
		z.Insert(e.Member, e.Score)
		if listpackFirst {
			c.s.zsetCheckConvert(z, []byte(e.Member))
		}
	}
	if encode != nil {
		encode(z)
	}
	c.db.set(string(dst), &object{kind: kindZSet, zset: z}, false)
	c.s.notify(notifyZSet, event, dst, c.db.id)
	c.s.dirty++
	c.w.WriteInt(int64(z.Len()))
}

// zrangeStore is ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV]
// [LIMIT offset count]: ZRANGE's range, stored; it propagates as it came.
func zrangeStore(c *client, args [][]byte) {
	els, ok := c.zrangeParse(args, 2, rangeAuto, false, false, true)
	if !ok {
		return
	}
	// zrangeResultBeginStore: a rank range longer than
	// zset-max-listpack-entries starts as a skiplist; the others start as
	// listpacks and convert as members come.
	c.storeZSet(args[1], "zrangestore", els, nil, len(els) <= c.s.cfg.ZSetMaxListpackEntries)
}
