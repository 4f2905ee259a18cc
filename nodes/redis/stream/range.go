package stream

// XRangeArgs is a parsed XRANGE or XREVRANGE.
type XRangeArgs struct {
	Start, End ID
	Count      int64 // -1 when not given
	Rev        bool
}

// ParseXRange parses XRANGE key start end [COUNT n], or XREVRANGE key end
// start [COUNT n] when rev, before the key lookup. An incomplete start
// gets sequence 0 and an incomplete end the greatest sequence; "(" makes a
// bound exclusive.
func ParseXRange(argv [][]byte, rev bool) (*XRangeArgs, error) {
	name := "xrange"
	if rev {
		name = "xrevrange"
	}
	if err := checkArity(argv, name, 4); err != nil {
		return nil, err
	}
	startArg, endArg := argv[2], argv[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	a := &XRangeArgs{Count: -1, Rev: rev}
	var err error
	if a.Start, err = parseRangeStart(startArg); err != nil {
		return nil, err
	}
	if a.End, err = parseRangeEnd(endArg); err != nil {
		return nil, err
	}
	for j := 4; j < len(argv); j++ {
		if !isOpt(argv[j], "count") || j+1 >= len(argv) {
			return nil, ErrSyntax
		}
		if a.Count, err = parseInt(argv[j+1], nil); err != nil {
			return nil, err
		}
		if a.Count < 0 {
			a.Count = 0
		}
		j++
	}
	return a, nil
}

// XRange runs a parsed XRANGE or XREVRANGE on s, nil when the key is
// missing (an empty array).
func XRange(s *Stream, a *XRangeArgs) Result {
	if s == nil {
		return Result{Reply: EntriesReply{}}
	}
	if a.Count == 0 {
		return Result{Reply: RangeReply{Null: true}}
	}
	return Result{Reply: RangeReply{Entries: s.Range(a.Start, a.End, max(a.Count, 0), a.Rev)}}
}
