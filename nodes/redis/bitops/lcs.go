package bitops

import (
	"math"
	"math/bits"

	"github.com/redsim/redsim/nodes/resp"
)

// LCS's error replies.
const (
	// ErrLCSKeys is the node's reply when either key holds another type,
	// checked after both lookups and before the options are parsed.
	ErrLCSKeys   = "ERR The specified keys must contain string values"
	ErrLCSLenIdx = "ERR If you want both the length and indexes, please just use IDX."
	ErrLCSLong   = "ERR String too long for LCS"
	ErrLCSMemory = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	// ErrLCSAlloc is Redis's reply when the table's size overflows (or
	// malloc fails, which the simulator never models).
	ErrLCSAlloc = "ERR Insufficient memory, failed allocating transient memory for LCS"
)

// LCSMode is which of LCS's three replies was asked for.
type LCSMode uint8

// The LCS replies: the subsequence itself, its length (LEN), or the
// matching ranges (IDX).
const (
	LCSString LCSMode = iota
	LCSLen
	LCSIdx
)

// Match is one range of IDX's reply: the bytes A[AStart..AEnd] equal
// B[BStart..BEnd] (inclusive) and are part of the subsequence.
type Match struct {
	AStart, AEnd, BStart, BEnd int64
	Len                        int64
}

// LCSResult is LCS's reply.
type LCSResult struct {
	Mode LCSMode
	// String is the subsequence (LCSString).
	String []byte
	// Len is its length (LCSLen, LCSIdx).
	Len int64
	// Matches are the ranges of LCSIdx, from the ends of the strings
	// backwards, as Redis reports them; MINMATCHLEN has dropped the
	// shorter ones.
	Matches []Match
	// WithMatchLen adds each match's length to IDX's reply.
	WithMatchLen bool
}

// LCS is LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] after
// both keys were looked up and found to be strings or missing (nil, as an
// empty string). It parses the options (a negative MINMATCHLEN is 0,
// WITHMATCHLEN without IDX is ignored), refuses LEN with IDX, and refuses
// a table of (len(a)+1)*(len(b)+1) 32-bit cells larger than maxBulkLen
// bytes (proto-max-bulk-len), as Redis does, even for LEN, which here
// needs only two rows; then it runs Redis's dynamic programme and its
// backtracking, whose tie-breaking decides which of several longest
// subsequences is reported.
func LCS(argv [][]byte, a, b []byte, maxBulkLen int64) (LCSResult, string) {
	var getlen, getidx, withmatchlen bool
	var minmatchlen int64
	for j := 3; j < len(argv); j++ {
		opt := argv[j]
		moreargs := len(argv) - 1 - j
		switch {
		case keyword(opt, "idx"):
			getidx = true
		case keyword(opt, "len"):
			getlen = true
		case keyword(opt, "withmatchlen"):
			withmatchlen = true
		case keyword(opt, "minmatchlen") && moreargs > 0:
			var e string
			if minmatchlen, e = parseInt(argv[j+1]); e != "" {
				return LCSResult{}, e
			}
			minmatchlen = max(minmatchlen, 0)
			j++
		default:
			return LCSResult{}, ErrSyntax
		}
	}
	if getlen && getidx {
		return LCSResult{}, ErrLCSLenIdx
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		return LCSResult{}, ErrLCSLong
	}
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	hi, size := bits.Mul64(cells, 4)
	if hi != 0 {
		return LCSResult{}, ErrLCSAlloc
	}
	if size > uint64(max(maxBulkLen, 0)) {
		return LCSResult{}, ErrLCSMemory
	}
	if getlen {
		return LCSResult{Mode: LCSLen, Len: lcsLength(a, b)}, ""
	}
	t := lcsTable(a, b)
	res := LCSResult{Len: int64(t[len(t)-1]), WithMatchLen: withmatchlen}
	if getidx {
		res.Mode = LCSIdx
		res.Matches = lcsMatches(a, b, t, minmatchlen)
	} else {
		res.String = lcsString(a, b, t)
	}
	return res, ""
}

// lcsTable fills Redis's table: cell j+(len(b)+1)*i holds the length of
// the LCS of a[:i] and b[:j].
func lcsTable(a, b []byte) []uint32 {
	w := len(b) + 1
	t := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		prev, row := t[(i-1)*w:i*w], t[i*w:(i+1)*w]
		lcsRow(prev, row, a[i-1], b)
	}
	return t
}

