package redis

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
	"github.com/redsim/redsim/nodes/redis/stream"
	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// The node's objects in rdbfile's form and back: what SAVE, a full
// resync and DUMP write, and what a load and RESTORE rebuild. The
// encoding travels with the value because it decides the RDB type Redis
// writes (an intset set is INTSET, a hash-table one SET), so the bytes
// are Redis's own for the same object.

// rdbValue returns o in rdbfile's form. Its slices alias o's: it is valid
// until o next changes.
func (o *object) rdbValue() *rdbfile.Value {
	switch o.kind {
	case kindString:
		return &rdbfile.Value{Type: rdbfile.TypeString, Encoding: rdbfile.EncodingRaw, Str: o.str}
	case kindList:
		v := &rdbfile.Value{Type: rdbfile.TypeList, Encoding: rdbfile.EncodingQuicklist, Elems: make([][]byte, o.list.Len())}
		for i := range v.Elems {
			v.Elems[i] = o.list.At(i)
		}
		return v
	case kindSet:
		v := &rdbfile.Value{Type: rdbfile.TypeSet, Encoding: rdbfile.EncodingHashtable, Elems: o.set.packedMembers()}
		if o.set.ht == nil {
			v.Encoding = rdbfile.EncodingIntset
		}
		return v
	case kindHash:
		v := &rdbfile.Value{Type: rdbfile.TypeHash, Encoding: rdbfile.EncodingHashtable, Elems: make([][]byte, 0, 2*o.hash.len())}
		if o.hash.ht == nil {
			v.Encoding = rdbfile.EncodingListpack
		}
		o.hash.each(func(f, val []byte) { v.Elems = append(v.Elems, f, val) })
		return v
	case kindZSet:
		v := &rdbfile.Value{Type: rdbfile.TypeZSet, Encoding: rdbfile.EncodingSkiplist,
			Elems: make([][]byte, 0, o.zset.Len()), Scores: make([]float64, 0, o.zset.Len())}
		if o.zset.Listpack() {
			v.Encoding = rdbfile.EncodingListpack
		}
		for m, sc := range o.zset.All() {
			v.Elems = append(v.Elems, []byte(m))
			v.Scores = append(v.Scores, sc)
		}
		return v
	case kindStream:
		return &rdbfile.Value{Type: rdbfile.TypeStream, Encoding: rdbfile.EncodingStream, Stream: o.stream.RDB()}
	}
	return nil
}

// loadConfig is the node's encoding thresholds as rdbLoadObject reads
// them.
func (s *Server) loadConfig() rdbfile.LoadConfig {
	return rdbfile.LoadConfig{
		SetMaxIntsetEntries:    s.cfg.SetMaxIntsetEntries,
		HashMaxListpackEntries: s.cfg.HashMaxListpackEntries,
		HashMaxListpackValue:   s.cfg.HashMaxListpackValue,
		ZSetMaxListpackEntries: s.cfg.ZSetMaxListpackEntries,
		ZSetMaxListpackValue:   s.cfg.ZSetMaxListpackValue,
	}
}

// rdbOptions is how the node writes values: Redis's defaults
// (rdbcompression and rdbchecksum yes, list-max-listpack-size -2,
// list-compress-depth 0), which the node does not let CONFIG change.
// rdbReadOptions is how files are read: the CRC-64 is not checked with
// rdbchecksum no or DEBUG SET-SKIP-CHECKSUM-VALIDATION 1, as in Redis.
func (s *Server) rdbReadOptions() rdbfile.ReadOptions {
	return rdbfile.ReadOptions{SkipChecksum: !s.cfg.RDBChecksum || s.skipChecksum}
}

// rdbOptions is how snapshots and DUMP payloads are written: rdbcompression,
// rdbchecksum, list-max-listpack-size and list-compress-depth.
func (s *Server) rdbOptions() rdbfile.Options {
	return rdbfile.Options{
		Compression:       s.cfg.RDBCompression,
		Checksum:          s.cfg.RDBChecksum,
		ListFill:          s.cfg.ListMaxListpackSize,
		ListCompressDepth: s.cfg.ListCompressDepth,
	}
}

