package zset

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/rnum"
)

// The expectations in this file were recorded from Debian 12's
// redis-server 7.0.15 (RESP2) running the same commands.

func newTestSet(listpack bool) *Set {
	z := New(rand.New(rand.NewPCG(1, 2)))
	z.SetListpack(listpack)
	return z
}

func zadd(t *testing.T, z *Set, args ...string) {
	t.Helper()
	for i := 0; i < len(args); i += 2 {
		s, ok := rnum.ParseFloat([]byte(args[i]))
		if !ok {
			t.Fatalf("score %q rejected", args[i])
		}
		z.Add(args[i+1], s)
	}
}

// withScores renders a range like a WITHSCORES reply body.
func withScores(seq func(func(string, float64) bool)) string {
	var parts []string
	for m, s := range seq {
		parts = append(parts, m, rnum.FormatScore(s))
	}
	return strings.Join(parts, " ")
}

func members(seq func(func(string, float64) bool)) string {
	var parts []string
	for m := range seq {
		parts = append(parts, m)
	}
	return strings.Join(parts, " ")
}

func TestServerScoresListpack(t *testing.T) {
	z := newTestSet(true) // 15 small members: Redis keeps them in a listpack
	zadd(t, z, "0.1", "a", "1.5", "b", "1e20", "c", "-0", "d", "1e17", "e", "1e16", "f",
		"1000000000000000.25", "g", "123456789", "h", "1e-5", "i", "3.0", "j", "inf", "k",
		"-inf", "l", "0x10", "m")
	for _, tc := range []struct{ member, want string }{
		{"a", "0.10000000000000001"}, {"b", "1.5"}, {"c", "1e+20"}, {"d", "0"},
		{"e", "1e+17"}, {"f", "10000000000000000"}, {"g", "1000000000000000.2"},
		{"h", "123456789"}, {"i", "1.0000000000000001e-05"}, {"j", "3"},
		{"k", "inf"}, {"l", "-inf"}, {"m", "16"},
	} {
		s, _ := z.Score(tc.member)
		if got := rnum.FormatScore(s); got != tc.want {
			t.Errorf("ZSCORE %s = %s, want %s", tc.member, got, tc.want)
		}
	}
	if added, updated := z.Add("d", 0); added || updated {
		t.Error("ZADD z CH 0 d must report no change")
	}
	cur, _ := z.Score("a")
	z.Add("a", cur+0.2)
	if s, _ := z.Score("a"); rnum.FormatScore(s) != "0.30000000000000004" {
		t.Errorf("ZINCRBY z 0.2 a = %s", rnum.FormatScore(s))
	}
	zadd(t, z, "+1", "x", "1e-320", "x", "infinity", "y")
	want := "l -inf d 0 x 9.9998886718268301e-321 i 1.0000000000000001e-05 a 0.30000000000000004 " +
		"b 1.5 j 3 m 16 h 123456789 g 1000000000000000.2 f 10000000000000000 e 1e+17 c 1e+20 k inf y inf"
	if got := withScores(z.RangeByRank(0, -1, false)); got != want {
		t.Errorf("ZRANGE z 0 -1 WITHSCORES\n got %s\nwant %s", got, want)
	}

	byScore := func(min, max string, off, cnt int) string {
		r, err := ParseScoreRange([]byte(min), []byte(max))
		if err != nil {
			return err.Error()
		}
		return members(z.RangeByScore(r, false, off, cnt))
	}
	all := "d x i a b j m h g f e c k y"
	for _, tc := range []struct {
		min, max string
		off, cnt int
		want     string
	}{
		{"", "", 0, -1, "d"},
		{" 1", "(2", 0, -1, "b"},
		{"(", "1\x00abc", 0, -1, "x i a"},
		{"   ", "1", 0, -1, "ERR min or max is not a float"},
		{"1e999", "+inf", 0, -1, "k y"},
		{"(nan", "1", 0, -1, "ERR min or max is not a float"},
		{"x", "1", 0, -1, "ERR min or max is not a float"},
		{"-inf", "+inf", -1, 2, ""},
		{"-inf", "+inf", 1, -5, all},
		{"-inf", "+inf", 1, 0, ""},
	} {
		if got := byScore(tc.min, tc.max, tc.off, tc.cnt); got != tc.want {
			t.Errorf("ZRANGEBYSCORE %q %q LIMIT %d %d = %q, want %q", tc.min, tc.max, tc.off, tc.cnt, got, tc.want)
		}
	}
	full, _ := ParseScoreRange([]byte("-inf"), []byte("+inf"))
	if n := z.CountByScore(full); n != 15 {
		t.Errorf("ZCOUNT -inf +inf = %d", n)
	}
	open, _ := ParseScoreRange([]byte("(1"), []byte("(1"))
	if n := z.CountByScore(open); n != 0 {
		t.Errorf("ZCOUNT (1 (1 = %d", n)
	}

	byLex := func(min, max string) string {
		r, err := ParseLexRange([]byte(min), []byte(max))
		if err != nil {
			return err.Error()
		}
		return members(z.RangeByLex(r, false, 0, -1))
	}
	for _, tc := range []struct{ min, max, want string }{
		{"-", "+", "l " + all},
		{"", "+", "ERR min or max not valid string range item"},
		{"+\x00x", "-", ""},
		{"a", "b", "ERR min or max not valid string range item"},
		{"-", "-", ""},
	} {
		if got := byLex(tc.min, tc.max); got != tc.want {
			t.Errorf("ZRANGEBYLEX %q %q = %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}

func TestServerLexMixedScoresListpack(t *testing.T) {
	z := newTestSet(true)
	zadd(t, z, "1", "b", "2", "a", "3", "c", "4", "aa")
	lex := func(min, max string) LexRange {
		r, err := ParseLexRange([]byte(min), []byte(max))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if got := members(z.RangeByLex(lex("[a", "[b"), false, 0, -1)); got != "b a" {
		t.Errorf("ZRANGEBYLEX [a [b = %q", got)
	}
	if got := members(z.RangeByLex(lex("[a", "[b"), true, 0, -1)); got != "aa c a b" {
		t.Errorf("ZREVRANGEBYLEX [b [a = %q", got)
	}
	if got := z.CountByLex(lex("[a", "[b")); got != 2 {
		t.Errorf("ZLEXCOUNT [a [b = %d", got)
	}
	if got := members(z.RangeByLex(lex("(a", "+"), false, 0, -1)); got != "b a c aa" {
		t.Errorf("ZRANGEBYLEX (a + = %q", got)
	}
	if got := z.DeleteRangeByLex(lex("[a", "[b")); got != 2 {
		t.Errorf("ZREMRANGEBYLEX [a [b = %d", got)
	}
	if got := members(z.All()); got != "c aa" {
		t.Errorf("after ZREMRANGEBYLEX: %q", got)
	}
}

func TestServerNegativeZeroSkiplist(t *testing.T) {
	z := newTestSet(false) // zset-max-listpack-entries 0
	zadd(t, z, "-0", "a", "1", "b")
	if s, _ := z.Score("a"); rnum.FormatScore(s) != "-0" {
		t.Errorf("ZSCORE = %s, want -0", rnum.FormatScore(s))
	}
	if added, updated := z.Add("a", 0); added || updated {
		t.Error("ZADD CH 0 a must count nothing")
	}
	if s, _ := z.Score("a"); rnum.FormatScore(s) != "-0" {
		t.Error("0 must not overwrite -0")
	}
	cur, _ := z.Score("a")
	if s := cur + math.Copysign(0, -1); rnum.FormatScore(s) != "-0" {
		t.Errorf("ZINCRBY -0 reply = %s", rnum.FormatScore(s))
	}
	if got := withScores(z.All()); got != "a -0 b 1" {
		t.Errorf("ZRANGE WITHSCORES = %q", got)
	}
	rng := func(min, max string) ScoreRange {
		r, err := ParseScoreRange([]byte(min), []byte(max))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if got := members(z.RangeByScore(rng("0", "0"), false, 0, -1)); got != "a" {
		t.Errorf("ZRANGEBYSCORE 0 0 = %q", got)
	}
	if got := members(z.RangeByScore(rng("(-0", "1"), false, 0, -1)); got != "b" {
		t.Errorf("ZRANGEBYSCORE (-0 1 = %q", got)
	}
	if got := members(z.RangeByRank(-100, 100, false)); got != "a b" {
		t.Errorf("ZRANGE -100 100 = %q", got)
	}
	if got := members(z.RangeByRank(1, 0, false)); got != "" {
		t.Errorf("ZRANGE 1 0 = %q", got)
	}
	if got := members(z.RangeByRank(0, 0, true)); got != "b" {
		t.Errorf("ZREVRANGE 0 0 = %q", got)
	}
	if got := members(z.RangeByScore(rng("-inf", "+inf"), true, 0, 1)); got != "b" {
		t.Errorf("ZRANGE +inf -inf BYSCORE REV LIMIT 0 1 = %q", got)
	}
	z.SetListpack(true) // a conversion rewrites -0 as 0
	if s, _ := z.Score("a"); math.Signbit(s) {
		t.Error("SetListpack(true) must normalise -0")
	}
}

func TestParseLexRangeItems(t *testing.T) {
	for _, tc := range []struct {
		item string
		ok   bool
	}{
		{"-", true}, {"+", true}, {"+\x00", true}, {"-x", false}, {"++", false},
		{"[", true}, {"(", true}, {"[a\x00b", true}, {"", false}, {"a", false},
	} {
		_, err := ParseLexRange([]byte(tc.item), []byte("+"))
		if (err == nil) != tc.ok {
			t.Errorf("lex item %q: err=%v want ok=%v", tc.item, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNotLexItem) {
			t.Errorf("wrong error %v", err)
		}
	}
	// An exclusive bound keeps every byte, NULs included.
	r, _ := ParseLexRange([]byte("(a\x00"), []byte("+"))
	z := newTestSet(false)
	z.Add("a", 0)
	z.Add("a\x00", 0)
	z.Add("a\x00b", 0)
	if got := members(z.RangeByLex(r, false, 0, -1)); got != "a\x00b" {
		t.Errorf("(a\\x00 + = %q", got)
	}
}

func TestEmptyAndBoundaries(t *testing.T) {
	z := newTestSet(false)
	full, _ := ParseScoreRange([]byte("-inf"), []byte("+inf"))
	lex, _ := ParseLexRange([]byte("-"), []byte("+"))
	if z.Len() != 0 || members(z.All()) != "" || members(z.RangeByScore(full, false, 0, -1)) != "" ||
		members(z.RangeByLex(lex, true, 0, -1)) != "" || z.CountByScore(full) != 0 || z.CountByLex(lex) != 0 {
		t.Error("empty set must yield nothing")
	}
	if z.PopMin(3) != nil || z.PopMax(1) != nil || z.Delete("x") {
		t.Error("empty pops/deletes")
	}
	if _, ok := z.At(0); ok {
		t.Error("At on empty set")
	}
	for i := 0; i < 10; i++ {
		z.Add(string(rune('a'+i)), float64(i))
	}
	if got := members(z.RangeByScore(full, false, math.MaxInt, 1)); got != "" {
		t.Errorf("huge offset = %q", got)
	}
	if got := members(z.RangeByScore(full, true, 9, -1)); got != "a" {
		t.Errorf("reverse offset 9 = %q", got)
	}
	if got := members(z.RangeByLex(lex, false, math.MaxInt, -1)); got != "" {
		t.Errorf("huge lex offset = %q", got)
	}
	if got := members(z.RangeByRank(math.MinInt, math.MaxInt, false)); got != "a b c d e f g h i j" {
		t.Errorf("extreme rank range = %q", got)
	}
	// Stopping early must not leak: iterators honour yield's false.
	n := 0
	for range z.All() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Error("early break")
	}
}

func TestDeterministicShape(t *testing.T) {
	build := func() *Set {
		z := New(rand.New(rand.NewPCG(42, 42)))
		for i := 0; i < 500; i++ {
			z.Add(strings.Repeat("x", i%13)+string(rune('a'+i%26)), float64(i%37))
		}
		return z
	}
	a, b := build(), build()
	for l := 0; l < maxLevel; l++ {
		xa, xb := a.head.lv[l].forward, b.head.lv[l].forward
		for xa != nil && xb != nil {
			if xa.member != xb.member || len(xa.lv) != len(xb.lv) {
				t.Fatal("same seed must give the same skiplist shape")
			}
			xa, xb = xa.lv[l].forward, xb.lv[l].forward
		}
		if xa != xb {
			t.Fatal("level lengths differ")
		}
	}
}
