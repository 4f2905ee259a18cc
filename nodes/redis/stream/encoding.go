package stream

import (
	"encoding/binary"
	"errors"
)

// The binary form of a stream, for the node's snapshots and full
// resynchronizations. Redis's RDB saves a stream's listpacks as they are,
// so a restart or a replica keeps the node layout, deleted entries and
// all, and with it what later approximate trims remove; this encoding
// keeps the same: metadata, nodes with their entries in listpack order
// and their deleted flags, groups, consumers and pending entries. Numbers
// are varints, byte strings are length-prefixed.

const encodingVersion = 1

// ErrCorrupt is returned by Decode for input that is not an encoded stream.
var ErrCorrupt = errors.New("stream: corrupt encoding")

// AppendBinary appends the encoding of s to dst and returns the extended
// buffer.
func (s *Stream) AppendBinary(dst []byte) []byte {
	dst = append(dst, encodingVersion)
	dst = appendID(dst, s.lastID)
	dst = appendID(dst, s.firstID)
	dst = appendID(dst, s.maxDeletedID)
	dst = binary.AppendVarint(dst, s.length)
	dst = binary.AppendVarint(dst, s.entriesAdded)
	dst = binary.AppendUvarint(dst, uint64(len(s.nodes)))
	for _, n := range s.nodes {
		dst = appendID(dst, n.master)
		dst = appendBytesList(dst, n.fields)
		dst = binary.AppendUvarint(dst, uint64(len(n.entries)))
		for _, e := range n.entries {
			var flags byte
			if e.deleted {
				flags |= 1
			}
			if e.same {
				flags |= 2
			}
			dst = append(dst, flags)
			dst = appendID(dst, e.id)
			if e.same {
				dst = binary.AppendUvarint(dst, uint64(len(e.fv)/2))
				for i := 1; i < len(e.fv); i += 2 {
					dst = appendBytes(dst, e.fv[i])
				}
			} else {
				dst = appendBytesList(dst, e.fv)
			}
		}
	}
	dst = binary.AppendUvarint(dst, uint64(s.groups.Len()))
	s.groups.All(func(name string, g *Group) bool {
		dst = appendBytes(dst, []byte(name))
		dst = appendID(dst, g.lastID)
		dst = binary.AppendVarint(dst, g.entriesRead)
		dst = binary.AppendUvarint(dst, uint64(g.consumers.Len()))
		g.consumers.All(func(name string, c *Consumer) bool {
			dst = appendBytes(dst, []byte(name))
			dst = binary.AppendVarint(dst, c.seenTime)
			return true
		})
		dst = binary.AppendUvarint(dst, uint64(g.pel.Len()))
		g.pel.All(func(id ID, p *pending) bool {
			dst = appendID(dst, id)
			dst = binary.AppendVarint(dst, p.deliveryTime)
			dst = binary.AppendUvarint(dst, p.deliveryCount)
			dst = appendBytes(dst, []byte(p.consumer.name))
			return true
		})
		return true
	})
	return dst
}

func appendID(dst []byte, id ID) []byte {
	dst = binary.AppendUvarint(dst, id.Ms)
	return binary.AppendUvarint(dst, id.Seq)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

func appendBytesList(dst []byte, l [][]byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(l)))
	for _, b := range l {
		dst = appendBytes(dst, b)
	}
	return dst
}

// decoder reads an encoding; the first error sticks.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length and checks that at least that many bytes remain,
// each item taking one byte or more.
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.err = true
		d.b = nil
		return 0
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) id() ID { return ID{d.uvarint(), d.uvarint()} }

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.err {
		return nil
	}
	b := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return b
}

func (d *decoder) bytesList() [][]byte {
	n := d.count()
	l := make([][]byte, 0, n)
	for range n {
		if d.err {
			return nil
		}
		l = append(l, d.bytes())
	}
	return l
}

// Decode rebuilds a stream from AppendBinary's encoding. It never panics;
// input that is not a consistent encoding yields ErrCorrupt.
func Decode(b []byte) (*Stream, error) {
	d := &decoder{b: b}
	if d.byte() != encodingVersion {
		return nil, ErrCorrupt
	}
	s := New()
	s.lastID, s.firstID, s.maxDeletedID = d.id(), d.id(), d.id()
	s.length, s.entriesAdded = d.varint(), d.varint()
	nodes := d.count()
	for range nodes {
		if d.err {
			return nil, ErrCorrupt
		}
		n := &node{master: d.id(), fields: d.bytesList(), sorted: true}
		n.size = lpHeaderAndEnd + lpIntSize(int64(len(n.fields))) + lpIntSize(0)
		for _, f := range n.fields {
			n.size += lpStringSize(f)
		}
		entries := d.count()
		if entries == 0 || len(s.nodes) > 0 && !s.nodes[len(s.nodes)-1].master.Less(n.master) {
			return nil, ErrCorrupt
		}
		n.entries = make([]entry, 0, entries)
		for i := range entries {
			flags := d.byte()
			e := entry{id: d.id(), deleted: flags&1 != 0, same: flags&2 != 0}
			if d.err || flags > 3 || i == 0 && (!e.same || e.id != n.master) {
				return nil, ErrCorrupt
			}
			if e.same {
				nv := d.count()
				if nv != len(n.fields) {
					return nil, ErrCorrupt
				}
				e.fv = make([][]byte, 2*nv)
				for k := range nv {
					e.fv[2*k], e.fv[2*k+1] = n.fields[k], d.bytes()
				}
			} else if e.fv = d.bytesList(); len(e.fv)%2 != 0 || len(e.fv) == 0 {
				return nil, ErrCorrupt
			}
			if i > 0 && !n.entries[i-1].id.Less(e.id) {
				n.sorted = false
			}
			if e.deleted {
				n.deleted++
			} else {
				n.live++
			}
			n.size += entrySize(n, &e)
			n.entries = append(n.entries, e)
		}
		s.nodes = append(s.nodes, n)
	}
	groups := d.count()
	for range groups {
		if d.err {
			return nil, ErrCorrupt
		}
		g := s.createGroup(d.bytes(), d.id(), d.varint())
		if g == nil {
			return nil, ErrCorrupt
		}
		consumers := d.count()
		for range consumers {
			name := d.bytes()
			if d.err || g.createConsumer(name, d.varint()) == nil {
				return nil, ErrCorrupt
			}
		}
		pel := d.count()
		for range pel {
			id := d.id()
			p := &pending{deliveryTime: d.varint(), deliveryCount: d.uvarint()}
			c := g.consumer(d.bytes(), 0, false)
			if d.err || c == nil || !g.pel.Insert(id, p) {
				return nil, ErrCorrupt
			}
			p.consumer = c
			c.pel.Set(id, p)
		}
	}
	if d.err || len(d.b) != 0 {
		return nil, ErrCorrupt
	}
	var live int64
	for _, n := range s.nodes {
		live += n.live
	}
	if live != s.length {
		s.replaced = 1 // saved after a node replacement: keep Redis's counters
	}
	return s, nil
}
