package rdbfile

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
)

// decoder reads RDB primitives from data[off:end]. Its errors carry the
// offset of the item being read (mark).
type decoder struct {
	data []byte
	off  int
	end  int
	// mark is where the current item began, for error offsets.
	mark int
	// arena holds the decimal text of integer-encoded elements, handed out
	// in capped slices and never overwritten.
	arena []byte
	// lp and dups are scratch space for decoding listpacks and finding
	// duplicates; nothing returned refers to them.
	lp   []lpElem
	dups []int32
}

const arenaChunk = 4096

func (d *decoder) truncated(what string) error {
	return errorf(ErrTruncated, d.end, "the input ends inside %s (item at offset %d)", what, d.mark)
}

func (d *decoder) corrupt(format string, args ...any) error {
	return errorf(ErrFormat, d.mark, format, args...)
}

func (d *decoder) byte(what string) (byte, error) {
	if d.off >= d.end {
		return 0, d.truncated(what)
	}
	b := d.data[d.off]
	d.off++
	return b, nil
}

func (d *decoder) bytes(n int, what string) ([]byte, error) {
	if n < 0 || n > d.end-d.off {
		return nil, d.truncated(what)
	}
	b := d.data[d.off : d.off+n : d.off+n]
	d.off += n
	return b, nil
}

// length is rdbLoadLenByRef: a length, or with encoded set the special
// encoding (INT8, INT16, INT32, LZF) of a string.
func (d *decoder) length(what string) (n uint64, encoded bool, err error) {
	b, err := d.byte(what)
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		c, err := d.byte(what)
		return uint64(b&0x3f)<<8 | uint64(c), false, err
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case 0x80:
		p, err := d.bytes(4, what)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case 0x81:
		p, err := d.bytes(8, what)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, d.corrupt("unknown length encoding 0x%02x in %s", b, what)
}

// uint reads a plain length (a string encoding is an error).
func (d *decoder) uint(what string) (uint64, error) {
	n, enc, err := d.length(what)
	if err == nil && enc {
		return 0, d.corrupt("%s has a string encoding (0x%02x) where a length belongs", what, 0xc0|n)
	}
	return n, err
}

// count reads the element count of what and checks that the bytes left
// can hold that many elements of at least minBytes each, so that no
// allocation is sized by a count the input cannot back.
func (d *decoder) count(what string, minBytes int) (int, error) {
	n, err := d.uint(what)
	if err != nil {
		return 0, err
	}
	if n > uint64(d.end-d.off)/uint64(minBytes) {
		return 0, errorf(ErrTruncated, d.end, "%s counts %d elements, more than the %d bytes left can hold (item at offset %d)", what, n, d.end-d.off, d.mark)
	}
	return int(n), nil
}

// str reads a string (rdbGenericLoadStringObject); lzf reports whether it
// was LZF-compressed. Plain strings alias the input.
func (d *decoder) str(what string) (s []byte, lzf bool, err error) {
	n, enc, err := d.length(what)
	if err != nil {
		return nil, false, err
	}
	if !enc {
		if n > uint64(d.end-d.off) {
			return nil, false, d.truncated(what)
		}
		s, err := d.bytes(int(n), what)
		return s, false, err
	}
	switch n {
	case 0, 1, 2:
		w := 1 << n
		p, err := d.bytes(w, what)
		if err != nil {
			return nil, false, err
		}
		var u uint64
		for i := w - 1; i >= 0; i-- {
			u = u<<8 | uint64(p[i])
		}
		return d.intText(signExtend(u, uint(8*w))), false, nil
	case 3:
		clen, err := d.uint(what + " (LZF compressed length)")
		if err != nil {
			return nil, false, err
		}
		ulen, err := d.uint(what + " (LZF uncompressed length)")
		if err != nil {
			return nil, false, err
		}
		if clen > uint64(d.end-d.off) {
			return nil, false, d.truncated(what)
		}
		if ulen > clen*lzfMaxRatio {
			return nil, false, d.corrupt("%s: LZF data of %d bytes cannot hold %d", what, clen, ulen)
		}
		c, _ := d.bytes(int(clen), what)
		out := make([]byte, ulen)
		if !lzfDecompress(c, out) {
			return nil, false, d.corrupt("%s: invalid LZF compressed string", what)
		}
		return out, true, nil
	}
	return nil, false, d.corrupt("unknown string encoding %d in %s", n, what)
}

