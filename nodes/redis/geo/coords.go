package geo

import (
	"errors"
	"math"
	"strconv"

	"github.com/redsim/redsim/nodes/rnum"
)

// ErrNotFloat is the reply to a coordinate that is not a number
// (getDoubleFromObjectOrReply without a message).
var ErrNotFloat = errors.New("ERR value is not a valid float")

// RangeError is the reply to coordinates outside the indexable area:
// "ERR invalid longitude,latitude pair %f,%f".
type RangeError struct{ Lon, Lat float64 }

func (e *RangeError) Error() string {
	b := []byte("ERR invalid longitude,latitude pair ")
	b = appendCFloat(b, e.Lon)
	b = append(b, ',')
	b = appendCFloat(b, e.Lat)
	return string(b)
}

// appendCFloat formats like glibc's printf "%f".
func appendCFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 0) || f != f:
		if math.Signbit(f) {
			b = append(b, '-')
		}
		if f != f {
			return append(b, "nan"...)
		}
		return append(b, "inf"...)
	}
	// Go's 'f' prints the exact binary value rounded half-even, as glibc.
	return strconv.AppendFloat(b, f, 'f', 6, 64)
}

// CheckLonLat is the range test of extractLongLatOrReply, used by GEOADD,
// GEORADIUS and FROMLONLAT: LonMin <= lon <= LonMax and LatMin <= lat <=
// LatMax, or a *RangeError. Redis's string2d never yields NaN; NaN is
// rejected here too so that Encode cannot see it.
func CheckLonLat(lon, lat float64) error {
	if !inLimits(lon, lat) || lon != lon || lat != lat {
		return &RangeError{lon, lat}
	}
	return nil
}

// ParseLonLat parses a longitude and a latitude argument as
// extractLongLatOrReply does: each with string2d (ErrNotFloat, longitude
// first), then the range test.
func ParseLonLat(lonArg, latArg []byte) (lon, lat float64, err error) {
	var ok bool
	if lon, ok = rnum.ParseFloat(lonArg); !ok {
		return 0, 0, ErrNotFloat
	}
	if lat, ok = rnum.ParseFloat(latArg); !ok {
		return 0, 0, ErrNotFloat
	}
	if err := CheckLonLat(lon, lat); err != nil {
		return 0, 0, err
	}
	return lon, lat, nil
}

// Encode is the score GEOADD gives a point: the 52-bit geohash of step 26,
// as the float64 that ZADD stores after parsing its decimal text. The hash
// fits 52 bits except on the edges lon = 180 or lat = LatMax, whose index
// overflows into bits 52 and 53; then an odd hash rounds to an even score,
// as strtod rounds it in Redis.
func Encode(lon, lat float64) (score float64, err error) {
	if err := CheckLonLat(lon, lat); err != nil {
		return 0, err
	}
	h, _ := encode(lonRange, latRange, lon, lat, stepMax)
	return float64(align52(h)), nil
}

// Decode is decodeGeohash: the centre of the step-26 cell that a sorted-set
// score stands for, clamped to the limits. Every score decodes, including
// ones that ZADD wrote (the score converts to uint64 as C does on x86-64);
// GEOPOS, GEODIST, GEOHASH, FROMMEMBER and the search filter all see the
// point through this function.
func Decode(score float64) (lon, lat float64) {
	return decode(lonRange, latRange, hashBits{bits: scoreBits(score), step: stepMax}).centre()
}

// geoAlphabet is geohashCommand's base32 alphabet.
const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// Hash is the GEOHASH string of a point: the point re-encoded at step 26
// over the standard ranges (latitude -90..90) and written as 11 base32
// characters, the last of which is always '0' because 52 bits fill only
// ten. GEOHASH replies Hash(Decode(score)).
func Hash(lon, lat float64) string {
	h, ok := encode(lonRange, stdLatRange, lon, lat, stepMax)
	if !ok {
		// geohashEncode fails only outside the limits (Decode never gets
		// there); Redis would then print whatever its stack held.
		h = hashBits{}
	}
	var buf [11]byte
	for i := range buf {
		idx := uint64(0)
		if i < 10 {
			idx = (h.bits >> (52 - (uint(i)+1)*5)) & 0x1f
		}
		buf[i] = geoAlphabet[idx]
	}
	return string(buf[:])
}

// AppendCoord appends a coordinate as GEOPOS and WITHCOORD reply it
// (addReplyHumanLongDouble): the double widened to long double and printed
// with "%.17Lf", trailing zeros trimmed. RESP3 sends the same text as a
// double ("," type).
func AppendCoord(dst []byte, x float64) []byte {
	return rnum.AppendLongDouble(dst, rnum.LongDoubleFromFloat64(x))
}

// FormatCoord is AppendCoord into a new string.
func FormatCoord(x float64) string {
	var buf [48]byte
	return string(AppendCoord(buf[:0], x))
}