// lcsRow fills row j = 1..len(b) of the table from the row above, for the
// byte c of the first string. Written without unpredictable branches:
// matches are random, and a mispredicted branch per cell costs more than
// the cell.
func lcsRow(prev, row []uint32, c byte, b []byte) {
	prev = prev[:len(b)+1]
	row = row[:len(b)+1]
	left := row[0]
	for j, bc := range b {
		v := max(prev[j+1], left)
		if c == bc {
			v = prev[j] + 1
		}
		row[j+1] = v
		left = v
	}
}

// lcsLength is the table's last cell computed with two rows, for LEN,
// which needs no backtracking.
func lcsLength(a, b []byte) int64 {
	prev := make([]uint32, len(b)+1)
	row := make([]uint32, len(b)+1)
	for i := range a {
		lcsRow(prev, row, a[i], b)
		prev, row = row, prev
	}
	return int64(prev[len(b)])
}

// lcsString backtracks from the end as Redis does: on a match both
// indexes step back, otherwise i steps back only when the cell above is
// strictly greater than the cell to the left.
func lcsString(a, b []byte, t []uint32) []byte {
	w := len(b) + 1
	idx := t[len(t)-1]
	out := make([]byte, idx)
	for i, j := len(a), len(b); i > 0 && j > 0; {
		if a[i-1] == b[j-1] {
			out[idx-1] = a[i-1]
			idx--
			i--
			j--
		} else if t[(i-1)*w+j] > t[i*w+j-1] {
			i--
		} else {
			j--
		}
	}
	return out
}

// lcsMatches is the same backtracking collecting the ranges for IDX: a
// range grows while matches are contiguous and is emitted when a step
// skips a byte or when it reaches the start of either string. Redis also
// handles a match that does not extend the tracked range (it emits the
// range and loses the match); that cannot happen, since a range is only
// tracked while every step matched, but the branch is kept as written.
func lcsMatches(a, b []byte, t []uint32, minmatchlen int64) []Match {
	w := len(b) + 1
	alen := len(a)
	// arangeStart == alen means no range is being tracked.
	arangeStart, arangeEnd, brangeStart, brangeEnd := alen, 0, 0, 0
	var out []Match
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			switch {
			case arangeStart == alen:
				arangeStart, arangeEnd = i-1, i-1
				brangeStart, brangeEnd = j-1, j-1
			case arangeStart == i && brangeStart == j:
				arangeStart--
				brangeStart--
			default:
				emit = true
			}
			if arangeStart == 0 || brangeStart == 0 {
				emit = true
			}
			i--
			j--
		} else {
			if t[(i-1)*w+j] > t[i*w+j-1] {
				i--
			} else {
				j--
			}
			if arangeStart != alen {
				emit = true
			}
		}
		if emit {
			n := arangeEnd - arangeStart + 1
			if minmatchlen == 0 || int64(n) >= minmatchlen {
				out = append(out, Match{
					AStart: int64(arangeStart), AEnd: int64(arangeEnd),
					BStart: int64(brangeStart), BEnd: int64(brangeEnd),
					Len: int64(n),
				})
			}
			arangeStart = alen
		}
	}
	return out
}

// WriteReply writes LCS's reply: a bulk string, an integer, or for IDX a
// map (a flat array in RESP2) of "matches" and "len", each match an array
// of the two ranges and, with WITHMATCHLEN, the length.
func (r LCSResult) WriteReply(w *resp.Writer) {
	switch r.Mode {
	case LCSLen:
		w.WriteInt(r.Len)
	case LCSIdx:
		w.WriteMapLen(2)
		w.WriteBulkString("matches")
		w.WriteArrayLen(len(r.Matches))
		for _, m := range r.Matches {
			if r.WithMatchLen {
				w.WriteArrayLen(3)
			} else {
				w.WriteArrayLen(2)
			}
			w.WriteArrayLen(2)
			w.WriteInt(m.AStart)
			w.WriteInt(m.AEnd)
			w.WriteArrayLen(2)
			w.WriteInt(m.BStart)
			w.WriteInt(m.BEnd)
			if r.WithMatchLen {
				w.WriteInt(m.Len)
			}
		}
		w.WriteBulkString("len")
		w.WriteInt(r.Len)
	default:
		w.WriteBulk(r.String)
	}
}