func (d *decoder) intText(v int64) []byte {
	if cap(d.arena)-len(d.arena) < 20 {
		d.arena = make([]byte, 0, arenaChunk)
	}
	start := len(d.arena)
	d.arena = strconv.AppendInt(d.arena, v, 10)
	return d.arena[start:len(d.arena):len(d.arena)]
}

func (d *decoder) elemText(e lpElem) []byte {
	if e.isInt {
		return d.intText(e.v)
	}
	return e.s
}

func (d *decoder) millis(what string) (int64, error) {
	p, err := d.bytes(8, what)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(p)), nil
}

func (d *decoder) binaryDouble(what string) (float64, error) {
	p, err := d.bytes(8, what)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

// asciiDouble is rdbLoadDoubleValue (the ZSET type of RDB 7 and older).
func (d *decoder) asciiDouble(what string) (float64, error) {
	n, err := d.byte(what)
	if err != nil {
		return 0, err
	}
	switch n {
	case 255:
		return math.Inf(-1), nil
	case 254:
		return math.Inf(1), nil
	case 253:
		return math.NaN(), nil
	}
	p, err := d.bytes(int(n), what)
	if err != nil {
		return 0, err
	}
	v, ok := strtod(p)
	if !ok {
		return 0, d.corrupt("%s: %q is not a number", what, p)
	}
	return v, nil
}

func (d *decoder) streamID(what string) (StreamID, error) {
	p, err := d.bytes(16, what)
	if err != nil {
		return StreamID{}, err
	}
	return StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}, nil
}

func emptyKey(off int, what string) error {
	return errorf(ErrEmptyKey, off, "%s holds no element", what)
}

// object reads a value of RDB type t (rdbLoadObject), with the integrity
// checks Redis makes under sanitize-dump-payload yes.
func (d *decoder) object(t byte) (*Value, error) {
	v, err := d.objectOf(t)
	if v != nil {
		v.FileType = t
	}
	return v, err
}

