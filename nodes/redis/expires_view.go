package redis

import (
	"cmp"
	"slices"
)

// KeyExpire is a key with a time to live and its absolute expiry time in
// Unix milliseconds, as PEXPIRETIME gives it.
type KeyExpire struct {
	DB  int
	Key string
	At  int64
}

// Expires lists every key with a time to live, logically expired ones
// included (as DEBUG DIGEST covers them), sorted by database and key. Its
// master propagates absolute times since Redis 7.0, so a replica that
// converged holds exactly its master's list; DEBUG DIGEST only records
// whether a key has a TTL, so checks compare this as well.
func (s *Server) Expires() []KeyExpire {
	var out []KeyExpire
	for _, db := range s.dbs {
		db.keys.All(func(key string, o *object) bool {
			if o.expireAt != 0 {
				out = append(out, KeyExpire{DB: db.id, Key: key, At: o.expireAt})
			}
			return true
		})
	}
	slices.SortFunc(out, func(a, b KeyExpire) int {
		if c := cmp.Compare(a.DB, b.DB); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}
