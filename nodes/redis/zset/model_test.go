package zset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// model is the obviously-correct reference: a slice kept sorted by
// (score, member) with linear scans for everything.
type model struct {
	els      []Element
	listpack bool
}

func modelLess(a Element, score float64, member string) bool {
	return a.Score < score || (a.Score == score && a.Member < member)
}

func (m *model) find(member string) int {
	for i, e := range m.els {
		if e.Member == member {
			return i
		}
	}
	return -1
}

func (m *model) insertSorted(e Element) {
	i := 0
	for i < len(m.els) && modelLess(m.els[i], e.Score, e.Member) {
		i++
	}
	m.els = slices.Insert(m.els, i, e)
}

func (m *model) store(s float64) float64 {
	if m.listpack && s == 0 {
		return 0
	}
	return s
}

func (m *model) add(member string, score float64) (added, updated bool) {
	i := m.find(member)
	if i < 0 {
		m.insertSorted(Element{member, m.store(score)})
		return true, false
	}
	if m.els[i].Score == score {
		return false, false
	}
	m.els = slices.Delete(m.els, i, i+1)
	m.insertSorted(Element{member, m.store(score)})
	return false, true
}

func (m *model) delete(member string) bool {
	i := m.find(member)
	if i < 0 {
		return false
	}
	m.els = slices.Delete(m.els, i, i+1)
	return true
}

func (m *model) rangeScore(r ScoreRange, reverse bool, offset, count int) []Element {
	var in []Element
	for _, e := range m.els {
		if r.gteMin(e.Score) && r.lteMax(e.Score) {
			in = append(in, e)
		}
	}
	if reverse {
		slices.Reverse(in)
	}
	return window(in, offset, count)
}

func window(in []Element, offset, count int) []Element {
	if offset < 0 || offset >= len(in) {
		return nil
	}
	in = in[offset:]
	if count >= 0 && count < len(in) {
		in = in[:count]
	}
	return in
}

// rangeLex follows the listpack algorithm literally (linear first/last in
// range, then walk while in range), which is also what any correct
// skiplist search yields when members are in lex order.
func (m *model) rangeLex(r LexRange, reverse bool, offset, count int) []Element {
	n := len(m.els)
	if n == 0 || r.empty() || !r.gteMin(m.els[n-1].Member) || !r.lteMax(m.els[0].Member) {
		return nil
	}
	start := -1
	if !reverse {
		for i, e := range m.els {
			if r.gteMin(e.Member) {
				if r.lteMax(e.Member) {
					start = i
				}
				break
			}
		}
	} else {
		for i := n - 1; i >= 0; i-- {
			if r.lteMax(m.els[i].Member) {
				if r.gteMin(m.els[i].Member) {
					start = i
				}
				break
			}
		}
	}
	if start < 0 || offset < 0 {
		return nil
	}
	var out []Element
	for i := start; ; {
		if reverse {
			i = start - offset - len(out)
		} else {
			i = start + offset + len(out)
		}
		if i < 0 || i >= n || (count >= 0 && len(out) >= count) {
			break
		}
		e := m.els[i]
		if reverse && !r.gteMin(e.Member) || !reverse && !r.lteMax(e.Member) {
			break
		}
		out = append(out, e)
	}
	return out
}

func collect(seq func(func(string, float64) bool)) []Element {
	var out []Element
	for m, s := range seq {
		out = append(out, Element{m, s})
	}
	return out
}

func sameElements(a, b []Element) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		// Compare bit patterns so -0 and 0 are told apart.
		if a[i].Member != b[i].Member || math.Float64bits(a[i].Score) != math.Float64bits(b[i].Score) {
			return false
		}
	}
	return true
}

var scorePool = []float64{math.Inf(-1), -3.5, -1, math.Copysign(0, -1), 0, 0.5, 1, 1, 2, 2.25, 7, 1e300, math.Inf(1)}

func randScore(r *rand.Rand) float64 {
	if r.IntN(4) == 0 {
		return float64(r.IntN(40)) / 4
	}
	return scorePool[r.IntN(len(scorePool))]
}

func randMember(r *rand.Rand, pool int) string {
	// Include prefixes and a NUL byte so memcmp-then-length ordering and
	// binary safety are exercised.
	i := r.IntN(pool)
	switch i % 5 {
	case 0:
		return fmt.Sprintf("m%d", i)
	case 1:
		return fmt.Sprintf("m%d\x00", i/5)
	case 2:
		return strings.Repeat("a", i%7)
	default:
		return fmt.Sprintf("%c%d", 'a'+byte(i%26), i)
	}
}

func randBound(r *rand.Rand) []byte {
	switch r.IntN(8) {
	case 0:
		return []byte("-inf")
	case 1:
		return []byte("+inf")
	}
	s := fmt.Sprint(randScore(r))
	if r.IntN(2) == 0 {
		s = "(" + s
	}
	return []byte(s)
}

