package rdbfile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

func TestCRC64Vector(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(0, \"123456789\") = %016x, want e9c6d914c4b8d9ca", got)
	}
	// Incremental use equals one pass, at every split and length (the
	// slicing path and the byte path).
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	whole := CRC64(0, data)
	for _, cut := range []int{0, 1, 7, 8, 9, 63, 500, 999, 1000} {
		if got := CRC64(CRC64(0, data[:cut]), data[cut:]); got != whole {
			t.Fatalf("split at %d: %016x, want %016x", cut, got, whole)
		}
	}
	// Against the bitwise definition (crc64.c's _crc64).
	for n := range 40 {
		if got, want := CRC64(0, data[:n]), bitwiseCRC64(data[:n]); got != want {
			t.Fatalf("len %d: %016x, bitwise %016x", n, got, want)
		}
	}
}

func bitwiseCRC64(p []byte) uint64 {
	var crc uint64
	for _, c := range p {
		for i := uint(0); i < 8; i++ {
			bit := crc&(1<<63) != 0
			if c&(1<<i) != 0 {
				bit = !bit
			}
			crc <<= 1
			if bit {
				crc ^= jonesPoly
			}
		}
	}
	// reflect 64 bits
	var out uint64
	for i := range 64 {
		if crc&(1<<uint(i)) != 0 {
			out |= 1 << uint(63-i)
		}
	}
	return out
}

func TestLZFRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var c lzfCompressor
	inputs := [][]byte{
		[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		bytes.Repeat([]byte("hello world "), 1000),
		[]byte("abc"), []byte("ab"), []byte("a"),
	}
	for range 300 {
		n := r.IntN(3000) + 1
		b := make([]byte, n)
		alpha := r.IntN(255) + 1
		for i := range b {
			if i > 10 && r.IntN(4) == 0 {
				b[i] = b[i-1-r.IntN(min(i, 9000))]
			} else {
				b[i] = byte(r.IntN(alpha))
			}
		}
		inputs = append(inputs, b)
	}
	compressed := 0
	for i, in := range inputs {
		for _, room := range []int{len(in) + 64, len(in), len(in) - 4, len(in) / 2} {
			if room <= 0 {
				continue
			}
			out := make([]byte, room)
			n := c.compress(in, out)
			if n == 0 {
				continue
			}
			if n > room {
				t.Fatalf("input %d: wrote %d bytes into %d", i, n, room)
			}
			compressed++
			back := make([]byte, len(in))
			if !lzfDecompress(out[:n], back) || !bytes.Equal(back, in) {
				t.Fatalf("input %d (len %d, room %d): round trip failed", i, len(in), room)
			}
			if lzfDecompress(out[:n], make([]byte, len(in)+1)) {
				t.Fatalf("input %d: decompressed into a wrong length", i)
			}
		}
	}
	if compressed < 250 {
		t.Fatalf("only %d compressions succeeded", compressed)
	}
	// Known Redis output: DUMP of 'a' x 51 in redis-server 7.0.15 holds
	// the LZF stream 01 61 61 e0 26 00 01 61 61.
	out := make([]byte, 47)
	n := c.compress(inputs[0], out)
	if got := fmt.Sprintf("% x", out[:n]); got != "01 61 61 e0 26 00 01 61 61" {
		t.Fatalf("lzf('a' x 51) = %s", got)
	}
}

