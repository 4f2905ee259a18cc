package stream

import "math"

// XAddArgs is a parsed XADD.
type XAddArgs struct {
	Trim       TrimArgs
	ID         ID   // the given ID, when IDGiven
	IDGiven    bool // an ID other than "*"
	SeqGiven   bool // false for "ms-*"
	NoMkStream bool

	argv  [][]byte
	idPos int
}

// XTrimArgs is a parsed XTRIM.
type XTrimArgs struct {
	Trim TrimArgs
	argv [][]byte
}

// parseAddOrTrim is streamParseAddOrTrimArgsOrReply: the options of XADD
// (up to the ID, whose index it returns) or of XTRIM. mustObey is true for
// commands from the master or the AOF, which trim without LIMIT.
func parseAddOrTrim(argv [][]byte, xadd bool, cfg Config, mustObey bool, add *XAddArgs) (TrimArgs, int, error) {
	var t TrimArgs
	limitGiven := false
	i := 2
	for ; i < len(argv); i++ {
		more := len(argv) - 1 - i
		opt := argv[i]
		switch {
		case xadd && isCStr(opt, "*"):
			return finishTrimArgs(t, i, xadd, cfg, mustObey, limitGiven)
		case isOpt(opt, "maxlen") && more > 0, isOpt(opt, "minid") && more > 0:
			if t.Strategy != TrimNone {
				return t, 0, errMaxLenAndMinID
			}
			t.Approx = false
			if next := argv[i+1]; more >= 2 && isCStr(next, "~") {
				t.Approx = true
				i++
			} else if more >= 2 && isCStr(next, "=") {
				i++
			}
			if isOpt(opt, "maxlen") {
				v, err := parseInt(argv[i+1], nil)
				if err != nil {
					return t, 0, err
				}
				if v < 0 {
					return t, 0, errMaxLenNegative
				}
				t.MaxLen, t.Strategy = v, TrimMaxLen
			} else {
				id, err := ParseStrictID(argv[i+1])
				if err != nil {
					return t, 0, err
				}
				t.MinID, t.Strategy = id, TrimMinID
			}
			i++
			t.argIdx = i
		case isOpt(opt, "limit") && more > 0:
			v, err := parseInt(argv[i+1], nil)
			if err != nil {
				return t, 0, err
			}
			if v < 0 {
				return t, 0, errLimitNegative
			}
			t.Limit = v
			limitGiven = true
			i++
		case xadd && isOpt(opt, "nomkstream"):
			add.NoMkStream = true
		case xadd:
			id, seqGiven, ok := parseID(opt, 0, true, true)
			if !ok {
				return t, 0, ErrInvalidID
			}
			add.ID, add.IDGiven, add.SeqGiven = id, true, seqGiven
			return finishTrimArgs(t, i, xadd, cfg, mustObey, limitGiven)
		default:
			return t, 0, ErrSyntax
		}
	}
	return finishTrimArgs(t, i, xadd, cfg, mustObey, limitGiven)
}

func finishTrimArgs(t TrimArgs, i int, xadd bool, cfg Config, mustObey, limitGiven bool) (TrimArgs, int, error) {
	if t.Limit != 0 && t.Strategy == TrimNone {
		return t, 0, errLimitNoTrim
	}
	if !xadd && t.Strategy == TrimNone {
		return t, 0, errXTrimNoTrim
	}
	switch {
	case mustObey:
		t.Limit = 0
	case limitGiven:
		if !t.Approx {
			return t, 0, errLimitNoApprox
		}
	case t.Approx:
		t.Limit = 100 * cfg.NodeMaxEntries // at most 100 nodes' worth
		if t.Limit <= 0 {
			t.Limit = 10000
		}
		if t.Limit > 1000000 {
			t.Limit = 1000000
		}
	default:
		t.Limit = 0
	}
	return t, i, nil
}

