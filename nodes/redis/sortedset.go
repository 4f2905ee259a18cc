package redis

import (
	"math"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

var zsetCommands = []cmdSpec{
	{"zadd", -4, fw, zaddCommand, oneKey},
	{"zincrby", 4, fw, zincrbyCommand, oneKey},
	{"zrem", -3, fwn, zremCommand, oneKey},
	{"zscore", 3, fr, zscoreCommand, oneKey},
	{"zmscore", -3, fr, zmscoreCommand, oneKey},
	{"zcard", 2, fr, zcardCommand, oneKey},
	{"zcount", 4, fr, zcountCommand, oneKey},
	{"zlexcount", 4, fr, zlexcountCommand, oneKey},
	{"zrange", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeAuto, false, false) }, oneKey},
	{"zrevrange", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeRank, true, true) }, oneKey},
	{"zrangebyscore", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeScore, false, true) }, oneKey},
	{"zrevrangebyscore", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeScore, true, true) }, oneKey},
	{"zrangebylex", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeLex, false, true) }, oneKey},
	{"zrevrangebylex", -4, fr, func(c *client, a [][]byte) { zrangeGeneric(c, a, rangeLex, true, true) }, oneKey},
	{"zrank", 3, fr, func(c *client, a [][]byte) { zrankGeneric(c, a, false) }, oneKey},
	{"zrevrank", 3, fr, func(c *client, a [][]byte) { zrankGeneric(c, a, true) }, oneKey},
	{"zpopmin", -2, fwn, func(c *client, a [][]byte) { zpopGeneric(c, a, false) }, oneKey},
	{"zpopmax", -2, fwn, func(c *client, a [][]byte) { zpopGeneric(c, a, true) }, oneKey},
	{"zremrangebyscore", 4, fwn, zremrangeCommand, oneKey},
	{"zremrangebyrank", 4, fwn, zremrangeCommand, oneKey},
	{"zremrangebylex", 4, fwn, zremrangeCommand, oneKey},
	{"zscan", -3, fr, zscanCommand, oneKey},
}

// newZSet makes a sorted set whose encoding follows the first member, as
// zaddGenericCommand picks it.
func (s *Server) newZSet(first []byte) *zset.Set {
	z := zset.New(s.rng)
	z.SetListpack(s.cfg.ZSetMaxListpackEntries > 0 && len(first) <= s.cfg.ZSetMaxListpackValue)
	return z
}

// zsetCheckConvert leaves listpack semantics once the set outgrows them.
func (s *Server) zsetCheckConvert(z *zset.Set, member []byte) {
	if z.Listpack() && (z.Len() > s.cfg.ZSetMaxListpackEntries || len(member) > s.cfg.ZSetMaxListpackValue) {
		z.SetListpack(false)
	}
}

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddINCR
)

func zaddCommand(c *client, args [][]byte) { zaddGeneric(c, args, 0) }

func zincrbyCommand(c *client, args [][]byte) { zaddGeneric(c, args, zaddINCR) }