func TestListpackEncoding(t *testing.T) {
	// Integer ranges at every encoding's edges, strings at every length
	// class, canonical and non-canonical integer strings.
	var elems [][]byte
	for _, v := range []int64{0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768,
		8388607, -8388608, 8388608, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MaxInt64, math.MinInt64} {
		elems = append(elems, []byte(strconv.FormatInt(v, 10)))
	}
	for _, n := range []int{0, 1, 63, 64, 4095, 4096, 70000} {
		elems = append(elems, bytes.Repeat([]byte("x"), n))
	}
	elems = append(elems, []byte("-0"), []byte("007"), []byte("+5"), []byte("99999999999999999999"), []byte("1 "))
	lp, start := lpBegin(nil)
	size := 7
	for _, e := range elems {
		lp = lpAppendStr(lp, e)
		size += lpElemSize(e)
	}
	lp = lpEnd(lp, start, len(elems))
	if len(lp) != size {
		t.Fatalf("listpack is %d bytes, lpElemSize sums to %d", len(lp), size)
	}
	got, problem := lpDecode(lp)
	if problem != "" {
		t.Fatal(problem)
	}
	var d decoder
	for i, e := range got {
		if b := d.elemText(e); !bytes.Equal(b, elems[i]) {
			t.Fatalf("element %d: %q, want %q", i, b, elems[i])
		}
	}
	// Every truncation and every single-byte change either fails
	// validation or decodes to something; none panics.
	for i := range lp {
		if _, p := lpDecode(lp[:i]); p == "" {
			t.Fatalf("listpack truncated to %d bytes validated", i)
		}
	}
	for i := range min(len(lp), 3000) {
		c := bytes.Clone(lp)
		c[i] ^= 0x55
		lpDecode(c)
	}
}

func TestIntsetWidths(t *testing.T) {
	for _, tc := range []struct {
		vs []int64
		w  int
	}{{[]int64{1, 2, 3}, 2}, {[]int64{-40000, 5}, 4}, {[]int64{1 << 40}, 8}, {[]int64{math.MinInt16, math.MaxInt16}, 2}} {
		if w := intsetMinWidth(tc.vs); w != tc.w {
			t.Errorf("%v: width %d, want %d", tc.vs, w, tc.w)
		}
		for _, w := range []int{tc.w, 8} {
			vs, gw, p := decodeIntset(appendIntset(nil, tc.vs, w))
			if p != "" || gw != w || !reflect.DeepEqual(vs, tc.vs) {
				t.Errorf("%v at width %d: %v %d %q", tc.vs, w, vs, gw, p)
			}
		}
	}
	if _, _, p := decodeIntset(appendIntset(nil, []int64{2, 1}, 2)); p == "" {
		t.Error("an unsorted intset validated")
	}
	if _, _, p := decodeIntset(appendIntset(nil, nil, 2)); p == "" {
		t.Error("an empty intset validated")
	}
}

func TestQuicklistSplit(t *testing.T) {
	item := bytes.Repeat([]byte("v"), 100) // 103 listpack bytes each
	items := make([][]byte, 200)
	for i := range items {
		items[i] = item
	}
	// fill -2: 8 KiB nodes. A node of n items takes one more while
	// 7+103n+100+8 <= 8192, so up to 79.
	nodes := quicklistNodes(items, -2)
	if nodes[0].Count != 79 {
		t.Fatalf("first node holds %d items, want 79", nodes[0].Count)
	}
	// fill 5: five per node.
	for _, n := range quicklistNodes(items, 5) {
		if n.Count != 5 {
			t.Fatalf("fill 5 gave a node of %d", n.Count)
		}
	}
	// fill -6 is clamped to -5 (64 KiB), as quicklistSetFill does.
	if n := quicklistNodes(items[:3], -6); len(n) != 1 {
		t.Fatalf("fill -6 gave %d nodes for 3 items", len(n))
	}
	// fill 0: one item per node.
	if n := quicklistNodes(items[:3], 0); len(n) != 3 {
		t.Fatalf("fill 0 gave %d nodes for 3 items", len(n))
	}
}

