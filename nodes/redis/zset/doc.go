// Package zset is the sorted set behind the simulated Redis 7.0 node's Z*
// commands: a skiplist ordered by (score, member bytes) whose forward links
// carry span counts, so rank, rank lookup, range starts, counts and LIMIT
// offsets are all O(log n), plus a member index for O(1) score lookup.
// Invariants: the skiplist order is exactly Redis's (scores compared with
// C's < and ==, so -0 and 0 tie and fall back to memcmp-then-length member
// order); nothing ever ranges over the Go map, so every iteration order is
// the skiplist's and therefore deterministic; skiplist levels come only from
// the caller-supplied Source, so a seeded source reproduces the same shape
// and the same sequence of Source calls. Where Redis's two encodings behave
// differently (listpack stores -0 as 0 and scans lex ranges linearly), the
// caller selects the behaviour with SetListpack; byte-identical replies for
// well-formed inputs do not depend on the skiplist shape.
package zset
