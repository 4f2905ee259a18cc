package geo

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/redsim/redsim/nodes/redis/zset"
)

// The expectations in this file were recorded from Debian 12's
// redis-server 7.0.15 on x86-64; server_test.go checks the same things
// against a live server.

func TestConstants(t *testing.T) {
	pi := math.Pi
	if got := pi / 180; got != dR {
		t.Errorf("D_R = %x, want M_PI/180.0 = %x", math.Float64bits(dR), math.Float64bits(got))
	}
}

// TestRecordedReplies: GEOADD Sicily 13.361389 38.115556 Palermo
// 15.087269 37.502669 Catania 180 85.05112878 edge -180 -85.05112878 sw
// 0 0 zero 180 0 am, then ZSCORE, GEOPOS and GEOHASH of each.
func TestRecordedReplies(t *testing.T) {
	for _, tc := range []struct {
		lon, lat       float64
		score          float64
		posLon, posLat string
		hash           string
	}{
		{13.361389, 38.115556, 3479099956230698, "13.36138933897018433", "38.11555639549629859", "sqc8b49rny0"},
		{15.087269, 37.502669, 3479447370796909, "15.08726745843887329", "37.50266842333162032", "sqdtr74hyu0"},
		{180, 85.05112878, 13510798882111488, "180", "85.0511287799999991", "bp05b5048p0"},
		{-180, -85.05112878, 0, "-179.99999731779098511", "-85.05112751263942528", "00bh0hbj200"},
		{0, 0, 3377699720527872, "0.00000268220901489", "0.00000126736058093", "s0000000000"},
		{180, 0, 10133099161583616, "180", "0.00000126736058093", "80000000000"},
	} {
		score, err := Encode(tc.lon, tc.lat)
		if err != nil || score != tc.score {
			t.Errorf("Encode(%v, %v) = %v, %v; want %v", tc.lon, tc.lat, score, err, tc.score)
		}
		lon, lat := Decode(score)
		if got := FormatCoord(lon) + " " + FormatCoord(lat); got != tc.posLon+" "+tc.posLat {
			t.Errorf("GEOPOS of (%v, %v) = %s, want %s %s", tc.lon, tc.lat, got, tc.posLon, tc.posLat)
		}
		if got := Hash(lon, lat); got != tc.hash {
			t.Errorf("GEOHASH of (%v, %v) = %s, want %s", tc.lon, tc.lat, got, tc.hash)
		}
	}

	pLon, pLat := Decode(3479099956230698)
	cLon, cLat := Decode(3479447370796909)
	d := Distance(pLon, pLat, cLon, cLat)
	for _, tc := range []struct {
		unit Unit
		want string
	}{{Meters, "166274.1516"}, {Kilometers, "166.2742"}, {Feet, "545518.8700"}, {Miles, "103.3182"}} {
		if got := FormatDistance(d / float64(tc.unit)); got != tc.want {
			t.Errorf("GEODIST Palermo Catania in %v = %s, want %s", tc.unit, got, tc.want)
		}
	}
	eLon, eLat := Decode(13510798882111488)
	wLon, wLat := Decode(0)
	if got := FormatDistance(Distance(eLon, eLat, wLon, wLat)); got != "18919844.5891" {
		t.Errorf("GEODIST edge sw = %s, want 18919844.5891", got)
	}
}