// sampleValues covers every type and every encoding the writer produces.
func sampleValues() map[string]*Value {
	long := bytes.Repeat([]byte("compressible "), 40)
	many := func(n int, f func(i int) string) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = []byte(f(i))
		}
		return out
	}
	scores := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = float64(i)*1.5 - 3
		}
		return s
	}
	vs := map[string]*Value{
		"str:int8":     {Type: TypeString, Str: []byte("-12")},
		"str:int16":    {Type: TypeString, Str: []byte("30000")},
		"str:int32":    {Type: TypeString, Str: []byte("-2147483648")},
		"str:int64":    {Type: TypeString, Str: []byte("9223372036854775807")},
		"str:raw":      {Type: TypeString, Str: []byte("hello")},
		"str:empty":    {Type: TypeString, Str: []byte{}},
		"str:lzf":      {Type: TypeString, Str: long},
		"str:noncanon": {Type: TypeString, Str: []byte("0012")},
		"list:small":   {Type: TypeList, Elems: many(5, func(i int) string { return "e" + strconv.Itoa(i) })},
		"list:ints":    {Type: TypeList, Elems: many(300, func(i int) string { return strconv.Itoa(i * 1000) })},
		"list:long":    {Type: TypeList, Elems: many(2000, func(i int) string { return fmt.Sprintf("item-%d-%s", i, long[:i%50]) })},
		"list:nodes": {Type: TypeList, Elems: many(10, func(i int) string { return "x" }),
			ListNodes: []ListNode{{Count: 3}, {Count: 1, Plain: true}, {Count: 6, Compressed: true}}},
		"set:intset16": {Type: TypeSet, Encoding: EncodingIntset, Elems: many(10, func(i int) string { return strconv.Itoa(i - 5) })},
		"set:intset64": {Type: TypeSet, Encoding: EncodingIntset, Elems: many(3, func(i int) string { return strconv.Itoa(i << 40) })},
		"set:widened":  {Type: TypeSet, Encoding: EncodingIntset, IntsetWidth: 8, Elems: many(3, func(i int) string { return strconv.Itoa(i) })},
		"set:ht":       {Type: TypeSet, Encoding: EncodingHashtable, Elems: many(50, func(i int) string { return "m" + strconv.Itoa(i) })},
		"zset:lp": {Type: TypeZSet, Encoding: EncodingListpack, Elems: many(5, func(i int) string { return "m" + strconv.Itoa(i) }),
			Scores: []float64{math.Inf(-1), -1.5, 0, 3.14159, math.Inf(1)}},
		"zset:skiplist": {Type: TypeZSet, Encoding: EncodingSkiplist, Elems: many(200, func(i int) string { return "member:" + strconv.Itoa(i) }), Scores: scores(200)},
		"hash:lp":       {Type: TypeHash, Encoding: EncodingListpack, Elems: many(10, func(i int) string { return strconv.Itoa(i * 7) })},
		"hash:ht":       {Type: TypeHash, Encoding: EncodingHashtable, Elems: many(400, func(i int) string { return "f" + strconv.Itoa(i) })},
		"stream:empty":  {Type: TypeStream, Stream: &Stream{LastID: StreamID{5, 1}, EntriesAdded: 3}},
		"stream":        {Type: TypeStream, Stream: sampleStream()},
	}
	return vs
}

func sampleStream() *Stream {
	f := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i := range s {
			out[i] = []byte(s[i])
		}
		return out
	}
	return &Stream{
		Nodes: []StreamNode{
			{Master: StreamID{100, 0}, MasterFields: f("a", "b"), Entries: []StreamEntry{
				{ID: StreamID{100, 0}, Fields: f("a", "1", "b", "2")},
				{ID: StreamID{100, 1}, Deleted: true, Fields: f("a", "x", "b", "y")},
				{ID: StreamID{105, 0}, Fields: f("c", "3")},
			}},
			{Master: StreamID{200, 5}, MasterFields: f("k"), Entries: []StreamEntry{
				{ID: StreamID{200, 5}, Fields: f("k", "v")},
			}},
		},
		Length: 3, LastID: StreamID{200, 5}, FirstID: StreamID{100, 0}, MaxDeletedID: StreamID{100, 1}, EntriesAdded: 4,
		Groups: []StreamGroup{
			{Name: []byte("g1"), LastID: StreamID{200, 5}, EntriesRead: 4,
				PEL: []StreamPending{{ID: StreamID{100, 0}, DeliveryTime: 1700000000000, DeliveryCount: 2}, {ID: StreamID{200, 5}, DeliveryTime: 1700000000001, DeliveryCount: 1}},
				Consumers: []StreamConsumer{
					{Name: []byte("alice"), SeenTime: 1700000000002, PEL: []StreamID{{100, 0}}},
					{Name: []byte("bob"), SeenTime: 1700000000003, PEL: []StreamID{{200, 5}}},
					{Name: []byte("idle"), SeenTime: 1},
				}},
			{Name: []byte("g2"), EntriesRead: -1},
		},
	}
}