func randLexBound(r *rand.Rand, pool int) []byte {
	switch r.IntN(10) {
	case 0:
		return []byte("-")
	case 1:
		return []byte("+")
	case 2:
		return []byte("[")
	}
	p := "["
	if r.IntN(2) == 0 {
		p = "("
	}
	return []byte(p + randMember(r, pool))
}

func checkStructure(t *testing.T, z *Set, m *model) {
	t.Helper()
	if z.Len() != len(m.els) {
		t.Fatalf("Len=%d model=%d", z.Len(), len(m.els))
	}
	if got := collect(z.All()); !sameElements(got, m.els) {
		t.Fatalf("All mismatch\n got %v\nwant %v", got, m.els)
	}
	var prev *node
	i := 0
	for x := z.head.lv[0].forward; x != nil; x = x.lv[0].forward {
		if x.backward != prev {
			t.Fatalf("bad backward link at %d", i)
		}
		if r, _ := z.Rank(x.member, false); r != i {
			t.Fatalf("Rank(%q)=%d want %d", x.member, r, i)
		}
		if e, _ := z.At(i); e.Member != x.member {
			t.Fatalf("At(%d)=%q want %q", i, e.Member, x.member)
		}
		prev = x
		i++
	}
	if z.tail != prev {
		t.Fatal("bad tail")
	}
	// Every level's spans must add up to the length.
	for l := 0; l < z.level; l++ {
		sum := 0
		for x := z.head; x.lv[l].forward != nil; x = x.lv[l].forward {
			sum += x.lv[l].span
		}
		last := z.head
		for last.lv[l].forward != nil {
			last = last.lv[l].forward
		}
		if want := z.rankOfOrZero(last); sum != want {
			t.Fatalf("level %d spans sum %d, last rank %d", l, sum, want)
		}
	}
}

func (z *Set) rankOfOrZero(x *node) int {
	if x == z.head {
		return 0
	}
	return z.rankOf(x)
}

func TestAgainstModel(t *testing.T) {
	for _, listpack := range []bool{false, true} {
		t.Run(fmt.Sprintf("listpack=%v", listpack), func(t *testing.T) {
			runModel(t, 1, listpack, false, 8000)
			runModel(t, 2, listpack, true, 4000)
		})
	}
}

