// Package digest computes DEBUG DIGEST and DEBUG DIGEST-VALUE exactly as
// Redis 7.0 does (debug.c: computeDatasetDigest, xorObjectDigest), so that a
// convergence checker can compare a simulated node's dataset with another
// simulated node's or with a real redis-server's, hex string for hex string.
//
// The algorithm is built from two SHA-1 steps: xor (digest ^= SHA1(data)),
// which is commutative and so used for unordered things (keys of a db, set
// members, hash fields, zset members), and mix (digest = SHA1(digest ^
// SHA1(data))), which is order-sensitive and used for sequences (a list's
// items, a key's name then its type then its value). Invariants: the result
// depends only on the logical dataset, never on the order in which keys, set
// members, hash fields or zset members are fed, nor on the order of SELECTs;
// a key's TTL contributes only whether it has one, not its value (as in
// Redis); zset scores are hashed in Redis 7.0's "%.17g" form (7.2 changed
// it), integers as their decimal strings, so encodings (intset, listpack,
// skiplist) never show; and an empty dataset digests to 40 zeros.
package digest
