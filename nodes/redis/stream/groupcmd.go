package stream

// XGroupArgs is a parsed XGROUP.
type XGroupArgs struct {
	MkStream    bool
	EntriesRead int64 // -1 when not given
	argv        [][]byte
}

// XGroupHelp is the text of XGROUP HELP, after its first line.
var XGroupHelp = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

// helpReply is addReplyHelp: a header naming the command as typed, in
// upper case, the lines, and the HELP entry.
func helpReply(argv [][]byte, lines []string) StringsReply {
	out := make(StringsReply, 0, len(lines)+3)
	out = append(out, string(asciiUpper(cstr(argv[0])))+" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	out = append(out, lines...)
	return append(out, "HELP", "    Prints this help.")
}

// ParseXGroup parses the options of XGROUP CREATE (MKSTREAM, ENTRIESREAD)
// and XGROUP SETID (ENTRIESREAD). It runs before the key lookup, which
// happens only when argv has 4 or more elements.
func ParseXGroup(argv [][]byte) (*XGroupArgs, error) {
	if err := checkArity(argv, "xgroup", 2); err != nil {
		return nil, err
	}
	a := &XGroupArgs{EntriesRead: invalidEntriesRead, argv: argv}
	if len(argv) < 4 {
		return a, nil
	}
	create, setid := isOpt(argv[1], "create"), isOpt(argv[1], "setid")
	for i := 5; i < len(argv); {
		switch {
		case create && isOpt(argv[i], "mkstream"):
			a.MkStream = true
			i++
		case (create || setid) && isOpt(argv[i], "entriesread") && i+1 < len(argv):
			v, err := parseInt(argv[i+1], nil)
			if err != nil {
				return nil, err
			}
			if v < 0 && v != invalidEntriesRead {
				return nil, errEntriesRead
			}
			a.EntriesRead = v
			i += 2
		default:
			return nil, errSubcommand(argv)
		}
	}
	return a, nil
}

// XGroup runs a parsed XGROUP CREATE, SETID, DESTROY, CREATECONSUMER,
// DELCONSUMER or HELP. s is the stream at argv[2], nil when it is missing
// (or argv is shorter). CREATE with MKSTREAM on a missing key hands the
// new stream back in Result.Created.
func XGroup(s *Stream, a *XGroupArgs, nowMs int64) (Result, error) {
	argv := a.argv
	argc := len(argv)
	sub := argv[1]
	var g *Group
	if argc >= 4 && !a.MkStream {
		if s == nil {
			return Result{}, ErrKeyRequired
		}
		g = s.Group(argv[3])
		if g == nil && (isOpt(sub, "setid") || isOpt(sub, "createconsumer") || isOpt(sub, "delconsumer")) {
			return Result{}, errNoGroupForKey(argv[2], argv[3])
		}
	}
	var res Result
	switch {
	case argc == 2 && isOpt(sub, "help"):
		res.Reply = helpReply(argv, XGroupHelp)
	case isOpt(sub, "create") && argc >= 5 && argc <= 8:
		var id ID
		if isCStr(argv[4], "$") {
			if s != nil {
				id = s.lastID
			}
		} else {
			var err error
			if id, err = ParseStrictID(argv[4]); err != nil {
				return res, err
			}
		}
		if s == nil {
			s = New()
			res.Created = s
			res.Modified = argv[2]
		}
		if s.createGroup(argv[3], id, a.EntriesRead) == nil {
			return res, ErrBusyGroup
		}
		res.Reply = OKReply{}
		res.Dirty++
		res.event("xgroup-create", argv[2])
		res.Propagate = []Command{argv}
	case isOpt(sub, "setid") && (argc == 5 || argc == 7):
		var id ID
		if isCStr(argv[4], "$") {
			id = s.lastID
		} else {
			var err error
			if id, err = ParseID(argv[4], 0); err != nil {
				return res, err
			}
		}
		g.lastID = id
		g.entriesRead = a.EntriesRead
		res.Reply = OKReply{}
		res.Dirty++
		res.event("xgroup-setid", argv[2])
		res.Propagate = []Command{argv}
	case isOpt(sub, "destroy") && argc == 4:
		if g == nil {
			res.Reply = IntReply(0)
			break
		}
		s.groups.Delete(g.name)
		res.Reply = IntReply(1)
		res.Dirty++
		res.event("xgroup-destroy", argv[2])
		res.Ready = argv[2]
		res.Propagate = []Command{argv}
	case isOpt(sub, "createconsumer") && argc == 5:
		if g.createConsumer(argv[4], nowMs) == nil {
			res.Reply = IntReply(0)
			break
		}
		res.Reply = IntReply(1)
		res.Dirty++
		res.event("xgroup-createconsumer", argv[2])
		res.Propagate = []Command{argv}
	case isOpt(sub, "delconsumer") && argc == 5:
		c := g.consumer(argv[4], nowMs, false)
		if c == nil {
			res.Reply = IntReply(0)
			break
		}
		res.Reply = IntReply(c.pel.Len())
		g.deleteConsumer(c)
		res.Dirty++
		res.event("xgroup-delconsumer", argv[2])
		res.Propagate = []Command{argv}
	default:
		return res, errSubcommand(argv)
	}
	return res, nil
}

// XAck runs XACK key group id [id ...] on s, nil when the key is missing.
// A missing key or group replies 0 before the IDs are parsed.
func XAck(s *Stream, argv [][]byte) (Result, error) {
	if err := checkArity(argv, "xack", 4); err != nil {
		return Result{}, err
	}
	var g *Group
	if s != nil {
		g = s.Group(argv[2])
	}
	if g == nil {
		return Result{Reply: IntReply(0)}, nil
	}
	ids := make([]ID, 0, len(argv)-3)
	for _, arg := range argv[3:] {
		id, err := ParseStrictID(arg)
		if err != nil {
			return Result{}, err
		}
		ids = append(ids, id)
	}
	var res Result
	var acked int64
	for _, id := range ids {
		if g.ack(id) {
			acked++
		}
	}
	res.Reply = IntReply(acked)
	if acked > 0 {
		res.Dirty = acked
		res.Propagate = []Command{argv}
	}
	return res, nil
}

// XPendingArgs is a parsed XPENDING.
type XPendingArgs struct {
	Summary    bool // only key and group: the summary form
	MinIdle    int64
	Start, End ID
	Count      int64
	Consumer   []byte // nil when not given
	argv       [][]byte
}

// ParseXPending parses XPENDING key group [[IDLE ms] start end count
// [consumer]], before the key lookup.
func ParseXPending(argv [][]byte) (*XPendingArgs, error) {
	if err := checkArity(argv, "xpending", 3); err != nil {
		return nil, err
	}
	argc := len(argv)
	a := &XPendingArgs{Summary: argc == 3, argv: argv}
	if argc != 3 && (argc < 6 || argc > 9) {
		return nil, ErrSyntax
	}
	if argc < 6 {
		return a, nil
	}
	startIdx := 3
	if isOpt(argv[3], "idle") {
		v, err := parseInt(argv[4], nil)
		if err != nil {
			return nil, err
		}
		a.MinIdle = v
		if argc < 8 {
			return nil, ErrSyntax
		}
		startIdx += 2
	}
	v, err := parseInt(argv[startIdx+2], nil)
	if err != nil {
		return nil, err
	}
	a.Count = max(v, 0)
	if a.Start, err = parseRangeStart(argv[startIdx]); err != nil {
		return nil, err
	}
	if a.End, err = parseRangeEnd(argv[startIdx+1]); err != nil {
		return nil, err
	}
	if startIdx+3 < argc {
		a.Consumer = argv[startIdx+3]
	}
	return a, nil
}

// PendingSummary is the reply of XPENDING key group.
type PendingSummary struct {
	Count     int64
	Min, Max  ID
	Consumers []ConsumerPending // those with pending entries, by name
}

// ConsumerPending is a consumer's line in a PendingSummary.
type ConsumerPending struct {
	Name  string
	Count int64
}

// WriteReply writes the summary; the counts per consumer are bulk
// strings.
func (r PendingSummary) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(4)
	w.WriteInt(r.Count)
	if r.Count == 0 {
		w.WriteNull()
		w.WriteNull()
		w.WriteNullArray()
		return
	}
	writeID(w, r.Min)
	writeID(w, r.Max)
	w.WriteArrayLen(len(r.Consumers))
	for _, c := range r.Consumers {
		w.WriteArrayLen(2)
		w.WriteBulkString(c.Name)
		w.WriteBulk(formatInt(c.Count))
	}
}

