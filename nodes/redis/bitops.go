package redis

import (
	"math"

	"github.com/redsim/redsim/nodes/redis/bitops"
)

// The bitmap commands and LCS (src/bitops.c and t_string.c's lcsCommand):
// nodes/redis/bitops computes, this file does the lookups, in Redis's
// order, and stores what comes back. All of them propagate as they were
// sent.
var bitopsCommands = []cmdSpec{
	{"setbit", 4, fw, setbitCommand, oneKey},
	{"getbit", 3, fr, getbitCommand, oneKey},
	{"bitcount", -2, fr, bitcountCommand, oneKey},
	{"bitpos", -3, fr, bitposCommand, oneKey},
	{"bitop", -4, fw, bitopCommand, bitopKeys},
	{"bitfield", -2, fw, bitfieldCommand, oneKey},
	{"bitfield_ro", -2, fr, bitfieldCommand, oneKey},
	{"lcs", -3, fr, lcsCommand, cmdKeys{specs: []keySpec{keyRange(1, 1, 1)}}},
}

// bitopKeys is BITOP op destkey key...: the destination, then the sources.
var bitopKeys = cmdKeys{specs: []keySpec{keyAt(2), keyRange(3, -1, 1)}}

// maxBulkLen is the proto-max-bulk-len that bounds the strings a command
// may build; the master and the AOF are obeyed whatever they ask.
func (c *client) maxBulkLen() int64 {
	if c.mustObey() {
		return math.MaxInt64
	}
	return c.s.cfg.ProtoMaxBulkLen
}

// bitString is lookupStringForBitCommand: key's string for a command
// that writes bits, made raw, or a new empty raw string added without a
// signal (the command signals when it changes something), and whether
// the key existed; nil after a WRONGTYPE reply.
func (c *client) bitString(key []byte) (o *object, existed bool) {
	o = c.db.lookup(key)
	if o == nil {
		o = rawString(nil)
		c.db.add(string(key), o)
		return o, false
	}
	if o.kind != kindString {
		c.w.WriteError(errWrongType)
		return nil, true
	}
	c.s.unshare(o)
	return o, true
}

// strValue is the bytes of a string value or nil, and whether it exists.
func strValue(o *object) ([]byte, bool) {
	if o == nil {
		return nil, false
	}
	return o.str, true
}

func (c *client) writeIntOrError(n int64, e string) {
	if e != "" {
		c.w.WriteError(e)
		return
	}
	c.w.WriteInt(n)
}

func setbitCommand(c *client, args [][]byte) {
	a, e := bitops.ParseSetBit(args, c.maxBulkLen())
	if e != "" {
		c.w.WriteError(e)
		return
	}
	o, exists := c.bitString(args[1])
	if o == nil {
		return
	}
	r := bitops.SetBit(o.str, exists, a)
	o.str = r.Value
	if r.Modified {
		c.s.modified(c.db, args[1], 1)
		c.s.notify(notifyString, "setbit", args[1], c.db.id)
	}
	c.w.WriteInt(r.Old)
}

func getbitCommand(c *client, args [][]byte) {
	off, e := bitops.ParseGetBit(args, c.maxBulkLen())
	if e != "" {
		c.w.WriteError(e)
		return
	}
	o, ok := c.getString(args[1])
	if !ok {
		return
	}
	v, _ := strValue(o)
	c.w.WriteInt(bitops.GetBit(v, off))
}

func bitcountCommand(c *client, args [][]byte) {
	o, ok := c.getString(args[1])
	if !ok {
		return
	}
	v, exists := strValue(o)
	c.writeIntOrError(bitops.BitCount(args, v, exists))
}

func bitposCommand(c *client, args [][]byte) {
	bit, e := bitops.ParseBitPosBit(args)
	if e != "" {
		c.w.WriteError(e)
		return
	}
	o, ok := c.getString(args[1])
	if !ok {
		return
	}
	v, exists := strValue(o)
	c.writeIntOrError(bitops.BitPos(args, bit, v, exists))
}

func bitopCommand(c *client, args [][]byte) {
	op, e := bitops.ParseBitOp(args)
	if e != "" {
		c.w.WriteError(e)
		return
	}
	srcs := make([][]byte, 0, len(args)-3)
	for _, k := range args[3:] {
		o, ok := c.getString(k)
		if !ok {
			return
		}
		v, _ := strValue(o)
		srcs = append(srcs, v)
	}
	res := bitops.BitOp(op, srcs)
	dest := args[2]
	if len(res) > 0 {
		c.db.set(string(dest), rawString(res), false)
		c.s.notify(notifyString, "set", dest, c.db.id)
		c.s.dirty++
	} else if c.db.del(dest) {
		c.s.notify(notifyGeneric, "del", dest, c.db.id)
		c.s.dirty++
	}
	c.w.WriteInt(int64(len(res)))
}

// bitfieldCommand is BITFIELD and BITFIELD_RO: a key that a SET or an
// INCRBY addresses is created and padded even when no field changes, as
// Redis does, without a signal or a change counted.
func bitfieldCommand(c *client, args [][]byte) {
	b, e := bitops.ParseBitfield(args, c.maxBulkLen(), len(args[0]) > len("bitfield"))
	if e != "" {
		c.w.WriteError(e)
		return
	}
	var r bitops.BitfieldResult
	if b.Writes() {
		o, exists := c.bitString(args[1])
		if o == nil {
			return
		}
		r = b.Apply(o.str, exists)
		o.str = r.Value
		if r.Changes > 0 {
			c.s.modified(c.db, args[1], int(r.Changes))
			c.s.notify(notifyString, "setbit", args[1], c.db.id)
		}
	} else {
		o, ok := c.getString(args[1])
		if !ok {
			return
		}
		v, exists := strValue(o)
		r = b.Apply(v, exists)
	}
	r.WriteReply(c.w)
}

func lcsCommand(c *client, args [][]byte) {
	oa := c.db.lookupRead(args[1])
	ob := c.db.lookupRead(args[2])
	if (oa != nil && oa.kind != kindString) || (ob != nil && ob.kind != kindString) {
		c.w.WriteError(bitops.ErrLCSKeys)
		return
	}
	a, _ := strValue(oa)
	b, _ := strValue(ob)
	r, e := bitops.LCS(args, a, b, c.maxBulkLen())
	if e != "" {
		c.w.WriteError(e)
		return
	}
	r.WriteReply(c.w)
}
