package stream

// XInfoHelp is the text of XINFO HELP, after its first line.
var XInfoHelp = []string{
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

// StreamInfo is the reply of XINFO STREAM, with or without FULL; fields
// are in reply order.
type StreamInfo struct {
	Length               int64
	RadixTreeKeys        int
	RadixTreeNodes       int64
	LastGeneratedID      ID
	MaxDeletedEntryID    ID
	EntriesAdded         int64
	RecordedFirstEntryID ID

	Full bool
	// Without FULL: the number of groups and the first and last entries
	// (nil when the stream is empty).
	Groups                int
	FirstEntry, LastEntry *Entry
	// With FULL: the first COUNT entries and every group in detail.
	Entries    []Entry
	FullGroups []GroupDetail
}

// GroupDetail is a group in XINFO STREAM FULL.
type GroupDetail struct {
	GroupInfo
	PELCount  int
	PEL       []PELDetail // the first COUNT entries of the group's PEL
	Consumers []ConsumerDetail
}

// PELDetail is a pending entry in XINFO STREAM FULL; Consumer is empty
// in a consumer's own list.
type PELDetail struct {
	ID             ID
	Consumer       string
	DeliveryTimeMs int64
	DeliveryCount  int64
}

// ConsumerDetail is a consumer in XINFO STREAM FULL. 7.0.15 reports
// seen-time only; active-time came with 7.2.
type ConsumerDetail struct {
	Name       string
	SeenTimeMs int64
	PELCount   int
	PEL        []PELDetail
}

// GroupInfo is a group in XINFO GROUPS.
type GroupInfo struct {
	Name            string
	Consumers       int
	Pending         int
	LastDeliveredID ID
	EntriesRead     int64
	EntriesReadNil  bool // entries-read is nil (unknown)
	Lag             int64
	LagNil          bool // lag is nil: the stream cannot tell
}

// ConsumerInfo is a consumer in XINFO CONSUMERS.
type ConsumerInfo struct {
	Name    string
	Pending int
	IdleMs  int64
}

func writeIntOrNull(w ReplyWriter, v int64, null bool) {
	if null {
		w.WriteNull()
	} else {
		w.WriteInt(v)
	}
}

// WriteReply writes the info map.
func (r StreamInfo) WriteReply(w ReplyWriter) {
	if r.Full {
		w.WriteMapLen(9)
	} else {
		w.WriteMapLen(10)
	}
	w.WriteBulkString("length")
	w.WriteInt(r.Length)
	w.WriteBulkString("radix-tree-keys")
	w.WriteInt(int64(r.RadixTreeKeys))
	w.WriteBulkString("radix-tree-nodes")
	w.WriteInt(r.RadixTreeNodes)
	w.WriteBulkString("last-generated-id")
	writeID(w, r.LastGeneratedID)
	w.WriteBulkString("max-deleted-entry-id")
	writeID(w, r.MaxDeletedEntryID)
	w.WriteBulkString("entries-added")
	w.WriteInt(r.EntriesAdded)
	w.WriteBulkString("recorded-first-entry-id")
	writeID(w, r.RecordedFirstEntryID)
	if !r.Full {
		w.WriteBulkString("groups")
		w.WriteInt(int64(r.Groups))
		for _, e := range []struct {
			name  string
			entry *Entry
		}{{"first-entry", r.FirstEntry}, {"last-entry", r.LastEntry}} {
			w.WriteBulkString(e.name)
			if e.entry == nil {
				w.WriteNull()
			} else {
				writeEntry(w, *e.entry)
			}
		}
		return
	}
	w.WriteBulkString("entries")
	EntriesReply(r.Entries).WriteReply(w)
	w.WriteBulkString("groups")
	w.WriteArrayLen(len(r.FullGroups))
	for _, g := range r.FullGroups {
		w.WriteMapLen(7)
		w.WriteBulkString("name")
		w.WriteBulkString(g.Name)
		w.WriteBulkString("last-delivered-id")
		writeID(w, g.LastDeliveredID)
		w.WriteBulkString("entries-read")
		writeIntOrNull(w, g.EntriesRead, g.EntriesReadNil)
		w.WriteBulkString("lag")
		writeIntOrNull(w, g.Lag, g.LagNil)
		w.WriteBulkString("pel-count")
		w.WriteInt(int64(g.PELCount))
		w.WriteBulkString("pending")
		w.WriteArrayLen(len(g.PEL))
		for _, p := range g.PEL {
			w.WriteArrayLen(4)
			writeID(w, p.ID)
			w.WriteBulkString(p.Consumer)
			w.WriteInt(p.DeliveryTimeMs)
			w.WriteInt(p.DeliveryCount)
		}
		w.WriteBulkString("consumers")
		w.WriteArrayLen(len(g.Consumers))
		for _, c := range g.Consumers {
			w.WriteMapLen(4)
			w.WriteBulkString("name")
			w.WriteBulkString(c.Name)
			w.WriteBulkString("seen-time")
			w.WriteInt(c.SeenTimeMs)
			w.WriteBulkString("pel-count")
			w.WriteInt(int64(c.PELCount))
			w.WriteBulkString("pending")
			w.WriteArrayLen(len(c.PEL))
			for _, p := range c.PEL {
				w.WriteArrayLen(3)
				writeID(w, p.ID)
				w.WriteInt(p.DeliveryTimeMs)
				w.WriteInt(p.DeliveryCount)
			}
		}
	}
}

// GroupsReply is XINFO GROUPS's reply.
type GroupsReply []GroupInfo

// WriteReply writes one map per group.
func (r GroupsReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, g := range r {
		w.WriteMapLen(6)
		w.WriteBulkString("name")
		w.WriteBulkString(g.Name)
		w.WriteBulkString("consumers")
		w.WriteInt(int64(g.Consumers))
		w.WriteBulkString("pending")
		w.WriteInt(int64(g.Pending))
		w.WriteBulkString("last-delivered-id")
		writeID(w, g.LastDeliveredID)
		w.WriteBulkString("entries-read")
		writeIntOrNull(w, g.EntriesRead, g.EntriesReadNil)
		w.WriteBulkString("lag")
		writeIntOrNull(w, g.Lag, g.LagNil)
	}
}

// ConsumersReply is XINFO CONSUMERS's reply.
type ConsumersReply []ConsumerInfo

// WriteReply writes one map per consumer.
func (r ConsumersReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, c := range r {
		w.WriteMapLen(3)
		w.WriteBulkString("name")
		w.WriteBulkString(c.Name)
		w.WriteBulkString("pending")
		w.WriteInt(int64(c.Pending))
		w.WriteBulkString("idle")
		w.WriteInt(c.IdleMs)
	}
}

func (s *Stream) groupInfo(g *Group) GroupInfo {
	gi := GroupInfo{
		Name:            g.name,
		Consumers:       g.consumers.Len(),
		Pending:         g.pel.Len(),
		LastDeliveredID: g.lastID,
	}
	var ok bool
	gi.EntriesRead, ok = g.EntriesRead()
	gi.EntriesReadNil = !ok
	gi.Lag, ok = s.Lag(g)
	gi.LagNil = !ok
	return gi
}

// XInfo runs XINFO STREAM key [FULL [COUNT n]], XINFO GROUPS key, XINFO
// CONSUMERS key group or XINFO HELP. s is the stream at argv[2]; the node
// replies to a missing key ("ERR no such key", as XInfo does for a nil s)
// or a key of another type before calling, except for HELP, which looks
// nothing up.
func XInfo(s *Stream, argv [][]byte, nowMs int64) (Result, error) {
	if err := checkArity(argv, "xinfo", 2); err != nil {
		return Result{}, err
	}
	sub := argv[1]
	if isOpt(sub, "help") {
		if len(argv) != 2 {
			return Result{}, errSubcommand(argv)
		}
		return Result{Reply: helpReply(argv, XInfoHelp)}, nil
	}
	if len(argv) < 3 {
		return Result{}, errSubcommand(argv)
	}
	if s == nil {
		return Result{}, ErrNoSuchKey
	}
	switch {
	case isOpt(sub, "consumers") && len(argv) == 4:
		g := s.Group(argv[3])
		if g == nil {
			return Result{}, errNoGroupForKey(argv[2], argv[3])
		}
		out := ConsumersReply{}
		g.consumers.All(func(name string, c *Consumer) bool {
			out = append(out, ConsumerInfo{name, c.pel.Len(), max(nowMs-c.seenTime, 0)})
			return true
		})
		return Result{Reply: out}, nil
	case isOpt(sub, "groups") && len(argv) == 3:
		out := GroupsReply{}
		s.groups.All(func(_ string, g *Group) bool {
			out = append(out, s.groupInfo(g))
			return true
		})
		return Result{Reply: out}, nil
	case isOpt(sub, "stream"):
		return s.infoStream(argv)
	}
	return Result{}, errSubcommand(argv)
}

func (s *Stream) infoStream(argv [][]byte) (Result, error) {
	opts := argv[3:]
	full := len(opts) > 0
	count := int64(10)
	if full {
		if len(opts) != 1 && len(opts) != 3 || !isOpt(opts[0], "full") {
			return Result{}, errSubcommand(argv)
		}
		if len(opts) == 3 {
			if !isOpt(opts[1], "count") {
				return Result{}, errSubcommand(argv)
			}
			v, err := parseInt(opts[2], nil)
			if err != nil {
				return Result{}, err
			}
			if count = v; count < 0 {
				count = 10
			}
		}
	}
	r := StreamInfo{
		Length:               s.length,
		RadixTreeKeys:        len(s.nodes),
		RadixTreeNodes:       s.RadixNodes(),
		LastGeneratedID:      s.lastID,
		MaxDeletedEntryID:    s.maxDeletedID,
		EntriesAdded:         s.entriesAdded,
		RecordedFirstEntryID: s.firstID,
		Full:                 full,
	}
	if !full {
		r.Groups = s.groups.Len()
		if e := s.Range(ID{}, MaxID, 1, false); len(e) == 1 {
			r.FirstEntry = &e[0]
		}
		if e := s.Range(ID{}, MaxID, 1, true); len(e) == 1 {
			r.LastEntry = &e[0]
		}
		return Result{Reply: r}, nil
	}
	r.Entries = s.Range(ID{}, MaxID, count, false)
	r.FullGroups = []GroupDetail{}
	s.groups.All(func(_ string, g *Group) bool {
		gd := GroupDetail{GroupInfo: s.groupInfo(g), PELCount: g.pel.Len(), PEL: []PELDetail{}}
		g.pel.All(func(id ID, p *pending) bool {
			if count != 0 && int64(len(gd.PEL)) >= count {
				return false
			}
			gd.PEL = append(gd.PEL, PELDetail{id, p.consumer.name, p.deliveryTime, int64(p.deliveryCount)})
			return true
		})
		g.consumers.All(func(name string, c *Consumer) bool {
			cd := ConsumerDetail{Name: name, SeenTimeMs: c.seenTime, PELCount: c.pel.Len(), PEL: []PELDetail{}}
			c.pel.All(func(id ID, p *pending) bool {
				if count != 0 && int64(len(cd.PEL)) >= count {
					return false
				}
				cd.PEL = append(cd.PEL, PELDetail{ID: id, DeliveryTimeMs: p.deliveryTime, DeliveryCount: int64(p.deliveryCount)})
				return true
			})
			gd.Consumers = append(gd.Consumers, cd)
			return true
		})
		r.FullGroups = append(r.FullGroups, gd)
		return true
	})
	return Result{Reply: r}, nil
}
