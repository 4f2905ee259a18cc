package redis

import (
	"math"
	"strconv"

	"github.com/redsim/redsim/nodes/redis/digest"
)

// DatasetHash is a digest of the dataset for comparing nodes with one
// another (the convergence check), made for speed: equal datasets give
// equal hashes whatever the order of their keys, set members, hash fields
// and sorted set members, and it covers what DEBUG DIGEST covers (each
// key's database, name, type and elements, and whether it has an expire,
// expired or not), but mixes 64-bit words where DEBUG DIGEST takes a SHA-1
// of every element. DEBUG DIGEST (Digest) stays Redis's, byte for byte;
// this one is a third of the cost of a run's convergence check with large
// sets. Two different datasets collide with probability about 2^-64.
func (s *Server) DatasetHash() string {
	var sum uint64
	for _, db := range s.dbs {
		if db.keys.Len() == 0 {
			continue
		}
		dbSeed := mixWord(uint64(db.id) + 0x51ed270b27c9a5f3)
		db.keys.All(func(key string, o *object) bool {
			k := mixWord(hashStr(key) ^ dbSeed ^ objectHash(o))
			if o.expireAt != 0 {
				k = mixWord(k ^ 0x2545f4914f6cdd1d)
			}
			sum += k
			return true
		})
	}
	return strconv.FormatUint(sum, 16)
}

// objectHash is the hash of a value: ordered for lists, a sum of its
// members' hashes for sets, hashes and sorted sets.
func objectHash(o *object) uint64 {
	h := uint64(o.kind+1) * 0x9e3779b97f4a7c15
	switch o.kind {
	case kindString:
		return mixWord(h ^ hashBytes(o.str))
	case kindList:
		for i := 0; i < o.list.Len(); i++ {
			h = mixWord(h ^ hashBytes(o.list.At(i)))
		}
		return h
	case kindSet:
		var sum uint64
		if o.set.ht != nil {
			o.set.ht.All(func(m string, _ struct{}) bool { sum += hashStr(m); return true })
		} else {
			var buf [20]byte
			for _, v := range o.set.ints {
				sum += hashBytes(strconv.AppendInt(buf[:0], v, 10))
			}
		}
		return mixWord(h ^ sum)
	case kindHash:
		var sum uint64
		o.hash.each(func(f, v []byte) { sum += mixWord(hashBytes(f) ^ (hashBytes(v) * 0xff51afd7ed558ccd)) })
		return mixWord(h ^ sum)
	case kindZSet:
		var sum uint64
		for m, sc := range o.zset.All() {
			sum += mixWord(hashStr(m) ^ (math.Float64bits(sc) * 0xc4ceb9fe1a85ec53))
		}
		return mixWord(h ^ sum)
	}
	// Streams, rare in the workloads: DEBUG DIGEST's own value digest.
	v := objectDigest(nil, o, false)
	d := v.Sum(-1)
	return mixWord(h ^ hashBytes(d[:digest.Size]))
}

// mixWord is a 64-bit finalizer (splitmix64's).
func mixWord(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hashBytes and hashStr hash 8 bytes a step, the length first.
func hashBytes(p []byte) uint64 {
	h := uint64(len(p)) * 0x9e3779b97f4a7c15
	for len(p) >= 8 {
		w := uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
			uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
		h = (h ^ w) * 0x9fb21c651e98df25
		h ^= h >> 29
		p = p[8:]
	}
	var tail uint64
	for i, c := range p {
		tail |= uint64(c) << (8 * i)
	}
	return mixWord(h ^ tail)
}

func hashStr(s string) uint64 {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ w) * 0x9fb21c651e98df25
		h ^= h >> 29
		s = s[8:]
	}
	var tail uint64
	for i := 0; i < len(s); i++ {
		tail |= uint64(s[i]) << (8 * i)
	}
	return mixWord(h ^ tail)
}
