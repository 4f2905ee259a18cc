package redis

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/stream"
	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// kind is a value's type as TYPE reports it.
type kind uint8

const (
	kindString kind = iota
	kindList
	kindSet
	kindZSet
	kindHash
	// kindStream is OBJ_STREAM, 6 in Redis (5 is the module type).
	kindStream
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "string"
	case kindList:
		return "list"
	case kindSet:
		return "set"
	case kindZSet:
		return "zset"
	case kindHash:
		return "hash"
	case kindStream:
		return "stream"
	}
	return "none"
}

// object is a keyspace value. Exactly one of the value fields is in use,
// the one kind names.
type object struct {
	kind kind
	// enc is a string's encoding, as OBJECT ENCODING names it; shared
	// marks one of Redis's shared integers (0 to 9999), which OBJECT
	// REFCOUNT reports as 2147483647.
	enc    strEnc
	shared bool
	// emb is the size of the buffer that follows the object in its block
	// when stringObjectCopy made it (an embObject16, 32 or 44), else 0
	// (embstr.go).
	emb uint8
	// lru is the LRU clock (seconds, 24 bits) when the value was made or
	// last touched, for OBJECT IDLETIME; a shared integer's is the
	// server's (Server.sharedLRU).
	lru int64
	// expireAt is the absolute expiry time in ms on the expiry clock; 0
	// when the key is persistent.
	expireAt int64
	// mem is the size the value was last counted at in its db's mem,
	// while maxmemory is set (usedmemory.go).
	mem    int64
	str    []byte
	list   *list
	set    *set
	hash   *hash
	zset   *zset.Set
	stream *stream.Stream
}

const (
	errWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errSyntax      = "ERR syntax error"
	errNotInt      = "ERR value is not an integer or out of range"
	errNotFloat    = "ERR value is not a valid float"
	errNoKey       = "ERR no such key"
	errOutOfRange  = "ERR index out of range"
	errOverflow    = "ERR increment or decrement would overflow"
	errNaN         = "ERR increment would produce NaN or Infinity"
	errPositiveInt = "ERR value is out of range, must be positive"
)

// readKind is lookupKeyReadOrReply + checkType: the value of key if it is
// of kind k; otherwise it sends empty's reply (missing key) or WRONGTYPE and
// returns nil.
func (c *client) readKind(k kind, key []byte, empty func()) *object {
	return c.checkKind(k, c.db.lookupRead(key), empty)
}

// writeKind is readKind with lookupKeyWriteOrReply, for the write
// commands: no hit or miss is counted, no keymiss notified.
func (c *client) writeKind(k kind, key []byte, empty func()) *object {
	return c.checkKind(k, c.db.lookup(key), empty)
}

func (c *client) checkKind(k kind, o *object, empty func()) *object {
	if o == nil {
		empty()
		return nil
	}
	if o.kind != k {
		c.w.WriteError(errWrongType)
		return nil
	}
	return o
}

// strEnc is a string value's encoding.
type strEnc uint8

const (
	encRaw    strEnc = iota // OBJ_ENCODING_RAW
	encEmbstr               // OBJ_ENCODING_EMBSTR: at most 44 bytes
	encInt                  // OBJ_ENCODING_INT: a long in the object
)

const (
	// embstrSizeLimit is OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
	embstrSizeLimit = 44
	// sharedIntegers is OBJ_SHARED_INTEGERS: 0 to 9999 are shared.
	sharedIntegers = 10000
	// sharedRefcount is OBJ_SHARED_REFCOUNT, a shared object's refcount.
	sharedRefcount = 2147483647
	// lruClockMax is LRU_CLOCK_MAX: the LRU clock has 24 bits of seconds.
	lruClockMax = 1<<24 - 1
)

// stringObject is a string made from a command's argument as
// tryObjectEncoding encodes it: a shared integer, an int, an embstr up to
// 44 bytes, else raw. b becomes the object's.
func stringObject(b []byte) *object {
	if len(b) <= 20 {
		if v, ok := rnum.ParseInt(b); ok {
			return intObject(v, b)
		}
	}
	if len(b) <= embstrSizeLimit {
		return &object{kind: kindString, str: b, enc: encEmbstr}
	}
	return rawString(b)
}

