package redis

// The node's used_memory. Redis reads zmalloc_used_memory(), the bytes
// jemalloc handed out; the node has no allocator, so it models the figure
// as Redis's memory at startup plus what the things it models would
// allocate:
//
//   - usedMemoryStartup: used_memory_startup of redis-server 7.0.15 on
//     x86-64 (jemalloc), measured;
//   - usedMemoryPerClient per connection: the client struct with its 16 KB
//     reply buffer and its 16 KB query buffer (measured as the growth of
//     used_memory over 50 idle connections after a PING each);
//   - the script caches as INFO's used_memory_scripts counts them
//     (scripting's figures: the EVAL scripts and the function
//     libraries, and the empty function engine's structures);
//   - the replication backlog by its configured size (Redis 6 allocated
//     it at once; 7.0 counts the blocks it holds), the AOF buffer by its
//     length;
//   - per database, the main and expires tables' buckets (8 bytes a slot)
//     and a dictEntry per key with a TTL;
//   - per key, what MEMORY USAGE reports (objectSize, the key's sds, its
//     dictEntry), with the dictEntry at its jemalloc size class (32 bytes,
//     where objectComputeSize counts sizeof, 24).
//
// It cannot be equal to Redis's figure: jemalloc's slabs, the rehashing
// tables, the query buffers' actual sizes, the Lua heap, the module and
// cluster structures and fragmentation are not modelled, and large
// values are estimated as MEMORY USAGE estimates them (sampled). Measured
// against redis-server 7.0.15 on the datasets of TestUsedMemoryVsRedis
// (usedmemory_test.go), the dataset part is within 15%.
//
// Cost: with maxmemory 0 nothing is tracked, and INFO, MEMORY STATS and
// MEMORY DOCTOR add the keys up when asked (O(keys)). With maxmemory set,
// which makes the figure be read before every command, each key's value
// carries the size it was last counted at (object.mem) and each database
// the sum (db.mem): adding, replacing and removing a key adjust the sum
// at once, and a value changed in place (every write signals its key, as
// WATCH needs) is queued and re-measured at the next read of the figure.
// Re-measuring one value is bounded by the listpack limits or the
// sampling of objectSize, except for lists, which acctSize samples.

import "github.com/redsim/redsim/nodes/redis/scripting"

const (
	usedMemoryStartup   = 876016
	usedMemoryPerClient = 39078
	// acctListSamples is how many elements of a list acctSize reads to
	// estimate the size of the rest.
	acctListSamples = 64
)

// memAcct is the incremental accounting of the keyspace's size, on while
// maxmemory is set.
type memAcct struct {
	tracking bool
	// stale are the keys whose value may have changed in place since
	// their size was counted; a key may be listed more than once.
	stale []dbKey
}

// usedMemory is the node's used_memory (see above).
func (s *Server) usedMemory() int64 {
	n := int64(usedMemoryStartup) + int64(len(s.clients))*usedMemoryPerClient
	if s.backlog != nil {
		n += s.backlog.mem()
	}
	n += int64(len(s.aofBuf))
	n += s.scriptsMemory()
	if s.mem.tracking {
		s.refreshStale()
	}
	for _, d := range s.dbs {
		n += d.tableOverhead()
		if s.mem.tracking {
			n += d.mem
		} else {
			n += d.sumKeys()
		}
	}
	// Redis records its peak after every command; the node records the
	// figure whenever it is read: before every command with maxmemory
	// set, else at INFO, MEMORY and saves.
	s.peakMem = max(s.peakMem, n)
	return n
}

// notCountedMemory is freeMemoryGetNotCountedMemory: the AOF buffer is
// not counted against maxmemory, nor would replicas' output buffers be,
// which the node does not model.
func (s *Server) notCountedMemory() int64 {
	if s.aofOn {
		return int64(len(s.aofBuf))
	}
	return 0
}

// tableOverhead is the buckets of d's two tables and the entries of the
// expires one.
func (d *db) tableOverhead() int64 {
	var n int64
	if d.keys.Len() > 0 {
		n += 8 * int64(len(d.keys.buckets))
	}
	if d.expires.Len() > 0 {
		n += 8*int64(len(d.expires.buckets)) + int64(d.expires.Len())*jemallocSize(sizeDictEntry)
	}
	return n
}

