package redis

import (
	"bytes"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// list is a Redis list: a ring-buffer deque, O(1) at both ends and by
// index (Redis's quicklist is O(n/chunk) by index; nothing observable
// depends on that).
type list struct {
	buf  [][]byte
	head int
	n    int
}

func (l *list) Len() int { return l.n }

func (l *list) idx(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// At returns element i (0 <= i < Len).
func (l *list) At(i int) []byte { return l.buf[l.idx(i)] }

func (l *list) set(i int, v []byte) { l.buf[l.idx(i)] = v }

func (l *list) grow() {
	if l.n < len(l.buf) {
		return
	}
	nb := make([][]byte, max(8, len(l.buf)*2))
	for i := 0; i < l.n; i++ {
		nb[i] = l.At(i)
	}
	l.buf, l.head = nb, 0
}

func (l *list) pushBack(v []byte) {
	l.grow()
	l.buf[l.idx(l.n)] = v
	l.n++
}

func (l *list) pushFront(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
}

func (l *list) popFront() []byte {
	v := l.buf[l.head]
	l.buf[l.head] = nil
	l.head = l.idx(1)
	l.n--
	return v
}

func (l *list) popBack() []byte {
	i := l.idx(l.n - 1)
	v := l.buf[i]
	l.buf[i] = nil
	l.n--
	return v
}

func (l *list) push(v []byte, head bool) {
	if head {
		l.pushFront(v)
	} else {
		l.pushBack(v)
	}
}

func (l *list) pop(head bool) []byte {
	if head {
		return l.popFront()
	}
	return l.popBack()
}

// items copies the elements out in order.
func (l *list) items() [][]byte {
	out := make([][]byte, l.n)
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// replace sets the contents to items.
func (l *list) replace(items [][]byte) {
	*l = list{}
	for _, v := range items {
		l.pushBack(v)
	}
}

var listCommands = []cmdSpec{
	{"lpush", -3, fw, func(c *client, a [][]byte) { pushGeneric(c, a, true, false) }, oneKey},
	{"rpush", -3, fw, func(c *client, a [][]byte) { pushGeneric(c, a, false, false) }, oneKey},
	{"lpushx", -3, fw, func(c *client, a [][]byte) { pushGeneric(c, a, true, true) }, oneKey},
	{"rpushx", -3, fw, func(c *client, a [][]byte) { pushGeneric(c, a, false, true) }, oneKey},
	{"lpop", -2, fwn, func(c *client, a [][]byte) { popGeneric(c, a, true) }, oneKey},
	{"rpop", -2, fwn, func(c *client, a [][]byte) { popGeneric(c, a, false) }, oneKey},
	{"lrange", 4, fr, lrangeCommand, oneKey},
	{"llen", 2, fr, llenCommand, oneKey},
	{"lindex", 3, fr, lindexCommand, oneKey},
	{"lset", 4, fw, lsetCommand, oneKey},
	{"lrem", 4, fwn, lremCommand, oneKey},
	{"ltrim", 4, fwn, ltrimCommand, oneKey},
	{"linsert", 5, fw, linsertCommand, oneKey},
	{"lpos", -3, fr, lposCommand, oneKey},
	{"lmove", 5, fw, lmoveCommand, twoKeys},
	{"rpoplpush", 3, fw, func(c *client, a [][]byte) { moveGeneric(c, a[1], a[2], false, true, -1) }, twoKeys},
	{"blpop", -3, fw | flagBlocking | flagNoScript, func(c *client, a [][]byte) { bpopGeneric(c, a, true) }, keysThenTimeout},
	{"brpop", -3, fw | flagBlocking | flagNoScript, func(c *client, a [][]byte) { bpopGeneric(c, a, false) }, keysThenTimeout},
	{"blmove", 6, fw | flagBlocking | flagNoScript, blmoveCommand, twoKeys},
	{"brpoplpush", 4, fw | flagBlocking | flagNoScript, brpoplpushCommand, twoKeys},
	{"lmpop", -4, fwn, lmpopCommand, countKeysAt(1)},
	{"blmpop", -5, fwn | flagBlocking, blmpopCommand, countKeysAt(2)},
}

// getList looks key up for writing; false means a WRONGTYPE reply was
// sent.
func (c *client) getList(key []byte) (*object, bool) {
	o := c.db.lookup(key)
	if o != nil && o.kind != kindList {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	return o, true
}

func pushGeneric(c *client, args [][]byte, head, onlyExisting bool) {
	key := args[1]
	o, ok := c.getList(key)
	if !ok {
		return
	}
	if o == nil {
		if onlyExisting {
			c.w.WriteInt(0)
			return
		}
		o = &object{kind: kindList, list: &list{}}
		c.db.add(string(key), o)
	}
	for _, v := range args[2:] {
		o.list.push(bytes.Clone(v), head)
	}
	c.s.modified(c.db, key, len(args)-2)
	c.s.signalReady(c.db, string(key))
	c.s.notify(notifyList, pushEvent(head), key, c.db.id)
	c.w.WriteInt(int64(o.list.Len()))
}

// positiveCount is getPositiveLongFromObjectOrReply.
func (c *client) positiveCount(b []byte) (int64, bool) {
	n, ok := rnum.ParseInt(b)
	if !ok || n < 0 {
		c.w.WriteError(errPositiveInt)
		return 0, false
	}
	return n, true
}

// removeIfEmpty deletes an emptied container key and reports whether it
// did.
func (c *client) removeIfEmpty(key []byte, o *object) bool {
	var n int
	switch o.kind {
	case kindList:
		n = o.list.Len()
	case kindSet:
		n = o.set.len()
	case kindHash:
		n = o.hash.len()
	case kindZSet:
		n = o.zset.Len()
	default:
		return false
	}
	return n == 0 && c.db.remove(string(key))
}

func popGeneric(c *client, args [][]byte, head bool) {
	if len(args) > 3 {
		c.w.WriteError("ERR wrong number of arguments for '" + c.lastCmd + "' command")
		return
	}
	var count int64
	hasCount := len(args) == 3
	if hasCount {
		var ok bool
		if count, ok = c.positiveCount(args[2]); !ok {
			return
		}
	}
	key := args[1]
	o, ok := c.getList(key)
	if !ok {
		return
	}
	if o == nil {
		if hasCount {
			c.w.WriteNullArray()
		} else {
			c.w.WriteNull()
		}
		return
	}
	if hasCount && count == 0 {
		c.w.WriteArrayLen(0)
		return
	}
	if !hasCount {
		c.w.WriteBulk(o.list.pop(head))
	} else {
		n := min(int(count), o.list.Len())
		c.w.WriteArrayLen(n)
		for i := 0; i < n; i++ {
			c.w.WriteBulk(o.list.pop(head))
		}
	}
	c.s.notifyChange(c.db, notifyList, popEvent(head), key, c.removeIfEmpty(key, o))
	c.s.modified(c.db, key, 1)
}

// pushEvent and popEvent name a list's events by the end they act on.
func pushEvent(head bool) string {
	if head {
		return "lpush"
	}
	return "rpush"
}

func popEvent(head bool) string {
	if head {
		return "lpop"
	}
	return "rpop"
}

func lrangeCommand(c *client, args [][]byte) {
	start, ok1 := rnum.ParseInt(args[2])
	end, ok2 := rnum.ParseInt(args[3])
	if !ok1 || !ok2 {
		c.w.WriteError(errNotInt)
		return
	}
	o := c.db.lookupRead(args[1])
	if o == nil {
		c.w.WriteArrayLen(0)
		return
	}
	if o.kind != kindList {
		c.w.WriteError(errWrongType)
		return
	}
	n := int64(o.list.Len())
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	if start > end || start >= n {
		c.w.WriteArrayLen(0)
		return
	}
	end = min(end, n-1)
	c.w.WriteArrayLen(int(end - start + 1))
	for i := start; i <= end; i++ {
		c.w.WriteBulk(o.list.At(int(i)))
	}
}

func llenCommand(c *client, args [][]byte) {
	if o := c.readKind(kindList, args[1], func() { c.w.WriteInt(0) }); o != nil {
		c.w.WriteInt(int64(o.list.Len()))
	}
}

func lindexCommand(c *client, args [][]byte) {
	o := c.readKind(kindList, args[1], c.w.WriteNull)
	if o == nil {
		return
	}
	i, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	n := int64(o.list.Len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		c.w.WriteNull()
		return
	}
	c.w.WriteBulk(o.list.At(int(i)))
}

func lsetCommand(c *client, args [][]byte) {
	o := c.db.lookup(args[1])
	if o == nil {
		c.w.WriteError(errNoKey)
		return
	}
	if o.kind != kindList {
		c.w.WriteError(errWrongType)
		return
	}
	i, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	n := int64(o.list.Len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		c.w.WriteError(errOutOfRange)
		return
	}
	o.list.set(int(i), bytes.Clone(args[3]))
	c.s.modified(c.db, args[1], 1)
	c.s.notify(notifyList, "lset", args[1], c.db.id)
	c.w.WriteOK()
}

func lremCommand(c *client, args [][]byte) {
	count, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	o := c.writeKind(kindList, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	items := o.list.items()
	removed := int64(0)
	keep := make([][]byte, 0, len(items))
	if count >= 0 {
		for _, v := range items {
			if bytes.Equal(v, args[3]) && (count == 0 || removed < count) {
				removed++
				continue
			}
			keep = append(keep, v)
		}
	} else {
		drop := make([]bool, len(items))
		for i := len(items) - 1; i >= 0 && removed < -count; i-- {
			if bytes.Equal(items[i], args[3]) {
				drop[i] = true
				removed++
			}
		}
		for i, v := range items {
			if !drop[i] {
				keep = append(keep, v)
			}
		}
	}
	if removed > 0 {
		o.list.replace(keep)
		c.s.notifyChange(c.db, notifyList, "lrem", args[1], c.removeIfEmpty(args[1], o))
		c.s.modified(c.db, args[1], int(removed))
	}
	c.w.WriteInt(removed)
}

func ltrimCommand(c *client, args [][]byte) {
	start, ok1 := rnum.ParseInt(args[2])
	end, ok2 := rnum.ParseInt(args[3])
	if !ok1 || !ok2 {
		c.w.WriteError(errNotInt)
		return
	}
	o := c.writeKind(kindList, args[1], c.w.WriteOK)
	if o == nil {
		return
	}
	n := int64(o.list.Len())
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	var keep [][]byte
	if start <= end && start < n {
		end = min(end, n-1)
		items := o.list.items()
		keep = items[start : end+1]
	}
	o.list.replace(keep)
	c.s.notifyChange(c.db, notifyList, "ltrim", args[1], c.removeIfEmpty(args[1], o))
	c.s.modified(c.db, args[1], int(n)-len(keep))
	c.w.WriteOK()
}

func linsertCommand(c *client, args [][]byte) {
	var after bool
	switch lowerC(args[2]) {
	case "after":
		after = true
	case "before":
	default:
		c.w.WriteError(errSyntax)
		return
	}
	o := c.writeKind(kindList, args[1], func() { c.w.WriteInt(0) })
	if o == nil {
		return
	}
	items := o.list.items()
	for i, v := range items {
		if !bytes.Equal(v, args[3]) {
			continue
		}
		at := i
		if after {
			at++
		}
		items = append(items[:at], append([][]byte{bytes.Clone(args[4])}, items[at:]...)...)
		o.list.replace(items)
		c.s.modified(c.db, args[1], 1)
		c.s.notify(notifyList, "linsert", args[1], c.db.id)
		c.w.WriteInt(int64(len(items)))
		return
	}
	c.w.WriteInt(-1)
}

func lposCommand(c *client, args [][]byte) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		opt := lowerC(args[j])
		if j+1 >= len(args) || (opt != "rank" && opt != "count" && opt != "maxlen") {
			c.w.WriteError(errSyntax)
			return
		}
		v, ok := rnum.ParseInt(args[j+1])
		j++
		var bad string
		switch {
		case !ok && opt == "rank":
			bad = errNotInt
		case opt == "rank" && v == 0:
			bad = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
		case opt != "rank" && (!ok || v < 0):
			// getPositiveLongFromObjectOrReply gives its message for a
			// value that is no integer too: "MAXLEN can't be negative"
			// for MAXLEN x.
			bad = "ERR " + strings.ToUpper(opt) + " can't be negative"
		}
		if bad != "" {
			c.w.WriteError(bad)
			return
		}
		switch opt {
		case "rank":
			rank = v
		case "count":
			count = v
		default:
			maxlen = v
		}
	}
	o := c.db.lookupRead(args[1])
	if o == nil {
		if count != -1 {
			c.w.WriteArrayLen(0)
		} else {
			c.w.WriteNull()
		}
		return
	}
	if o.kind != kindList {
		c.w.WriteError(errWrongType)
		return
	}
	n := o.list.Len()
	var found []int64
	skip := rank - 1
	if rank < 0 {
		// -LONG_MIN overflows to itself in Redis, and every match then
		// counts: the first match from the tail.
		skip = -rank - 1
		if rank == -1<<63 {
			skip = 0
		}
	}
	for k := 0; k < n && (maxlen == 0 || int64(k) < maxlen); k++ {
		i := k
		if rank < 0 {
			i = n - 1 - k
		}
		if !bytes.Equal(o.list.At(i), args[2]) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		found = append(found, int64(i))
		if count == -1 || (count > 0 && int64(len(found)) >= count) {
			break
		}
	}
	if count == -1 {
		if len(found) == 0 {
			c.w.WriteNull()
		} else {
			c.w.WriteInt(found[0])
		}
		return
	}
	c.w.WriteArrayLen(len(found))
	for _, i := range found {
		c.w.WriteInt(i)
	}
}

// parseWhere parses LEFT|RIGHT; true is LEFT (the head).
func parseWhere(b []byte) (head, ok bool) {
	switch lowerC(b) {
	case "left":
		return true, true
	case "right":
		return false, true
	}
	return false, false
}

func lmoveCommand(c *client, args [][]byte) {
	from, ok1 := parseWhere(args[3])
	to, ok2 := parseWhere(args[4])
	if !ok1 || !ok2 {
		c.w.WriteError(errSyntax)
		return
	}
	moveGeneric(c, args[1], args[2], from, to, -1)
}

// moveGeneric is lmoveGenericCommand; it returns false when nothing moved
// because src is empty (a blocking form then blocks). timeout >= 0 marks a
// blocking form, which replies nothing then.
func moveGeneric(c *client, src, dst []byte, from, to bool, timeout int64) bool {
	so := c.db.lookup(src)
	if so != nil && so.kind != kindList {
		c.w.WriteError(errWrongType)
		return true
	}
	if so == nil {
		if timeout < 0 {
			c.w.WriteNull()
		}
		return false
	}
	do := c.db.lookup(dst)
	if do != nil && do.kind != kindList {
		c.w.WriteError(errWrongType)
		return true
	}
	v := so.list.pop(from)
	if do == nil {
		do = &object{kind: kindList, list: &list{}}
		c.db.add(string(dst), do)
	}
	do.list.push(v, to)
	c.s.signalReady(c.db, string(dst))
	// lmoveHandlePush notifies the push before the pop.
	c.s.notify(notifyList, pushEvent(to), dst, c.db.id)
	c.s.notifyChange(c.db, notifyList, popEvent(from), src, c.removeIfEmpty(src, so))
	c.s.modified(c.db, src, 1)
	c.s.signalModified(c.db, string(dst))
	c.w.WriteBulk(v)
	return true
}

// whereName is getStringObjectFromListPosition: shared.left or
// shared.right, in lower case, as a served BLMOVE propagates them.
func whereName(head bool) []byte {
	if head {
		return []byte("left")
	}
	return []byte("right")
}