// stringObjectCopy is stringObject(bytes.Clone(b)) in one allocation
// when b fits an embstr: the bytes live in the object's own block, as
// Redis allocates an embstr's robj and sds together, in a block of the
// smallest of three sizes that holds them (no larger than the object and
// the copy were apart). The copy's capacity is its length, so growing it
// reallocates, never writes into the block.
func stringObjectCopy(b []byte) *object {
	n := len(b)
	if b == nil || n > embstrSizeLimit {
		return stringObject(bytes.Clone(b))
	}
	var o *object
	var str []byte
	switch {
	case n <= 16:
		e := new(embObject16)
		o, str = &e.object, e.buf[:n:n]
	case n <= 32:
		e := new(embObject32)
		o, str = &e.object, e.buf[:n:n]
	default:
		e := new(embObject44)
		o, str = &e.object, e.buf[:n:n]
	}
	return fillEmbString(o, str, b)
}

// fillEmbString makes o, the head of an embObject block whose buffer
// str is (len(b) bytes of it), the string b, as stringObjectCopy does.
// o's value pointers other than str must be nil (a new block's are,
// recycleString checks a recycled one's): only the string's fields are
// written, which spares the write barriers of a whole object.
func fillEmbString(o *object, str, b []byte) *object {
	copy(str, b)
	emb := uint8(embstrSizeLimit)
	switch n := len(str); {
	case n <= 16:
		emb = 16
	case n <= 32:
		emb = 32
	}
	if o.emb > emb { // a recycled block, bigger than str needs
		emb = o.emb
	}
	o.kind, o.enc, o.shared, o.emb = kindString, encEmbstr, false, emb
	o.lru, o.expireAt, o.mem = 0, 0, 0
	o.str = str
	if len(str) <= 20 {
		if v, ok := rnum.ParseInt(str); ok {
			o.enc, o.shared = encInt, v >= 0 && v < sharedIntegers
		}
	}
	return o
}

// embObject16, 32 and 44 are an object with room for an embstr's bytes.
type (
	embObject16 struct {
		object
		buf [16]byte
	}
	embObject32 struct {
		object
		buf [32]byte
	}
	embObject44 struct {
		object
		buf [embstrSizeLimit]byte
	}
)

// rawString is createRawStringObject: APPEND and SETRANGE on an existing
// key, and SETRANGE's new keys.
func rawString(b []byte) *object { return &object{kind: kindString, str: b, enc: encRaw} }

// createdString is createStringObject: an embstr up to 44 bytes, else raw
// (INCRBYFLOAT's result).
func createdString(b []byte) *object {
	if len(b) <= embstrSizeLimit {
		return &object{kind: kindString, str: b, enc: encEmbstr}
	}
	return rawString(b)
}

// intObject is createStringObjectFromLongLongForValue: a shared integer
// from 0 to 9999 (maxmemory is 0), else an int; b is v's text, or nil.
func intObject(v int64, b []byte) *object {
	if b == nil {
		b = strconv.AppendInt(nil, v, 10)
	}
	return &object{kind: kindString, str: b, enc: encInt, shared: v >= 0 && v < sharedIntegers}
}

// encoding is strEncoding(o->encoding): what OBJECT ENCODING says.
func (o *object) encoding() string {
	switch o.kind {
	case kindString:
		switch o.enc {
		case encInt:
			return "int"
		case encEmbstr:
			return "embstr"
		}
		return "raw"
	case kindList:
		return "quicklist" // Redis 7.0 has no listpack lists
	case kindSet:
		if o.set.ht == nil {
			return "intset"
		}
		return "hashtable"
	case kindHash:
		if o.hash.ht == nil {
			return "listpack"
		}
		return "hashtable"
	case kindZSet:
		if o.zset.Listpack() {
			return "listpack"
		}
		return "skiplist"
	case kindStream:
		return "stream"
	}
	return "unknown"
}