// zaddGeneric is zaddGenericCommand; ZINCRBY comes in with INCR set.
func zaddGeneric(c *client, args [][]byte, flags int) {
	key := args[1]
	idx := 2
	if flags&zaddINCR == 0 {
	opts:
		for ; idx < len(args); idx++ {
			switch strings.ToLower(string(args[idx])) {
			case "nx":
				flags |= zaddNX
			case "xx":
				flags |= zaddXX
			case "ch":
				flags |= zaddCH
			case "incr":
				flags |= zaddINCR
			case "gt":
				flags |= zaddGT
			case "lt":
				flags |= zaddLT
			default:
				break opts
			}
		}
	}
	elems := len(args) - idx
	if elems%2 != 0 || elems == 0 {
		c.w.WriteError(errSyntax)
		return
	}
	elems /= 2
	nx, xx, gt, lt, incr := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0, flags&zaddINCR != 0
	if nx && xx {
		c.w.WriteError("ERR XX and NX options at the same time are not compatible")
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.w.WriteError("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	}
	if incr && elems > 1 {
		c.w.WriteError("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, elems)
	for j := range scores {
		v, ok := rnum.ParseFloat(args[idx+2*j])
		if !ok {
			c.w.WriteError(errNotFloat)
			return
		}
		scores[j] = v
	}
	o := c.db.lookup(key)
	if o != nil && o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if o == nil && !xx {
		o = &object{kind: kindZSet, zset: c.s.newZSet(args[idx+1])}
		c.db.add(string(key), o)
	}
	if o != nil {
		z := o.zset
		for j := 0; j < elems; j++ {
			score = scores[j]
			m := args[idx+1+2*j]
			cur, exists := z.Score(string(m))
			switch {
			case exists:
				if nx {
					continue
				}
				if incr {
					score += cur
					if math.IsNaN(score) {
						c.w.WriteError("ERR resulting score is not a number (NaN)")
						c.finishZAdd(key, added, updated)
						return
					}
				}
				if (lt && score >= cur) || (gt && score <= cur) {
					continue
				}
				if score != cur {
					z.Update(string(m), score)
					updated++
				}
				processed++
			case !xx:
				z.Insert(string(m), score)
				c.s.zsetCheckConvert(z, m)
				added++
				processed++
			}
		}
	}
	c.finishZAdd(key, added, updated)
	if incr {
		if processed > 0 {
			c.w.WriteDouble(score)
		} else {
			c.w.WriteNull()
		}
		return
	}
	if flags&zaddCH != 0 {
		c.w.WriteInt(int64(added + updated))
	} else {
		c.w.WriteInt(int64(added))
	}
}

func (c *client) finishZAdd(key []byte, added, updated int) {
	if added+updated > 0 {
		c.s.modified(c.db, key, added+updated)
	}
	if o := c.db.lookup(key); o != nil && o.kind == kindZSet {
		c.removeIfEmpty(key, o)
	}
}

func zremCommand(c *client, args [][]byte) {
	o := c.db.lookup(args[1])
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	if o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	n := 0
	for _, m := range args[2:] {
		if o.zset.Delete(string(m)) {
			n++
			if o.zset.Len() == 0 {
				break
			}
		}
	}
	if n > 0 {
		c.removeIfEmpty(args[1], o)
		c.s.modified(c.db, args[1], n)
	}
	c.w.WriteInt(int64(n))
}

func zscoreCommand(c *client, args [][]byte) {
	o := c.readKind(kindZSet, args[1], c.w.WriteNull)
	if o == nil {
		return
	}
	if sc, ok := o.zset.Score(string(args[2])); ok {
		c.w.WriteDouble(sc)
	} else {
		c.w.WriteNull()
	}
}

func zmscoreCommand(c *client, args [][]byte) {
	o := c.db.lookupRead(args[1])
	if o != nil && o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	c.w.WriteArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if o == nil {
			c.w.WriteNull()
			continue
		}
		if sc, ok := o.zset.Score(string(m)); ok {
			c.w.WriteDouble(sc)
		} else {
			c.w.WriteNull()
		}
	}
}

func zcardCommand(c *client, args [][]byte) {
	if o := c.readKind(kindZSet, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.zset.Len()))
	}
}

func zcountCommand(c *client, args [][]byte) {
	r, err := zset.ParseScoreRange(args[2], args[3])
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	if o := c.readKind(kindZSet, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.zset.CountByScore(r)))
	}
}

func zlexcountCommand(c *client, args [][]byte) {
	r, err := zset.ParseLexRange(args[2], args[3])
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	if o := c.readKind(kindZSet, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.zset.CountByLex(r)))
	}
}

const (
	rangeAuto = iota
	rangeRank
	rangeScore
	rangeLex
)

