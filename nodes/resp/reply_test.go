package resp

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// valueEqual compares Values field by field, doubles by bits (so NaN equals
// itself) and byte strings by content (so nil equals empty).
func valueEqual(a, b Value) bool {
	if a.Kind != b.Kind || a.IsNull != b.IsNull || a.Int != b.Int || !bytes.Equal(a.Str, b.Str) ||
		math.Float64bits(a.Float) != math.Float64bits(b.Float) ||
		len(a.Elems) != len(b.Elems) || len(a.Attrs) != len(b.Attrs) {
		return false
	}
	for i := range a.Elems {
		if !valueEqual(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	for i := range a.Attrs {
		if !valueEqual(a.Attrs[i], b.Attrs[i]) {
			return false
		}
	}
	return true
}

// readAll parses every reply in the chunks, fed one after the other.
func readAll(t testing.TB, chunks ...[]byte) ([]Value, error) {
	t.Helper()
	return readChunks(NewReplyReader(), chunks)
}

// readAllReuse is readAll with a reusing reader (SetReuse): each Value is
// cloned before the next Next, which may overwrite it.
func readAllReuse(t testing.TB, chunks ...[]byte) ([]Value, error) {
	t.Helper()
	r := NewReplyReader()
	r.SetReuse(true)
	return readChunks(r, chunks)
}

func readChunks(r *ReplyReader, chunks [][]byte) ([]Value, error) {
	var vals []Value
	for _, c := range chunks {
		r.Feed(c)
		for {
			v, ok, err := r.Next()
			if err != nil {
				return vals, err
			}
			if !ok {
				break
			}
			if r.reuse {
				v = v.Clone()
			}
			vals = append(vals, v)
		}
	}
	return vals, nil
}

func TestReplyReaderKinds(t *testing.T) {
	str := func(k Kind, s string) Value { return Value{Kind: k, Str: []byte(s)} }
	tests := []struct {
		in   string
		want Value
	}{
		{"+OK\r\n", str(KindSimpleString, "OK")},
		{"+\r\n", str(KindSimpleString, "")},
		{"+a\rb\r\r\n", str(KindSimpleString, "a\rb\r")}, // a line ends at CRLF, not at a bare CR
		{"-ERR x\ry\r\n", str(KindError, "ERR x\ry")},
		{"-ERR unknown command 'x'\r\n", str(KindError, "ERR unknown command 'x'")},
		{":12345\r\n", Value{Kind: KindInt, Int: 12345}},
		{":-9223372036854775808\r\n", Value{Kind: KindInt, Int: math.MinInt64}},
		{":+7\r\n", Value{Kind: KindInt, Int: 7}},
		{"$5\r\nhello\r\n", str(KindBulk, "hello")},
		{"$0\r\n\r\n", str(KindBulk, "")},
		{"$4\r\na\r\nb\r\n", str(KindBulk, "a\r\nb")},
		{"$-1\r\n", Value{Kind: KindBulk, IsNull: true}},
		{"*-1\r\n", Value{Kind: KindArray, IsNull: true}},
		{"*0\r\n", Value{Kind: KindArray, Elems: []Value{}}},
		{"*2\r\n:1\r\n$1\r\nx\r\n", Value{Kind: KindArray, Elems: []Value{{Kind: KindInt, Int: 1}, str(KindBulk, "x")}}},
		{"_\r\n", Value{Kind: KindNull, IsNull: true}},
		{",3.141\r\n", Value{Kind: KindDouble, Float: 3.141, Str: []byte("3.141")}},
		{",inf\r\n", Value{Kind: KindDouble, Float: math.Inf(1), Str: []byte("inf")}},
		{",-inf\r\n", Value{Kind: KindDouble, Float: math.Inf(-1), Str: []byte("-inf")}},
		{",1e+20\r\n", Value{Kind: KindDouble, Float: 1e20, Str: []byte("1e+20")}},
		{"#t\r\n", Value{Kind: KindBool, Int: 1}},
		{"#f\r\n", Value{Kind: KindBool}},
		{"(1234567999999999999999999999999999999\r\n", str(KindBigNum, "1234567999999999999999999999999999999")},
		{"!21\r\nSYNTAX invalid syntax\r\n", str(KindBlobError, "SYNTAX invalid syntax")},
		{"=29\r\ntxt:This is a verbatim\nstring\r\n", str(KindVerbatim, "txt:This is a verbatim\nstring")},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n#f\r\n", Value{Kind: KindMap, Elems: []Value{
			str(KindBulk, "a"), {Kind: KindInt, Int: 1}, str(KindBulk, "b"), {Kind: KindBool}}}},
		{"~1\r\n+x\r\n", Value{Kind: KindSet, Elems: []Value{str(KindSimpleString, "x")}}},
		{">2\r\n$7\r\nmessage\r\n:42\r\n", Value{Kind: KindPush, Elems: []Value{str(KindBulk, "message"), {Kind: KindInt, Int: 42}}}},
		{"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$2\r\nok\r\n", Value{Kind: KindBulk, Str: []byte("ok"),
			Attrs: []Value{str(KindBulk, "key-popularity"), {Kind: KindArray, Elems: []Value{str(KindBulk, "key:123"), {Kind: KindInt, Int: 90}}}}}},
		{"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", Value{Kind: KindArray, Elems: []Value{
			{Kind: KindInt, Int: 1, Attrs: []Value{str(KindSimpleString, "a"), str(KindSimpleString, "b")}}, {Kind: KindInt, Int: 2}}}},
		{"|0\r\n:5\r\n", Value{Kind: KindInt, Int: 5, Attrs: []Value{}}},
	}
	for _, tc := range tests {
		vals, err := readAll(t, []byte(tc.in))
		if err != nil || len(vals) != 1 {
			t.Errorf("%q: %d values, %v", tc.in, len(vals), err)
			continue
		}
		if !valueEqual(vals[0], tc.want) {
			t.Errorf("%q: got %s %+v, want %+v", tc.in, vals[0], vals[0], tc.want)
		}
		// Re-encoding gives the bytes back (the inputs use canonical spellings
		// except ":+7").
		if enc := string(AppendValue(nil, vals[0])); enc != tc.in && tc.in != ":+7\r\n" {
			t.Errorf("%q: re-encoded as %q", tc.in, enc)
		}
	}
}

