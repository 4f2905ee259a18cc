package redis

import (
	"math"
	"strconv"

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
	{"zrandmember", -2, fr, zrandmemberCommand, oneKey},
	{"zmpop", -4, fwn, zmpopCommand, countKeysAt(1)},
	{"bzmpop", -5, fwn | flagBlocking, bzmpopCommand, countKeysAt(2)},
	{"bzpopmin", -3, fwn | flagBlocking | flagNoScript, func(c *client, a [][]byte) { bzpopCommand(c, a, true) }, keysThenTimeout},
	{"bzpopmax", -3, fwn | flagBlocking | flagNoScript, func(c *client, a [][]byte) { bzpopCommand(c, a, false) }, keysThenTimeout},
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

// zaddGeneric is zaddGenericCommand; ZINCRBY comes in with INCR set. It
// parses ZADD's options for ZINCRBY too: ZINCRBY key NX member takes NX
// for an option and fails on the count of what is left (syntax error),
// not on NX as an increment.
func zaddGeneric(c *client, args [][]byte, flags int) {
	key := args[1]
	idx := 2
opts:
	for ; idx < len(args); idx++ {
		switch lowerC(args[idx]) {
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
						c.finishZAdd(key, added, updated, incr)
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
	c.finishZAdd(key, added, updated, incr)
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

func (c *client) finishZAdd(key []byte, added, updated int, incr bool) {
	if added+updated > 0 {
		c.s.modified(c.db, key, added+updated)
		if incr {
			c.s.notify(notifyZSet, "zincr", key, c.db.id)
		} else {
			c.s.notify(notifyZSet, "zadd", key, c.db.id)
		}
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
		c.s.notifyChange(c.db, notifyZSet, "zrem", args[1], c.removeIfEmpty(args[1], o))
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
	it, withScores, ok := c.zrange(args, 1, rangeType, rev, fixedDir, false)
	if !ok {
		return
	}
	if it == nil {
		c.w.WriteArrayLen(0)
		return
	}
	c.writeZRange(it, withScores)
}

// zrangeParse is zrangeGeneric for ZRANGESTORE: the range as elements;
// ok is false when a reply (an error) was sent.
func (c *client) zrangeParse(args [][]byte, keyIdx int, rangeType int, rev, fixedDir, store bool) ([]zset.Element, bool) {
	it, _, ok := c.zrange(args, keyIdx, rangeType, rev, fixedDir, store)
	if !ok || it == nil {
		return nil, ok
	}
	var els []zset.Element
	for m, sc := range it {
		els = append(els, zset.Element{Member: m, Score: sc})
	}
	return els, true
}

// zrange is zrangeGenericCommand up to the range: the key at keyIdx, its
// bounds after it, then the options (no WITHSCORES to store). it is nil
// for a missing key; ok is false when an error was sent.
func (c *client) zrange(args [][]byte, keyIdx int, rangeType int, rev, fixedDir, store bool) (it func(yield func(string, float64) bool), withScores, ok bool) {
	key := args[keyIdx]
	minIdx, maxIdx := keyIdx+1, keyIdx+2
	offset, limit := int64(0), int64(-1)
	revSet := fixedDir
	for j := keyIdx + 3; j < len(args); j++ {
		left := len(args) - j - 1
		opt := lowerC(args[j])
		switch {
		case opt == "withscores" && !store:
			withScores = true
		case opt == "limit" && left >= 2:
			o, ok1 := rnum.ParseInt(args[j+1])
			l, ok2 := rnum.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				c.w.WriteError(errNotInt)
				return nil, false, false
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
			return nil, false, false
		}
	}
	if rangeType == rangeAuto {
		rangeType = rangeRank
	}
	if limit != -1 && rangeType == rangeRank {
		c.w.WriteError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return nil, false, false
	}
	if withScores && rangeType == rangeLex {
		c.w.WriteError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return nil, false, false
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
			return nil, false, false
		}
	case rangeScore:
		sr, err = zset.ParseScoreRange(args[minIdx], args[maxIdx])
	case rangeLex:
		lr, err = zset.ParseLexRange(args[minIdx], args[maxIdx])
	}
	if err != nil {
		c.w.WriteError(err.Error())
		return nil, false, false
	}
	o := c.db.lookupRead(key)
	if o == nil {
		return nil, withScores, true
	}
	if o.kind != kindZSet {
		c.w.WriteError(errWrongType)
		return nil, false, false
	}
	switch rangeType {
	case rangeRank:
		it = o.zset.RangeByRank(clampInt(start), clampInt(stop), rev)
	case rangeScore:
		it = o.zset.RangeByScore(sr, rev, clampInt(offset), clampInt(limit))
	case rangeLex:
		it = o.zset.RangeByLex(lr, rev, clampInt(offset), clampInt(limit))
	}
	return it, withScores, true
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

// zpopGeneric is ZPOPMIN/ZPOPMAX key [count]; it propagates as it came.
func zpopGeneric(c *client, args [][]byte, maxSide bool) {
	if len(args) > 3 {
		c.w.WriteError(errSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		var ok bool
		if count, ok = c.positiveCount(args[2]); !ok {
			return
		}
	}
	c.genericZpop(args[1:2], !maxSide, false, count, c.resp > 2 && count != -1, false)
}

// genericZpop is genericZpopCommand: pop count members (-1: one) from the
// first of keys that exists, replying flat ([member, score...], after the
// key with emitKey) or nested; with nilWhenEmpty a missing key is a null
// array. It returns the key popped from and how many members were
// there, or nil.
func (c *client) genericZpop(keys [][]byte, min, emitKey bool, count int64, nested, nilWhenEmpty bool) ([]byte, int64) {
	var key []byte
	var o *object
	for _, k := range keys {
		if o = c.db.lookup(k); o != nil {
			if o.kind != kindZSet {
				c.w.WriteError(errWrongType)
				return nil, 0
			}
			key = k
			break
		}
	}
	if o == nil {
		if nilWhenEmpty {
			c.w.WriteNullArray()
		} else {
			c.w.WriteArrayLen(0)
		}
		return nil, 0
	}
	if count == 0 {
		c.w.WriteArrayLen(0)
		return nil, 0
	}
	if count == -1 {
		count = 1
	}
	llen := int64(o.zset.Len())
	n := int(min64(count, llen))
	switch {
	case !nested && !emitKey:
		c.w.WriteArrayLen(2 * n)
	case nested && !emitKey:
		c.w.WriteArrayLen(n)
	case !nested && emitKey:
		c.w.WriteArrayLen(2*n + 1)
		c.w.WriteBulk(key)
	default:
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(key)
		c.w.WriteArrayLen(n)
	}
	var els []zset.Element
	if min {
		els = o.zset.PopMin(n)
	} else {
		els = o.zset.PopMax(n)
	}
	for _, e := range els {
		if nested {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(e.Member)
		c.w.WriteDouble(e.Score)
	}
	event := "zpopmax"
	if min {
		event = "zpopmin"
	}
	c.s.notifyChange(c.db, notifyZSet, event, key, c.removeIfEmpty(key, o))
	c.s.modified(c.db, key, n)
	return key, llen
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// zpopName is ZPOPMIN or ZPOPMAX, what the pops propagate as.
func zpopName(min bool) []byte {
	if min {
		return []byte("ZPOPMIN")
	}
	return []byte("ZPOPMAX")
}

// zmpopCommand is ZMPOP numkeys key... MIN|MAX [COUNT n]: propagated as
// ZPOPMIN or ZPOPMAX key n.
func zmpopCommand(c *client, args [][]byte) {
	keys, min, count, ok := c.mpopArgs(args[1:], true)
	if !ok {
		return
	}
	if key, llen := c.genericZpop(keys, min, true, count, true, true); key != nil {
		c.prop = [][]byte{zpopName(min), key, strconv.AppendInt(nil, min64(count, llen), 10)}
	}
}

// bzmpopCommand is BZMPOP timeout numkeys key... MIN|MAX [COUNT n].
func bzmpopCommand(c *client, args [][]byte) {
	keys, min, count, ok := c.mpopArgs(args[2:], true)
	if !ok {
		return
	}
	c.blockingZpop(keys, min, args[1], count)
}

// bzpopCommand is BZPOPMIN and BZPOPMAX key... timeout.
func bzpopCommand(c *client, args [][]byte, min bool) {
	c.blockingZpop(args[1:len(args)-1], min, args[len(args)-1], -1)
}

// blockingZpop is blockingGenericZpopCommand: count -1 is BZPOPMIN's and
// BZPOPMAX's single pop with a flat reply, else BZMPOP's.
func (c *client) blockingZpop(keys [][]byte, min bool, tb []byte, count int64) {
	timeout, ok := c.parseTimeout(tb)
	if !ok {
		return
	}
	mpop := count != -1
	for _, k := range keys {
		o := c.db.lookup(k)
		if o == nil {
			continue
		}
		if o.kind != kindZSet {
			c.w.WriteError(errWrongType)
			return
		}
		key, llen := c.genericZpop([][]byte{k}, min, true, count, mpop, mpop)
		if !mpop {
			c.prop = [][]byte{zpopName(min), key}
		} else {
			c.prop = [][]byte{zpopName(min), key, strconv.AppendInt(nil, min64(count, llen), 10)}
		}
		return
	}
	if c.deniedBlocking {
		c.w.WriteNullArray()
		return
	}
	b := &blockState{db: c.db, keys: stringsOf(keys), zset: true, head: min}
	if mpop {
		b.count = count
	}
	c.block(b, timeout)
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
		c.s.notifyChange(c.db, notifyZSet, c.lastCmd, key, c.removeIfEmpty(key, o))
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

// zrandmemberCommand is ZRANDMEMBER key [count [WITHSCORES]].
func zrandmemberCommand(c *client, args [][]byte) {
	random := func(z *zset.Set) zset.Element {
		e, _ := z.At(c.s.rng.IntN(z.Len()))
		return e
	}
	if len(args) == 2 {
		if o := c.readKind(kindZSet, args[1], c.w.WriteNull); o != nil {
			c.w.WriteBulkString(random(o.zset).Member)
		}
		return
	}
	l, withScores, ok := c.randCount(args, "withscores")
	if !ok {
		return
	}
	o := c.readKind(kindZSet, args[1], func() { c.w.WriteArrayLen(0) })
	if o == nil {
		return
	}
	if l == 0 {
		c.w.WriteArrayLen(0)
		return
	}
	z := o.zset
	write := func(e zset.Element) {
		if withScores && c.resp > 2 {
			c.w.WriteArrayLen(2)
		}
		c.w.WriteBulkString(e.Member)
		if withScores {
			c.w.WriteDouble(e.Score)
		}
	}
	header := func(n int64) {
		if withScores && c.resp == 2 {
			n *= 2
		}
		c.w.WriteArrayLen(int(n))
	}
	size := int64(z.Len())
	if l < 0 || l == 1 {
		count := l
		if l < 0 {
			count = -l
		}
		mark := c.w.Len()
		header(count)
		for range count {
			write(random(z))
			if c.sampleOverflow(mark) {
				return
			}
		}
		return
	}
	if l >= size {
		// zuiNext walks a sorted set from its highest score down.
		header(size)
		for m, sc := range z.RangeByRank(0, int(size)-1, true) {
			write(zset.Element{Member: m, Score: sc})
		}
		return
	}
	header(l)
	for _, i := range c.s.sampleDistinct(int(size), int(l), z.Listpack()) {
		e, _ := z.At(i)
		write(e)
	}
}
