package zset

import (
	"iter"
	"math/bits"
)

// Source supplies the randomness for skiplist levels. *math/rand/v2.Rand
// satisfies it; the set never draws randomness from anywhere else.
type Source interface {
	Uint32() uint32
}

// maxLevel caps node heights. With p = 1/4 per level, 16 levels keep
// searches logarithmic up to about 4^16 (4 billion) elements; Redis allows
// 32 only because it draws one level at a time.
const maxLevel = 16

// Element is a member with its score.
type Element struct {
	Member string
	Score  float64
}

type link struct {
	forward *node
	span    int // elements skipped by following forward, counting the target
}

type node struct {
	member   string
	score    float64
	backward *node
	lv       []link
	// Three quarters of nodes have one level and 15/16 at most two; keeping
	// those links inline makes an insertion a single allocation.
	inline [2]link
}

// Set is a Redis sorted set. It is not safe for concurrent use; the
// simulator is single-threaded by design. Iterators must not be used across
// mutations of the set.
type Set struct {
	head     *node
	tail     *node
	length   int
	level    int
	dict     map[string]*node
	src      Source
	listpack bool
}

// New returns an empty set that draws skiplist levels from src.
func New(src Source) *Set {
	h := &node{lv: make([]link, maxLevel)}
	return &Set{head: h, level: 1, dict: make(map[string]*node), src: src}
}

// SetListpack switches listpack-encoding semantics on or off. Redis keeps
// small sets (up to zset-max-listpack-entries members of at most
// zset-max-listpack-value bytes) in a listpack, which differs observably in
// two ways that this flag reproduces: scores are stored through double2ll,
// so -0 becomes 0 (ZSCORE replies "0", not "-0"), and lex ranges are found by
// a linear scan rather than a skiplist descent, which matters only when
// members are not in lex order (mixed scores). Switching on normalises
// stored -0 scores, as Redis's conversion rewrites every score. The caller
// owns the conversion policy (thresholds, OBJECT ENCODING).
func (z *Set) SetListpack(on bool) {
	z.listpack = on
	if !on {
		return
	}
	for x := z.head.lv[0].forward; x != nil; x = x.lv[0].forward {
		if x.score == 0 {
			x.score = 0 // turns -0 into +0 without changing the order
		}
	}
}

// Listpack reports whether listpack semantics are on.
func (z *Set) Listpack() bool { return z.listpack }

// Len returns the number of members.
func (z *Set) Len() int { return z.length }

// Score returns the score of member.
func (z *Set) Score(member string) (float64, bool) {
	if n, ok := z.dict[member]; ok {
		return n.score, true
	}
	return 0, false
}

func (z *Set) randomLevel() int {
	// Each pair of trailing zero bits is one more level: P(level > k) = 4^-k.
	l := 1 + bits.TrailingZeros32(z.src.Uint32())/2
	if l > maxLevel {
		l = maxLevel
	}
	return l
}

func (z *Set) storeScore(score float64) float64 {
	if z.listpack && score == 0 {
		return 0
	}
	return score
}

// before reports whether n sorts strictly before (score, member).
func before(n *node, score float64, member string) bool {
	return n.score < score || (n.score == score && n.member < member)
}

// Insert adds member with score if it is absent (ZADD NX) and reports
// whether it did. The caller rejects NaN scores before calling.
func (z *Set) Insert(member string, score float64) bool {
	if _, ok := z.dict[member]; ok {
		return false
	}
	score = z.storeScore(score)
	lvl := z.randomLevel()
	x := &node{member: member, score: score}
	if lvl <= len(x.inline) {
		x.lv = x.inline[:lvl]
	} else {
		x.lv = make([]link, lvl)
	}
	z.link(x)
	z.dict[member] = x
	return true
}

// Update changes the score of an existing member (ZADD XX). found reports
// whether member exists; updated whether the score changed, using C's !=
// so that 0 and -0 count as equal and the stored score is then kept, as
// zsetAdd does (it is what CH counts).
func (z *Set) Update(member string, score float64) (found, updated bool) {
	x, ok := z.dict[member]
	if !ok {
		return false, false
	}
	if x.score == score {
		return true, false
	}
	score = z.storeScore(score)
	// Like zslUpdateScore: when the node stays between its neighbours it is
	// rewritten in place, otherwise it is unlinked and relinked (keeping its
	// height, so no randomness is consumed).
	prev, next := x.backward, x.lv[0].forward
	if (prev == nil || prev.score < score) && (next == nil || next.score > score) {
		x.score = score
		return true, true
	}
	var update [maxLevel]*node
	z.findUpdate(x.score, x.member, &update)
	z.unlink(x, &update)
	x.score = score
	z.link(x)
	return true, true
}