func TestReplyReaderHelpers(t *testing.T) {
	vals, err := readAll(t, []byte("=8\r\nmkd:# hi\r\n-ERR x\r\n!1\r\ny\r\n+ok\r\n"))
	if err != nil || len(vals) != 4 {
		t.Fatal(vals, err)
	}
	if f, text := vals[0].VerbatimText(); string(f) != "mkd" || string(text) != "# hi" {
		t.Fatalf("%q %q", f, text)
	}
	if f, text := vals[3].VerbatimText(); f != nil || string(text) != "ok" {
		t.Fatalf("%q %q", f, text)
	}
	if vals[0].IsError() || !vals[1].IsError() || !vals[2].IsError() || vals[3].IsError() {
		t.Fatal("IsError")
	}
	v := Value{Kind: KindArray, Elems: []Value{{Kind: KindInt, Int: 3}, {Kind: KindBulk, IsNull: true},
		{Kind: KindDouble, Float: 1.5}, {Kind: KindBool, Int: 1}, {Kind: KindError, Str: []byte("ERR x")}}}
	if got := v.String(); got != `[(integer) 3 (nil) (double) 1.5 (true) (error) ERR x]` {
		t.Fatalf("String() = %s", got)
	}
	if KindMap.String() != "map" || Kind('?').String() != "invalid" {
		t.Fatal("Kind.String")
	}
}