// ParseXAdd parses XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold
// [LIMIT count]] *|id field value [field value ...]. It runs before the
// key lookup, as in Redis, so its errors come first. mustObey is true for
// commands from the master or the AOF.
func ParseXAdd(argv [][]byte, cfg Config, mustObey bool) (*XAddArgs, error) {
	if err := checkArity(argv, "xadd", 5); err != nil {
		return nil, err
	}
	a := &XAddArgs{argv: argv}
	t, idPos, err := parseAddOrTrim(argv, true, cfg, mustObey, a)
	if err != nil {
		return nil, err
	}
	a.Trim, a.idPos = t, idPos
	if n := len(argv) - (idPos + 1); n < 2 || n%2 == 1 {
		return nil, errXAddArity
	}
	if a.IDGiven && a.SeqGiven && a.ID.IsZero() {
		return nil, ErrIDZero
	}
	return a, nil
}

// XAdd runs a parsed XADD on s, nil when the key is missing: then the
// reply is a null with NOMKSTREAM, and otherwise a new stream is created
// and handed back in Result.Created (even with an error, as Redis keeps the
// empty key). nowMs is the wall clock for "*". The propagated XADD carries
// the ID that was used and, after an approximate trim, "=" and the
// resulting threshold.
func XAdd(s *Stream, a *XAddArgs, nowMs int64, cfg Config) (Result, error) {
	var res Result
	if s == nil {
		if a.NoMkStream {
			res.Reply = NullReply{}
			return res, nil
		}
		s = New()
		res.Created = s
	}
	if s.lastID == MaxID {
		return res, ErrExhausted
	}
	var id ID
	switch {
	case !a.IDGiven:
		id = NextID(s.lastID, nowMs)
	case a.SeqGiven:
		id = a.ID
	case s.lastID.Ms == a.ID.Ms:
		if s.lastID.Seq == math.MaxUint64 {
			// streamAppendItem fails here without setting errno to
			// EDOM, so XADD reports the other failure.
			return res, ErrTooLarge
		}
		id = ID{s.lastID.Ms, s.lastID.Seq + 1}
	default:
		id = a.ID
	}
	if !s.lastID.Less(id) {
		return res, ErrIDTooSmall
	}
	fv := a.argv[a.idPos+1:]
	if fieldsSize(fv) > listpackMaxSize {
		return res, ErrTooLarge
	}
	s.append(fv, id, cfg)
	key := a.argv[1]
	res.Reply = IDReply(id)
	res.Modified = key
	res.event("xadd", key)
	res.Dirty++

	prop := Command(append([][]byte(nil), a.argv...))
	if a.Trim.Strategy != TrimNone {
		if s.Trim(a.Trim) > 0 {
			res.event("xtrim", key)
		}
		if a.Trim.Approx {
			s.rewriteTrim(prop, a.Trim)
		}
	}
	if !a.IDGiven || !a.SeqGiven {
		prop[a.idPos] = idArg(id)
	}
	res.Ready = key
	res.Propagate = []Command{prop}
	return res, nil
}

// rewriteTrim turns "~ threshold" into "= threshold-reached" so that
// replicas and the AOF trim exactly as this trim did
// (streamRewriteApproxSpecifier, streamRewriteTrimArgument). After MINID
// the threshold is the first entry, deleted or not, or MaxID when there
// is none.
func (s *Stream) rewriteTrim(argv Command, t TrimArgs) {
	argv[t.argIdx-1] = []byte("=")
	if t.Strategy == TrimMaxLen {
		argv[t.argIdx] = formatInt(s.length)
	} else {
		argv[t.argIdx] = idArg(s.edgeID(true, false))
	}
}

// ParseXTrim parses XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count],
// before the key lookup.
func ParseXTrim(argv [][]byte, cfg Config, mustObey bool) (*XTrimArgs, error) {
	if err := checkArity(argv, "xtrim", 4); err != nil {
		return nil, err
	}
	t, _, err := parseAddOrTrim(argv, false, cfg, mustObey, nil)
	if err != nil {
		return nil, err
	}
	return &XTrimArgs{Trim: t, argv: argv}, nil
}

// XTrim runs a parsed XTRIM on s (nil when the key is missing) and
// replies with the number of entries removed.
func XTrim(s *Stream, a *XTrimArgs) Result {
	if s == nil {
		return Result{Reply: IntReply(0)}
	}
	deleted := s.Trim(a.Trim)
	res := Result{Reply: IntReply(deleted)}
	if deleted > 0 {
		key := a.argv[1]
		res.event("xtrim", key)
		prop := Command(append([][]byte(nil), a.argv...))
		if a.Trim.Approx {
			s.rewriteTrim(prop, a.Trim)
		}
		res.Modified = key
		res.Dirty += deleted
		res.Propagate = []Command{prop}
	}
	return res
}