// objectFromRDB rebuilds a value read from a file or a RESTORE payload
// with the encoding rdbLoadObject gives it (LoadedEncoding). It copies
// what it keeps, so v may alias a buffer that is reused.
func (s *Server) objectFromRDB(v *rdbfile.Value) (*object, error) {
	enc := v.LoadedEncoding(s.loadConfig())
	switch v.Type {
	case rdbfile.TypeString:
		// rdbLoadObject's tryObjectEncoding: int, embstr or raw.
		return stringObjectCopy(v.Str), nil
	case rdbfile.TypeList:
		l := &list{}
		for _, e := range v.Elems {
			l.pushBack(bytes.Clone(e))
		}
		return &object{kind: kindList, list: l}, nil
	case rdbfile.TypeSet:
		st := &set{}
		if enc == rdbfile.EncodingIntset {
			st.ints = make([]int64, len(v.Elems))
			for i, m := range v.Elems {
				n, ok := rnum.ParseInt(m)
				if !ok {
					return nil, fmt.Errorf("intset member %q is not an integer", m)
				}
				st.ints[i] = n
			}
			slices.Sort(st.ints)
		} else {
			st.ht = &dict[struct{}]{}
			st.ht.reserve(len(v.Elems))
			for _, m := range v.Elems {
				st.ht.Set(string(m), struct{}{})
			}
			if st.ht.Len() != len(v.Elems) {
				// Repeated members (an intset's, unchecked): reserve
				// sized for more keys than there are, so grow as Sets do.
				st.ht = &dict[struct{}]{}
				for _, m := range v.Elems {
					st.ht.Set(string(m), struct{}{})
				}
			}
		}
		return &object{kind: kindSet, set: st}, nil
	case rdbfile.TypeHash:
		h := &hash{}
		if enc == rdbfile.EncodingListpack {
			h.lp = make([]hashPair, 0, len(v.Elems)/2)
			for i := 0; i+1 < len(v.Elems); i += 2 {
				h.lp = append(h.lp, hashPair{string(v.Elems[i]), bytes.Clone(v.Elems[i+1])})
			}
		} else {
			h.ht = &dict[[]byte]{}
			for i := 0; i+1 < len(v.Elems); i += 2 {
				h.ht.Set(string(v.Elems[i]), bytes.Clone(v.Elems[i+1]))
			}
		}
		return &object{kind: kindHash, hash: h}, nil
	case rdbfile.TypeZSet:
		z := zset.New(s.rng)
		z.SetListpack(enc == rdbfile.EncodingListpack)
		for i, m := range v.Elems {
			z.Insert(string(m), v.Scores[i])
		}
		return &object{kind: kindZSet, zset: z}, nil
	case rdbfile.TypeStream:
		st, err := stream.FromRDB(v.Stream)
		if err != nil {
			return nil, err
		}
		return &object{kind: kindStream, stream: st}, nil
	}
	return nil, fmt.Errorf("value type %v is not one the node holds", v.Type)
}

// rdbExpireAt converts o's expiry time (on the expiry clock) to the
// absolute Unix ms a file holds; -1 when o has no TTL. With ExpireWall
// the two are the same clock; with ExpireMonotonic the time left is kept.
func (s *Server) rdbExpireAt(o *object) int64 {
	if o.expireAt == 0 {
		return -1
	}
	return o.expireAt + s.nowMs() - s.expireNowMs()
}

// expireFromRDB is rdbExpireAt's inverse: the expiry-clock time of a
// file's absolute Unix ms (never 0, which means no TTL).
func (s *Server) expireFromRDB(ms int64) int64 {
	return max(ms+s.expireNowMs()-s.nowMs(), 1)
}
