package redis

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/redsim/redsim/nodes/rnum"
	"github.com/redsim/redsim/sim"
)

// blockState is a client blocked on list keys (BLPOP, BRPOP, BLMOVE,
// BLMPOP), on sorted set keys (BZPOPMIN, BZPOPMAX, BZMPOP), or in WAIT.
type blockState struct {
	db   *db
	keys []string
	zset bool // BLOCKED_ZSET; else BLOCKED_LIST
	head bool // pop from the head (LEFT), or the lowest scores (MIN)
	// count is BLMPOP's and BZMPOP's COUNT (1 without it); 0 for the
	// single pops, whose reply is flat.
	count int64
	move  bool // BLMOVE / BRPOPLPUSH
	dst   []byte
	to    bool // push to the head of dst
	rpl   bool // BRPOPLPUSH: propagate as RPOPLPUSH
	wait  bool // WAIT, not a list key
	// shutdown is BLOCKED_SHUTDOWN: SHUTDOWN waiting for the replicas.
	shutdown bool
	// stream is set for XREAD and XREADGROUP (BLOCKED_STREAM).
	stream *streamBlock
	timer  sim.Timer
	// cmd, argv and usec are the blocked call, counted when it is
	// served or times out (countUnblocked).
	cmd  *command
	argv [][]byte
	usec int64
}

// parseTimeout is getTimeoutFromObjectOrReply for seconds: the timeout in
// ms, 0 for forever, computed in long double as 7.0.15 does
// (rnum.CeilMul1000). 7.0.15 converts the milliseconds to a long long
// unchecked: on x86-64 a value out of its range (1e16 s, inf) comes out
// as LLONG_MIN, and the timeout is refused as negative.
func (c *client) parseTimeout(b []byte) (int64, bool) {
	ld, ok := rnum.ParseLongDouble(b)
	if !ok {
		c.w.WriteError("ERR timeout is not a float or out of range")
		return 0, false
	}
	t := rnum.CeilMul1000(ld)
	if t < 0 {
		c.w.WriteError("ERR timeout is negative")
		return 0, false
	}
	return t, true
}

func bpopGeneric(c *client, args [][]byte, head bool) {
	blockingPopGeneric(c, args[1:len(args)-1], head, args[len(args)-1], 0)
}

// blockingPopGeneric is blockingPopGenericCommand: pop from the first
// non-empty list of keys, or block on them all. count > 0 is BLMPOP's,
// whose reply nests the elements under the key.
func blockingPopGeneric(c *client, keys [][]byte, head bool, tb []byte, count int64) {
	timeout, ok := c.parseTimeout(tb)
	if !ok {
		return
	}
	for _, k := range keys {
		o := c.db.lookup(k)
		if o == nil {
			continue
		}
		if o.kind != kindList {
			c.w.WriteError(errWrongType)
			return
		}
		if count > 0 {
			n := min(count, int64(o.list.Len()))
			c.listPopRange(c.db, k, o, head, n)
			c.prop = [][]byte{popName(head), k, strconv.AppendInt(nil, n, 10)}
			return
		}
		v := o.list.pop(head)
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(k)
		c.w.WriteBulk(v)
		c.s.notifyChange(c.db, notifyList, popEvent(head), k, c.removeIfEmpty(k, o))
		c.s.modified(c.db, k, 1)
		c.prop = [][]byte{popName(head), k}
		return
	}
	if c.deniedBlocking {
		c.w.WriteNullArray()
		return
	}
	c.block(&blockState{db: c.db, keys: stringsOf(keys), head: head, count: count}, timeout)
}

// listPopRange is listPopRangeAndReplyWithKey: n elements from one end,
// replied as [key, [elements...]].
func (c *client) listPopRange(d *db, key []byte, o *object, head bool, n int64) {
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(key)
	c.w.WriteArrayLen(int(n))
	for range n {
		c.w.WriteBulk(o.list.pop(head))
	}
	c.s.notifyChange(d, notifyList, popEvent(head), key, o.list.Len() == 0 && d.remove(string(key)))
	c.s.modified(d, key, int(n))
}

