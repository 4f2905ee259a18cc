package rdbfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Options are the server settings that shape what the writer produces.
type Options struct {
	// Compression is rdbcompression: strings longer than 20 bytes are
	// LZF-compressed when that saves at least 4 bytes.
	Compression bool
	// Checksum is rdbchecksum: without it a file ends with a zero CRC-64,
	// which loaders take as "not checked". (DUMP payloads always carry
	// their CRC-64.)
	Checksum bool
	// ListFill is list-max-listpack-size, which splits a list without
	// ListNodes into quicklist nodes, clamped as Redis clamps it (0 is one
	// item per node; DefaultOptions has Redis's default, -2).
	ListFill int
	// ListCompressDepth is list-compress-depth: the nodes that many from
	// either end stay plain, those between are LZF-compressed when that
	// saves at least 8 bytes of a listpack of at least 48 (0: none).
	ListCompressDepth int
}

// DefaultOptions returns Redis's defaults: compression and checksum on,
// list-max-listpack-size -2, list-compress-depth 0.
func DefaultOptions() Options {
	return Options{Compression: true, Checksum: true, ListFill: -2}
}

// Default thresholds of redis.conf, which EncodingDefault follows.
const (
	defaultSetMaxIntsetEntries = 512
	defaultMaxListpackEntries  = 128
	defaultMaxListpackValue    = 64
	// quicklist.c's constants.
	qlPackedThreshold = 1 << 30
	qlSizeSafetyLimit = 8192
	qlSizeOverhead    = 8
	qlMinCompressSize = 48
	qlMinCompressGain = 8
)

var qlOptimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// encoder serializes values; it holds the LZF state and scratch space.
type encoder struct {
	opts    Options
	lzf     lzfCompressor
	lzfBuf  []byte
	scratch []byte
	ints    []int64
}

// appendLen is rdbSaveLen.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0x81), n)
}

// appendIntEncoded is rdbEncodeInteger: the INT8/16/32 special encodings;
// ok is false for values outside 32 bits.
func appendIntEncoded(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xc0, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, 0xc1, byte(v), byte(v>>8)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, 0xc2, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return dst, false
}

// appendString is rdbSaveRawString: an integer encoding for a canonical
// integer of at most 11 bytes that fits 32 bits, LZF when compression is
// on, the string is longer than 20 bytes and compresses to at most its
// length less 4, else the length and the bytes.
func (e *encoder) appendString(dst, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := parseInt(s); ok {
			if out, ok := appendIntEncoded(dst, v); ok {
				return out
			}
		}
	}
	if e.opts.Compression && len(s) > 20 {
		outLen := len(s) - 4
		if cap(e.lzfBuf) < outLen {
			e.lzfBuf = make([]byte, outLen)
		}
		buf := e.lzfBuf[:outLen]
		if n := e.lzf.compress(s, buf); n > 0 {
			return appendLZFBlob(dst, buf[:n], len(s))
		}
	}
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendLZFBlob is rdbSaveLzfBlob.
func appendLZFBlob(dst, compressed []byte, origLen int) []byte {
	dst = append(dst, 0xc3)
	dst = appendLen(dst, uint64(len(compressed)))
	dst = appendLen(dst, uint64(origLen))
	return append(dst, compressed...)
}

// appendMillis is rdbSaveMillisecondTime: 8 bytes little-endian.
func appendMillis(dst []byte, t int64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64(t))
}

// appendStreamID writes an ID as a radix-tree key: 128 bits big-endian.
func appendStreamID(dst []byte, id StreamID) []byte {
	dst = binary.BigEndian.AppendUint64(dst, id.Ms)
	return binary.BigEndian.AppendUint64(dst, id.Seq)
}

// errValue is wrapped by the writer's errors about a value it cannot
// write (a bug in the caller, never in the data read from a file).
var errValue = errors.New("rdb: value cannot be written")

func valueErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errValue, fmt.Sprintf(format, args...))
}

