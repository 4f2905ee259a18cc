package stream

// Group is a consumer group (streamCG).
//
// Invariants: every pending entry is in the group's PEL and in exactly one
// consumer's PEL, the same *pending in both, whose consumer field names
// that consumer; entriesRead is -1 when unknown.
type Group struct {
	name        string
	lastID      ID    // last delivered ID
	entriesRead int64 // logical reads counter, -1 when invalid
	pel         omap[ID, *pending]
	consumers   omap[string, *Consumer]
}

// Consumer is a consumer of a group (streamConsumer).
type Consumer struct {
	name     string
	seenTime int64 // ms wall-clock time of its last activity
	pel      omap[ID, *pending]
}

// pending is a PEL entry (streamNACK).
type pending struct {
	deliveryTime  int64  // ms wall-clock time of the last delivery
	deliveryCount uint64 // replies show it as a signed 64-bit number
	consumer      *Consumer
}

// invalidEntriesRead is SCG_INVALID_ENTRIES_READ.
const invalidEntriesRead = -1

func compareID(a, b ID) int { return a.Compare(b) }

func newPEL() omap[ID, *pending] { return omap[ID, *pending]{cmp: compareID} }

// Name is the group's name.
func (g *Group) Name() string { return g.name }

// LastID is the group's last delivered ID (last-delivered-id).
func (g *Group) LastID() ID { return g.lastID }

// EntriesRead is the group's logical read counter (entries-read), false
// when Redis reports it as nil.
func (g *Group) EntriesRead() (int64, bool) {
	return g.entriesRead, g.entriesRead != invalidEntriesRead
}

// PendingCount is the size of the group's PEL.
func (g *Group) PendingCount() int { return g.pel.Len() }

// ConsumerCount is the number of consumers.
func (g *Group) ConsumerCount() int { return g.consumers.Len() }

// Name is the consumer's name.
func (c *Consumer) Name() string { return c.name }

// SeenTime is the ms time of the consumer's last activity (seen-time).
func (c *Consumer) SeenTime() int64 { return c.seenTime }

// PendingCount is the size of the consumer's PEL.
func (c *Consumer) PendingCount() int { return c.pel.Len() }

// Group returns the group called name, or nil (streamLookupCG).
func (s *Stream) Group(name []byte) *Group {
	g, _ := s.groups.Get(string(name))
	return g
}

// GroupCount is the number of consumer groups.
func (s *Stream) GroupCount() int { return s.groups.Len() }

// createGroup is streamCreateCG: nil when the name is taken.
func (s *Stream) createGroup(name []byte, last ID, entriesRead int64) *Group {
	g := &Group{
		name:        string(name),
		lastID:      last,
		entriesRead: entriesRead,
		pel:         newPEL(),
		consumers:   omap[string, *Consumer]{cmp: compareString},
	}
	if !s.groups.Insert(g.name, g) {
		return nil
	}
	return g
}

// consumer is streamLookupConsumer: the consumer called name or nil,
// its seen-time set to now when refresh.
func (g *Group) consumer(name []byte, now int64, refresh bool) *Consumer {
	c, ok := g.consumers.Get(string(name))
	if !ok {
		return nil
	}
	if refresh {
		c.seenTime = now
	}
	return c
}

// createConsumer is streamCreateConsumer: nil when the name is taken.
func (g *Group) createConsumer(name []byte, now int64) *Consumer {
	c := &Consumer{name: string(name), seenTime: now, pel: newPEL()}
	if !g.consumers.Insert(c.name, c) {
		return nil
	}
	return c
}

// lookupOrCreateConsumer finds or creates the consumer, recording the
// creation (dirty, event, and the XGROUP CREATECONSUMER that NOACK reads
// propagate) in fx.
func (g *Group) lookupOrCreateConsumer(name, key, groupName []byte, now int64, propagateCreation bool, fx *Effects) *Consumer {
	if c := g.consumer(name, now, true); c != nil {
		return c
	}
	c := g.createConsumer(name, now)
	fx.Dirty++
	fx.event("xgroup-createconsumer", key)
	if propagateCreation {
		fx.propagate([]byte("XGROUP"), []byte("CREATECONSUMER"), key, groupName, []byte(c.name))
	}
	return c
}

// deleteConsumer is streamDelConsumer: its pending entries leave the
// group's PEL too.
func (g *Group) deleteConsumer(c *Consumer) {
	c.pel.All(func(id ID, _ *pending) bool {
		g.pel.Delete(id)
		return true
	})
	g.consumers.Delete(c.name)
}

// ack removes id from the PELs (XACK) and reports whether it was pending.
func (g *Group) ack(id ID) bool {
	p, ok := g.pel.Delete(id)
	if ok {
		p.consumer.pel.Delete(id)
	}
	return ok
}

// clone deep-copies the group, keeping each pending entry shared between
// the group's PEL and its consumer's.
func (g *Group) clone() *Group {
	ng := *g
	consumers := map[*Consumer]*Consumer{}
	ng.consumers = g.consumers.clone(func(c *Consumer) *Consumer {
		nc := &Consumer{name: c.name, seenTime: c.seenTime}
		consumers[c] = nc
		return nc
	})
	copies := map[*pending]*pending{}
	ng.pel = g.pel.clone(func(p *pending) *pending {
		np := &pending{p.deliveryTime, p.deliveryCount, consumers[p.consumer]}
		copies[p] = np
		return np
	})
	g.consumers.All(func(_ string, c *Consumer) bool {
		consumers[c].pel = c.pel.clone(func(p *pending) *pending { return copies[p] })
		return true
	})
	return &ng
}

// rangeHasTombstones is streamRangeHasTombstones: whether a deleted entry
// may lie in [start, end]; the caller has checked start < lastID. A nil
// end means MaxID.
func (s *Stream) rangeHasTombstones(start ID, end *ID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.maxDeletedID.Less(s.firstID) {
		return false
	}
	e := MaxID
	if end != nil {
		e = *end
	}
	return !s.maxDeletedID.Less(start) && !e.Less(s.maxDeletedID)
}

// estimateDistance is streamEstimateDistanceFromFirstEverEntry: id's
// logical read counter, or -1 when the stream cannot tell.
func (s *Stream) estimateDistance(id ID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.lastID) < 1 {
		return s.entriesAdded
	}
	switch id.Compare(s.lastID) {
	case 0:
		return s.entriesAdded
	case 1:
		return invalidEntriesRead
	}
	cmpFirst := id.Compare(s.firstID)
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		switch cmpFirst {
		case -1:
			return s.entriesAdded - s.length
		case 0:
			return s.entriesAdded - s.length + 1
		}
	}
	return invalidEntriesRead
}

// Lag is the number of entries the group has yet to read, false when
// Redis replies nil because the stream cannot tell (streamReplyWithCGLag).
func (s *Stream) Lag(g *Group) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.entriesRead != invalidEntriesRead && !s.rangeHasTombstones(g.lastID, nil) {
		return s.entriesAdded - g.entriesRead, true
	}
	if read := s.estimateDistance(g.lastID); read != invalidEntriesRead {
		return s.entriesAdded - read, true
	}
	return 0, false
}