func (d *decoder) objectOf(t byte) (*Value, error) {
	start := d.off
	d.mark = start
	switch t {
	case RDBTypeString:
		s, _, err := d.str("string value")
		if err != nil {
			return nil, err
		}
		return &Value{Type: TypeString, Encoding: EncodingRaw, Str: s}, nil

	case RDBTypeList, RDBTypeSet:
		what := "list"
		v := &Value{Type: TypeList, Encoding: EncodingQuicklist}
		if t == RDBTypeSet {
			what = "set"
			v = &Value{Type: TypeSet, Encoding: EncodingHashtable}
		}
		n, err := d.count(what+" length", 1)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, emptyKey(start, what)
		}
		v.Elems = make([][]byte, n)
		for i := range v.Elems {
			d.mark = d.off
			if v.Elems[i], _, err = d.str(what + " element"); err != nil {
				return nil, err
			}
		}
		if t == RDBTypeSet {
			if dup := d.firstDuplicate(v.Elems, 1); dup >= 0 {
				return nil, errorf(ErrFormat, start, "duplicate set members detected (%q)", v.Elems[dup])
			}
		}
		return v, nil

	case RDBTypeZSet, RDBTypeZSet2:
		minBytes := 2
		if t == RDBTypeZSet2 {
			minBytes = 9
		}
		n, err := d.count("zset length", minBytes)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, emptyKey(start, "zset")
		}
		v := &Value{Type: TypeZSet, Encoding: EncodingSkiplist, Elems: make([][]byte, n), Scores: make([]float64, n)}
		// Redis writes from the greatest to the smallest; fill from the
		// end so that Elems come out ascending.
		for i := n - 1; i >= 0; i-- {
			d.mark = d.off
			if v.Elems[i], _, err = d.str("zset member"); err != nil {
				return nil, err
			}
			d.mark = d.off
			if t == RDBTypeZSet2 {
				v.Scores[i], err = d.binaryDouble("zset score")
			} else {
				v.Scores[i], err = d.asciiDouble("zset score")
			}
			if err != nil {
				return nil, err
			}
			if v.Scores[i] != v.Scores[i] {
				return nil, d.corrupt("zset with NAN score detected")
			}
		}
		if dup := d.firstDuplicate(v.Elems, 1); dup >= 0 {
			return nil, errorf(ErrFormat, start, "duplicate zset fields detected (%q)", v.Elems[dup])
		}
		return v, nil

	case RDBTypeHash:
		n, err := d.count("hash length", 2)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, emptyKey(start, "hash")
		}
		v := &Value{Type: TypeHash, Encoding: EncodingHashtable, Elems: make([][]byte, 2*n)}
		for i := range v.Elems {
			d.mark = d.off
			if v.Elems[i], _, err = d.str("hash field or value"); err != nil {
				return nil, err
			}
		}
		if dup := d.firstDuplicate(v.Elems, 2); dup >= 0 {
			return nil, errorf(ErrFormat, start, "duplicate hash fields detected (%q)", v.Elems[dup])
		}
		return v, nil

	case RDBTypeListQuicklist, RDBTypeListQuicklist2:
		return d.quicklist(t, start)

	case RDBTypeHashZipmap, RDBTypeListZiplist, RDBTypeSetIntset, RDBTypeZSetZiplist,
		RDBTypeZSetListpack, RDBTypeHashZiplist, RDBTypeHashListpack:
		blob, _, err := d.str("encoded value")
		if err != nil {
			return nil, err
		}
		return d.blobObject(t, blob, start)

	case RDBTypeStreamListpacks, RDBTypeStreamListpacks2:
		return d.stream(t, start)

	case RDBTypeModule, RDBTypeModule2:
		id, _ := d.uint("module id")
		return nil, errorf(ErrUnsupported, start, "a module value (module type id %d): no module can load it here", id)
	}
	return nil, errorf(ErrFormat, start, "unknown RDB encoding type %d", t)
}

// firstDuplicate returns the index of the first element (of every
// stride-th, from 0) equal to an earlier one, or -1. It uses an
// open-addressing table of FNV-1a hashes in scratch space, which costs no
// allocation once the table has grown.
func (d *decoder) firstDuplicate(elems [][]byte, stride int) int {
	n := len(elems) / stride
	if n < 2 {
		return -1
	}
	if n <= 8 {
		for i := 0; i < len(elems); i += stride {
			for j := 0; j < i; j += stride {
				if string(elems[i]) == string(elems[j]) {
					return i
				}
			}
		}
		return -1
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(d.dups) < size {
		d.dups = make([]int32, size)
	}
	table := d.dups[:size]
	clear(table)
	mask := uint64(size - 1)
	for i := 0; i < len(elems); i += stride {
		h := uint64(14695981039346656037)
		for _, c := range elems[i] {
			h = (h ^ uint64(c)) * 1099511628211
		}
		for h &= mask; ; h = (h + 1) & mask {
			j := table[h]
			if j == 0 {
				table[h] = int32(i + 1)
				break
			}
			if bytes.Equal(elems[j-1], elems[i]) {
				return i
			}
		}
	}
	return -1
}

func (d *decoder) quicklist(t byte, start int) (*Value, error) {
	n, err := d.count("quicklist node count", 2)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, emptyKey(start, "list")
	}
	v := &Value{Type: TypeList, Encoding: EncodingQuicklist, ListNodes: make([]ListNode, 0, n)}
	for i := range n {
		d.mark = d.off
		container := uint64(2)
		if t == RDBTypeListQuicklist2 {
			if container, err = d.uint("quicklist node container"); err != nil {
				return nil, err
			}
			if container != 1 && container != 2 {
				return nil, d.corrupt("quicklist integrity check failed: node %d has container %d", i, container)
			}
		}
		blobAt := d.off
		blob, lzf, err := d.str("quicklist node")
		if err != nil {
			return nil, err
		}
		if len(blob) == 0 {
			return nil, errorf(ErrFormat, blobAt, "quicklist node %d is empty", i)
		}
		if container == 1 {
			v.Elems = append(v.Elems, blob)
			v.ListNodes = append(v.ListNodes, ListNode{Count: 1, Plain: true, Compressed: lzf})
			continue
		}
		var elems []lpElem
		var problem string
		if t == RDBTypeListQuicklist2 {
			elems, problem = lpDecodeInto(blob, d.lp)
			d.lp = elems
		} else {
			elems, problem = decodeZiplist(blob)
		}
		if problem != "" {
			return nil, errorf(ErrFormat, blobAt, "quicklist node %d: %s", i, problem)
		}
		if len(elems) == 0 {
			continue // Redis silently skips empty nodes
		}
		for _, e := range elems {
			v.Elems = append(v.Elems, d.elemText(e))
		}
		v.ListNodes = append(v.ListNodes, ListNode{Count: len(elems), Compressed: lzf})
	}
	if len(v.Elems) == 0 {
		return nil, emptyKey(start, "list")
	}
	return v, nil
}

