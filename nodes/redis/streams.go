package redis

import (
	"strconv"

	"github.com/redsim/redsim/nodes/redis/scripting"
	"github.com/redsim/redsim/nodes/redis/stream"
	"github.com/redsim/redsim/nodes/resp"
)

// The stream commands (src/t_stream.c): nodes/redis/stream parses them and
// works on the values; this file looks the keys up in Redis's order,
// stores what a command created, blocks XREAD and XREADGROUP, and applies
// the Effects the package hands back (dirty counter, WATCH, ready keys,
// propagation). A stream command never propagates its own argv: it
// propagates the Effects' list, wrapped in MULTI/EXEC when it holds more
// than one command, as 7.0's propagatePendingCommands does.
var streamCommands = []cmdSpec{
	{"xadd", -5, fw, xaddCommand, oneKey},
	{"xtrim", -4, fwn, xtrimCommand, oneKey},
	{"xdel", -3, fwn, xdelCommand, oneKey},
	{"xlen", 2, fr, xlenCommand, oneKey},
	{"xrange", -4, fr, xrangeCommand, oneKey},
	{"xrevrange", -4, fr, xrangeCommand, oneKey},
	{"xread", -4, fr | flagBlocking, xreadCommand, xreadKeys(1)},
	{"xreadgroup", -7, fwn | flagBlocking, xreadCommand, xreadKeys(4)},
	{"xgroup", -2, 0, nil, noKeys},
	{"xgroup|create", -5, fw, xgroupCommand, keyAt2},
	{"xgroup|createconsumer", 5, fw, xgroupCommand, keyAt2},
	{"xgroup|delconsumer", 5, fwn, xgroupCommand, keyAt2},
	{"xgroup|destroy", 4, fwn, xgroupCommand, keyAt2},
	{"xgroup|setid", -5, fwn, xgroupCommand, keyAt2},
	{"xgroup|help", 2, flagStale, xgroupCommand, noKeys},
	{"xinfo", -2, 0, nil, noKeys},
	{"xinfo|consumers", 4, fr, xinfoCommand, keyAt2},
	{"xinfo|groups", 3, fr, xinfoCommand, keyAt2},
	{"xinfo|stream", -3, fr, xinfoCommand, keyAt2},
	{"xinfo|help", 2, flagStale, xinfoCommand, noKeys},
	{"xack", -4, fwn, xackCommand, oneKey},
	{"xpending", -3, fr, xpendingCommand, oneKey},
	{"xclaim", -6, fwn, xclaimCommand, oneKey},
	{"xautoclaim", -6, fwn, xautoclaimCommand, oneKey},
	{"xsetid", -3, fw, xsetidCommand, oneKey},
}

// xreadKeys is XREAD's and XREADGROUP's key spec: the first half of the
// arguments after STREAMS, searched for from argument from, with
// xreadGetKeys as the getkeys proc.
func xreadKeys(from int) cmdKeys {
	return cmdKeys{
		specs: []keySpec{{keyword: "STREAMS", startFrom: from, lastKey: -1, keyStep: 1, limit: 2}},
		proc:  xreadGetKeys,
	}
}

// xreadGetKeys is xreadGetKeys: the keys after the first STREAMS that is
// not an option's argument; none when the rest cannot be key/ID pairs.
func xreadGetKeys(argv [][]byte) []int {
	streams := -1
scan:
	for i := 1; i < len(argv); i++ {
		switch {
		case cEqualFold(argv[i], "block"), cEqualFold(argv[i], "count"):
			i++
		case cEqualFold(argv[i], "group"):
			i += 2
		case cEqualFold(argv[i], "noack"):
		case cEqualFold(argv[i], "streams"):
			streams = i
			break scan
		default:
			break scan
		}
	}
	if streams < 0 {
		return nil
	}
	num := len(argv) - streams - 1
	if num == 0 || num%2 != 0 {
		return nil
	}
	pos := make([]int, 0, num/2)
	for i := streams + 1; i < len(argv)-num/2; i++ {
		pos = append(pos, i)
	}
	return pos
}

// streamConfig is the node's stream-node-max-bytes and -entries, read at
// each command as Redis reads the globals.
func (s *Server) streamConfig() stream.Config {
	return stream.Config{NodeMaxBytes: int64(s.cfg.StreamNodeMaxBytes), NodeMaxEntries: int64(s.cfg.StreamNodeMaxEntries)}
}

