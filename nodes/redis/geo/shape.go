package geo

import (
	"errors"
	"math"

	"github.com/redsim/redsim/nodes/redis/zset"
	"github.com/redsim/redsim/nodes/rnum"
)

// Shape is GeoShape: the area a search covers, around a centre that is
// either the user's coordinates (GEORADIUS, FROMLONLAT: as parsed, not
// snapped to a cell) or a member's decoded position (GEORADIUSBYMEMBER,
// FROMMEMBER). Sizes are in Unit; the search converts them to meters.
type Shape struct {
	// Lon and Lat are the centre, in degrees.
	Lon, Lat float64
	// Unit is the unit of Radius, Width, Height and of reported distances.
	Unit Unit
	// Box selects BYBOX (Width by Height) instead of a circle of Radius.
	Box bool
	// Radius is the circle's radius, >= 0 (may be +Inf).
	Radius float64
	// Width and Height are the box's full sides, >= 0 (may be +Inf).
	Width, Height float64
}

// Errors of extractDistanceOrReply and extractBoxOrReply.
var (
	ErrRadiusNotFloat = errors.New("ERR need numeric radius")
	ErrRadiusNegative = errors.New("ERR radius cannot be negative")
	ErrWidthNotFloat  = errors.New("ERR need numeric width")
	ErrHeightNotFloat = errors.New("ERR need numeric height")
	ErrBoxNegative    = errors.New("ERR height or width cannot be negative")
)

// ParseRadius is extractDistanceOrReply: "<radius> <unit>", checked in that
// order (a negative radius is reported before a bad unit). "inf" is a valid
// radius.
func ParseRadius(radiusArg, unitArg []byte) (radius float64, unit Unit, err error) {
	radius, ok := rnum.ParseFloat(radiusArg)
	if !ok {
		return 0, 0, ErrRadiusNotFloat
	}
	if radius < 0 {
		return 0, 0, ErrRadiusNegative
	}
	if unit, err = ParseUnit(unitArg); err != nil {
		return 0, 0, err
	}
	return radius, unit, nil
}

// ParseBox is extractBoxOrReply: "<width> <height> <unit>".
func ParseBox(widthArg, heightArg, unitArg []byte) (width, height float64, unit Unit, err error) {
	width, ok := rnum.ParseFloat(widthArg)
	if !ok {
		return 0, 0, 0, ErrWidthNotFloat
	}
	if height, ok = rnum.ParseFloat(heightArg); !ok {
		return 0, 0, 0, ErrHeightNotFloat
	}
	if height < 0 || width < 0 {
		return 0, 0, 0, ErrBoxNegative
	}
	if unit, err = ParseUnit(unitArg); err != nil {
		return 0, 0, 0, err
	}
	return width, height, unit, nil
}

// Within is geoWithinShape for a point already decoded: whether (lon, lat)
// lies in the shape and its distance in meters from the centre. A circle
// holds the points not farther than its radius (a NaN distance counts as
// inside, since Redis only rejects "distance > radius"). A box, as 7.0
// computes it in geohashGetDistanceIfInRectangle, holds the points whose
// distance along the meridian to the centre's latitude is at most half its
// height and whose great-circle distance to the centre's longitude, at the
// point's own latitude, is at most half its width; the distance reported
// is still the one to the centre.
func (s *Shape) Within(lon, lat float64) (dist float64, ok bool) {
	conv := float64(s.Unit)
	if !s.Box {
		dist = Distance(s.Lon, s.Lat, lon, lat)
		return dist, !(dist > s.Radius*conv)
	}
	widthM, heightM := s.Width*conv, s.Height*conv
	if latDistance(lat, s.Lat) > heightM/2 {
		return 0, false
	}
	if Distance(lon, lat, s.Lon, lat) > widthM/2 {
		return 0, false
	}
	return Distance(s.Lon, s.Lat, lon, lat), true
}