// blobObject decodes the value types held in one string: intsets,
// listpacks, ziplists and zipmaps.
func (d *decoder) blobObject(t byte, blob []byte, start int) (*Value, error) {
	bad := func(what, problem string) error {
		return errorf(ErrFormat, start, "%s integrity check failed: %s", what, problem)
	}
	switch t {
	case RDBTypeSetIntset:
		ints, w, problem := decodeIntset(blob)
		if problem != "" {
			return nil, bad("intset", problem)
		}
		v := &Value{Type: TypeSet, Encoding: EncodingIntset, IntsetWidth: w, Elems: make([][]byte, len(ints))}
		for i, x := range ints {
			v.Elems[i] = d.intText(x)
		}
		return v, nil

	case RDBTypeHashZipmap:
		kv, problem := decodeZipmap(blob)
		if problem != "" {
			return nil, bad("zipmap", problem)
		}
		if dup := d.firstDuplicate(kv, 2); dup >= 0 {
			return nil, errorf(ErrFormat, start, "hash zipmap with dup elements (%q)", kv[dup])
		}
		return &Value{Type: TypeHash, Encoding: EncodingListpack, Elems: kv}, nil

	case RDBTypeListZiplist:
		elems, problem := decodeZiplist(blob)
		if problem != "" {
			return nil, bad("list ziplist", problem)
		}
		if len(elems) == 0 {
			return nil, emptyKey(start, "list")
		}
		v := &Value{Type: TypeList, Encoding: EncodingQuicklist, Elems: make([][]byte, len(elems))}
		for i, e := range elems {
			v.Elems[i] = d.elemText(e)
		}
		return v, nil
	}

	// Pairs: hash fields and values, zset members and scores.
	var elems []lpElem
	var problem, what string
	switch t {
	case RDBTypeZSetZiplist:
		what = "zset ziplist"
		elems, problem = decodeZiplist(blob)
	case RDBTypeHashZiplist:
		what = "hash ziplist"
		elems, problem = decodeZiplist(blob)
	case RDBTypeZSetListpack:
		what = "zset listpack"
		elems, problem = lpDecodeInto(blob, d.lp)
		d.lp = elems
	default:
		what = "hash listpack"
		elems, problem = lpDecodeInto(blob, d.lp)
		d.lp = elems
	}
	if problem != "" {
		return nil, bad(what, problem)
	}
	if len(elems)%2 != 0 {
		return nil, bad(what, "an odd number of elements")
	}
	if len(elems) == 0 {
		return nil, emptyKey(start, what)
	}
	if t == RDBTypeZSetZiplist || t == RDBTypeZSetListpack {
		v := &Value{Type: TypeZSet, Encoding: EncodingListpack, Elems: make([][]byte, len(elems)/2), Scores: make([]float64, len(elems)/2)}
		for i := range v.Elems {
			v.Elems[i] = d.elemText(elems[2*i])
			if s := elems[2*i+1]; s.isInt {
				v.Scores[i] = float64(s.v)
			} else {
				v.Scores[i] = zzlStrtod(s.s)
			}
		}
		if dup := d.firstDuplicate(v.Elems, 1); dup >= 0 {
			return nil, bad(what, "duplicate member "+strconv.Quote(string(v.Elems[dup])))
		}
		return v, nil
	}
	v := &Value{Type: TypeHash, Encoding: EncodingListpack, Elems: make([][]byte, len(elems))}
	for i, e := range elems {
		v.Elems[i] = d.elemText(e)
	}
	if dup := d.firstDuplicate(v.Elems, 2); dup >= 0 {
		return nil, bad(what, "duplicate field "+strconv.Quote(string(v.Elems[dup])))
	}
	return v, nil
}

