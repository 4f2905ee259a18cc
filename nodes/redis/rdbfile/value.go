package rdbfile

import "fmt"

// Version is the RDB version Redis 7.0 writes (RDB_VERSION), the newest
// this package reads, and the version in the footer of DUMP payloads.
const Version = 10

// Type is a value's type, numbered as Redis's OBJ_* constants.
type Type uint8

// The value types.
const (
	TypeString Type = 0
	TypeList   Type = 1
	TypeSet    Type = 2
	TypeZSet   Type = 3
	TypeHash   Type = 4
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
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Encoding is an object encoding as OBJECT ENCODING names it. For
// writing, it is the encoding the node's object has, which decides the
// RDB type Redis writes (rdbSaveObjectType); for reading, the encoding of
// the record in the file (older encodings map to what Redis first turns
// them into: ziplist and zipmap to listpack).
type Encoding uint8

// The encodings. EncodingDefault (the zero value) lets the writer choose
// as a Redis with default settings would: intset for a set of at most
// 512 integers, listpack for a hash or zset of at most 128 elements of at
// most 64 bytes, quicklist for a list, hashtable or skiplist otherwise.
const (
	EncodingDefault Encoding = iota
	EncodingRaw              // strings (the writer ignores a string's encoding)
	EncodingQuicklist
	EncodingIntset
	EncodingHashtable
	EncodingListpack
	EncodingSkiplist
	EncodingStream
)

// String names the encoding as OBJECT ENCODING does.
func (e Encoding) String() string {
	switch e {
	case EncodingDefault:
		return "default"
	case EncodingRaw:
		return "raw"
	case EncodingQuicklist:
		return "quicklist"
	case EncodingIntset:
		return "intset"
	case EncodingHashtable:
		return "hashtable"
	case EncodingListpack:
		return "listpack"
	case EncodingSkiplist:
		return "skiplist"
	case EncodingStream:
		return "stream"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// The RDB object type codes (rdb.h).
const (
	RDBTypeString           = 0
	RDBTypeList             = 1
	RDBTypeSet              = 2
	RDBTypeZSet             = 3
	RDBTypeHash             = 4
	RDBTypeZSet2            = 5
	RDBTypeModule           = 6
	RDBTypeModule2          = 7
	RDBTypeHashZipmap       = 9
	RDBTypeListZiplist      = 10
	RDBTypeSetIntset        = 11
	RDBTypeZSetZiplist      = 12
	RDBTypeHashZiplist      = 13
	RDBTypeListQuicklist    = 14
	RDBTypeStreamListpacks  = 15
	RDBTypeHashListpack     = 16
	RDBTypeZSetListpack     = 17
	RDBTypeListQuicklist2   = 18
	RDBTypeStreamListpacks2 = 19
)

// The opcodes of records that are not keys.
const (
	opFunction2   = 245
	opFunction    = 246 // 7.0 rc1/rc2 function libraries
	opModuleAux   = 247
	opIdle        = 248
	opFreq        = 249
	opAux         = 250
	opResizeDB    = 251
	opExpireTimeM = 252
	opExpireTime  = 253
	opSelectDB    = 254
	opEOF         = 255
)

func isObjectType(t byte) bool { return t <= 7 || t >= 9 && t <= 19 }

// Value is a key's value, independent of any server's data structures.
//
// Elems holds: a list's items head to tail; a set's members (an intset's
// in any order: the writer sorts them numerically); a hash's fields and
// values alternating, in listpack order for a listpack; a zset's members
// in ascending (score, member) order, with Scores[i] the score of
// Elems[i]. The writer does not check for duplicate members or fields
// (Redis never holds any); the reader refuses them.
//
// Slices a Reader returns may alias the data it was given.
type Value struct {
	Type     Type
	Encoding Encoding
	// Str is a string's value.
	Str    []byte
	Elems  [][]byte
	Scores []float64
	// Stream is a stream's content.
	Stream *Stream

	// ListNodes is a list's quicklist layout: the items per node, head to
	// tail. A Reader fills it from the file; for writing, nil splits the
	// items as RPUSHes build the list under the writer's ListFill, and
	// compresses the nodes ListCompressDepth leaves interior (see
	// Options).
	ListNodes []ListNode
	// IntsetWidth is an intset's width in bytes (2, 4 or 8) as Redis
	// keeps it: widened by a large member and never narrowed. 0 writes
	// the smallest width that fits. A Reader fills it.
	IntsetWidth int

	// FileType is the RDB type code the value was read from (a Reader
	// fills it; the writer ignores it and derives the type from Type and
	// Encoding).
	FileType byte
}

// ListNode is one quicklist node.
type ListNode struct {
	// Count is its number of items, at least 1.
	Count int
	// Plain marks a node holding one item as is rather than in a
	// listpack (an item of 1 GiB or more).
	Plain bool
	// Compressed marks a node stored LZF-compressed, as list-compress-depth
	// keeps interior nodes.
	Compressed bool
}

// StreamID is a stream entry ID.
type StreamID struct{ Ms, Seq uint64 }

func (a StreamID) less(b StreamID) bool { return a.Ms < b.Ms || a.Ms == b.Ms && a.Seq < b.Seq }

// Stream is a stream as STREAM_LISTPACKS_2 stores it: its radix-tree
// nodes (listpacks) with every entry they hold, deleted ones included,
// the metadata and the consumer groups.
type Stream struct {
	// Nodes are in ascending key (Master) order.
	Nodes []StreamNode
	// Length is the number of live entries (XLEN), which Redis keeps
	// apart from the nodes.
	Length       uint64
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	// Groups are in ascending name order.
	Groups []StreamGroup
}

// StreamNode is one listpack of a stream: the master entry (the field
// names of the entry that created the node) and its entries in listpack
// order.
type StreamNode struct {
	// Master is the node's radix-tree key: the ID its entries' IDs are
	// delta-encoded against.
	Master       StreamID
	MasterFields [][]byte
	Entries      []StreamEntry
}

// StreamEntry is one entry of a node.
type StreamEntry struct {
	ID      StreamID
	Deleted bool
	// Fields holds field, value, field, value, ...
	Fields [][]byte
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name   []byte
	LastID StreamID
	// EntriesRead is the logical read counter, -1 when unknown.
	EntriesRead int64
	// PEL is the group's pending entries list in ascending ID order.
	PEL []StreamPending
	// Consumers are in ascending name order.
	Consumers []StreamConsumer
}

// StreamPending is an entry of a group's PEL.
type StreamPending struct {
	ID            StreamID
	DeliveryTime  int64
	DeliveryCount uint64
}

// StreamConsumer is a consumer: its seen-time (Redis 7.0 keeps no
// active-time) and the IDs of the group's pending entries it owns, in
// ascending order.
type StreamConsumer struct {
	Name     []byte
	SeenTime int64
	PEL      []StreamID
}
