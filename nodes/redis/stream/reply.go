package stream

// ReplyWriter is the part of the node's reply writer (resp.Writer) that
// stream replies use. WriteMapLen writes n pairs: a map in RESP3, an
// array of 2n in RESP2; WriteNull and WriteNullArray are Redis's
// addReplyNull and addReplyNullArray.
type ReplyWriter interface {
	Proto() int
	WriteArrayLen(n int)
	WriteMapLen(n int)
	WriteBulk(b []byte)
	WriteBulkString(s string)
	WriteInt(n int64)
	WriteSimpleString(s string)
	WriteNull()
	WriteNullArray()
}

// Reply is a command's reply, written the way Redis writes it.
type Reply interface {
	WriteReply(w ReplyWriter)
}

// Result is what a stream command hands back to the node besides an error.
type Result struct {
	Reply Reply
	// Created is a stream that the command created for a missing key
	// (XGROUP CREATE ... MKSTREAM): the node stores it at the key, even
	// when an error came with it.
	Created *Stream
	Effects
}

// IntReply is an integer reply.
type IntReply int64

// WriteReply writes r as an integer.
func (r IntReply) WriteReply(w ReplyWriter) { w.WriteInt(int64(r)) }

// OKReply is +OK.
type OKReply struct{}

// WriteReply writes +OK.
func (OKReply) WriteReply(w ReplyWriter) { w.WriteSimpleString("OK") }

// NullReply is addReplyNull: a null bulk in RESP2.
type NullReply struct{}

// WriteReply writes a null.
func (NullReply) WriteReply(w ReplyWriter) { w.WriteNull() }

// IDReply is an ID as a bulk string (XADD).
type IDReply ID

// WriteReply writes the ID.
func (r IDReply) WriteReply(w ReplyWriter) { writeID(w, ID(r)) }

func writeID(w ReplyWriter, id ID) {
	var b [41]byte
	w.WriteBulk(id.Append(b[:0]))
}

// writeEntry writes [id, [field, value, ...]], or [id, null array] for a
// history entry gone from the stream.
func writeEntry(w ReplyWriter, e Entry) {
	w.WriteArrayLen(2)
	writeID(w, e.ID)
	if e.Fields == nil {
		w.WriteNullArray()
		return
	}
	w.WriteArrayLen(len(e.Fields))
	for _, f := range e.Fields {
		w.WriteBulk(f)
	}
}

// EntriesReply is an array of entries (XRANGE, XCLAIM).
type EntriesReply []Entry

// WriteReply writes the entries.
func (r EntriesReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, e := range r {
		writeEntry(w, e)
	}
}

// IDsReply is an array of IDs (XCLAIM JUSTID).
type IDsReply []ID

// WriteReply writes the IDs.
func (r IDsReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, id := range r {
		writeID(w, id)
	}
}

// RangeReply is XRANGE's reply: the entries, or a null array for COUNT 0.
type RangeReply struct {
	Null    bool
	Entries []Entry
}

// WriteReply writes the range.
func (r RangeReply) WriteReply(w ReplyWriter) {
	if r.Null {
		w.WriteNullArray()
		return
	}
	EntriesReply(r.Entries).WriteReply(w)
}

// StringsReply is addReplyHelp's array of status lines.
type StringsReply []string

// WriteReply writes the lines as simple strings.
func (r StringsReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, s := range r {
		w.WriteSimpleString(s)
	}
}
