package geo

import (
	"math"
	"math/big"
)

// The slow path of sin, cos and asin, and the source of every constant
// the fast path uses: the functions evaluated in math/big with an error
// bound, at a working precision that doubles until the bound decides the
// rounding (Ziv's strategy). sin x, cos x and asin x are transcendental
// for every double x other than 0 (Lindemann–Weierstrass), so they never
// fall on a double or on a midpoint between two, and the loop ends. The
// first precision, 192 bits, decides unless the result lies within about
// 2^-180 of a midpoint; no argument tried in the tests comes that close.

// startPrec is the first working precision of the slow path.
const startPrec = 192

// newFloat returns a zero big.Float of precision prec.
func newFloat(prec uint) *big.Float { return new(big.Float).SetPrec(prec) }

// pow2 returns 2^e exactly.
func pow2(e int) *big.Float { return new(big.Float).SetMantExp(big.NewFloat(1), e) }

// piBig returns π to prec+40 bits, within 2^-prec of the true value:
// Machin's formula π = 16 atan(1/5) - 4 atan(1/239), each arctangent
// summed from its series at that precision. The sums have fewer than prec
// terms, each rounded a few times, so their error stays below
// 21·(w+2)·2^-w, far under 2^-prec for w = prec+40.
func piBig(prec uint) *big.Float {
	w := prec + 40
	a := atanInv(5, w)
	b := atanInv(239, w)
	a.SetMantExp(a, 4) // ×16, exact
	b.SetMantExp(b, 2) // ×4, exact
	return a.Sub(a, b)
}

// atanInv returns atan(1/m) = Σ (-1)^n / ((2n+1) m^(2n+1)) at precision w.
func atanInv(m int64, w uint) *big.Float {
	m2 := newFloat(w).SetInt64(m * m)
	pow := newFloat(w).SetInt64(m)
	pow.Quo(newFloat(w).SetInt64(1), pow)
	sum := newFloat(w).Set(pow)
	term := newFloat(w)
	for n := int64(1); ; n++ {
		pow.Quo(pow, m2)
		if pow.MantExp(nil) < -int(w)-4 {
			return sum
		}
		term.Quo(pow, newFloat(w).SetInt64(2*n+1))
		if n%2 == 1 {
			sum.Sub(sum, term)
		} else {
			sum.Add(sum, term)
		}
	}
}

// roundEnclosure returns the double nearest to every number of
// [v-e, v+e], and false when that interval holds a rounding boundary.
func roundEnclosure(v, e *big.Float) (float64, bool) {
	prec := v.Prec() + 64
	lo := newFloat(prec).SetMode(big.ToNegativeInf)
	lo.Sub(v, e)
	hi := newFloat(prec).SetMode(big.ToPositiveInf)
	hi.Add(v, e)
	f, _ := lo.Float64()
	g, _ := hi.Float64()
	return f, f == g
}

// sinCosSlow is sin(x), or cos(x) when wantCos, correctly rounded, for a
// finite x other than 0.
func sinCosSlow(x float64, wantCos bool) float64 {
	for w := uint(startPrec); ; w *= 2 {
		v, e := sinCosBig(x, wantCos, w)
		if f, ok := roundEnclosure(v, e); ok {
			return f
		}
	}
}

// sinCosBig returns an approximation v of sin(x) (cos(x) when wantCos)
// and a bound e on its absolute error, a small multiple of 2^-w times
// the result unless the reduction cancels almost all of x.
//
// x = k·π/2 + r with |r| <= π/4 (a hair more when x/(π/2) is within
// 2^-60 of a half-integer: the series do not mind). π/2 carries enough
// bits that k·π/2 is exact to 2^-(w+20) even for the largest doubles, so
// r's error is at most 2^-(w+20) + 2^-(w+8)|r|.
func sinCosBig(x float64, wantCos bool, w uint) (v, e *big.Float) {
	wp := w + 8
	X := new(big.Float).SetFloat64(x)
	r := newFloat(wp).Set(X)
	errR := newFloat(64) // 0
	quadrant := 0
	if math.Abs(x) > 0.78 {
		ex := max(X.MantExp(nil), 0) // |x| < 2^ex
		pp := wp + uint(ex) + 20
		half := piBig(pp)
		half.SetMantExp(half, -1) // π/2 within 2^-(pp+1)
		q := newFloat(uint(ex)+64).Quo(X, half)
		if q.Sign() > 0 {
			q.Add(q, big.NewFloat(0.5))
		} else {
			q.Sub(q, big.NewFloat(0.5))
		}
		k, _ := q.Int(nil) // round(x/(π/2)), |k| < 2^ex
		kHalf := newFloat(half.Prec() + uint(k.BitLen()) + 1).SetInt(k)
		kHalf.Mul(kHalf, half) // exact
		r.Sub(X, kHalf)
		errR.Abs(r)
		errR.SetMantExp(errR, -int(wp))
		errR.Add(errR, pow2(-int(w)-20))
		quadrant = int(new(big.Int).And(k, big.NewInt(3)).Int64())
	}
	if wantCos {
		quadrant++
	}
	// sin x is sin r, cos r, -sin r, -cos r in quadrants 0 to 3.
	sine := quadrant%2 == 0
	s, terms := sinCosSeries(r, sine, wp)
	// Rounding errors: every term is rounded a few times and the partial
	// sums once each; the terms sum (in magnitude) to sinh|r| or cosh r,
	// below 1.35 for |r| < 0.8, and the truncated tail is below the last
	// term computed, itself below 2^-wp (relative to r for sin).
	scale := big.NewFloat(1.5)
	if sine {
		scale.Abs(r)
		scale.Mul(scale, big.NewFloat(1.5))
	}
	e = newFloat(64).SetInt64(int64(6*terms + 12))
	e.Mul(e, scale)
	e.SetMantExp(e, -int(wp))
	e.Add(e, errR) // |sin'|, |cos'| <= 1
	if quadrant%4 >= 2 {
		s.Neg(s)
	}
	return s, e
}

