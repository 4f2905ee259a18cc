// Package glob is Redis's glob matcher (util.c stringmatchlen) as shipped in
// Debian 12's redis-server 7.0.15, used by KEYS, SCAN/HSCAN/SSCAN/ZSCAN
// MATCH, PSUBSCRIBE and CONFIG GET. It is byte-oriented and reproduces the
// C code's quirks rather than any "sensible" glob: unterminated classes
// ("[a" matches "a"), reversed ranges ("[z-a]"), a trailing backslash
// matching itself, signed-char range comparisons for bytes >= 0x80, and an
// empty subject matching only an empty pattern (callers such as KEYS
// short-circuit the bare "*" pattern themselves). Matching stays polynomial
// through Redis's skipLongerMatches cut-off, and recursion is bounded by the
// same nesting limit of 1000 stars that the Debian security patch adds.
package glob