// TestRecordedSearch: GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
// WITHDIST replies Catania 56.4413, Palermo 190.4424; BYBOX 400 400 km
// DESC the reverse.
func TestRecordedSearch(t *testing.T) {
	z := zset.New(rand.New(rand.NewPCG(1, 2)))
	z.SetListpack(true)
	z.Add("Palermo", 3479099956230698)
	z.Add("Catania", 3479447370796909)
	z.Add("edge", 13510798882111488)
	z.Add("zero", 3377699720527872)
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Shape: Shape{Lon: 15, Lat: 37, Unit: Kilometers, Radius: 200}, Order: Asc}, "Catania 56.4413 Palermo 190.4424"},
		{Query{Shape: Shape{Lon: 15, Lat: 37, Unit: Kilometers, Box: true, Width: 400, Height: 400}, Order: Desc}, "Palermo 190.4424 Catania 56.4413"},
		{Query{Shape: Shape{Lon: 15, Lat: 37, Unit: Kilometers, Radius: 200}, Count: 1}, "Catania 56.4413"},
		{Query{Shape: Shape{Lon: 15, Lat: 37, Unit: Kilometers, Radius: 100}}, "Catania 56.4413"},
	} {
		var parts []string
		for _, p := range tc.q.Run(z) {
			parts = append(parts, p.Member, FormatDistance(p.Dist/float64(tc.q.Shape.Unit)))
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
		}
	}
	if pts := (&Query{Shape: Shape{Radius: 1, Unit: Meters}}).Run(nil); pts != nil {
		t.Errorf("a missing key gave %v", pts)
	}
}

// TestSortLikeC replays testdata/sort.txt: arrays of distances (with ties
// and NaN) sorted by glibc's qsort when all are returned and by Redis's
// pqsort otherwise, with the order each left.
func TestSortLikeC(t *testing.T) {
	f, err := os.Open("testdata/sort.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		in, want, ok := strings.Cut(sc.Text(), " = ")
		fields := strings.Fields(in)
		if !ok || len(fields) < 3 {
			t.Fatalf("bad line %q", sc.Text())
		}
		count, _ := strconv.Atoi(fields[1])
		var pts []Point
		for i, s := range fields[2:] {
			d, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			pts = append(pts, Point{Member: strconv.Itoa(i), Dist: d})
		}
		cmp := distAsc
		if fields[0] == "desc" {
			cmp = distDesc
		}
		if count == len(pts) {
			mergeSort(pts, make([]Point, len(pts)), cmp)
		} else {
			pqsort(pts, cmp, 0, count-1)
		}
		var got []string
		for _, p := range pts[:count] {
			got = append(got, p.Member)
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s\n got %s\nwant %s", in, g, want)
		}
		n++
	}
	if n < 300 {
		t.Fatalf("only %d cases read", n)
	}
}

func TestInvalidInput(t *testing.T) {
	for _, tc := range []struct {
		lon, lat float64
		want     string
	}{
		{200, 10, "ERR invalid longitude,latitude pair 200.000000,10.000000"},
		{-180.0000001, 0, "ERR invalid longitude,latitude pair -180.000000,0.000000"},
		{0, 85.05112879, "ERR invalid longitude,latitude pair 0.000000,85.051129"},
		{1, math.Inf(1), "ERR invalid longitude,latitude pair 1.000000,inf"},
		{math.Inf(-1), 0, "ERR invalid longitude,latitude pair -inf,0.000000"},
		{math.NaN(), 0, "ERR invalid longitude,latitude pair nan,0.000000"},
		{0, -math.NaN(), "ERR invalid longitude,latitude pair 0.000000,-nan"},
		{1e20, 0, "ERR invalid longitude,latitude pair 100000000000000000000.000000,0.000000"},
	} {
		_, err := Encode(tc.lon, tc.lat)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Encode(%v, %v) error %v, want %s", tc.lon, tc.lat, err, tc.want)
		}
	}
	for _, ok := range [][2]float64{{180, LatMax}, {-180, LatMin}, {math.Copysign(0, -1), 0}} {
		if _, err := Encode(ok[0], ok[1]); err != nil {
			t.Errorf("Encode(%v, %v): %v", ok[0], ok[1], err)
		}
	}
	if _, _, err := ParseLonLat([]byte(" 1"), []byte("2")); err != ErrNotFloat {
		t.Errorf("ParseLonLat with a leading space: %v", err)
	}

	for arg, want := range map[string]Unit{"m": Meters, "KM": Kilometers, "Ft": Feet, "mI": Miles, "km\x00junk": Kilometers} {
		if u, err := ParseUnit([]byte(arg)); err != nil || u != want {
			t.Errorf("ParseUnit(%q) = %v, %v", arg, u, err)
		}
	}
	for _, arg := range []string{"", "\x00m", "kms", "meters", "M ", "k"} {
		if _, err := ParseUnit([]byte(arg)); err != ErrUnit {
			t.Errorf("ParseUnit(%q) = %v, want ErrUnit", arg, err)
		}
	}
	for _, tc := range []struct {
		r, u string
		err  error
	}{{"x", "yd", ErrRadiusNotFloat}, {"-1", "yd", ErrRadiusNegative}, {"1", "yd", ErrUnit}, {"-0", "m", nil}, {"inf", "m", nil}, {"nan", "m", ErrRadiusNotFloat}} {
		if _, _, err := ParseRadius([]byte(tc.r), []byte(tc.u)); err != tc.err {
			t.Errorf("ParseRadius(%q, %q) = %v, want %v", tc.r, tc.u, err, tc.err)
		}
	}
	for _, tc := range []struct {
		w, h, u string
		err     error
	}{{"w", "h", "yd", ErrWidthNotFloat}, {"1", "h", "yd", ErrHeightNotFloat}, {"-1", "1", "yd", ErrBoxNegative}, {"1", "1", "yd", ErrUnit}, {"0", "inf", "mi", nil}} {
		if _, _, _, err := ParseBox([]byte(tc.w), []byte(tc.h), []byte(tc.u)); err != tc.err {
			t.Errorf("ParseBox(%q, %q, %q) = %v, want %v", tc.w, tc.h, tc.u, err, tc.err)
		}
	}
}

