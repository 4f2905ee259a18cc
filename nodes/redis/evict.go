package redis

import (
	"math"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/scripting"
)

// maxmemory and key eviction (src/evict.c). Before each command, with
// maxmemory set, performEvictions deletes keys chosen by the
// maxmemory-policy until the modelled used memory (usedmemory.go) is back
// under the limit; commands flagged denyoom are refused with -OOM when it
// cannot be.
//
// Where the node differs from Redis: eviction takes no time in the
// simulation, so the time limit that maxmemory-eviction-tenacity sets is
// never reached and one performEvictions always frees all it must (Redis
// may leave the rest to a timer proc and answer the command meanwhile);
// lazyfree-lazy-eviction changes what is propagated (UNLINK) but frees
// at once, as there is no background thread to wait for.

// evictPolicy is a maxmemory-policy as Redis encodes it: an ordinal in the
// high byte and the LRU, LFU and ALLKEYS flags in the low one.
type evictPolicy int

const (
	policyFlagLRU     evictPolicy = 1 << 0
	policyFlagLFU     evictPolicy = 1 << 1
	policyFlagAllKeys evictPolicy = 1 << 2

	policyVolatileLRU    = 0<<8 | policyFlagLRU
	policyVolatileLFU    = 1<<8 | policyFlagLFU
	policyVolatileRandom = 2 << 8
	policyVolatileTTL    = 3 << 8
	policyAllKeysLRU     = 4<<8 | policyFlagLRU | policyFlagAllKeys
	policyAllKeysLFU     = 5<<8 | policyFlagLFU | policyFlagAllKeys
	policyAllKeysRandom  = 6<<8 | policyFlagAllKeys
	policyNoEviction     = 7 << 8
)

// evictPolicies are the policies in maxmemory_policy_enum's order, which
// CONFIG SET's error lists.
var evictPolicies = []struct {
	name   string
	policy evictPolicy
}{
	{"volatile-lru", policyVolatileLRU}, {"volatile-lfu", policyVolatileLFU},
	{"volatile-random", policyVolatileRandom}, {"volatile-ttl", policyVolatileTTL},
	{"allkeys-lru", policyAllKeysLRU}, {"allkeys-lfu", policyAllKeysLFU},
	{"allkeys-random", policyAllKeysRandom}, {"noeviction", policyNoEviction},
}

func parsePolicy(v string) (evictPolicy, bool) {
	for _, p := range evictPolicies {
		if strings.EqualFold(v, p.name) {
			return p.policy, true
		}
	}
	return 0, false
}

const (
	errOOM = "OOM command not allowed when used memory > 'maxmemory'."
	// evictPoolSize is EVPOOL_SIZE.
	evictPoolSize = 16
	// lfuInitVal is LFU_INIT_VAL, a new key's counter.
	lfuInitVal = 5
)

// evictResult is performEvictions' EVICT_OK or EVICT_FAIL (EVICT_RUNNING
// needs the time limit, never reached here).
type evictResult int

const (
	evictOK evictResult = iota
	evictFail
)

// poolEntry is an evictionPoolEntry: a candidate key and its score (idle
// time, 255 minus the LFU counter, or the inverse of the expiry time).
type poolEntry struct {
	idle  uint64
	key   string
	dbid  int
	inUse bool
}

// evictState is the eviction's part of the server.
type evictState struct {
	policy evictPolicy
	pool   [evictPoolSize]poolEntry
	// nextDB is the random policies' static next_db.
	nextDB int
	// preCommandOOM is server.pre_command_oom_state: whether the last
	// performEvictions before a command found the memory over the limit,
	// which scripts check at their first write.
	preCommandOOM bool
	// exceededSinceMs is stat_last_eviction_exceeded_time (monotonic ms,
	// -1 when not over the limit); exceededTotalMs its completed sum.
	exceededSinceMs int64
	exceededTotalMs int64
	mem             memAcct
}

