package sim

import (
	"math"
	"testing"
	"time"
)

// TestDrawsMatchDraw: Draws gives what Dist.Draw gives on the stream of
// the same name, draw for draw, across changes of distribution made at
// every point of a batch made ahead, to and from every kind.
func TestDrawsMatchDraw(t *testing.T) {
	dists := []Dist{
		LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		LogNormalDist(0, time.Millisecond, 0),
		LogNormalDist(time.Microsecond, 50*time.Microsecond, 10), // capped draws
		UniformDist(time.Microsecond, time.Millisecond),
		FixedDist(5 * time.Microsecond),
		LogNormalDist(20*time.Microsecond, 80*time.Microsecond, 0.3),
	}
	for seed := uint64(1); seed <= 30; seed++ {
		w := NewWorld(seed)
		plan := NewStream(seed, "plan")
		ref := w.Stream("net/link/a->b")
		got := w.NewDraws("net/link/a->b", dists[0])
		d := dists[0]
		for i := 0; i < 3000; i++ {
			if plan.IntN(7) == 0 {
				d = dists[plan.IntN(len(dists))]
				got.SetDist(d)
			}
			if a, b := got.Next(), d.Draw(ref); a != b {
				t.Fatalf("seed %d draw %d of %v: Draws gave %v, Draw %v", seed, i, d, a, b)
			}
		}
	}
}

func TestDetExp4(t *testing.T) {
	r := NewStream(3, "exp4")
	xs := []float64{0, -0.0, 1, -1, 700, -700, 701, -701, math.Inf(1), math.Inf(-1), ln2 / 2, -ln2 / 2, 1e-300, 40}
	for i := 0; i < 100_000; i++ {
		xs = append(xs, 8*r.NormFloat64())
	}
	for i := 0; i+drawsAhead <= len(xs); i++ {
		var x [drawsAhead]float64
		copy(x[:], xs[i:])
		got := detExp4(x)
		for j := range x {
			if want := detExp(x[j]); math.Float64bits(got[j]) != math.Float64bits(want) {
				t.Fatalf("detExp4 lane %d of %v = %v, detExp %v", j, x[j], got[j], want)
			}
		}
	}
}

func TestDetLog4(t *testing.T) {
	r := NewStream(4, "log4")
	xs := []float64{math.SmallestNonzeroFloat64, 1e-300, 0.5, math.Sqrt2 / 2, math.Nextafter(math.Sqrt2/2, 0), math.Nextafter(1, 0), 0.25}
	for i := 0; i < 100_000; i++ {
		xs = append(xs, r.Float64(), math.Ldexp(r.Float64(), -r.IntN(60)))
	}
	for i := 0; i+drawsAhead <= len(xs); i++ {
		var x [drawsAhead]float64
		copy(x[:], xs[i:])
		if x[0] == 0 || x[1] == 0 || x[2] == 0 || x[3] == 0 {
			continue
		}
		got := detLog4(x)
		for j := range x {
			if want := detLog(x[j]); math.Float64bits(got[j]) != math.Float64bits(want) {
				t.Fatalf("detLog4 lane %d of %v = %v, detLog %v", j, x[j], got[j], want)
			}
		}
	}
}
