package redis

import (
	"bytes"
	"math"
	"slices"
	"strconv"

	"github.com/redsim/redsim/nodes/redis/glob"
	"github.com/redsim/redsim/nodes/rnum"
)

var keyCommands = []cmdSpec{
	{"del", -2, fwn, delCommand, allKeys},
	{"unlink", -2, fwn, delCommand, allKeys},
	{"exists", -2, fr, existsCommand, allKeys},
	{"type", 2, fr, typeCommand, oneKey},
	{"expire", -3, fwn, expireCommand, oneKey},
	{"pexpire", -3, fwn, pexpireCommand, oneKey},
	{"expireat", -3, fwn, expireatCommand, oneKey},
	{"pexpireat", -3, fwn, pexpireatCommand, oneKey},
	{"ttl", 2, fr, func(c *client, a [][]byte) { ttlGeneric(c, a[1], false, false) }, oneKey},
	{"pttl", 2, fr, func(c *client, a [][]byte) { ttlGeneric(c, a[1], true, false) }, oneKey},
	{"expiretime", 2, fr, func(c *client, a [][]byte) { ttlGeneric(c, a[1], false, true) }, oneKey},
	{"pexpiretime", 2, fr, func(c *client, a [][]byte) { ttlGeneric(c, a[1], true, true) }, oneKey},
	{"persist", 2, fwn, persistCommand, oneKey},
	{"rename", 3, fwn, func(c *client, a [][]byte) { renameGeneric(c, a, false) }, twoKeys},
	{"renamenx", 3, fwn, func(c *client, a [][]byte) { renameGeneric(c, a, true) }, twoKeys},
	{"keys", 2, fr, keysCommand, noKeys},
	{"scan", -2, fr, scanCommand, noKeys},
	{"randomkey", 1, fr, randomkeyCommand, noKeys},
	{"touch", -2, fr, touchCommand, allKeys},
	{"dbsize", 1, fr, func(c *client, _ [][]byte) { c.w.WriteInt(int64(c.db.keys.Len())) }, noKeys},
	{"copy", -3, fw, copyCommand, twoKeys},
	{"move", 3, fwn, moveCommand, oneKey},
	{"swapdb", 3, fwn, swapdbCommand, noKeys},
}

const errSameObject = "ERR source and destination objects are the same"

// intArg is getIntFromObjectOrReply: a C int; msg replaces both errors
// when set.
func (c *client) intArg(b []byte, msg string) (int, bool) {
	v, ok := rnum.ParseInt(b)
	switch {
	case !ok && msg == "":
		c.w.WriteError(errNotInt)
	case (v < math.MinInt32 || v > math.MaxInt32) && msg == "":
		c.w.WriteError("ERR value is out of range, value must between -2147483648 and 2147483647")
	case !ok || v < math.MinInt32 || v > math.MaxInt32:
		c.w.WriteError("ERR " + msg)
	default:
		return int(v), true
	}
	return 0, false
}

// dbArg is a database index for MOVE and COPY: selectDb's range check.
func (c *client) dbArg(b []byte) (*db, bool) {
	id, ok := c.intArg(b, "")
	if !ok {
		return nil, false
	}
	if id < 0 || id >= len(c.s.dbs) {
		c.w.WriteError("ERR DB index is out of range")
		return nil, false
	}
	return c.s.dbs[id], true
}