// lookupStream is lookupKeyWrite (or Read) plus the type check, as the
// stream package's lookup callbacks want it.
func (c *client) lookupStream(key []byte, write bool) (*stream.Stream, error) {
	var o *object
	if write {
		o = c.db.lookup(key)
	} else {
		o = c.db.lookupRead(key)
	}
	if o == nil {
		return nil, nil
	}
	if o.kind != kindStream {
		return nil, errWrongTypeErr
	}
	return o.stream, nil
}

// errWrongTypeErr is errWrongType as an error value.
var errWrongTypeErr = streamError(errWrongType)

type streamError string

func (e streamError) Error() string { return string(e) }

// streamReply writes a stream command's outcome: the error, or the reply,
// after storing a created stream at key and applying the effects.
func (c *client) streamReply(key []byte, res stream.Result, err error) {
	if res.Created != nil {
		c.db.add(string(key), &object{kind: kindStream, stream: res.Created})
	}
	c.s.applyStreamEffects(c, c.db, &res.Effects)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	if res.Reply != nil {
		res.Reply.WriteReply(c.w)
	}
}

// applyStreamEffects applies what a stream command did besides its reply,
// in the order Redis does: signal, notify, propagate.
func (s *Server) applyStreamEffects(c *client, d *db, fx *stream.Effects) {
	s.dirty += fx.Dirty
	if fx.Modified != nil {
		s.signalModified(d, string(fx.Modified))
	}
	if fx.Ready != nil {
		s.signalReady(d, string(fx.Ready))
	}
	for _, e := range fx.Events {
		s.notify(notifyStream, e.Name, e.Key, d.id)
	}
	if c != nil {
		c.noProp = true
	}
	s.propagateMany(d.id, fx.Propagate)
}

// propagateMany propagates the commands that stand for one command, in a
// MULTI/EXEC of their own when there is more than one and no EXEC or
// script already wraps them.
func (s *Server) propagateMany(db int, cmds []stream.Command) {
	if len(cmds) == 0 || s.loading {
		return
	}
	if len(cmds) == 1 || s.execDepth > 0 {
		for _, cmd := range cmds {
			s.propagate(db, cmd)
		}
		return
	}
	s.emit(heldProp{db: -1, repl: multiArgs, aof: multiArgs, target: scripting.ReplAll})
	for _, cmd := range cmds {
		s.propagateRaw(db, cmd)
	}
	s.emit(heldProp{db: -1, repl: execArgs, aof: execArgs, target: scripting.ReplAll})
}

// parseFirst runs the commands that parse their arguments before they
// look their key up (Redis's order, which decides which error comes).
func parseFirst[A any](write bool, parse func(c *client, args [][]byte) (A, error), run func(c *client, s *stream.Stream, a A) (stream.Result, error)) func(*client, [][]byte) {
	return func(c *client, args [][]byte) {
		a, err := parse(c, args)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		s, err := c.lookupStream(args[1], write)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		res, err := run(c, s, a)
		c.streamReply(args[1], res, err)
	}
}

var (
	xaddCommand = parseFirst(true, func(c *client, args [][]byte) (*stream.XAddArgs, error) {
		return stream.ParseXAdd(args, c.s.streamConfig(), c.mustObey())
	}, func(c *client, s *stream.Stream, a *stream.XAddArgs) (stream.Result, error) {
		return stream.XAdd(s, a, c.s.nowMs(), c.s.streamConfig())
	})
	xtrimCommand = parseFirst(true, func(c *client, args [][]byte) (*stream.XTrimArgs, error) {
		return stream.ParseXTrim(args, c.s.streamConfig(), c.mustObey())
	}, func(_ *client, s *stream.Stream, a *stream.XTrimArgs) (stream.Result, error) {
		return stream.XTrim(s, a), nil
	})
	xrangeCommand = parseFirst(false, func(_ *client, args [][]byte) (*stream.XRangeArgs, error) {
		return stream.ParseXRange(args, len(args[0]) == len("xrevrange"))
	}, func(_ *client, s *stream.Stream, a *stream.XRangeArgs) (stream.Result, error) {
		return stream.XRange(s, a), nil
	})
	xpendingCommand = parseFirst(false, func(_ *client, args [][]byte) (*stream.XPendingArgs, error) {
		return stream.ParseXPending(args)
	}, func(c *client, s *stream.Stream, a *stream.XPendingArgs) (stream.Result, error) {
		return stream.XPending(s, a, c.s.nowMs())
	})
	xautoclaimCommand = parseFirst(true, func(_ *client, args [][]byte) (*stream.XAutoClaimArgs, error) {
		return stream.ParseXAutoClaim(args)
	}, func(c *client, s *stream.Stream, a *stream.XAutoClaimArgs) (stream.Result, error) {
		return stream.XAutoClaim(s, a, c.s.nowMs())
	})
	xsetidCommand = parseFirst(true, func(_ *client, args [][]byte) (*stream.XSetIDArgs, error) {
		return stream.ParseXSetID(args)
	}, func(_ *client, s *stream.Stream, a *stream.XSetIDArgs) (stream.Result, error) {
		return stream.XSetID(s, a)
	})
)

