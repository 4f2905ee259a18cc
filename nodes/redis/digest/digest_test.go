package digest

import (
	"strings"
	"testing"
)

func b(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

func TestEmptyDatasetIsZeros(t *testing.T) {
	var d Dataset
	d.SelectDB(5) // selecting a db leaves no trace until it holds a key
	if got, want := d.Hex(), strings.Repeat("0", 40); got != want {
		t.Fatalf("empty dataset digest = %s, want %s", got, want)
	}
	d.String([]byte("k"), []byte("v"), -1)
	d.Reset()
	if got := d.Hex(); got != strings.Repeat("0", 40) {
		t.Fatalf("after Reset digest = %s, want zeros", got)
	}
}

func TestOrderSensitivity(t *testing.T) {
	digest := func(f func(d *Dataset)) string {
		var d Dataset
		f(&d)
		return d.Hex()
	}
	k := []byte("k")
	for _, c := range []struct {
		name string
		a, b func(d *Dataset)
		same bool
	}{
		{"list order", func(d *Dataset) { d.List(k, b("a", "b"), -1) }, func(d *Dataset) { d.List(k, b("b", "a"), -1) }, false},
		{"list item boundaries", func(d *Dataset) { d.List(k, b("foo", "bar"), -1) }, func(d *Dataset) { d.List(k, b("fo", "obar"), -1) }, false},
		{"set order", func(d *Dataset) { d.Set(k, b("a", "b"), -1) }, func(d *Dataset) { d.Set(k, b("b", "a"), -1) }, true},
		{"hash pair order", func(d *Dataset) { d.Hash(k, b("f", "1", "g", "2"), -1) }, func(d *Dataset) { d.Hash(k, b("g", "2", "f", "1"), -1) }, true},
		{"hash field and value swapped", func(d *Dataset) { d.Hash(k, b("f", "1"), -1) }, func(d *Dataset) { d.Hash(k, b("1", "f"), -1) }, false},
		{"zset order", func(d *Dataset) { d.ZSet(k, b("a", "b"), []float64{1, 2}, -1) }, func(d *Dataset) { d.ZSet(k, b("b", "a"), []float64{2, 1}, -1) }, true},
		{"zset scores swapped", func(d *Dataset) { d.ZSet(k, b("a", "b"), []float64{1, 2}, -1) }, func(d *Dataset) { d.ZSet(k, b("a", "b"), []float64{2, 1}, -1) }, false},
		{"type matters", func(d *Dataset) { d.List(k, b("a"), -1) }, func(d *Dataset) { d.Set(k, b("a"), -1) }, false},
		{"ttl value does not matter", func(d *Dataset) { d.String(k, k, 0) }, func(d *Dataset) { d.String(k, k, 1<<40) }, true},
		{"ttl presence matters", func(d *Dataset) { d.String(k, k, -1) }, func(d *Dataset) { d.String(k, k, 5) }, false},
		{"db matters", func(d *Dataset) { d.String(k, k, -1) }, func(d *Dataset) { d.SelectDB(1); d.String(k, k, -1) }, false},
		{"db order does not matter", func(d *Dataset) {
			d.SelectDB(2)
			d.String(k, k, -1)
			d.SelectDB(7)
			d.String(k, k, -1)
		}, func(d *Dataset) {
			d.SelectDB(7)
			d.String(k, k, -1)
			d.SelectDB(2)
			d.String(k, k, -1)
		}, true},
	} {
		if got := digest(c.a) == digest(c.b); got != c.same {
			t.Errorf("%s: equal digests = %v, want %v", c.name, got, c.same)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"two elems for a string", func() { v := StartValue(String); v.Elem(nil); v.Elem(nil) }},
		{"no elem for a string", func() { v := StartValue(String); v.Sum(-1) }},
		{"hash field alone", func() { v := StartValue(Hash); v.Elem(nil); v.Sum(-1) }},
		{"zset member alone", func() { v := StartValue(ZSet); v.Elem(nil); v.Sum(-1) }},
		{"zset two members", func() { v := StartValue(ZSet); v.Elem(nil); v.Elem(nil) }},
		{"score on a list", func() { v := StartValue(List); v.Elem(nil); v.Score(1) }},
		{"unknown type", func() { StartValue(Type(9)) }},
		{"negative db", func() { var d Dataset; d.SelectDB(-1) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: did not panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

func TestFeedingDoesNotAllocate(t *testing.T) {
	var d Dataset
	key, val := []byte("key:000001"), []byte("value")
	members := b("a", "b", "c")
	scores := []float64{1, 2.5, 3}
	pair := b("f", "v")
	d.String(key, val, -1) // the db's entry is allocated once
	allocs := testing.AllocsPerRun(100, func() {
		d.String(key, val, -1)
		d.List(key, members, 5)
		d.Set(key, members, -1)
		d.Hash(key, pair, -1)
		d.ZSet(key, members, scores, -1)
		_ = d.Sum()
	})
	if allocs != 0 {
		t.Fatalf("feeding a dataset allocates %.0f times per run, want 0", allocs)
	}
}

func BenchmarkStringKey(b *testing.B) {
	var d Dataset
	key, val := []byte("key:000001"), []byte("value:000001")
	b.SetBytes(int64(len(key) + len(val)))
	b.ReportAllocs()
	for b.Loop() {
		d.String(key, val, -1)
	}
}

func BenchmarkZSetMember(b *testing.B) {
	m := []byte("member:000001")
	b.ReportAllocs()
	for b.Loop() {
		v := StartValue(ZSet)
		v.Elem(m)
		v.Score(3.14)
		_ = v.Sum(-1)
	}
}
