package geo

import (
	"math"
	"math/big"
)

// Redis calls sin, cos and asin from the C library, and the last bits of
// their results can reach a reply (near the antipode a distance moves by
// up to some centimetres when asin's argument moves by one ulp). C
// libraries differ in those bits, and Go's math package differs from
// Debian 12's libm in 7% to 35% of calls, so this file computes the
// correctly rounded results: the double nearest to the true value. A
// good libm is within one ulp of the true value and returns the nearest
// double in all but a small share of cases (doc.go gives the figures for
// Debian 12's libm), so these results agree with Redis's in all but those
// cases, without copying any library.
//
// Each function evaluates its result as a double-double h + l with a
// bound e on the error, and rounds: when no rounding boundary lies within
// e of h + l, h is the correctly rounded result. It tries three times:
// quick kernels (error below 2^-61; the test fails for about 0.6% of
// arguments), accurate kernels (2^-78; about 2^-25 of arguments still
// fail), and the slow path of trig_big.go, which decides in math/big and
// also takes every sin and cos argument beyond reduceMax. The constants
// (π/2 and -1/6 split into doubles, sin and cos at multiples of 1/64) are
// computed in math/big by init; the polynomial coefficients are the
// Taylor series' ±1/n! rounded to a double.
//
// Error bounds. twoSum, fastTwoSum and twoProd are exact; the figures
// below are relative to the kernel's result, rounded up, and the bounds
// used are at least four times them, which also covers the rounding
// test's own roundings (below 2^-105 relative).
//
//   - Series: for |t| <= 2^-7 those of cos t - 1 and sin t - t are cut
//     after t^8 and t^9, leaving tails below 2^-77|t|² and 2^-81|t|³.
//   - Accurate kernels: the coefficients past -1/2 and -1/6 are summed in
//     doubles from t² rounded to a double (absolute error below 2^-69
//     next to the -1/2 and -1/6), the rest in double-double, which puts
//     cos t - 1 within 2^-83 and sin t - t within 2^-85|t|. With the
//     table entries (within 2^-106) the sums sin(a+t) = sin a + cos a·t
//     + sin a·(cos t - 1) + cos a·(sin t - t) + … and cos(a+t) = cos a -
//     sin a·t + … are within 2^-81: sin a is at most twice the result,
//     and every part over 2^-30 of it is carried in double-double.
//   - Quick kernels: only cos a·t (sin a·t) is carried in double-double
//     beside the table entry; the other parts, below 2^-14 of the result,
//     are summed in doubles and are within 2^-63 (2^-66 when a = 0).
//   - Reduction: x - k·π/2 with π/2 in four doubles (213 bits) and |k| <
//     2^20: x - k·hp0 is exact, the other products exact or within
//     2^-160|k|, so r is within |k|·2^-150 + 2^-100|r|, an absolute error
//     that sin and cos carry over unchanged (their derivatives are at most
//     1).
//   - asin: see asinKernel and asin.

// reduceMax bounds the arguments sin and cos reduce in double-double
// (k < 2^20); beyond it the slow path reduces with math/big. Redis only
// goes there through cos in geohashBoundingBox with a radius of millions
// of kilometres.
const reduceMax = 1e6

// kernelErr and quickErr are the relative error bounds of the accurate
// kernels (sinKernel, cosKernel) and of the quick ones (sinQuick,
// cosQuick): eight and four times what the analysis gives.
const (
	kernelErr = 0x1p-78
	quickErr  = 0x1p-61
)

// tabStep is the table's spacing, 1/64, and tabSize its length: the
// kernels' arguments stay below π/4 + 2^-32, so the index reaches 50.
const (
	tabStep = 1.0 / 64
	tabSize = 52
)

// Constants of the fast path; init computes them in math/big.
var (
	// halfPi is π/2 as hp0 + hp1 + hp2 + hp3, each the double nearest to
	// what the previous ones leave (hp0 is math.Pi/2).
	halfPi [4]float64
	// twoOverPi is 2/π rounded; it only picks k.
	twoOverPi float64
	// mSixth is -1/6 as a double-double, the first coefficient of sin t - t.
	mSixth [2]float64
	// sinCosTab[i] is sin(i/64) and cos(i/64), each as a double-double
	// (high, low, high, low).
	sinCosTab [tabSize][4]float64
)

