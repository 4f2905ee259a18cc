package digest

import (
	"encoding/binary"
	"fmt"

	"github.com/redsim/redsim/nodes/rnum"
)

// Type is a value's type as Redis numbers it (OBJ_STRING ... OBJ_HASH in
// server.h); the number itself is hashed, so these values are fixed.
type Type uint8

// The types DEBUG DIGEST knows (module types are not simulated).
const (
	String Type = 0
	List   Type = 1
	Set    Type = 2
	ZSet   Type = 3
	Hash   Type = 4
	// Stream is OBJ_STREAM: fed like a list, each live entry's ID as
	// "ms.seq" then its fields and values in order, as debug.c walks the
	// stream (consumer groups are not hashed).
	Stream Type = 6
)

// String names the type as the TYPE command does.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case List:
		return "list"
	case Set:
		return "set"
	case ZSet:
		return "zset"
	case Hash:
		return "hash"
	case Stream:
		return "stream"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// expireMark is what Redis xors into a key's digest when the key has a TTL;
// the TTL's value is not hashed.
var expireMark = []byte("!!expire!!")

// Value accumulates the digest of one key's value, element by element, with
// no allocation. Start it with StartKey (for a dataset digest) or StartValue
// (for DIGEST-VALUE), feed it as a Writer of the rdb package is fed, and end
// it with Sum:
//
//   - String: one Elem, the value;
//   - List: one Elem per item, head to tail (order matters);
//   - Set: one Elem per member, any order;
//   - Hash: Elem(field), Elem(value), per pair, pairs in any order;
//   - ZSet: Elem(member), Score(score), per member, members in any order.
//   - Stream: per live entry in ID order, Elem("ms.seq"), then Elem(field),
//     Elem(value) per pair.
//
// Feeding a value out of this shape is a bug in the caller and panics.
type Value struct {
	sum [Size]byte
	// ele is the digest of the hash pair or zset member being fed; Redis
	// digests each pair on its own and xors it into sum.
	ele [Size]byte
	t   Type
	// half is true between a hash field and its value, or between a zset
	// member and its score.
	half bool
	// elems counts Elem calls, to check that a string got exactly one.
	elems int
}

// StartKey starts the digest of key as DEBUG DIGEST sees it: the key's name
// mixed in first, then the type.
func StartKey(key []byte, t Type) Value {
	var v Value
	mixInto(&v.sum, key)
	v.start(t)
	return v
}

// StartValue starts the digest of a value as DEBUG DIGEST-VALUE sees it:
// without the key's name. (For a missing key Redis replies with 40 zeros;
// that is the caller's case, as there is no type to start with.)
func StartValue(t Type) Value {
	var v Value
	v.start(t)
	return v
}

func (v *Value) start(t Type) {
	if t > Hash && t != Stream {
		panic(fmt.Sprintf("digest: unknown type %d", uint8(t)))
	}
	v.t = t
	var aux [4]byte
	binary.BigEndian.PutUint32(aux[:], uint32(t)) // htonl(o->type)
	mixInto(&v.sum, aux[:])
}

// Elem feeds a string's value, a list item, a set member, a hash field or
// value (alternating), or a zset member (followed by Score).
func (v *Value) Elem(b []byte) {
	v.elems++
	switch v.t {
	case String:
		if v.elems > 1 {
			panic("digest: a string value takes exactly one Elem")
		}
		mixInto(&v.sum, b)
	case List, Stream:
		mixInto(&v.sum, b)
	case Set:
		xorInto(&v.sum, b)
	case Hash:
		if !v.half {
			v.ele = [Size]byte{}
		}
		mixInto(&v.ele, b)
		if v.half {
			xorDigest(&v.sum, &v.ele)
		}
		v.half = !v.half
	case ZSet:
		if v.half {
			panic("digest: zset member fed without a Score for the previous one")
		}
		v.ele = [Size]byte{}
		mixInto(&v.ele, b)
		v.half = true
	}
}

// Score feeds the score of the zset member just fed with Elem. It is hashed
// as Redis 7.0 prints it with "%.17g" ("inf", "-inf", "-0", "1e+20",
// "0.10000000000000001").
func (v *Value) Score(f float64) {
	if v.t != ZSet || !v.half {
		panic("digest: Score must follow the Elem of a zset member")
	}
	var buf [32]byte
	mixInto(&v.ele, rnum.AppendScore(buf[:0], f))
	xorDigest(&v.sum, &v.ele)
	v.half = false
}

// Sum ends the value and returns its digest. expireAtMs < 0 means the key
// has no TTL; any other value counts only as "has a TTL", as in Redis.
func (v *Value) Sum(expireAtMs int64) [Size]byte {
	switch {
	case v.half && v.t == Hash:
		panic("digest: hash field fed without its value")
	case v.half:
		panic("digest: zset member fed without its score")
	case v.t == String && v.elems != 1:
		panic("digest: a string value takes exactly one Elem")
	}
	s := v.sum
	if expireAtMs >= 0 {
		xorInto(&s, expireMark)
	}
	return s
}