// sumKeys adds up d's keys as acctSize measures them.
func (d *db) sumKeys() int64 {
	var n int64
	d.keys.All(func(k string, o *object) bool {
		n += keySize(k, o)
		return true
	})
	return n
}

// keySize is what one key costs: its value, its sds and its dictEntry.
func keySize(key string, o *object) int64 {
	return acctSize(o) + sdsAllocSize(len(key)) + jemallocSize(sizeDictEntry)
}

// acctSize is objectSize with its default sampling, plus the jemalloc
// rounding of the dictEntries of hashtable-encoded values (32 bytes where
// objectComputeSize counts sizeof, 24); except for lists, whose exact
// estimate walks every element: the first acctListSamples elements'
// listpack entries stand for the rest.
func acctSize(o *object) int64 {
	const entryRounding = 32 - sizeDictEntry
	switch {
	case o.kind == kindSet && o.set.ht != nil:
		return objectSize(o, 5) + entryRounding*int64(o.set.ht.Len())
	case o.kind == kindHash && o.hash.ht != nil:
		return objectSize(o, 5) + entryRounding*int64(o.hash.ht.Len())
	case o.kind == kindZSet && !o.zset.Listpack():
		return objectSize(o, 5) + entryRounding*int64(o.zset.Len())
	case o.kind != kindList || o.list.Len() <= acctListSamples:
		return objectSize(o, 5)
	}
	var sum int64
	for i := range acctListSamples {
		sum += lpEntrySize(o.list.At(i))
	}
	bytes := sum * int64(o.list.Len()) / acctListSamples
	nodes := (bytes + listNodeMaxBytes - 1) / listNodeMaxBytes
	perNode := jemallocSize(7 + bytes/nodes)
	return sizeRobj + sizeQuicklist + nodes*(sizeQuicklistNode+perNode)
}

// setTracking turns the incremental accounting on (maxmemory set) or off;
// turning it on measures every key once.
func (s *Server) setTracking(on bool) {
	if on == s.mem.tracking {
		return
	}
	s.mem.tracking = on
	s.mem.stale = s.mem.stale[:0]
	for _, d := range s.dbs {
		d.mem = 0
		d.keys.All(func(k string, o *object) bool {
			o.mem = 0
			if on {
				o.mem = keySize(k, o)
				d.mem += o.mem
			}
			return true
		})
	}
}

// memAdded counts a key just stored in d.
func (d *db) memAdded(key string, o *object) {
	if d.s.mem.tracking {
		o.mem = keySize(key, o)
		d.mem += o.mem
	}
}

// memRemoved uncounts a value that left d.
func (d *db) memRemoved(o *object) {
	if d.s.mem.tracking {
		d.mem -= o.mem
		o.mem = 0
	}
}

// memTouched queues key for re-measuring: its value may have changed in
// place.
func (s *Server) memTouched(d *db, key string) {
	if s.mem.tracking {
		s.mem.stale = append(s.mem.stale, dbKey{d.id, key})
	}
}

// refreshStale re-measures the queued keys.
func (s *Server) refreshStale() {
	for _, k := range s.mem.stale {
		if k.db >= len(s.dbs) {
			continue
		}
		d := s.dbs[k.db]
		if o, ok := d.keys.Get(k.key); ok {
			n := keySize(k.key, o)
			d.mem += n - o.mem
			o.mem = n
		}
	}
	clear(s.mem.stale)
	s.mem.stale = s.mem.stale[:0]
}

// scriptsMemory is used_memory_scripts: the EVAL script cache's and the
// function libraries' structures (lua_caches and functions_caches).
func (s *Server) scriptsMemory() int64 {
	n := int64(scripting.EmptyFunctionsOverhead)
	if s.funcs != nil {
		n = s.funcs.MemoryOverhead()
	}
	if s.engine != nil {
		n += s.engine.ScriptsMemory()
	}
	return n
}
