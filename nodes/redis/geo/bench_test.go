package geo

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redsim/redsim/nodes/redis/zset"
)

func randPoints(n int) [][2]float64 {
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i] = [2]float64{r.Float64()*360 - 180, r.Float64()*170 - 85}
	}
	return pts
}

// BenchmarkEncode is GEOADD's work per point.
func BenchmarkEncode(b *testing.B) {
	pts := randPoints(1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pts[i&1023]
		if _, err := Encode(p[0], p[1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode is GEOPOS's work per member.
func BenchmarkDecode(b *testing.B) {
	pts := randPoints(1024)
	scores := make([]float64, len(pts))
	for i, p := range pts {
		scores[i], _ = Encode(p[0], p[1])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Decode(scores[i&1023])
	}
}

// BenchmarkDistance is the filter's work per candidate.
func BenchmarkDistance(b *testing.B) {
	pts := randPoints(1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, q := pts[i&1023], pts[(i+1)&1023]
		Distance(p[0], p[1], q[0], q[1])
	}
}

// BenchmarkSearchRanges is the fixed cost of a search before the scan.
func BenchmarkSearchRanges(b *testing.B) {
	pts := randPoints(1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pts[i&1023]
		s := Shape{Lon: p[0], Lat: p[1], Unit: Kilometers, Radius: float64(1 + i%500)}
		if i%2 == 1 {
			s = Shape{Lon: p[0], Lat: p[1], Unit: Kilometers, Box: true, Width: float64(1 + i%300), Height: 50}
		}
		if len(SearchRanges(s)) == 0 {
			b.Fatal("no ranges")
		}
	}
}

// BenchmarkRun is a whole GEOSEARCH ... BYRADIUS 200 km ASC over 100000
// uniform points (about 60 candidates, 30 found).
func BenchmarkRun(b *testing.B) {
	z := zset.New(rand.New(rand.NewPCG(3, 4)))
	for i, p := range randPoints(100000) {
		s, _ := Encode(p[0], p[1])
		z.Add(strconv.Itoa(i), s)
	}
	centres := randPoints(64)
	found := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := centres[i&63]
		q := Query{Shape: Shape{Lon: c[0], Lat: c[1], Unit: Kilometers, Radius: 200}, Order: Asc}
		found += len(q.Run(z))
	}
	b.ReportMetric(float64(found)/float64(b.N), "points/op")
}
