package stream

import "math"

// claimed records one claimed entry in an XCLAIM or XAUTOCLAIM reply.
type claimed struct {
	justID  bool
	ids     IDsReply
	entries EntriesReply
}

func (c *claimed) add(s *Stream, id ID) {
	if c.justID {
		c.ids = append(c.ids, id)
		return
	}
	c.entries = append(c.entries, Entry{id, s.lookup(id).fv})
}

func (c *claimed) reply() Reply {
	if c.justID {
		if c.ids == nil {
			return IDsReply{}
		}
		return c.ids
	}
	if c.entries == nil {
		return EntriesReply{}
	}
	return c.entries
}

// give moves the pending entry p (at id) to consumer c, as XCLAIM and
// XAUTOCLAIM do; p.consumer is nil for an entry that FORCE just created.
func give(p *pending, id ID, c *Consumer) {
	if p.consumer != c {
		if p.consumer != nil {
			p.consumer.pel.Delete(id)
		}
		c.pel.Set(id, p)
		p.consumer = c
	}
}

// XClaim runs XCLAIM key group consumer min-idle-time id [id ...] [IDLE
// ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] on s, nil when
// the key is missing. The group is checked first, then the arguments: the
// IDs run up to the first argument that is not one, options follow. Each
// claim, and each pending entry dropped because its entry was deleted, is
// propagated as an XCLAIM; a LASTID that moved the group with nothing
// claimed is propagated as XGROUP SETID.
func XClaim(s *Stream, argv [][]byte, nowMs int64) (Result, error) {
	if err := checkArity(argv, "xclaim", 6); err != nil {
		return Result{}, err
	}
	var g *Group
	if s != nil {
		g = s.Group(argv[2])
	}
	if g == nil {
		return Result{}, errNoKeyOrGroup(argv[1], argv[2])
	}
	minIdle, err := parseInt(argv[4], errClaimMinIdle)
	if err != nil {
		return Result{}, err
	}
	minIdle = max(minIdle, 0)
	j := 5
	ids := make([]ID, 0, len(argv)-5)
	for ; j < len(argv); j++ {
		id, err := ParseStrictID(argv[j])
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	deliveryTime, retryCount := int64(-1), int64(-1)
	force, justID := false, false
	var lastID ID
	for ; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		switch {
		case isOpt(opt, "force"):
			force = true
		case isOpt(opt, "justid"):
			justID = true
		case isOpt(opt, "idle") && more > 0:
			j++
			v, err := parseInt(argv[j], errClaimIdle)
			if err != nil {
				return Result{}, err
			}
			deliveryTime = nowMs - v
		case isOpt(opt, "time") && more > 0:
			j++
			if deliveryTime, err = parseInt(argv[j], errClaimTime); err != nil {
				return Result{}, err
			}
		case isOpt(opt, "retrycount") && more > 0:
			j++
			if retryCount, err = parseInt(argv[j], errClaimRetry); err != nil {
				return Result{}, err
			}
		case isOpt(opt, "lastid") && more > 0:
			j++
			if lastID, err = ParseStrictID(argv[j]); err != nil {
				return Result{}, err
			}
		default:
			return Result{}, errorf("ERR Unrecognized XCLAIM option '", opt, "'")
		}
	}

	var res Result
	propagateLastID := false
	if g.lastID.Less(lastID) {
		g.lastID = lastID
		propagateLastID = true
	}
	// Not given (-1), or bogus: now, as Redis prefers to an error.
	if deliveryTime < 0 || deliveryTime > nowMs {
		deliveryTime = nowMs
	}
	key, groupName := argv[1], argv[2]
	var c *Consumer
	out := claimed{justID: justID}
	for k, id := range ids {
		idArg := argv[5+k]
		p, found := g.pel.Get(id)
		if s.lookup(id) == nil {
			if found {
				res.Propagate = append(res.Propagate, xclaimCommand(key, groupName, idArg, p, g.lastID))
				propagateLastID = false
				res.Dirty++
				g.ack(id)
			}
			continue
		}
		if force && !found {
			p = &pending{deliveryTime: nowMs, deliveryCount: 1}
			g.pel.Set(id, p)
			found = true
		}
		if !found {
			continue
		}
		if p.consumer != nil && minIdle != 0 && nowMs-p.deliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = g.lookupOrCreateConsumer(argv[3], key, groupName, nowMs, false, &res.Effects)
		}
		p.deliveryTime = deliveryTime
		if retryCount >= 0 {
			p.deliveryCount = uint64(retryCount)
		} else if !justID {
			p.deliveryCount++
		}
		give(p, id, c)
		out.add(s, id)
		res.Propagate = append(res.Propagate, xclaimCommand(key, groupName, idArg, p, g.lastID))
		propagateLastID = false
		res.Dirty++
	}
	if propagateLastID {
		res.Propagate = append(res.Propagate, setIDCommand(key, groupName, g))
		res.Dirty++
	}
	res.Reply = out.reply()
	return res, nil
}

