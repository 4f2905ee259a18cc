// Package rnum parses and formats numbers exactly as the Redis 7.0 node
// being simulated does (Debian 12's redis-server 7.0.15 on x86-64 glibc), so
// that replies and error decisions match byte for byte. It reproduces
// string2ll (strict integers), string2d and the bare strtod used by score
// ranges, string2ld together with x87 80-bit long double arithmetic for
// INCRBYFLOAT/HINCRBYFLOAT, ld2string's "%.17Lf" human format, and the
// "%.17g" reply format that Redis 7.0 uses for doubles (7.2 switched to a
// shortest round-trip form; this package deliberately does not). Invariants:
// every conversion is correctly rounded from the exact decimal or binary
// value (as glibc is), no function depends on locale, time or global state,
// and the common inputs (short decimals) take allocation-free fast paths
// whose results are identical to the exact slow paths.
//
// It sits beside nodes/redis rather than inside it because nodes/resp,
// which nodes/redis imports, reads the lengths in requests with it too.
package rnum
