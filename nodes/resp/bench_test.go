package resp

import (
	"strconv"
	"testing"
)

// BenchmarkReaderPipeline parses a pipeline of 1000 SET commands fed in
// IOBufLen chunks, as Redis reads them.
func BenchmarkReaderPipeline(b *testing.B) {
	var in []byte
	for i := 0; i < 1000; i++ {
		key := "key:" + strconv.Itoa(i)
		in = AppendCommandStrings(in, "SET", key, "value-of-some-typical-length-0123456789")
	}
	r := NewReader()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for off := 0; off < len(in); off += IOBufLen {
			r.Feed(in[off:min(off+IOBufLen, len(in))])
			for {
				args, ok, err := r.Next()
				if err != nil {
					b.Fatal(err)
				}
				if !ok {
					break
				}
				n += len(args)
			}
		}
		if n != 3000 {
			b.Fatalf("%d arguments", n)
		}
	}
}

// BenchmarkReaderInline parses inline commands with quoting.
func BenchmarkReaderInline(b *testing.B) {
	var in []byte
	for i := 0; i < 1000; i++ {
		in = append(in, "SET \"key:"...)
		in = strconv.AppendInt(in, int64(i), 10)
		in = append(in, "\" 'some value' plain\r\n"...)
	}
	r := NewReader()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Feed(in)
		for {
			_, ok, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
}

// BenchmarkWriter writes a typical mix of replies into a reused buffer.
func BenchmarkWriter(b *testing.B) {
	value := []byte("value-of-some-typical-length-0123456789")
	for _, proto := range []int{2, 3} {
		b.Run("RESP"+strconv.Itoa(proto), func(b *testing.B) {
			w := NewWriter(proto)
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				for i := 0; i < 100; i++ {
					w.WriteOK()
					w.WriteBulk(value)
					w.WriteInt(int64(i) * 1000003)
					w.WriteNull()
					w.WriteMapLen(2)
					w.WriteBulkString("field")
					w.WriteDouble(float64(i) + 0.1)
					w.WriteBulkString("flag")
					w.WriteBool(i%2 == 0)
				}
				b.SetBytes(int64(w.Len()))
			}
		})
	}
}

// BenchmarkReplyReader parses a stream of typical replies fed in IOBufLen
// chunks, with Values of their own (copy) and lent (reuse, as a workload
// client's connection reads).
func BenchmarkReplyReader(b *testing.B) {
	for _, reuse := range []bool{false, true} {
		name := "copy"
		if reuse {
			name = "reuse"
		}
		b.Run(name, func(b *testing.B) { benchReplyReader(b, reuse) })
	}
}

func benchReplyReader(b *testing.B, reuse bool) {
	w := NewWriter(3)
	value := []byte("value-of-some-typical-length-0123456789")
	for i := 0; i < 200; i++ {
		w.WriteOK()
		w.WriteBulk(value)
		w.WriteInt(int64(i))
		w.WriteArrayLen(3)
		w.WriteBulk(value)
		w.WriteNull()
		w.WriteDouble(1.5)
	}
	in := append([]byte(nil), w.Bytes()...)
	r := NewReplyReader()
	r.SetReuse(reuse)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for off := 0; off < len(in); off += IOBufLen {
			r.Feed(in[off:min(off+IOBufLen, len(in))])
			for {
				_, ok, err := r.Next()
				if err != nil {
					b.Fatal(err)
				}
				if !ok {
					break
				}
				n++
			}
		}
		if n != 800 {
			b.Fatalf("%d replies", n)
		}
	}
}
