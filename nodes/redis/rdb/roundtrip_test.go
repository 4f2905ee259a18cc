package rdb

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
)

// sample is a dataset with every type, with and without TTLs, in several
// dbs, with empty, binary and long (multi-byte length) elements, odd scores
// and collections large enough to bypass the Reader's slab.
func sample() ([]AuxField, []Entry) {
	aux := []AuxField{
		{"redis-ver", "7.0.15"},
		{"ctime", "1700000000"},
		{"repl-id", strings.Repeat("ab", 20)},
		{"repl-offset", "123456"},
		{"", "empty key"},
	}
	long := bytes.Repeat([]byte("x"), 300)
	big := make([][]byte, 1000)
	for i := range big {
		big[i] = fmt.Appendf(nil, "item-%d", i)
	}
	es := []Entry{
		{DB: 0, Type: TypeString, Key: []byte("s"), ExpireAtMs: -1, Elems: bs("v")},
		{DB: 0, Type: TypeString, Key: []byte("ttl"), ExpireAtMs: 4102444800000, Elems: bs("v")},
		{DB: 0, Type: TypeString, Key: []byte(""), ExpireAtMs: 0, Elems: bs("")},
		{DB: 0, Type: TypeString, Key: []byte("bin\x00\xff"), ExpireAtMs: -1, Elems: [][]byte{long}},
		{DB: 0, Type: TypeList, Key: []byte("l"), ExpireAtMs: -1, Elems: bs("a", "", "c", "a")},
		{DB: 0, Type: TypeList, Key: []byte("biglist"), ExpireAtMs: math.MaxInt64, Elems: big},
		{DB: 3, Type: TypeSet, Key: []byte("set"), ExpireAtMs: -1, Elems: bs("1", "2", "x")},
		{DB: 3, Type: TypeSet, Key: []byte("set-ttl"), ExpireAtMs: 1, Elems: bs("m")},
		{DB: 3, Type: TypeHash, Key: []byte("h"), ExpireAtMs: -1, Elems: bs("f1", "v1", "f2", "")},
		{DB: 3, Type: TypeHash, Key: []byte("h-ttl"), ExpireAtMs: 99, Elems: [][]byte{long, long}},
		{DB: 15, Type: TypeZSet, Key: []byte("z"), ExpireAtMs: -1, Elems: bs("a", "b", "c", "d", "e"),
			Scores: []float64{1, -2.5, math.Inf(1), math.Inf(-1), math.Copysign(0, -1)}},
		{DB: 15, Type: TypeZSet, Key: []byte("z-ttl"), ExpireAtMs: 7, Elems: bs("m"), Scores: []float64{0.1}},
		{DB: 1 << 30, Type: TypeString, Key: []byte("far db"), ExpireAtMs: -1, Elems: bs("v")},
		{DB: 0, Type: TypeString, Key: []byte("back in db 0"), ExpireAtMs: -1, Elems: bs("v")},
	}
	return aux, es
}

func bs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// write encodes a dataset, SELECTing whenever the db changes.
func write(dst []byte, aux []AuxField, es []Entry) []byte {
	w := NewWriter(dst)
	for _, a := range aux {
		w.Aux(a.Key, a.Value)
	}
	db := 0
	for i, e := range es {
		if i == 0 || e.DB != db {
			w.SelectDB(e.DB)
			db = e.DB
		}
		n := len(e.Elems)
		if e.Type == TypeHash {
			n /= 2
		}
		w.Key(e.Type, e.Key, e.ExpireAtMs, n)
		for j, el := range e.Elems {
			w.Elem(el)
			if e.Type == TypeZSet {
				w.Score(e.Scores[j])
			}
		}
	}
	return w.Finish()
}

// readAll decodes a whole file.
func readAll(data []byte) ([]AuxField, []Entry, error) {
	r, err := NewReader(data)
	if err != nil {
		return nil, nil, err
	}
	var es []Entry
	for {
		e, ok, err := r.Next()
		if err != nil {
			return r.Aux(), es, err
		}
		if !ok {
			return r.Aux(), es, nil
		}
		es = append(es, e)
	}
}