// Add inserts member or changes its score, as ZADD without flags does.
// added reports a new member; updated an existing member whose score
// changed (see Update).
func (z *Set) Add(member string, score float64) (added, updated bool) {
	if z.Insert(member, score) {
		return true, false
	}
	_, updated = z.Update(member, score)
	return false, updated
}

// Delete removes member and reports whether it was present.
func (z *Set) Delete(member string) bool {
	x, ok := z.dict[member]
	if !ok {
		return false
	}
	var update [maxLevel]*node
	z.findUpdate(x.score, x.member, &update)
	z.unlink(x, &update)
	delete(z.dict, member)
	return true
}

// findUpdate fills update[i] with the last node at level i that sorts
// before (score, member), and returns the sum of spans to update[0].
func (z *Set) findUpdate(score float64, member string, update *[maxLevel]*node) int {
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && before(f, score, member); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
		update[i] = h
	}
	return rank
}

// link splices a detached node (member, score and height set) into place.
func (z *Set) link(x *node) {
	var update [maxLevel]*node
	var rank [maxLevel]int
	h := z.head
	for i := z.level - 1; i >= 0; i-- {
		if i < z.level-1 {
			rank[i] = rank[i+1]
		}
		for f := h.lv[i].forward; f != nil && before(f, x.score, x.member); f = h.lv[i].forward {
			rank[i] += h.lv[i].span
			h = f
		}
		update[i] = h
	}
	lvl := len(x.lv)
	if lvl > z.level {
		for i := z.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = z.head
			z.head.lv[i].span = z.length
		}
		z.level = lvl
	}
	for i := 0; i < lvl; i++ {
		x.lv[i].forward = update[i].lv[i].forward
		update[i].lv[i].forward = x
		x.lv[i].span = update[i].lv[i].span - (rank[0] - rank[i])
		update[i].lv[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < z.level; i++ {
		update[i].lv[i].span++
	}
	if update[0] == z.head {
		x.backward = nil
	} else {
		x.backward = update[0]
	}
	if f := x.lv[0].forward; f != nil {
		f.backward = x
	} else {
		z.tail = x
	}
	z.length++
}

// unlink removes x given its predecessors; x keeps its height for reuse.
func (z *Set) unlink(x *node, update *[maxLevel]*node) {
	for i := 0; i < z.level; i++ {
		if update[i].lv[i].forward == x {
			update[i].lv[i].span += x.lv[i].span - 1
			update[i].lv[i].forward = x.lv[i].forward
		} else {
			update[i].lv[i].span--
		}
	}
	if f := x.lv[0].forward; f != nil {
		f.backward = x.backward
	} else {
		z.tail = x.backward
	}
	for z.level > 1 && z.head.lv[z.level-1].forward == nil {
		z.level--
	}
	z.length--
}

// Rank returns the 0-based rank of member, counted from the highest score
// when reverse is set (ZREVRANK).
func (z *Set) Rank(member string, reverse bool) (int, bool) {
	x, ok := z.dict[member]
	if !ok {
		return 0, false
	}
	r := z.rankOf(x)
	if reverse {
		return z.length - r, true
	}
	return r - 1, true
}

// rankOf returns the 1-based rank of a linked node.
func (z *Set) rankOf(x *node) int {
	h := z.head
	rank := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := h.lv[i].forward; f != nil && (f == x || before(f, x.score, x.member)); f = h.lv[i].forward {
			rank += h.lv[i].span
			h = f
		}
		if h == x {
			return rank
		}
	}
	return rank
}

// byRank returns the node with 1-based rank r, or nil.
func (z *Set) byRank(r int) *node {
	if r < 1 || r > z.length {
		return nil
	}
	h := z.head
	traversed := 0
	for i := z.level - 1; i >= 0; i-- {
		for h.lv[i].forward != nil && traversed+h.lv[i].span <= r {
			traversed += h.lv[i].span
			h = h.lv[i].forward
		}
		if traversed == r {
			return h
		}
	}
	return nil
}

// At returns the element with 0-based ascending rank, for ZRANDMEMBER and
// rank-based cursors.
func (z *Set) At(rank int) (Element, bool) {
	x := z.byRank(rank + 1)
	if x == nil {
		return Element{}, false
	}
	return Element{x.member, x.score}, true
}

