package redis

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// memoryCommands is MEMORY. USAGE estimates a key's size as Redis's
// objectComputeSize does, from the value's encoding and the sizes
// jemalloc would give its allocations; the rest reports on the node's
// modelled memory (INFO memory's used_memory), as the node has no
// allocator of its own.
var memoryCommands = []cmdSpec{
	{"memory", -2, 0, nil, noKeys},
	{"memory|usage", -3, fr, memoryUsageCommand, keyAt2},
	{"memory|stats", 2, 0, memoryStatsCommand, noKeys},
	{"memory|doctor", 2, 0, memoryDoctorCommand, noKeys},
	{"memory|malloc-stats", 2, 0, func(c *client, _ [][]byte) {
		c.w.WriteVerbatimString("Stats not supported for the current allocator", "txt")
	}, noKeys},
	{"memory|purge", 2, 0, func(c *client, _ [][]byte) { c.w.WriteOK() }, noKeys},
	{"memory|help", 2, flagStale, func(c *client, a [][]byte) { c.writeHelp(a[0], memoryHelp) }, noKeys},
}

var memoryHelp = []string{
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
}

// The sizes of Redis 7.0's structures on a 64-bit build.
const (
	sizeRobj          = 16
	sizeDictEntry     = 24
	sizeDict          = 56
	sizeQuicklist     = 40
	sizeQuicklistNode = 40
	sizeZset          = 16
	sizeZskiplist     = 32
	sizeZslNode       = 32 // without its levels, 16 bytes each
	zslMaxLevel       = 32
	listNodeMaxBytes  = 8192 // list-max-listpack-size -2
)

// memoryUsageCommand is MEMORY USAGE key [SAMPLES count]: the value's
// size, the key's sds and its dict entry; nil for a missing key.
func memoryUsageCommand(c *client, args [][]byte) {
	samples := int64(5)
	for j := 3; j < len(args); j++ {
		if cEqualFold(args[j], "samples") && j+1 < len(args) {
			n, ok := rnum.ParseInt(args[j+1])
			if !ok {
				c.w.WriteError(errNotInt)
				return
			}
			if n < 0 {
				c.w.WriteError(errSyntax)
				return
			}
			samples = n
			if n == 0 {
				samples = math.MaxInt64
			}
			j++
			continue
		}
		c.w.WriteError(errSyntax)
		return
	}
	o := c.db.lookupNoTouch(args[2])
	if o == nil {
		c.w.WriteNull()
		return
	}
	c.w.WriteInt(objectSize(o, samples) + sdsAllocSize(len(args[2])) + sizeDictEntry)
}

// jemallocSize is the size class jemalloc serves a request of n bytes
// from (zmalloc_size): 8 and 16, multiples of 16 up to 64, then four
// classes per power of two.
func jemallocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 64:
		return (n + 15) &^ 15
	}
	k := 63 - bits.LeadingZeros64(uint64(n-1))
	step := int64(1) << (k - 2)
	return (n + step - 1) &^ (step - 1)
}

// sdsAllocSize is sdsZmallocSize of an sds made for n bytes as sdsnewlen
// makes it: the smallest header that holds n, the bytes and a NUL.
func sdsAllocSize(n int) int64 {
	hdr := 17
	switch {
	case n < 1<<5:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case n < 1<<32:
		hdr = 9
	}
	return jemallocSize(int64(hdr + n + 1))
}