func TestReplyReaderMalformed(t *testing.T) {
	for _, in := range []string{
		"?\r\n", "\r\n", ":abc\r\n", ":\r\n", ":1.5\r\n", ":99999999999999999999\r\n", "$-2\r\n", "$x\r\n", "$\r\n",
		"$3\r\nabcde\r\n", "*-2\r\n", "*x\r\n", "%-1\r\n", "~-1\r\n", "!-1\r\n", "_x\r\n", "#x\r\n", "#\r\n",
		",abc\r\n", ",\r\n", ",1x\r\n", "(12a\r\n", "(\r\n", "=3\r\ntxt\r\n", "=5\r\ntxt-x\r\n", "$?\r\n", "*?\r\n",
		"*1\r\n?\r\n", "|x\r\n", "*9999999999\r\n",
	} {
		vals, err := readAll(t, []byte(in))
		var se *SyntaxError
		if !errors.As(err, &se) || len(vals) != 0 {
			t.Errorf("%q: %v, %v; want a SyntaxError", in, vals, err)
			continue
		}
		if !strings.HasPrefix(se.Error(), "resp: ") {
			t.Errorf("%q: %q", in, se.Error())
		}
	}
	// Errors are sticky, and the offset counts consumed bytes.
	r := NewReplyReader()
	r.Feed([]byte("+OK\r\n"))
	if _, ok, _ := r.Next(); !ok {
		t.Fatal("no OK")
	}
	r.Feed([]byte("+OK\r\n:x\r\n"))
	r.Next()
	_, _, err1 := r.Next()
	r.Feed([]byte("+OK\r\n"))
	_, ok, err2 := r.Next()
	if err1 == nil || err1 != err2 || ok {
		t.Fatal(err1, err2, ok)
	}
	if se := err1.(*SyntaxError); se.Offset != 10 {
		t.Fatalf("offset %d, want 10", se.Offset)
	}
	r.Reset()
	r.Feed([]byte("+OK\r\n"))
	if _, ok, err := r.Next(); !ok || err != nil {
		t.Fatal("after Reset", ok, err)
	}
}

func TestReplyReaderLimits(t *testing.T) {
	deep := strings.Repeat("*1\r\n", 20) + ":1\r\n"
	r := NewReplyReader()
	r.SetMaxDepth(10)
	r.Feed([]byte(deep))
	if _, _, err := r.Next(); err == nil {
		t.Fatal("nesting over the limit accepted")
	}
	r = NewReplyReader()
	r.SetMaxDepth(20)
	r.Feed([]byte(deep))
	if _, ok, err := r.Next(); !ok || err != nil {
		t.Fatal("nesting at the limit refused", err)
	}
	r = NewReplyReader()
	r.SetMaxBulkLen(10)
	r.Feed([]byte("$11\r\n"))
	if _, _, err := r.Next(); err == nil {
		t.Fatal("bulk over the limit accepted")
	}
	// A huge claimed count costs nothing until its elements arrive.
	r = NewReplyReader()
	r.Feed([]byte("*2147483647\r\n:1\r\n"))
	if _, ok, err := r.Next(); ok || err != nil {
		t.Fatal(ok, err)
	}
}

