// Package hll is Redis 7.0.15's HyperLogLog (src/hyperloglog.c) over the
// string values that PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST read
// and write, byte for byte: the "HYLL" header with its encoding byte, three
// unused bytes and the little-endian cached cardinality whose top bit marks
// the cache stale; the dense encoding of 16384 six-bit registers; the sparse
// run-length encoding (ZERO, XZERO and VAL opcodes) that new keys start in
// and that is promoted to dense when a register would exceed 32 or the value
// would grow beyond hll-sparse-max-bytes; MurmurHash64A with seed 0xadc83b19
// to pick a register and a run length; and Ertl's estimator with its
// register histogram, as 7.0 computes it.
//
// Invariants. Every byte string gives a value or an error, never a panic:
// the header checks of isHLLObjectOrReply yield ErrWrongType and a sparse
// run that does not cover exactly 16384 registers yields ErrInvalid, with
// the bounds that Debian 12's redis-server 7.0.15 enforces (its
// CVE-2025-32023 patch: an opcode running past the last register makes the
// value invalid for counting, merging and conversion alike). Where Redis
// reads the byte after a value (the sds terminator, for a sparse value
// ending in the first half of an XZERO opcode), this package reads a zero;
// this is the one known divergence: when PFADD splits such a cut opcode
// and the new opcodes end in an XZERO, Redis leaves that XZERO's low byte
// in the terminator's place, outside the value, and every later read of
// the value in that server (PFCOUNT, PFDEBUG DECODE, PFADD) takes the
// XZERO's length from it, where this package reads a zero again. Only
// hand-made values end in a cut opcode.
//
// Functions that update a value do it in place, as Redis does after
// dbUnshareStringValue, may use the slice's spare capacity, and return the
// value to store, which may be a new slice; a caller whose value bytes
// (or the capacity beyond them) are shared must pass a copy. Nothing here
// keeps state between calls, reads a clock or draws randomness except
// through the source given to SelfTest.
//
// How the node uses it, command by command (missing keys and the
// standard WRONGTYPE of a non-string key are the caller's):
//
//	PFADD     a missing key starts as New() and counts as updated; then
//	          Add, whose value is stored even when it fails (Redis keeps
//	          the updates made before the bad element).
//	PFCOUNT   one key: Count (store the value back when it says so);
//	          several keys: a Union, Merge for each existing key in order,
//	          then Union.Count.
//	PFMERGE   a Union, Merge for each existing key in argument order, the
//	          destination included, then Union.Store into the destination.
//	PFDEBUG   Check first, then GetReg, Decode, Encoding or ToDense.
//	PFSELFTEST SelfTest.
package hll
