package zset

import (
	"errors"
	"iter"

	"github.com/redsim/redsim/nodes/rnum"
)

// Errors carry the exact text of Redis's error replies (without the '-').
var (
	ErrNotFloat   = errors.New("ERR min or max is not a float")
	ErrNotLexItem = errors.New("ERR min or max not valid string range item")
)

// ScoreRange is a parsed ZRANGEBYSCORE/ZCOUNT interval.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool // exclusive bounds, written "(x"
}

// ParseScoreRange parses min and max like zslParseRange. It calls strtod
// directly rather than string2d, so it is looser than ZADD's score parser:
// leading whitespace, overflow to +-inf and an empty string (read as 0) are
// accepted, and a NUL byte ends the number because strtod sees a C string.
// "-inf", "+inf" and "(" prefixes come out of the same rule.
func ParseScoreRange(min, max []byte) (ScoreRange, error) {
	var r ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseScoreBound(min); !ok {
		return ScoreRange{}, ErrNotFloat
	}
	if r.Max, r.MaxEx, ok = parseScoreBound(max); !ok {
		return ScoreRange{}, ErrNotFloat
	}
	return r, nil
}

func parseScoreBound(b []byte) (v float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	v, n, _ := rnum.ParseFloatPrefix(b)
	// strtod's end pointer must sit on the C string terminator: the end of
	// the argument or an embedded NUL. With no conversion it stays at the
	// start, so "" is 0 but " " is an error.
	if n < len(b) && b[n] != 0 {
		return 0, false, false
	}
	if v != v {
		return 0, false, false
	}
	return v, ex, true
}

func (r *ScoreRange) gteMin(s float64) bool {
	if r.MinEx {
		return s > r.Min
	}
	return s >= r.Min
}

func (r *ScoreRange) lteMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// firstInScore returns the lowest node in r and its 1-based rank.
func (z *Set) firstInScore(r *ScoreRange) (*node, int) {
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && !r.gteMin(f.score); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
	}
	x := h.lv[0].forward
	if x == nil || !r.lteMax(x.score) {
		return nil, 0
	}
	return x, rank + 1
}

// lastInScore returns the highest node in r and its 1-based rank.
func (z *Set) lastInScore(r *ScoreRange) (*node, int) {
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && r.lteMax(f.score); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
	}
	if h == z.head || !r.gteMin(h.score) {
		return nil, 0
	}
	return h, rank
}

// CountByScore is ZCOUNT.
func (z *Set) CountByScore(r ScoreRange) int {
	_, first := z.firstInScore(&r)
	if first == 0 {
		return 0
	}
	_, last := z.lastInScore(&r)
	return last - first + 1
}

// RangeByScore yields what ZRANGE BYSCORE [REV] LIMIT offset count returns:
// elements in r, from the lowest (or, with reverse, the highest), skipping
// offset of them and stopping after count. A negative offset yields nothing
// and a negative count means no limit, as in Redis. With reverse the caller
// passes the range already as (min, max), although REV takes max first.
// The offset is applied by rank, in O(log n) instead of Redis's walk.
func (z *Set) RangeByScore(r ScoreRange, reverse bool, offset, count int) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		if offset < 0 || offset >= z.length || count == 0 {
			return
		}
		var x *node
		var rank int
		if reverse {
			x, rank = z.lastInScore(&r)
		} else {
			x, rank = z.firstInScore(&r)
		}
		if x == nil {
			return
		}
		x = z.skip(x, rank, offset, reverse)
		for ; x != nil && count != 0; count-- {
			if reverse && !r.gteMin(x.score) || !reverse && !r.lteMax(x.score) {
				return
			}
			if !yield(x.member, x.score) {
				return
			}
			x = step(x, reverse)
		}
	}
}