// A stream of replies split in two at every byte parses the same.
func TestReplyReaderSplitAtEveryBoundary(t *testing.T) {
	var w Writer
	for _, proto := range []int{2, 3} {
		w.SetProto(proto)
		w.WriteOK()
		w.WriteError("ERR x")
		w.WriteInt(-5)
		w.WriteBulkString("hello\r\nworld")
		w.WriteNull()
		w.WriteNullArray()
		w.WriteMapLen(2)
		w.WriteBulkString("a")
		w.WriteDouble(1.1)
		w.WriteBulkString("b")
		w.WriteSetLen(2)
		w.WriteBool(true)
		w.WriteBigNum("-123")
		w.WritePushLen(1)
		w.WriteVerbatimString("text", "txt")
		w.WriteArrayLen(0)
	}
	w.WriteRaw([]byte("|1\r\n+k\r\n+v\r\n*1\r\n|0\r\n!3\r\nERR\r\n"))
	stream := append([]byte(nil), w.Bytes()...)
	want, err := readAll(t, stream)
	if err != nil || len(want) != 19 {
		t.Fatalf("%d values, %v", len(want), err)
	}
	// At every split, the same Values; a reusing reader lends the same.
	for _, read := range []func(testing.TB, ...[]byte) ([]Value, error){readAll, readAllReuse} {
		for i := 0; i <= len(stream); i++ {
			got, err := read(t, stream[:i], stream[i:])
			if err != nil || len(got) != len(want) {
				t.Fatalf("split at %d: %d values, %v", i, len(got), err)
			}
			for j := range got {
				if !valueEqual(got[j], want[j]) {
					t.Fatalf("split at %d: value %d is %s, want %s", i, j, got[j], want[j])
				}
			}
		}
	}
	var chunks [][]byte
	for i := range stream {
		chunks = append(chunks, stream[i:i+1])
	}
	got, err := readAll(t, chunks...)
	if err != nil || len(got) != len(want) {
		t.Fatalf("bytewise: %d values, %v", len(got), err)
	}
	// Values stay valid after later Feeds reuse the buffer.
	if string(got[3].Str) != "hello\r\nworld" {
		t.Fatalf("%q", got[3].Str)
	}
}

// TestReplyReaderReuse: a reusing reader parses an SMEMBERS-like reply,
// again and again, without allocating, and the next reply overwrites the
// last one's elements; a Clone taken before keeps its own.
func TestReplyReaderReuse(t *testing.T) {
	var w Writer
	w.WriteArrayLen(100)
	for i := 0; i < 100; i++ {
		w.WriteBulkString("member:" + strconv.Itoa(i))
	}
	reply := append([]byte(nil), w.Bytes()...)
	r := NewReplyReader()
	r.SetReuse(true)
	next := func() Value {
		r.Feed(reply)
		v, ok, err := r.Next()
		if err != nil || !ok || len(v.Elems) != 100 || string(v.Elems[99].Str) != "member:99" {
			t.Fatalf("%v %v %s", ok, err, v)
		}
		return v
	}
	first := next()
	kept := first.Clone()
	if allocs := testing.AllocsPerRun(100, func() { next() }); allocs != 0 {
		t.Errorf("a reused reply allocates %v times, want 0", allocs)
	}
	second := next()
	if &first.Elems[0] != &second.Elems[0] {
		t.Errorf("the second reply's elements are not in the first's arena")
	}
	first.Elems[0].Str[0] = 'X' // what the next reply would do to it
	if string(kept.Elems[0].Str) != "member:0" {
		t.Errorf("the clone shares memory with the reply: %q", kept.Elems[0].Str)
	}
	// Without reuse every reply is its own.
	r = NewReplyReader()
	r.Feed(reply)
	a, _, _ := r.Next()
	r.Feed(reply)
	b, _, _ := r.Next()
	if &a.Elems[0] == &b.Elems[0] || &a.Elems[0].Str[0] == &b.Elems[0].Str[0] {
		t.Errorf("a reader without reuse shares memory between replies")
	}
}

// Writer output in both versions parses back to what was written, and
// re-encodes to the same bytes in RESP3 (whose kinds AppendValue keeps).
func TestReplyRoundTrip(t *testing.T) {
	w := NewWriter(3)
	w.WriteArrayLen(3)
	w.WriteMapLen(1)
	w.WriteBulkString("k")
	w.WriteSetLen(2)
	w.WriteDouble(math.Inf(-1))
	w.WriteDouble(0.1)
	w.WriteNull()
	w.WriteBigNum("1")
	in := append([]byte(nil), w.Bytes()...)
	vals, err := readAll(t, in)
	if err != nil || len(vals) != 1 {
		t.Fatal(vals, err)
	}
	var out []byte
	for _, v := range vals {
		out = AppendValue(out, v)
	}
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded %q, want %q", out, in)
	}
	// Hand-built values.
	v := Value{Kind: KindArray, Elems: []Value{{Kind: KindDouble, Float: 1.1}, {Kind: KindBool}, {Kind: KindMap},
		{Kind: KindBulk, IsNull: true}, {Kind: KindArray, IsNull: true}, {}}}
	if got := string(AppendValue(nil, v)); got != "*6\r\n,1.1000000000000001\r\n#f\r\n%0\r\n$-1\r\n*-1\r\n_\r\n" {
		t.Fatalf("%q", got)
	}
}