// mpopArgs parses LMPOP's and ZMPOP's numkeys key... where [COUNT n]
// (lmpopGenericCommand): args start at numkeys. where is LEFT/RIGHT for
// a list, MIN/MAX for a sorted set; head is LEFT or MIN.
func (c *client) mpopArgs(args [][]byte, zset bool) (keys [][]byte, head bool, count int64, ok bool) {
	numkeys, ok := rnum.ParseInt(args[0])
	if !ok || numkeys < 1 {
		c.w.WriteError("ERR numkeys should be greater than 0")
		return nil, false, 0, false
	}
	if numkeys >= int64(len(args))-1 {
		c.w.WriteError(errSyntax)
		return nil, false, 0, false
	}
	keys, where := args[1:1+numkeys], args[1+numkeys]
	switch {
	case zset && cEqualFold(where, "min"), !zset && cEqualFold(where, "left"):
		head = true
	case zset && cEqualFold(where, "max"), !zset && cEqualFold(where, "right"):
	default:
		c.w.WriteError(errSyntax)
		return nil, false, 0, false
	}
	count = -1
	for j := 2 + numkeys; j < int64(len(args)); j++ {
		if count != -1 || !cEqualFold(args[j], "count") || j+1 >= int64(len(args)) {
			c.w.WriteError(errSyntax)
			return nil, false, 0, false
		}
		j++
		n, ok := rnum.ParseInt(args[j])
		if !ok || n < 1 {
			c.w.WriteError("ERR count should be greater than 0")
			return nil, false, 0, false
		}
		count = n
	}
	if count == -1 {
		count = 1
	}
	return keys, head, count, true
}

// lmpopCommand is LMPOP numkeys key... LEFT|RIGHT [COUNT n]: propagated
// as LPOP or RPOP key n.
func lmpopCommand(c *client, args [][]byte) {
	keys, head, count, ok := c.mpopArgs(args[1:], false)
	if !ok {
		return
	}
	for _, k := range keys {
		o := c.db.lookup(k)
		if o == nil {
			continue
		}
		if o.kind != kindList {
			c.w.WriteError(errWrongType)
			return
		}
		n := min(count, int64(o.list.Len()))
		c.listPopRange(c.db, k, o, head, n)
		c.prop = [][]byte{popName(head), k, strconv.AppendInt(nil, n, 10)}
		return
	}
	c.w.WriteNullArray()
}

// blmpopCommand is BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]:
// the timeout is read after the rest.
func blmpopCommand(c *client, args [][]byte) {
	keys, head, count, ok := c.mpopArgs(args[2:], false)
	if !ok {
		return
	}
	blockingPopGeneric(c, keys, head, args[1], count)
}

