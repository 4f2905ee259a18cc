package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// DistKind names a latency distribution.
type DistKind uint8

const (
	// Fixed always draws Dist.Fixed.
	Fixed DistKind = iota
	// Uniform draws evenly from [Min, Max].
	Uniform
	// LogNormal draws Floor + Median*exp(Sigma*Z) with Z standard normal: a
	// propagation floor plus a long-tailed queueing delay.
	LogNormal
)

// Dist is a distribution of durations (link latency, fsync time). Its zero
// value always draws 0.
type Dist struct {
	Kind   DistKind
	Fixed  time.Duration
	Min    time.Duration
	Max    time.Duration
	Floor  time.Duration
	Median time.Duration
	Sigma  float64
}

// FixedDist draws d every time.
func FixedDist(d time.Duration) Dist { return Dist{Kind: Fixed, Fixed: d} }

// UniformDist draws evenly from [lo, hi].
func UniformDist(lo, hi time.Duration) Dist { return Dist{Kind: Uniform, Min: lo, Max: hi} }

// LogNormalDist draws floor + median*exp(sigma*Z).
func LogNormalDist(floor, median time.Duration, sigma float64) Dist {
	return Dist{Kind: LogNormal, Floor: floor, Median: median, Sigma: sigma}
}

// Validate says what is wrong with d, if anything.
func (d Dist) Validate() error {
	switch d.Kind {
	case Fixed:
		if d.Fixed < 0 {
			return fmt.Errorf("fixed duration %v is negative", d.Fixed)
		}
	case Uniform:
		if d.Min < 0 || d.Max < d.Min {
			return fmt.Errorf("uniform range [%v, %v] is not 0 <= min <= max", d.Min, d.Max)
		}
	case LogNormal:
		if d.Floor < 0 || d.Median < 0 || !(d.Sigma >= 0) || d.Sigma > 10 {
			return fmt.Errorf("lognormal floor %v median %v sigma %g: want floor, median >= 0 and 0 <= sigma <= 10", d.Floor, d.Median, d.Sigma)
		}
	default:
		return fmt.Errorf("distribution kind %d is unknown", d.Kind)
	}
	return nil
}

// Draw returns one duration. Only the uniform and lognormal kinds consume
// randomness.
func (d Dist) Draw(r *rand.Rand) time.Duration {
	switch d.Kind {
	case Uniform:
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + time.Duration(r.Int64N(int64(d.Max-d.Min)+1))
	case LogNormal:
		u, s := polar(r)
		return d.lognormal(u, s)
	default:
		return d.Fixed
	}
}

// String prints d in the form scenario files use.
func (d Dist) String() string {
	switch d.Kind {
	case Uniform:
		return fmt.Sprintf("uniform(%v,%v)", d.Min, d.Max)
	case LogNormal:
		return fmt.Sprintf("lognormal(floor=%v,median=%v,sigma=%g)", d.Floor, d.Median, d.Sigma)
	default:
		return fmt.Sprintf("fixed(%v)", d.Fixed)
	}
}

// polar draws the pair of Marsaglia's polar method for one standard normal
// deviate: u, and s = u² + v² in (0, 1), from which the deviate is
// u·sqrt(-2·ln(s)/s).
func polar(r *rand.Rand) (u, s float64) {
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return u, s
		}
	}
}

// lognormal is the draw of d, a LogNormal, for the polar pair (u, s):
// lognormalExact, computed faster.
//
// The exact draw goes through detLog and detExp, which need only plain
// float64 operations (math.Log and math.Exp are assembly on some machines and
// pick instructions by CPU feature, so their last bit may differ from one
// machine to another, and a trace must hash the same on every machine).
// Their series cost some 40 divisions a draw. But a draw is a whole number of
// nanoseconds, the float truncated: fastLog and fastExp (a table and a
// short polynomial) give a value v within a relative (|x|+1)·1e-14 of the
// exact path's (both are within a few dozen ulps of the true value; x is
// the exponent), and when every value within a hundred times that of v
// truncates to one whole number, that number is the exact path's draw on
// every machine. Otherwise (about one draw in a million at the built-ins'
// latencies, and near the cap or a huge exponent) the exact path decides.
func (d Dist) lognormal(u, s float64) time.Duration {
	if v, ok := d.lognormalFast(u, s); ok {
		return v
	}
	return d.lognormalExact(u, s)
}

// lognormalFast is lognormal's draw by fastLog and fastExp, and whether
// it is sure to be the exact path's.
func (d Dist) lognormalFast(u, s float64) (time.Duration, bool) {
	if s < 0x1p-1000 {
		return 0, false
	}
	x := d.Sigma * (u * math.Sqrt(-2*fastLog(s)/s))
	if !(x > -600 && x < 600) {
		return 0, false
	}
	v := float64(d.Median) * fastExp(x)
	if v >= 1e14 {
		return 0, false
	}
	delta := (math.Abs(x) + 1) * 1e-12
	n := math.Floor(v * (1 - delta))
	if n != math.Floor(v*(1+delta)) {
		return 0, false
	}
	return d.Floor + time.Duration(n), true
}

// lognormalExact is Floor + Median·exp(Sigma·Z), Z = u·sqrt(-2·ln(s)/s), with
// detLog and detExp, capped at 1e15 ns (about 11 days) so the conversion
// cannot overflow.
func (d Dist) lognormalExact(u, s float64) time.Duration {
	z := u * math.Sqrt(float64(-2*detLog(s))/s)
	v := float64(d.Median) * detExp(d.Sigma*z)
	if v > 1e15 {
		v = 1e15
	}
	return d.Floor + time.Duration(v)
}

const ln2 = 0.6931471805599453

// detExp is exp(x) from plain float64 operations, each product converted
// explicitly so that no compiler fuses a multiply-add.
func detExp(x float64) float64 {
	if x > 700 {
		return math.Inf(1)
	}
	if x < -700 {
		return 0
	}
	k := math.Floor(x/ln2 + 0.5)
	r := x - float64(k*ln2)
	// Taylor series of e^r for |r| <= ln2/2, to well below float64 precision.
	term, sum := 1.0, 1.0
	for i := 1; i <= 20; i++ {
		term = float64(term*r) / float64(i)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}

// detLog is ln(x) for x > 0 from plain float64 operations.
func detLog(x float64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	m, e := math.Frexp(x) // x = m * 2^e, m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	// ln(m) = 2 artanh(s), s = (m-1)/(m+1), |s| < 0.172.
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	term, sum := s, s
	for i := 3; i <= 41; i += 2 {
		term = float64(term * s2)
		sum += term / float64(i)
	}
	return 2*sum + float64(float64(e)*ln2)
}