// copyCommand is COPY source destination [DB n] [REPLACE]; it
// propagates as it came.
func copyCommand(c *client, args [][]byte) {
	dst, replace := c.db, false
	for j := 3; j < len(args); j++ {
		switch {
		case cEqualFold(args[j], "replace"):
			replace = true
		case cEqualFold(args[j], "db") && j+1 < len(args):
			d, ok := c.dbArg(args[j+1])
			if !ok {
				return
			}
			dst = d
			j++
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	if c.s.clusterEnabled() && (c.db.id != 0 || dst.id != 0) {
		c.w.WriteError("ERR Copying to another database is not allowed in cluster mode")
		return
	}
	key, newkey := args[1], args[2]
	if dst == c.db && string(key) == string(newkey) {
		c.w.WriteError(errSameObject)
		return
	}
	o := c.db.lookupRead(key)
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	if dst.lookup(newkey) != nil {
		if !replace {
			c.w.WriteInt(0)
			return
		}
		dst.remove(string(newkey))
	}
	n := o.dup(c.s)
	n.expireAt = o.expireAt
	dst.add(string(newkey), n)
	c.s.signalModified(dst, string(newkey))
	c.s.notify(notifyGeneric, "copy_to", newkey, dst.id)
	c.s.dirty++
	c.w.WriteInt(1)
}

// moveCommand is MOVE key db.
func moveCommand(c *client, args [][]byte) {
	if c.s.clusterEnabled() {
		c.w.WriteError("ERR MOVE is not allowed in cluster mode")
		return
	}
	dst, ok := c.dbArg(args[2])
	if !ok {
		return
	}
	if dst == c.db {
		c.w.WriteError(errSameObject)
		return
	}
	key := args[1]
	o := c.db.lookup(key)
	if o == nil || dst.lookup(key) != nil {
		c.w.WriteInt(0)
		return
	}
	expireAt := o.expireAt
	c.db.remove(string(key))
	o.expireAt = expireAt
	dst.add(string(key), o)
	c.s.signalModified(c.db, string(key))
	c.s.signalModified(dst, string(key))
	c.s.notify(notifyGeneric, "move_from", key, c.db.id)
	c.s.notify(notifyGeneric, "move_to", key, dst.id)
	c.s.dirty++
	c.w.WriteInt(1)
}

// swapdbCommand is SWAPDB index1 index2: the databases trade their keys;
// clients, WATCHes and blocked clients stay with the index.
func swapdbCommand(c *client, args [][]byte) {
	// Cluster mode has db 0 alone.
	if c.s.clusterEnabled() {
		c.w.WriteError("ERR SWAPDB is not allowed in cluster mode")
		return
	}
	id1, ok := c.intArg(args[1], "invalid first DB index")
	if !ok {
		return
	}
	id2, ok := c.intArg(args[2], "invalid second DB index")
	if !ok {
		return
	}
	s := c.s
	if id1 < 0 || id1 >= len(s.dbs) || id2 < 0 || id2 >= len(s.dbs) {
		c.w.WriteError("ERR DB index is out of range")
		return
	}
	if id1 != id2 {
		d1, d2 := s.dbs[id1], s.dbs[id2]
		s.datasetChanged()
		// touchAllWatchedKeysInDb, both ways: a watched key that exists
		// on either side changes. Redis spares a watched key that was
		// already expired and stays so; the node does not track that.
		s.forWatched(d1, func(key string) { s.touchIfIn(d1, key, d1, d2) })
		s.forWatched(d2, func(key string) { s.touchIfIn(d2, key, d2, d1) })
		s.scanForDeletedStreams(d1, d2)
		s.scanForDeletedStreams(d2, d1)
		d1.keys, d2.keys = d2.keys, d1.keys
		d1.expires, d2.expires = d2.expires, d1.expires
		d1.mem, d2.mem = d2.mem, d1.mem
		s.scanForReadyKeys(d1)
		s.scanForReadyKeys(d2)
	}
	s.dirty++
	c.w.WriteOK()
}

// scanForDeletedStreams is scanDatabaseForDeletedStreams: a key that
// clients of emptied block on and that holds a stream, which the flush or
// swap replaces with nothing or another type, is signalled so that its
// XREADGROUP clients are told. The node goes in key order.
func (s *Server) scanForDeletedStreams(emptied, replacedWith *db) {
	var keys []string
	for dk := range s.blocking { //redsim:ordered sorted below
		if dk.db == emptied.id {
			keys = append(keys, dk.key)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		o, ok := emptied.keys.Get(k)
		if !ok || o.kind != kindStream {
			continue
		}
		if replacedWith != nil {
			if n, ok := replacedWith.keys.Get(k); ok && n.kind == kindStream {
				continue
			}
		}
		s.signalReady(emptied, k)
	}
}

// touchIfIn marks key's watchers in d dirty when key exists in a or b.
func (s *Server) touchIfIn(d *db, key string, a, b *db) {
	_, inA := a.keys.Get(key)
	_, inB := b.keys.Get(key)
	if inA || inB {
		s.touchWatched(d, key)
	}
}

// scanForReadyKeys is scanDatabaseForReadyKeys: after SWAPDB a key that
// clients of d block on may exist now. Redis walks its blocking-keys
// dict; the node goes in key order.
func (s *Server) scanForReadyKeys(d *db) {
	var keys []string
	for dk := range s.blocking { //redsim:ordered sorted below
		if dk.db == d.id {
			keys = append(keys, dk.key)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if o, ok := d.keys.Get(k); ok && (o.kind == kindList || o.kind == kindZSet || o.kind == kindStream) {
			s.signalReady(d, k)
		}
	}
}

func delCommand(c *client, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		c.db.lookup(k) // expire first, as Redis's expireIfNeeded
		if c.db.del(k) {
			c.s.notify(notifyGeneric, "del", k, c.db.id)
			n++
			c.s.dirty++
		}
	}
	c.w.WriteInt(n)
}

func existsCommand(c *client, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if c.db.lookupReadNoTouch(k) != nil {
			n++
		}
	}
	c.w.WriteInt(n)
}

func touchCommand(c *client, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if c.db.lookupRead(k) != nil {
			n++
		}
	}
	c.w.WriteInt(n)
}

func typeCommand(c *client, args [][]byte) {
	o := c.db.lookupReadNoTouch(args[1])
	if o == nil {
		c.w.WriteSimpleString("none")
		return
	}
	c.w.WriteSimpleString(o.kind.String())
}

func renameGeneric(c *client, args [][]byte, nx bool) {
	src, dst := args[1], args[2]
	o := c.db.lookup(src)
	if o == nil {
		c.w.WriteError(errNoKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.w.WriteInt(0)
		} else {
			c.w.WriteOK()
		}
		return
	}
	if c.db.lookup(dst) != nil {
		if nx {
			c.w.WriteInt(0)
			return
		}
		c.db.del(dst)
	}
	expireAt := o.expireAt
	c.db.remove(string(src))
	o.expireAt = expireAt
	c.db.add(string(dst), o)
	c.s.signalModified(c.db, string(src))
	c.s.signalModified(c.db, string(dst))
	c.s.notify(notifyGeneric, "rename_from", src, c.db.id)
	c.s.notify(notifyGeneric, "rename_to", dst, c.db.id)
	c.s.dirty++
	if nx {
		c.w.WriteInt(1)
	} else {
		c.w.WriteOK()
	}
}

func keysCommand(c *client, args [][]byte) {
	pat := args[1]
	all := len(pat) == 1 && pat[0] == '*'
	now := c.s.expireNowMs()
	mark := c.w.DeferLen()
	n := 0
	c.db.keys.All(func(key string, o *object) bool {
		if (all || glob.Match(pat, []byte(key), false)) && (o.expireAt == 0 || o.expireAt >= now) {
			c.w.WriteBulkString(key)
			n++
		}
		return true
	})
	c.w.SetDeferredArrayLen(mark, n)
}

func randomkeyCommand(c *client, args [][]byte) {
	d := c.db
	for tries := 0; ; tries++ {
		key, o, ok := d.keys.Random(c.s.rng)
		if !ok {
			c.w.WriteNull()
			return
		}
		if o.expireAt != 0 && c.s.expireNowMs() > o.expireAt {
			if c.s.isReplica() && tries >= 100 && d.keys.Len() == d.expires.Len() {
				// Every key is logically expired on a replica, which
				// cannot delete them: return one, as Redis does.
				c.w.WriteBulkString(key)
				return
			}
			if d.expireIfNeeded(key, o) {
				continue
			}
		}
		c.w.WriteBulkString(key)
		return
	}
}

// parseCursor is parseScanCursorOrReply: strtoul in base 10, refused if
// it leaves anything unread, overflows or starts with a space. So ""
// is cursor 0, a sign may lead ("+5"), and a negative cursor wraps
// ("-1" is 2^64-1), as in Redis. strtoul reads a C string: it stops at a
// NUL ("5\x00x" is cursor 5).
func parseCursor(c *client, b []byte) (uint64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	v, ok := strtoul(b)
	if !ok || (len(b) > 0 && isCSpace(b[0])) {
		c.w.WriteError("ERR invalid cursor")
		return 0, false
	}
	return v, true
}

// strtoul is C's strtoul(s, &end, 10) with end required at the end of s:
// no digits at all reads nothing (ok only for an empty s), and ok is
// false on overflow.
func strtoul(s []byte) (uint64, bool) {
	v, any, ok := rnum.Strtoull(s)
	if !any {
		return 0, len(s) == 0 // no conversion: end is s itself
	}
	return v, ok
}

// isCSpace is C's isspace in the C locale.
func isCSpace(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') }

// scanOpts are SCAN's MATCH, COUNT and TYPE options.
type scanOpts struct {
	pattern []byte
	count   int
	typ     string
}

func parseScanOpts(c *client, args [][]byte, allowType bool) (scanOpts, bool) {
	o := scanOpts{count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.w.WriteError(errSyntax)
			return o, false
		}
		switch opt := lowerC(args[i]); {
		case opt == "count":
			n, ok := rnum.ParseInt(args[i+1]) // getLongFromObjectOrReply
			if !ok {
				c.w.WriteError(errNotInt)
				return o, false
			}
			if n < 1 {
				c.w.WriteError(errSyntax)
				return o, false
			}
			o.count = int(min(n, 1<<30))
		case opt == "match":
			o.pattern = args[i+1]
			if len(o.pattern) == 1 && o.pattern[0] == '*' {
				o.pattern = nil
			}
		case opt == "type" && allowType:
			o.typ = lowerC(args[i+1])
		default:
			c.w.WriteError(errSyntax)
			return o, false
		}
	}
	return o, true
}

func scanCommand(c *client, args [][]byte) {
	cursor, ok := parseCursor(c, args[1])
	if !ok {
		return
	}
	opts, ok := parseScanOpts(c, args[2:], true)
	if !ok {
		return
	}
	var keys []string
	maxIter := opts.count * 10
	for {
		cursor = c.db.keys.Scan(cursor, func(key string, _ *object) { keys = append(keys, key) })
		maxIter--
		if cursor == 0 || maxIter <= 0 || len(keys) >= opts.count {
			break
		}
	}
	out := keys[:0]
	for _, k := range keys {
		if opts.pattern != nil && !glob.Match(opts.pattern, []byte(k), false) {
			continue
		}
		if opts.typ != "" {
			// The type check looks the key up, which expires it: an
			// expired key is of type "none", and SCAN ... TYPE none
			// returns it (its own expiry check then finds nothing left),
			// except on a replica, which keeps the key.
			o := c.db.lookupReadNoTouch([]byte(k))
			typ := "none"
			if o != nil {
				typ = o.kind.String()
			}
			if typ != opts.typ {
				continue
			}
			if o == nil {
				if _, kept := c.db.keys.Get(k); kept {
					continue
				}
			}
			out = append(out, k)
			continue
		}
		if c.db.lookupNoTouch([]byte(k)) == nil {
			continue
		}
		out = append(out, k)
	}
	c.w.WriteArrayLen(2)
	c.w.WriteBulk(strconv.AppendUint(nil, cursor, 10))
	c.w.WriteArrayLen(len(out))
	for _, k := range out {
		c.w.WriteBulkString(k)
	}
}

func globMatch(pattern, s []byte) bool { return glob.Match(pattern, s, false) }