// sinCosSeries sums the Taylor series of sin r (odd powers) or cos r at
// precision wp until a term falls below 2^-wp (times |r| for sin), and
// returns the sum and the number of terms.
func sinCosSeries(r *big.Float, odd bool, wp uint) (*big.Float, int) {
	r2 := newFloat(wp).Mul(r, r)
	term := newFloat(wp).SetInt64(1)
	limit := pow2(-int(wp))
	if odd {
		term.Set(r)
		limit.Mul(limit, newFloat(64).Abs(r))
	}
	sum := newFloat(wp).Set(term)
	n := int64(1)
	if odd {
		n = 2
	}
	terms := 1
	for {
		term.Mul(term, r2)
		term.Quo(term, newFloat(64).SetInt64(n*(n+1)))
		term.Neg(term)
		n += 2
		terms++
		sum.Add(sum, term)
		if term.Sign() == 0 || newFloat(64).Abs(term).Cmp(limit) < 0 {
			return sum, terms
		}
	}
}

// asinSlow is asin(x) correctly rounded, for 0 < |x| <= 1.
func asinSlow(x float64) float64 {
	for w := uint(startPrec); ; w *= 2 {
		v, e := asinBig(x, w)
		if f, ok := roundEnclosure(v, e); ok {
			return f
		}
	}
}

// asinBig returns an approximation of asin(x) and a bound on its absolute
// error, for 0 < |x| <= 1. Up to 1/2 the series of asin converges at
// least as fast as 4^-n; above, asin x = π/2 - 2 asin(√((1-x)/2)) brings
// the argument back below 1/2 (1-x and the halving are exact), and the
// result, at least π/6, loses nothing to the subtraction.
func asinBig(x float64, w uint) (v, e *big.Float) {
	wp := w + 8
	ax := math.Abs(x)
	if ax <= 0.5 {
		v, e = asinSeries(new(big.Float).SetFloat64(ax), wp)
	} else {
		z := new(big.Float).SetFloat64(1 - ax) // exact for 1/2 < ax <= 1
		z.SetMantExp(z, -1)
		s := newFloat(wp).Sqrt(z) // within 2^-wp relative (Sqrt rounds to nearest)
		a, ea := asinSeries(s, wp)
		// asin' <= 1/√(1-1/4) < 1.2 carries s's error into a.
		es := newFloat(64).Mul(s, big.NewFloat(1.2))
		es.SetMantExp(es, -int(wp))
		ea.Add(ea, es)
		half := piBig(wp + 2)
		half.SetMantExp(half, -1)
		a.SetMantExp(a, 1)
		v = newFloat(wp).Sub(half, a)
		// π/2's error, twice a's, and the subtraction's rounding.
		e = newFloat(64).SetMantExp(ea, 1)
		e.Add(e, pow2(-int(wp)))
		e.Add(e, pow2(-int(wp)+1))
	}
	if x < 0 {
		v.Neg(v)
	}
	return v, e
}

// asinSeries sums asin s = Σ (2n)!/(4^n n!²) s^(2n+1)/(2n+1) for
// 0 <= s <= 1/2 at precision wp until a term falls below 2^-wp·s. The
// terms are positive, sum to at most 1.05·s, and the tail after the last
// one is at most 4/3 of it.
func asinSeries(s *big.Float, wp uint) (v, e *big.Float) {
	s2 := newFloat(wp).Mul(s, s)
	c := newFloat(wp).Set(s) // (2n)!/(4^n n!²) s^(2n+1)
	sum := newFloat(wp).Set(s)
	limit := newFloat(64).SetMantExp(s, -int(wp))
	term := newFloat(wp)
	terms := 1
	for n := int64(1); s.Sign() != 0; n++ {
		c.Mul(c, s2)
		c.Mul(c, newFloat(64).SetInt64(2*n-1))
		c.Quo(c, newFloat(64).SetInt64(2*n))
		term.Quo(c, newFloat(64).SetInt64(2*n+1))
		sum.Add(sum, term)
		terms++
		if term.Cmp(limit) < 0 {
			break
		}
	}
	e = newFloat(64).SetInt64(int64(6*terms + 12))
	e.Mul(e, s)
	e.SetMantExp(e, -int(wp))
	return sum, e
}