// setIsIntset reports whether a set is written as an intset.
func (e *encoder) setIsIntset(v *Value) (bool, error) {
	switch v.Encoding {
	case EncodingIntset:
		return true, nil
	case EncodingHashtable:
		return false, nil
	case EncodingDefault:
		if len(v.Elems) > defaultSetMaxIntsetEntries {
			return false, nil
		}
		for _, m := range v.Elems {
			if _, ok := parseInt(m); !ok {
				return false, nil
			}
		}
		return true, nil
	}
	return false, valueErr("a set cannot have encoding %v", v.Encoding)
}

// smallEnough is the default listpack test for a hash or zset.
func smallEnough(elems [][]byte, n int) bool {
	if n > defaultMaxListpackEntries {
		return false
	}
	for _, m := range elems {
		if len(m) > defaultMaxListpackValue {
			return false
		}
	}
	return true
}

// isListpack reports whether a hash or zset is written as a listpack.
func (e *encoder) isListpack(v *Value, n int) (bool, error) {
	switch v.Encoding {
	case EncodingListpack:
		return true, nil
	case EncodingHashtable:
		if v.Type == TypeHash {
			return false, nil
		}
	case EncodingSkiplist:
		if v.Type == TypeZSet {
			return false, nil
		}
	case EncodingDefault:
		return smallEnough(v.Elems, n), nil
	}
	return false, valueErr("a %v cannot have encoding %v", v.Type, v.Encoding)
}

// rdbType is rdbSaveObjectType for v.
func (e *encoder) rdbType(v *Value) (byte, error) {
	switch v.Type {
	case TypeString:
		return RDBTypeString, nil
	case TypeList:
		if v.Encoding != EncodingDefault && v.Encoding != EncodingQuicklist {
			return 0, valueErr("a list cannot have encoding %v (7.0 lists are quicklists)", v.Encoding)
		}
		return RDBTypeListQuicklist2, nil
	case TypeSet:
		is, err := e.setIsIntset(v)
		if is {
			return RDBTypeSetIntset, err
		}
		return RDBTypeSet, err
	case TypeZSet:
		lp, err := e.isListpack(v, len(v.Elems))
		if lp {
			return RDBTypeZSetListpack, err
		}
		return RDBTypeZSet2, err
	case TypeHash:
		lp, err := e.isListpack(v, len(v.Elems)/2)
		if lp {
			return RDBTypeHashListpack, err
		}
		return RDBTypeHash, err
	case TypeStream:
		return RDBTypeStreamListpacks2, nil
	}
	return 0, valueErr("unknown type %v", v.Type)
}

// appendObject writes the type byte and the value (rdbSaveObjectType then
// rdbSaveObject).
func (e *encoder) appendObject(dst []byte, v *Value) ([]byte, error) {
	t, err := e.rdbType(v)
	if err != nil {
		return dst, err
	}
	dst = append(dst, t)
	return e.appendValue(dst, v, t)
}