func init() {
	const prec = 320
	pi := piBig(prec)
	half := newFloat(prec).SetMantExp(pi, -1)
	splitBig(half, halfPi[:])
	twoOverPi, _ = newFloat(prec).Quo(big.NewFloat(2), pi).Float64()
	splitBig(newFloat(prec).Quo(big.NewFloat(-1), big.NewFloat(6)), mSixth[:])

	// sin and cos of i/64 from those of 1/64 by the addition formulas; at
	// 320 bits the 51 steps lose nothing a double-double can hold.
	step := newFloat(prec).SetMantExp(big.NewFloat(1), -6)
	s1, _ := sinCosSeries(step, true, prec)
	c1, _ := sinCosSeries(step, false, prec)
	s := newFloat(prec)
	c := newFloat(prec).SetInt64(1)
	t := newFloat(prec)
	u := newFloat(prec)
	for i := range sinCosTab {
		splitBig(s, sinCosTab[i][0:2])
		splitBig(c, sinCosTab[i][2:4])
		// s, c = s·c1 + c·s1, c·c1 - s·s1
		t.Mul(s, c1)
		u.Mul(c, s1)
		t.Add(t, u)
		u.Mul(c, c1)
		c.Mul(s, s1)
		c.Sub(u, c)
		s.Set(t)
	}
}

// splitBig writes v as a sum of len(parts) doubles, each the nearest to
// what the previous ones leave of v.
func splitBig(v *big.Float, parts []float64) {
	rest := newFloat(v.Prec()).Set(v)
	for i := range parts {
		parts[i], _ = rest.Float64()
		rest.Sub(rest, new(big.Float).SetFloat64(parts[i]))
	}
}

// twoSum returns s = a+b rounded and the rounding error: a+b = s+e.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// fastTwoSum is twoSum for |a| >= |b| (or a = 0).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return s, e
}

// twoProd returns p = a·b rounded and the rounding error: a·b = p+e
// (exact while a·b stays far from the underflow range).
func twoProd(a, b float64) (p, e float64) {
	p = float64(a * b)
	e = math.FMA(a, b, -p)
	return p, e
}

// tPoly returns cos t - 1 and sin t - t, each as a double-double, for
// |t| <= 2^-7 (see the error bounds in the file comment).
func tPoly(t float64) (ch, cl, sh, sl float64) {
	t2h, t2l := twoProd(t, t)
	// cos t - 1 = t²·(-1/2 + t²/24 - t⁴/720 + t⁶/40320 - …)
	p := float64(t2h * (1.0/24 + float64(t2h*(-1.0/720+float64(t2h*(1.0/40320))))))
	bh, bl := fastTwoSum(-0.5, p)
	ch, cl = twoProd(t2h, bh)
	cl += float64(t2h*bl) + float64(t2l*bh)
	// sin t - t = t³·(-1/6 + t²/120 - t⁴/5040 + t⁶/362880 - …)
	q := float64(t2h * (1.0/120 + float64(t2h*(-1.0/5040+float64(t2h*(1.0/362880))))))
	ah, al := fastTwoSum(mSixth[0], q)
	al += mSixth[1]
	t3h, t3l := twoProd(t, t2h)
	t3l += float64(t * t2l)
	sh, sl = twoProd(t3h, ah)
	sl += float64(t3h*al) + float64(t3l*ah)
	return ch, cl, sh, sl
}