// evictParams are the CONFIG parameters of maxmemory and eviction.
var evictParams = []param{
	{name: "maxmemory",
		get: func(c *Config) string { return strconv.FormatUint(c.MaxMemory, 10) },
		set: func(s *Server, v string) string {
			n, ok := memtoull(v)
			if !ok {
				return "argument must be a memory value"
			}
			s.cfg.MaxMemory = n
			return ""
		}},
	{name: "maxmemory-policy",
		get: func(c *Config) string { return c.MaxMemoryPolicy },
		set: func(s *Server, v string) string {
			p, ok := parsePolicy(v)
			if !ok {
				names := make([]string, len(evictPolicies))
				for i, p := range evictPolicies {
					names[i] = p.name
				}
				return "argument(s) must be one of the following: " + strings.Join(names, ", ")
			}
			for _, e := range evictPolicies {
				if e.policy == p {
					s.cfg.MaxMemoryPolicy = e.name
				}
			}
			return ""
		}},
	intParam("maxmemory-samples", 1, math.MaxInt32, func(c *Config) *int { return &c.MaxMemorySamples }),
	intParam("maxmemory-eviction-tenacity", 0, 100, func(c *Config) *int { return &c.MaxMemoryEvictionTenacity }),
	intParam("lfu-log-factor", 0, math.MaxInt32, func(c *Config) *int { return &c.LFULogFactor }),
	intParam("lfu-decay-time", 0, math.MaxInt32, func(c *Config) *int { return &c.LFUDecayTime }),
	boolParam("lazyfree-lazy-eviction", func(c *Config) *bool { return &c.LazyFreeLazyEviction }),
	boolParam("replica-ignore-maxmemory", func(c *Config) *bool { return &c.ReplicaIgnoreMaxMemory }),
	boolParam("slave-ignore-maxmemory", func(c *Config) *bool { return &c.ReplicaIgnoreMaxMemory }),
}

// evictConfigure applies the eviction configs, at boot and after CONFIG
// SET: the policy and whether memory is tracked.
func (s *Server) evictConfigure() {
	p, ok := parsePolicy(s.cfg.MaxMemoryPolicy)
	if !ok {
		p = policyNoEviction
	}
	s.policy = p
	s.setTracking(s.cfg.MaxMemory != 0)
	if s.cfg.MaxMemory != 0 {
		if used := s.usedMemory() - s.notCountedMemory(); uint64(used) > s.cfg.MaxMemory {
			s.env.Logf("WARNING: the new maxmemory value set via CONFIG SET (%d) is smaller than the current memory usage (%d). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.", s.cfg.MaxMemory, used)
		}
	}
}

// noSharedIntegers is MAXMEMORY_FLAG_NO_SHARED_INTEGERS with maxmemory
// set: values then carry their own LRU or LFU data, so integers are not
// shared.
func (s *Server) noSharedIntegers() bool {
	return s.cfg.MaxMemory != 0 && s.policy&(policyFlagLRU|policyFlagLFU) != 0
}

// storeObject sets the LRU or LFU data of o as it enters the keyspace:
// createObject's (LRU_CLOCK, or the LFU initial counter), or under an
// LFU policy the replaced value's (dbSetValue).
func (s *Server) storeObject(o, old *object) {
	if o.shared && s.noSharedIntegers() {
		o.shared = false
	}
	if o.shared {
		return
	}
	switch {
	case s.policy&policyFlagLFU == 0:
		o.lru = s.lruClock
	case old != nil:
		o.lru = s.lruOf(old)
	default:
		o.lru = s.lfuMinutes()<<8 | lfuInitVal
	}
}

// setLRU stores v as o's LRU field, a shared integer's in the server's
// table.
func (s *Server) setLRU(o *object, v int64) {
	if !o.shared {
		o.lru = v
		return
	}
	if s.sharedLRU == nil {
		s.sharedLRU = new([sharedIntegers]int64)
		for i := range s.sharedLRU {
			s.sharedLRU[i] = s.bootLRU
		}
	}
	s.sharedLRU[sharedIndex(o.str)] = v
}

// lfuMinutes is LFUGetTimeInMinutes.
func (s *Server) lfuMinutes() int64 { return (s.unixtime / 60) & 65535 }

// lfuDecr is LFUDecrAndReturn: the counter less one per lfu-decay-time
// minutes since the last access.
func (s *Server) lfuDecr(o *object) int64 {
	lru := s.lruOf(o)
	ldt, counter := lru>>8&65535, lru&255
	if s.cfg.LFUDecayTime <= 0 {
		return counter
	}
	now := s.lfuMinutes()
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	periods := elapsed / int64(s.cfg.LFUDecayTime)
	if periods > counter {
		return 0
	}
	return counter - periods
}