func (e *encoder) appendValue(dst []byte, v *Value, t byte) ([]byte, error) {
	switch t {
	case RDBTypeString:
		return e.appendString(dst, v.Str), nil
	case RDBTypeListQuicklist2:
		return e.appendQuicklist(dst, v)
	case RDBTypeSetIntset:
		return e.appendIntset(dst, v)
	case RDBTypeSet:
		if len(v.Elems) == 0 {
			return dst, valueErr("an empty set")
		}
		dst = appendLen(dst, uint64(len(v.Elems)))
		for _, m := range v.Elems {
			dst = e.appendString(dst, m)
		}
		return dst, nil
	case RDBTypeZSetListpack, RDBTypeZSet2:
		if len(v.Elems) == 0 || len(v.Scores) != len(v.Elems) {
			return dst, valueErr("a zset of %d members and %d scores", len(v.Elems), len(v.Scores))
		}
		for _, sc := range v.Scores {
			if sc != sc {
				return dst, valueErr("a NaN score")
			}
		}
		if t == RDBTypeZSet2 {
			dst = appendLen(dst, uint64(len(v.Elems)))
			// From the greatest to the smallest, as Redis walks its
			// skiplist from the tail.
			for i := len(v.Elems) - 1; i >= 0; i-- {
				dst = e.appendString(dst, v.Elems[i])
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.Scores[i]))
			}
			return dst, nil
		}
		lp, start := lpBegin(e.scratch[:0])
		for i, m := range v.Elems {
			lp = lpAppendStr(lp, m)
			lp = lpAppendScore(lp, v.Scores[i])
		}
		lp = lpEnd(lp, start, 2*len(v.Elems))
		e.scratch = lp
		return e.appendString(dst, lp), nil
	case RDBTypeHashListpack, RDBTypeHash:
		if len(v.Elems) == 0 || len(v.Elems)%2 != 0 {
			return dst, valueErr("a hash of %d fields and values", len(v.Elems))
		}
		if t == RDBTypeHash {
			dst = appendLen(dst, uint64(len(v.Elems)/2))
			for _, b := range v.Elems {
				dst = e.appendString(dst, b)
			}
			return dst, nil
		}
		lp, start := lpBegin(e.scratch[:0])
		for _, b := range v.Elems {
			lp = lpAppendStr(lp, b)
		}
		lp = lpEnd(lp, start, len(v.Elems))
		e.scratch = lp
		return e.appendString(dst, lp), nil
	case RDBTypeStreamListpacks2:
		return e.appendStream(dst, v.Stream)
	}
	return dst, valueErr("type %d", t)
}

// lpAppendScore stores a zset score as zzlInsertAt does: an integer when
// double2ll says the double is one (|d| <= 2^62, no fraction), else
// d2string's text ("%.17g", "inf", "-inf").
func lpAppendScore(lp []byte, d float64) []byte {
	if d >= float64(-math.MaxInt64/2) && d <= float64(math.MaxInt64/2) {
		if i := int64(d); float64(i) == d {
			return lpAppendInt(lp, i)
		}
	}
	var buf [32]byte
	var s []byte
	switch {
	case math.IsInf(d, 1):
		s = append(buf[:0], "inf"...)
	case math.IsInf(d, -1):
		s = append(buf[:0], "-inf"...)
	default:
		s = strconv.AppendFloat(buf[:0], d, 'g', 17, 64)
	}
	return lpAppendStr(lp, s)
}

func (e *encoder) appendIntset(dst []byte, v *Value) ([]byte, error) {
	if len(v.Elems) == 0 {
		return dst, valueErr("an empty set")
	}
	ints := e.ints[:0]
	for _, m := range v.Elems {
		i, ok := parseInt(m)
		if !ok {
			return dst, valueErr("intset member %q is not an integer", m)
		}
		ints = append(ints, i)
	}
	if !slices.IsSorted(ints) {
		slices.Sort(ints)
	}
	e.ints = ints
	w := intsetMinWidth(ints)
	switch {
	case v.IntsetWidth == 0:
	case v.IntsetWidth != 2 && v.IntsetWidth != 4 && v.IntsetWidth != 8:
		return dst, valueErr("intset width %d", v.IntsetWidth)
	case v.IntsetWidth >= w:
		w = v.IntsetWidth
	default:
		return dst, valueErr("intset width %d cannot hold its members", v.IntsetWidth)
	}
	e.scratch = appendIntset(e.scratch[:0], ints, w)
	return e.appendString(dst, e.scratch), nil
}

// QuicklistFill is quicklistSetFill: the fill a quicklist keeps from
// list-max-listpack-size, clamped to -5..32767.
func QuicklistFill(fill int) int { return min(max(fill, -5), 1<<15-1) }

// QuicklistShape is what DEBUG OBJECT tells of a list that RPUSHes built
// under fill (list-max-listpack-size): its number of nodes, and their
// uncompressed bytes (a packed node's listpack, a plain node's item).
func QuicklistShape(items [][]byte, fill int) (nodes, bytes int) {
	ns, bytes := splitQuicklist(items, fill)
	return len(ns), bytes
}