// skip moves offset positions from x (at 1-based rank) in the iteration
// direction, without range checks, as Redis does before its LIMIT loop.
func (z *Set) skip(x *node, rank, offset int, reverse bool) *node {
	if offset == 0 {
		return x
	}
	if reverse {
		return z.byRank(rank - offset)
	}
	if offset > z.length-rank {
		return nil
	}
	return z.byRank(rank + offset)
}

func step(x *node, reverse bool) *node {
	if reverse {
		return x.backward
	}
	return x.lv[0].forward
}

// DeleteRangeByScore is ZREMRANGEBYSCORE; it returns the number removed.
func (z *Set) DeleteRangeByScore(r ScoreRange) int {
	var update [maxLevel]*node
	h := z.head
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && !r.gteMin(f.score); f = h.lv[i].forward {
			h = f
		}
		update[i] = h
	}
	return z.deleteWhile(h.lv[0].forward, &update, func(x *node) bool { return r.lteMax(x.score) })
}

func (z *Set) deleteWhile(x *node, update *[maxLevel]*node, in func(*node) bool) int {
	removed := 0
	for x != nil && in(x) {
		next := x.lv[0].forward
		z.unlink(x, update)
		delete(z.dict, x.member)
		removed++
		x = next
	}
	return removed
}

const (
	lexValue uint8 = iota
	lexMin         // "-": below every string
	lexMax         // "+": above every string
)

// LexBound is one end of a lex range.
type LexBound struct {
	kind  uint8
	value string
	ex    bool
}

// LexRange is a parsed ZRANGEBYLEX/ZLEXCOUNT interval.
type LexRange struct {
	Min, Max LexBound
}

// ParseLexRange parses min and max like zslParseLexRange: "[x" inclusive,
// "(x" exclusive (x may be empty or contain any bytes), "-" and "+" the
// infinite ends. As in C, "-" and "+" are recognised by their second byte
// being the string terminator, so "+\x00junk" also means "+".
func ParseLexRange(min, max []byte) (LexRange, error) {
	var r LexRange
	var ok bool
	if r.Min, ok = parseLexBound(min); !ok {
		return LexRange{}, ErrNotLexItem
	}
	if r.Max, ok = parseLexBound(max); !ok {
		return LexRange{}, ErrNotLexItem
	}
	return r, nil
}

func parseLexBound(b []byte) (LexBound, bool) {
	if len(b) == 0 {
		return LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return LexBound{}, false
		}
		if b[0] == '+' {
			return LexBound{kind: lexMax, ex: true}, true
		}
		return LexBound{kind: lexMin, ex: true}, true
	case '(':
		return LexBound{value: string(b[1:]), ex: true}, true
	case '[':
		return LexBound{value: string(b[1:])}, true
	}
	return LexBound{}, false
}

// cmpLex is sdscmplex for a member against a bound.
func cmpLex(member string, b *LexBound) int {
	switch b.kind {
	case lexMin:
		return 1
	case lexMax:
		return -1
	}
	switch {
	case member < b.value:
		return -1
	case member > b.value:
		return 1
	}
	return 0
}

func (r *LexRange) gteMin(member string) bool {
	if r.Min.ex {
		return cmpLex(member, &r.Min) > 0
	}
	return cmpLex(member, &r.Min) >= 0
}

func (r *LexRange) lteMax(member string) bool {
	if r.Max.ex {
		return cmpLex(member, &r.Max) < 0
	}
	return cmpLex(member, &r.Max) <= 0
}

// empty is the "always empty" test of zslIsInLexRange, including the
// sentinel identity rule that makes "- -" and "+ +" empty.
func (r *LexRange) empty() bool {
	var cmp int
	a, b := &r.Min, &r.Max
	switch {
	case a.kind != lexValue && a.kind == b.kind:
		cmp = 0
	case a.kind == lexMin || b.kind == lexMax:
		cmp = -1
	case a.kind == lexMax || b.kind == lexMin:
		cmp = 1
	default:
		cmp = cmpLex(a.value, b)
	}
	return cmp > 0 || (cmp == 0 && (a.ex || b.ex))
}

