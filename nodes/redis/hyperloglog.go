package redis

import "github.com/redsim/redsim/nodes/redis/hll"

// The HyperLogLog commands (src/hyperloglog.c): nodes/redis/hll works on
// the values, this file looks the keys up in Redis's order and stores
// what comes back. They propagate as they were sent, PFCOUNT included
// when it refreshes a cached cardinality and PFDEBUG when it converts a
// value to dense.
var hllCommands = []cmdSpec{
	{"pfadd", -2, fw, pfaddCommand, oneKey},
	{"pfcount", -2, fr, pfcountCommand, allKeys},
	{"pfmerge", -2, fw, pfmergeCommand, destThenKeys},
	{"pfdebug", 3, fw | flagAdmin, pfdebugCommand, keyAt2},
	{"pfselftest", 1, flagAdmin, pfselftestCommand, noKeys},
}

// hllValue is isHLLObjectOrReply: o's bytes if it is a string with an HLL
// header; otherwise it replies WRONGTYPE (Redis's standard one for
// another type, the HLL one for another string) and reports false.
func (c *client) hllValue(o *object) ([]byte, bool) {
	if o.kind != kindString {
		c.w.WriteError(errWrongType)
		return nil, false
	}
	if err := hll.Check(o.str); err != nil {
		c.w.WriteError(err.Error())
		return nil, false
	}
	return o.str, true
}

func pfaddCommand(c *client, args [][]byte) {
	key := args[1]
	o := c.db.lookup(key)
	created := o == nil
	if created {
		o = rawString(hll.New())
		c.db.add(string(key), o)
	} else {
		if _, ok := c.hllValue(o); !ok {
			return
		}
		c.s.unshare(o)
	}
	out, updated, err := hll.Add(o.str, args[2:], c.s.cfg.HllSparseMaxBytes)
	o.str = out
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	if created || updated {
		c.s.modified(c.db, key, 1)
		c.s.notify(notifyString, "pfadd", key, c.db.id)
		c.w.WriteInt(1)
		return
	}
	c.w.WriteInt(0)
}

func pfcountCommand(c *client, args [][]byte) {
	if len(args) > 2 {
		u := new(hll.Union)
		for _, k := range args[1:] {
			o := c.db.lookupRead(k)
			if o == nil {
				continue
			}
			v, ok := c.hllValue(o)
			if !ok {
				return
			}
			if err := u.Merge(v); err != nil {
				c.w.WriteError(err.Error())
				return
			}
		}
		c.w.WriteInt(u.Count())
		return
	}
	key := args[1]
	o := c.db.lookupRead(key)
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	if _, ok := c.hllValue(o); !ok {
		return
	}
	c.s.unshare(o)
	n, out, modified, err := hll.Count(o.str)
	o.str = out
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	if modified {
		c.s.modified(c.db, key, 1)
	}
	c.w.WriteInt(n)
}

func pfmergeCommand(c *client, args [][]byte) {
	u := new(hll.Union)
	for _, k := range args[1:] {
		o := c.db.lookupRead(k)
		if o == nil {
			continue
		}
		v, ok := c.hllValue(o)
		if !ok {
			return
		}
		if err := u.Merge(v); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	}
	dest := args[1]
	o := c.db.lookup(dest)
	var cur []byte
	if o == nil {
		o = rawString(nil)
		c.db.add(string(dest), o)
	} else {
		c.s.unshare(o)
		cur = o.str
	}
	out, err := u.Store(cur, c.s.cfg.HllSparseMaxBytes)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	o.str = out
	c.s.modified(c.db, dest, 1)
	// Redis calls the merge a pfadd, a mass-add of elements.
	c.s.notify(notifyString, "pfadd", dest, c.db.id)
	c.w.WriteOK()
}

func pfdebugCommand(c *client, args [][]byte) {
	sub, key := args[1], args[2]
	o := c.db.lookup(key)
	if o == nil {
		c.w.WriteError("ERR The specified key does not exist")
		return
	}
	if _, ok := c.hllValue(o); !ok {
		return
	}
	c.s.unshare(o)
	switch {
	case cEqualFold(sub, "getreg"):
		regs, out, converted, err := hll.GetReg(o.str)
		o.str = out
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		if converted {
			c.s.dirty++ // the new encoding propagates
		}
		c.w.WriteArrayLen(len(regs))
		for _, r := range regs {
			c.w.WriteInt(int64(r))
		}
	case cEqualFold(sub, "decode"):
		d, err := hll.Decode(o.str)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		c.w.WriteBulkString(d)
	case cEqualFold(sub, "encoding"):
		enc, err := hll.Encoding(o.str)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		c.w.WriteSimpleString(enc)
	case cEqualFold(sub, "todense"):
		out, converted, err := hll.ToDense(o.str)
		o.str = out
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		if converted {
			c.s.dirty++
			c.w.WriteInt(1)
		} else {
			c.w.WriteInt(0)
		}
	default:
		c.w.WriteError("ERR Unknown PFDEBUG subcommand '" + cstr(sub, len(sub)) + "'")
	}
}

func pfselftestCommand(c *client, args [][]byte) {
	rand := func() uint32 { return uint32(c.crand()) }
	if err := hll.SelfTest(rand, c.s.cfg.HllSparseMaxBytes); err != nil {
		c.w.WriteError(err.Error())
		return
	}
	c.w.WriteOK()
}