// expectRead is what reading v back gives: the encoding the writer chose
// and the fields a reader fills.
func expectRead(v *Value, opts Options) *Value {
	e := encoder{opts: opts}
	t, _ := e.rdbType(v)
	w := *v
	w.FileType = t
	switch t {
	case RDBTypeString:
		w.Encoding = EncodingRaw
	case RDBTypeListQuicklist2:
		w.Encoding = EncodingQuicklist
		if w.ListNodes == nil {
			w.ListNodes = quicklistNodes(v.Elems, -2)
		}
	case RDBTypeSetIntset:
		w.Encoding = EncodingIntset
		if w.IntsetWidth == 0 {
			var ints []int64
			for _, m := range v.Elems {
				i, _ := parseInt(m)
				ints = append(ints, i)
			}
			w.IntsetWidth = intsetMinWidth(ints)
		}
	case RDBTypeSet, RDBTypeHash:
		w.Encoding = EncodingHashtable
	case RDBTypeZSetListpack, RDBTypeHashListpack:
		w.Encoding = EncodingListpack
	case RDBTypeZSet2:
		w.Encoding = EncodingSkiplist
	case RDBTypeStreamListpacks2:
		w.Encoding = EncodingStream
	}
	return &w
}

func equalValues(t *testing.T, name string, got, want *Value) {
	t.Helper()
	g, w := normalize(got), normalize(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: read back\n%+v\nwant\n%+v", name, g, w)
	}
}

// normalize makes values comparable: empty and nil slices alike, node
// compression flags dropped (a node too small to compress is stored
// plain).
func normalize(v *Value) *Value {
	c := *v
	if len(c.Str) == 0 {
		c.Str = nil
	}
	if len(c.Elems) == 0 {
		c.Elems = nil
	}
	if len(c.Scores) == 0 {
		c.Scores = nil
	}
	if c.ListNodes != nil {
		nodes := make([]ListNode, len(c.ListNodes))
		for i, n := range c.ListNodes {
			nodes[i] = ListNode{Count: n.Count, Plain: n.Plain}
		}
		c.ListNodes = nodes
	}
	if c.Stream != nil {
		s := *c.Stream
		if len(s.Nodes) == 0 {
			s.Nodes = nil
		}
		if len(s.Groups) == 0 {
			s.Groups = nil
		}
		gs := make([]StreamGroup, len(s.Groups))
		for i, g := range s.Groups {
			if len(g.PEL) == 0 {
				g.PEL = nil
			}
			if len(g.Consumers) == 0 {
				g.Consumers = nil
			}
			cs := make([]StreamConsumer, len(g.Consumers))
			for k, cn := range g.Consumers {
				if len(cn.PEL) == 0 {
					cn.PEL = nil
				}
				cs[k] = cn
			}
			if g.Consumers != nil {
				g.Consumers = cs
			}
			gs[i] = g
		}
		if s.Groups != nil {
			s.Groups = gs
		}
		c.Stream = &s
	}
	return &c
}