// lpInt is lpGetIntegerIfValid: an integer element, or a string that is a
// canonical integer.
func lpInt(e lpElem) (int64, bool) {
	if e.isInt {
		return e.v, true
	}
	return parseInt(e.s)
}

// streamNode parses a stream node's listpack as
// streamValidateListpackIntegrity(deep=1) validates it.
func (d *decoder) streamNode(master StreamID, lp []byte) (StreamNode, string) {
	n := StreamNode{Master: master}
	elems, problem := lpDecodeInto(lp, d.lp)
	if problem != "" {
		return n, problem
	}
	d.lp = elems
	i := 0
	next := func() (int64, bool) {
		if i >= len(elems) {
			return 0, false
		}
		v, ok := lpInt(elems[i])
		i++
		return v, ok
	}
	live, ok1 := next()
	deleted, ok2 := next()
	mf, ok3 := next()
	if !ok1 || !ok2 || !ok3 || live < 0 || deleted < 0 || mf < 0 || mf > int64(len(elems)) {
		return n, "bad master entry"
	}
	if i+int(mf) > len(elems) {
		return n, "master entry fields overrun the listpack"
	}
	n.MasterFields = make([][]byte, mf)
	for k := range n.MasterFields {
		n.MasterFields[k] = d.elemText(elems[i])
		i++
	}
	if zero, ok := next(); !ok || zero != 0 {
		return n, "master entry not terminated by 0"
	}
	total := live + deleted
	if total > int64(len(elems)) {
		return n, "master entry counts more entries than the listpack holds"
	}
	n.Entries = make([]StreamEntry, 0, total)
	for range total {
		flags, ok1 := next()
		msd, ok2 := next()
		seqd, ok3 := next()
		if !ok1 || !ok2 || !ok3 {
			return n, "bad entry header"
		}
		fields := mf
		extra := int64(3)
		same := flags&streamFlagSameFields != 0
		if !same {
			f, ok := next()
			if !ok || f < 0 || f > int64(len(elems)) {
				return n, "bad entry field count"
			}
			fields = f
			extra += fields + 1
		}
		per := int64(1)
		if !same {
			per = 2
		}
		if int64(i)+fields*per > int64(len(elems)) {
			return n, "entry overruns the listpack"
		}
		e := StreamEntry{
			ID:      StreamID{master.Ms + uint64(msd), master.Seq + uint64(seqd)},
			Deleted: flags&streamFlagDeleted != 0,
			Fields:  make([][]byte, 2*fields),
		}
		if same {
			for k := range fields {
				e.Fields[2*k] = n.MasterFields[k]
				e.Fields[2*k+1] = d.elemText(elems[i])
				i++
			}
		} else {
			for k := range 2 * fields {
				e.Fields[k] = d.elemText(elems[i])
				i++
			}
		}
		lpCount, ok := next()
		if !ok || lpCount != fields+extra {
			return n, "entry lp-count does not match"
		}
		n.Entries = append(n.Entries, e)
	}
	// Like Redis, no check that the deleted flags agree with the master
	// entry's counts.
	if i != len(elems) {
		return n, "elements follow the last entry"
	}
	return n, ""
}

