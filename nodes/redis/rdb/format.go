package rdb

import "fmt"

// The layout, in order (uvarint is encoding/binary's unsigned varint; str is
// a uvarint length then that many bytes):
//
//	magic     "REDSIMDB"
//	version   uvarint, Version
//	length    uint64 little-endian: the whole file's length in bytes
//	hcrc      uint32 little-endian: CRC-32 (IEEE) of magic, version, length
//	aux*      0xFA str(key) str(value)
//	(0xFE uvarint(db) | key)*
//	key       type byte (0x80 bit set when a TTL follows)
//	          [uvarint(expireAtMs)] str(key)
//	          string: str(value)
//	          stream: str(the stream package's encoding)
//	          list, set: uvarint(n) then n × str
//	          hash: uvarint(n) then n × (str(field) str(value))
//	          zset: uvarint(n) then n × (str(member) float64 little-endian)
//	eof       0xFF
//	checksum  CRC-64/ECMA of all bytes before it, little-endian uint64
//
// The length in the header is what tells a truncated file (fewer bytes than
// it says) from a damaged one (the right number of bytes, the wrong
// checksum) without guessing; the header's own CRC keeps a damaged length
// from passing for a truncation.
const (
	magic = "REDSIMDB"

	opAux      = 0xFA
	opSelectDB = 0xFE
	opEOF      = 0xFF
	// ttlFlag marks a key record that carries an expiry time.
	ttlFlag = 0x80

	// trailerLen is the EOF marker plus the checksum.
	trailerLen = 1 + 8
	// lengthLen and hcrcLen are the sizes of the header's fixed fields.
	lengthLen = 8
	hcrcLen   = 4
)

// Version is the format version this package writes and reads. A change to
// the layout above increments it; a Reader refuses other versions with
// ErrVersion rather than guess.
const Version = 1

// Type is the type of a key's value. The codes equal Redis's own (OBJ_STRING
// ... OBJ_HASH, and RDB_TYPE_STRING ... RDB_TYPE_HASH), so they convert to
// and from other packages' codes by a plain conversion.
type Type byte

// The value types a snapshot holds.
const (
	TypeString Type = 0
	TypeList   Type = 1
	TypeSet    Type = 2
	TypeZSet   Type = 3
	TypeHash   Type = 4
	// TypeStream is a stream: one element, the stream package's own
	// encoding of it (nodes/redis/stream AppendBinary).
	TypeStream Type = 6
)

// String names the type as the TYPE command does.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeHash:
		return "hash"
	case TypeStream:
		return "stream"
	}
	return fmt.Sprintf("Type(%d)", byte(t))
}

// minElemBytes is the fewest bytes one counted element of t takes (an empty
// str is one byte, a score eight), which bounds a count by the bytes left.
func minElemBytes(t Type) int {
	switch t {
	case TypeHash:
		return 2
	case TypeZSet:
		return 1 + 8
	}
	return 1
}