// zrangeGeneric is zrangeGenericCommand for ZRANGE and its older forms
// (which come with the range type and direction fixed).
func zrangeGeneric(c *client, args [][]byte, rangeType int, rev, fixedDir bool) {
	key := args[1]
	minIdx, maxIdx := 2, 3
	withScores := false
	offset, limit := int64(0), int64(-1)
	revSet := fixedDir
	for j := 4; j < len(args); j++ {
		left := len(args) - j - 1
		opt := strings.ToLower(string(args[j]))
		switch {
		case opt == "withscores":
			withScores = true
		case opt == "limit" && left >= 2:
			o, ok1 := rnum.ParseInt(args[j+1])
			l, ok2 := rnum.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				c.w.WriteError(errNotInt)
				return
			}
			offset, limit = o, l
			j += 2
		case !revSet && opt == "rev":
			rev, revSet = true, true
		case rangeType == rangeAuto && opt == "bylex":
			rangeType = rangeLex
		case rangeType == rangeAuto && opt == "byscore":
			rangeType = rangeScore
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	if rangeType == rangeAuto {
		rangeType = rangeRank
	}
	if limit != -1 && rangeType == rangeRank {
		c.w.WriteError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && rangeType == rangeLex {
		c.w.WriteError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	if rev && rangeType != rangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, stop int64
	var sr zset.ScoreRange
	var lr zset.LexRange
	var err error
	switch rangeType {
	case rangeRank:
		var ok1, ok2 bool
		start, ok1 = rnum.ParseInt(args[minIdx])
		stop, ok2 = rnum.ParseInt(args[maxIdx])
		if !ok1 || !ok2 {
			c.w.WriteError(errNotInt)
			return
		}
	case rangeScore:
		sr, err = zset.ParseScoreRange(args[minIdx], args[maxIdx])
	case rangeLex:
		lr, err = zset.ParseLexRange(args[minIdx], args[maxIdx])
	}
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	o := c.readKind(kindZSet, key, func() { c.w.WriteArrayLen(0) })
	if o == nil {
		return
	}
	var it func(yield func(string, float64) bool)
	switch rangeType {
	case rangeRank:
		it = o.zset.RangeByRank(clampInt(start), clampInt(stop), rev)
	case rangeScore:
		it = o.zset.RangeByScore(sr, rev, clampInt(offset), clampInt(limit))
	case rangeLex:
		it = o.zset.RangeByLex(lr, rev, clampInt(offset), clampInt(limit))
	}
	c.writeZRange(it, withScores)
}

func clampInt(v int64) int {
	return int(max(min(v, math.MaxInt32*1024), math.MinInt32*1024))
}

// writeZRange writes members (with scores: flat in RESP2, pairs in RESP3).
func (c *client) writeZRange(it func(yield func(string, float64) bool), withScores bool) {
	mark := c.w.DeferLen()
	n := 0
	for m, sc := range it {
		if withScores && c.resp == 3 {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(m)
		if withScores {
			c.w.WriteDouble(sc)
			if c.resp == 2 {
				n++
			}
		}
		n++
	}
	c.w.SetDeferredArrayLen(mark, n)
}

func zrankGeneric(c *client, args [][]byte, rev bool) {
	o := c.readKind(kindZSet, args[1], c.w.WriteNull)
	if o == nil {
		return
	}
	if r, ok := o.zset.Rank(string(args[2]), rev); ok {
		c.w.WriteInt(int64(r))
	} else {
		c.w.WriteNull()
	}
}

func zpopGeneric(c *client, args [][]byte, maxSide bool) {
	if len(args) > 3 {
		c.w.WriteError(errSyntax)
		return
	}
	count := int64(1)
	hasCount := len(args) == 3
	if hasCount {
		var ok bool
		if count, ok = c.positiveCount(args[2]); !ok {
			return
		}
	}
	key := args[1]
	o := c.db.lookup(key)
	if o == nil {
		c.w.WriteArrayLen(0)
		return
	}
	if o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	var els []zset.Element
	if maxSide {
		els = o.zset.PopMax(int(min(count, math.MaxInt32)))
	} else {
		els = o.zset.PopMin(int(min(count, math.MaxInt32)))
	}
	nested := c.resp == 3 && hasCount
	if nested {
		c.w.WriteArrayLen(len(els))
	} else {
		c.w.WriteArrayLen(2 * len(els))
	}
	for _, e := range els {
		if nested {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(e.Member)
		c.w.WriteDouble(e.Score)
	}
	if len(els) > 0 {
		c.removeIfEmpty(key, o)
		c.s.modified(c.db, key, len(els))
		name := "ZPOPMIN"
		if maxSide {
			name = "ZPOPMAX"
		}
		c.prop = [][]byte{[]byte(name), key, strconv.AppendInt(nil, int64(len(els)), 10)}
	}
}

func zremrangeCommand(c *client, args [][]byte) {
	key := args[1]
	var del func(z *zset.Set) int
	switch c.lastCmd {
	case "zremrangebyrank":
		start, ok1 := rnum.ParseInt(args[2])
		stop, ok2 := rnum.ParseInt(args[3])
		if !ok1 || !ok2 {
			c.w.WriteError(errNotInt)
			return
		}
		del = func(z *zset.Set) int { return z.DeleteRangeByRank(clampInt(start), clampInt(stop)) }
	case "zremrangebyscore":
		r, err := zset.ParseScoreRange(args[2], args[3])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		del = func(z *zset.Set) int { return z.DeleteRangeByScore(r) }
	default:
		r, err := zset.ParseLexRange(args[2], args[3])
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		del = func(z *zset.Set) int { return z.DeleteRangeByLex(r) }
	}
	o := c.db.lookup(key)
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	if o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return
	}
	n := del(o.zset)
	if n > 0 {
		c.removeIfEmpty(key, o)
		c.s.modified(c.db, key, n)
	}
	c.w.WriteInt(int64(n))
}

// zscanCommand returns a listpack-encoded set in one reply, as Redis does;
// a larger one is walked in score order with the cursor as the count of
// elements already returned (see the zset package on what that promises).
func zscanCommand(c *client, args [][]byte) {
	cursor, opts, o := scanArgs(c, args, kindZSet)
	if o == nil {
		return
	}
	var out [][]byte
	z := o.zset
	if z.Listpack() {
		for m, sc := range z.All() {
			out = append(out, []byte(m), []byte(formatScoreArg(sc)))
		}
		cursor = 0
	} else {
		start := int(min(cursor, uint64(z.Len())))
		n := 0
		for m, sc := range z.RangeByRank(start, start+opts.count-1, false) {
			out = append(out, []byte(m), []byte(formatScoreArg(sc)))
			n++
		}
		cursor = uint64(start + n)
		if cursor >= uint64(z.Len()) {
			cursor = 0
		}
	}
	writeScanReply(c, cursor, filterScan(out, opts.pattern, 2))
}

// formatScoreArg formats a score as ZSCAN and the AOF write it.
func formatScoreArg(sc float64) string { return rnum.FormatScore(sc) }
