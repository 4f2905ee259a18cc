package redis

import (
	"math"
	"strconv"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/rnum"
)

var stringCommands = []cmdSpec{
	{"get", 2, fr, getCommand, oneKey},
	{"set", -3, fw, setCommand, oneKey},
	{"setnx", 3, fw, setnxCommand, oneKey},
	{"setex", 4, fw, setexCommand, oneKey},
	{"psetex", 4, fw, psetexCommand, oneKey},
	{"getset", 3, fw, getsetCommand, oneKey},
	{"getdel", 2, fwn, getdelCommand, oneKey},
	{"getex", -2, fwn, getexCommand, oneKey},
	{"mget", -2, fr, mgetCommand, allKeys},
	{"mset", -3, fw, msetCommand, keyValuePairs},
	{"msetnx", -3, fw, msetnxCommand, keyValuePairs},
	{"incr", 2, fw, func(c *client, a [][]byte) { incrDecr(c, a[1], 1) }, oneKey},
	{"decr", 2, fw, func(c *client, a [][]byte) { incrDecr(c, a[1], -1) }, oneKey},
	{"incrby", 3, fw, incrbyCommand, oneKey},
	{"decrby", 3, fw, decrbyCommand, oneKey},
	{"incrbyfloat", 3, fw, incrbyfloatCommand, oneKey},
	{"append", 3, fw, appendCommand, oneKey},
	{"strlen", 2, fr, strlenCommand, oneKey},
	{"getrange", 4, fr, getrangeCommand, oneKey},
	{"substr", 4, fr, getrangeCommand, oneKey},
	{"setrange", 4, fw, setrangeCommand, oneKey},
}

const maxStringLen = 512 << 20

