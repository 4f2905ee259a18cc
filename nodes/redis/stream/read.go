package stream

// XReadArgs is a parsed XREAD or XREADGROUP (xreadCommand).
type XReadArgs struct {
	Group, Consumer []byte // nil for XREAD
	Count           int64  // 0 for no limit
	Block           int64  // ms to block, 0 for ever, -1 without BLOCK
	NoAck           bool
	Keys            [][]byte
	// IDs are, once resolved, the IDs to read after, one per key: "$" is
	// the stream's last ID and ">" is MaxID, which XRead replaces with the
	// group's last delivered ID when it serves the key. A blocked client
	// waits for entries after these.
	IDs []ID

	idArgs     [][]byte
	streams    []*Stream
	groups     []*Group
	xreadgroup bool
}

// BlockCount is the COUNT a blocked client is served with: 1000 when none
// was given (XREAD_BLOCKED_DEFAULT_COUNT).
func (a *XReadArgs) BlockCount() int64 {
	if a.Count != 0 {
		return a.Count
	}
	return 1000
}

// ParseXRead parses the options of XREAD [COUNT n] [BLOCK ms] STREAMS key
// ... id ... or XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms]
// [NOACK] STREAMS key ... id ..., the command being told by the length of
// argv[0]. fromScript is true inside EVAL, where BLOCK is refused. The
// IDs are resolved afterwards by Resolve.
func ParseXRead(argv [][]byte, fromScript bool) (*XReadArgs, error) {
	if err := checkArity(argv, "xread", 4); err != nil {
		return nil, err
	}
	a := &XReadArgs{Block: -1, xreadgroup: len(argv[0]) == 10}
	if err := checkArity(argv, "xreadgroup", 7); a.xreadgroup && err != nil {
		return nil, err
	}
	streamsArg := 0
	for i := 1; i < len(argv); i++ {
		more := len(argv) - i - 1
		o := argv[i]
		switch {
		case isOpt(o, "block") && more > 0:
			if fromScript {
				return nil, errorf("ERR ", argv[0], " command is not allowed with BLOCK option from scripts")
			}
			i++
			v, err := parseInt(argv[i], errTimeoutNotInt)
			if err != nil {
				return nil, err
			}
			if v < 0 {
				return nil, errTimeoutNeg
			}
			a.Block = v
		case isOpt(o, "count") && more > 0:
			i++
			v, err := parseInt(argv[i], nil)
			if err != nil {
				return nil, err
			}
			a.Count = max(v, 0)
		case isOpt(o, "streams") && more > 0:
			streamsArg = i + 1
			n := len(argv) - streamsArg
			if n%2 != 0 {
				return nil, errUnbalanced
			}
			a.Keys = argv[streamsArg : streamsArg+n/2]
			a.idArgs = argv[streamsArg+n/2:]
			i = len(argv)
		case isOpt(o, "group") && more >= 2:
			if !a.xreadgroup {
				return nil, errGroupInXRead
			}
			a.Group, a.Consumer = argv[i+1], argv[i+2]
			i += 2
		case isOpt(o, "noack"):
			if !a.xreadgroup {
				return nil, errNoAckInXRead
			}
			a.NoAck = true
		default:
			return nil, ErrSyntax
		}
	}
	if streamsArg == 0 {
		return nil, ErrSyntax
	}
	if a.xreadgroup && a.Group == nil {
		return nil, errMissingGroup
	}
	return a, nil
}