func (z *Set) inLexRange(r *LexRange) bool {
	if r.empty() || z.tail == nil {
		return false
	}
	return r.gteMin(z.tail.member) && r.lteMax(z.head.lv[0].forward.member)
}

// firstInLex returns the first node in r and its 1-based rank. Listpack
// mode scans linearly like zzlFirstInLexRange; otherwise it descends like
// zslFirstInLexRange. Both agree whenever members are in lex order.
func (z *Set) firstInLex(r *LexRange) (*node, int) {
	if !z.inLexRange(r) {
		return nil, 0
	}
	if z.listpack {
		rank := 0
		for x := z.head.lv[0].forward; x != nil; x = x.lv[0].forward {
			rank++
			if r.gteMin(x.member) {
				if r.lteMax(x.member) {
					return x, rank
				}
				return nil, 0
			}
		}
		return nil, 0
	}
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && !r.gteMin(f.member); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
	}
	x := h.lv[0].forward
	if x == nil || !r.lteMax(x.member) {
		return nil, 0
	}
	return x, rank + 1
}

// lastInLex mirrors firstInLex from the top end.
func (z *Set) lastInLex(r *LexRange) (*node, int) {
	if !z.inLexRange(r) {
		return nil, 0
	}
	if z.listpack {
		rank := z.length
		for x := z.tail; x != nil; x = x.backward {
			if r.lteMax(x.member) {
				if r.gteMin(x.member) {
					return x, rank
				}
				return nil, 0
			}
			rank--
		}
		return nil, 0
	}
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && r.lteMax(f.member); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
	}
	if h == z.head || !r.gteMin(h.member) {
		return nil, 0
	}
	return h, rank
}

// CountByLex is ZLEXCOUNT.
func (z *Set) CountByLex(r LexRange) int {
	x, first := z.firstInLex(&r)
	if x == nil {
		return 0
	}
	if z.listpack {
		n := 0
		for ; x != nil && r.lteMax(x.member); x = x.lv[0].forward {
			n++
		}
		return n
	}
	count := z.length - (first - 1)
	if _, last := z.lastInLex(&r); last != 0 {
		count -= z.length - last
	}
	return count
}

// RangeByLex yields what ZRANGE BYLEX [REV] LIMIT offset count returns, with
// the same offset and count rules as RangeByScore. Redis defines lex ranges
// only for sets whose scores are all equal.
func (z *Set) RangeByLex(r LexRange, reverse bool, offset, count int) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		if offset < 0 || count == 0 {
			return
		}
		var x *node
		var rank int
		if reverse {
			x, rank = z.lastInLex(&r)
		} else {
			x, rank = z.firstInLex(&r)
		}
		if x == nil {
			return
		}
		x = z.skip(x, rank, offset, reverse)
		for ; x != nil && count != 0; count-- {
			if reverse && !r.gteMin(x.member) || !reverse && !r.lteMax(x.member) {
				return
			}
			if !yield(x.member, x.score) {
				return
			}
			x = step(x, reverse)
		}
	}
}

// DeleteRangeByLex is ZREMRANGEBYLEX; it returns the number removed.
func (z *Set) DeleteRangeByLex(r LexRange) int {
	var update [maxLevel]*node
	var x *node
	if z.listpack {
		// zzlDeleteRangeByLex starts from the linear first-in-range.
		if x, _ = z.firstInLex(&r); x == nil {
			return 0
		}
		z.findUpdate(x.score, x.member, &update)
	} else {
		// zslDeleteRangeByLex descends without the emptiness pre-check.
		h := z.head
		for i := z.level - 1; i >= 0; i-- {
			for f := h.lv[i].forward; f != nil && !r.gteMin(f.member); f = h.lv[i].forward {
				h = f
			}
			update[i] = h
		}
		x = h.lv[0].forward
	}
	return z.deleteWhile(x, &update, func(x *node) bool { return r.lteMax(x.member) })
}