// runModel drives a Set and the model with the same seeded operations.
// equalScores keeps every score at 1 so lex ranges are well defined for
// both encodings; otherwise lex ranges are only compared in listpack mode,
// where Redis's (linear) semantics are deterministic for any scores.
func runModel(t *testing.T, seed uint64, listpack, equalScores bool, ops int) {
	r := rand.New(rand.NewPCG(seed, 99))
	z := New(rand.New(rand.NewPCG(seed, 7)))
	z.SetListpack(listpack)
	m := &model{listpack: listpack}
	pool := 300
	score := func() float64 {
		if equalScores {
			return 1
		}
		return randScore(r)
	}
	for op := 0; op < ops; op++ {
		switch k := r.IntN(20); {
		case k < 6:
			mem, s := randMember(r, pool), score()
			a1, u1 := z.Add(mem, s)
			a2, u2 := m.add(mem, s)
			if a1 != a2 || u1 != u2 {
				t.Fatalf("op %d Add(%q,%v)=(%v,%v) model (%v,%v)", op, mem, s, a1, u1, a2, u2)
			}
		case k < 7:
			mem, s := randMember(r, pool), score()
			exists := m.find(mem) >= 0
			if got := z.Insert(mem, s); got == exists {
				t.Fatalf("Insert(%q) = %v with exists=%v", mem, got, exists)
			}
			if !exists {
				m.add(mem, s)
			}
		case k < 8:
			mem, s := randMember(r, pool), score()
			exists := m.find(mem) >= 0
			found, upd := z.Update(mem, s)
			if found != exists {
				t.Fatalf("Update(%q) found=%v exists=%v", mem, found, exists)
			}
			if exists {
				if _, mu := m.add(mem, s); mu != upd {
					t.Fatalf("Update(%q) updated=%v model %v", mem, upd, mu)
				}
			}
		case k < 10:
			mem := randMember(r, pool)
			if z.Delete(mem) != m.delete(mem) {
				t.Fatalf("Delete(%q) disagrees", mem)
			}
		case k < 11:
			mem := randMember(r, pool)
			i := m.find(mem)
			s, ok := z.Score(mem)
			rk, ok2 := z.Rank(mem, false)
			rr, _ := z.Rank(mem, true)
			if ok != (i >= 0) || ok2 != ok {
				t.Fatalf("Score/Rank presence of %q wrong", mem)
			}
			if ok && (math.Float64bits(s) != math.Float64bits(m.els[i].Score) || rk != i || rr != len(m.els)-1-i) {
				t.Fatalf("Score/Rank of %q = %v,%d,%d want %v,%d", mem, s, rk, rr, m.els[i].Score, i)
			}
		case k < 13:
			start, stop := r.IntN(40)-20, r.IntN(40)-20
			rev := r.IntN(2) == 0
			want := []Element(nil)
			if a, b, ok := NormalizeRankRange(start, stop, len(m.els)); ok {
				want = slices.Clone(m.els)
				if rev {
					slices.Reverse(want)
				}
				want = want[a : b+1]
			}
			if got := collect(z.RangeByRank(start, stop, rev)); !sameElements(got, want) {
				t.Fatalf("RangeByRank(%d,%d,%v)\n got %v\nwant %v", start, stop, rev, got, want)
			}
		case k < 15:
			sr, err := ParseScoreRange(randBound(r), randBound(r))
			if err != nil {
				t.Fatal(err)
			}
			rev := r.IntN(2) == 0
			off, cnt := 0, -1
			if r.IntN(2) == 0 {
				off, cnt = r.IntN(8)-1, r.IntN(8)-2
			}
			want := m.rangeScore(sr, rev, off, cnt)
			if got := collect(z.RangeByScore(sr, rev, off, cnt)); !sameElements(got, want) {
				t.Fatalf("RangeByScore(%+v,%v,%d,%d)\n got %v\nwant %v", sr, rev, off, cnt, got, want)
			}
			if got, want := z.CountByScore(sr), len(m.rangeScore(sr, false, 0, -1)); got != want {
				t.Fatalf("CountByScore(%+v)=%d want %d", sr, got, want)
			}
		case k < 17:
			if !equalScores && !listpack {
				continue
			}
			lr, err := ParseLexRange(randLexBound(r, pool), randLexBound(r, pool))
			if err != nil {
				t.Fatal(err)
			}
			rev := r.IntN(2) == 0
			off, cnt := 0, -1
			if r.IntN(2) == 0 {
				off, cnt = r.IntN(8)-1, r.IntN(8)-2
			}
			want := m.rangeLex(lr, rev, off, cnt)
			if got := collect(z.RangeByLex(lr, rev, off, cnt)); !sameElements(got, want) {
				t.Fatalf("RangeByLex(%+v,%v,%d,%d)\n got %v\nwant %v", lr, rev, off, cnt, got, want)
			}
			if got, want := z.CountByLex(lr), len(m.rangeLex(lr, false, 0, -1)); got != want {
				t.Fatalf("CountByLex(%+v)=%d want %d", lr, got, want)
			}
		case k < 18:
			n := r.IntN(4)
			var got, want []Element
			if r.IntN(2) == 0 {
				got = z.PopMin(n)
				want = slices.Clone(m.els[:min(n, len(m.els))])
			} else {
				got = z.PopMax(n)
				want = slices.Clone(m.els[len(m.els)-min(n, len(m.els)):])
				slices.Reverse(want)
			}
			for _, e := range want {
				m.delete(e.Member)
			}
			if !sameElements(got, want) {
				t.Fatalf("Pop(%d)\n got %v\nwant %v", n, got, want)
			}
		case k < 19:
			var got int
			var want []Element
			switch r.IntN(3) {
			case 0:
				start, stop := r.IntN(20)-10, r.IntN(20)-10
				got = z.DeleteRangeByRank(start, stop)
				if a, b, ok := NormalizeRankRange(start, stop, len(m.els)); ok {
					want = slices.Clone(m.els[a : b+1])
				}
			case 1:
				sr, _ := ParseScoreRange(randBound(r), randBound(r))
				if r.IntN(3) != 0 { // keep the set from draining too often
					sr.Max = sr.Min
				}
				got = z.DeleteRangeByScore(sr)
				want = m.rangeScore(sr, false, 0, -1)
			default:
				if !equalScores && !listpack {
					continue
				}
				lr, _ := ParseLexRange(randLexBound(r, pool), randLexBound(r, pool))
				got = z.DeleteRangeByLex(lr)
				want = m.rangeLex(lr, false, 0, -1)
			}
			for _, e := range want {
				m.delete(e.Member)
			}
			if got != len(want) {
				t.Fatalf("DeleteRange removed %d want %d", got, len(want))
			}
		default:
			var after Element
			if len(m.els) > 0 && r.IntN(3) != 0 {
				after = m.els[r.IntN(len(m.els))]
			} else {
				after = Element{randMember(r, pool), score()}
			}
			var want []Element
			for _, e := range m.els {
				if !modelLess(e, after.Score, after.Member) && !(e.Score == after.Score && e.Member == after.Member) {
					want = append(want, e)
				}
			}
			if got := collect(z.After(after.Score, after.Member)); !sameElements(got, want) {
				t.Fatalf("After(%v)\n got %v\nwant %v", after, got, want)
			}
		}
		if op%97 == 0 {
			checkStructure(t, z, m)
		}
	}
	checkStructure(t, z, m)
}