// sinKernel returns sin(rh+rl) as a double-double within kernelErr of
// the result, for 0 <= rh <= π/4 + 2^-32 and |rl| <= 2^-52·rh: with a =
// i/64 the table point nearest to rh and t = rh - a (exact) + rl,
// sin(a+t) = sin a·cos t + cos a·sin t.
func sinKernel(rh, rl float64) (h, l float64) {
	i := int(rh*64 + 0.5)
	th := rh - float64(i)*tabStep
	ch, cl, s3h, s3l := tPoly(th)
	if i == 0 {
		h, l = fastTwoSum(th, s3h)
		l += s3l + float64(rl*(1+ch))
		return fastTwoSum(h, l)
	}
	e := &sinCosTab[i]
	sa, sal, ca, cal := e[0], e[1], e[2], e[3]
	// sin a + cos a·t + sin a·(cos t - 1) + cos a·(sin t - t), with rl
	// entering as rl·(cos a·cos t - sin a·sin t).
	p3, e3 := twoProd(ca, th)
	e3 += float64(cal * th)
	p1, e1 := twoProd(sa, ch)
	e1 += float64(sa*cl) + float64(sal*ch)
	p2, e2 := twoProd(ca, s3h)
	e2 += float64(ca*s3l) + float64(cal*s3h)
	h, l0 := fastTwoSum(sa, p3)
	h, l1 := twoSum(h, p1)
	h, l2 := twoSum(h, p2)
	tail := float64(rl * (float64(ca*(1+ch)) - float64(sa*(th+s3h))))
	l = sal + e3 + e1 + e2 + l0 + l1 + l2 + tail
	return fastTwoSum(h, l)
}

// cosKernel returns cos(rh+rl) as a double-double within kernelErr of the
// result, under sinKernel's conditions: cos(a+t) = cos a·cos t - sin a·sin t.
func cosKernel(rh, rl float64) (h, l float64) {
	i := int(rh*64 + 0.5)
	th := rh - float64(i)*tabStep
	ch, cl, s3h, s3l := tPoly(th)
	if i == 0 {
		h, l = fastTwoSum(1, ch)
		l += cl - float64(rl*(th+s3h))
		return fastTwoSum(h, l)
	}
	e := &sinCosTab[i]
	sa, sal, ca, cal := e[0], e[1], e[2], e[3]
	// cos a - sin a·t + cos a·(cos t - 1) - sin a·(sin t - t), with rl
	// entering as -rl·(sin a·cos t + cos a·sin t).
	p3, e3 := twoProd(-sa, th)
	e3 -= float64(sal * th)
	p1, e1 := twoProd(ca, ch)
	e1 += float64(ca*cl) + float64(cal*ch)
	p2, e2 := twoProd(-sa, s3h)
	e2 -= float64(sa*s3l) + float64(sal*s3h)
	h, l0 := fastTwoSum(ca, p3)
	h, l1 := twoSum(h, p1)
	h, l2 := twoSum(h, p2)
	tail := float64(rl * (float64(sa*(1+ch)) + float64(ca*(th+s3h))))
	l = cal + e3 + e1 + e2 + l0 + l1 + l2 - tail
	return fastTwoSum(h, l)
}

// sinQuick is sinKernel in fewer operations, within quickErr of the
// result: only cos a·t is carried in double-double beside the table
// entry. The corrections are summed in doubles; the largest, sin a·(cos t
// - 1), is below 2^-14 of the result, so they are within 2^-63 of it
// (2^-66 when a = 0, where sin t - t is below 2^-16 of t).
func sinQuick(rh, rl float64) (h, l float64) {
	i := int(rh*64 + 0.5)
	th := rh - float64(i)*tabStep
	t2 := float64(th * th)
	c := float64(t2 * (-0.5 + float64(t2*(1.0/24+float64(t2*(-1.0/720+float64(t2*(1.0/40320))))))))
	s3 := float64(float64(th*t2) * (-1.0/6 + float64(t2*(1.0/120+float64(t2*(-1.0/5040+float64(t2*(1.0/362880))))))))
	if i == 0 {
		return fastTwoSum(th, s3+float64(rl*(1+c)))
	}
	e := &sinCosTab[i]
	sa, sal, ca, cal := e[0], e[1], e[2], e[3]
	p, pe := twoProd(ca, th)
	h, l = fastTwoSum(sa, p)
	l += pe + sal + float64(cal*th) + float64(ca*s3) + float64(sa*c) +
		float64(rl*(float64(ca*(1+c))-float64(sa*th)))
	return fastTwoSum(h, l)
}

