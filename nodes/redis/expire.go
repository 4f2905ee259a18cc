package redis

import (
	"math"
	"slices"
	"strconv"

	"github.com/redsim/redsim/nodes/bugs"
	"github.com/redsim/redsim/nodes/rnum"
)

// Active expiry constants, as Redis's ACTIVE_EXPIRE_CYCLE_*.
const (
	expireKeysPerLoop = 20
	// expireMaxLoops bounds one cycle; Redis bounds it by CPU time (25% of
	// a cron period), which costs nothing in virtual time.
	expireMaxLoops = 64
)

// activeExpireCycle samples keys with a TTL from each database, drawing
// from the node's stream, deletes the expired ones and repeats while more
// than a quarter of a sample had expired.
func (s *Server) activeExpireCycle() {
	// DEBUG SET-ACTIVE-EXPIRE 0 is active_expire_enabled off.
	if s.isReplica() || s.paused() || s.activeExpireOff {
		return
	}
	now := s.expireNowMs()
	for _, d := range s.dbs {
		if d.expires.Len() <= expireKeysPerLoop {
			// A sample would be the whole set: check every key, as Redis's
			// bucket scan does, instead of drawing with replacement and
			// missing some.
			var due []string
			d.expires.All(func(key string, o *object) bool {
				if now > o.expireAt {
					due = append(due, key)
				}
				return true
			})
			for _, key := range due {
				if o, ok := d.expires.Get(key); ok {
					d.activeExpire(key, o)
				}
			}
			continue
		}
		for loop := 0; loop < expireMaxLoops && d.expires.Len() > 0; loop++ {
			n := min(expireKeysPerLoop, d.expires.Len())
			expired := 0
			for i := 0; i < n && d.expires.Len() > 0; i++ {
				key, o, _ := d.expires.Random(s.rng)
				if now > o.expireAt { // activeExpireCycleTryExpire
					d.activeExpire(key, o)
					expired++
				}
			}
			if expired*4 <= n {
				break
			}
		}
	}
}

// activeExpire is expireIfNeeded for the active expiry cycle.
func (d *db) activeExpire(key string, o *object) bool {
	if bugs.On(bugs.ActiveExpireSkipsDel) && d.s.expireNowMs() > o.expireAt {
		// A planted bug: the key goes without the DEL that replicas,
		// which never expire keys themselves, and the AOF wait for (the
		// master has synthesized it since redis/redis@bcf2995).
		d.s.stats.expiredKeys++
		d.remove(key)
		d.s.signalModified(d, key)
		return true
	}
	return d.expireIfNeeded(key, o)
}

// expireDelVerb is what a key deleted for its expiry (or for an expiry
// time already past) propagates as: UNLINK under lazyfree-lazy-expire,
// DEL otherwise.
func (s *Server) expireDelVerb() []byte {
	if s.cfg.LazyFreeLazyExpire {
		return []byte("UNLINK")
	}
	return []byte("DEL")
}

// alreadyExpired is checkAlreadyExpired: a time in the past deletes the key
// at once instead of setting a TTL (not on a replica).
func (s *Server) alreadyExpired(when int64) bool {
	return when <= s.expireNowMs() && !s.isReplica()
}

// Expire flags.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// expireGeneric is expireGenericCommand. basetime is the current time for
// relative forms; seconds says the argument is in seconds.
func expireGeneric(c *client, args [][]byte, basetime int64, seconds bool) {
	key := args[1]
	flags := 0
	for _, a := range args[3:] {
		switch lowerC(a) {
		case "nx":
			flags |= expireNX
		case "xx":
			flags |= expireXX
		case "gt":
			flags |= expireGT
		case "lt":
			flags |= expireLT
		default:
			c.w.WriteError("ERR Unsupported option " + cstr(a, len(a)))
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.w.WriteError("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.w.WriteError("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := rnum.ParseInt(args[2])
	if !ok {
		c.w.WriteError(errNotInt)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.writeExpireTimeError()
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.writeExpireTimeError()
		return
	}
	when += basetime
	o := c.db.lookup(key)
	if o == nil {
		c.w.WriteInt(0)
		return
	}
	cur := int64(-1)
	if o.expireAt != 0 {
		cur = o.expireAt
	}
	if (flags&expireNX != 0 && cur != -1) ||
		(flags&expireXX != 0 && cur == -1) ||
		(flags&expireGT != 0 && (when <= cur || cur == -1)) ||
		(flags&expireLT != 0 && cur != -1 && when >= cur) {
		c.w.WriteInt(0)
		return
	}
	c.s.dirty++
	if c.s.alreadyExpired(when) {
		c.db.del(key)
		c.prop = [][]byte{c.s.expireDelVerb(), key}
		c.s.notify(notifyGeneric, "del", key, c.db.id)
		c.w.WriteInt(1)
		return
	}
	c.db.setExpire(string(key), o, when)
	c.s.signalModified(c.db, string(key))
	c.s.notify(notifyGeneric, "expire", key, c.db.id)
	// Propagated as the command came, its options too (NX, XX, GT, LT as
	// written), with PEXPIREAT for the name, unless it was that, and the
	// absolute time for the second argument, unless it was one already.
	p := slices.Clone(args)
	if basetime != 0 || seconds {
		p[0] = []byte("PEXPIREAT")
		p[2] = strconv.AppendInt(nil, when, 10)
	}
	c.prop = p
	if basetime != 0 && bugs.On(bugs.RelativeExpirePropagated) {
		// Before Redis 7.0 (redis/redis#8474): EXPIRE and PEXPIRE went to
		// the replicas as they came, relative; only the AOF got PEXPIREAT.
		c.s.propagateSplit(c.db.id, c.argv, c.prop)
		c.noProp = true
	}
	c.w.WriteInt(1)
}

func expireCommand(c *client, a [][]byte)    { expireGeneric(c, a, c.s.expireNowMs(), true) }
func pexpireCommand(c *client, a [][]byte)   { expireGeneric(c, a, c.s.expireNowMs(), false) }
func expireatCommand(c *client, a [][]byte)  { expireGeneric(c, a, 0, true) }
func pexpireatCommand(c *client, a [][]byte) { expireGeneric(c, a, 0, false) }

// ttlGeneric is TTL / PTTL (ms) and EXPIRETIME / PEXPIRETIME (abs).
func ttlGeneric(c *client, key []byte, ms, abs bool) {
	o := c.db.lookupReadNoTouch(key)
	if o == nil {
		c.w.WriteInt(-2)
		return
	}
	if o.expireAt == 0 {
		c.w.WriteInt(-1)
		return
	}
	t := o.expireAt
	if !abs {
		t = max(o.expireAt-c.s.expireNowMs(), 0)
	}
	if !ms {
		t = (t + 500) / 1000
	}
	c.w.WriteInt(t)
}

func persistCommand(c *client, args [][]byte) {
	o := c.db.lookup(args[1])
	if o == nil || !c.db.persist(string(args[1]), o) {
		c.w.WriteInt(0)
		return
	}
	c.s.signalModified(c.db, string(args[1]))
	c.s.notify(notifyGeneric, "persist", args[1], c.db.id)
	c.s.dirty++
	c.w.WriteInt(1)
}
