package stream

import (
	"fmt"

	"github.com/redsim/redsim/nodes/redis/rdbfile"
)

// The stream as Redis 7.0's RDB holds it (STREAM_LISTPACKS_2), for the
// node's snapshots, full resynchronizations and DUMP payloads through
// package rdbfile: the same nodes, deleted entries and all, the metadata
// and the consumer groups with their PELs and consumers.

func toRDBID(id ID) rdbfile.StreamID   { return rdbfile.StreamID{Ms: id.Ms, Seq: id.Seq} }
func fromRDBID(id rdbfile.StreamID) ID { return ID{Ms: id.Ms, Seq: id.Seq} }

// RDB returns s in rdbfile's form, for rdbfile.Writer.Key and
// rdbfile.Dump. It shares the entries' byte slices with s, so it is
// valid until s next changes.
func (s *Stream) RDB() *rdbfile.Stream {
	r := &rdbfile.Stream{
		Nodes:        make([]rdbfile.StreamNode, len(s.nodes)),
		Length:       uint64(s.length),
		LastID:       toRDBID(s.lastID),
		FirstID:      toRDBID(s.firstID),
		MaxDeletedID: toRDBID(s.maxDeletedID),
		EntriesAdded: uint64(s.entriesAdded),
		Groups:       make([]rdbfile.StreamGroup, 0, s.groups.Len()),
	}
	for i, n := range s.nodes {
		rn := rdbfile.StreamNode{Master: toRDBID(n.master), MasterFields: n.fields, Entries: make([]rdbfile.StreamEntry, len(n.entries))}
		for k := range n.entries {
			e := &n.entries[k]
			rn.Entries[k] = rdbfile.StreamEntry{ID: toRDBID(e.id), Deleted: e.deleted, Fields: e.fv}
		}
		r.Nodes[i] = rn
	}
	s.groups.All(func(name string, g *Group) bool {
		rg := rdbfile.StreamGroup{
			Name:        []byte(name),
			LastID:      toRDBID(g.lastID),
			EntriesRead: g.entriesRead,
			PEL:         make([]rdbfile.StreamPending, 0, g.pel.Len()),
			Consumers:   make([]rdbfile.StreamConsumer, 0, g.consumers.Len()),
		}
		g.pel.All(func(id ID, p *pending) bool {
			rg.PEL = append(rg.PEL, rdbfile.StreamPending{ID: toRDBID(id), DeliveryTime: p.deliveryTime, DeliveryCount: p.deliveryCount})
			return true
		})
		g.consumers.All(func(cname string, c *Consumer) bool {
			rc := rdbfile.StreamConsumer{Name: []byte(cname), SeenTime: c.seenTime, PEL: make([]rdbfile.StreamID, 0, c.pel.Len())}
			c.pel.All(func(id ID, _ *pending) bool {
				rc.PEL = append(rc.PEL, toRDBID(id))
				return true
			})
			rg.Consumers = append(rg.Consumers, rc)
			return true
		})
		r.Groups = append(r.Groups, rg)
		return true
	})
	return r
}

