package stream

// TrimStrategy is how XADD and XTRIM trim: not at all, to a length, or
// below an ID.
type TrimStrategy uint8

// The trimming strategies (TRIM_STRATEGY_*).
const (
	TrimNone TrimStrategy = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are the trimming options of XADD and XTRIM (streamAddTrimArgs).
type TrimArgs struct {
	Strategy TrimStrategy
	// Approx (~) trims only whole nodes from the head.
	Approx bool
	// Limit caps the entries one trim removes; 0 means no cap.
	Limit int64
	// MaxLen is the length to trim to (MAXLEN).
	MaxLen int64
	// MinID is the ID below which entries go (MINID).
	MinID ID

	argIdx int // argv index of the threshold, rewritten for propagation
}

// Trim removes entries from the head as streamTrim does and returns how
// many. Whole nodes go while the strategy allows it and Limit is not
// exceeded; then, unless Approx, entries of the next node are flagged
// deleted one by one.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= a.MaxLen {
			break
		}
		n := s.nodes[0]
		entries := n.live
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var removeNode bool
		if a.Strategy == TrimMaxLen {
			removeNode = s.length-entries >= a.MaxLen
		} else {
			// The node's last entry, deleted or not, decides.
			removeNode = n.entries[len(n.entries)-1].id.Less(a.MinID)
		}
		if removeNode {
			s.nodes[0] = nil
			s.nodes = s.nodes[1:]
			s.length -= entries
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		var fromNode int64
		for i := range n.entries {
			e := &n.entries[i]
			if a.Strategy == TrimMaxLen {
				if s.length <= a.MaxLen {
					break
				}
			} else if !e.id.Less(a.MinID) {
				break
			}
			if !e.deleted {
				e.deleted = true
				fromNode++
				s.length--
			}
		}
		n.live -= fromNode
		n.deleted += fromNode
		deleted += fromNode
		break
	}
	if s.length == 0 {
		s.firstID = ID{}
	} else if deleted > 0 {
		s.firstID = s.edgeID(true, true)
	}
	return deleted
}