// cosQuick is cosKernel as sinQuick is sinKernel, within quickErr of the
// result (at least 0.7, while cos a·(cos t - 1) is below 2^-15).
func cosQuick(rh, rl float64) (h, l float64) {
	i := int(rh*64 + 0.5)
	th := rh - float64(i)*tabStep
	t2 := float64(th * th)
	c := float64(t2 * (-0.5 + float64(t2*(1.0/24+float64(t2*(-1.0/720+float64(t2*(1.0/40320))))))))
	s3 := float64(float64(th*t2) * (-1.0/6 + float64(t2*(1.0/120+float64(t2*(-1.0/5040+float64(t2*(1.0/362880))))))))
	if i == 0 {
		return fastTwoSum(1, c-float64(rl*th))
	}
	e := &sinCosTab[i]
	sa, sal, ca, cal := e[0], e[1], e[2], e[3]
	p, pe := twoProd(-sa, th)
	h, l = fastTwoSum(ca, p)
	l += pe + cal - float64(sal*th) - float64(sa*s3) + float64(ca*c) -
		float64(rl*(float64(sa*(1+c))+float64(ca*th)))
	return fastTwoSum(h, l)
}

// roundsTo reports whether every number within e of h+l rounds to h,
// for |l| at most half an ulp of h: whether adding l-e and l+e to h
// leaves it unchanged. Those additions round to nearest even, so an
// end exactly half-way to a neighbour passes; that is right because e
// bounds the error with room to spare (the bounds are four times or more
// what the analysis allows, far more than the roundings of l±e, below
// 2^-105·h), which puts the true value strictly inside.
func roundsTo(h, l, e float64) bool {
	return h+(l+e) == h && h+(l-e) == h
}

// sin is the correctly rounded sine.
func sin(x float64) float64 { return sinCos(x, false) }

// cos is the correctly rounded cosine.
func cos(x float64) float64 { return sinCos(x, true) }

// sinCos is sin(x), or cos(x) when wantCos. Below 2^-26 and 2^-27 the
// results are x and 1 (the next terms, x³/6 and x²/2, are under half the
// gap to the neighbouring double); up to reduceMax, x is reduced to r = x - k·π/2 in
// double-double and the quick kernels, failing which the accurate ones,
// give the result unless the rounding test cannot decide; the slow path
// does the rest.
func sinCos(x float64, wantCos bool) float64 {
	ax := math.Abs(x)
	switch {
	case ax < 0x1p-27 || (ax < 0x1p-26 && !wantCos):
		if wantCos {
			return 1
		}
		return x // ±0 and subnormals included
	case !(ax < reduceMax):
		if ax-ax != 0 { // ±Inf, NaN
			return math.NaN()
		}
		return sinCosSlow(x, wantCos)
	}
	// Reduction: r = rh + rl = x - k·π/2, |r| <= π/4 + 2^-32 (k is
	// picked from x·(2/π) rounded), within errR. x - k·hp0 is exact: x
	// and k·hp0 rounded are within 0.79 of each other and both above 1/2
	// (or k = 0).
	rh, rl, errR := x, 0.0, 0.0
	quadrant := 0
	if ax > math.Pi/4 {
		k := math.RoundToEven(x * twoOverPi)
		ph, pl := twoProd(k, halfPi[0])
		s := x - ph
		q1h, q1l := twoProd(k, halfPi[1])
		th, tl := twoSum(-pl, -q1h)
		rh, rl = twoSum(s, th)
		rl += tl - q1l - float64(k*halfPi[2]) - float64(k*halfPi[3])
		rh, rl = fastTwoSum(rh, rl)
		errR = float64(math.Abs(k)*0x1p-150) + float64(math.Abs(rh)*0x1p-100)
		quadrant = int(int64(k) & 3)
	}
	neg := false
	if rh < 0 {
		rh, rl = -rh, -rl
		neg = true // sin(-r) = -sin r, cos(-r) = cos r
	}
	if wantCos {
		quadrant++ // cos x = sin(x + π/2)
	}
	// sin x is sin r, cos r, -sin r, -cos r in quadrants 0 to 3.
	odd := quadrant&1 != 0
	flip := quadrant&2 != 0
	if !odd && neg {
		flip = !flip
	}
	var h, l float64
	if odd {
		h, l = cosQuick(rh, rl)
	} else {
		h, l = sinQuick(rh, rl)
	}
	if flip {
		h, l = -h, -l
	}
	if roundsTo(h, l, math.Abs(h)*quickErr+errR) {
		return h
	}
	if odd {
		h, l = cosKernel(rh, rl)
	} else {
		h, l = sinKernel(rh, rl)
	}
	if flip {
		h, l = -h, -l
	}
	if roundsTo(h, l, math.Abs(h)*kernelErr+errR) {
		return h
	}
	return sinCosSlow(x, wantCos)
}