// quicklistNodes splits n items as quicklistPushTail does, item after
// item, under fill (list-max-listpack-size).
func quicklistNodes(items [][]byte, fill int) []ListNode {
	nodes, _ := splitQuicklist(items, fill)
	return nodes
}

func splitQuicklist(items [][]byte, fill int) (nodes []ListNode, bytes int) {
	fill = QuicklistFill(fill)
	sz := 0 // the tail node's listpack bytes
	open := false
	for _, it := range items {
		if len(it) >= qlPackedThreshold {
			nodes = append(nodes, ListNode{Count: 1, Plain: true})
			bytes += len(it)
			open = false
			continue
		}
		if open && quicklistAllowInsert(sz, nodes[len(nodes)-1].Count, fill, len(it)) {
			nodes[len(nodes)-1].Count++
			sz += lpElemSize(it)
			bytes += lpElemSize(it)
			continue
		}
		nodes = append(nodes, ListNode{Count: 1})
		sz = lpHdrSize + 1 + lpElemSize(it)
		bytes += sz
		open = true
	}
	return nodes, bytes
}

// quicklistAllowInsert is _quicklistNodeAllowInsert for a packed node of
// nodeSz bytes and count items.
func quicklistAllowInsert(nodeSz, count, fill, sz int) bool {
	newSz := nodeSz + sz + qlSizeOverhead
	if fill < 0 {
		if off := -fill - 1; off < len(qlOptimizationLevel) {
			if newSz <= qlOptimizationLevel[off] {
				return true
			}
			return false
		}
		return false
	}
	if newSz > qlSizeSafetyLimit {
		return false
	}
	return count < fill
}

func (e *encoder) appendQuicklist(dst []byte, v *Value) ([]byte, error) {
	if len(v.Elems) == 0 {
		return dst, valueErr("an empty list")
	}
	nodes := v.ListNodes
	compressByDepth := false
	if nodes == nil {
		nodes = quicklistNodes(v.Elems, e.opts.ListFill)
		compressByDepth = e.opts.ListCompressDepth > 0
	} else {
		total := 0
		for _, n := range nodes {
			if n.Count < 1 || n.Plain && n.Count != 1 {
				return dst, valueErr("quicklist node of %d items (plain %v)", n.Count, n.Plain)
			}
			total += n.Count
		}
		if total != len(v.Elems) {
			return dst, valueErr("quicklist nodes hold %d items, the list %d", total, len(v.Elems))
		}
	}
	depth := e.opts.ListCompressDepth
	dst = appendLen(dst, uint64(len(nodes)))
	items := v.Elems
	for i, n := range nodes {
		part := items[:n.Count]
		items = items[n.Count:]
		if n.Plain {
			dst = appendLen(dst, 1) // QUICKLIST_NODE_CONTAINER_PLAIN
			dst = e.appendString(dst, part[0])
			continue
		}
		dst = appendLen(dst, 2) // QUICKLIST_NODE_CONTAINER_PACKED
		lp, start := lpBegin(e.scratch[:0])
		for _, it := range part {
			lp = lpAppendStr(lp, it)
		}
		lp = lpEnd(lp, start, len(part))
		e.scratch = lp
		compress := n.Compressed
		if compressByDepth {
			compress = len(nodes) >= 2*depth && i >= depth && i < len(nodes)-depth
		}
		if compress && len(lp) >= qlMinCompressSize {
			if cap(e.lzfBuf) < len(lp) {
				e.lzfBuf = make([]byte, len(lp))
			}
			buf := e.lzfBuf[:len(lp)]
			if c := e.lzf.compress(lp, buf); c > 0 && c+qlMinCompressGain < len(lp) {
				dst = appendLZFBlob(dst, buf[:c], len(lp))
				continue
			}
		}
		dst = e.appendString(dst, lp)
	}
	return dst, nil
}
