package rdbfile

// Stream listpacks (t_stream.c). A node's listpack starts with the master
// entry:
//
//	count deleted num-fields field_1 ... field_N 0
//
// (count: live entries, deleted: entries flagged deleted), then each
// entry:
//
//	flags ms-diff seq-diff [num-fields field_1 ...] value_1 ... lp-count
//
// where flags has bit 0 for deleted and bit 1 (SAMEFIELDS) when the field
// names are the master entry's, in which case they and num-fields are
// left out; ms-diff and seq-diff are the entry ID minus the master ID
// (two's complement), and lp-count the entry's element count less one,
// which lets the iterator walk backwards.

const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// sameFields reports whether an entry's field names are the master's,
// which is when streamAppendItem flags it SAMEFIELDS.
func sameFields(master, fv [][]byte) bool {
	if len(fv) != 2*len(master) {
		return false
	}
	for i, f := range master {
		if string(f) != string(fv[2*i]) {
			return false
		}
	}
	return true
}

// appendStreamListpack appends node n's listpack as Redis holds it.
func appendStreamListpack(dst []byte, n *StreamNode) ([]byte, error) {
	var live, deleted int64
	for i := range n.Entries {
		if n.Entries[i].Deleted {
			deleted++
		} else {
			live++
		}
	}
	lp, start := lpBegin(dst)
	count := 0
	lp = lpAppendInt(lp, live)
	lp = lpAppendInt(lp, deleted)
	lp = lpAppendInt(lp, int64(len(n.MasterFields)))
	for _, f := range n.MasterFields {
		lp = lpAppendStr(lp, f)
	}
	lp = lpAppendInt(lp, 0)
	count += 4 + len(n.MasterFields)
	for i := range n.Entries {
		en := &n.Entries[i]
		if len(en.Fields)%2 != 0 {
			return dst, valueErr("stream entry %d-%d has %d fields and values", en.ID.Ms, en.ID.Seq, len(en.Fields))
		}
		nf := int64(len(en.Fields) / 2)
		flags := int64(0)
		if en.Deleted {
			flags |= streamFlagDeleted
		}
		same := sameFields(n.MasterFields, en.Fields)
		if same {
			flags |= streamFlagSameFields
		}
		lp = lpAppendInt(lp, flags)
		lp = lpAppendInt(lp, int64(en.ID.Ms-n.Master.Ms))
		lp = lpAppendInt(lp, int64(en.ID.Seq-n.Master.Seq))
		lpCount := nf + 3
		if !same {
			lp = lpAppendInt(lp, nf)
			lpCount += nf + 1
		}
		for k := 0; k < len(en.Fields); k += 2 {
			if !same {
				lp = lpAppendStr(lp, en.Fields[k])
			}
			lp = lpAppendStr(lp, en.Fields[k+1])
		}
		lp = lpAppendInt(lp, lpCount)
		count += int(lpCount) + 1
	}
	return lpEnd(lp, start, count), nil
}

// appendStream is rdbSaveObject for a stream (STREAM_LISTPACKS_2).
func (e *encoder) appendStream(dst []byte, s *Stream) ([]byte, error) {
	if s == nil {
		return dst, valueErr("a stream value without a Stream")
	}
	dst = appendLen(dst, uint64(len(s.Nodes)))
	var key [16]byte
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if len(n.Entries) == 0 {
			return dst, valueErr("stream node %d-%d without entries", n.Master.Ms, n.Master.Seq)
		}
		dst = e.appendString(dst, appendStreamID(key[:0], n.Master))
		lp, err := appendStreamListpack(e.scratch[:0], n)
		if err != nil {
			return dst, err
		}
		e.scratch = lp
		dst = e.appendString(dst, lp)
	}
	dst = appendLen(dst, s.Length)
	dst = appendLen(dst, s.LastID.Ms)
	dst = appendLen(dst, s.LastID.Seq)
	dst = appendLen(dst, s.FirstID.Ms)
	dst = appendLen(dst, s.FirstID.Seq)
	dst = appendLen(dst, s.MaxDeletedID.Ms)
	dst = appendLen(dst, s.MaxDeletedID.Seq)
	dst = appendLen(dst, s.EntriesAdded)
	dst = appendLen(dst, uint64(len(s.Groups)))
	for i := range s.Groups {
		g := &s.Groups[i]
		dst = e.appendString(dst, g.Name)
		dst = appendLen(dst, g.LastID.Ms)
		dst = appendLen(dst, g.LastID.Seq)
		dst = appendLen(dst, uint64(g.EntriesRead))
		dst = appendLen(dst, uint64(len(g.PEL)))
		for _, p := range g.PEL {
			dst = appendStreamID(dst, p.ID)
			dst = appendMillis(dst, p.DeliveryTime)
			dst = appendLen(dst, p.DeliveryCount)
		}
		dst = appendLen(dst, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			dst = e.appendString(dst, c.Name)
			dst = appendMillis(dst, c.SeenTime)
			dst = appendLen(dst, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				dst = appendStreamID(dst, id)
			}
		}
	}
	return dst, nil
}
