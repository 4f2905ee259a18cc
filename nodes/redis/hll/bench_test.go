package hll

import (
	"strconv"
	"testing"
)

// benchValue is a value holding n elements, sparse unless promoted.
func benchValue(n int) []byte {
	var es [][]byte
	for i := range n {
		es = append(es, []byte("bench:"+strconv.Itoa(i)))
	}
	h, _, _ := Add(New(), es, DefaultSparseMaxBytes)
	return h
}

func benchElems() [][]byte {
	es := make([][]byte, 4096)
	for i := range es {
		es[i] = []byte("new:" + strconv.Itoa(i))
	}
	return es
}

// BenchmarkAdd is PFADD of one element: into a dense value (in place), and
// into a sparse value of 500 elements (about 1 KB; the value is restored
// from a copy before each add, which the figure includes).
func BenchmarkAdd(b *testing.B) {
	es := benchElems()
	b.Run("dense", func(b *testing.B) {
		h, _, _ := ToDense(benchValue(5000))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h, _, _ = Add(h, es[i&4095:i&4095+1], DefaultSparseMaxBytes)
			i++
		}
	})
	b.Run("sparse", func(b *testing.B) {
		orig := benchValue(500)
		h := make([]byte, len(orig), 2*len(orig))
		b.ReportAllocs()
		b.SetBytes(int64(len(orig)))
		i := 0
		for b.Loop() {
			h = append(h[:0], orig...)
			_, _, _ = Add(h, es[i&4095:i&4095+1], DefaultSparseMaxBytes)
			i++
		}
	})
}

// BenchmarkCount is PFCOUNT with a stale cache, so the estimate is
// computed: on a dense value, a sparse one of 500 elements, and the union
// of PFCOUNT with several keys.
func BenchmarkCount(b *testing.B) {
	dense, _, _ := ToDense(benchValue(5000))
	sparse := benchValue(500)
	for _, tc := range []struct {
		name string
		h    []byte
	}{{"dense", dense}, {"sparse", sparse}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				invalidate(tc.h)
				_, _, _, _ = Count(tc.h)
			}
		})
	}
	b.Run("union", func(b *testing.B) {
		var u Union
		_ = u.Merge(dense)
		b.ReportAllocs()
		for b.Loop() {
			_ = u.Count()
		}
	})
}
