package redis

import (
	"slices"
	"strconv"
	"testing"
)

// TestDictReserveSameOrder: a table sized ahead by reserve walks (and so
// SCANs, SPOPs, SRANDMEMBERs) in the order of one grown by Sets alone.
func TestDictReserveSameOrder(t *testing.T) {
	for _, n := range []int{1, 3, 4, 5, 8, 9, 100, 1000, 1025} {
		var grown, reserved dict[struct{}]
		reserved.reserve(n)
		for i := 0; i < n; i++ {
			k := "m" + strconv.Itoa(i*7919)
			grown.Set(k, struct{}{})
			reserved.Set(k, struct{}{})
		}
		var a, b []string
		grown.All(func(k string, _ struct{}) bool { a = append(a, k); return true })
		reserved.All(func(k string, _ struct{}) bool { b = append(b, k); return true })
		if len(grown.buckets) != len(reserved.buckets) || !slices.Equal(a, b) {
			t.Fatalf("n=%d: grown has %d buckets, reserved %d; orders equal: %v", n, len(grown.buckets), len(reserved.buckets), slices.Equal(a, b))
		}
	}
}

// TestSetEachView: the scratch walk gives each member's bytes.
func TestSetEachView(t *testing.T) {
	st := &set{ht: &dict[struct{}]{}}
	ints := &set{ints: []int64{-5, 3, 12345678901}}
	for _, m := range []string{"a", "bb", "ccc"} {
		st.ht.Set(m, struct{}{})
	}
	for _, s := range []*set{st, ints} {
		var view, copies []string
		s.eachView(func(m []byte) { view = append(view, string(m)) })
		s.each(func(m []byte) { copies = append(copies, string(m)) })
		packed := s.packedMembers()
		if !slices.Equal(view, copies) || len(packed) != len(copies) {
			t.Fatalf("eachView %q, each %q, packed %q", view, copies, packed)
		}
		for i, m := range packed {
			if string(m) != copies[i] {
				t.Fatalf("packedMembers %q, each %q", packed, copies)
			}
		}
	}
}
