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

// TestLognormalIsExact: the fast lognormal draw is the exact path's, bit for
// bit, across the distributions scenarios use and the valid extremes
// (sigma 0 puts every draw on a whole nanosecond, where only the exact path
// may decide; sigma 10 reaches the cap).
func TestLognormalIsExact(t *testing.T) {
	dists := []Dist{
		LogNormalDist(100*time.Microsecond, 300*time.Microsecond, 0.8),
		LogNormalDist(20*time.Microsecond, 80*time.Microsecond, 0.3),
		LogNormalDist(0, 135*time.Microsecond, 0.5),
		LogNormalDist(0, time.Millisecond, 0),
		LogNormalDist(0, 7, 1),
		LogNormalDist(0, 0, 2),
		LogNormalDist(time.Microsecond, 50*time.Microsecond, 10),
		LogNormalDist(0, 3*time.Second, 2.5),
		LogNormalDist(0, 1, 0.001),
	}
	n := 400_000
	if testing.Short() {
		n = 50_000
	}
	for i, d := range dists {
		r := NewStream(uint64(i+1), "lognormal")
		fast := 0
		for j := 0; j < n; j++ {
			u, s := polar(r)
			want := d.lognormalExact(u, s)
			if got := d.lognormal(u, s); got != want {
				t.Fatalf("%v, u=%v s=%v: lognormal %d ns, exact path %d ns", d, u, s, got, want)
			}
			if got, ok := d.lognormalFast(u, s); ok {
				fast++
				if got != want {
					t.Fatalf("%v, u=%v s=%v: fast path sure of %d ns, exact path %d ns", d, u, s, got, want)
				}
			}
		}
		// Both paths are exercised: the fast one nearly always at the
		// built-ins' latencies, never on whole nanoseconds.
		switch {
		case d.Sigma == 0 && d.Median > 0:
			if fast != 0 {
				t.Errorf("%v: the fast path decided %d whole-nanosecond draws", d, fast)
			}
		case i < 3 && fast < n-n/10000:
			t.Errorf("%v: the fast path decided only %d of %d draws", d, fast, n)
		}
		t.Logf("%v: fast path %d of %d", d, fast, n)
	}
}

// TestFastExpLog: fastExp and fastLog are within a few ulps of math.Exp
// and math.Log (lognormal's guard allows a hundred times more), over the
// exponents draws reach and the whole range of the polar method's s,
// including s just below 1, where ln(s) nears 0.
func TestFastExpLog(t *testing.T) {
	r := NewStream(6, "fast")
	xs := []float64{0, 1e-300, -1e-300, math.Ln2 / 128, -math.Ln2 / 128, 599.9, -599.9, 1, -1}
	for i := 0; i < 300_000; i++ {
		xs = append(xs, 600*(2*r.Float64()-1), 4*r.NormFloat64())
	}
	for _, x := range xs {
		if got, want := fastExp(x), math.Exp(x); math.Abs(got-want) > 2e-15*(math.Abs(x)+1)*want {
			t.Fatalf("fastExp(%v) = %v, math.Exp %v (%.3g relative)", x, got, want, (got-want)/want)
		}
	}
	ss := []float64{0x1p-104, 0.75, math.Nextafter(0.75, 0), 0.5, math.Nextafter(1, 0), 1 - 0x1p-40, 1 - 1.0/128, 1 - 1.0/64, 0.99}
	for i := 0; i < 300_000; i++ {
		_, s := polar(r)
		ss = append(ss, s, 1-math.Ldexp(r.Float64(), -r.IntN(50)))
	}
	for _, s := range ss {
		if s <= 0 || s >= 1 {
			continue
		}
		if got, want := fastLog(s), math.Log(s); math.Abs(got-want) > 2e-15*math.Abs(want) {
			t.Fatalf("fastLog(%v) = %v, math.Log %v (%.3g relative)", s, got, want, (got-want)/want)
		}
	}
}

// TestDetExpLog: detExp and detLog agree with math.Exp and math.Log to
// within the relative 1e-14 that lognormal's guard assumes, across the
// range draws use.
func TestDetExpLog(t *testing.T) {
	r := NewStream(5, "explog")
	for i := 0; i < 200_000; i++ {
		x := 60 * (2*r.Float64() - 1)
		if got, want := detExp(x), math.Exp(x); math.Abs(got-want) > 1e-14*(math.Abs(x)+1)*want {
			t.Fatalf("detExp(%v) = %v, math.Exp %v", x, got, want)
		}
		_, s := polar(r)
		if got, want := detLog(s), math.Log(s); math.Abs(got-want) > 1e-14*math.Abs(want) {
			t.Fatalf("detLog(%v) = %v, math.Log %v", s, got, want)
		}
	}
}
