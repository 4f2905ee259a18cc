package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// drawsAhead is how many lognormal draws Draws makes at once.
const drawsAhead = 4

// Draws hands out the draws of a distribution from one named stream, the
// same durations in the same order as calling Dist.Draw on that stream
// each time (a network link's latency, one segment after another).
//
// A lognormal draw is mostly its exponential, a chain of divisions each
// waiting for the one before; Draws makes four at once so that their
// chains overlap. Drawing ahead moves no other stream and no draw: the
// stream is the Draws' own, and when the distribution changes with draws
// made ahead, the stream is rewound to where they began and advanced by
// the ones handed out, so the new distribution draws from exactly where
// one draw at a time would have left it.
type Draws struct {
	d   Dist
	src *rand.PCG
	r   *rand.Rand
	// saved is src before the draws in ahead[:n] were made; next of them
	// have been handed out.
	saved   rand.PCG
	ahead   [drawsAhead]time.Duration
	next, n int
}

// NewDraws draws from d on the world's stream of that name (the stream
// World.Stream(name) would give).
func (w *World) NewDraws(name string, d Dist) *Draws {
	src := rand.NewPCG(w.seed, hashString(name))
	return &Draws{d: d, src: src, r: rand.New(src)}
}

// Dist is the distribution drawn from.
func (s *Draws) Dist() Dist { return s.d }

// SetDist draws from d from now on.
func (s *Draws) SetDist(d Dist) {
	if s.next < s.n {
		*s.src = s.saved
		for i := 0; i < s.next; i++ {
			s.d.Draw(s.r)
		}
	}
	s.next, s.n = 0, 0
	s.d = d
}

// Next is the next draw.
func (s *Draws) Next() time.Duration {
	if s.next < s.n {
		v := s.ahead[s.next]
		s.next++
		return v
	}
	if s.d.Kind != LogNormal {
		return s.d.Draw(s.r)
	}
	s.saved = *s.src
	s.d.drawLogNormals(s.r, &s.ahead)
	s.next, s.n = 1, drawsAhead
	return s.ahead[0]
}

// drawLogNormals fills out with the next draws of d, a LogNormal, as
// successive calls of d.Draw(r) would give them: the normals one after
// another (they share r), then the exponentials side by side.
func (d Dist) drawLogNormals(r *rand.Rand, out *[drawsAhead]time.Duration) {
	z := normals(r)
	var x [drawsAhead]float64
	for i := range x {
		x[i] = d.Sigma * z[i]
	}
	e := detExp4(x)
	for i, v := range e {
		v = float64(d.Median) * v
		if v > 1e15 {
			v = 1e15
		}
		out[i] = d.Floor + time.Duration(v)
	}
}

// detExp4 is detExp of four arguments, computed side by side: the same
// operations on each, so the same results.
func detExp4(x [drawsAhead]float64) [drawsAhead]float64 {
	var k, r [drawsAhead]float64
	for i, xi := range x {
		if xi > 700 || xi < -700 || xi != xi {
			continue // detExp's special cases, settled below
		}
		k[i] = math.Floor(xi/ln2 + 0.5)
		r[i] = xi - float64(k[i]*ln2)
	}
	r0, r1, r2, r3 := r[0], r[1], r[2], r[3]
	t0, t1, t2, t3 := 1.0, 1.0, 1.0, 1.0
	s0, s1, s2, s3 := 1.0, 1.0, 1.0, 1.0
	for i := 1; i <= 20; i++ {
		fi := float64(i)
		t0 = float64(t0*r0) / fi
		t1 = float64(t1*r1) / fi
		t2 = float64(t2*r2) / fi
		t3 = float64(t3*r3) / fi
		s0 += t0
		s1 += t1
		s2 += t2
		s3 += t3
	}
	out := [drawsAhead]float64{s0, s1, s2, s3}
	for i, xi := range x {
		switch {
		case xi > 700:
			out[i] = math.Inf(1)
		case xi < -700:
			out[i] = 0
		case xi != xi:
			out[i] = detExp(xi)
		default:
			out[i] = math.Ldexp(out[i], int(k[i]))
		}
	}
	return out
}

// normals is four calls of normal(r): the polar method's pairs drawn one
// deviate after another, then their logarithms side by side.
func normals(r *rand.Rand) [drawsAhead]float64 {
	var u, s [drawsAhead]float64
	for i := range u {
		for {
			ui := 2*r.Float64() - 1
			vi := 2*r.Float64() - 1
			si := float64(ui*ui) + float64(vi*vi)
			if si > 0 && si < 1 {
				u[i], s[i] = ui, si
				break
			}
		}
	}
	l := detLog4(s)
	var z [drawsAhead]float64
	for i := range z {
		z[i] = u[i] * math.Sqrt(float64(-2*l[i])/s[i])
	}
	return z
}

// detLog4 is detLog of four arguments in (0, 1), side by side.
func detLog4(x [drawsAhead]float64) [drawsAhead]float64 {
	var s, s2 [drawsAhead]float64
	var e [drawsAhead]int
	for i, xi := range x {
		m, ei := math.Frexp(xi)
		if m < math.Sqrt2/2 {
			m *= 2
			ei--
		}
		s[i] = (m - 1) / (m + 1)
		s2[i] = float64(s[i] * s[i])
		e[i] = ei
	}
	q0, q1, q2, q3 := s2[0], s2[1], s2[2], s2[3]
	t0, t1, t2, t3 := s[0], s[1], s[2], s[3]
	u0, u1, u2, u3 := s[0], s[1], s[2], s[3]
	for i := 3; i <= 41; i += 2 {
		fi := float64(i)
		t0 = float64(t0 * q0)
		t1 = float64(t1 * q1)
		t2 = float64(t2 * q2)
		t3 = float64(t3 * q3)
		u0 += t0 / fi
		u1 += t1 / fi
		u2 += t2 / fi
		u3 += t3 / fi
	}
	sum := [drawsAhead]float64{u0, u1, u2, u3}
	var out [drawsAhead]float64
	for i := range out {
		out[i] = 2*sum[i] + float64(float64(e[i])*ln2)
	}
	return out
}