// NormalizeRankRange applies ZRANGE/ZREMRANGEBYRANK index rules to Redis
// start/stop arguments (negative counts from the end) for a set of the given
// length, returning inclusive 0-based bounds, or ok=false when empty.
func NormalizeRankRange(start, stop, length int) (first, last int, ok bool) {
	if start < 0 {
		start += length
	}
	if stop < 0 {
		stop += length
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= length {
		return 0, 0, false
	}
	if stop >= length {
		stop = length - 1
	}
	return start, stop, true
}

// RangeByRank yields the elements ZRANGE start stop [REV] returns; start and
// stop are raw Redis indexes, normalised with NormalizeRankRange (use it to
// size the reply). With reverse, ranks count from the highest score.
func (z *Set) RangeByRank(start, stop int, reverse bool) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		first, last, ok := NormalizeRankRange(start, stop, z.length)
		if !ok {
			return
		}
		n := last - first + 1
		if reverse {
			for x := z.byRank(z.length - first); x != nil && n > 0; x, n = x.backward, n-1 {
				if !yield(x.member, x.score) {
					return
				}
			}
			return
		}
		for x := z.byRank(first + 1); x != nil && n > 0; x, n = x.lv[0].forward, n-1 {
			if !yield(x.member, x.score) {
				return
			}
		}
	}
}

// DeleteRangeByRank removes what RangeByRank(start, stop, false) would yield
// (ZREMRANGEBYRANK) and returns how many were removed.
func (z *Set) DeleteRangeByRank(start, stop int) int {
	first, last, ok := NormalizeRankRange(start, stop, z.length)
	if !ok {
		return 0
	}
	var update [maxLevel]*node
	h := z.head
	traversed := 0
	for i := z.level - 1; i >= 0; i-- {
		for h.lv[i].forward != nil && traversed+h.lv[i].span <= first {
			traversed += h.lv[i].span
			h = h.lv[i].forward
		}
		update[i] = h
	}
	x := h.lv[0].forward
	removed := 0
	for n := last - first + 1; x != nil && n > 0; n-- {
		next := x.lv[0].forward
		z.unlink(x, &update)
		delete(z.dict, x.member)
		removed++
		x = next
	}
	return removed
}

// PopMin removes and returns up to count lowest-ranked elements, lowest
// first (ZPOPMIN, BZPOPMIN, ZMPOP MIN).
func (z *Set) PopMin(count int) []Element {
	if count > z.length {
		count = z.length
	}
	if count <= 0 {
		return nil
	}
	out := make([]Element, 0, count)
	var update [maxLevel]*node
	for i := range update {
		update[i] = z.head
	}
	for ; count > 0; count-- {
		x := z.head.lv[0].forward
		z.unlink(x, &update)
		delete(z.dict, x.member)
		out = append(out, Element{x.member, x.score})
	}
	return out
}

// PopMax removes and returns up to count highest-ranked elements, highest
// first (ZPOPMAX, BZPOPMAX, ZMPOP MAX).
func (z *Set) PopMax(count int) []Element {
	if count > z.length {
		count = z.length
	}
	if count <= 0 {
		return nil
	}
	out := make([]Element, 0, count)
	var update [maxLevel]*node
	for ; count > 0; count-- {
		x := z.tail
		z.findUpdate(x.score, x.member, &update)
		z.unlink(x, &update)
		delete(z.dict, x.member)
		out = append(out, Element{x.member, x.score})
	}
	return out
}

// All yields every element in ascending (score, member) order: the order of
// ZRANGE 0 -1, RDB/DUMP payloads and digests.
func (z *Set) All() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for x := z.head.lv[0].forward; x != nil; x = x.lv[0].forward {
			if !yield(x.member, x.score) {
				return
			}
		}
	}
}

// After yields, in ascending order, the elements that sort strictly after
// (score, member), whether or not that pair is in the set. It lets a ZSCAN
// cursor resume where it stopped while members come and go: an element
// present with an unchanged score for the whole scan is returned exactly
// once. One whose score moves behind the cursor mid-scan is missed, which
// Redis's hash-table cursor would not do; a caller that must keep Redis's
// at-least-once promise for such elements has to track them itself.
func (z *Set) After(score float64, member string) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		h := z.head
		for i := z.level - 1; i >= 0; i-- {
			for f := h.lv[i].forward; f != nil && (before(f, score, member) || (f.score == score && f.member == member)); f = h.lv[i].forward {
				h = f
			}
		}
		for x := h.lv[0].forward; x != nil; x = x.lv[0].forward {
			if !yield(x.member, x.score) {
				return
			}
		}
	}
}