func sameEntries(t *testing.T, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d entries, wrote %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		same := g.DB == w.DB && g.Type == w.Type && bytes.Equal(g.Key, w.Key) &&
			g.ExpireAtMs == w.ExpireAtMs && len(g.Elems) == len(w.Elems) && len(g.Scores) == len(w.Scores)
		for j := 0; same && j < len(w.Elems); j++ {
			same = bytes.Equal(g.Elems[j], w.Elems[j])
		}
		for j := 0; same && j < len(w.Scores); j++ {
			same = math.Float64bits(g.Scores[j]) == math.Float64bits(w.Scores[j])
		}
		if !same {
			t.Fatalf("entry %d: read %+v, wrote %+v", i, g, w)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	aux, es := sample()
	prefix := []byte("caller's bytes")
	data := write(bytes.Clone(prefix), aux, es)
	if !bytes.HasPrefix(data, prefix) {
		t.Fatalf("NewWriter did not append to dst")
	}
	gotAux, got, err := readAll(data[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(gotAux) != fmt.Sprint(aux) {
		t.Fatalf("aux = %q, want %q", gotAux, aux)
	}
	sameEntries(t, got, es)

	r, _ := NewReader(data[len(prefix):])
	if v, ok := r.AuxValue("repl-offset"); !ok || v != "123456" {
		t.Errorf(`AuxValue("repl-offset") = %q, %v; want "123456", true`, v, ok)
	}
	if _, ok := r.AuxValue("missing"); ok {
		t.Errorf(`AuxValue("missing") found a value`)
	}
}

func TestRoundTripEmpty(t *testing.T) {
	data := NewWriter(nil).Finish()
	aux, es, err := readAll(data)
	if err != nil || len(aux) != 0 || len(es) != 0 {
		t.Fatalf("empty file read as aux=%v entries=%v err=%v", aux, es, err)
	}
}

// TestElemsDoNotOverlap checks that read elements are capped: appending to
// one must not overwrite the bytes of the next.
func TestElemsDoNotOverlap(t *testing.T) {
	data := write(nil, nil, []Entry{{Type: TypeList, Key: []byte("k"), ExpireAtMs: -1, Elems: bs("aa", "bb")}})
	_, es, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(es[0].Key, 'X')
	_ = append(es[0].Elems[0], 'X')
	if string(es[0].Elems[1]) != "bb" || string(es[0].Elems[0]) != "aa" {
		t.Fatalf("appending to one element changed another: %q", es[0].Elems)
	}
}

func TestWriterMisusePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(w *Writer)
	}{
		{"aux after a key", func(w *Writer) { w.SelectDB(0); w.Aux("a", "b") }},
		{"key before the last is complete", func(w *Writer) { w.Key(TypeList, nil, -1, 2); w.Elem(nil); w.Key(TypeString, nil, -1, 1) }},
		{"finish before the last key is complete", func(w *Writer) { w.Key(TypeString, nil, -1, 1); w.Finish() }},
		{"too many elems", func(w *Writer) { w.Key(TypeSet, nil, -1, 1); w.Elem(nil); w.Elem(nil) }},
		{"score on a list", func(w *Writer) { w.Key(TypeList, nil, -1, 1); w.Score(1) }},
		{"member without score", func(w *Writer) { w.Key(TypeZSet, nil, -1, 2); w.Elem(nil); w.Elem(nil) }},
		{"nan score", func(w *Writer) { w.Key(TypeZSet, nil, -1, 1); w.Elem(nil); w.Score(math.NaN()) }},
		{"empty collection", func(w *Writer) { w.Key(TypeHash, nil, -1, 0) }},
		{"string with two values", func(w *Writer) { w.Key(TypeString, nil, -1, 2) }},
		{"unknown type", func(w *Writer) { w.Key(Type(5), nil, -1, 1) }},
		{"negative db", func(w *Writer) { w.SelectDB(-1) }},
		{"use after finish", func(w *Writer) { w.Finish(); w.SelectDB(0) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f(NewWriter(nil))
		}()
	}
}
