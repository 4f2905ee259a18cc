package resp

import (
	"math"
	"testing"
)

// The expected bytes were checked against redis-server 7.0.15 (DEBUG
// PROTOCOL, ZSCORE, EVAL returning doubles, GET/BLPOP on a missing key) in
// both protocol versions.
func TestWriter(t *testing.T) {
	tests := []struct {
		name       string
		write      func(w *Writer)
		resp2, res string
	}{
		{"simple", func(w *Writer) { w.WriteSimpleString("PONG") }, "+PONG\r\n", "+PONG\r\n"},
		{"ok", func(w *Writer) { w.WriteOK() }, "+OK\r\n", "+OK\r\n"},
		{"error", func(w *Writer) { w.WriteError("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
		{"error newlines", func(w *Writer) { w.WriteError("ERR a\r\nb\nc") }, "-ERR a  b c\r\n", "-ERR a  b c\r\n"},
		{"error newlines at the end", func(w *Writer) { w.WriteError("ERR a \r\n\n") }, "-ERR a \r\n", "-ERR a \r\n"},
		{"safe error newlines at the end", func(w *Writer) { w.WriteErrorSafe("ERR a \r\n") }, "-ERR a   \r\n", "-ERR a   \r\n"},
		{"int", func(w *Writer) { w.WriteInt(12345) }, ":12345\r\n", ":12345\r\n"},
		{"int min", func(w *Writer) { w.WriteInt(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"bulk", func(w *Writer) { w.WriteBulk([]byte("Hello World")) }, "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"},
		{"empty bulk", func(w *Writer) { w.WriteBulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", func(w *Writer) { w.WriteBulkString("a\r\nb") }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"bulk int", func(w *Writer) { w.WriteBulkInt(-42) }, "$3\r\n-42\r\n", "$3\r\n-42\r\n"},
		{"null", func(w *Writer) { w.WriteNull() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.WriteNullArray() }, "*-1\r\n", "_\r\n"},
		{"array", func(w *Writer) {
			w.WriteArrayLen(3)
			w.WriteInt(0)
			w.WriteInt(1)
			w.WriteInt(2)
		}, "*3\r\n:0\r\n:1\r\n:2\r\n", "*3\r\n:0\r\n:1\r\n:2\r\n"},
		{"empty array", func(w *Writer) { w.WriteArrayLen(0) }, "*0\r\n", "*0\r\n"},
		{"map", func(w *Writer) {
			w.WriteMapLen(3)
			for i := int64(0); i < 3; i++ {
				w.WriteInt(i)
				w.WriteBool(i == 1)
			}
		}, "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
		{"empty map", func(w *Writer) { w.WriteMapLen(0) }, "*0\r\n", "%0\r\n"},
		{"set", func(w *Writer) {
			w.WriteSetLen(3)
			w.WriteInt(0)
			w.WriteInt(1)
			w.WriteInt(2)
		}, "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"},
		{"push", func(w *Writer) {
			w.WritePushLen(2)
			w.WriteBulkString("server-cpu-usage")
			w.WriteInt(42)
		}, "*2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"},
		{"true", func(w *Writer) { w.WriteBool(true) }, ":1\r\n", "#t\r\n"},
		{"false", func(w *Writer) { w.WriteBool(false) }, ":0\r\n", "#f\r\n"},
		{"bignum", func(w *Writer) { w.WriteBigNum("1234567999999999999999999999999999999") },
			"$37\r\n1234567999999999999999999999999999999\r\n", "(1234567999999999999999999999999999999\r\n"},
		{"verbatim", func(w *Writer) { w.WriteVerbatim([]byte("This is a verbatim\nstring"), "txt") },
			"$25\r\nThis is a verbatim\nstring\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n"},
		{"verbatim short ext", func(w *Writer) { w.WriteVerbatimString("x", "m") }, "$1\r\nx\r\n", "=5\r\nm  :x\r\n"},
		{"verbatim long ext", func(w *Writer) { w.WriteVerbatimString("", "mkdown") }, "$0\r\n\r\n", "=4\r\nmkd:\r\n"},
		{"double 3.141", func(w *Writer) { w.WriteDouble(3.141) }, "$5\r\n3.141\r\n", ",3.141\r\n"},
		{"double 1.1", func(w *Writer) { w.WriteDouble(1.1) }, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n"},
		{"double 0.1", func(w *Writer) { w.WriteDouble(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		{"double 1e20", func(w *Writer) { w.WriteDouble(1e20) }, "$5\r\n1e+20\r\n", ",1e+20\r\n"},
		{"double 1e-5", func(w *Writer) { w.WriteDouble(1e-5) }, "$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n"},
		{"double big int", func(w *Writer) { w.WriteDouble(123456789012345678) }, "$22\r\n1.2345678901234568e+17\r\n", ",1.2345678901234568e+17\r\n"},
		{"double 3", func(w *Writer) { w.WriteDouble(3) }, "$1\r\n3\r\n", ",3\r\n"},
		{"double 0", func(w *Writer) { w.WriteDouble(0) }, "$1\r\n0\r\n", ",0\r\n"},
		{"double -0", func(w *Writer) { w.WriteDouble(math.Copysign(0, -1)) }, "$2\r\n-0\r\n", ",-0\r\n"},
		{"double inf", func(w *Writer) { w.WriteDouble(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", func(w *Writer) { w.WriteDouble(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", func(w *Writer) { w.WriteDouble(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"double -nan", func(w *Writer) { w.WriteDouble(math.Copysign(math.NaN(), -1)) }, "$4\r\n-nan\r\n", ",-nan\r\n"},
		{"raw", func(w *Writer) { w.WriteRaw([]byte("+x\r\n")) }, "+x\r\n", "+x\r\n"},
		{"deferred array", func(w *Writer) {
			w.WriteInt(7)
			m := w.DeferLen()
			w.WriteBulkString("a")
			w.WriteBulkString("b")
			w.SetDeferredArrayLen(m, 2)
		}, ":7\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", ":7\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"deferred map", func(w *Writer) {
			m := w.DeferLen()
			w.WriteBulkString("k")
			w.WriteInt(1)
			w.SetDeferredMapLen(m, 1)
		}, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"deferred set", func(w *Writer) {
			m := w.DeferLen()
			w.SetDeferredSetLen(m, 0)
		}, "*0\r\n", "~0\r\n"},
	}
	for _, tc := range tests {
		for _, proto := range []int{2, 3} {
			w := NewWriter(proto)
			tc.write(w)
			want := tc.resp2
			if proto == 3 {
				want = tc.res
			}
			if got := string(w.Bytes()); got != want {
				t.Errorf("%s RESP%d: got %q, want %q", tc.name, proto, got, want)
			}
			if w.Len() != len(want) {
				t.Errorf("%s RESP%d: Len %d", tc.name, proto, w.Len())
			}
		}
	}
}

func TestWriterBuffer(t *testing.T) {
	var w Writer // the zero Writer writes RESP2
	if w.Proto() != 2 {
		t.Fatal(w.Proto())
	}
	w.WriteNull()
	w.SetProto(3)
	if w.Proto() != 3 {
		t.Fatal(w.Proto())
	}
	w.WriteNull()
	if string(w.Bytes()) != "$-1\r\n_\r\n" {
		t.Fatalf("%q", w.Bytes())
	}
	w.Truncate(5)
	if string(w.Bytes()) != "$-1\r\n" {
		t.Fatalf("%q", w.Bytes())
	}
	w.Truncate(100) // out of range: ignored
	w.Reset()
	if w.Len() != 0 || cap(w.Bytes()) == 0 {
		t.Fatal("Reset lost the buffer")
	}
	w.SetDeferredArrayLen(-1, 3) // bad mark: ignored
	if w.Len() != 0 {
		t.Fatalf("%q", w.Bytes())
	}
}

func TestWriterAllocations(t *testing.T) {
	w := NewWriter(3)
	write := func() {
		w.Reset()
		w.WriteArrayLen(4)
		w.WriteBulk([]byte("value"))
		w.WriteInt(-17)
		w.WriteDouble(1.1)
		w.WriteNull()
		m := w.DeferLen()
		w.WriteMapLen(1)
		w.WriteBulkString("k")
		w.WriteBool(true)
		w.SetDeferredArrayLen(m, 1)
		w.WriteVerbatimString("x", "txt")
		w.WriteError("ERR x")
	}
	write()
	if n := testing.AllocsPerRun(100, write); n != 0 {
		t.Fatalf("%v allocations per run, want 0", n)
	}
}