// XDel runs XDEL key id [id ...] on s, nil when the key is missing (the
// reply is then 0 whatever the IDs). Every ID is parsed before any
// deletion.
func XDel(s *Stream, argv [][]byte) (Result, error) {
	if err := checkArity(argv, "xdel", 3); err != nil {
		return Result{}, err
	}
	if s == nil {
		return Result{Reply: IntReply(0)}, nil
	}
	ids := make([]ID, 0, len(argv)-2)
	for _, arg := range argv[2:] {
		id, err := ParseStrictID(arg)
		if err != nil {
			return Result{}, err
		}
		ids = append(ids, id)
	}
	var deleted int64
	firstDeleted := false
	for _, id := range ids {
		if s.remove(id) {
			if id == s.firstID {
				firstDeleted = true
			}
			if s.maxDeletedID.Less(id) {
				s.maxDeletedID = id
			}
			deleted++
		}
	}
	res := Result{Reply: IntReply(deleted)}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = ID{}
		} else if firstDeleted {
			s.firstID = s.edgeID(true, true)
		}
		key := argv[1]
		res.Modified = key
		res.event("xdel", key)
		res.Dirty += deleted
		res.Propagate = []Command{argv}
	}
	return res, nil
}

// XLen is XLEN's reply for s, nil when the key is missing.
func XLen(s *Stream) Result {
	if s == nil {
		return Result{Reply: IntReply(0)}
	}
	return Result{Reply: IntReply(s.length)}
}

// XSetIDArgs is a parsed XSETID.
type XSetIDArgs struct {
	ID           ID
	EntriesAdded int64 // -1 when not given
	MaxDeletedID ID    // 0-0 when not given
	argv         [][]byte
}

// ParseXSetID parses XSETID key id [ENTRIESADDED n] [MAXDELETEDID id],
// before the key lookup.
func ParseXSetID(argv [][]byte) (*XSetIDArgs, error) {
	if err := checkArity(argv, "xsetid", 3); err != nil {
		return nil, err
	}
	id, err := ParseStrictID(argv[2])
	if err != nil {
		return nil, err
	}
	a := &XSetIDArgs{ID: id, EntriesAdded: -1, argv: argv}
	for i := 3; i < len(argv); i += 2 {
		more := len(argv) - 1 - i
		switch {
		case isOpt(argv[i], "entriesadded") && more > 0:
			v, err := parseInt(argv[i+1], nil)
			if err != nil {
				return nil, err
			}
			if v < 0 {
				return nil, errEntriesAdded
			}
			a.EntriesAdded = v
		case isOpt(argv[i], "maxdeletedid") && more > 0:
			v, err := ParseStrictID(argv[i+1])
			if err != nil {
				return nil, err
			}
			if a.ID.Less(v) {
				return nil, errSetIDMaxDel
			}
			a.MaxDeletedID = v
		default:
			return nil, ErrSyntax
		}
	}
	return a, nil
}

// XSetID runs a parsed XSETID on s, nil when the key is missing.
func XSetID(s *Stream, a *XSetIDArgs) (Result, error) {
	if s == nil {
		return Result{}, ErrNoSuchKey
	}
	if s.length > 0 {
		if a.ID.Less(s.lastValidID()) {
			return Result{}, errSetIDTop
		}
		if a.EntriesAdded != -1 && s.length > a.EntriesAdded {
			return Result{}, errSetIDLength
		}
	}
	s.lastID = a.ID
	if a.EntriesAdded != -1 {
		s.entriesAdded = a.EntriesAdded
	}
	if !a.MaxDeletedID.IsZero() {
		s.maxDeletedID = a.MaxDeletedID
	}
	res := Result{Reply: OKReply{}}
	res.Dirty++
	res.event("xsetid", a.argv[1])
	res.Propagate = []Command{a.argv}
	return res, nil
}