// XAutoClaimArgs is a parsed XAUTOCLAIM.
type XAutoClaimArgs struct {
	MinIdle int64
	Start   ID
	Count   int64 // 100 when not given
	JustID  bool
	argv    [][]byte
}

// ParseXAutoClaim parses XAUTOCLAIM key group consumer min-idle-time start
// [COUNT n] [JUSTID], before the key lookup.
func ParseXAutoClaim(argv [][]byte) (*XAutoClaimArgs, error) {
	if err := checkArity(argv, "xautoclaim", 6); err != nil {
		return nil, err
	}
	a := &XAutoClaimArgs{Count: 100, argv: argv}
	v, err := parseInt(argv[4], errAutoMinIdle)
	if err != nil {
		return nil, err
	}
	a.MinIdle = max(v, 0)
	if a.Start, err = parseRangeStart(argv[5]); err != nil {
		return nil, err
	}
	for j := 6; j < len(argv); j++ {
		more := len(argv) - 1 - j
		switch {
		case isOpt(argv[j], "count") && more > 0:
			v, err := parseInt(argv[j+1], errAutoCount)
			if err != nil {
				return nil, err
			}
			if v < 1 || v > math.MaxInt64/16 {
				return nil, errAutoCount
			}
			a.Count = v
			j++
		case isOpt(argv[j], "justid"):
			a.JustID = true
		default:
			return nil, ErrSyntax
		}
	}
	return a, nil
}

// AutoClaimReply is XAUTOCLAIM's reply: the cursor for the next call
// (0-0 when the PEL was scanned to its end), the claimed entries or IDs,
// and the IDs of pending entries dropped because they were deleted from
// the stream.
type AutoClaimReply struct {
	Cursor  ID
	Claimed Reply
	Deleted []ID
}

// WriteReply writes the three parts.
func (r AutoClaimReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(3)
	writeID(w, r.Cursor)
	r.Claimed.WriteReply(w)
	IDsReply(r.Deleted).WriteReply(w)
}

// XAutoClaim runs a parsed XAUTOCLAIM on s, nil when the key is missing.
// It examines at most 10×COUNT pending entries from Start and claims at
// most COUNT, dropped entries counting toward COUNT; each is propagated as
// an XCLAIM.
func XAutoClaim(s *Stream, a *XAutoClaimArgs, nowMs int64) (Result, error) {
	var g *Group
	if s != nil {
		g = s.Group(a.argv[2])
	}
	if g == nil {
		return Result{}, errNoKeyOrGroup(a.argv[1], a.argv[2])
	}
	key, groupName := a.argv[1], a.argv[2]
	var res Result
	var c *Consumer
	out := claimed{justID: a.JustID}
	deleted := []ID{}
	count, attempts := a.Count, a.Count*10
	p := g.pel.Seek(a.Start)
	for attempts > 0 && count > 0 {
		attempts--
		id, nack, ok := g.pel.At(p)
		if !ok {
			break
		}
		if s.lookup(id) == nil {
			res.Propagate = append(res.Propagate, xclaimCommand(key, groupName, idArg(id), nack, g.lastID))
			res.Dirty++
			g.ack(id)
			deleted = append(deleted, id)
			p = g.pel.Seek(id)
			count--
			continue
		}
		p = g.pel.Next(p)
		if a.MinIdle != 0 && nowMs-nack.deliveryTime < a.MinIdle {
			continue
		}
		if c == nil {
			c = g.lookupOrCreateConsumer(a.argv[3], key, groupName, nowMs, false, &res.Effects)
		}
		nack.deliveryTime = nowMs
		if !a.JustID {
			nack.deliveryCount++
		}
		give(nack, id, c)
		out.add(s, id)
		count--
		res.Propagate = append(res.Propagate, xclaimCommand(key, groupName, idArg(id), nack, g.lastID))
		res.Dirty++
	}
	cursor, _, _ := g.pel.At(p)
	res.Reply = AutoClaimReply{Cursor: cursor, Claimed: out.reply(), Deleted: deleted}
	return res, nil
}