// Resolve looks each key up through lookup (which returns nil for a
// missing key and the WRONGTYPE error for another type), checks the group
// and resolves the IDs, key by key, so errors come in Redis's order.
func (a *XReadArgs) Resolve(lookup func(key []byte) (*Stream, error)) error {
	a.IDs = make([]ID, len(a.Keys))
	a.streams = make([]*Stream, len(a.Keys))
	if a.Group != nil {
		a.groups = make([]*Group, len(a.Keys))
	}
	for i, key := range a.Keys {
		s, err := lookup(key)
		if err != nil {
			return err
		}
		a.streams[i] = s
		if a.Group != nil {
			var g *Group
			if s != nil {
				g = s.Group(a.Group)
			}
			if g == nil {
				return errorf("NOGROUP No such key '", key, "' or consumer group '", a.Group, "' in XREADGROUP with GROUP option")
			}
			a.groups[i] = g
		}
		arg := a.idArgs[i]
		switch {
		case isCStr(arg, "$"):
			if a.xreadgroup {
				return errDollarInGroup
			}
			if s != nil {
				a.IDs[i] = s.lastID
			}
		case isCStr(arg, ">"):
			if !a.xreadgroup {
				return errGtInXRead
			}
			a.IDs[i] = MaxID
		default:
			id, err := ParseStrictID(arg)
			if err != nil {
				return err
			}
			a.IDs[i] = id
		}
	}
	return nil
}

// StreamEntries is one key's part of an XREAD reply.
type StreamEntries struct {
	Key     []byte
	Entries []Entry
}

// ReadReply is XREAD's reply: a null array when empty, otherwise per key
// [key, entries] in RESP2 and a map from key to entries in RESP3.
type ReadReply []StreamEntries

// WriteReply writes the reply.
func (r ReadReply) WriteReply(w ReplyWriter) {
	if len(r) == 0 {
		w.WriteNullArray()
		return
	}
	resp2 := w.Proto() == 2
	if resp2 {
		w.WriteArrayLen(len(r))
	} else {
		w.WriteMapLen(len(r))
	}
	for _, se := range r {
		if resp2 {
			w.WriteArrayLen(2)
		}
		w.WriteBulk(se.Key)
		EntriesReply(se.Entries).WriteReply(w)
	}
}

// XRead serves a resolved XREAD or XREADGROUP synchronously. An empty
// ReadReply means nothing could be served: the node then blocks the
// client if a.Block >= 0 (and blocking is allowed), on a.Keys after
// a.IDs, and otherwise writes the reply, a null array. Reading in a group
// creates the consumer, moves the group's last ID, fills the PELs (unless
// NOACK) and propagates XCLAIM and XGROUP commands; the XREADGROUP itself
// is never propagated.
func XRead(a *XReadArgs, nowMs int64) Result {
	var res Result
	var reply ReadReply
	for i, key := range a.Keys {
		s := a.streams[i]
		if s == nil {
			continue
		}
		gt := &a.IDs[i]
		serve, history := false, false
		if a.groups != nil {
			g := a.groups[i]
			if *gt != MaxID {
				serve, history = true, true
			} else if s.length > 0 && g.lastID.Less(s.lastValidID()) {
				serve = true
				*gt = g.lastID
			}
		} else if s.length > 0 && gt.Less(s.lastValidID()) {
			serve = true
		}
		if !serve {
			continue
		}
		start, _ := gt.Incr()
		var entries []Entry
		if a.groups != nil {
			g := a.groups[i]
			c := g.lookupOrCreateConsumer(a.Consumer, key, a.Group, nowMs, a.NoAck, &res.Effects)
			if history {
				entries = s.history(c, start, a.Count, nowMs)
			} else {
				entries = s.deliver(g, c, start, a.Count, a.NoAck, nowMs, key, a.Group, &res.Effects)
			}
			res.Dirty++
		} else {
			entries = s.Range(start, MaxID, a.Count, false)
		}
		reply = append(reply, StreamEntries{key, entries})
	}
	res.Reply = reply
	return res
}