// objectSize is objectComputeSize. What it cannot know exactly, it
// estimates: a raw string is taken as allocated for its length (APPEND
// leaves room to grow in Redis); list nodes are filled in order up to
// 8 KB; a skiplist node's levels are their expected 4/3; a stream counts
// its listpacks' bytes and a fixed rax cost per node.
func objectSize(o *object, samples int64) int64 {
	switch o.kind {
	case kindString:
		switch o.enc {
		case encInt:
			return sizeRobj
		case encEmbstr:
			return jemallocSize(int64(sizeRobj + 3 + len(o.str) + 1))
		}
		return sizeRobj + sdsAllocSize(len(o.str))
	case kindList:
		return listSize(o.list, samples)
	case kindSet:
		if o.set.ht == nil {
			w := intsetWidth(o.set.ints)
			return sizeRobj + jemallocSize(int64(8+w*len(o.set.ints)))
		}
		var ele, n int64
		o.set.ht.All(func(k string, _ struct{}) bool {
			ele += sizeDictEntry + sdsAllocSize(len(k))
			n++
			return n < samples
		})
		return sizeRobj + sizeDict + 8*int64(len(o.set.ht.buckets)) + average(ele, n, o.set.ht.Len())
	case kindHash:
		if o.hash.ht == nil {
			lp := newLPSize()
			for _, p := range o.hash.lp {
				lp.add([]byte(p.field))
				lp.add(p.val)
			}
			return sizeRobj + jemallocSize(lp.bytes())
		}
		var ele, n int64
		o.hash.ht.All(func(k string, v []byte) bool {
			ele += sdsAllocSize(len(k)) + sdsAllocSize(len(v)) + sizeDictEntry
			n++
			return n < samples
		})
		return sizeRobj + sizeDict + 8*int64(len(o.hash.ht.buckets)) + average(ele, n, o.hash.ht.Len())
	case kindZSet:
		if o.zset.Listpack() {
			lp := newLPSize()
			for m, sc := range o.zset.All() {
				lp.add([]byte(m))
				lp.add(scoreText(sc))
			}
			return sizeRobj + jemallocSize(lp.bytes())
		}
		size := int64(sizeRobj+sizeZset+sizeZskiplist+sizeDict) + 8*dictSlots(o.zset.Len()) +
			jemallocSize(sizeZslNode+16*zslMaxLevel)
		var ele, n int64
		for m := range o.zset.All() {
			if n >= samples {
				break
			}
			// The expected level of a node is 4/3: 16 bytes each.
			ele += sdsAllocSize(len(m)) + sizeDictEntry + jemallocSize(sizeZslNode+16*4/3+1)
			n++
		}
		return size + average(ele, n, o.zset.Len())
	case kindStream:
		// stream struct, a rax node per listpack and the listpacks.
		nodes := int64(o.stream.Nodes())
		return sizeRobj + 64 + nodes*(64+jemallocSize(int64(o.stream.Len())*32/max(nodes, 1)))
	}
	return 0
}

// average scales the sampled size of n elements to all total of them.
func average(ele, n int64, total int) int64 {
	if n == 0 {
		return 0
	}
	return int64(float64(ele) / float64(n) * float64(total))
}

// dictSlots is the table size of a dict that grew to n entries one
// insert at a time: the smallest power of two from 4 that holds n.
func dictSlots(n int) int64 {
	s := int64(4)
	for s < int64(n) {
		s *= 2
	}
	return s
}

func intsetWidth(vs []int64) int {
	w := 2
	for _, v := range vs {
		switch {
		case v < math.MinInt32 || v > math.MaxInt32:
			return 8
		case v < math.MinInt16 || v > math.MaxInt16:
			w = 4
		}
	}
	return w
}

// listSize is a quicklist's estimate: its nodes, each a listpack of at
// most 8 KB, filled in order; the first samples nodes' average times the
// node count, as objectComputeSize samples them.
func listSize(l *list, samples int64) int64 {
	var sizes []int64
	lp := newLPSize()
	count := 0
	for i := range l.Len() {
		e := l.At(i)
		if count > 0 && lp.bytes()+lpEntrySize(e) > listNodeMaxBytes {
			sizes = append(sizes, jemallocSize(lp.bytes()))
			lp, count = newLPSize(), 0
		}
		lp.add(e)
		count++
	}
	sizes = append(sizes, jemallocSize(lp.bytes()))
	var ele, n int64
	for _, sz := range sizes {
		if n >= samples && n > 0 {
			break
		}
		ele += sizeQuicklistNode + sz
		n++
	}
	return sizeRobj + sizeQuicklist + average(ele, n, len(sizes))
}

// lpSize adds up a listpack's bytes: a 6-byte header, the entries and
// the end byte.
type lpSize struct{ n int64 }

func newLPSize() *lpSize         { return &lpSize{n: 7} }
func (l *lpSize) add(e []byte)   { l.n += lpEntrySize(e) }
func (l *lpSize) bytes() int64   { return l.n }
func scoreText(f float64) []byte { return []byte(rnum.FormatScore(f)) }

