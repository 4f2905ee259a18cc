package geo

import "github.com/redsim/redsim/nodes/redis/zset"

// Point is geoPoint: a member found by a search.
type Point struct {
	Member string
	// Score is the member's sorted-set score: WITHHASH replies it as an
	// integer, STORE writes it back.
	Score float64
	// Lon and Lat are the decoded position that WITHCOORD replies.
	Lon, Lat float64
	// Dist is the distance from the shape's centre in meters; WITHDIST
	// replies, and STOREDIST stores, Dist / float64(shape.Unit).
	Dist float64
}

// Order is the sort option of a search.
type Order int

// The orders: none (the order of the scan), ASC and DESC by distance.
const (
	Unordered Order = iota
	Asc
	Desc
)

// Query is one search of the GEORADIUS/GEOSEARCH family, after parsing.
type Query struct {
	Shape Shape
	Order Order
	// Count is COUNT's argument, 0 when absent.
	Count int64
	// Any is the ANY flag: stop scanning once Count points are found.
	Any bool
}

// Run performs the search over z as georadiusGeneric does and returns the
// points to reply (or to store), in reply order: the cells of
// SearchRanges scanned in turn, each in the set's order, keeping the
// points Within the shape; with ANY the scan stops at Count points. COUNT
// without ANY and without ASC/DESC implies ASC. Then the points are sorted
// by distance as Redis sorts them (glibc's merge sort when all are
// returned, Redis's partial quicksort pqsort when COUNT cuts the list, so
// ties come out exactly as in Redis) and cut to Count. A nil set gives no
// points.
func (q *Query) Run(z *zset.Set) []Point {
	if z == nil {
		return nil
	}
	var limit int64
	if q.Any {
		limit = q.Count
	}
	full := func(pts []Point) bool { return len(pts) > 0 && limit > 0 && int64(len(pts)) >= limit }

	a := q.Shape.areas()
	var buf [9]hashBits
	var pts []Point
	for _, h := range a.cells(buf[:0]) {
		if full(pts) {
			break
		}
		for member, score := range z.RangeByScore(scoreRange(h), false, 0, -1) {
			lon, lat := Decode(score)
			if d, ok := q.Shape.Within(lon, lat); ok {
				pts = append(pts, Point{Member: member, Score: score, Lon: lon, Lat: lat, Dist: d})
			}
			if full(pts) {
				break
			}
		}
	}

	order := q.Order
	if q.Count != 0 && order == Unordered && !q.Any {
		order = Asc
	}
	returned := len(pts)
	if q.Count != 0 && q.Count < int64(returned) {
		returned = int(q.Count)
	}
	if order != Unordered {
		cmp := distAsc
		if order == Desc {
			cmp = distDesc
		}
		if returned == len(pts) {
			mergeSort(pts, make([]Point, len(pts)), cmp)
		} else {
			pqsort(pts, cmp, 0, returned-1)
		}
	}
	return pts[:returned]
}
