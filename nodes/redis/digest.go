package redis

import (
	"fmt"

	"github.com/redsim/redsim/nodes/redis/digest"
	"github.com/redsim/redsim/nodes/redis/stream"
)

// digestHex is DEBUG DIGEST: Redis 7.0's dataset digest, 40 zeros when
// empty. Convergence checks compare it between replicas. Like Redis it
// covers keys that are logically expired but not yet deleted, so a replica
// whose clock runs ahead still agrees with its master.
func (s *Server) digestHex() string {
	var d digest.Dataset
	for _, db := range s.dbs {
		if db.keys.Len() == 0 {
			continue
		}
		d.SelectDB(db.id)
		db.keys.All(func(key string, o *object) bool {
			v := objectDigest([]byte(key), o, true)
			d.Add(&v, expireOf(o))
			return true
		})
	}
	return d.Hex()
}

func expireOf(o *object) int64 {
	if o.expireAt == 0 {
		return -1
	}
	return o.expireAt
}

func objectDigest(key []byte, o *object, withKey bool) digest.Value {
	var t digest.Type
	switch o.kind {
	case kindString:
		t = digest.String
	case kindList:
		t = digest.List
	case kindSet:
		t = digest.Set
	case kindHash:
		t = digest.Hash
	case kindZSet:
		t = digest.ZSet
	case kindStream:
		t = digest.Stream
	}
	var v digest.Value
	if withKey {
		v = digest.StartKey(key, t)
	} else {
		v = digest.StartValue(t)
	}
	switch o.kind {
	case kindString:
		v.Elem(o.str)
	case kindList:
		for i := 0; i < o.list.Len(); i++ {
			v.Elem(o.list.At(i))
		}
	case kindSet:
		o.set.eachView(v.Elem)
	case kindHash:
		o.hash.each(func(f, val []byte) { v.Elem(f); v.Elem(val) })
	case kindZSet:
		for m, sc := range o.zset.All() {
			v.Elem([]byte(m))
			v.Score(sc)
		}
	case kindStream:
		// debug.c hashes the live entries only, the ID as "ms.seq".
		for _, e := range o.stream.Range(stream.ID{}, stream.MaxID, 0, false) {
			v.Elem(fmt.Appendf(nil, "%d.%d", e.ID.Ms, e.ID.Seq))
			for _, f := range e.Fields {
				v.Elem(f)
			}
		}
	}
	return v
}

// keyDigestHex is DEBUG DIGEST-VALUE for one key.
func (s *Server) keyDigestHex(d *db, key []byte) string {
	o := d.lookup(key)
	if o == nil {
		return digest.Hex([digest.Size]byte{})
	}
	v := objectDigest(key, o, false)
	// xorObjectDigest marks a key with a TTL here too, as in DEBUG DIGEST.
	return digest.Hex(v.Sum(expireOf(o)))
}

// Digest is DEBUG DIGEST, for checks that read a node from outside.
func (s *Server) Digest() string { return s.digestHex() }