// estimateSteps is geohashEstimateStepsByRadius: the coarsest step whose
// cells are about as large as the radius, one or two coarser towards the
// poles, within 1..26.
func estimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	// The cap only stops a negative range, which Redis rejects before
	// this point (the doubling would never end): a positive double reaches
	// mercatorMax in at most 1100 doublings.
	for rangeMeters < mercatorMax && step < 1200 {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// boundingBox is geohashBoundingBox: min lon, min lat, max lon, max lat.
// cosine stands for the C library's cos: it is cos except in tests, which
// look at what a libm one ulp away would make Redis scan.
func (s *Shape) boundingBox(cosine func(float64) float64) (minLon, minLat, maxLon, maxLat float64) {
	conv := float64(s.Unit)
	var height, width float64
	if s.Box {
		height = conv * (s.Height / 2)
		width = conv * (s.Width / 2)
	} else {
		height = conv * s.Radius
		width = conv * s.Radius
	}
	latDelta := radDeg(height / EarthRadius)
	lonDeltaTop := radDeg(width / EarthRadius / cosine(degRad(s.Lat+latDelta)))
	lonDeltaBottom := radDeg(width / EarthRadius / cosine(degRad(s.Lat-latDelta)))
	if s.Lat < 0 {
		minLon, maxLon = s.Lon-lonDeltaBottom, s.Lon+lonDeltaBottom
	} else {
		minLon, maxLon = s.Lon-lonDeltaTop, s.Lon+lonDeltaTop
	}
	return minLon, s.Lat - latDelta, maxLon, s.Lat + latDelta
}

// searchAreas is geohashCalculateAreasByShapeWGS84 (GeoHashRadius): the
// centre's cell at the estimated step and its 8 neighbours, the step one
// coarser when a side neighbour does not reach the bounding box, and the
// neighbours beyond the box zeroed.
type searchAreas struct {
	hash       hashBits
	area       area
	neighbours neighbours
}

// areas is the GeoHashRadius of s.
func (s *Shape) areas() searchAreas { return s.areasWith(cos) }

// areasWith is areas with boundingBox's cosine.
func (s *Shape) areasWith(cosine func(float64) float64) searchAreas {
	minLon, minLat, maxLon, maxLat := s.boundingBox(cosine)
	radiusMeters := s.Radius
	if s.Box {
		hw, hh := s.Width/2, s.Height/2
		radiusMeters = math.Sqrt(float64(hw*hw) + float64(hh*hh))
	}
	radiusMeters *= float64(s.Unit)
	steps := estimateSteps(radiusMeters, s.Lat)

	// Redis ignores geohashEncode's failure; the centre is always valid.
	hash, _ := encode(lonRange, latRange, s.Lon, s.Lat, steps)
	nb := neighboursOf(hash)
	ar := decode(lonRange, latRange, hash)

	north := decode(lonRange, latRange, nb.north)
	south := decode(lonRange, latRange, nb.south)
	east := decode(lonRange, latRange, nb.east)
	west := decode(lonRange, latRange, nb.west)
	decrease := north.lat.max < maxLat || south.lat.min > minLat ||
		east.lon.max < maxLon || west.lon.min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = encode(lonRange, latRange, s.Lon, s.Lat, steps)
		nb = neighboursOf(hash)
		ar = decode(lonRange, latRange, hash)
	}

	if steps >= 2 {
		if ar.lat.min < minLat {
			nb.south, nb.southWest, nb.southEast = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lat.max > maxLat {
			nb.north, nb.northEast, nb.northWest = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lon.min < minLon {
			nb.west, nb.southWest, nb.northWest = hashBits{}, hashBits{}, hashBits{}
		}
		if ar.lon.max > maxLon {
			nb.east, nb.southEast, nb.northEast = hashBits{}, hashBits{}, hashBits{}
		}
	}
	return searchAreas{hash: hash, area: ar, neighbours: nb}
}

// cells lists the cells membersOfAllNeighbors scans, in its order (centre,
// N, S, E, W, NE, NW, SE, SW), without the zeroed ones and without a cell
// equal to the one scanned just before it. As in C the comparison is
// skipped while the last scanned cell is the centre (index 0).
func (a *searchAreas) cells(dst []hashBits) []hashBits {
	n := &a.neighbours
	all := [9]hashBits{a.hash, n.north, n.south, n.east, n.west,
		n.northEast, n.northWest, n.southEast, n.southWest}
	last := 0
	for i, h := range all {
		if h.isZero() {
			continue
		}
		if last != 0 && h == all[last] {
			continue
		}
		dst = append(dst, h)
		last = i
	}
	return dst
}

// scoreRange is scoresOfGeoHashBox: the scores of the points inside a
// cell, min included and max excluded.
func scoreRange(h hashBits) zset.ScoreRange {
	lo := align52(h)
	h.bits++
	hi := align52(h)
	return zset.ScoreRange{Min: float64(lo), Max: float64(hi), MaxEx: true}
}

// SearchRanges returns the score ranges that a search of s scans, in the
// order Redis scans them (see the package documentation): up to nine,
// each min <= score < max. Points found in them still go through Within.
func SearchRanges(s Shape) []zset.ScoreRange {
	a := s.areas()
	var buf [9]hashBits
	cells := a.cells(buf[:0])
	out := make([]zset.ScoreRange, len(cells))
	for i, h := range cells {
		out[i] = scoreRange(h)
	}
	return out
}
