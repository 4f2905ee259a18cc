package acl

// ReplyWriter is the part of the node's reply writer (resp.Writer) that
// ACL replies use; *resp.Writer satisfies it as is. WriteMapLen writes n
// pairs and WriteSetLen n elements: maps and sets in RESP3, arrays in
// RESP2. WriteError takes the text after the '-'.
type ReplyWriter interface {
	WriteArrayLen(n int)
	WriteMapLen(n int)
	WriteSetLen(n int)
	WriteBulk(b []byte)
	WriteBulkString(s string)
	WriteInt(n int64)
	WriteDouble(d float64)
	WriteSimpleString(s string)
	WriteError(s string)
	WriteNull()
}

// Kind is the type of a Reply.
type Kind uint8

// The reply kinds.
const (
	KindNull Kind = iota // addReplyNull
	KindBulk
	KindSimple
	KindError
	KindInt
	KindDouble
	KindArray
	KindMap // Elems holds keys and values alternately
	KindSet
)

// Reply is a reply as a small tree, written to the client with Write.
type Reply struct {
	Kind  Kind
	Str   string
	Int   int64
	Float float64
	Elems []Reply
}

// Bulk is a bulk string reply.
func Bulk(s string) Reply { return Reply{Kind: KindBulk, Str: s} }

// Simple is a status reply.
func Simple(s string) Reply { return Reply{Kind: KindSimple, Str: s} }

// Err is an error reply; s includes the code ("ERR ...").
func Err(s string) Reply { return Reply{Kind: KindError, Str: s} }

// Int is an integer reply.
func Int(n int64) Reply { return Reply{Kind: KindInt, Int: n} }

// Double is addReplyDouble.
func Double(f float64) Reply { return Reply{Kind: KindDouble, Float: f} }

// Null is addReplyNull.
func Null() Reply { return Reply{Kind: KindNull} }

// OK is +OK.
func OK() Reply { return Simple("OK") }

// Array is an array of elems.
func Array(elems ...Reply) Reply { return Reply{Kind: KindArray, Elems: elems} }

// Map is a map of alternate keys and values.
func Map(kv ...Reply) Reply { return Reply{Kind: KindMap, Elems: kv} }

// Set is a set reply (an array in RESP2).
func Set(elems ...Reply) Reply { return Reply{Kind: KindSet, Elems: elems} }

// IsError reports whether r is an error reply.
func (r Reply) IsError() bool { return r.Kind == KindError }

// Write writes r through w.
func (r Reply) Write(w ReplyWriter) {
	switch r.Kind {
	case KindNull:
		w.WriteNull()
	case KindBulk:
		w.WriteBulkString(r.Str)
	case KindSimple:
		w.WriteSimpleString(r.Str)
	case KindError:
		w.WriteError(r.Str)
	case KindInt:
		w.WriteInt(r.Int)
	case KindDouble:
		w.WriteDouble(r.Float)
	case KindArray:
		w.WriteArrayLen(len(r.Elems))
	case KindMap:
		w.WriteMapLen(len(r.Elems) / 2)
	case KindSet:
		w.WriteSetLen(len(r.Elems))
	}
	for _, e := range r.Elems {
		e.Write(w)
	}
}

// errReply turns an error from this package into its reply.
func errReply(err error) Reply {
	if e, ok := err.(*Error); ok {
		return Err(e.Msg)
	}
	return Err("ERR " + err.Error())
}
