package zset

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

const benchN = 100_000

func benchSet(b *testing.B) (*Set, []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	z := New(rand.New(rand.NewPCG(5, 6)))
	names := make([]string, benchN)
	for i := range names {
		names[i] = "member:" + strconv.Itoa(i)
		z.Add(names[i], float64(r.IntN(benchN)))
	}
	return z, names
}

// BenchmarkAdd measures inserting into a set of 1e5 members (each new
// member is removed again so the size stays put).
func BenchmarkAdd(b *testing.B) {
	z, _ := benchSet(b)
	r := rand.New(rand.NewPCG(7, 8))
	extra := make([]string, 1024)
	for i := range extra {
		extra[i] = "extra:" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := extra[i&1023]
		z.Add(m, float64(r.IntN(benchN)))
		z.Delete(m)
		i++
	}
}

// BenchmarkUpdate measures changing the score of an existing member.
func BenchmarkUpdate(b *testing.B) {
	z, names := benchSet(b)
	r := rand.New(rand.NewPCG(7, 8))
	b.ReportAllocs()
	for b.Loop() {
		z.Add(names[r.IntN(benchN)], float64(r.IntN(benchN)))
	}
}

func BenchmarkRank(b *testing.B) {
	z, names := benchSet(b)
	r := rand.New(rand.NewPCG(9, 10))
	b.ReportAllocs()
	for b.Loop() {
		z.Rank(names[r.IntN(benchN)], false)
	}
}

// BenchmarkRangeByScore reads 10 elements from a random point with an
// offset, as ZRANGE BYSCORE LIMIT 5 10 does.
func BenchmarkRangeByScore(b *testing.B) {
	z, _ := benchSet(b)
	r := rand.New(rand.NewPCG(11, 12))
	b.ReportAllocs()
	sum := 0.0
	for b.Loop() {
		lo := float64(r.IntN(benchN))
		rg := ScoreRange{Min: lo, Max: lo + 1000}
		for _, s := range z.RangeByScore(rg, false, 5, 10) {
			sum += s
		}
	}
	_ = sum
}

func BenchmarkCountByScore(b *testing.B) {
	z, _ := benchSet(b)
	r := rand.New(rand.NewPCG(13, 14))
	b.ReportAllocs()
	for b.Loop() {
		lo := float64(r.IntN(benchN))
		z.CountByScore(ScoreRange{Min: lo, Max: lo + 1000})
	}
}