// lookupFirst runs the commands that look their key up before parsing.
func lookupFirst(write bool, run func(c *client, s *stream.Stream, args [][]byte) (stream.Result, error)) func(*client, [][]byte) {
	return func(c *client, args [][]byte) {
		s, err := c.lookupStream(args[1], write)
		if err != nil {
			c.w.WriteError(err.Error())
			return
		}
		res, err := run(c, s, args)
		c.streamReply(args[1], res, err)
	}
}

var (
	xlenCommand = lookupFirst(false, func(_ *client, s *stream.Stream, _ [][]byte) (stream.Result, error) {
		return stream.XLen(s), nil
	})
	xdelCommand = lookupFirst(true, func(_ *client, s *stream.Stream, args [][]byte) (stream.Result, error) {
		return stream.XDel(s, args)
	})
	xackCommand = lookupFirst(true, func(_ *client, s *stream.Stream, args [][]byte) (stream.Result, error) {
		return stream.XAck(s, args)
	})
	xclaimCommand = lookupFirst(true, func(c *client, s *stream.Stream, args [][]byte) (stream.Result, error) {
		return stream.XClaim(s, args, c.s.nowMs())
	})
)

func xgroupCommand(c *client, args [][]byte) {
	a, err := stream.ParseXGroup(args)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	var s *stream.Stream
	var key []byte
	if len(args) >= 4 {
		key = args[2]
		if s, err = c.lookupStream(key, true); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	}
	res, err := stream.XGroup(s, a, c.s.nowMs())
	c.streamReply(key, res, err)
}

func xinfoCommand(c *client, args [][]byte) {
	var s *stream.Stream
	if len(args) >= 3 {
		var err error
		if s, err = c.lookupStream(args[2], false); err != nil {
			c.w.WriteError(err.Error())
			return
		}
	}
	res, err := stream.XInfo(s, args, c.s.nowMs())
	c.streamReply(nil, res, err)
}

// xreadCommand is XREAD and XREADGROUP: serve what is there, or block
// for entries after the resolved IDs.
func xreadCommand(c *client, args [][]byte) {
	fromScript := c.isFake && c.s.inScript
	a, err := stream.ParseXRead(args, fromScript)
	if err != nil {
		c.w.WriteError(err.Error())
		return
	}
	write := a.Group != nil
	if err := a.Resolve(func(key []byte) (*stream.Stream, error) { return c.lookupStream(key, write) }); err != nil {
		c.w.WriteError(err.Error())
		return
	}
	res := stream.XRead(a, c.s.nowMs())
	c.s.applyStreamEffects(c, c.db, &res.Effects)
	if r := res.Reply.(stream.ReadReply); len(r) > 0 || a.Block < 0 {
		if len(r) == 0 {
			c.w.WriteNullArray()
			return
		}
		r.WriteReply(c.w)
		return
	}
	if c.deniedBlocking {
		c.w.WriteNullArray()
		return
	}
	b := &blockState{db: c.db, keys: stringsOf(a.Keys), stream: &streamBlock{
		ids: append([]stream.ID(nil), a.IDs...), count: a.BlockCount(), noack: a.NoAck,
	}}
	if a.Group != nil {
		b.stream.group = append([]byte(nil), a.Group...)
		b.stream.consumer = append([]byte(nil), a.Consumer...)
	}
	c.block(b, a.Block)
}

// streamBlock is what a client blocked in XREAD or XREADGROUP waits for
// (bpop's stream fields): entries after ids[i] on keys[i].
type streamBlock struct {
	ids             []stream.ID
	count           int64
	group, consumer []byte // nil for XREAD
	noack           bool
}

