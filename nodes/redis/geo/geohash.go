package geo

import "math"

// The grid of geohash.c: a cell of step s is 2^s by 2^s over the
// longitude and latitude ranges; its bits interleave the latitude index
// (even bits) with the longitude index (odd bits).

// stepMax is GEO_STEP_MAX: scores hold 26*2 = 52 bits.
const stepMax = 26

// Limits from EPSG:900913 / EPSG:3785 / OSGEO:41001: Redis cannot index
// points nearer to the poles than this.
const (
	LatMin = -85.05112878
	LatMax = 85.05112878
	LonMin = -180.0
	LonMax = 180.0
)

// coordRange is GeoHashRange.
type coordRange struct{ min, max float64 }

// The ranges of Redis's own grid (geohashGetCoordRange), and the standard
// ones that GEOHASH re-encodes into.
var (
	lonRange    = coordRange{LonMin, LonMax}
	latRange    = coordRange{LatMin, LatMax}
	stdLatRange = coordRange{-90, 90}
)

// hashBits is GeoHashBits: a cell of the grid. The zero value is GZERO, a
// neighbour excluded from the search.
type hashBits struct {
	bits uint64
	step uint8
}

func (h hashBits) isZero() bool { return h.bits == 0 && h.step == 0 }

// area is GeoHashArea: a cell and its bounds.
type area struct {
	hash     hashBits
	lon, lat coordRange
}

// interleave64 spreads xlo over the even bits and ylo over the odd ones.
func interleave64(xlo, ylo uint32) uint64 {
	x, y := uint64(xlo), uint64(ylo)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	y = (y | y<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	y = (y | y<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	y = (y | y<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	y = (y | y<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	y = (y | y<<1) & 0x5555555555555555
	return x | y<<1
}

// deinterleave64 gathers the even bits into the low word and the odd bits
// into the high word.
func deinterleave64(v uint64) uint64 {
	x, y := v, v>>1
	x &= 0x5555555555555555
	y &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	y = (y | y>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	y = (y | y>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	y = (y | y>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	y = (y | y>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	y = (y | y>>16) & 0x00000000FFFFFFFF
	return x | y<<32
}

// inLimits is the validity test of extractLongLatOrReply and geohashEncode.
// NaN passes it in C; callers that can see NaN reject it themselves.
func inLimits(lon, lat float64) bool {
	return !(lon > LonMax || lon < LonMin || lat > LatMax || lat < LatMin)
}

// encode is geohashEncode. An offset of exactly 1 (longitude 180, latitude
// LatMax) becomes index 2^step, one past the grid, as in C.
func encode(lonR, latR coordRange, lon, lat float64, step uint8) (hashBits, bool) {
	if step > 32 || step == 0 || !inLimits(lon, lat) ||
		lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return hashBits{}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	scale := float64(uint64(1) << step)
	latOff *= scale
	lonOff *= scale
	return hashBits{bits: interleave64(uint32(latOff), uint32(lonOff)), step: step}, true
}

// decode is geohashDecode: the bounds of the cell. The "+1" of the upper
// bounds is uint32 arithmetic, as in C.
func decode(lonR, latR coordRange, h hashBits) area {
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	ilat := uint32(sep)
	ilon := uint32(sep >> 32)
	div := float64(uint64(1) << h.step)
	return area{
		hash: h,
		lat: coordRange{
			min: latR.min + float64(float64(ilat)*1.0/div*latScale),
			max: latR.min + float64(float64(ilat+1)*1.0/div*latScale),
		},
		lon: coordRange{
			min: lonR.min + float64(float64(ilon)*1.0/div*lonScale),
			max: lonR.min + float64(float64(ilon+1)*1.0/div*lonScale),
		},
	}
}

// centre is geohashDecodeAreaToLongLat: the middle of the cell, clamped to
// the limits.
func (a area) centre() (lon, lat float64) {
	lon = (a.lon.min + a.lon.max) / 2
	if lon > LonMax {
		lon = LonMax
	}
	if lon < LonMin {
		lon = LonMin
	}
	lat = (a.lat.min + a.lat.max) / 2
	if lat > LatMax {
		lat = LatMax
	}
	if lat < LatMin {
		lat = LatMin
	}
	return lon, lat
}

// moveX is geohash_move_x: one cell east (d > 0) or west, wrapping around.
func moveX(h *hashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	h.bits = x | y
}

// moveY is geohash_move_y: one cell north (d > 0) or south, wrapping around.
func moveY(h *hashBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	h.bits = x | y
}

// neighbours is GeoHashNeighbors.
type neighbours struct {
	north, east, west, south, northEast, southEast, northWest, southWest hashBits
}

// neighboursOf is geohashNeighbors.
func neighboursOf(h hashBits) neighbours {
	move := func(dx, dy int) hashBits {
		n := h
		moveX(&n, dx)
		moveY(&n, dy)
		return n
	}
	return neighbours{
		east:      move(1, 0),
		west:      move(-1, 0),
		south:     move(0, -1),
		north:     move(0, 1),
		northWest: move(-1, 1),
		northEast: move(1, 1),
		southEast: move(1, -1),
		southWest: move(-1, -1),
	}
}

// align52 is geohashAlign52Bits: the cell as a score prefix.
func align52(h hashBits) uint64 {
	return h.bits << (52 - uint(h.step)*2)
}

// scoreBits is the C conversion (uint64_t)score that decodeGeohash applies
// to a sorted-set score, as GCC compiles it for x86-64: values below 2^63
// go through cvttsd2si (truncation; negative values wrap, and NaN and
// values from -2^63 down give 1<<63), larger ones are shifted down by 2^63
// first (so 2^64 and beyond give 0). Scores written by GEOADD are
// integers below 2^54 and convert exactly.
func scoreBits(score float64) uint64 {
	const two63 = 9223372036854775808.0
	if score >= two63 {
		return uint64(cvttsd2si(score-two63)) ^ 1<<63
	}
	return uint64(cvttsd2si(score))
}

// cvttsd2si truncates like the x86 instruction: out of range or NaN gives
// the "integer indefinite" value, math.MinInt64.
func cvttsd2si(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}
