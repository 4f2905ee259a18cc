package stream

import (
	"math"
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// ID is a stream entry ID: a millisecond time and a sequence number,
// ordered as the 128-bit number ms<<64|seq (streamID).
type ID struct {
	Ms  uint64
	Seq uint64
}

// MaxID is the greatest ID, what "+" stands for.
var MaxID = ID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is less than, equal to or greater
// than o (streamCompareID).
func (id ID) Compare(o ID) int {
	switch {
	case id.Ms > o.Ms:
		return 1
	case id.Ms < o.Ms:
		return -1
	case id.Seq > o.Seq:
		return 1
	case id.Seq < o.Seq:
		return -1
	}
	return 0
}

// Less reports whether id sorts before o.
func (id ID) Less(o ID) bool { return id.Ms < o.Ms || id.Ms == o.Ms && id.Seq < o.Seq }

// IsZero reports whether id is 0-0 (streamIDEqZero).
func (id ID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Append appends id as "ms-seq" and returns the extended buffer.
func (id ID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, id.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

// String returns id as "ms-seq", the form every reply uses.
func (id ID) String() string {
	var b [41]byte
	return string(id.Append(b[:0]))
}

// Incr returns the successor of id (streamIncrID); the successor of
// MaxID is 0-0, reported with ok false.
func (id ID) Incr() (next ID, ok bool) {
	switch {
	case id.Seq != math.MaxUint64:
		return ID{id.Ms, id.Seq + 1}, true
	case id.Ms != math.MaxUint64:
		return ID{id.Ms + 1, 0}, true
	}
	return ID{}, false
}

// Decr returns the predecessor of id (streamDecrID); the predecessor of
// 0-0 is MaxID, reported with ok false.
func (id ID) Decr() (prev ID, ok bool) {
	switch {
	case id.Seq != 0:
		return ID{id.Ms, id.Seq - 1}, true
	case id.Ms != 0:
		return ID{id.Ms - 1, math.MaxUint64}, true
	}
	return MaxID, false
}

// NextID returns the ID that XADD * generates at wall-clock time nowMs
// after last (streamNextID): nowMs-0 if the clock is ahead of last,
// otherwise last's successor, so IDs never go backward when the clock
// does. It wraps to 0-0 after MaxID, which XADD then rejects.
func NextID(last ID, nowMs int64) ID {
	if ms := uint64(nowMs); ms > last.Ms {
		return ID{ms, 0}
	}
	next, _ := last.Incr()
	return next
}

// cstr returns b up to its first NUL byte: Redis hands many arguments to C
// string functions, which stop there.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// string2ull is Redis's string2ull on a C string: string2ll's strict
// decimal if it is non-negative, otherwise glibc's strtoull, which takes
// leading blanks, a '+' or a '-' (negating modulo 2^64, so "-01" is
// 18446744073709551615) and leading zeros, as long as it consumes the
// whole string without overflowing.
func string2ull(s []byte) (uint64, bool) {
	if v, ok := rnum.ParseInt(s); ok {
		return uint64(v), v >= 0
	}
	v, _, ok := rnum.Strtoull(s)
	return v, ok
}

// parseID is streamGenericParseIDOrReply: "ms-seq", "ms" (the sequence
// then being missingSeq), "-" and "+" unless strict, and "ms-*" when
// seqStar (XADD), which reports seqGiven false. Arguments longer than 127
// bytes are invalid, and parsing stops at a NUL byte as C's does.
func parseID(arg []byte, missingSeq uint64, strict, seqStar bool) (id ID, seqGiven, ok bool) {
	if len(arg) > 127 {
		return ID{}, false, false
	}
	buf := cstr(arg)
	if len(buf) == 1 && (buf[0] == '-' || buf[0] == '+') {
		if strict {
			return ID{}, false, false
		}
		if buf[0] == '-' {
			return ID{}, true, true
		}
		return MaxID, true, true
	}
	msPart, seqPart, dot := buf, []byte(nil), false
	for i, c := range buf {
		if c == '-' {
			msPart, seqPart, dot = buf[:i], buf[i+1:], true
			break
		}
	}
	ms, ok := string2ull(msPart)
	if !ok {
		return ID{}, false, false
	}
	seq := missingSeq
	seqGiven = true
	if dot {
		if seqStar && len(seqPart) == 1 && seqPart[0] == '*' {
			seq, seqGiven = 0, false
		} else if seq, ok = string2ull(seqPart); !ok {
			return ID{}, false, false
		}
	}
	return ID{ms, seq}, seqGiven, true
}

// ParseID parses a client-supplied ID where "-" and "+" are allowed
// (streamParseIDOrReply); an incomplete "ms" gets missingSeq.
func ParseID(arg []byte, missingSeq uint64) (ID, error) {
	id, _, ok := parseID(arg, missingSeq, false, false)
	if !ok {
		return ID{}, ErrInvalidID
	}
	return id, nil
}

// ParseStrictID parses an ID where "-" and "+" are invalid
// (streamParseStrictIDOrReply), with a missing sequence of 0.
func ParseStrictID(arg []byte) (ID, error) {
	id, _, ok := parseID(arg, 0, true, false)
	if !ok {
		return ID{}, ErrInvalidID
	}
	return id, nil
}

// parseIntervalID is streamParseIntervalIDOrReply: a leading "(" (on an
// argument longer than one byte) makes the bound exclusive and the rest
// is parsed strictly.
func parseIntervalID(arg []byte, missingSeq uint64) (id ID, exclusive bool, err error) {
	if len(arg) > 1 && arg[0] == '(' {
		id, _, ok := parseID(arg[1:], missingSeq, true, false)
		if !ok {
			return ID{}, true, ErrInvalidID
		}
		return id, true, nil
	}
	id, err = ParseID(arg, missingSeq)
	return id, false, err
}

// parseRangeStart parses the start of an interval: an incomplete ID
// starts at sequence 0 and "(" moves to the successor.
func parseRangeStart(arg []byte) (ID, error) {
	id, ex, err := parseIntervalID(arg, 0)
	if err != nil {
		return ID{}, err
	}
	if ex {
		if id, ok := id.Incr(); ok {
			return id, nil
		}
		return ID{}, errInvalidStart
	}
	return id, nil
}

// parseRangeEnd parses the end of an interval: an incomplete ID ends at
// the greatest sequence and "(" moves to the predecessor.
func parseRangeEnd(arg []byte) (ID, error) {
	id, ex, err := parseIntervalID(arg, math.MaxUint64)
	if err != nil {
		return ID{}, err
	}
	if ex {
		if id, ok := id.Decr(); ok {
			return id, nil
		}
		return ID{}, errInvalidEnd
	}
	return id, nil
}