// PendingEntry is a line of XPENDING's extended form.
type PendingEntry struct {
	ID            ID
	Consumer      string
	IdleMs        int64
	DeliveryCount int64
}

// PendingReply is XPENDING's extended form.
type PendingReply []PendingEntry

// WriteReply writes the entries.
func (r PendingReply) WriteReply(w ReplyWriter) {
	w.WriteArrayLen(len(r))
	for _, p := range r {
		w.WriteArrayLen(4)
		writeID(w, p.ID)
		w.WriteBulkString(p.Consumer)
		w.WriteInt(p.IdleMs)
		w.WriteInt(p.DeliveryCount)
	}
}

// XPending runs a parsed XPENDING on s, nil when the key is missing.
func XPending(s *Stream, a *XPendingArgs, nowMs int64) (Result, error) {
	var g *Group
	if s != nil {
		g = s.Group(a.argv[2])
	}
	if g == nil {
		return Result{}, errNoKeyOrGroup(a.argv[1], a.argv[2])
	}
	if a.Summary {
		r := PendingSummary{Count: int64(g.pel.Len())}
		if r.Count > 0 {
			r.Min, _, _ = g.pel.At(g.pel.First())
			r.Max, _, _ = g.pel.Last()
			g.consumers.All(func(name string, c *Consumer) bool {
				if c.pel.Len() > 0 {
					r.Consumers = append(r.Consumers, ConsumerPending{name, int64(c.pel.Len())})
				}
				return true
			})
		}
		return Result{Reply: r}, nil
	}
	pel := &g.pel
	if a.Consumer != nil {
		c := g.consumer(a.Consumer, nowMs, false)
		if c == nil {
			return Result{Reply: PendingReply{}}, nil
		}
		pel = &c.pel
	}
	out := PendingReply{}
	count := a.Count
	for p := pel.Seek(a.Start); count > 0; p = pel.Next(p) {
		id, nack, ok := pel.At(p)
		if !ok || a.End.Less(id) {
			break
		}
		if a.MinIdle != 0 && nowMs-nack.deliveryTime < a.MinIdle {
			continue
		}
		count--
		out = append(out, PendingEntry{id, nack.consumer.name, max(nowMs-nack.deliveryTime, 0), int64(nack.deliveryCount)})
	}
	return Result{Reply: out}, nil
}