// getString looks key up for reading; it writes the WRONGTYPE error and
// reports false when key holds another type.
func (c *client) getString(key []byte) (*object, bool) {
	o := c.db.lookupRead(key)
	if o != nil && o.kind != kindString {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	return o, true
}

// getStringWrite is getString with lookupKeyWrite, for the commands
// that write the string: no hit or miss is counted, no keymiss notified.
func (c *client) getStringWrite(key []byte) (*object, bool) {
	o := c.db.lookup(key)
	if o != nil && o.kind != kindString {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	return o, true
}

// getGeneric is getGenericCommand: reply with the value or null.
func (c *client) getGeneric(key []byte) bool {
	o, ok := c.getString(key)
	if !ok {
		return false
	}
	if o == nil {
		c.w.WriteNull()
	} else {
		c.w.WriteBulk(o.str)
	}
	return true
}

func getCommand(c *client, args [][]byte) { c.getGeneric(args[1]) }

// setFlags are SET's options (OBJ_SET_NX...).
type setFlags uint16

const (
	setNX setFlags = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
)

const setExpireFlags = setEX | setPX | setEXAT | setPXAT

// parseSetArgs is parseExtendedStringArgumentsOrReply for SET (isSet) and
// GETEX.
func parseSetArgs(c *client, args [][]byte, isSet bool) (flags setFlags, expire []byte, ok bool) {
	for j := 0; j < len(args); j++ {
		opt := lowerC(args[j])
		var next []byte
		if j+1 < len(args) {
			next = args[j+1]
		}
		switch {
		case opt == "nx" && flags&setXX == 0 && isSet:
			flags |= setNX
		case opt == "xx" && flags&setNX == 0 && isSet:
			flags |= setXX
		case opt == "get" && isSet:
			flags |= setGet
		case opt == "keepttl" && flags&(setPersist|setExpireFlags) == 0 && isSet:
			flags |= setKeepTTL
		case opt == "persist" && !isSet && flags&(setExpireFlags|setKeepTTL) == 0:
			flags |= setPersist
		case (opt == "ex" || opt == "px" || opt == "exat" || opt == "pxat") && flags&(setKeepTTL|setPersist|setExpireFlags) == 0 && next != nil:
			switch opt {
			case "ex":
				flags |= setEX
			case "px":
				flags |= setPX
			case "exat":
				flags |= setEXAT
			default:
				flags |= setPXAT
			}
			expire = next
			j++
		default:
			c.w.WriteError(errSyntax)
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireMs is getExpireMillisecondsOrReply: the absolute expiry time in ms.
func (c *client) expireMs(expire []byte, flags setFlags) (int64, bool) {
	ms, ok := rnum.ParseInt(expire)
	if !ok {
		c.w.WriteError(errNotInt)
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		c.writeExpireTimeError()
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += c.s.expireNowMs()
	}
	if ms <= 0 {
		c.writeExpireTimeError()
		return 0, false
	}
	return ms, true
}

func (c *client) writeExpireTimeError() {
	c.w.WriteError("ERR invalid expire time in '" + c.lastCmd + "' command")
}

// setGeneric is setGenericCommand; okReply and abortReply are the replies on
// success and on an NX/XX abort ("" means +OK and null).
func setGeneric(c *client, flags setFlags, key, val, expire []byte, intReplies bool) {
	var when int64
	if expire != nil {
		var ok bool
		if when, ok = c.expireMs(expire, flags); !ok {
			return
		}
	}
	if flags&setGet != 0 && !c.getGeneric(key) {
		return
	}
	cur, e := c.db.lookupEntry(key, hashKey(key))
	found := cur != nil
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet == 0 {
			if intReplies {
				c.w.WriteInt(0)
			} else {
				c.w.WriteNull()
			}
		}
		return
	}
	o := c.s.newStringCopy(val)
	k, old := c.db.setEntry(key, e, o, flags&setKeepTTL != 0)
	c.s.recycleString(old)
	c.s.dirty++
	c.s.notify(notifyString, "set", key, c.db.id)
	if expire != nil {
		c.db.setExpire(k, o, when)
		c.s.notify(notifyGeneric, "expire", key, c.db.id)
		c.prop = [][]byte{[]byte("SET"), key, val, []byte("PXAT"), strconv.AppendInt(nil, when, 10)}
		if flags&(setEX|setPX) != 0 && bugs.On(bugs.RelativeExpirePropagated) {
			// Before Redis 7.0 (redis/redis#8474): SET EX/PX, SETEX and
			// PSETEX went to the replicas as SET PX with the relative
			// time; only the AOF got PXAT.
			rel := [][]byte{[]byte("SET"), key, val, []byte("PX"), strconv.AppendInt(nil, when-c.s.expireNowMs(), 10)}
			c.s.propagateSplit(c.db.id, rel, c.prop)
			c.noProp = true
		}
	} else if flags&setGet != 0 {
		// Propagate without GET.
		p := [][]byte{c.argv[0]}
		for _, a := range c.argv[1:] {
			if !cEqualFold(a, "get") {
				p = append(p, a)
			}
		}
		c.prop = p
	}
	if flags&setGet == 0 {
		if intReplies {
			c.w.WriteInt(1)
		} else {
			c.w.WriteOK()
		}
	}
}

func setCommand(c *client, args [][]byte) {
	flags, expire, ok := parseSetArgs(c, args[3:], true)
	if !ok {
		return
	}
	setGeneric(c, flags, args[1], args[2], expire, false)
}

func setnxCommand(c *client, args [][]byte) { setGeneric(c, setNX, args[1], args[2], nil, true) }

func setexCommand(c *client, args [][]byte) { setGeneric(c, setEX, args[1], args[3], args[2], false) }

func psetexCommand(c *client, args [][]byte) {
	setGeneric(c, setPX, args[1], args[3], args[2], false)
}

func getsetCommand(c *client, args [][]byte) {
	if !c.getGeneric(args[1]) {
		return
	}
	c.db.set(string(args[1]), stringObjectCopy(args[2]), false)
	c.s.notify(notifyString, "set", args[1], c.db.id)
	c.s.dirty++
	c.prop = [][]byte{[]byte("SET"), args[1], args[2]}
}

func getdelCommand(c *client, args [][]byte) {
	if !c.getGeneric(args[1]) {
		return
	}
	if c.db.del(args[1]) {
		c.s.notify(notifyGeneric, "del", args[1], c.db.id)
		c.s.dirty++
		verb := "DEL"
		if c.s.cfg.LazyFreeLazyUserDel {
			verb = "UNLINK"
		}
		c.prop = [][]byte{[]byte(verb), args[1]}
	}
}

func getexCommand(c *client, args [][]byte) {
	flags, expire, ok := parseSetArgs(c, args[2:], false)
	if !ok {
		return
	}
	key := args[1]
	o, ok := c.getString(key)
	if !ok {
		return
	}
	if o == nil {
		c.w.WriteNull()
		return
	}
	var when int64
	if expire != nil {
		if when, ok = c.expireMs(expire, flags); !ok {
			return
		}
	}
	c.w.WriteBulk(o.str)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && c.s.alreadyExpired(when):
		c.db.del(key)
		c.prop = [][]byte{c.s.expireDelVerb(), key}
		c.s.notify(notifyGeneric, "del", key, c.db.id)
		c.s.dirty++
	case expire != nil:
		c.db.setExpire(string(key), o, when)
		c.prop = [][]byte{[]byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10)}
		c.s.signalModified(c.db, string(key))
		c.s.notify(notifyGeneric, "expire", key, c.db.id)
		c.s.dirty++
	case flags&setPersist != 0:
		if c.db.persist(string(key), o) {
			c.prop = [][]byte{[]byte("PERSIST"), key}
			c.s.signalModified(c.db, string(key))
			c.s.notify(notifyGeneric, "persist", key, c.db.id)
			c.s.dirty++
		}
	}
}

func mgetCommand(c *client, args [][]byte) {
	c.w.WriteArrayLen(len(args) - 1)
	for _, k := range args[1:] {
		o := c.db.lookupRead(k)
		if o == nil || o.kind != kindString {
			c.w.WriteNull()
		} else {
			c.w.WriteBulk(o.str)
		}
	}
}

func msetGeneric(c *client, args [][]byte, nx bool) {
	if len(args)%2 == 0 {
		c.w.WriteError("ERR wrong number of arguments for '" + c.lastCmd + "' command")
		return
	}
	if nx {
		for j := 1; j < len(args); j += 2 {
			if c.db.lookup(args[j]) != nil {
				c.w.WriteInt(0)
				return
			}
		}
	}
	for j := 1; j < len(args); j += 2 {
		c.db.set(string(args[j]), stringObjectCopy(args[j+1]), false)
		c.s.notify(notifyString, "set", args[j], c.db.id)
	}
	c.s.dirty += int64(len(args) / 2)
	if nx {
		c.w.WriteInt(1)
	} else {
		c.w.WriteOK()
	}
}

func msetCommand(c *client, args [][]byte)   { msetGeneric(c, args, false) }
func msetnxCommand(c *client, args [][]byte) { msetGeneric(c, args, true) }

func incrDecr(c *client, key []byte, by int64) {
	o, ok := c.getStringWrite(key)
	if !ok {
		return
	}
	var v int64
	if o != nil {
		if v, ok = rnum.ParseInt(o.str); !ok {
			c.w.WriteError(errNotInt)
			return
		}
	}
	if (by < 0 && v < 0 && by < math.MinInt64-v) || (by > 0 && v > 0 && by > math.MaxInt64-v) {
		c.w.WriteError(errOverflow)
		return
	}
	v += by
	// A new object (createStringObjectFromLongLongForValue) or the old
	// one changed in place: an int either way, shared from 0 to 9999.
	c.db.set(string(key), intObject(v, nil), true)
	c.s.notify(notifyString, "incrby", key, c.db.id)
	c.s.dirty++
	c.w.WriteInt(v)
}

func incrbyCommand(c *client, args [][]byte) {
	by, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	incrDecr(c, args[1], by)
}

func decrbyCommand(c *client, args [][]byte) {
	by, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if by == math.MinInt64 {
		c.w.WriteError("ERR decrement would overflow")
		return
	}
	incrDecr(c, args[1], -by)
}

func incrbyfloatCommand(c *client, args [][]byte) {
	key := args[1]
	o, ok := c.getStringWrite(key)
	if !ok {
		return
	}
	v := rnum.LongDoubleFromInt64(0)
	if o != nil {
		if v, ok = rnum.ParseLongDouble(o.str); !ok {
			c.w.WriteError(errNotFloat)
			return
		}
	}
	incr, ok := rnum.ParseLongDouble(args[2])
	if !ok {
		c.w.WriteError(errNotFloat)
		return
	}
	v = v.Add(incr)
	if !v.IsFinite() {
		c.w.WriteError(errNaN)
		return
	}
	val := rnum.AppendLongDouble(nil, v)
	c.db.set(string(key), createdString(val), true)
	c.s.notify(notifyString, "incrbyfloat", key, c.db.id)
	c.s.dirty++
	c.w.WriteBulk(val)
	if bugs.On(bugs.IncrbyfloatDropsTTL) {
		// Before the fix of redis/redis#5256, the SET cleared the
		// replicas' (and the AOF's) TTL.
		c.prop = [][]byte{[]byte("SET"), key, val}
		return
	}
	c.prop = [][]byte{[]byte("SET"), key, val, []byte("KEEPTTL")}
}

func appendCommand(c *client, args [][]byte) {
	key := args[1]
	o, ok := c.getStringWrite(key)
	if !ok {
		return
	}
	if o == nil {
		o = stringObjectCopy(args[2])
		c.db.set(string(key), o, false)
	} else {
		if !c.checkStringLength(int64(len(o.str)), int64(len(args[2]))) {
			return
		}
		c.s.unshare(o)
		o.str = append(o.str, args[2]...)
		c.s.signalModified(c.db, string(key))
	}
	c.s.notify(notifyString, "append", key, c.db.id)
	c.s.dirty++
	c.w.WriteInt(int64(len(o.str)))
}

func strlenCommand(c *client, args [][]byte) {
	o, ok := c.getString(args[1])
	if !ok {
		return
	}
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	c.w.WriteInt(int64(len(o.str)))
}

func getrangeCommand(c *client, args [][]byte) {
	start, ok1 := rnum.ParseInt(args[2])
	end, ok2 := rnum.ParseInt(args[3])
	if !ok1 || !ok2 {
		c.w.WriteError(errNotInt)
		return
	}
	o, ok := c.getString(args[1])
	if !ok {
		return
	}
	if o == nil {
		c.w.WriteBulk(nil)
		return
	}
	n := int64(len(o.str))
	if start < 0 && end < 0 && start > end {
		c.w.WriteBulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.w.WriteBulk(nil)
		return
	}
	c.w.WriteBulk(o.str[start : end+1])
}

func setrangeCommand(c *client, args [][]byte) {
	key, val := args[1], args[3]
	offset, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if offset < 0 {
		c.w.WriteError("ERR offset is out of range")
		return
	}
	o := c.db.lookup(key)
	if o != nil && o.kind != kindString {
		c.w.WriteError(errWrongType)
		return
	}
	if len(val) == 0 {
		// Nothing to set: 0 for a missing key, else the length as it is,
		// before any check of the offset.
		if o == nil {
			c.w.WriteInt(0)
		} else {
			c.w.WriteInt(int64(len(o.str)))
		}
		return
	}
	if !c.checkStringLength(offset, int64(len(val))) {
		return
	}
	if o == nil {
		o = rawString(nil)
		c.db.set(string(key), o, false)
	} else {
		c.s.unshare(o)
	}
	need := int(offset) + len(val)
	if need > len(o.str) {
		o.str = append(o.str, make([]byte, need-len(o.str))...)
	}
	copy(o.str[offset:], val)
	c.s.signalModified(c.db, string(key))
	c.s.notify(notifyString, "setrange", key, c.db.id)
	c.s.dirty++
	c.w.WriteInt(int64(len(o.str)))
}

// checkStringLength is checkStringLength: a string of size+add bytes
// must fit proto-max-bulk-len, the sum checked for overflow; the master
// and the AOF are obeyed whatever they ask.
func (c *client) checkStringLength(size, add int64) bool {
	if c.mustObey() {
		return true
	}
	total := int64(uint64(size) + uint64(add))
	if total > c.s.cfg.ProtoMaxBulkLen || total < size || total < add {
		c.w.WriteError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return false
	}
	return true
}

// mustObey is mustObeyClient: the master's link and the AOF loader, whose
// commands a node applies without second-guessing them.
func (c *client) mustObey() bool { return c.isMaster || (c.isFake && c.s.loading) }

// unshare is dbUnshareStringValue: a string about to change in place
// becomes a raw string of its own.
func (s *Server) unshare(o *object) {
	if o.shared {
		o.shared, o.lru = false, s.lruClock
	}
	o.enc = encRaw
}
