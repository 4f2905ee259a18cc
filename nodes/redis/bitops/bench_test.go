package bitops

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkSetBit sets random bits of a 1 MB string in place: parse and
// apply, as the node runs SETBIT on an existing key.
func BenchmarkSetBit(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	val := make([]byte, 1<<20)
	argvs := make([][][]byte, 1024)
	for i := range argvs {
		off := strconv.FormatUint(r.Uint64N(8<<20), 10)
		argvs[i] = [][]byte{[]byte("SETBIT"), []byte("k"), []byte(off), []byte(strconv.Itoa(r.IntN(2)))}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a, e := ParseSetBit(argvs[i&1023], DefaultMaxBulkLen)
		if e != "" {
			b.Fatal(e)
		}
		val = SetBit(val, true, a).Value
		i++
	}
}

// BenchmarkBitCount counts the bits of a 1 MB string: whole, and over a
// BIT range with ragged edges.
func BenchmarkBitCount(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	val := make([]byte, 1<<20)
	for i := range val {
		val[i] = byte(r.Uint32())
	}
	for _, bc := range []struct {
		name string
		argv [][]byte
	}{
		{"whole", [][]byte{[]byte("BITCOUNT"), []byte("k")}},
		{"bitrange", [][]byte{[]byte("BITCOUNT"), []byte("k"), []byte("3"), []byte("-5"), []byte("BIT")}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(val)))
			b.ReportAllocs()
			for b.Loop() {
				if _, e := BitCount(bc.argv, val, true); e != "" {
					b.Fatal(e)
				}
			}
		})
	}
}

// BenchmarkBitfieldIncr parses and runs BITFIELD k OVERFLOW SAT INCRBY i32
// #n 7 GET u8 #n on a 4 KB string.
func BenchmarkBitfieldIncr(b *testing.B) {
	val := make([]byte, 4096)
	argvs := make([][][]byte, 1024)
	for i := range argvs {
		n := []byte("#" + strconv.Itoa(i))
		argvs[i] = [][]byte{[]byte("BITFIELD"), []byte("k"), []byte("OVERFLOW"), []byte("SAT"),
			[]byte("INCRBY"), []byte("i32"), n, []byte("7"), []byte("GET"), []byte("u8"), n}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		bf, e := ParseBitfield(argvs[i&1023], DefaultMaxBulkLen, false)
		if e != "" {
			b.Fatal(e)
		}
		val = bf.Apply(val, true).Value
		i++
	}
}

// BenchmarkLCS runs LCS on two random 1000-byte strings over a four-letter
// alphabet, for each reply.
func BenchmarkLCS(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	rnd := func(n int) []byte {
		s := make([]byte, n)
		for i := range s {
			s[i] = "acgt"[r.IntN(4)]
		}
		return s
	}
	x, y := rnd(1000), rnd(1000)
	for _, bc := range []struct {
		name string
		opts []string
	}{{"string", nil}, {"len", []string{"LEN"}}, {"idx", []string{"IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}}} {
		argv := [][]byte{[]byte("LCS"), []byte("x"), []byte("y")}
		for _, o := range bc.opts {
			argv = append(argv, []byte(o))
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, e := LCS(argv, x, y, DefaultMaxBulkLen); e != "" {
					b.Fatal(e)
				}
			}
		})
	}
}
