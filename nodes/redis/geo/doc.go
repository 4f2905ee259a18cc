// Package geo is the arithmetic of Redis 7.0.15's GEO commands (geo.c,
// geohash.c, geohash_helper.c), kept apart from the command glue so that
// GEOADD, GEOPOS, GEODIST, GEOHASH, GEORADIUS[BYMEMBER][_RO], GEOSEARCH and
// GEOSEARCHSTORE reply byte for byte as Debian 12's redis-server 7.0.15 on
// x86-64 does (but for the rare exceptions under Exactness). A geo set is a sorted set: Encode gives the score GEOADD
// stores (a 52-bit interleaved geohash), Decode the cell centre every
// reader sees, Distance the haversine distance on a sphere of EarthRadius,
// Hash the GEOHASH string, and FormatCoord and FormatDistance the reply
// text of coordinates ("%.17Lf" trimmed) and distances (4 decimals).
//
// A search is a Shape (circle or box around a centre) turned into at most
// nine score ranges (SearchRanges: the centre's cell at a step estimated
// from the radius, its eight neighbours, a coarser step when a neighbour
// falls short of the bounding box, the neighbours beyond the box dropped,
// and a cell equal to the one scanned just before it skipped), whose
// members are filtered by Shape.Within. Query.Run does the whole search
// over a zset.Set and hands back the points in the order Redis replies
// them:
//
//   - without ASC/DESC and without COUNT, the order of the scan: cell by
//     cell in SearchRanges order (centre, N, S, E, W, NE, NW, SE, SW), and
//     inside a cell by (score, member), the sorted set's order;
//   - COUNT without ANY implies ASC; with ANY the scan stops as soon as
//     Count points are found (between two members of a cell, or before
//     the next cell), and the found points are then sorted if asked;
//   - ASC/DESC sort by distance with glibc's merge sort when every point is
//     returned and with Redis's partial quicksort when COUNT cuts the list,
//     so that equal distances tie-break exactly as in Redis.
//
// Exactness: everything but the last bits of sin, cos and asin is
// computed as Redis computes it, and those bits differ from Redis's in
// about 0.1% of calls. Redis takes the three functions from the C
// library, and their last bits reach replies (near the antipode, a
// distance moves by up to some centimetres when asin's argument, computed
// from sin and cos, moves by one ulp). By
// the project's rule this package copies no code from elsewhere, C
// libraries included (glibc is LGPL), so it cannot be Debian's libm;
// trig.go computes the correctly rounded results instead (double-double
// kernels with a rounding test, math/big when the test cannot decide),
// the one choice that does not depend on a particular library. Measured
// against Debian 12's libm (glibc 2.36, which the reference redis-server
// uses; TestTrigAgainstLibm), on the arguments Distance passes for random
// pairs of points, the libm returns the correctly rounded result for all
// but 0.08% (sin), 0.15% (cos) and 0.05% (asin) of them, and is one ulp
// away then; Distance differs in its last bits for 0.15% of the pairs,
// and a distance printed in meters for 27 of 60000, all near-antipodal.
// Go's math package differs from that libm in 7% to 35% of calls. So a
// GEODIST or WITHDIST reply near the antipode, a member exactly on the
// edge of a search and the order of members at nearly equal distances
// can, rarely, come out differently from Redis's; the differential tests
// accept a difference only when a one-ulp change of the C library's
// results explains it, and log how many replies differed so.
//
// Invariants: every other floating-point step is the C expression
// evaluated in the same order and rounded once per operation (products
// that feed sums are wrapped in float64() so no compiler fuses them);
// nothing here allocates in the encoding, decoding and distance paths
// (but for trig.go's math/big slow path, about once in 2^25 calls),
// holds state (the constants of trig.go are computed once, by init), or
// reads time or randomness.
package geo
