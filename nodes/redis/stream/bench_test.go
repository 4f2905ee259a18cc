package stream

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// BenchmarkXAdd measures XADD with generated IDs, parsing included, on a
// growing stream and on one capped with MAXLEN ~ 1000.
func BenchmarkXAdd(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []string
	}{{"auto-id", nil}, {"auto-id-maxlen~1000", []string{"MAXLEN", "~", "1000"}}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			s := New()
			argv := toBytes(append(append([]string{"XADD", "s"}, tc.opts...), "*", "sensor", "temp", "value", "21.5", "seq", "12345"))
			now := int64(1_700_000_000_000)
			b.ReportAllocs()
			for b.Loop() {
				a, err := ParseXAdd(argv, cfg, false)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := XAdd(s, a, now, cfg); err != nil {
					b.Fatal(err)
				}
				now++
			}
			if tc.opts != nil && s.Len() > 1100 {
				b.Fatalf("MAXLEN ~ 1000 left %d entries", s.Len())
			}
		})
	}
}

// BenchmarkXRange measures XRANGE start + COUNT 10 and a 100-entry
// XREVRANGE on a stream of 100,000 entries in default-sized nodes.
func BenchmarkXRange(b *testing.B) {
	cfg := DefaultConfig()
	s := New()
	const n = 100_000
	for i := range n {
		fv := toBytes([]string{"sensor", "temp", "value", strconv.Itoa(i)})
		s.append(fv, ID{uint64(1_700_000_000_000 + i/3), uint64(i % 3)}, cfg)
	}
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("count-10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			i := r.IntN(n)
			start := ID{uint64(1_700_000_000_000 + i/3), 0}
			if got := s.Range(start, MaxID, 10, false); len(got) != 10 && i < n-20 {
				b.Fatalf("got %d entries", len(got))
			}
		}
	})
	b.Run("rev-100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			i := r.IntN(n-300) + 300
			end := ID{uint64(1_700_000_000_000 + i/3), 2}
			if got := s.Range(ID{}, end, 100, true); len(got) != 100 {
				b.Fatalf("got %d entries", len(got))
			}
		}
	})
}
