package redis

import (
	"errors"
	"strconv"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/rnum"
)

// DUMP and RESTORE (cluster.c): a value's serialization as one RDB
// record's type and body, with the RDB version and a CRC-64 after it, so
// that a payload moves between Redis servers (and between Redis and the
// node) byte for byte.

var dumpCommands = []cmdSpec{
	{"dump", 2, fr, dumpCommand, oneKey},
	{"restore", -4, fw, restoreCommand, oneKey},
	// RESTORE-ASKING is RESTORE flagged CMD_ASKING, which matters only to
	// a cluster node's slot checks.
	{"restore-asking", -4, fw, restoreCommand, oneKey},
}

const (
	errBusyKey      = "BUSYKEY Target key name already exists."
	errDumpChecksum = "ERR DUMP payload version or checksum are wrong"
	errBadData      = "ERR Bad data format"
)

// dumpCommand is DUMP key: createDumpPayload of the value as it is
// encoded, or a null for a missing key.
func dumpCommand(c *client, args [][]byte) {
	o := c.db.lookupRead(args[1])
	if o == nil {
		c.w.WriteNull()
		return
	}
	p, err := rdbfile.Dump(nil, o.rdbValue(), c.s.rdbOptions())
	if err != nil {
		// The node holds no value the format refuses (an empty collection,
		// a NaN score); Redis would assert here.
		c.w.WriteError("ERR " + err.Error())
		return
	}
	c.w.WriteBulk(p)
}

// restoreCommand is RESTORE key ttl serialized-value [REPLACE] [ABSTTL]
// [IDLETIME seconds] [FREQ frequency], checked in restoreCommand's order:
// the options, an existing key, the TTL, the payload's footer, then its
// body. A relative TTL is propagated as an absolute one with ABSTTL; a
// TTL already past stores nothing and, if REPLACE deleted a key, is
// propagated as DEL.
func restoreCommand(c *client, args [][]byte) {
	replace, absttl := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(args); j++ {
		more := len(args) - j - 1
		switch {
		case cEqualFold(args[j], "replace"):
			replace = true
		case cEqualFold(args[j], "absttl"):
			absttl = true
		case cEqualFold(args[j], "idletime") && more >= 1 && freq == -1:
			n, ok := rnum.ParseInt(args[j+1])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if n < 0 {
				c.w.WriteError("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = n
			j++
		case cEqualFold(args[j], "freq") && more >= 1 && idle == -1:
			n, ok := rnum.ParseInt(args[j+1])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if n < 0 || n > 255 {
				c.w.WriteError("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = n
			j++
		default:
			c.w.WriteError(errSyntax)
			return
		}
	}
	key := args[1]
	if !replace && c.db.lookup(key) != nil {
		c.w.WriteError(errBusyKey)
		return
	}
	ttl, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if ttl < 0 {
		c.w.WriteError("ERR Invalid TTL value, must be >= 0")
		return
	}
	v, err := rdbfile.DecodeDump(args[3], c.s.skipChecksum)
	if err != nil {
		if errors.Is(err, rdbfile.ErrDumpFooter) {
			c.w.WriteError(errDumpChecksum)
		} else {
			c.w.WriteError(errBadData)
		}
		return
	}
	o, err := c.s.objectFromRDB(v)
	if err != nil {
		c.w.WriteError(errBadData)
		return
	}
	deleted := replace && c.db.remove(string(key))
	if ttl != 0 && !absttl {
		ttl += c.s.expireNowMs()
	}
	if ttl != 0 && c.s.alreadyExpired(ttl) {
		if deleted {
			c.prop = [][]byte{[]byte("DEL"), key}
			c.s.signalModified(c.db, string(key))
			c.s.notify(notifyGeneric, "del", key, c.db.id)
			c.s.dirty++
		}
		c.w.WriteOK()
		return
	}
	if ttl != 0 {
		o.expireAt = ttl
		if !absttl {
			c.prop = append(append([][]byte{}, args[:2]...), strconv.AppendInt(nil, ttl, 10))
			c.prop = append(append(c.prop, args[3:]...), []byte("ABSTTL"))
		}
	}
	c.db.add(string(key), o)
	c.s.setLRUOrLFU(o, freq, idle)
	c.s.signalModified(c.db, string(key))
	c.s.notify(notifyGeneric, "restore", key, c.db.id)
	c.w.WriteOK()
	c.s.dirty++
}

// setLRUOrLFU is objectSetLRUOrLFU: under an LFU policy FREQ sets the
// counter (IDLETIME is ignored); under any other, IDLETIME in seconds
// sets the LRU clock that far back, wrapping round the clock when it
// underflows (FREQ is ignored). -1 is an option not given. A shared
// integer's clock is the shared object's, as in Redis.
func (s *Server) setLRUOrLFU(o *object, freq, idle int64) {
	switch {
	case s.policy&policyFlagLFU != 0:
		if freq >= 0 {
			s.setLRU(o, s.lfuMinutes()<<8|freq)
		}
	case idle >= 0:
		// lru_idle*lru_multiplier/LRU_CLOCK_RESOLUTION.
		lru := s.lruClock - idle*1000/1000
		if lru < 0 {
			lru += lruClockMax
		}
		// robj.lru is a 24-bit field: what is still negative wraps.
		s.setLRU(o, lru&lruClockMax)
	}
}