func (d *decoder) stream(t byte, start int) (*Value, error) {
	nodes, err := d.count("stream listpack count", 2)
	if err != nil {
		return nil, err
	}
	s := &Stream{Nodes: make([]StreamNode, 0, nodes)}
	sorted := true
	for range nodes {
		d.mark = d.off
		key, _, err := d.str("stream node key")
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, d.corrupt("stream node key entry is not the size of a stream ID")
		}
		master := StreamID{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
		lpAt := d.off
		lp, _, err := d.str("stream listpack")
		if err != nil {
			return nil, err
		}
		n, problem := d.streamNode(master, lp)
		if problem != "" {
			return nil, errorf(ErrFormat, lpAt, "stream listpack integrity check failed: %s", problem)
		}
		if k := len(s.Nodes); k > 0 && !s.Nodes[k-1].Master.less(master) {
			sorted = false
		}
		s.Nodes = append(s.Nodes, n)
	}
	if !sorted {
		// The radix tree orders its keys whatever the file's order.
		slices.SortStableFunc(s.Nodes, func(a, b StreamNode) int {
			switch {
			case a.Master.less(b.Master):
				return -1
			case b.Master.less(a.Master):
				return 1
			}
			return 0
		})
		for k := 1; k < len(s.Nodes); k++ {
			if s.Nodes[k-1].Master == s.Nodes[k].Master {
				return nil, errorf(ErrFormat, start, "listpack re-added with existing key")
			}
		}
	}
	d.mark = d.off
	fields := []*uint64{&s.Length, &s.LastID.Ms, &s.LastID.Seq}
	if t == RDBTypeStreamListpacks2 {
		fields = append(fields, &s.FirstID.Ms, &s.FirstID.Seq, &s.MaxDeletedID.Ms, &s.MaxDeletedID.Seq, &s.EntriesAdded)
	}
	for _, f := range fields {
		if *f, err = d.uint("stream metadata"); err != nil {
			return nil, err
		}
	}
	if t == RDBTypeStreamListpacks {
		s.EntriesAdded = s.Length
		s.FirstID = StreamID{math.MaxUint64, math.MaxUint64}
	firstLive:
		for _, n := range s.Nodes {
			for _, e := range n.Entries {
				if !e.Deleted {
					s.FirstID = e.ID
					break firstLive
				}
			}
		}
	}
	if s.Length > 0 && len(s.Nodes) == 0 {
		return nil, d.corrupt("stream length inconsistent with rax entries")
	}
	groups, err := d.count("stream consumer group count", 4)
	if err != nil {
		return nil, err
	}
	s.Groups = make([]StreamGroup, 0, groups)
	for range groups {
		d.mark = d.off
		g := StreamGroup{}
		if g.Name, _, err = d.str("consumer group name"); err != nil {
			return nil, err
		}
		for _, f := range []*uint64{&g.LastID.Ms, &g.LastID.Seq} {
			if *f, err = d.uint("consumer group ID"); err != nil {
				return nil, err
			}
		}
		if t == RDBTypeStreamListpacks2 {
			er, err := d.uint("consumer group entries-read")
			if err != nil {
				return nil, err
			}
			g.EntriesRead = int64(er)
		} else {
			g.EntriesRead = estimateDistance(s, g.LastID)
		}
		pel, err := d.count("consumer group PEL size", 16+8+1)
		if err != nil {
			return nil, err
		}
		g.PEL = make([]StreamPending, pel)
		owned := make([]bool, pel)
		for k := range g.PEL {
			p := &g.PEL[k]
			if p.ID, err = d.streamID("PEL entry ID"); err != nil {
				return nil, err
			}
			if p.DeliveryTime, err = d.millis("PEL delivery time"); err != nil {
				return nil, err
			}
			if p.DeliveryCount, err = d.uint("PEL delivery count"); err != nil {
				return nil, err
			}
		}
		pelSorted := slices.IsSortedFunc(g.PEL, func(a, b StreamPending) int { return cmpID(a.ID, b.ID) })
		if !pelSorted {
			slices.SortStableFunc(g.PEL, func(a, b StreamPending) int { return cmpID(a.ID, b.ID) })
		}
		for k := 1; k < len(g.PEL); k++ {
			if g.PEL[k-1].ID == g.PEL[k].ID {
				return nil, d.corrupt("duplicated global PEL entry loading stream consumer group")
			}
		}
		consumers, err := d.count("consumer count", 1+8+1)
		if err != nil {
			return nil, err
		}
		g.Consumers = make([]StreamConsumer, consumers)
		for k := range g.Consumers {
			c := &g.Consumers[k]
			d.mark = d.off
			if c.Name, _, err = d.str("consumer name"); err != nil {
				return nil, err
			}
			if c.SeenTime, err = d.millis("consumer seen time"); err != nil {
				return nil, err
			}
			np, err := d.count("consumer PEL size", 16)
			if err != nil {
				return nil, err
			}
			c.PEL = make([]StreamID, np)
			for j := range c.PEL {
				if c.PEL[j], err = d.streamID("consumer PEL entry ID"); err != nil {
					return nil, err
				}
				at, found := slices.BinarySearchFunc(g.PEL, c.PEL[j], func(p StreamPending, id StreamID) int { return cmpID(p.ID, id) })
				if !found {
					return nil, d.corrupt("consumer entry not found in group global PEL")
				}
				if owned[at] {
					return nil, d.corrupt("a pending entry owned by two consumers or listed twice")
				}
				owned[at] = true
			}
			if !slices.IsSortedFunc(c.PEL, cmpID) {
				slices.SortFunc(c.PEL, cmpID)
			}
		}
		if !slices.IsSortedFunc(g.Consumers, cmpConsumer) {
			slices.SortStableFunc(g.Consumers, cmpConsumer)
		}
		for k := 1; k < len(g.Consumers); k++ {
			if string(g.Consumers[k-1].Name) == string(g.Consumers[k].Name) {
				return nil, d.corrupt("duplicate stream consumer detected")
			}
		}
		for k := range owned {
			if !owned[k] {
				return nil, d.corrupt("stream CG PEL entry without consumer")
			}
		}
		s.Groups = append(s.Groups, g)
	}
	if !slices.IsSortedFunc(s.Groups, cmpGroup) {
		slices.SortStableFunc(s.Groups, cmpGroup)
	}
	for k := 1; k < len(s.Groups); k++ {
		if string(s.Groups[k-1].Name) == string(s.Groups[k].Name) {
			return nil, errorf(ErrFormat, start, "duplicated consumer group name %q", s.Groups[k].Name)
		}
	}
	return &Value{Type: TypeStream, Encoding: EncodingStream, Stream: s}, nil
}

func cmpID(a, b StreamID) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

func cmpConsumer(a, b StreamConsumer) int { return bytesCompare(a.Name, b.Name) }
func cmpGroup(a, b StreamGroup) int       { return bytesCompare(a.Name, b.Name) }

func bytesCompare(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

// estimateDistance is streamEstimateDistanceFromFirstEverEntry, which
// Redis uses for a group's entries-read when loading STREAM_LISTPACKS
// (RDB 9), whose groups do not store it.
func estimateDistance(s *Stream, id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	last := s.LastID
	if s.Length == 0 && cmpID(id, last) < 1 {
		return int64(s.EntriesAdded)
	}
	switch cmpID(id, last) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return -1
	}
	cmpFirst := cmpID(id, s.FirstID)
	if s.MaxDeletedID == (StreamID{}) || s.MaxDeletedID.less(s.FirstID) {
		switch cmpFirst {
		case -1:
			return int64(s.EntriesAdded - s.Length)
		case 0:
			return int64(s.EntriesAdded - s.Length + 1)
		}
	}
	return -1
}