// FromRDB builds a stream from rdbfile's form (a Reader's or DecodeDump's
// value), copying what it keeps. Besides what rdbfile already checked,
// it refuses (with an error wrapping ErrCorrupt) nodes Redis never
// writes: one without entries, or whose first entry is not the node's
// master entry.
func FromRDB(r *rdbfile.Stream) (*Stream, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: no stream", ErrCorrupt)
	}
	s := New()
	s.lastID, s.firstID, s.maxDeletedID = fromRDBID(r.LastID), fromRDBID(r.FirstID), fromRDBID(r.MaxDeletedID)
	s.length, s.entriesAdded = int64(r.Length), int64(r.EntriesAdded)
	s.nodes = make([]*node, 0, len(r.Nodes))
	var live int64
	for i := range r.Nodes {
		rn := &r.Nodes[i]
		master := fromRDBID(rn.Master)
		if len(rn.Entries) == 0 {
			return nil, fmt.Errorf("%w: node %v has no entries", ErrCorrupt, master)
		}
		if len(s.nodes) > 0 && !s.nodes[len(s.nodes)-1].master.Less(master) {
			return nil, fmt.Errorf("%w: node %v out of order", ErrCorrupt, master)
		}
		n := &node{master: master, fields: make([][]byte, len(rn.MasterFields)), sorted: true}
		n.size = lpHeaderAndEnd + lpIntSize(int64(len(n.fields))) + lpIntSize(0)
		for k, f := range rn.MasterFields {
			n.fields[k] = append([]byte(nil), f...)
			n.size += lpStringSize(f)
		}
		n.entries = make([]entry, 0, len(rn.Entries))
		for k := range rn.Entries {
			re := &rn.Entries[k]
			if len(re.Fields)%2 != 0 || len(re.Fields) == 0 {
				return nil, fmt.Errorf("%w: entry %v has %d fields and values", ErrCorrupt, fromRDBID(re.ID), len(re.Fields))
			}
			e := entry{id: fromRDBID(re.ID), deleted: re.Deleted, same: len(re.Fields) == 2*len(n.fields)}
			for f := 0; e.same && f < len(n.fields); f++ {
				e.same = string(n.fields[f]) == string(re.Fields[2*f])
			}
			if k == 0 && (!e.same || e.id != master) {
				return nil, fmt.Errorf("%w: node %v does not start with its master entry", ErrCorrupt, master)
			}
			var need int
			for f := 1; f < len(re.Fields); f += 2 {
				need += len(re.Fields[f])
				if !e.same {
					need += len(re.Fields[f-1])
				}
			}
			buf := make([]byte, 0, need)
			e.fv = make([][]byte, len(re.Fields))
			for f, b := range re.Fields {
				if f%2 == 0 && e.same {
					e.fv[f] = n.fields[f/2]
					continue
				}
				start := len(buf)
				buf = append(buf, b...)
				e.fv[f] = buf[start:len(buf):len(buf)]
			}
			if k > 0 && !n.entries[k-1].id.Less(e.id) {
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
		live += n.live
		s.nodes = append(s.nodes, n)
	}
	for i := range r.Groups {
		rg := &r.Groups[i]
		g := s.createGroup(rg.Name, fromRDBID(rg.LastID), rg.EntriesRead)
		if g == nil {
			return nil, fmt.Errorf("%w: duplicate group %q", ErrCorrupt, rg.Name)
		}
		owner := make(map[ID]*Consumer, len(rg.PEL))
		for k := range rg.Consumers {
			rc := &rg.Consumers[k]
			c := g.createConsumer(rc.Name, rc.SeenTime)
			if c == nil {
				return nil, fmt.Errorf("%w: duplicate consumer %q in group %q", ErrCorrupt, rc.Name, rg.Name)
			}
			for _, id := range rc.PEL {
				if _, dup := owner[fromRDBID(id)]; dup {
					return nil, fmt.Errorf("%w: pending entry %v owned twice", ErrCorrupt, fromRDBID(id))
				}
				owner[fromRDBID(id)] = c
			}
		}
		for _, rp := range rg.PEL {
			id := fromRDBID(rp.ID)
			c := owner[id]
			p := &pending{deliveryTime: rp.DeliveryTime, deliveryCount: rp.DeliveryCount, consumer: c}
			if c == nil || !g.pel.Insert(id, p) {
				return nil, fmt.Errorf("%w: pending entry %v without a consumer or listed twice", ErrCorrupt, id)
			}
			c.pel.Set(id, p)
			delete(owner, id)
		}
		if len(owner) != 0 {
			return nil, fmt.Errorf("%w: a consumer owns an entry not in the group's PEL", ErrCorrupt)
		}
	}
	if live != s.length {
		s.replaced = 1 // saved after a node replacement: keep Redis's counters
	}
	return s, nil
}