// ServeBlocked serves a client blocked in XREAD or XREADGROUP on key,
// which was signalled ready, as serveClientsBlockedOnStreamKey does: in a
// group, *gt becomes the group's last delivered ID first. served is false
// when the client must keep waiting (always when s is nil); an error (the
// group is gone) also unblocks it. count is the client's BlockCount.
func ServeBlocked(s *Stream, key []byte, gt *ID, group, consumer []byte, noack bool, count, nowMs int64) (res Result, served bool, err error) {
	if s == nil {
		return res, false, nil
	}
	var g *Group
	if group != nil {
		if g = s.Group(group); g == nil {
			return res, true, ErrGroupGone
		}
		*gt = g.lastID
	}
	if !gt.Less(s.lastID) {
		return res, false, nil
	}
	start, _ := gt.Incr()
	var entries []Entry
	if g != nil {
		c := g.lookupOrCreateConsumer(consumer, key, group, nowMs, noack, &res.Effects)
		entries = s.deliver(g, c, start, count, noack, nowMs, key, group, &res.Effects)
	} else {
		entries = s.Range(start, MaxID, count, false)
	}
	res.Reply = ReadReply{{key, entries}}
	return res, true, nil
}

// deliver is streamReplyWithRange with a group: it returns the entries
// from start on (at most count unless 0), advancing the group's last ID
// and read counter, and, unless noack, adds each entry to the PELs
// (taking it from another consumer if the group already had it) and
// propagates it as an XCLAIM; with noack a moved last ID is propagated as
// XGROUP SETID.
func (s *Stream) deliver(g *Group, c *Consumer, start ID, count int64, noack bool, nowMs int64, key, groupName []byte, fx *Effects) []Entry {
	var out []Entry
	moved := false
	s.scan(start, MaxID, false, false, func(ni, i int) bool {
		e := &s.nodes[ni].entries[i]
		id := e.id
		if g.lastID.Less(id) {
			if g.entriesRead != invalidEntriesRead && !s.rangeHasTombstones(id, nil) {
				g.entriesRead++
			} else if s.entriesAdded != 0 {
				g.entriesRead = s.estimateDistance(id)
			}
			g.lastID = id
			if noack {
				moved = true
			}
		}
		out = append(out, Entry{id, e.fv})
		if !noack {
			p := &pending{deliveryTime: nowMs, deliveryCount: 1, consumer: c}
			if !g.pel.Insert(id, p) {
				p, _ = g.pel.Get(id)
				p.consumer.pel.Delete(id)
				p.consumer = c
				p.deliveryTime = nowMs
				p.deliveryCount = 1
			}
			c.pel.Set(id, p)
			fx.Propagate = append(fx.Propagate, xclaimCommand(key, groupName, idArg(id), p, g.lastID))
		}
		return count == 0 || int64(len(out)) < count
	})
	if moved {
		fx.Propagate = append(fx.Propagate, setIDCommand(key, groupName, g))
	}
	return out
}

// history is streamReplyWithRangeFromConsumerPEL: the consumer's pending
// entries from start on, each counted as delivered again, or with nil
// fields when the entry is no longer in the stream.
func (s *Stream) history(c *Consumer, start ID, count, nowMs int64) []Entry {
	out := []Entry{}
	for p := c.pel.Seek(start); count == 0 || int64(len(out)) < count; p = c.pel.Next(p) {
		id, nack, ok := c.pel.At(p)
		if !ok {
			break
		}
		if e := s.lookup(id); e != nil {
			out = append(out, Entry{id, e.fv})
			nack.deliveryTime = nowMs
			nack.deliveryCount++
		} else {
			out = append(out, Entry{ID: id})
		}
	}
	return out
}

// xclaimCommand is the XCLAIM that streamPropagateXCLAIM builds to give a
// pending entry to its consumer on replicas, idempotently.
func xclaimCommand(key, groupName, id []byte, p *pending, last ID) Command {
	return Command{
		[]byte("XCLAIM"), key, groupName, []byte(p.consumer.name), []byte("0"), id,
		[]byte("TIME"), formatInt(p.deliveryTime),
		[]byte("RETRYCOUNT"), formatInt(int64(p.deliveryCount)),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), idArg(last),
	}
}

// setIDCommand is streamPropagateGroupID's XGROUP SETID.
func setIDCommand(key, groupName []byte, g *Group) Command {
	return Command{
		[]byte("XGROUP"), []byte("SETID"), key, groupName, idArg(g.lastID),
		[]byte("ENTRIESREAD"), formatInt(g.entriesRead),
	}
}
