package redis

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/glob"
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
	{"touch", -2, fr, existsCommand, allKeys},
	{"dbsize", 1, fr, func(c *client, _ [][]byte) { c.w.WriteInt(int64(c.db.keys.Len())) }, noKeys},
}

func delCommand(c *client, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		c.db.lookup(k) // expire first, as Redis's expireIfNeeded
		if c.db.del(k) {
			n++
			c.s.dirty++
		}
	}
	c.w.WriteInt(n)
}

func existsCommand(c *client, args [][]byte) {
	n := int64(0)
	for _, k := range args[1:] {
		if c.db.lookupRead(k) != nil {
			n++
		}
	}
	c.w.WriteInt(n)
}

func typeCommand(c *client, args [][]byte) {
	o := c.db.lookupRead(args[1])
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
		if (all || glob.Match(pat, []byte(key), false)) && (o.expireAt == 0 || o.expireAt > now) {
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
		if o.expireAt != 0 && o.expireAt <= c.s.expireNowMs() {
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

// parseCursor is parseScanCursorOrReply.
func parseCursor(c *client, b []byte) (uint64, bool) {
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil || len(b) == 0 || b[0] == '+' || b[0] == ' ' {
		c.w.WriteError("ERR invalid cursor")
		return 0, false
	}
	return v, true
}

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
		switch opt := strings.ToLower(string(args[i])); {
		case opt == "count":
			n, err := strconv.ParseInt(string(args[i+1]), 10, 64)
			if err != nil {
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
			o.typ = strings.ToLower(string(args[i+1]))
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
		o := c.db.lookup([]byte(k))
		if o == nil {
			continue
		}
		if opts.typ != "" && o.kind.String() != opts.typ {
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