// dup is what COPY stores: a copy with the same encoding (dupStringObject
// makes a shared integer a private int).
func (o *object) dup(s *Server) *object {
	n := &object{kind: o.kind, enc: o.enc, lru: s.lruClock}
	switch o.kind {
	case kindString:
		n.str = append([]byte(nil), o.str...)
	case kindList:
		n.list = &list{}
		for i := range o.list.Len() {
			n.list.pushBack(o.list.At(i))
		}
	case kindSet:
		n.set = &set{ints: append([]int64(nil), o.set.ints...)}
		if o.set.ht != nil {
			n.set.ints = nil
			n.set.ht = &dict[struct{}]{}
			o.set.ht.All(func(k string, _ struct{}) bool { n.set.ht.Set(k, struct{}{}); return true })
		}
	case kindHash:
		n.hash = &hash{lp: append([]hashPair(nil), o.hash.lp...)}
		if o.hash.ht != nil {
			n.hash.lp = nil
			n.hash.ht = &dict[[]byte]{}
			o.hash.ht.All(func(k string, v []byte) bool { n.hash.ht.Set(k, v); return true })
		}
	case kindZSet:
		n.zset = zset.New(s.rng)
		n.zset.SetListpack(o.zset.Listpack())
		for m, sc := range o.zset.All() {
			n.zset.Insert(m, sc)
		}
	case kindStream:
		n.stream = o.stream.Clone()
	}
	return n
}

var objectCommands = []cmdSpec{
	{"object", -2, 0, nil, noKeys},
	{"object|encoding", 3, fr, objectCommand, keyAt2},
	{"object|freq", 3, fr, objectCommand, keyAt2},
	{"object|idletime", 3, fr, objectCommand, keyAt2},
	{"object|refcount", 3, fr, objectCommand, keyAt2},
	{"object|help", 2, 0 | flagStale, objectCommand, noKeys},
}

var objectHelp = []string{
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

// objectCommand is OBJECT's subcommands; IDLETIME and FREQ answer as the
// maxmemory-policy allows (evict.go).
func objectCommand(c *client, args [][]byte) {
	sub := strings.ToLower(string(args[1]))
	if sub == "help" {
		c.writeHelp(args[0], objectHelp)
		return
	}
	o := c.db.lookupReadNoTouchNoNotify(args[2])
	if o == nil {
		c.w.WriteNull()
		return
	}
	switch sub {
	case "refcount":
		if o.shared {
			c.w.WriteInt(sharedRefcount)
		} else {
			c.w.WriteInt(1)
		}
	case "encoding":
		c.w.WriteBulkString(o.encoding())
	case "idletime", "freq":
		c.objectFreqOrIdle(sub, o)
	}
}

// writeHelp is addReplyHelp: the command's name in capitals, its help
// lines, and HELP's own.
func (c *client) writeHelp(name []byte, lines []string) {
	c.w.WriteArrayLen(len(lines) + 3)
	c.w.WriteSimpleString(strings.ToUpper(cstr(name, len(name))) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.w.WriteSimpleString(l)
	}
	c.w.WriteSimpleString("HELP")
	c.w.WriteSimpleString("    Prints this help.")
}

// lruOf is the value's LRU time: a shared integer's is the server's.
func (s *Server) lruOf(o *object) int64 {
	if o.shared {
		if s.sharedLRU == nil {
			return s.bootLRU
		}
		return s.sharedLRU[sharedIndex(o.str)]
	}
	return o.lru
}

// touch is the LRU update of lookupKey: every access but those with
// LOOKUP_NOTOUCH, and none while a child process saves.
func (s *Server) touch(o *object) {
	if s.hasChild() {
		return
	}
	if s.policy&policyFlagLFU != 0 {
		s.touchLFU(o)
		return
	}
	if o.shared {
		if s.sharedLRU == nil {
			s.sharedLRU = new([sharedIntegers]int64)
			for i := range s.sharedLRU {
				s.sharedLRU[i] = s.bootLRU
			}
		}
		s.sharedLRU[sharedIndex(o.str)] = s.lruClock
		return
	}
	o.lru = s.lruClock
}

// sharedIndex is the value of a shared integer's text (0 to 9999).
func sharedIndex(b []byte) int {
	n := 0
	for _, d := range b {
		n = n*10 + int(d-'0')
	}
	return n % sharedIntegers
}

// idleMs is estimateObjectIdleTime, in ms of whole LRU clock seconds.
func (s *Server) idleMs(o *object) int64 {
	lru := s.lruOf(o)
	if s.lruClock >= lru {
		return (s.lruClock - lru) * 1000
	}
	return (s.lruClock + (lruClockMax - lru)) * 1000
}

// updateLRUClock is getLRUClock into server.lruclock, as serverCron does.
func (s *Server) updateLRUClock() { s.lruClock = (s.nowMs() / 1000) & lruClockMax }
