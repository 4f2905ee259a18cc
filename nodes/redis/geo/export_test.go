package geo

import (
	"math"

	"github.com/redsim/redsim/nodes/redis/zset"
)

// The libm tolerance of the differential tests (server_test.go). Redis
// takes sin, cos and asin from the C library, whose results are within
// one ulp of the true values (TestTrigAgainstLibm checks it on the
// machine at hand), hence within one ulp of this package's correctly
// rounded ones. These helpers give every reply such a libm can lead to.

// nudge moves f one ulp away from zero (dir > 0) or towards it (dir <
// 0). Zero stays: sin 0, asin 0 and cos 0 are exact in any libm.
func nudge(f float64, dir int) float64 {
	switch {
	case f == 0 || dir == 0 || f != f:
		return f
	case dir > 0:
		return math.Nextafter(f, math.Copysign(math.Inf(1), f))
	default:
		return math.Nextafter(f, 0)
	}
}

// distanceWith is Distance, operation for operation, with the given
// sin, cos and asin (TestDistanceNudged checks that it is Distance with
// this package's).
func distanceWith(sinF, cosF, asinF func(float64) float64, lon1, lat1, lon2, lat2 float64) float64 {
	lon1r := degRad(lon1)
	lon2r := degRad(lon2)
	v := sinF((lon2r - lon1r) / 2)
	if v == 0 {
		return latDistance(lat1, lat2)
	}
	lat1r := degRad(lat1)
	lat2r := degRad(lat2)
	u := sinF((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(cosF(lat1r)*cosF(lat2r))*v)*v)
	return 2.0 * EarthRadius * asinF(math.Sqrt(a))
}

// distanceNudged is Distance with each result of sin, cos and asin
// nudged in direction dir. The distance grows with the magnitude of each
// of them (the cosines are of latitudes, so positive) and every later
// operation rounds monotonically, so dir = -1 and +1 give the least and
// the greatest distance a libm one ulp off can produce.
func distanceNudged(lon1, lat1, lon2, lat2 float64, dir int) float64 {
	nudged := func(f func(float64) float64) func(float64) float64 {
		return func(x float64) float64 { return nudge(f(x), dir) }
	}
	return distanceWith(nudged(sin), nudged(cos), nudged(asin), lon1, lat1, lon2, lat2)
}

// DistanceBounds returns the least and the greatest distance that
// Distance's formula gives between the two points with a libm one ulp off.
// hi is +Inf when the haversine term can pass 1 (NaN in Redis).
func DistanceBounds(lon1, lat1, lon2, lat2 float64) (lo, hi float64) {
	lo = distanceNudged(lon1, lat1, lon2, lat2, -1)
	hi = distanceNudged(lon1, lat1, lon2, lat2, 1)
	if hi != hi {
		hi = math.Inf(1)
	}
	return lo, hi
}

// WithinCases reports whether Within(lon, lat) can hold and whether it
// can fail with a libm one ulp off.
func (s *Shape) WithinCases(lon, lat float64) (canIn, canOut bool) {
	conv := float64(s.Unit)
	if !s.Box {
		lo, hi := DistanceBounds(s.Lon, s.Lat, lon, lat)
		return !(lo > s.Radius*conv), hi > s.Radius*conv
	}
	if latDistance(lat, s.Lat) > s.Height*conv/2 {
		return false, true
	}
	lo, hi := DistanceBounds(lon, lat, s.Lon, lat)
	return !(lo > s.Width*conv/2), hi > s.Width*conv/2
}

// SearchRangesNudged is SearchRanges(s) with geohashBoundingBox's cosines
// moved one ulp up (dir > 0) or down: the bounding box, and the cells
// Redis scans, move monotonically with them.
func SearchRangesNudged(s Shape, dir int) []zset.ScoreRange {
	to := math.Inf(1)
	if dir < 0 {
		to = math.Inf(-1)
	}
	a := s.areasWith(func(x float64) float64 { return math.Nextafter(cos(x), to) })
	var buf [9]hashBits
	cells := a.cells(buf[:0])
	out := make([]zset.ScoreRange, len(cells))
	for i, h := range cells {
		out[i] = scoreRange(h)
	}
	return out
}