// lfuLogIncr is LFULogIncr: the counter grows with a probability that
// falls as it grows, drawn from the node's stream.
func (s *Server) lfuLogIncr(counter int64) int64 {
	if counter == 255 {
		return 255
	}
	r := s.rng.Float64()
	base := float64(counter - lfuInitVal)
	if base < 0 {
		base = 0
	}
	if r < 1/(base*float64(s.cfg.LFULogFactor)+1) {
		counter++
	}
	return counter
}

// touchLFU is updateLFU, lookupKey's access under an LFU policy.
func (s *Server) touchLFU(o *object) {
	c := s.lfuLogIncr(s.lfuDecr(o))
	s.setLRU(o, s.lfuMinutes()<<8|c)
}

// performEvictions is performEvictions: evict keys as the policy says
// until the used memory is within maxmemory; evictFail when it cannot.
func (s *Server) performEvictions() evictResult {
	if s.isReplica() && s.cfg.ReplicaIgnoreMaxMemory || s.loading || s.paused() {
		return evictOK // isSafeToPerformEvictions
	}
	toFree, over := s.overMaxmemory()
	result := evictFail
	switch {
	case !over:
		result = evictOK
	case s.policy == policyNoEviction:
	default:
		for toFree > 0 {
			d, key := s.evictionCandidate()
			if d == nil {
				break
			}
			before := s.usedMemory()
			s.evictKey(d, key)
			toFree -= before - s.usedMemory()
		}
		if toFree <= 0 {
			result = evictOK
		}
	}
	now := durationMs(s.env.Mono())
	switch {
	case result == evictFail && s.exceededSinceMs < 0:
		s.exceededSinceMs = now
	case result == evictOK && s.exceededSinceMs >= 0:
		s.exceededTotalMs += now - s.exceededSinceMs
		s.exceededSinceMs = -1
	}
	return result
}

// overMaxmemory is getMaxmemoryState: how much must be freed, and whether
// the limit is passed at all.
func (s *Server) overMaxmemory() (toFree int64, over bool) {
	if s.cfg.MaxMemory == 0 {
		return 0, false
	}
	used := s.usedMemory() - s.notCountedMemory()
	if used <= 0 || uint64(used) <= s.cfg.MaxMemory {
		return 0, false
	}
	return int64(uint64(used) - s.cfg.MaxMemory), true
}

// evictKey deletes a key chosen for eviction, as performEvictions does:
// counted, signalled to WATCH, notified as "evicted" and propagated as
// DEL, or UNLINK with lazyfree-lazy-eviction.
func (s *Server) evictKey(d *db, key string) {
	d.remove(key)
	s.stats.evictedKeys++
	s.signalModified(d, key)
	s.notify(notifyEvicted, "evicted", []byte(key), d.id)
	verb := "DEL"
	if s.cfg.LazyFreeLazyEviction {
		verb = "UNLINK"
	}
	s.propagate(d.id, [][]byte{[]byte(verb), []byte(key)})
}

// evictionCandidate picks the next key to evict, or nil when there is
// none the policy may take.
func (s *Server) evictionCandidate() (*db, string) {
	if s.policy&(policyFlagLRU|policyFlagLFU) != 0 || s.policy == policyVolatileTTL {
		return s.poolCandidate()
	}
	for range s.dbs {
		s.nextDB++
		d := s.dbs[s.nextDB%len(s.dbs)]
		dict := &d.expires
		if s.policy == policyAllKeysRandom {
			dict = &d.keys
		}
		if key, _, ok := dict.Random(s.rng); ok {
			return d, key
		}
	}
	return nil, ""
}

// poolCandidate fills the eviction pool from every database and takes
// its best entry that still exists, as performEvictions' loop does.
func (s *Server) poolCandidate() (*db, string) {
	for {
		total := 0
		for _, d := range s.dbs {
			dict := &d.expires
			if s.policy&policyFlagAllKeys != 0 {
				dict = &d.keys
			}
			if n := dict.Len(); n > 0 {
				s.poolPopulate(d, dict)
				total += n
			}
		}
		if total == 0 {
			return nil, ""
		}
		for k := evictPoolSize - 1; k >= 0; k-- {
			e := &s.pool[k]
			if !e.inUse {
				continue
			}
			d := s.dbs[e.dbid]
			key := e.key
			*e = poolEntry{}
			dict := &d.expires
			if s.policy&policyFlagAllKeys != 0 {
				dict = &d.keys
			}
			if _, ok := dict.Get(key); ok {
				return d, key
			}
		}
	}
}

