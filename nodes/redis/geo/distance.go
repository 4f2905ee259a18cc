package geo

import (
	"errors"
	"math"
	"strconv"
)

// Constants of geohash_helper.c. dR is D_R = M_PI / 180.0 as the C compiler
// folds it: M_PI rounded to a double, then divided and rounded again.
var dR = math.Float64frombits(0x3f91df46a2529d39)

const (
	// EarthRadius is EARTH_RADIUS_IN_METERS, the quadratic mean radius of
	// WGS-84 that every distance uses.
	EarthRadius = 6372797.560856
	// mercatorMax is MERCATOR_MAX.
	mercatorMax = 20037726.37
)

// degRad's product is rounded on its own: C does not fuse it into the
// subtraction that follows it in Distance, and neither may Go.
func degRad(ang float64) float64 { return float64(ang * dR) }
func radDeg(ang float64) float64 { return ang / dR }

// latDistance is geohashGetLatDistance: the distance along a meridian.
func latDistance(lat1, lat2 float64) float64 {
	return EarthRadius * math.Abs(degRad(lat2)-degRad(lat1))
}

// Distance is geohashGetDistance, the haversine distance in meters that
// GEODIST, WITHDIST and the search filter report. Since 7.0, when the
// half-difference of the longitudes has a sine of exactly zero the result
// is the distance along the meridian instead. Should rounding push the
// haversine term of two antipodal points past 1, the result is NaN, as in
// Redis (WITHDIST then prints LLONG_MIN; no such pair has been seen).
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r := degRad(lon1)
	lon2r := degRad(lon2)
	v := sin((lon2r - lon1r) / 2)
	if v == 0 {
		return latDistance(lat1, lat2)
	}
	lat1r := degRad(lat1)
	lat2r := degRad(lat2)
	u := sin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(cos(lat1r)*cos(lat2r))*v)*v)
	return 2.0 * EarthRadius * asin(math.Sqrt(a))
}

// Unit is a distance unit as the number of meters in one of it (the
// "conversion" of geo.c).
type Unit float64

// The units Redis accepts.
const (
	Meters     Unit = 1
	Kilometers Unit = 1000
	Feet       Unit = 0.3048
	Miles      Unit = 1609.34
)

// ErrUnit is the reply to an unknown unit.
var ErrUnit = errors.New("ERR unsupported unit provided. please use M, KM, FT, MI")

// ParseUnit is extractUnitOrReply: m, km, ft or mi in any case. Redis
// compares with strcasecmp, which stops at a NUL byte, so "km\x00x" is km.
func ParseUnit(arg []byte) (Unit, error) {
	for i, c := range arg {
		if c == 0 {
			arg = arg[:i]
			break
		}
	}
	if len(arg) == 0 || len(arg) > 2 {
		return 0, ErrUnit
	}
	var name [2]byte
	for i, c := range arg {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name[i] = c
	}
	switch string(name[:len(arg)]) {
	case "m":
		return Meters, nil
	case "km":
		return Kilometers, nil
	case "ft":
		return Feet, nil
	case "mi":
		return Miles, nil
	}
	return 0, ErrUnit
}

// AppendDistance appends d, a distance already divided by its unit, as
// addReplyDoubleDistance prints it (fixedpoint_d2string with 4 decimals):
// llrint(d*10000) as an integer with a dot before its last four digits.
// llrint rounds half to even; NaN and values beyond the int64 range give
// LLONG_MIN, printed "-922337203685477.5808".
func AppendDistance(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	v := llrint(d * 10000)
	var mag uint64
	if v < 0 {
		dst = append(dst, '-')
		mag = uint64(-(v + 1)) + 1 // also right for LLONG_MIN
	} else {
		mag = uint64(v)
	}
	dst = strconv.AppendUint(dst, mag/10000, 10)
	frac := mag % 10000
	return append(dst, '.',
		byte('0'+frac/1000), byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
}

// FormatDistance is AppendDistance into a new string.
func FormatDistance(d float64) string {
	var buf [32]byte
	return string(AppendDistance(buf[:0], d))
}

// llrint is glibc's llrint on x86-64 (cvtsd2si): round half to even in the
// default rounding mode, math.MinInt64 when the result does not fit.
func llrint(f float64) int64 {
	r := math.RoundToEven(f)
	if r != r || r >= 9223372036854775808.0 || r < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(r)
}