func writeSample(t *testing.T, opts Options) ([]byte, map[string]*Value) {
	vs := sampleValues()
	w := NewWriter(nil, opts)
	w.InfoAux(Info{RedisVer: "7.0.15", Bits: 64, CTime: 1700000000, UsedMem: 1 << 20,
		Repl: &ReplInfo{StreamDB: 0, ID: "0123456789012345678901234567890123456789", Offset: 12345}})
	w.Function([]byte("#!lua name=lib\nredis.register_function('f', function() return 1 end)"))
	names := sortedNames(vs)
	w.SelectDB(0, uint64(len(names)), 1)
	for i, name := range names {
		meta := NoMeta
		if i == 0 {
			meta.ExpireAtMs = 4102444800000
		}
		if err := w.Key([]byte(name), vs[name], meta); err != nil {
			t.Fatal(err)
		}
	}
	w.SelectDB(3, 1, 0)
	if err := w.Key([]byte("in-db-3"), &Value{Type: TypeString, Str: []byte("x")}, KeyMeta{ExpireAtMs: -1, Idle: 7, Freq: 200}); err != nil {
		t.Fatal(err)
	}
	return w.Finish(), vs
}

func sortedNames(vs map[string]*Value) []string {
	names := make([]string, 0, len(vs))
	for n := range vs {
		names = append(names, n)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	return names
}

func TestRoundTripEveryEncoding(t *testing.T) {
	for _, opts := range []Options{DefaultOptions(), {ListFill: 7, ListCompressDepth: 1}, {Compression: true, Checksum: true, ListFill: -1, ListCompressDepth: 2}} {
		data, vs := writeSample(t, opts)
		f, err := ReadAll(data, ReadOptions{})
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		if f.Version != 10 || f.Size != len(data) || len(f.Functions) != 1 {
			t.Fatalf("version %d size %d/%d functions %d", f.Version, f.Size, len(data), len(f.Functions))
		}
		wantAux := []string{"redis-ver", "7.0.15", "redis-bits", "64", "ctime", "1700000000", "used-mem", "1048576",
			"repl-stream-db", "0", "repl-id", "0123456789012345678901234567890123456789", "repl-offset", "12345", "aof-base", "0"}
		var gotAux []string
		for _, a := range f.Aux {
			gotAux = append(gotAux, a.Key, a.Value)
		}
		if !reflect.DeepEqual(gotAux, wantAux) {
			t.Fatalf("aux %q", gotAux)
		}
		if len(f.Keys) != len(vs)+1 {
			t.Fatalf("%d keys, want %d", len(f.Keys), len(vs)+1)
		}
		for i, k := range f.Keys[:len(vs)] {
			want := expectRead(vs[string(k.Key)], opts)
			if want.Type == TypeList && vs[string(k.Key)].ListNodes == nil {
				fill := opts.ListFill
				if fill == 0 {
					fill = -2
				}
				want.ListNodes = quicklistNodes(want.Elems, fill)
			}
			equalValues(t, string(k.Key), k.Value, want)
			if wantExp := int64(-1); i == 0 && k.Meta.ExpireAtMs != 4102444800000 || i > 0 && k.Meta.ExpireAtMs != wantExp {
				t.Errorf("%s: meta %+v", k.Key, k.Meta)
			}
		}
		last := f.Keys[len(f.Keys)-1]
		if last.DB != 3 || last.Meta.Idle != 7 || last.Meta.Freq != 200 {
			t.Errorf("last key %+v", last)
		}
	}
}

func TestChecksumOffAndVerification(t *testing.T) {
	opts := DefaultOptions()
	opts.Checksum = false
	data, _ := writeSample(t, opts)
	if !bytes.Equal(data[len(data)-8:], make([]byte, 8)) {
		t.Fatal("checksum off still wrote a CRC")
	}
	if _, err := ReadAll(data, ReadOptions{}); err != nil {
		t.Fatalf("a zero checksum is not checked: %v", err)
	}
	data, _ = writeSample(t, DefaultOptions())
	data[len(data)-1] ^= 1
	if _, err := ReadAll(data, ReadOptions{}); !errors.Is(err, ErrChecksum) {
		t.Fatalf("a damaged checksum: %v", err)
	}
	if _, err := ReadAll(data, ReadOptions{SkipChecksum: true}); err != nil {
		t.Fatalf("SkipChecksum: %v", err)
	}
}

func TestDumpRoundTrip(t *testing.T) {
	for name, v := range sampleValues() {
		p, err := Dump(nil, v, DefaultOptions())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ver, err := VerifyDump(p, false); err != nil || ver != 10 {
			t.Fatalf("%s: verify %d %v", name, ver, err)
		}
		got, err := DecodeDump(p, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := expectRead(v, DefaultOptions())
		equalValues(t, name, got, want)
		// Footer errors.
		bad := bytes.Clone(p)
		bad[len(bad)-10] = 11
		if _, err := DecodeDump(bad, false); !errors.Is(err, ErrDumpFooter) {
			t.Fatalf("%s: version 11: %v", name, err)
		}
		if _, err := DecodeDump(bad, true); !errors.Is(err, ErrDumpFooter) {
			t.Fatalf("%s: version 11 without checksum: %v", name, err)
		}
		bad = bytes.Clone(p)
		bad[0] ^= 0x40
		if _, err := DecodeDump(bad, false); !errors.Is(err, ErrDumpFooter) {
			t.Fatalf("%s: damaged: %v", name, err)
		}
	}
	if _, err := VerifyDump([]byte("short"), false); !errors.Is(err, ErrDumpFooter) {
		t.Fatal(err)
	}
	// Empty collections are refused with ErrEmptyKey.
	p := withFooter([]byte{RDBTypeSet, 0})
	if _, err := DecodeDump(p, false); !errors.Is(err, ErrEmptyKey) {
		t.Fatalf("empty set payload: %v", err)
	}
}

func withFooter(b []byte) []byte {
	b = append(b, 10, 0)
	crc := CRC64(0, b)
	for i := range 8 {
		b = append(b, byte(crc>>(8*i)))
	}
	return b
}

func TestWriterRefusesBadValues(t *testing.T) {
	bad := []*Value{
		{Type: TypeSet},
		{Type: TypeList},
		{Type: TypeHash, Elems: [][]byte{[]byte("f")}},
		{Type: TypeZSet, Elems: [][]byte{[]byte("m")}, Scores: []float64{math.NaN()}},
		{Type: TypeZSet, Elems: [][]byte{[]byte("m")}},
		{Type: TypeSet, Encoding: EncodingIntset, Elems: [][]byte{[]byte("x")}},
		{Type: TypeSet, Encoding: EncodingIntset, IntsetWidth: 2, Elems: [][]byte{[]byte("100000")}},
		{Type: TypeList, Encoding: EncodingListpack, Elems: [][]byte{[]byte("x")}},
		{Type: TypeList, Elems: [][]byte{[]byte("x")}, ListNodes: []ListNode{{Count: 2}}},
		{Type: TypeStream},
		{Type: Type(9)},
	}
	w := NewWriter(nil, DefaultOptions())
	w.SelectDB(0, 1, 0)
	before := w.Len()
	for i, v := range bad {
		if err := w.Key([]byte("k"), v, NoMeta); err == nil {
			t.Errorf("value %d written", i)
		}
		if w.Len() != before {
			t.Fatalf("value %d left %d bytes", i, w.Len()-before)
		}
	}
}

// TestCorruptInputRefused truncates a file at every offset and flips
// bytes all over it: every read ends in an error (or, for a flip the
// checksum does not cover, a clean read), and nothing panics.
func TestCorruptInputRefused(t *testing.T) {
	data, _ := writeSample(t, DefaultOptions())
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < len(data); i += 1 + r.IntN(max(1, len(data)/2000)) {
		if _, err := ReadAll(data[:i], ReadOptions{}); err == nil {
			t.Fatalf("a file truncated to %d of %d bytes read cleanly", i, len(data))
		}
	}
	for range 3000 {
		c := bytes.Clone(data)
		for range 1 + r.IntN(3) {
			c[r.IntN(len(c))] ^= byte(1 + r.IntN(255))
		}
		if _, err := ReadAll(c, ReadOptions{}); err == nil && bytes.Equal(c[:9], data[:9]) {
			t.Fatal("a damaged file read cleanly despite its checksum")
		}
		// Without the checksum, structure checks alone must hold up.
		if _, err := ReadAll(c, ReadOptions{SkipChecksum: true}); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(c) {
				t.Fatalf("error without a valid offset: %v", err)
			}
		}
	}
	// Every value's payload, truncated and flipped, without checksums.
	for name, v := range sampleValues() {
		p, _ := EncodeValue(nil, v, DefaultOptions())
		for i := 0; i < len(p); i += 1 + r.IntN(max(1, len(p)/500)) {
			if _, err := DecodeValue(p[:i]); err == nil {
				t.Fatalf("%s truncated to %d of %d bytes decoded", name, i, len(p))
			}
		}
		for range 200 {
			c := bytes.Clone(p)
			c[r.IntN(len(c))] ^= byte(1 + r.IntN(255))
			_, _ = DecodeValue(c)
		}
	}
}

func TestHugeCountsDoNotAllocate(t *testing.T) {
	for _, p := range [][]byte{
		{RDBTypeSet, 0x81, 0, 0, 0, 1, 0, 0, 0, 0},
		{RDBTypeList, 0x80, 0xff, 0xff, 0xff, 0xff},
		{RDBTypeString, 0xc3, 0x01, 0x80, 0x7f, 0xff, 0xff, 0xff, 0},
		{RDBTypeStreamListpacks2, 0x80, 0x7f, 0xff, 0xff, 0xff},
		{RDBTypeString, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := DecodeValue(p); err == nil {
			t.Errorf("% x decoded", p)
		}
	}
}

func FuzzReader(f *testing.F) {
	// Small seeds: the fuzzer mutates and minimizes them quickly.
	small := map[string]*Value{
		"zset:skiplist": {Type: TypeZSet, Encoding: EncodingSkiplist, Elems: [][]byte{[]byte("a"), []byte("b")}, Scores: []float64{1, 2}},
		"hash:ht":       {Type: TypeHash, Encoding: EncodingHashtable, Elems: [][]byte{[]byte("f"), []byte("v")}},
		"list:nodes": {Type: TypeList, Elems: [][]byte{[]byte("a"), []byte("b"), []byte("c")},
			ListNodes: []ListNode{{Count: 1}, {Count: 1, Plain: true}, {Count: 1}}},
	}
	for name, v := range sampleValues() {
		if e, _ := EncodeValue(nil, v, DefaultOptions()); len(e) < 600 {
			small[name] = v
		}
	}
	w := NewWriter(nil, DefaultOptions())
	w.InfoAux(Info{RedisVer: "7.0.15", Bits: 64})
	w.Function([]byte("#!lua name=l\nredis.register_function('f', function() return 1 end)"))
	w.SelectDB(0, uint64(len(small)), 0)
	for _, name := range sortedNames(small) {
		if err := w.Key([]byte(name), small[name], KeyMeta{ExpireAtMs: 1, Idle: -1, Freq: -1}); err != nil {
			f.Fatal(err)
		}
		p, _ := EncodeValue(nil, small[name], DefaultOptions())
		f.Add(append([]byte("REDIS0010\xfe\x00"), append(append([]byte{p[0], 1, 'k'}, p[1:]...), 0xff, 0, 0, 0, 0, 0, 0, 0, 0)...))
	}
	f.Add(w.Finish())
	f.Add(oldFile(&testing.T{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ReadAll(b, ReadOptions{SkipChecksum: true}); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of the wrong type: %v", err)
			}
		}
		if len(b) > 0 {
			_, _ = DecodeValue(b[1:])
			_, _ = DecodeDump(b, true)
		}
	})
}