func TestFormatDistance(t *testing.T) {
	for _, tc := range []struct {
		d    float64
		want string
	}{
		{0, "0.0000"}, {math.Copysign(0, -1), "0.0000"}, {0.00005, "0.0000"},
		// 0.00015*10000 is 1.4999999999999998 in binary, as in C.
		{0.00015, "0.0001"}, {0.00025, "0.0002"}, {0.00035, "0.0004"}, {0.7750, "0.7750"}, {1.2345, "1.2345"}, {12.3456, "12.3456"},
		{123.45678, "123.4568"}, {-1.5, "-1.5000"}, {-0.00004, "0.0000"},
		{math.NaN(), "-922337203685477.5808"}, {math.Inf(1), "-922337203685477.5808"}, {1e15, "-922337203685477.5808"},
		{9.2e14, "920000000000000.0000"},
	} {
		if got := FormatDistance(tc.d); got != tc.want {
			t.Errorf("FormatDistance(%v) = %s, want %s", tc.d, got, tc.want)
		}
	}
}

// TestDecodeAnyScore: scores a plain ZADD may store still decode, clamped.
func TestDecodeAnyScore(t *testing.T) {
	for _, s := range []float64{-1, -0.5, 1.5, 1e300, -1e300, math.Inf(1), math.Inf(-1), math.NaN(),
		1 << 63, 1 << 64, -(1 << 63), 1 << 53, 1<<54 + 2} {
		lon, lat := Decode(s)
		if !(lon >= LonMin && lon <= LonMax && lat >= LatMin && lat <= LatMax) {
			t.Errorf("Decode(%v) = %v, %v", s, lon, lat)
		}
		if h := Hash(lon, lat); len(h) != 11 || h[10] != '0' {
			t.Errorf("Hash(Decode(%v)) = %q", s, h)
		}
	}
	if scoreBits(-1) != math.MaxUint64 || scoreBits(math.NaN()) != 1<<63 || scoreBits(1<<64) != 0 ||
		scoreBits(1<<63) != 1<<63 || scoreBits(1.9) != 1 {
		t.Error("scoreBits does not convert as C on x86-64")
	}
}