// asinKernel returns asin(sh+sl) as a double-double and a bound on its
// absolute error, for 2^-28 <= sh <= 1/2 and |sl| <= 2^-52·sh, or false
// when the seed is too far off. It makes one Newton step on sin y = s
// from y0 = math.Asin(sh): y1 = y0 - (sin y0 - s)/cos y0, with sin y0
// from sinQuick or, when accurate, sinKernel. The step's own error is at
// most sin y/(2 cos y)·(y0-y)² <= 0.31·c² for y <= π/6 (c the correction,
// within a hair of y0-y); requiring |c| <= 2^-45·y0 (math.Asin is far
// closer) keeps it below 2^-91 relative. sin y0's error, divided by
// cos y0 >= 0.86, is at most 1.2 times the kernel's bound relative to y0,
// and the roundings of the correction (cos y0 from √(1-sin²y0) within
// 2^-51) add less than 2^-95·y0.
func asinKernel(sh, sl float64, accurate bool) (h, l, e float64, ok bool) {
	y0 := math.Asin(sh)
	var Sh, Sl float64
	bound := 1.25 * quickErr
	if accurate {
		Sh, Sl = sinKernel(y0, 0)
		bound = 1.25 * kernelErr
	} else {
		Sh, Sl = sinQuick(y0, 0)
	}
	g := (Sh - sh) + (Sl - sl) // Sh - sh is exact
	c := g / math.Sqrt(1-float64(Sh*Sh))
	if !(math.Abs(c) <= 0x1p-45*y0) {
		return 0, 0, 0, false
	}
	h, l = fastTwoSum(y0, -c)
	return h, l, float64(c*c) + float64(bound*y0), true
}

// asin is the correctly rounded arcsine.
func asin(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case ax < 0x1p-26:
		// asin x = x + x³/6 + …: under half the gap to the next double.
		return x
	case !(ax <= 1): // NaN, |x| > 1
		return math.NaN()
	case ax == 1:
		return math.Copysign(halfPi[0], x)
	}
	for _, accurate := range [2]bool{false, true} {
		var h, l, e float64
		var ok bool
		if ax <= 0.5 {
			h, l, e, ok = asinKernel(ax, 0, accurate)
		} else {
			// asin x = π/2 - 2·asin s, s = √((1-x)/2) <= 1/2, with 1-x and
			// the halving exact and s as a double-double from the square
			// root and its exact residual (within 2^-104 relative). The
			// result is at least π/6 and 2·asin s at most π/3, so the
			// subtraction at most doubles the relative error.
			z := (1 - ax) * 0.5
			sh := math.Sqrt(z)
			sl := math.FMA(-sh, sh, z) / (2 * sh)
			var ah, al, ea float64
			ah, al, ea, ok = asinKernel(sh, sl, accurate)
			h, l = twoSum(halfPi[0], -2*ah)
			l += halfPi[1] - 2*al + halfPi[2]
			h, l = fastTwoSum(h, l)
			e = 2*ea + h*0x1p-100
		}
		if ok && roundsTo(h, l, e) {
			return math.Copysign(h, x)
		}
	}
	return asinSlow(x)
}