// A replica reads "+FULLRESYNC", then the RDB payload raw ("$<len>\r\n"
// and bytes with no CRLF after them), then the command stream.
func TestReplyReaderPeekDiscard(t *testing.T) {
	r := NewReplyReader()
	r.Feed([]byte("+FULLRESYNC abc 0\r\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n"))
	v, ok, err := r.Next()
	if !ok || err != nil || string(v.Str) != "FULLRESYNC abc 0" {
		t.Fatal(v, ok, err)
	}
	if !bytes.HasPrefix(r.Peek(), []byte("$5\r\nREDIS")) {
		t.Fatalf("%q", r.Peek())
	}
	r.Discard(len("$5\r\nREDIS"))
	if r.Buffered() != len("*1\r\n$4\r\nPING\r\n") {
		t.Fatal(r.Buffered())
	}
	v, ok, err = r.Next()
	if !ok || err != nil || v.Kind != KindArray || string(v.Elems[0].Str) != "PING" {
		t.Fatal(v, ok, err)
	}
	r.Discard(100)
	if r.Buffered() != 0 {
		t.Fatal(r.Buffered())
	}
}

func TestAppendCommand(t *testing.T) {
	got := AppendCommand(nil, []byte("SET"), []byte("k"), []byte("a\r\nb"), nil)
	want := "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n$0\r\n\r\n"
	if string(got) != want {
		t.Fatalf("%q", got)
	}
	if s := string(AppendCommandStrings(nil, "SET", "k", "a\r\nb", "")); s != want {
		t.Fatalf("%q", s)
	}
	if s := string(AppendCommand(nil)); s != "*0\r\n" {
		t.Fatalf("%q", s)
	}
	cmds, e := parseString(t, want)
	if fmtCmds(cmds) != `["SET" "k" "a\r\nb" ""]` || e != "" {
		t.Fatal(fmtCmds(cmds), e)
	}
}

// TestReplyReaderScalarAsParser: the replies Next builds without the
// parser (simple strings, errors, integers, bulk strings) are the Values
// the parser builds, their strings clipped to their length, and the other
// kinds still reach the parser.
func TestReplyReaderScalarAsParser(t *testing.T) {
	for _, in := range []string{
		"+OK\r\n", "+\r\n", "-ERR unknown command\r\n", "-MOVED 3999 127.0.0.1:6381\r\n",
		":0\r\n", ":-1\r\n", ":+5\r\n", ":9223372036854775807\r\n", ":-9223372036854775808\r\n",
		"$3\r\nabc\r\n", "$-1\r\n", "$0\r\n\r\n", "$4\r\na\r\nb\r\n", "*1\r\n+OK\r\n", "_\r\n", ",1.5\r\n", "#t\r\n", "|1\r\n+a\r\n+b\r\n+OK\r\n",
	} {
		vals, err := readAll(t, []byte(in))
		if err != nil || len(vals) != 1 {
			t.Fatalf("%q: %v %v", in, vals, err)
		}
		p := parser{buf: []byte(in), maxDepth: DefaultReplyMaxDepth + 1}
		want, err := p.value(0)
		if err != nil {
			t.Fatalf("%q: parser: %v", in, err)
		}
		if got := vals[0]; !valueEqual(got, want) || cap(got.Str) != len(got.Str) {
			t.Errorf("%q: Next %v (cap %d), parser %v", in, got, cap(got.Str), want)
		}
		_, fast := scalar([]byte(in))
		if wantFast := strings.ContainsRune("+-:$", rune(in[0])); fast != wantFast {
			t.Errorf("%q: scalar answers %v", in, fast)
		}
	}
}
