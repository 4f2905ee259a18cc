package sim

import "math"

// fastExp and fastLog are exp and ln by a table and a short polynomial,
// without a division in exp and with one in ln: within a few ulps of the true
// values, about three times faster than math.Exp and math.Log. Only
// Dist.lognormalFast uses them, as a first guess that the exact path's
// detExp and detLog confirm or decide (see there), so their last bits may
// differ between machines (a compiler may fuse a multiply-add) without any
// draw differing.

// expTable[j] is 2^(j/64); logTable[j] is ln(j/64) for j in [48, 96].
var expTable, logTable = func() (e [64]float64, l [97]float64) {
	for j := range e {
		e[j] = math.Exp2(float64(j) / 64)
	}
	for j := 48; j <= 96; j++ {
		l[j] = math.Log(float64(j) / 64)
	}
	return e, l
}()

// fastExp is e^x for |x| < 700: x = (64k+j)·ln2/64 + r with |r| <= ln2/128,
// e^x = 2^k · 2^(j/64) · e^r, e^r by its Taylor polynomial to r^6 (the rest
// is below 1e-19 of it).
func fastExp(x float64) float64 {
	kf := math.Floor(x*(64/math.Ln2) + 0.5)
	r := x - kf*(math.Ln2/64)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	ki := int(kf)
	return expTable[ki&63] * p * math.Float64frombits(uint64(ki>>6+1023)<<52)
}

// fastLog is ln(s) for a normal s > 0: s = m·2^e with m in [0.75, 1.5),
// c = j/64 the nearest 64th to m, ln(s) = e·ln2 + ln(c) + 2·atanh(t) with
// t = (m-c)/(m+c), |t| <= 1/191, atanh by its series to t^7 (the rest is
// below 1e-19 of it). m-c is exact, and for s in [0.75, 1), where ln(s)
// nears 0, e = 0 and c = 1 once ln(s) is within 1/128 of it, so the
// relative error stays a few ulps.
func fastLog(s float64) float64 {
	b := math.Float64bits(s)
	e := int(b>>52&0x7ff) - 1023
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
	if m >= 1.5 {
		m *= 0.5
		e++
	}
	j := int(m*64 + 0.5)
	c := float64(j) * (1.0 / 64)
	t := (m - c) / (m + c)
	t2 := t * t
	return (float64(e)*math.Ln2 + logTable[j]) + 2*t*(1+t2*(1.0/3+t2*(1.0/5+t2*(1.0/7))))
}