// poolPopulate is evictionPoolPopulate: sample maxmemory-samples keys of
// dict and insert those better than the pool's worst, keeping the pool
// sorted by ascending score.
func (s *Server) poolPopulate(d *db, dict *dict[*object]) {
	for _, e := range someKeys(dict, max(s.cfg.MaxMemorySamples, 1), s.rng) {
		o := e.val
		if dict != &d.keys {
			if v, ok := d.keys.Get(e.key); ok {
				o = v
			}
		}
		var idle uint64
		switch {
		case s.policy&policyFlagLRU != 0:
			idle = uint64(s.idleMs(o))
		case s.policy&policyFlagLFU != 0:
			idle = uint64(255 - s.lfuDecr(o))
		default: // volatile-ttl: the sooner the expiry, the better
			idle = math.MaxUint64 - uint64(e.val.expireAt)
		}
		pool := &s.pool
		k := 0
		for k < evictPoolSize && pool[k].inUse && pool[k].idle < idle {
			k++
		}
		switch {
		case k == 0 && pool[evictPoolSize-1].inUse:
			continue // worse than every entry of a full pool
		case k < evictPoolSize && !pool[k].inUse:
			// an empty slot: insert here
		case !pool[evictPoolSize-1].inUse:
			copy(pool[k+1:], pool[k:evictPoolSize-1]) // shift right
		default:
			k-- // full: drop the worst (the first) and shift left
			copy(pool[:k], pool[1:k+1])
		}
		pool[k] = poolEntry{idle: idle, key: e.key, dbid: d.id, inUse: true}
	}
}

// sampled is one entry dictGetSomeKeys returned.
type sampled struct {
	key string
	val *object
}

// someKeys is dictGetSomeKeys: from a random bucket on, the entries of
// consecutive buckets until count are found, jumping elsewhere after a
// run of empty buckets, in at most 10*count steps. It may return fewer
// than count, and duplicates.
func someKeys(d *dict[*object], count int, rng interface{ Uint64() uint64 }) []sampled {
	count = min(count, d.Len())
	if count == 0 {
		return nil
	}
	mask := uint64(len(d.buckets) - 1)
	out := make([]sampled, 0, count)
	i := rng.Uint64() & mask
	empty := 0
	for steps := count * 10; len(out) < count && steps > 0; steps-- {
		e := d.buckets[i]
		if e == nil {
			empty++
			if empty >= 5 && empty > count {
				i = rng.Uint64() & mask
				empty = 0
			}
		} else {
			empty = 0
			for ; e != nil; e = e.next {
				out = append(out, sampled{e.key, e.val})
				if len(out) == count {
					return out
				}
			}
		}
		i = (i + 1) & mask
	}
	return out
}

// oomRejects is processCommand's maxmemory step for c about to run cmd:
// evict, remember the state for scripts, and report whether the command
// must be refused with -OOM.
func (c *client) oomRejects(cmd *command, args [][]byte) bool {
	s := c.s
	if s.cfg.MaxMemory == 0 || s.busyError() != "" {
		// Not while a timed-out script runs: its own writes and evictions
		// must not interleave in the stream.
		return false
	}
	oom := s.performEvictions() == evictFail
	s.preCommandOOM = oom
	if !oom {
		return false
	}
	if c.multi && cmd.name != "exec" && cmd.name != "discard" && cmd.name != "quit" && cmd.name != "reset" {
		return true
	}
	if c.denyOOM(cmd, args) {
		return true
	}
	if cmd.name == "exec" {
		for _, q := range c.queue {
			if qc := s.lookup(q); qc != nil && c.denyOOM(qc, q) {
				return true
			}
		}
	}
	return false
}

// denyOOM is getCommandFlags' CMD_DENYOOM: the command's flag, or for
// EVAL, EVALSHA and FCALL with flags (a shebang, a function), unless the
// script says allow-oom or no-writes (scriptFlagsToCmdFlags).
func (c *client) denyOOM(cmd *command, args [][]byte) bool {
	flags, ok := c.s.scriptFlagsOf(cmd, args)
	if !ok {
		return cmd.flags&flagDenyOOM != 0
	}
	return flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) == 0
}

