package sim

import (
	"math/rand/v2"
	"time"
)

// drawsAhead is how many lognormal draws Draws makes at once.
const drawsAhead = 4

// Draws hands out the draws of a distribution from one named stream, the
// same durations in the same order as calling Dist.Draw on that stream
// each time (a network link's latency, one segment after another).
//
// A lognormal draw is a chain of operations each waiting for the one
// before (a logarithm, two divisions, a square root, an exponential); Draws
// makes four at once so that their chains overlap. Drawing ahead moves no
// other stream and no draw: the stream is the Draws' own, and when the
// distribution changes with draws made ahead, the stream is rewound to
// where they began and advanced by the ones handed out, so the new
// distribution draws from exactly where one draw at a time would have left
// it.
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
// successive calls of d.Draw(r) would give them: the polar pairs one after
// another (they share r), then the draws side by side, so that the chains of
// dependent operations in each overlap.
func (d Dist) drawLogNormals(r *rand.Rand, out *[drawsAhead]time.Duration) {
	var u, s [drawsAhead]float64
	for i := range u {
		u[i], s[i] = polar(r)
	}
	var ok [drawsAhead]bool
	for i := range out {
		out[i], ok[i] = d.lognormalFast(u[i], s[i])
	}
	for i := range out {
		if !ok[i] {
			out[i] = d.lognormalExact(u[i], s[i])
		}
	}
}
