package redis

import "unsafe"

// A SET that replaces a string value frees the value's block, and the
// next string the node makes can take it instead of a new allocation:
// the Go heap's share of a SET, three times over with two replicas. The
// block is the embObject that stringObjectCopy allocated, the object
// with its bytes after it; the recycled object is reset whole, so
// nothing of the old value shows through.
//
// A block is recycled only when nothing else can still refer to the old
// value: at the top level of a command (no EXEC, no script, whose held
// propagation may refer to values), and after the dict and the expires
// dict let go of it. Its bytes must also be the block's own buffer: an
// object whose str was replaced (APPEND, SETBIT) is left to the GC.

// embBuf returns the bytes of o's block that follow o: its embstr buffer
// when o heads an embObject, o.emb of them. The caller checks o.emb.
func embBuf(o *object) []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(o), unsafe.Sizeof(object{}))), o.emb)
}

// embHead reports whether o heads an embObject block whose buffer holds
// o.str, and holds nothing else: only stringObjectCopy sets o.emb, and a
// copy of such an object by value, or one whose str was replaced, has
// its str elsewhere.
func embHead(o *object) bool {
	return o.emb != 0 && o.kind == kindString && len(o.str) > 0 &&
		o.list == nil && o.set == nil && o.hash == nil && o.zset == nil && o.stream == nil &&
		unsafe.SliceData(o.str) == (*byte)(unsafe.Add(unsafe.Pointer(o), unsafe.Sizeof(object{})))
}

// recycleString keeps old, a value that has just left the keyspace, for
// newStringCopy, when it heads an embObject block and nothing can refer
// to it any more.
func (s *Server) recycleString(old *object) {
	if old == nil || s.execDepth != 0 || s.inScript || s.long != nil || s.hasHeld || !embHead(old) {
		return
	}
	s.spareString = old
}

// newStringCopy is stringObjectCopy(b), in the block recycleString kept
// when b fits it.
func (s *Server) newStringCopy(b []byte) *object {
	o := s.spareString
	if o == nil || b == nil || len(b) > int(o.emb) {
		return stringObjectCopy(b)
	}
	s.spareString = nil
	n := len(b)
	return fillEmbString(o, embBuf(o)[:n:n], b)
}