func popName(head bool) []byte {
	if head {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

func stringsOf(b [][]byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = string(x)
	}
	return out
}

func blmoveCommand(c *client, args [][]byte) {
	from, ok1 := parseWhere(args[3])
	to, ok2 := parseWhere(args[4])
	if !ok1 || !ok2 {
		c.w.WriteError(errSyntax)
		return
	}
	blmoveGeneric(c, args[1], args[2], from, to, args[5], args[3:5])
}

func brpoplpushCommand(c *client, args [][]byte) {
	blmoveGeneric(c, args[1], args[2], false, true, args[3], nil)
}

// blmoveGeneric is BLMOVE, with the client's LEFT|RIGHT words in where,
// or BRPOPLPUSH (where nil). One that moves at once propagates as LMOVE
// with the words as the client wrote them (lmoveGenericCommand rewrites
// the command with its own argv), or as RPOPLPUSH.
func blmoveGeneric(c *client, src, dst []byte, from, to bool, tb []byte, where [][]byte) {
	timeout, ok := c.parseTimeout(tb)
	if !ok {
		return
	}
	if moveGeneric(c, src, dst, from, to, timeout) {
		// What propagates if it moved (call ignores it after an error).
		if where == nil {
			c.prop = [][]byte{[]byte("RPOPLPUSH"), src, dst}
		} else {
			c.prop = [][]byte{[]byte("LMOVE"), src, dst, where[0], where[1]}
		}
		return
	}
	if c.deniedBlocking {
		c.w.WriteNull()
		return
	}
	c.block(&blockState{db: c.db, keys: []string{string(src)}, head: from, move: true, dst: append([]byte(nil), dst...), to: to, rpl: where == nil}, timeout)
}

// block parks c until one of its keys gets data or the timeout (ms; 0 is
// forever) passes on the monotonic clock.
func (c *client) block(b *blockState, timeout int64) {
	c.blocked = b
	s := c.s
	c.setBpopTimeout(timeout)
	for _, k := range b.keys {
		dk := dbKey{b.db.id, k}
		if !slices.Contains(s.blocking[dk], c) {
			s.blocking[dk] = append(s.blocking[dk], c)
		}
	}
	if timeout > 0 && !timeoutNeverFires(timeout) {
		b.timer = s.env.After(time.Duration(timeout)*time.Millisecond, func() {
			if c.blocked != b {
				return
			}
			c.unblock(false)
			c.w.WriteNullArray()
			c.markPending()
			c.processInput()
			s.afterEvent()
		})
	}
}

// setBpopTimeout notes a blocking command's timeout (ms from now, 0 for
// none) as c->bpop.timeout, the deadline Redis keeps after the block.
func (c *client) setBpopTimeout(timeout int64) {
	switch {
	case timeout <= 0:
		c.bpopTimeout = 0
	case timeoutNeverFires(timeout):
		c.bpopTimeout = math.MaxInt64
	default:
		c.bpopTimeout = c.s.nowMs() + timeout
	}
}

// timeoutNeverFires says whether a blocked client's timeout (ms, > 0)
// never comes. 7.0.15 adds it to the time now in a long long, unchecked,
// and files the sum in its timeout table as unsigned: a sum past 2^63
// wraps to a deadline no clock reaches (WAIT 1 9223372036854775807 blocks
// for good), and one just short of it is centuries away. A time.Duration
// holds no more than 292 years, so beyond that the node sets no timer.
func timeoutNeverFires(ms int64) bool { return ms > math.MaxInt64/int64(time.Millisecond) }

// unblock removes c from the blocking lists; with reply false nothing is
// sent (the caller replies, or the client is gone).
func (c *client) unblock(reply bool) {
	b := c.blocked
	if b == nil {
		return
	}
	c.blocked = nil
	s := c.s
	if !c.closed {
		s.countUnblocked(c, b)
	}
	if b.wait {
		s.waiters = slices.DeleteFunc(s.waiters, func(x *client) bool { return x == c })
	}
	if !b.timer.IsZero() {
		s.env.Cancel(b.timer)
	}
	for _, k := range b.keys {
		dk := dbKey{b.db.id, k}
		l := slices.DeleteFunc(s.blocking[dk], func(x *client) bool { return x == c })
		if len(l) == 0 {
			delete(s.blocking, dk)
		} else {
			s.blocking[dk] = l
		}
	}
}

// signalReady is signalKeyAsReady: key got data that blocked clients may
// want.
func (s *Server) signalReady(d *db, key string) {
	dk := dbKey{d.id, key}
	if len(s.blocking[dk]) == 0 || slices.Contains(s.ready, dk) {
		return
	}
	s.ready = append(s.ready, dk)
}

// serveReady is handleClientsBlockedOnKeys: serve the clients blocked on
// ready keys, first blocked first served, then let them run their
// pending input.
func (s *Server) serveReady() {
	for len(s.ready) > 0 {
		dk := s.ready[0]
		s.ready = s.ready[1:]
		d := s.dbs[dk.db]
		if o := d.lookup([]byte(dk.key)); o != nil && o.kind == kindStream {
			for _, c := range slices.Clone(s.blocking[dk]) {
				if c.blocked != nil && c.blocked.stream != nil {
					s.serveBlockedStream(c, d, dk.key, o)
					c.processInput()
				}
			}
			continue
		}
		for _, c := range slices.Clone(s.blocking[dk]) {
			o := d.lookup([]byte(dk.key))
			if o == nil {
				break
			}
			b := c.blocked
			if b == nil || b.stream != nil || (o.kind == kindZSet) != b.zset || (o.kind != kindList && o.kind != kindZSet) {
				continue // blocked on the other type (serveClientsBlockedOn*Key)
			}
			if b.zset {
				s.serveBlockedZSet(c, d, dk.key, o)
			} else {
				s.serveBlocked(c, d, dk.key, o)
			}
			c.processInput()
		}
		// The key is gone or no longer a stream: XREADGROUP clients
		// blocked on it cannot be served any more.
		s.unblockDeletedStreamGroupReaders(dk)
	}
}

func (s *Server) serveBlocked(c *client, d *db, key string, o *object) {
	b := c.blocked
	c.unblock(false)
	k := []byte(key)
	if b.count > 0 {
		// BLMPOP: propagated as [LR]POP key count, then popped as LMPOP.
		n := min(b.count, int64(o.list.Len()))
		s.propagate(d.id, [][]byte{popName(b.head), k, strconv.AppendInt(nil, n, 10)})
		c.listPopRange(d, k, o, b.head, n)
		c.markPending()
		return
	}
	v := o.list.pop(b.head)
	if !b.move {
		removed := c.removeIfEmpty(k, o)
		s.modified(d, k, 1)
		s.propagate(d.id, [][]byte{popName(b.head), k})
		c.w.WriteArrayLen(2)
		c.w.WriteBulk(k)
		c.w.WriteBulk(v)
		s.notifyChange(d, notifyList, popEvent(b.head), k, removed)
		c.markPending()
		return
	}
	do := d.lookup(b.dst)
	if do != nil && do.kind != kindList {
		o.list.push(v, b.head)
		c.w.WriteError(errWrongType)
		c.markPending()
		return
	}
	if do == nil {
		do = &object{kind: kindList, list: &list{}}
		d.add(string(b.dst), do)
	}
	do.list.push(v, b.to)
	s.signalReady(d, string(b.dst))
	s.notify(notifyList, pushEvent(b.to), b.dst, d.id)
	s.notifyChange(d, notifyList, popEvent(b.head), k, c.removeIfEmpty(k, o))
	s.modified(d, k, 1)
	s.signalModified(d, string(b.dst))
	if b.rpl {
		s.propagate(d.id, [][]byte{[]byte("RPOPLPUSH"), k, b.dst})
	} else {
		s.propagate(d.id, [][]byte{[]byte("LMOVE"), k, b.dst, whereName(b.head), whereName(b.to)})
	}
	c.w.WriteBulk(v)
	c.markPending()
}

// serveBlockedZSet is serveClientsBlockedOnSortedSetKey for one client:
// pop as its command would, and propagate ZPOPMIN or ZPOPMAX, with the
// count for BZMPOP.
func (s *Server) serveBlockedZSet(c *client, d *db, key string, o *object) {
	b := c.blocked
	c.unblock(false)
	k := []byte(key)
	count, mpop := int64(-1), b.count > 0
	if mpop {
		count = b.count
	}
	db := c.db
	c.db = d
	_, llen := c.genericZpop([][]byte{k}, b.head, true, count, mpop, mpop)
	c.db = db
	p := [][]byte{zpopName(b.head), k}
	if mpop {
		p = append(p, strconv.AppendInt(nil, min64(count, llen), 10))
	}
	s.propagate(d.id, p)
	c.markPending()
}