// TestSearchRanges pins the shape of two searches: a 100 m radius scans
// step-17 cells (about 300 by 150 m at the equator), the centre's first; a
// radius of a million km from (10, 10) reaches step 1, where the eight
// neighbours collapse onto the three other quadrants and each is scanned
// once.
func TestSearchRanges(t *testing.T) {
	s := Shape{Lon: 0.001, Lat: 0.001, Unit: Meters, Radius: 100}
	a := s.areas()
	if a.hash.step != 17 {
		t.Errorf("step = %d, want 17", a.hash.step)
	}
	rs := SearchRanges(s)
	if len(rs) == 0 || len(rs) > 9 {
		t.Fatalf("%d ranges", len(rs))
	}
	centre, _ := Encode(0.001, 0.001)
	if r := rs[0]; !(r.Min <= centre && centre < r.Max) || r.MinEx || !r.MaxEx {
		t.Errorf("first range %+v does not hold the centre %v", r, centre)
	}
	for _, r := range rs {
		if width := r.Max - r.Min; width != float64(uint64(1)<<(52-2*a.hash.step)) {
			t.Errorf("range %+v is not one step-%d cell", r, a.hash.step)
		}
	}
	rs = SearchRanges(Shape{Lon: 10, Lat: 10, Unit: Kilometers, Radius: 1e6})
	if len(rs) != 4 {
		t.Errorf("%d ranges at step 1, want the 4 quadrants: %+v", len(rs), rs)
	}
}

func TestEstimateSteps(t *testing.T) {
	for _, tc := range []struct {
		r, lat float64
		want   uint8
	}{{0, 0, 26}, {1, 0, 24}, {100, 0, 17}, {5e6, 0, 2}, {5e6, 70, 1}, {1e7, 0, 1}, {1, 81, 22},
		{math.Inf(1), 0, 1}, {5e-324, 0, 26}, {-1, 0, 26}, {math.NaN(), 0, 1}} {
		if got := estimateSteps(tc.r, tc.lat); got != tc.want {
			t.Errorf("estimateSteps(%v, %v) = %d, want %d", tc.r, tc.lat, got, tc.want)
		}
	}
}

// FuzzGeo feeds arbitrary floats to every entry point: nothing panics or
// hangs, encoding stays near the input, and searches scan at
// most nine ranges.
func FuzzGeo(f *testing.F) {
	f.Add(13.361389, 38.115556, 200.0, 1.0, 1.0, 3479099956230698.0)
	f.Add(180.0, 85.05112878, 0.0, 0.0, math.Inf(1), -1.0)
	f.Add(math.NaN(), math.Inf(-1), -5.0, math.NaN(), -0.0, 1e300)
	f.Fuzz(func(t *testing.T, lon, lat, radius, width, height, score float64) {
		sc, err := Encode(lon, lat)
		if err == nil {
			dlon, dlat := Decode(sc)
			// Within a cell, or two where lon = 180 puts the hash above
			// 2^53 and the score rounds its lowest (latitude) bit.
			if math.Abs(dlon-lon) > 360.0/(1<<26) || math.Abs(dlat-lat) > 2*170.2/(1<<26) {
				t.Errorf("Decode(Encode(%v, %v)) = %v, %v", lon, lat, dlon, dlat)
			}
		}
		lon2, lat2 := Decode(score)
		if h := Hash(lon2, lat2); len(h) != 11 {
			t.Errorf("Hash = %q", h)
		}
		_ = FormatCoord(lon2)
		_ = Hash(lon, lat)
		d := Distance(lon, lat, lon2, lat2)
		_ = FormatDistance(d)
		for _, s := range []Shape{
			{Lon: lon, Lat: lat, Unit: Miles, Radius: radius},
			{Lon: lon2, Lat: lat2, Unit: Feet, Box: true, Width: width, Height: height},
		} {
			if rs := SearchRanges(s); len(rs) > 9 {
				t.Errorf("%d ranges", len(rs))
			}
			_, _ = s.Within(lon2, lat2)
		}
	})
}
