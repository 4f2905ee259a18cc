package redis

import "github.com/redsim/redsim/nodes/redis/zset"

// kind is a value's type as TYPE reports it.
type kind uint8

const (
	kindString kind = iota
	kindList
	kindSet
	kindZSet
	kindHash
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
	}
	return "none"
}

// object is a keyspace value. Exactly one of the value fields is in use,
// the one kind names.
type object struct {
	kind kind
	// expireAt is the absolute expiry time in ms on the expiry clock; 0
	// when the key is persistent.
	expireAt int64
	str      []byte
	list     *list
	set      *set
	hash     *hash
	zset     *zset.Set
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
	o := c.db.lookupRead(key)
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