// serveBlockedStream is serveClientsBlockedOnStreamKey for one client:
// served (and unblocked) when the stream has entries after the ID it
// waits for, or when its group is gone.
func (s *Server) serveBlockedStream(c *client, d *db, key string, o *object) {
	b := c.blocked
	sb := b.stream
	i := 0
	for j, k := range b.keys {
		if k == key {
			i = j
			break
		}
	}
	res, served, err := stream.ServeBlocked(o.stream, []byte(key), &sb.ids[i], sb.group, sb.consumer, sb.noack, sb.count, s.nowMs())
	if !served {
		return
	}
	c.unblock(false)
	s.applyStreamEffects(nil, d, &res.Effects)
	if err != nil {
		c.w.WriteError(err.Error())
	} else {
		res.Reply.WriteReply(c.w)
	}
	c.markPending()
}

// unblockDeletedStreamGroupReaders is unblockDeletedStreamReadgroupClients:
// the XREADGROUP clients blocked on a key that is no longer a stream get
// an error, since their group cannot come back.
func (s *Server) unblockDeletedStreamGroupReaders(dk dbKey) {
	for _, c := range append([]*client(nil), s.blocking[dk]...) {
		b := c.blocked
		if b == nil || b.stream == nil || b.stream.group == nil {
			continue
		}
		c.unblock(false)
		c.w.WriteError("UNBLOCKED the stream key no longer exists")
		c.markPending()
		c.processInput()
	}
}

// streamDeleted is the signalKeyAsReady that dbGenericDelete and
// dbOverwrite send when a stream leaves a key, so that XREADGROUP clients
// blocked on it are told.
func (s *Server) streamDeleted(d *db, key string, old *object) {
	if old != nil && old.kind == kindStream {
		s.signalReady(d, key)
	}
}

// appendStreamCommands is rewriteStreamObject: XADDs of the live entries
// (or an XADD MAXLEN 0 for an empty stream), XSETID with the stream's
// counters, then per group an XGROUP CREATE and, per consumer, its pending
// entries as XCLAIMs or an XGROUP CREATECONSUMER.
func appendStreamCommands(buf []byte, k []byte, st *stream.Stream) []byte {
	info := streamFullInfo(st)
	if st.Len() > 0 {
		for _, e := range info.Entries {
			args := [][]byte{[]byte("XADD"), k, e.ID.Append(nil)}
			args = append(args, e.Fields...)
			buf = resp.AppendCommand(buf, args...)
		}
	} else {
		buf = resp.AppendCommand(buf, []byte("XADD"), k, []byte("MAXLEN"), []byte("0"), []byte("0-1"), []byte("x"), []byte("y"))
	}
	buf = resp.AppendCommand(buf, []byte("XSETID"), k, st.LastID().Append(nil),
		[]byte("ENTRIESADDED"), strconv.AppendInt(nil, st.EntriesAdded(), 10),
		[]byte("MAXDELETEDID"), st.MaxDeletedID().Append(nil))
	for _, g := range info.FullGroups {
		read := g.EntriesRead
		if g.EntriesReadNil {
			read = -1 // SCG_INVALID_ENTRIES_READ, written as it is
		}
		buf = resp.AppendCommand(buf, []byte("XGROUP"), []byte("CREATE"), k, []byte(g.Name),
			g.LastDeliveredID.Append(nil), []byte("ENTRIESREAD"), strconv.AppendInt(nil, read, 10))
		for _, cons := range g.Consumers {
			if len(cons.PEL) == 0 {
				buf = resp.AppendCommand(buf, []byte("XGROUP"), []byte("CREATECONSUMER"), k, []byte(g.Name), []byte(cons.Name))
				continue
			}
			for _, p := range cons.PEL {
				buf = resp.AppendCommand(buf, []byte("XCLAIM"), k, []byte(g.Name), []byte(cons.Name), []byte("0"), p.ID.Append(nil),
					[]byte("TIME"), strconv.AppendInt(nil, p.DeliveryTimeMs, 10),
					[]byte("RETRYCOUNT"), strconv.AppendInt(nil, p.DeliveryCount, 10),
					[]byte("JUSTID"), []byte("FORCE"))
			}
		}
	}
	return buf
}

// streamFullInfo is XINFO STREAM key FULL COUNT 0: every entry, group,
// consumer and pending entry.
func streamFullInfo(st *stream.Stream) stream.StreamInfo {
	argv := [][]byte{[]byte("XINFO"), []byte("STREAM"), []byte("k"), []byte("FULL"), []byte("COUNT"), []byte("0")}
	res, err := stream.XInfo(st, argv, 0)
	if err != nil {
		panic("streams: XINFO STREAM FULL of a stored stream failed: " + err.Error())
	}
	return res.Reply.(stream.StreamInfo)
}