// lpEntrySize is one listpack entry's bytes: an integer in the smallest
// of its encodings, else a string with a 1, 2 or 5 byte header, plus the
// back length.
func lpEntrySize(e []byte) int64 {
	var n int64
	if v, ok := lpInt(e); ok {
		switch {
		case v >= 0 && v <= 127:
			n = 1
		case v >= -4096 && v <= 4095:
			n = 2
		case v >= math.MinInt16 && v <= math.MaxInt16:
			n = 3
		case v >= -1<<23 && v < 1<<23:
			n = 4
		case v >= math.MinInt32 && v <= math.MaxInt32:
			n = 5
		default:
			n = 9
		}
	} else {
		switch l := int64(len(e)); {
		case l < 64:
			n = 1 + l
		case l < 4096:
			n = 2 + l
		default:
			n = 5 + l
		}
	}
	switch {
	case n < 128:
		return n + 1
	case n < 16384:
		return n + 2
	case n < 2097152:
		return n + 3
	case n < 268435456:
		return n + 4
	}
	return n + 5
}

// lpInt is lpStringToInt64: a canonical decimal integer of at most 20
// bytes.
func lpInt(e []byte) (int64, bool) {
	if len(e) == 0 || len(e) > 20 {
		return 0, false
	}
	v, ok := rnum.ParseInt(e)
	return v, ok && strconv.FormatInt(v, 10) == string(e)
}

// memoryStatsCommand is MEMORY STATS, from the breakdown INFO memory
// reports (meminfo.go): the modelled used memory stands for every
// allocator figure, so the ratios are 1 and the fragmentation 0.
func memoryStatsCommand(c *client, _ [][]byte) {
	m := c.s.memOverhead()
	w := c.w
	w.WriteMapLen(27 + len(m.dbs))
	num := func(name string, v int64) { w.WriteBulkString(name); w.WriteInt(v) }
	dbl := func(name string, v float32) { w.WriteBulkString(name); w.WriteDouble(float64(v)) }
	num("peak.allocated", m.peak)
	num("total.allocated", m.used)
	num("startup.allocated", m.startup)
	num("replication.backlog", m.replBacklog)
	num("clients.slaves", m.clientsSlaves)
	num("clients.normal", m.clientsNormal)
	num("cluster.links", m.clusterLinks)
	num("aof.buffer", m.aofBuffer)
	num("lua.caches", m.luaCaches)
	num("functions.caches", m.functionsCaches)
	for _, d := range m.dbs {
		w.WriteBulkString("db." + strconv.Itoa(d.id))
		w.WriteMapLen(3)
		num("overhead.hashtable.main", d.main)
		num("overhead.hashtable.expires", d.expires)
		num("overhead.hashtable.slot-to-keys", d.slotsToKeys)
	}
	num("overhead.total", m.total)
	num("keys.count", m.keys)
	num("keys.bytes-per-key", m.bytesPerKey)
	num("dataset.bytes", m.dataset)
	dbl("dataset.percentage", m.datasetPerc)
	dbl("peak.percentage", m.peakPerc)
	num("allocator.allocated", m.used)
	num("allocator.active", m.used)
	num("allocator.resident", m.used)
	dbl("allocator-fragmentation.ratio", 1)
	num("allocator-fragmentation.bytes", 0)
	dbl("allocator-rss.ratio", 1)
	num("allocator-rss.bytes", 0)
	dbl("rss-overhead.ratio", 1)
	num("rss-overhead.bytes", 0)
	dbl("fragmentation", 1)
	num("fragmentation.bytes", 0)
}

// memoryDoctorCommand is MEMORY DOCTOR: under 5 MB Redis declines to
// judge; above, the node has none of the problems the doctor looks for
// (fragmentation, RSS overhead, big client buffers), so it finds none.
func memoryDoctorCommand(c *client, _ [][]byte) {
	if c.s.usedMemory() < 5<<20 {
		c.w.WriteVerbatimString("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.", "txt")
		return
	}
	c.w.WriteVerbatimString("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.", "txt")
}
