package rdb

import (
	"fmt"
	"testing"
)

// benchStrings is 10,000 string keys of about 16-byte names and values.
func benchStrings() []Entry {
	es := make([]Entry, 10000)
	for i := range es {
		es[i] = Entry{Type: TypeString, Key: fmt.Appendf(nil, "key:%08d", i), ExpireAtMs: -1,
			Elems: [][]byte{fmt.Appendf(nil, "value:%010d", i)}}
		if i%10 == 0 {
			es[i].ExpireAtMs = 1700000000000 + int64(i)
		}
	}
	return es
}

// benchMixed is 2,000 keys of every type, collections of 20 elements.
func benchMixed() []Entry {
	es := make([]Entry, 0, 2000)
	for i := range 2000 {
		e := Entry{DB: i % 4, Type: Type(i % 5), Key: fmt.Appendf(nil, "%v:%06d", Type(i%5), i), ExpireAtMs: -1}
		n := 20
		switch e.Type {
		case TypeString:
			n = 1
		case TypeHash:
			n = 40
		}
		for j := range n {
			e.Elems = append(e.Elems, fmt.Appendf(nil, "element-%d", j))
			if e.Type == TypeZSet {
				e.Scores = append(e.Scores, float64(j)*1.5)
			}
		}
		es = append(es, e)
	}
	return es
}

var benchSets = []struct {
	name string
	es   func() []Entry
}{{"strings10k", benchStrings}, {"mixed", benchMixed}}

func BenchmarkWrite(b *testing.B) {
	for _, s := range benchSets {
		b.Run(s.name, func(b *testing.B) {
			es := s.es()
			buf := write(nil, nil, es)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = write(buf[:0], nil, es)
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	for _, s := range benchSets {
		b.Run(s.name, func(b *testing.B) {
			data := write(nil, nil, s.es())
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReader(data)
				if err != nil {
					b.Fatal(err)
				}
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
		})
	}
}