// scriptFlagsOf is evalGetCommandFlags and fcallGetCommandFlags: the
// flags of the script or function args would run, when it has them.
func (s *Server) scriptFlagsOf(cmd *command, args [][]byte) (scripting.Flags, bool) {
	if len(args) < 2 {
		return 0, false
	}
	switch cmd.name {
	case "eval", "eval_ro":
		return scripting.ShebangFlags(args[1])
	case "evalsha", "evalsha_ro":
		if len(args[1]) != 40 || s.engine == nil {
			return 0, false
		}
		return s.engine.ScriptFlags(string(args[1]))
	case "fcall", "fcall_ro":
		if s.funcs == nil {
			return 0, false
		}
		if fn := s.funcs.Find(args[1]); fn != nil {
			return fn.Flags | scripting.FlagShebang, true
		}
	}
	return 0, false
}

// scriptOOM is scriptVerifyOOM for a command a script calls: refused when
// the memory was over the limit as the script started, the command is
// denyoom and the script has not written yet.
func (s *Server) scriptOOM(cmd *command) bool {
	return s.cfg.MaxMemory != 0 && !s.scriptAllowOOM && !s.scriptWrote &&
		s.scriptCaller != nil && !s.scriptCaller.mustObey() &&
		s.preCommandOOM && cmd.flags&flagDenyOOM != 0
}

// masterOOM is processCommand's maxmemory step for a command of the
// master's stream: a replica that does not ignore maxmemory evicts, and
// refuses what it cannot hold.
func (s *Server) masterOOM(cmd *command) bool {
	if s.cfg.MaxMemory == 0 {
		return false
	}
	oom := s.performEvictions() == evictFail
	s.preCommandOOM = oom
	return oom && cmd.flags&flagDenyOOM != 0
}

// objectFreqOrIdle answers OBJECT FREQ and OBJECT IDLETIME as the policy
// allows.
func (c *client) objectFreqOrIdle(sub string, o *object) {
	lfu := c.s.policy&policyFlagLFU != 0
	switch {
	case sub == "freq" && !lfu:
		c.w.WriteError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	case sub == "freq":
		c.w.WriteInt(c.s.lfuDecr(o))
	case lfu:
		c.w.WriteError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	default:
		c.w.WriteInt(c.s.idleMs(o) / 1000)
	}
}

// applyMetaFlags sets the denyoom and loading flags of the table's
// commands from what Redis 7.0.15 says of them (commandmeta.go), so that
// the OOM and loading checks follow Redis's table exactly.
func applyMetaFlags(t map[string]*command) {
	set := func(cmd *command) {
		m := commandMetas[cmd.name]
		if m == nil {
			return
		}
		cmd.flags &^= flagDenyOOM | flagLoading
		for _, f := range m.flags {
			switch f {
			case "denyoom":
				cmd.flags |= flagDenyOOM
			case "loading":
				cmd.flags |= flagLoading
			}
		}
	}
	for _, cmd := range t { //redsim:ordered sets flags; order cannot show
		set(cmd)
		for _, sub := range cmd.subs { //redsim:ordered sets flags; order cannot show
			set(sub)
		}
	}
}

// infoEvictionStats writes INFO stats' eviction fields.
func (s *Server) infoEvictionStats(b *strings.Builder) {
	field(b, "evicted_keys", s.stats.evictedKeys)
	field(b, "evicted_clients", 0)
	cur := int64(0)
	if s.exceededSinceMs >= 0 {
		cur = durationMs(s.env.Mono()) - s.exceededSinceMs
	}
	field(b, "total_eviction_exceeded_time", s.exceededTotalMs+cur)
	field(b, "current_eviction_exceeded_time", cur)
}

// bytesToHuman is bytesToHuman: B up to 1023, then K, M, G, T and P with
// two decimals.
func bytesToHuman(n uint64) string {
	units := []string{"K", "M", "G", "T", "P"}
	if n < 1024 {
		return strconv.FormatUint(n, 10) + "B"
	}
	d := float64(n) / 1024
	for i, u := range units {
		if d < 1024 || i == len(units)-1 {
			if i == len(units)-1 && d >= 1024 {
				return strconv.FormatUint(n, 10) + "B"
			}
			return strconv.FormatFloat(d, 'f', 2, 64) + u
		}
		d /= 1024
	}
	return strconv.FormatUint(n, 10) + "B"
}
